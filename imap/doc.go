// Package imap holds the typed values of the IMAP protocol shared by the
// codec (package imap/wire), clients and servers: flags, sequence and UID
// sets, mailbox names, addresses and envelopes, body structures, FETCH
// attributes and items, STATUS items, SEARCH keys, response codes and
// capabilities, as defined by RFC 3501 (IMAP4rev1), RFC 9051 (IMAP4rev2) and
// the extensions they refer to.
//
// Constructors validate their input, so a value that violates the protocol
// is not built by accident; the zero value of each type is documented.
// Package imap does no I/O.
package imap
