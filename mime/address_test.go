package mime

import (
	"strings"
	"testing"
)

// envtAddressLists holds address-list values and the addresses Dovecot
// 2.3.19.1 put in ENVELOPE for "To: value" (recorded from the server):
// the examples of RFC 5322 §3.4 and Appendix A (A.1.2, A.1.3, A.2, A.5,
// A.6.1, A.6.3), the cc: line of RFC 3501 §8, comments as display names,
// quoting, obs-route, groups, and malformed values with Dovecot's
// placeholders.
var envtAddressLists = []struct {
	value, want string
}{
	{"John Doe <jdoe@machine.example>",
		`(("John Doe" NIL "jdoe" "machine.example"))`},
	{"\"Joe Q. Public\" <john.q.public@example.com>",
		`(("Joe Q. Public" NIL "john.q.public" "example.com"))`},
	{"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
		`(("Mary Smith" NIL "mary" "x.test")(NIL NIL "jdoe" "example.org")("Who?" NIL "one" "y.test"))`},
	{"<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
		`((NIL NIL "boss" "nil.test")("Giant; \"Big\" Box" NIL "sysservices" "example.net"))`},
	{"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
		`((NIL NIL "A Group" NIL)("Ed Jones" NIL "c" "a.test")(NIL NIL "joe" "where.test")("John" NIL "jdoe" "one.test")(NIL NIL NIL NIL))`},
	{"Undisclosed recipients:;",
		`((NIL NIL "Undisclosed recipients" NIL)(NIL NIL NIL NIL))`},
	{"\"Mary Smith: Personal Account\" <smith@home.example>",
		`(("Mary Smith: Personal Account" NIL "smith" "home.example"))`},
	{"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
		`(("Pete" NIL "pete" "silly.test"))`},
	{"A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
		`((NIL NIL "A Group" NIL)("Chris Jones" NIL "c" "public.example")(NIL NIL "joe" "example.org")("John" NIL "jdoe" "one.test")(NIL NIL NIL NIL))`},
	{"(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
		`((NIL NIL "Hidden recipients" NIL)(NIL NIL NIL NIL))`},
	{"Joe Q. Public <john.q.public@example.com>",
		`(("Joe Q. Public" NIL "john.q.public" "example.com"))`},
	{"Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
		`(("Mary Smith" "@node.test" "mary" "example.net")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "jdoe" "test.example"))`},
	{"John Doe <jdoe@machine(comment).  example>",
		`(("John Doe" NIL "jdoe" "machine.example"))`},
	{"Mary Smith\r\n  \r\n          <mary@example.net>",
		`(("Mary Smith" NIL "mary" "example.net"))`},
	{"minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>",
		`((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU"))`},
	{"jdoe@example.org (John Doe)",
		`(("John Doe" NIL "jdoe" "example.org"))`},
	{"jdoe@example.org (John) (Doe)",
		`(("Doe" NIL "jdoe" "example.org"))`},
	{"x@y (a (nested) one)",
		`(("a (nested) one" NIL "x" "y"))`},
	{"x@y (a\\\\)b)",
		`(("a\\" NIL "x" "y"))`},
	{"\"a b\"@example.com",
		`((NIL NIL "a b" "example.com"))`},
	{"\"a\\\"b\\\\c\"@example.com",
		`((NIL NIL "a\"b\\c" "example.com"))`},
	{"\"\"@x",
		`((NIL NIL "" "x"))`},
	{"=?utf-8?q?J=C3=B6rg?= <j@x>",
		`(("=?utf-8?q?J=C3=B6rg?=" NIL "j" "x"))`},
	{"\"=?utf-8?q?J=C3=B6rg?=\" <j@x>",
		`(("=?utf-8?q?J=C3=B6rg?=" NIL "j" "x"))`},
	{"\"Joe\" \"Q.\" Public <j@x>",
		`(("Joe Q. Public" NIL "j" "x"))`},
	{"<@a,@b:c@d>",
		`((NIL "@a,@b" "c" "d"))`},
	{"<@a,,@b:c@d>",
		`((NIL "@a,@b" "c" "d"))`},
	{"<@a b@c>",
		`((NIL "INVALID_ROUTE" "b" "c"))`},
	{"<@:x@y>",
		`((NIL "INVALID_ROUTE" "MISSING_MAILBOX" "SYNTAX_ERROR"))`},
	{"user",
		`((NIL NIL "user" "MISSING_DOMAIN"))`},
	{"\"quoted\"",
		`(("quoted" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
	{"John Smith",
		`(("John Smith" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
	{"a@",
		`((NIL NIL "a" "MISSING_DOMAIN"))`},
	{"@b",
		`((NIL NIL "MISSING_MAILBOX" "b"))`},
	{"<a@b",
		`((NIL NIL "a" "SYNTAX_ERROR"))`},
	{"<>",
		`((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
	{"a@b, garbage(",
		`((NIL NIL "a" "b")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
	{",a@b",
		`((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "a" "b"))`},
	{"a@b,,c@d",
		`((NIL NIL "a" "b")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "c" "d"))`},
	{"a@b,",
		`((NIL NIL "a" "b"))`},
	{"G: a@b",
		`((NIL NIL "G" NIL)(NIL NIL "a" "b")(NIL NIL NIL NIL))`},
	{"A:B:c@d;",
		`((NIL NIL "A" NIL)(NIL NIL "B" "MISSING_DOMAIN")(NIL NIL NIL NIL))`},
	{":;",
		`((NIL NIL "" NIL)(NIL NIL NIL NIL))`},
	{"G: a@b; c@d",
		`((NIL NIL "G" NIL)(NIL NIL "a" "b")(NIL NIL NIL NIL))`},
	{"G: a@b, (c) ;, x@y",
		`((NIL NIL "G" NIL)(NIL NIL "a" "b")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL NIL NIL)(NIL NIL "x" "y"))`},
	{"a.@b, .a@b, a..b@c, a.b.@c",
		`((NIL NIL "a." "b")(NIL NIL ".a" "b")(NIL NIL "a..b" "c")(NIL NIL "a.b." "c"))`},
	{"a@b., x@y",
		`((NIL NIL "a" "MISSING_DOMAIN")(NIL NIL "x" "y"))`},
	{"Müller <m@ü.test>",
		`(("Müller" NIL "m" "ü.test"))`},
	{"\xff@\xfe",
		`((NIL NIL "\xff" "\xfe"))`},
	{"\"a\x00b\"@c",
		`((NIL NIL "a�b" "c"))`},
	{"x <a@[1.2\\]3]>",
		`(("x" NIL "a" "[1.2\\]3]"))`},
	{"x <a@[IPv6:2001:db8::1]>",
		`(("x" NIL "a" "[IPv6:2001:db8::1]"))`},
	{"a@b c@d",
		`((NIL NIL "a" "b"))`},
	{"John <john@x> Doe <doe@y>",
		`(("John" NIL "john" "x"))`},
	{",",
		`((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
}

func TestParseAddressList(t *testing.T) {
	for _, tt := range envtAddressLists {
		if got := envtAddrs(ParseAddressList(tt.value)); got != tt.want {
			t.Errorf("ParseAddressList(%q):\ngot  %s\nwant %s", tt.value, got, tt.want)
		}
	}
}

// TestParseAddressListNone: values without any address give nil, which is
// NIL in ENVELOPE (RFC 3501 §7.4.2: "present but empty").
func TestParseAddressListNone(t *testing.T) {
	for _, v := range []string{"", " ", "\t \r\n ", "(comment)", " (a) (b (c)) ", "()", "(unclosed"} {
		if got := ParseAddressList(v); got != nil {
			t.Errorf("ParseAddressList(%q) = %s, want nil", v, envtAddrs(got))
		}
	}
}

// TestParseAddressListGroups checks the group markers of RFC 3501
// §7.4.2 through the imap.Address helpers.
func TestParseAddressListGroups(t *testing.T) {
	l := ParseAddressList("A Group:Ed Jones <c@a.test>,joe@where.test;, Undisclosed recipients:;, x@y")
	kinds := make([]string, len(l))
	for i, a := range l {
		switch {
		case a.IsGroupStart():
			kinds[i] = "start " + a.Mailbox.S
		case a.IsGroupEnd():
			kinds[i] = "end"
		default:
			kinds[i] = a.Addr()
		}
	}
	want := "start A Group|c@a.test|joe@where.test|end|start Undisclosed recipients|end|x@y"
	if got := strings.Join(kinds, "|"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestParseAddressListLinear: long malformed values are parsed in linear
// time (each unit repeated to 256 KiB).
// TestParseAddressListLong feeds long repetitive values of the shapes that
// make naive parsers quadratic; the parser is linear, so this finishes
// quickly (the test makes no timing assertion: a quadratic regression shows
// as a test timeout).
func TestParseAddressListLong(t *testing.T) {
	n := 1 << 16
	if testing.Short() {
		n = 1 << 12
	}
	for _, unit := range []string{"a,", "\"", "(", "a (", "<", "<@", "a:", "a:b,", "\"a\" ", ".", "@", "a@[", ",,", "a b "} {
		v := strings.Repeat(unit, n/len(unit))
		if got := ParseAddressList(v); len(got) > len(v)+2 {
			t.Errorf("ParseAddressList(%q x %d) gave %d addresses", unit, n/len(unit), len(got))
		}
	}
}

func BenchmarkParseAddressList(b *testing.B) {
	v := "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>, " +
		"\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>, A Group:Ed Jones <c@a.test>,joe@where.test;"
	b.ReportAllocs()
	for b.Loop() {
		ParseAddressList(v)
	}
}
