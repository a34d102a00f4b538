#!/usr/bin/env python3
"""A POP3 session against the mailaccess server with Python's poplib.

    python3 poplib_session.py HOST PORT USER PASS N

Run by TestPythonPoplib (pop3server_python_test.go) against a fresh server
whose user's INBOX holds N messages made by the Go test: message i (from
1) has the header "Subject: message i", a blank line, and a body whose
lines are "line j of message i" for j in 1..i+2, then a line ".dot i"
(byte-stuffed on the wire) and a last line "end i". The server offers
STLS with a self-signed certificate, and APOP with the user's password.

Each check prints one line, "ok  NAME"; the first mismatch raises, prints
"FAIL NAME: ..." and exits 1. Only the standard library is used.
"""

import poplib
import re
import socket
import ssl
import sys

TIMEOUT = 20  # seconds, for every socket operation


class CheckFailed(Exception):
    pass


def ok(name):
    print("ok   " + name, flush=True)


def check(name, got, want):
    if got == want:
        ok(name)
        return
    raise CheckFailed("%s: got %r, want %r" % (name, got, want))


def check_true(name, cond, detail=""):
    if cond:
        ok(name)
        return
    raise CheckFailed("%s: %s" % (name, detail or "condition false"))


def expect_error(name, fn, code=None):
    """Run fn, which must raise poplib.error_proto (an -ERR answer),
    whose text contains the response code [code] when given."""
    try:
        fn()
    except poplib.error_proto as e:
        text = e.args[0].decode("utf-8", "replace") if e.args and isinstance(e.args[0], bytes) else str(e)
        if code is not None and "[" + code + "]" not in text:
            raise CheckFailed("%s: -ERR without [%s]: %r" % (name, code, text))
        ok(name)
        return
    raise CheckFailed("%s: no -ERR" % name)


def body_lines(i):
    lines = [b"Subject: message %d" % i, b""]
    lines += [b"line %d of message %d" % (j, i) for j in range(1, i + 3)]
    lines += [b".dot %d" % i, b"end %d" % i]
    return lines


def connect(host, port):
    return poplib.POP3(host, port, timeout=TIMEOUT)


def login(host, port, user, password):
    p = connect(host, port)
    p.user(user)
    p.pass_(password)
    return p


def main():
    host, port, user, password, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])

    # --- Greeting and capabilities in AUTHORIZATION.
    p = connect(host, port)
    welcome = p.getwelcome()
    check_true("greeting +OK", welcome.startswith(b"+OK"), welcome)
    check_true("greeting has an APOP timestamp", re.search(rb"<[^<>@]+@[^<>]+>", welcome) is not None, welcome)
    capa = p.capa()
    for c in ("TOP", "USER", "UIDL", "RESP-CODES", "PIPELINING", "SASL", "STLS", "AUTH-RESP-CODE", "IMPLEMENTATION", "EXPIRE"):
        check_true("capa " + c, c in capa, sorted(capa))
    check_true("capa SASL PLAIN", "PLAIN" in [m.upper() for m in capa["SASL"]], capa["SASL"])

    # --- Wrong state and wrong credentials.
    expect_error("STAT before login", p.stat)
    p.user(user)
    expect_error("PASS wrong", lambda: p.pass_(password + "x"), "AUTH")
    p.quit()

    # --- STLS, then USER/PASS over TLS.
    p = connect(host, port)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    p.stls(ctx)
    check_true("STLS gives TLS", isinstance(p.sock, ssl.SSLSocket))
    capa = p.capa()
    check_true("no STLS after STLS", "STLS" not in capa, sorted(capa))
    p.user(user)
    resp = p.pass_(password)
    check_true("PASS over TLS", resp.startswith(b"+OK"), resp)
    count, size = p.stat()
    check("STAT count over TLS", count, n)
    p.quit()

    # --- APOP.
    p = connect(host, port)
    resp = p.apop(user, password)
    check_true("APOP", resp.startswith(b"+OK"), resp)

    # A second session on the same maildrop is refused with [IN-USE].
    q = connect(host, port)
    q.user(user)
    expect_error("second session IN-USE", lambda: q.pass_(password), "IN-USE")
    q.quit()

    # --- STAT, LIST, UIDL.
    count, size = p.stat()
    check("STAT count", count, n)
    resp, listing, _ = p.list()
    check("LIST entries", len(listing), n)
    sizes = {}
    for line in listing:
        num, sz = line.split()
        sizes[int(num)] = int(sz)
    check("STAT size is the sum of LIST", size, sum(sizes.values()))
    resp = p.list(2)
    check("LIST 2", resp.split()[1:3], [b"2", str(sizes[2]).encode()])
    resp, uidl, _ = p.uidl()
    check("UIDL entries", len(uidl), n)
    uids = {}
    for line in uidl:
        num, uid = line.split()
        uids[int(num)] = uid
        check_true("unique-id %d is 1-70 printable" % int(num), 1 <= len(uid) <= 70 and all(0x21 <= c <= 0x7e for c in uid), uid)
    check("unique-ids distinct", len(set(uids.values())), n)
    resp = p.uidl(3)
    check("UIDL 3", resp.split()[1:3], [b"3", uids[3]])
    expect_error("LIST of a message that does not exist", lambda: p.list(n + 1))

    # --- RETR and TOP (poplib removes the stuffing and the line ends).
    for i in range(1, n + 1):
        resp, lines, octets = p.retr(i)
        check("RETR %d" % i, lines, body_lines(i))
        # octets counts each line plus CRLF (poplib's own arithmetic).
        check("RETR %d size matches LIST" % i, octets, sizes[i])
    resp, lines, _ = p.top(3, 2)
    check("TOP 3 2", lines, body_lines(3)[:4])
    resp, lines, _ = p.top(1, 0)
    check("TOP 1 0", lines, body_lines(1)[:2])
    resp, lines, _ = p.top(1, 1000)
    check("TOP 1 1000 is the whole message", lines, body_lines(1))

    # --- DELE, RSET, NOOP.
    p.dele(1)
    expect_error("RETR of a deleted message", lambda: p.retr(1))
    expect_error("DELE twice", lambda: p.dele(1))
    check("STAT after DELE", p.stat()[0], n - 1)
    resp, listing, _ = p.list()
    check("LIST after DELE leaves it out", [l.split()[0] for l in listing], [str(i).encode() for i in range(2, n + 1)])
    p.rset()
    check("STAT after RSET", p.stat()[0], n)
    check_true("NOOP", p.noop().startswith(b"+OK"))

    # --- A dropped connection deletes nothing.
    p.dele(1)
    p.dele(2)
    p.sock.close()  # no QUIT
    p = None
    p = login(host, port, user, password)  # the lock is released
    check("dropped session deleted nothing", p.stat()[0], n)
    resp, uidl2, _ = p.uidl()
    check("UIDLs stable across sessions", uidl2, uidl)

    # --- QUIT commits deletions.
    p.dele(1)
    p.dele(n)
    resp = p.quit()
    check_true("QUIT +OK", resp.startswith(b"+OK"), resp)
    p = login(host, port, user, password)
    check("QUIT deleted two", p.stat()[0], n - 2)
    resp, uidl3, _ = p.uidl()
    check("remaining UIDLs keep their values", [l.split()[1] for l in uidl3], [uids[i] for i in range(2, n)])
    resp, lines, _ = p.retr(1)
    check("renumbered message 1 is the old 2", lines, body_lines(2))
    p.quit()

    print("all checks passed", flush=True)


if __name__ == "__main__":
    try:
        socket.setdefaulttimeout(TIMEOUT)
        main()
    except CheckFailed as e:
        print("FAIL " + str(e), flush=True)
        sys.exit(1)
    except Exception as e:  # a protocol error is a failure too
        print("FAIL %s: %r" % (type(e).__name__, e), flush=True)
        sys.exit(1)
