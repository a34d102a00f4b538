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
//
// TestImapclientDovecot drives our own client, package imap/imapclient,
// against Dovecot 2.3: CREATE, RENAME, DELETE, LIST, APPEND (with
// APPENDUID, and a 10 MB literal read back whole and in part through the
// streaming Fetch), SELECT and the mailbox view, FETCH of ENVELOPE,
// BODYSTRUCTURE, BODY[] sections and partials (compared with package
// mime's view of the same messages; differences fail only with
// MAILACCESS_INTEROP_STRICT=1), STORE, SEARCH (ESEARCH too), SORT and
// THREAD (when advertised), IDLE woken by another connection's APPEND,
// MOVE, EXPUNGE, UID EXPUNGE, and a QRESYNC SELECT after changes made while
// disconnected (VANISHED (EARLIER) to the handler, changed flags to the
// view, CHANGEDSINCE and VANISHED fetches). A part that hits a known client
// bug runs to its end and skips naming the bug.
//
// TestImapclientExtDovecot drives the client's extensions against a
// Dovecot configured with its zlib, quota (count), acl (vfile) and
// metadata plugins: QUOTA (OVERQUOTA included), ACL, METADATA (MAXSIZE,
// DEPTH), COMPRESS=DEFLATE with 10,000 FETCH responses through it, and the
// client's local SORT and THREAD compared with Dovecot's own.
//
// TestPOP3ClientDovecot drives our POP3 client, package pop3/pop3client,
// against Dovecot's POP3 server (dovecot-pop3d): CAPA, USER/PASS, APOP,
// AUTH PLAIN, LOGIN and SCRAM-SHA-256, STAT, LIST, UIDL (Dovecot's
// unique-ids checked against the UIDs IMAP reports), TOP, RETR (compared
// with IMAP's BODY[]), DELE, RSET, QUIT, a dropped connection that deletes
// nothing, and pipelined RETRs.
//
// The tests below turn it around: real clients against our own server
// (imapserver.Server over a maildir.Backend in the test's temporary
// directory, started in-process on a loopback port). A check that fails
// because of a known server bug is listed, with the bug, in imaplibKnown or
// goimapKnown; the test then runs to its end and skips naming the bugs.
//
// TestPythonImaplib runs testdata/imaplib_session.py with python3 (Python's
// standard imaplib): LOGIN, AUTHENTICATE PLAIN, CAPABILITY, LIST, LSUB,
// CREATE, RENAME, DELETE, SELECT, EXAMINE, APPEND, FETCH, STORE, SEARCH
// (CHARSET UTF-8 too), SORT, THREAD, UID FETCH/SEARCH/STORE/MOVE/EXPUNGE,
// COPY, MOVE, EXPUNGE, CLOSE, NAMESPACE, ENABLE UTF8=ACCEPT, LOGOUT, and a
// second connection that sees the first one's APPEND and EXPUNGE by NOOP
// and by IDLE (sent by hand).
//
// TestPythonPoplib runs testdata/poplib_session.py with Python's standard
// poplib against our POP3 server (pop3server.Server over Maildir): CAPA,
// USER/PASS, STLS, APOP, [IN-USE] for a second session, STAT, LIST, UIDL,
// TOP, RETR, DELE, RSET, NOOP, a dropped connection that deletes nothing,
// unique-ids stable across sessions, and QUIT that deletes.
//
// BenchmarkPOP3Retr compares Dovecot's POP3 server with ours on the same
// 1,000 messages, in the same run: a session that RETRs every message,
// lock-step and pipelined (see its comment for the benchstat commands).
//
// TestGoIMAPQuota, TestGoIMAPACL and TestGoIMAPMetadata drive go-imap
// v2's client against our server over memstore, which keeps quotas, ACLs
// and metadata.
//
// TestGoIMAPSession runs a whole session with go-imap v2's imapclient, once
// as an IMAP4rev1 session and once after ENABLE IMAP4rev2, including LIST
// RETURN (STATUS), SEARCH RETURN (ESEARCH), SORT, THREAD, BINARY.
//
// TestGoIMAPIdle has one go-imap client IDLE while another appends and
// expunges; the idler's UnilateralDataHandler must see EXISTS and EXPUNGE.
//
// TestGoIMAPLargeAndPipelined reads back a 4 MiB message whole, in part
// and decoded (BINARY), and checks a hundred pipelined commands.
//
// TestGoIMAPBodyStructure compares go-imap's reading of our ENVELOPE,
// BODYSTRUCTURE and BODY for the mimecorpus messages with package mime's,
// field by field, in an IMAP4rev1 and an IMAP4rev2 session.
package interop
