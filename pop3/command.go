package pop3

import (
	"bytes"
	"fmt"
	"strings"
)

// Mode chooses how strictly lines are parsed.
type Mode int

const (
	// Lenient accepts what real peers send beyond the grammar (see the
	// package documentation). It is the zero value.
	Lenient Mode = iota
	// Strict rejects every deviation from RFC 1939 and RFC 2449 §3.
	Strict
)

// Line lengths of RFC 2449 §4, CRLF included.
const (
	maxCommand  = 255
	maxResponse = 512
)

// Command names (RFC 1939, RFC 2449, RFC 2595, RFC 5034, RFC 6856).
const (
	CmdUser = "USER"
	CmdPass = "PASS"
	CmdAPOP = "APOP"
	CmdAuth = "AUTH"
	CmdCapa = "CAPA"
	CmdSTLS = "STLS"
	CmdQuit = "QUIT"
	CmdStat = "STAT"
	CmdList = "LIST"
	CmdRetr = "RETR"
	CmdDele = "DELE"
	CmdNoop = "NOOP"
	CmdRset = "RSET"
	CmdTop  = "TOP"
	CmdUIDL = "UIDL"
	CmdUTF8 = "UTF8"
	CmdLang = "LANG"
)

// Command is a command line: a keyword and its arguments.
//
// PASS is special: RFC 1939 §7 gives it one argument, the password, which
// real clients send with any spaces it holds. ParseCommand therefore
// keeps everything after "PASS " as the one argument, and AppendTo writes
// it unchanged.
type Command struct {
	// Name is the keyword in upper case.
	Name string
	// Args are the arguments.
	Args []string
}

// AppendTo appends the command line, CRLF included, to b. It fails with
// ErrInvalid if the name is not 1 to 4 printable characters, or an
// argument is empty or holds a space (PASS excepted), CR, LF or NUL.
func (c Command) AppendTo(b []byte) ([]byte, error) {
	if c.Name == "" || len(c.Name) > 4 || !printable(c.Name) {
		return b, fmt.Errorf("%w: command name %q", ErrInvalid, c.Name)
	}
	pass := strings.EqualFold(c.Name, CmdPass)
	for _, a := range c.Args {
		if a == "" || !safeText(a) || !pass && strings.IndexByte(a, ' ') >= 0 {
			return b, fmt.Errorf("%w: %s argument %q", ErrInvalid, c.Name, a)
		}
	}
	b = append(b, c.Name...)
	for _, a := range c.Args {
		b = append(b, ' ')
		b = append(b, a...)
	}
	return append(b, "\r\n"...), nil
}

// String returns the command line without CRLF, the password of PASS and
// the arguments of APOP and AUTH replaced by "***", for logs.
func (c Command) String() string {
	var b strings.Builder
	b.WriteString(c.Name)
	for i, a := range c.Args {
		b.WriteByte(' ')
		switch {
		case c.Name == CmdPass, c.Name == CmdAPOP && i == 1, c.Name == CmdAuth && i == 1:
			b.WriteString("***")
		default:
			b.WriteString(a)
		}
	}
	return b.String()
}

// ParseCommand parses a command line without its line end. The keyword is
// returned in upper case (keywords are case-insensitive, RFC 1939 §3).
// Strict mode requires a keyword of 3 or 4 printable characters, single
// spaces, printable arguments and at most 253 octets (RFC 2449 §3, §4).
// Lenient mode accepts runs of spaces and tabs between arguments and
// around them (a password keeps all its spaces but the one separating it from PASS), and keywords of any
// length.
func ParseCommand(line []byte, mode Mode) (Command, error) {
	var c Command
	if mode == Strict {
		if len(line) > maxCommand-2 {
			return c, fmt.Errorf("%w: command of %d octets (RFC 2449 §4 allows 255 with CRLF)", ErrSyntax, len(line)+2)
		}
	} else {
		line = bytes.TrimLeft(line, " \t")
	}
	end := bytes.IndexAny(line, " \t")
	if end < 0 {
		end = len(line)
	}
	name := line[:end]
	if len(name) == 0 || !printable(string(name)) || mode == Strict && (len(name) < 3 || len(name) > 4) {
		return c, fmt.Errorf("%w: command keyword %q", ErrSyntax, clip(name))
	}
	c.Name = upperASCII(name)
	rest := line[end:]
	if len(rest) == 0 {
		return c, nil
	}
	if mode == Strict && rest[0] != ' ' {
		return c, fmt.Errorf("%w: tab in command line", ErrSyntax)
	}
	if c.Name == CmdPass {
		// RFC 1939 §7: the password may hold spaces, leading ones
		// included; keep everything after the separator.
		pw := rest[1:]
		if len(pw) == 0 || bytes.IndexByte(pw, 0) >= 0 {
			return c, fmt.Errorf("%w: PASS argument", ErrSyntax)
		}
		c.Args = []string{string(pw)}
		return c, nil
	}
	for len(rest) > 0 {
		if mode == Strict {
			if rest[0] != ' ' || len(rest) == 1 || rest[1] == ' ' {
				return c, fmt.Errorf("%w: arguments of %s must be separated by single spaces", ErrSyntax, c.Name)
			}
			rest = rest[1:]
		} else {
			if rest = bytes.TrimLeft(rest, " \t"); len(rest) == 0 {
				break
			}
		}
		end := bytes.IndexAny(rest, " \t")
		if end < 0 {
			end = len(rest)
		}
		arg := rest[:end]
		if mode == Strict && !printable(string(arg)) || bytes.IndexByte(arg, 0) >= 0 {
			return c, fmt.Errorf("%w: %s argument %q", ErrSyntax, c.Name, clip(arg))
		}
		c.Args = append(c.Args, string(arg))
		rest = rest[end:]
	}
	return c, nil
}

// printable reports whether s is non-empty printable ASCII (VCHAR).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return s != ""
}

// upperASCII upper-cases a keyword, returning the common names without
// allocating.
func upperASCII(b []byte) string {
	for _, n := range [...]string{CmdRetr, CmdList, CmdUIDL, CmdStat, CmdDele, CmdTop, CmdNoop, CmdQuit, CmdUser, CmdPass, CmdCapa} {
		if len(b) == len(n) && strings.EqualFold(string(b), n) {
			return n
		}
	}
	return strings.ToUpper(string(b))
}
