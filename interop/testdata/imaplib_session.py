#!/usr/bin/env python3
"""An IMAP session against the mailaccess server with Python's imaplib.

    python3 imaplib_session.py HOST PORT USER PASS

Run by TestPythonImaplib (imapserver_python_test.go) against a fresh
server with an empty mailbox store. Each check prints one line, "ok  NAME";
the first mismatch raises, prints "FAIL NAME: ..." and exits 1. Only the
standard library is used (Python 3.9 or later, for imaplib's timeout).

Known server bugs the Go test knows about are listed in KNOWN (by check
name, with a bug reference). Such a check prints "KNOWN NAME: ..." when
it fails and the session goes on; the Go test turns those lines into a
t.Skip naming the bug. A known check that passes prints "ok" as usual, so
a fixed bug shows up as a stale KNOWN entry the Go test reports.
"""

import datetime
import imaplib
import os
import re
import sys
import time

# Known server bugs: check name -> short reference. Filled in from the Go
# test's environment (IMAPLIB_KNOWN: lines of name TAB reference) so that the bug
# list lives in one place, next to the t.Skip that reports it.
KNOWN = {}

TIMEOUT = 20  # seconds, for every socket operation


class CheckFailed(Exception):
    pass


def ok(name):
    print("ok   " + name, flush=True)


def check(name, got, want):
    """Raise CheckFailed unless got == want."""
    if got == want:
        ok(name)
        return
    fail(name, "got %r, want %r" % (got, want))


def check_true(name, cond, detail=""):
    if cond:
        ok(name)
        return
    fail(name, detail or "condition false")


def fail(name, detail):
    if name in KNOWN:
        print("KNOWN %s: %s [%s]" % (name, detail, KNOWN[name]), flush=True)
        return
    raise CheckFailed("%s: %s" % (name, detail))


def expect_ok(name, res):
    typ, data = res
    if typ != "OK":
        fail(name, "%s %r" % (typ, data))
    else:
        ok(name)
    return data


# --- a small parser for IMAP response data -------------------------------
#
# imaplib hands back FETCH data as a list of bytes and (prefix, literal)
# tuples. reassemble() puts the wire form back together; Parser reads it
# into Python values: lists, bytes (quoted strings and literals), int
# (numbers), str (atoms, including "BODY[HEADER.FIELDS (SUBJECT)]<0>"),
# None (NIL).


def reassemble(data):
    """Joins imaplib's response pieces into one bytes per response."""
    out, buf = [], b""
    for item in data:
        if item is None:
            continue
        if isinstance(item, tuple):
            buf += item[0] + b"\r\n" + item[1]
        else:
            buf += item
            out.append(buf)
            buf = b""
    if buf:
        out.append(buf)
    return out


class Parser:
    def __init__(self, b):
        self.b, self.i = b, 0

    def peek(self):
        return self.b[self.i:self.i + 1]

    def sp(self):
        while self.peek() == b" ":
            self.i += 1

    def value(self):
        c = self.peek()
        if c == b"(":
            self.i += 1
            out = []
            self.sp()
            while self.peek() != b")":
                if self.peek() == b"":
                    raise ValueError("unterminated list in %r" % self.b)
                out.append(self.value())
                self.sp()
            self.i += 1
            return out
        if c == b'"':
            self.i += 1
            out = bytearray()
            while True:
                ch = self.b[self.i:self.i + 1]
                if ch == b"":
                    raise ValueError("unterminated quoted string in %r" % self.b)
                self.i += 1
                if ch == b"\\":
                    out += self.b[self.i:self.i + 1]
                    self.i += 1
                elif ch == b'"':
                    return bytes(out)
                else:
                    out += ch
        if c == b"{":
            end = self.b.index(b"}", self.i)
            n = int(self.b[self.i + 1:end].rstrip(b"+"))
            start = end + 3  # "}\r\n"
            self.i = start + n
            return self.b[start:start + n]
        # An atom, with [...] (which may hold spaces and parentheses) and
        # <...> kept inside it.
        start = self.i
        depth = 0
        while self.i < len(self.b):
            ch = self.b[self.i:self.i + 1]
            if ch == b"[":
                depth += 1
            elif ch == b"]":
                depth -= 1
            elif depth == 0 and ch in (b" ", b"(", b")"):
                break
            self.i += 1
        atom = self.b[start:self.i].decode("utf-8", "surrogateescape")
        if atom == "":
            raise ValueError("empty atom at %d in %r" % (start, self.b))
        if atom.upper() == "NIL":
            return None
        if atom.isdigit():
            return int(atom)
        return atom


def parse_fetch(data):
    """Returns {seq: {ITEM: value}} from imaplib FETCH data."""
    out = {}
    for resp in reassemble(data):
        p = Parser(resp)
        seq = p.value()
        p.sp()
        items = p.value()
        if not isinstance(seq, int) or not isinstance(items, list) or len(items) % 2:
            raise ValueError("bad FETCH response %r" % resp)
        d = out.setdefault(seq, {})
        for k, v in zip(items[0::2], items[1::2]):
            d[k.upper()] = v
    return out


def parse_list(data):
    """Returns [(attrs, delim, name)] from imaplib LIST data."""
    out = []
    for resp in reassemble(data):
        p = Parser(resp)
        attrs = p.value()
        p.sp()
        delim = p.value()
        p.sp()
        name = p.value()
        if isinstance(name, bytes):
            name = name.decode("utf-8")
        elif isinstance(name, int):
            name = str(name)
        out.append(([a.lower() for a in attrs], delim, name))
    return out


def nums(data):
    """The numbers of a SEARCH response, or of EXPUNGE responses."""
    out = []
    for d in data:
        if d:
            out += [int(x) for x in d.split()]
    return out


def flags_of(v):
    """A FLAGS value as a set, without \\Recent (session-dependent)."""
    return {f for f in v if f.lower() != "\\recent"}


def instant(v):
    """An INTERNALDATE as a POSIX time. The zone need not be the one given
    to APPEND, and date-day-fixed may start with a space (RFC 3501 §9)."""
    return datetime.datetime.strptime(v.decode().strip(), "%d-%b-%Y %H:%M:%S %z").timestamp()


def lower(v):
    return v.lower() if isinstance(v, (bytes, str)) else v


def params(v):
    """A body-fld-param list as a dict with lower-case keys."""
    if v is None:
        return {}
    return {k.lower(): val for k, val in zip(v[0::2], v[1::2])}


# --- the messages --------------------------------------------------------

MSG1 = (
    b"From: Alice Example <alice@example.com>\r\n"
    b"To: Bob <bob@example.org>\r\n"
    b"Subject: Hello world\r\n"
    b"Date: Mon, 01 Jan 2024 12:00:00 +0000\r\n"
    b"Message-ID: <m1@example.com>\r\n"
    b"\r\n"
    b"Hello Bob,\r\n"
    b"this is the first message.\r\n"
)

M2_TEXT = b"Viele Gr=C3=BC=C3=9Fe aus K=C3=B6ln!\r\nZweite Zeile.\r\n"
M2_DATA = b"AAECAwQFBgcICQ==\r\n"
MSG2 = (
    b"From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>\r\n"
    b"To: Alice <alice@example.com>, bob@example.org\r\n"
    b"Cc: undisclosed-recipients:;\r\n"
    b"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n"
    b"Date: Tue, 02 Jan 2024 09:30:00 +0100\r\n"
    b"Message-ID: <m2@example.de>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b1"\r\n'
    b"\r\n"
    b"This is a multi-part message in MIME format.\r\n"
    b"--b1\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n" + M2_TEXT + b"\r\n"
    b"--b1\r\n"
    b'Content-Type: application/octet-stream; name="data.bin"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b'Content-Disposition: attachment; filename="data.bin"\r\n'
    b"\r\n" + M2_DATA + b"\r\n"
    b"--b1--\r\n"
)

MSG3 = (
    b"From: Bob <bob@example.org>\r\n"
    b"To: alice@example.com\r\n"
    b"Subject: Meeting notes\r\n"
    b"Date: Wed, 03 Jan 2024 08:00:00 -0500\r\n"
    b"Message-ID: <m3@example.org>\r\n"
    b"In-Reply-To: <m1@example.com>\r\n"
    b"\r\n"
    b"The quarterly numbers are in.\r\n"
)


def later(n):
    """Messages appended while a second connection watches."""
    return (
        b"From: carol@example.net\r\n"
        b"To: alice@example.com\r\n"
        b"Subject: Later " + str(n).encode() + b"\r\n"
        b"Message-ID: <later" + str(n).encode() + b"@example.net>\r\n"
        b"\r\n"
        b"Body " + str(n).encode() + b".\r\n"
    )


def connect(host, port):
    M = imaplib.IMAP4(host, port, timeout=TIMEOUT)
    return M


def search(M, *criteria, charset=None, literal=None):
    if literal is not None:
        M.literal = literal
    typ, data = M.search(charset, *criteria)
    if typ != "OK":
        return typ, data
    return typ, nums(data)


def uid_search(M, *criteria):
    typ, data = M.uid("SEARCH", *criteria)
    if typ != "OK":
        return typ, data
    return typ, nums(data)


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

    # --- connect, capability, login ---------------------------------------
    M = connect(host, port)
    check_true("greeting is OK", M.welcome.startswith(b"* OK"), repr(M.welcome))
    check_true("pre-login CAPABILITY has IMAP4rev1", "IMAP4REV1" in M.capabilities, repr(M.capabilities))
    check_true("pre-login CAPABILITY has AUTH=PLAIN", "AUTH=PLAIN" in M.capabilities, repr(M.capabilities))
    check_true("no LOGINDISABLED on loopback", "LOGINDISABLED" not in M.capabilities, repr(M.capabilities))
    check("LOGIN with a wrong password is NO",
          M._simple_command("LOGIN", user, M._quote(password + "x"))[0], "NO")
    expect_ok("LOGIN", M.login(user, password))
    data = expect_ok("CAPABILITY", M.capability())
    caps = set(data[-1].decode().upper().split())
    for c in ("IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "NAMESPACE", "ESEARCH", "LITERAL+"):
        check_true("CAPABILITY has " + c, c in caps, repr(sorted(caps)))

    # --- LIST, CREATE, RENAME, DELETE ------------------------------------
    data = expect_ok("LIST", M.list())
    boxes = parse_list(data)
    names = [b[2] for b in boxes]
    check_true("LIST has INBOX", "INBOX" in names, repr(names))
    delim = boxes[names.index("INBOX")][1].decode()
    check_true("hierarchy delimiter is one character", len(delim) == 1, repr(delim))
    data = expect_ok('LIST "" ""', M.list('""', '""'))
    check('LIST "" "" gives the delimiter', parse_list(data)[0][1].decode(), delim)

    expect_ok("CREATE Work", M.create("Work"))
    expect_ok("CREATE Work/Old", M.create("Work" + delim + "Old"))
    expect_ok("CREATE Archive", M.create("Archive"))
    check("CREATE INBOX is NO", M.create("INBOX")[0], "NO")
    check("CREATE an existing mailbox is NO", M.create("Archive")[0], "NO")
    # Modified UTF-7 (RFC 3501 §5.1.3): "Entwürfe".
    expect_ok("CREATE Entw&APw-rfe", M.create("Entw&APw-rfe"))
    data = expect_ok("LIST Work*", M.list('""', "Work*"))
    got = {b[2]: b[0] for b in parse_list(data)}
    check("LIST Work* names", sorted(got), ["Work", "Work" + delim + "Old"])
    check_true("Work has \\HasChildren", "\\haschildren" in got.get("Work", []), repr(got))
    data = expect_ok("LIST Work%", M.list('""', "Work%"))
    check("LIST Work% does not descend", [b[2] for b in parse_list(data)], ["Work"])
    data = expect_ok("LIST Entw*", M.list('""', "Entw*"))
    check("LIST returns the modified UTF-7 name", [b[2] for b in parse_list(data)], ["Entw&APw-rfe"])

    expect_ok("RENAME Work Projects", M.rename("Work", "Projects"))
    data = expect_ok("LIST after RENAME", M.list())
    names = sorted(b[2] for b in parse_list(data))
    check_true("RENAME moved the inferior names too (RFC 3501 §6.3.5)",
               "Projects" + delim + "Old" in names and "Work" not in names and "Work" + delim + "Old" not in names,
               repr(names))
    check("RENAME to an existing name is NO", M.rename("Projects", "Archive")[0], "NO")
    expect_ok("DELETE Projects/Old", M.delete("Projects" + delim + "Old"))
    expect_ok("DELETE Projects", M.delete("Projects"))
    expect_ok("DELETE Entw&APw-rfe", M.delete("Entw&APw-rfe"))
    check("DELETE a missing mailbox is NO", M.delete("Projects")[0], "NO")
    data = expect_ok("LIST after DELETE", M.list())
    check("LIST after DELETE names", sorted(b[2] for b in parse_list(data)), ["Archive", "INBOX"])

    # --- SELECT, APPEND -----------------------------------------------------
    check("SELECT a missing mailbox is NO", M.select("NoSuchBox")[0], "NO")
    typ, data = M.select("INBOX")
    check("SELECT INBOX", (typ, data), ("OK", [b"0"]))
    uidvalidity = int(M.response("UIDVALIDITY")[1][0])
    check_true("SELECT gives UIDVALIDITY", uidvalidity > 0)
    flags = M.response("FLAGS")[1][0]
    check_true("SELECT gives FLAGS with \\Seen", b"\\Seen" in flags, repr(flags))
    check_true("SELECT is READ-WRITE", "READ-WRITE" in M.untagged_responses, repr(M.untagged_responses))

    typ, data = M.append("INBOX", "(\\Seen)", '"01-Jan-2020 10:00:00 +0000"', MSG1)
    check("APPEND 1", typ, "OK")
    m = re.search(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
    check_true("APPEND 1 has APPENDUID (RFC 4315)", m is not None, repr(data))
    check("APPENDUID UIDVALIDITY matches SELECT's", int(m.group(1)), uidvalidity)
    uid1 = int(m.group(2))
    typ, data = M.append("INBOX", "(\\Flagged $Important)", '"15-Jun-2022 12:30:00 +0200"', MSG2)
    check("APPEND 2", typ, "OK")
    uid2 = int(re.search(rb"\[APPENDUID \d+ (\d+)\]", data[0]).group(1))
    typ, data = M.append("INBOX", None, None, MSG3)
    check("APPEND 3", typ, "OK")
    uid3 = int(re.search(rb"\[APPENDUID \d+ (\d+)\]", data[0]).group(1))
    check_true("APPENDUIDs ascend", uid1 < uid2 < uid3, repr((uid1, uid2, uid3)))
    check("APPEND to the selected mailbox sends EXISTS", M.response("EXISTS")[1][-1], b"3")
    check("APPEND to a missing mailbox is NO [TRYCREATE]",
          (M.append("NoSuchBox", None, None, MSG1)[0], "TRYCREATE" in M.untagged_responses), ("NO", True))
    M.response("TRYCREATE")

    data = expect_ok("STATUS INBOX", M.status("INBOX", "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)"))
    p = Parser(data[0])
    p.value()
    p.sp()
    st = p.value()
    st = {k.upper(): v for k, v in zip(st[0::2], st[1::2])}
    check("STATUS INBOX values", st, {"MESSAGES": 3, "UNSEEN": 2, "UIDNEXT": uid3 + 1, "UIDVALIDITY": uidvalidity})

    # --- SEARCH (before any flag changes) -------------------------------------
    big = max(len(MSG1), len(MSG3))
    for name, criteria, want in [
        ("ALL", ("ALL",), [1, 2, 3]),
        ("SEEN", ("SEEN",), [1]),
        ("UNSEEN", ("UNSEEN",), [2, 3]),
        ("FLAGGED", ("FLAGGED",), [2]),
        ("KEYWORD $Important", ("KEYWORD", "$Important"), [2]),
        ("UNKEYWORD $Important", ("UNKEYWORD", "$Important"), [1, 3]),
        ("FROM bob", ("FROM", "bob"), [3]),
        ("TO bob", ("TO", "bob"), [1, 2]),
        ("SUBJECT hello (case-insensitive)", ("SUBJECT", "hello"), [1]),
        ("BODY quarterly", ("BODY", "quarterly"), [3]),
        ('TEXT "first message"', ("TEXT", '"first message"'), [1]),
        ("HEADER Message-ID", ("HEADER", "Message-ID", "<m3@example.org>"), [3]),
        ('HEADER In-Reply-To ""', ("HEADER", "In-Reply-To", '""'), [3]),
        ("BEFORE 1-Jan-2021", ("BEFORE", "1-Jan-2021"), [1]),
        ("SINCE 1-Jan-2022", ("SINCE", "1-Jan-2022"), [2, 3]),
        ("ON 15-Jun-2022", ("ON", "15-Jun-2022"), [2]),
        ("SENTBEFORE 2-Jan-2024", ("SENTBEFORE", "2-Jan-2024"), [1]),
        ("SENTON 2-Jan-2024", ("SENTON", "2-Jan-2024"), [2]),
        ("SENTSINCE 3-Jan-2024", ("SENTSINCE", "3-Jan-2024"), [3]),
        ("LARGER", ("LARGER", str(big)), [2]),
        ("SMALLER", ("SMALLER", str(len(MSG1) + 1)), sorted(i for i, m in ((1, MSG1), (3, MSG3)) if len(m) <= len(MSG1))),
        ("OR FROM bob SUBJECT hello", ("OR", "FROM", "bob", "SUBJECT", "hello"), [1, 3]),
        ("NOT SEEN", ("NOT", "SEEN"), [2, 3]),
        ("FLAGGED UNSEEN (AND)", ("FLAGGED", "UNSEEN"), [2]),
        ("(OR SEEN FLAGGED) 2:*", ("(OR SEEN FLAGGED)", "2:*"), [2]),
        ("sequence set 2:*", ("2:*",), [2, 3]),
        ("UID set", ("UID", "%d,%d" % (uid1, uid3)), [1, 3]),
        ("DELETED (none)", ("DELETED",), []),
        ("NEW", ("NEW",), None),  # session-dependent (\Recent); only needs to parse
    ]:
        typ, got = search(M, *criteria)
        if want is None:
            check("SEARCH " + name + " is OK", typ, "OK")
        else:
            check("SEARCH " + name, (typ, got), ("OK", want))
    check("SEARCH CHARSET US-ASCII SUBJECT hello", search(M, "SUBJECT", "hello", charset="US-ASCII"), ("OK", [1]))
    # Non-ASCII strings are sent as literals with CHARSET UTF-8; RFC 3501
    # §6.4.4 and RFC 9051 §6.4.4: MIME header encodings and
    # content-transfer-encodings MUST be decoded before comparing.
    check("SEARCH CHARSET UTF-8 SUBJECT Grüße (RFC 2047 subject)",
          search(M, "SUBJECT", charset="UTF-8", literal="Grüße".encode()), ("OK", [2]))
    check("SEARCH CHARSET UTF-8 FROM Jürgen (RFC 2047 display name)",
          search(M, "FROM", charset="UTF-8", literal="Jürgen".encode()), ("OK", [2]))
    check("SEARCH CHARSET UTF-8 BODY Köln (quoted-printable body)",
          search(M, "BODY", charset="UTF-8", literal="Köln".encode()), ("OK", [2]))
    check("SEARCH CHARSET UTF-8 TEXT grüsse (no match: ß is not ss)",
          search(M, "TEXT", charset="UTF-8", literal="grüsse".encode()), ("OK", []))
    typ, _ = search(M, "SUBJECT", "x", charset="X-NO-SUCH-CHARSET")
    check("SEARCH CHARSET unknown is NO (RFC 3501 §6.4.4)", typ, "NO")
    check_true("SEARCH CHARSET unknown has BADCHARSET", "BADCHARSET" in M.untagged_responses,
               repr(M.untagged_responses))
    M.response("BADCHARSET")

    # --- SORT, THREAD (RFC 5256), SORT=DISPLAY (RFC 5957) -------------------
    by_size = [n for _, n in sorted([(len(MSG1), 1), (len(MSG2), 2), (len(MSG3), 3)])]
    for crit, want in [
        ("(DATE)", [1, 2, 3]),
        ("(REVERSE DATE)", [3, 2, 1]),
        ("(REVERSE ARRIVAL)", [3, 2, 1]),
        ("(SUBJECT)", [2, 1, 3]),  # "Grüße aus Köln" (decoded) < "Hello world" < "Meeting notes"
        ("(FROM)", [1, 3, 2]),  # alice, bob, juergen
        ("(TO)", [2, 3, 1]),  # alice, alice (ties by sequence number), bob
        ("(DISPLAYFROM)", [1, 3, 2]),  # "Alice Example", "Bob", "Jürgen Müller"
        ("(SIZE)", by_size),
        ("(REVERSE SIZE)", by_size[::-1]),
    ]:
        typ, data = M.sort(crit, "UTF-8", "ALL")
        check("SORT " + crit, (typ, nums(data)), ("OK", want))
    typ, data = M.sort("(DATE)", "UTF-8", "UNSEEN")
    check("SORT (DATE) UNSEEN", (typ, nums(data)), ("OK", [2, 3]))
    check("THREAD REFERENCES (3 answers 1)", M.thread("REFERENCES", "UTF-8", "ALL"), ("OK", [b"(1 3)(2)"]))
    check("THREAD ORDEREDSUBJECT", M.thread("ORDEREDSUBJECT", "UTF-8", "ALL"), ("OK", [b"(1)(2)(3)"]))

    # --- SUBSCRIBE, LSUB, NAMESPACE, CHECK -------------------------------------
    expect_ok("SUBSCRIBE Archive", M.subscribe("Archive"))
    data = expect_ok("LSUB", M.lsub())
    check_true("LSUB has Archive", "Archive" in [b[2] for b in parse_list(data)], repr(data))
    expect_ok("UNSUBSCRIBE Archive", M.unsubscribe("Archive"))
    data = expect_ok("LSUB after UNSUBSCRIBE", M.lsub())
    check_true("LSUB lacks Archive", "Archive" not in [b[2] for b in parse_list(data)], repr(data))
    data = expect_ok("NAMESPACE", M.namespace())
    p = Parser(data[0])
    personal = p.value()
    check("NAMESPACE personal (RFC 2342)", personal, [[b"", delim.encode()]])
    expect_ok("CHECK", M.check())

    # --- FETCH -------------------------------------------------------------
    data = expect_ok("FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE UID)",
                     M.fetch("1", "(FLAGS INTERNALDATE RFC822.SIZE UID)"))
    f = parse_fetch(data)[1]
    check("FETCH 1 FLAGS", flags_of(f["FLAGS"]), {"\\Seen"})
    check("FETCH 1 INTERNALDATE (APPEND date)", instant(f["INTERNALDATE"]), instant(b"01-Jan-2020 10:00:00 +0000"))
    check("FETCH 1 RFC822.SIZE", f["RFC822.SIZE"], len(MSG1))
    check("FETCH 1 UID", f["UID"], uid1)
    check("FETCH 2 INTERNALDATE (another zone)",
          instant(parse_fetch(M.fetch("2", "INTERNALDATE")[1])[2]["INTERNALDATE"]),
          instant(b"15-Jun-2022 12:30:00 +0200"))
    f = parse_fetch(M.fetch("2", "(FLAGS)")[1])[2]
    check("FETCH 2 FLAGS (APPEND flags)", flags_of(f["FLAGS"]), {"\\Flagged", "$Important"})

    data = expect_ok("FETCH 1 ENVELOPE", M.fetch("1", "(ENVELOPE)"))
    env = parse_fetch(data)[1]["ENVELOPE"]
    check("ENVELOPE 1", env, [
        b"Mon, 01 Jan 2024 12:00:00 +0000", b"Hello world",
        [[b"Alice Example", None, b"alice", b"example.com"]],
        [[b"Alice Example", None, b"alice", b"example.com"]],  # sender defaults to from
        [[b"Alice Example", None, b"alice", b"example.com"]],  # reply-to defaults to from
        [[b"Bob", None, b"bob", b"example.org"]],
        None, None, None, b"<m1@example.com>",
    ])
    env = parse_fetch(M.fetch("2", "(ENVELOPE)")[1])[2]["ENVELOPE"]
    check("ENVELOPE 2 subject is sent undecoded", env[1], b"=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=")
    check("ENVELOPE 2 from", env[2], [[b"=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=", None, b"juergen", b"example.de"]])
    check("ENVELOPE 2 to", env[5], [[b"Alice", None, b"alice", b"example.com"], [None, None, b"bob", b"example.org"]])
    check("ENVELOPE 2 cc is a group (RFC 3501 §7.4.2)", env[6],
          [[None, None, b"undisclosed-recipients", None], [None, None, None, None]])
    env = parse_fetch(M.fetch("3", "(ENVELOPE)")[1])[3]["ENVELOPE"]
    check("ENVELOPE 3 in-reply-to", env[8], b"<m1@example.com>")

    data = expect_ok("FETCH 2 BODYSTRUCTURE", M.fetch("2", "(BODYSTRUCTURE)"))
    bs = parse_fetch(data)[2]["BODYSTRUCTURE"]
    check_true("BODYSTRUCTURE 2 is multipart with two parts",
               isinstance(bs, list) and isinstance(bs[0], list) and isinstance(bs[1], list) and isinstance(bs[2], bytes),
               repr(bs))
    check("BODYSTRUCTURE 2 subtype", lower(bs[2]), b"mixed")
    check("BODYSTRUCTURE 2 params", params(bs[3]), {b"boundary": b"b1"})
    p1, p2 = bs[0], bs[1]
    check("BODYSTRUCTURE 2.1 type", (lower(p1[0]), lower(p1[1])), (b"text", b"plain"))
    check("BODYSTRUCTURE 2.1 params", params(p1[2]), {b"charset": b"utf-8"})
    check("BODYSTRUCTURE 2.1 id, description", (p1[3], p1[4]), (None, None))
    check("BODYSTRUCTURE 2.1 encoding", lower(p1[5]), b"quoted-printable")
    check("BODYSTRUCTURE 2.1 size", p1[6], len(M2_TEXT))
    check("BODYSTRUCTURE 2.1 lines", p1[7], M2_TEXT.count(b"\n"))
    check("BODYSTRUCTURE 2.2 type", (lower(p2[0]), lower(p2[1])), (b"application", b"octet-stream"))
    check("BODYSTRUCTURE 2.2 params", params(p2[2]), {b"name": b"data.bin"})
    check("BODYSTRUCTURE 2.2 encoding", lower(p2[5]), b"base64")
    check("BODYSTRUCTURE 2.2 size", p2[6], len(M2_DATA))
    # body-ext-1part after the size (no lines: not text): md5, disposition.
    check("BODYSTRUCTURE 2.2 disposition", (lower(p2[8][0]), params(p2[8][1])), (b"attachment", {b"filename": b"data.bin"}))
    data = expect_ok("FETCH 1 BODY (non-extensible)", M.fetch("1", "(BODY)"))
    b1 = parse_fetch(data)[1]["BODY"]
    body1 = MSG1.split(b"\r\n\r\n", 1)[1]
    check("BODY 1", [lower(x) for x in b1[:2]] + [{k: lower(v) for k, v in params(b1[2]).items()}] + b1[3:5] +
          [lower(b1[5])] + b1[6:], [b"text", b"plain", {b"charset": b"us-ascii"}, None, None, b"7bit",
                                    len(body1), body1.count(b"\n")])

    data = expect_ok("FETCH 1 BODY[]", M.fetch("1", "(BODY[])"))
    check("FETCH 1 BODY[] is the message", parse_fetch(data)[1]["BODY[]"], MSG1)
    hdr1, text1 = MSG1.split(b"\r\n\r\n", 1)
    data = expect_ok("FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT)", M.fetch("1", "(RFC822 RFC822.HEADER RFC822.TEXT)"))
    f = parse_fetch(data)[1]
    check("RFC822", f.get("RFC822"), MSG1)
    check("RFC822.HEADER", f.get("RFC822.HEADER"), hdr1 + b"\r\n\r\n")
    check("RFC822.TEXT", f.get("RFC822.TEXT"), text1)
    data = expect_ok("FETCH 1 BODY.PEEK[TEXT] BODY.PEEK[HEADER.FIELDS.NOT (Subject Date)]",
                     M.fetch("1", "(BODY.PEEK[TEXT] BODY.PEEK[HEADER.FIELDS.NOT (Subject Date)])"))
    f = parse_fetch(data)[1]
    check("BODY[TEXT]", f.get("BODY[TEXT]"), text1)
    key = [k for k in f if k.startswith("BODY[HEADER.FIELDS.NOT")]
    check("BODY[HEADER.FIELDS.NOT (Subject Date)]", f[key[0]] if len(key) == 1 else list(f),
          b"".join(l + b"\r\n" for l in hdr1.split(b"\r\n") if not l.startswith((b"Subject:", b"Date:"))) + b"\r\n")
    data = expect_ok("FETCH 3 BODY.PEEK[HEADER.FIELDS (SUBJECT)]", M.fetch("3", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    f = parse_fetch(data)[3]
    key = [k for k in f if k.startswith("BODY[HEADER.FIELDS")]
    check_true("BODY.PEEK answered as BODY[HEADER.FIELDS (SUBJECT)]", len(key) == 1, repr(list(f)))
    check("BODY[HEADER.FIELDS (SUBJECT)] value", f[key[0]], b"Subject: Meeting notes\r\n\r\n")
    check("BODY.PEEK did not set \\Seen", flags_of(parse_fetch(M.fetch("3", "FLAGS")[1])[3]["FLAGS"]), set())
    data = expect_ok("FETCH 3 BODY[HEADER]", M.fetch("3", "(BODY.PEEK[HEADER])"))
    check("BODY[HEADER] 3", parse_fetch(data)[3]["BODY[HEADER]"], MSG3.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n")
    data = expect_ok("FETCH 3 BODY[1]", M.fetch("3", "(BODY[1])"))
    f = parse_fetch(data)[3]
    check("BODY[1] of a single-part message is its body", f["BODY[1]"], MSG3.split(b"\r\n\r\n", 1)[1])
    check("BODY[1] set \\Seen (RFC 3501 §6.4.5)", flags_of(parse_fetch(M.fetch("3", "FLAGS")[1])[3]["FLAGS"]), {"\\Seen"})
    data = expect_ok("FETCH 2 BODY.PEEK[1] BODY.PEEK[2] BODY.PEEK[2.MIME]",
                     M.fetch("2", "(BODY.PEEK[1] BODY.PEEK[2] BODY.PEEK[2.MIME])"))
    f = parse_fetch(data)[2]
    check("BODY[1] of a multipart", f["BODY[1]"], M2_TEXT)
    check("BODY[2] (base64, undecoded)", f["BODY[2]"], M2_DATA)
    check("BODY[2.MIME]", f["BODY[2.MIME]"],
          b'Content-Type: application/octet-stream; name="data.bin"\r\n'
          b"Content-Transfer-Encoding: base64\r\n"
          b'Content-Disposition: attachment; filename="data.bin"\r\n\r\n')
    data = expect_ok("FETCH 2 BODY.PEEK[1]<0.10>", M.fetch("2", "(BODY.PEEK[1]<0.10>)"))
    f = parse_fetch(data)[2]
    check("partial answered as BODY[1]<0> (RFC 3501 §7.4.2)", list(f), ["BODY[1]<0>"])
    check("BODY[1]<0.10> value", f.get("BODY[1]<0>"), M2_TEXT[:10])
    data = expect_ok("FETCH 2 BODY.PEEK[1]<30.1000>", M.fetch("2", "(BODY.PEEK[1]<30.1000>)"))
    check("partial past the end is truncated", parse_fetch(data)[2].get("BODY[1]<30>"), M2_TEXT[30:])
    check("FETCH 2 still unseen after PEEKs", flags_of(parse_fetch(M.fetch("2", "FLAGS")[1])[2]["FLAGS"]),
          {"\\Flagged", "$Important"})
    data = expect_ok("FETCH 1:3 (UID RFC822.SIZE)", M.fetch("1:3", "(UID RFC822.SIZE)"))
    f = parse_fetch(data)
    check("FETCH 1:3", {s: (v["UID"], v["RFC822.SIZE"]) for s, v in f.items()},
          {1: (uid1, len(MSG1)), 2: (uid2, len(MSG2)), 3: (uid3, len(MSG3))})
    check("FETCH a missing part is OK with empty or NO",
          M.fetch("1", "(BODY.PEEK[5])")[0] in ("OK", "NO"), True)

    # --- STORE -------------------------------------------------------------
    data = expect_ok("STORE 1 +FLAGS (\\Answered)", M.store("1", "+FLAGS", "(\\Answered)"))
    check("STORE +FLAGS answers FETCH FLAGS", flags_of(parse_fetch(data)[1]["FLAGS"]), {"\\Seen", "\\Answered"})
    data = expect_ok("STORE 1 -FLAGS (\\Seen)", M.store("1", "-FLAGS", "(\\Seen)"))
    check("STORE -FLAGS answers FETCH FLAGS", flags_of(parse_fetch(data)[1]["FLAGS"]), {"\\Answered"})
    data = expect_ok("STORE 1 +FLAGS.SILENT (\\Flagged)", M.store("1", "+FLAGS.SILENT", "(\\Flagged)"))
    check("STORE .SILENT sends no FETCH (RFC 3501 §6.4.6)", data, [None])
    check("FLAGS after the silent STORE", flags_of(parse_fetch(M.fetch("1", "FLAGS")[1])[1]["FLAGS"]),
          {"\\Answered", "\\Flagged"})
    data = expect_ok("STORE 1 FLAGS (replace)", M.store("1", "FLAGS", "(\\Draft custom1)"))
    check("STORE FLAGS replaces", flags_of(parse_fetch(data)[1]["FLAGS"]), {"\\Draft", "custom1"})
    data = expect_ok("STORE 1:2 +FLAGS (\\Seen)", M.store("1:2", "+FLAGS", "(\\Seen)"))
    check("STORE on a range answers for each", sorted(parse_fetch(data)), [1, 2])
    check("SEARCH KEYWORD custom1 (new keyword)", search(M, "KEYWORD", "custom1"), ("OK", [1]))

    # --- UID commands ----------------------------------------------------------
    check("UID SEARCH ALL", uid_search(M, "ALL"), ("OK", [uid1, uid2, uid3]))
    check("UID SEARCH UID range", uid_search(M, "UID", "%d:*" % uid2), ("OK", [uid2, uid3]))
    check("UID SEARCH FLAGGED", uid_search(M, "FLAGGED"), ("OK", [uid2]))
    data = expect_ok("UID FETCH", M.uid("FETCH", "%d:%d" % (uid2, uid3), "(FLAGS)"))
    f = parse_fetch(data)
    check("UID FETCH returns UID (RFC 3501 §6.4.8)", {s: v.get("UID") for s, v in f.items()}, {2: uid2, 3: uid3})
    data = expect_ok("UID FETCH * (highest)", M.uid("FETCH", "*", "(UID)"))
    check("UID FETCH *", [v["UID"] for v in parse_fetch(data).values()], [uid3])
    data = expect_ok("UID FETCH of a missing UID", M.uid("FETCH", "%d" % (uid3 + 100), "(FLAGS)"))
    check("UID FETCH of a missing UID returns nothing", data, [None])
    data = expect_ok("UID STORE +FLAGS", M.uid("STORE", str(uid3), "+FLAGS", "(\\Flagged)"))
    f = parse_fetch(data)
    check("UID STORE answers with UID and FLAGS", (list(f), f[3].get("UID"), flags_of(f[3]["FLAGS"])),
          ([3], uid3, {"\\Seen", "\\Flagged"}))
    data = expect_ok("UID STORE -FLAGS.SILENT", M.uid("STORE", str(uid3), "-FLAGS.SILENT", "(\\Flagged)"))
    check("UID STORE .SILENT", data, [None])

    # --- COPY, MOVE, EXPUNGE -------------------------------------------------
    typ, data = M.copy("1", "Archive")
    check("COPY 1 Archive", typ, "OK")
    m = re.search(rb"\[COPYUID (\d+) (\S+) (\S+)\]", data[0])
    check_true("COPY has COPYUID (RFC 4315)", m is not None, repr(data))
    check("COPYUID source UID", int(m.group(2)), uid1)
    M.response("COPYUID")
    check("COPY to a missing mailbox is NO", M.copy("1", "NoSuchBox")[0], "NO")
    check_true("... with TRYCREATE", "TRYCREATE" in M.untagged_responses, repr(M.untagged_responses))
    M.response("TRYCREATE")
    expect_ok("MOVE 2 Archive", M._simple_command("MOVE", "2", "Archive"))
    check("MOVE sends EXPUNGE 2 (RFC 6851)", nums(M.response("EXPUNGE")[1]), [2])
    typ, cu = M.response("COPYUID")
    check_true("MOVE sends COPYUID", cu != [None] and cu[-1].split()[1] == str(uid2).encode(), repr(cu))
    check("INBOX after MOVE", uid_search(M, "ALL"), ("OK", [uid1, uid3]))
    M.response("EXISTS")
    data = expect_ok("UID MOVE back", M.uid("MOVE", str(uid1), "Archive"))
    check("UID MOVE sends EXPUNGE 1", nums(M.response("EXPUNGE")[1]), [1])
    check("INBOX after UID MOVE", uid_search(M, "ALL"), ("OK", [uid3]))
    data = expect_ok("STATUS Archive", M.status("Archive", "(MESSAGES)"))
    check("Archive holds the copy and the moved ones", data[0].endswith(b"(MESSAGES 3)"), True)

    data = expect_ok("STORE 1 +FLAGS (\\Deleted)", M.store("1", "+FLAGS", "(\\Deleted)"))
    typ, data = M.expunge()
    check("EXPUNGE", (typ, nums(data)), ("OK", [1]))
    check("INBOX empty after EXPUNGE", search(M, "ALL"), ("OK", []))

    # A few more messages for UID EXPUNGE and CLOSE.
    uids = []
    for n in range(3):
        typ, data = M.append("INBOX", None, None, later(n))
        uids.append(int(re.search(rb"\[APPENDUID \d+ (\d+)\]", data[0]).group(1)))
    M.response("EXISTS")
    expect_ok("STORE 1:3 +FLAGS.SILENT (\\Deleted)", M.store("1:3", "+FLAGS.SILENT", "(\\Deleted)"))
    typ, data = M.uid("EXPUNGE", str(uids[1]))
    check("UID EXPUNGE (RFC 4315) removes only the given UID", (typ, nums(M.response("EXPUNGE")[1])), ("OK", [2]))
    check("the other \\Deleted messages stay", uid_search(M, "ALL"), ("OK", [uids[0], uids[2]]))
    expect_ok("STORE 2 -FLAGS.SILENT (\\Deleted)", M.store("2", "-FLAGS.SILENT", "(\\Deleted)"))
    expect_ok("CLOSE", M.close())
    check_true("CLOSE sends no EXPUNGE (RFC 3501 §6.4.2)", "EXPUNGE" not in M.untagged_responses,
               repr(M.untagged_responses))
    data = expect_ok("STATUS INBOX after CLOSE", M.status("INBOX", "(MESSAGES)"))
    check("CLOSE expunged the \\Deleted message", data[0].endswith(b"(MESSAGES 1)"), True)

    typ, data = M.append("Archive", None, None, later(5))
    check("APPEND an unseen message to Archive", typ, "OK")

    # --- EXAMINE -------------------------------------------------------------
    typ, data = M.select("Archive", readonly=True)
    check("EXAMINE Archive", (typ, data), ("OK", [b"4"]))
    check_true("EXAMINE is READ-ONLY", "READ-ONLY" in M.untagged_responses, repr(M.untagged_responses))
    data = expect_ok("FETCH BODY[] in the examined mailbox", M.fetch("1:*", "(UID FLAGS BODY[])"))
    f = parse_fetch(data)
    bodies = sorted(v["BODY[]"] for v in f.values())
    check("Archive holds the messages byte for byte", bodies, sorted([MSG1, MSG2, MSG1, later(5)]))
    data = expect_ok("FETCH FLAGS in the examined mailbox", M.fetch("4", "(FLAGS)"))
    check("EXAMINE: BODY[] did not set \\Seen (RFC 3501 §6.3.2)", flags_of(parse_fetch(data)[4]["FLAGS"]), set())
    check("STORE in an examined mailbox is NO", _status(lambda: M.store("1", "+FLAGS", "(\\Seen)")), "NO")
    expect_ok("CLOSE examined", M.close())

    # --- two connections ---------------------------------------------------
    M.select("INBOX")
    N = connect(host, port)
    expect_ok("second connection AUTHENTICATE PLAIN",
              N.authenticate("PLAIN", lambda _: ("\0%s\0%s" % (user, password)).encode()))
    typ, data = N.select("INBOX")
    check("second connection SELECT INBOX", (typ, data), ("OK", [b"1"]))
    N.response("EXISTS")

    typ, data = M.append("INBOX", None, None, later(10))
    check("first connection APPEND", typ, "OK")
    expect_ok("second connection NOOP", N.noop())
    check("NOOP shows the other connection's APPEND as EXISTS", N.response("EXISTS")[1], [b"2"])
    M.store("1", "+FLAGS.SILENT", "(\\Deleted)")
    typ, data = M.expunge()
    check("first connection EXPUNGE", (typ, nums(data)), ("OK", [1]))
    expect_ok("second connection NOOP again", N.noop())
    check("NOOP shows the other connection's EXPUNGE", nums(N.response("EXPUNGE")[1]), [1])
    check("the second connection sees one message", search(N, "ALL"), ("OK", [1]))

    # IDLE by hand (imaplib 3.11 has no idle()).
    N.send(b"I1 IDLE\r\n")
    line = N.readline()
    check_true("IDLE continuation", line.startswith(b"+"), repr(line))
    M.append("INBOX", None, None, later(11))
    line = _read_until(N, rb"^\* \d+ EXISTS")
    check("IDLE shows the other connection's APPEND", line, b"* 2 EXISTS")
    M.store("1", "+FLAGS.SILENT", "(\\Deleted)")
    M.expunge()
    line = _read_until(N, rb"^\* \d+ EXPUNGE")
    check("IDLE shows the other connection's EXPUNGE", line, b"* 1 EXPUNGE")
    N.send(b"DONE\r\n")
    line = _read_until(N, rb"^I1 ")
    check_true("IDLE ends with OK", line.startswith(b"I1 OK"), repr(line))
    check("after IDLE the second connection sees one message", search(N, "ALL"), ("OK", [1]))

    typ, data = N.logout()
    check("second connection LOGOUT", typ, "BYE")

    # --- UTF8=ACCEPT (RFC 6855) ----------------------------------------------
    # RFC 6855 §4 says an APPEND with 8-bit header bytes MUST get NO
    # without ENABLE UTF8=ACCEPT; mailaccess deliberately stores it (old
    # mail with raw 8-bit headers must survive a migration), so it is not
    # checked here.
    raw8 = "From: Jürgen <j@example.de>\r\nSubject: Grüße\r\n\r\nHallo\r\n".encode()
    U = connect(host, port)
    expect_ok("third connection LOGIN", U.login(user, password))
    typ, data = U.enable("UTF8=ACCEPT")
    check("ENABLE UTF8=ACCEPT", (typ, U.untagged_responses.get("ENABLED")), ("OK", [b"UTF8=ACCEPT"]))
    expect_ok('CREATE "Entwürfe" (UTF-8 quoted string)', U.create('"Entwürfe"'))
    data = expect_ok("LIST Entw*", U.list('""', "Entw*"))
    check("LIST returns the UTF-8 name (RFC 6855 §3)", [b[2] for b in parse_list(data)], ["Entwürfe"])
    check("the UTF-8 name is the modified UTF-7 one (RFC 3501 §5.1.3)",
          [b[2] for b in parse_list(M.list('""', "Entw*")[1])], ["Entw&APw-rfe"])
    # APPEND's UTF8 data extension (imaplib 3.11 sends it wrongly, inside
    # the literal, so by hand): utf8-literal = "UTF8" SP "(" literal8 ")".
    U.send(b'U1 APPEND "Entw\xc3\xbcrfe" UTF8 (~{%d+}\r\n' % len(raw8) + raw8 + b")\r\n")
    line = _read_until(U, rb"^U1 ")
    check_true("APPEND UTF8 (~{n+}...) (RFC 6855 §4)", line.startswith(b"U1 OK"), repr(line))
    if not line.startswith(b"U1 OK"):
        # A known bug: go on with a plain literal.
        U.send(b'U2 APPEND "Entw\xc3\xbcrfe" {%d+}\r\n' % len(raw8) + raw8 + b"\r\n")
        line = _read_until(U, rb"^U2 ")
        check_true("APPEND of the 8-bit message as a plain literal", line.startswith(b"U2 OK"), repr(line))
    typ, data = U.select('"Entwürfe"')
    check("SELECT the UTF-8 name", (typ, data), ("OK", [b"1"]))
    data = expect_ok("FETCH the UTF-8 message", U.fetch("1", "(ENVELOPE BODY.PEEK[])"))
    f = parse_fetch(data)[1]
    check("BODY[] of the UTF-8 message", f["BODY[]"], raw8)
    check("ENVELOPE subject in UTF-8", f["ENVELOPE"][1], "Grüße".encode())
    check("SEARCH SUBJECT in a UTF-8 quoted string", search(U, "SUBJECT", '"grüße"'), ("OK", [1]))
    # RFC 6855 §3: SHOULD be BAD, "due to the conflicting charset labels";
    # the server lets CHARSET UTF-8 through (no conflict, as RFC 9051 allows).
    check("SEARCH CHARSET ISO-8859-1 after ENABLE UTF8=ACCEPT is BAD (RFC 6855 §3)",
          _status(lambda: U._simple_command("SEARCH", "CHARSET", "ISO-8859-1", "ALL")), "BAD")
    check("invalid UTF-8 in a quoted string is BAD (RFC 6855 §3)",
          _status(lambda: U._simple_command("SEARCH", "SUBJECT", b'"\xff\xfe"')), "BAD")
    expect_ok("CLOSE", U.close())
    expect_ok('DELETE "Entwürfe"', U.delete('"Entwürfe"'))
    typ, data = U.logout()
    check("third connection LOGOUT", typ, "BYE")
    typ, data = M.logout()
    check("LOGOUT", typ, "BYE")
    print("all checks passed", flush=True)


def _status(f):
    """Runs f and returns its status: "BAD" when imaplib raised for a BAD
    answer, "error" when it raised for something else."""
    try:
        return f()[0]
    except imaplib.IMAP4.abort:
        return "error"
    except imaplib.IMAP4.error as e:
        return "BAD" if " command error: BAD " in str(e) else "error"


def _read_until(conn, pattern):
    """Reads lines from conn up to one matching pattern (printing the
    others); IDLE's untagged responses are read by hand."""
    while True:
        line = conn.readline()
        if not line:
            raise CheckFailed("connection closed waiting for %r" % pattern)
        line = line.rstrip(b"\r\n")
        if re.match(pattern, line):
            return line
        print("     (IDLE also got %r)" % line, flush=True)


if __name__ == "__main__":
    for entry in filter(None, os.environ.get("IMAPLIB_KNOWN", "").split("\n")):
        name, _, ref = entry.partition("\t")
        KNOWN[name] = ref
    start = time.monotonic()
    try:
        main()
    except CheckFailed as e:
        print("FAIL " + str(e), flush=True)
        sys.exit(1)
    except Exception as e:  # imaplib errors, parse errors, timeouts
        import traceback
        traceback.print_exc(file=sys.stdout)
        print("FAIL unexpected %s: %s" % (type(e).__name__, e), flush=True)
        sys.exit(1)
    finally:
        print("took %.2fs" % (time.monotonic() - start), flush=True)
