// Package mime computes what IMAP says about a message: its ENVELOPE, its
// BODYSTRUCTURE, its body sections (BODY[...] and BINARY[...]), whether it
// matches a SEARCH key, and how SORT and THREAD order it.
//
// Parse reads a message once and returns a Structure: a tree of parts with
// the byte offsets of each header and body, the values BODYSTRUCTURE and
// ENVELOPE need, line counts and decoded sizes. A Structure holds memory in
// proportion to the message's headers, not its body, and serializes with
// MarshalBinary, so a store can cache it and never re-parse a message to
// answer FETCH. Sections are then cut from the stored message through an
// io.ReaderAt.
//
// Malformed input never makes Parse fail: a missing closing boundary, broken
// parameters, bad base64 or 8-bit header bytes still give a structure, as
// the deployed servers do. Only read errors and the configured limits
// (Options) are reported.
package mime
