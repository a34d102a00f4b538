// Package interop holds differential tests of mailaccess against real mail
// servers. It is a separate module so that the main module's tests never
// need a server.
//
// The tests run only when MAILACCESS_INTEROP=1; otherwise they skip. When
// it is set, a missing server is a failure, not a skip. Each test starts
// its own private, unprivileged server instance on a free loopback port,
// with its configuration and mail in the test's temporary directory, and
// stops it by PID when it ends.
//
//	MAILACCESS_INTEROP=1         run the tests
//	MAILACCESS_INTEROP_STRICT=1  fail on any difference (default: report only)
//	MAILACCESS_INTEROP_SEED=n    corpus seed (default 1)
//	MAILACCESS_INTEROP_N=n       generated messages besides the fixed ones (default 200)
//	MAILACCESS_INTEROP_REPORT=f  also write the comparison report to file f
//	MAILACCESS_INTEROP_GOLDEN=f  write Dovecot's answers, byte for byte, to file f
//	MAILACCESS_DOVECOT=path      the dovecot binary (default: $PATH, then /usr/sbin)
//
// TestMIMEAgainstDovecot appends the mimecorpus messages to Dovecot 2.3,
// fetches ENVELOPE, BODYSTRUCTURE, BODY[1], BODY[HEADER.FIELDS (...)] and
// BINARY.SIZE[1], and compares Dovecot's bytes with what package mime
// computes for the same message, encoded by imap/wire.
package interop
