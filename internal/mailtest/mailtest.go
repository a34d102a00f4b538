// Package mailtest holds what the tests of the protocol packages
// (imapserver, imapclient, pop3server, pop3client) and of the examples
// share: throwaway TLS certificates and configurations (a self-signed
// server certificate for the loopback address, and a test CA that issues
// server and client certificates), an Authenticator that maps client
// certificates, and a buffer for protocol traces. It is for tests only:
// its keys are fresh for each call and its certificates expire within a
// day.
package mailtest
