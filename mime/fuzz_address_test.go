package mime

import (
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
)

// envtFuzzSeeds are address-list values for the fuzz targets: the RFC
// examples and the malformed forms Dovecot has placeholders for.
var envtFuzzSeeds = []string{
	"",
	"John Doe <jdoe@machine.example>",
	`"Joe Q. Public" <john.q.public@example.com>`,
	"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
	`<boss@nil.test>, "Giant; \"Big\" Box" <sysservices@example.net>`,
	"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
	"Undisclosed recipients:;",
	`Pete(A nice \) chap) <pete(his account)@silly.test(his host)>`,
	"A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n" +
		"         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
	"(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;",
	"Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example",
	"John Doe <jdoe@machine(comment).  example>",
	"jdoe@example.org (John) (Doe)",
	`"a\"b"@example.com, ""@x`,
	"=?utf-8?q?J=C3=B6rg?= <j@x>",
	"<@a,,@b:c@d>, <@a b@c>, <@:x@y>",
	"user, \"quoted\", John Smith, a@, @b, <a@b",
	"<>, a@b, garbage(",
	",a@b,,c@d,",
	"A:B:c@d;, G: a@b",
	".a@b, a..b@c, a@b.",
	"x <a@[1.2\\]3]>, a@[x\x00y]",
	"\"a\x00b\" <x\x00@y>, (n\x00m) x@y",
	"\"a\rb\"@c, \"x\r\n y\"@z, g@h (i\r\n j)",
	"M\xc3\xbcller <m@\xc3\xbc.test>, \xff@\xfe",
}

// FuzzParseAddressList checks that ParseAddressList never panics and that
// its result keeps the shape RFC 3501 §7.4.2 gives address lists:
//
//   - group markers come in start/end pairs, not nested, none left open;
//   - every other address has a local part and a non-empty domain;
//   - display names are cleaned (no line breaks, TABs, doubled or outer
//     spaces);
//   - parsing is deterministic and the list is no longer than the input
//     allows;
//   - a list without placeholders, written back in canonical RFC 5322
//     form, parses to the same list.
func FuzzParseAddressList(f *testing.F) {
	for _, s := range envtFuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		l := ParseAddressList(v)
		if len(l) > 2*len(v)+2 {
			t.Fatalf("%d addresses from %d bytes", len(l), len(v))
		}
		if l != nil && len(l) == 0 {
			t.Fatalf("empty non-nil list")
		}
		inGroup := false
		for _, a := range l {
			switch {
			case a.IsGroupStart():
				if inGroup {
					t.Fatalf("nested group in %s", envtAddrs(l))
				}
				if a.Name.Valid || a.ADL.Valid {
					t.Fatalf("group start with name or route: %s", envtAddrs(l))
				}
				inGroup = true
			case a.IsGroupEnd():
				if !inGroup {
					t.Fatalf("group end without start in %s", envtAddrs(l))
				}
				if a.Name.Valid || a.ADL.Valid {
					t.Fatalf("group end with name or route: %s", envtAddrs(l))
				}
				inGroup = false
			default:
				if !a.Mailbox.Valid || a.Host.S == "" {
					t.Fatalf("address without local part or domain: %s", envtAddrs(l))
				}
			}
			if a.Name.Valid {
				n := a.Name.S
				if strings.ContainsAny(n, "\t\r\n") || strings.Contains(n, "  ") ||
					strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") {
					t.Fatalf("display name not cleaned: %q", n)
				}
			}
		}
		if inGroup {
			t.Fatalf("group left open in %s", envtAddrs(l))
		}
		if got, want := envtAddrs(ParseAddressList(v)), envtAddrs(l); got != want {
			t.Fatalf("not deterministic: %s then %s", want, got)
		}
		if canon, ok := envtCanonical(l); ok {
			if got, want := envtAddrs(ParseAddressList(canon)), envtAddrs(envtNoEmptyNames(l)); got != want {
				t.Fatalf("canonical form %q of %q parses to\n%s, want\n%s", canon, v, got, want)
			}
		}
	})
}

// FuzzEnvelopeFromHeader checks that EnvelopeFromHeader never panics and
// that Sender and Reply-To are never NIL while From is not (RFC 3501
// §7.4.2).
func FuzzEnvelopeFromHeader(f *testing.F) {
	for _, s := range envtFuzzSeeds {
		f.Add("From: " + s + "\r\nSubject: s\r\n")
	}
	for _, tt := range envtDovecot {
		f.Add(tt.header)
	}
	f.Fuzz(func(t *testing.T, header string) {
		h := ParseHeader([]byte(header))
		env := EnvelopeFromHeader(&h)
		if env.From != nil && (env.Sender == nil || env.ReplyTo == nil) {
			t.Fatalf("From without Sender or Reply-To: %s", envtEnvelope(env))
		}
		for _, s := range []imap.NString{env.Date, env.InReplyTo, env.MessageID, env.Subject} {
			if strings.ContainsAny(s.S, "\r\n\x00") {
				t.Fatalf("line break or NUL in %q", s.S)
			}
		}
	})
}

// envtCanonical writes an address list in RFC 5322 syntax: display names
// and group names as quoted strings, local parts as dot-atoms or quoted
// strings, routes and domains as parsed. It reports false for lists it
// cannot write faithfully: those with Dovecot's placeholders or control
// characters.
func envtCanonical(l []imap.Address) (string, bool) {
	var b strings.Builder
	first := true
	for _, a := range l {
		for _, s := range []string{a.Name.S, a.ADL.S, a.Mailbox.S, a.Host.S} {
			if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				return "", false
			}
		}
		switch {
		case a.IsGroupStart():
			if !first {
				b.WriteString(", ")
			}
			b.WriteString(envtQuote(a.Mailbox.S) + ": ")
			first = true
			continue
		case a.IsGroupEnd():
			b.WriteString(";")
			first = false
			continue
		}
		if a.Mailbox.S == missingMailbox || a.Host.S == missingDomain ||
			a.Host.S == syntaxError || a.ADL.S == invalidRoute {
			return "", false
		}
		// A domain literal is kept as sent, quoted-pairs included; one
		// that ends in a lone backslash (its pair was a folded line
		// break) has no canonical form to write back.
		if strings.HasPrefix(a.Host.S, "[") && strings.HasSuffix(strings.TrimSuffix(a.Host.S, "]"), `\`) {
			return "", false
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		if a.Name.S != "" {
			b.WriteString(envtQuote(a.Name.S) + " ")
		}
		b.WriteString("<")
		if a.ADL.Valid {
			b.WriteString(a.ADL.S + ":")
		}
		if envtIsDotAtom(a.Mailbox.S) {
			b.WriteString(a.Mailbox.S)
		} else {
			b.WriteString(envtQuote(a.Mailbox.S))
		}
		b.WriteString("@" + a.Host.S + ">")
	}
	return b.String(), true
}

// envtQuote writes s as an RFC 5322 quoted-string (§3.2.4).
func envtQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// envtIsDotAtom reports whether s is an RFC 5322 dot-atom-text (§3.2.3).
func envtIsDotAtom(s string) bool {
	if s == "" {
		return false
	}
	for _, w := range strings.Split(s, ".") {
		if w == "" {
			return false
		}
		for i := 0; i < len(w); i++ {
			if !addrAtext(w[i]) {
				return false
			}
		}
	}
	return true
}

// envtNoEmptyNames drops empty display names, which the canonical form
// cannot carry ("" <a@b> has no display name).
func envtNoEmptyNames(l []imap.Address) []imap.Address {
	out := append([]imap.Address(nil), l...)
	for i := range out {
		if out[i].Name.Valid && out[i].Name.S == "" {
			out[i].Name = imap.NString{}
		}
	}
	return out
}
