package pop3

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line   string
		mode   Mode
		want   Command
		errSub string
	}{
		{line: "USER mrose", want: Command{Name: "USER", Args: []string{"mrose"}}},
		{line: "user mrose", want: Command{Name: "USER", Args: []string{"mrose"}}},
		{line: "STAT", want: Command{Name: "STAT"}},
		{line: "TOP 1 10", mode: Strict, want: Command{Name: "TOP", Args: []string{"1", "10"}}},
		{line: "APOP mrose c4c9334bac560ecc979e58001b3e22fb", mode: Strict, want: Command{Name: "APOP", Args: []string{"mrose", "c4c9334bac560ecc979e58001b3e22fb"}}},
		// RFC 1939 §7: the password may hold spaces.
		{line: "PASS  secret with  spaces ", want: Command{Name: "PASS", Args: []string{" secret with  spaces "}}},
		{line: "PASS secret with  spaces ", want: Command{Name: "PASS", Args: []string{"secret with  spaces "}}},
		{line: "PASS secret with spaces", mode: Strict, want: Command{Name: "PASS", Args: []string{"secret with spaces"}}},
		{line: "  LIST   2  ", want: Command{Name: "LIST", Args: []string{"2"}}},
		{line: "LIST\t2", want: Command{Name: "LIST", Args: []string{"2"}}},
		{line: "XTND XMIT", want: Command{Name: "XTND", Args: []string{"XMIT"}}},
		{line: "AUTH PLAIN =", mode: Strict, want: Command{Name: "AUTH", Args: []string{"PLAIN", "="}}},
		{line: "LONGER", want: Command{Name: "LONGER"}},
		{line: "LONGER", mode: Strict, errSub: "keyword"},
		{line: "LIST  2", mode: Strict, errSub: "single spaces"},
		{line: "LIST 2 ", mode: Strict, errSub: "single spaces"},
		{line: "", errSub: "keyword"},
		{line: "   ", errSub: "keyword"},
		{line: "PASS", want: Command{Name: "PASS"}},
		{line: "PASS ", errSub: "PASS"},
		{line: "US\x00R a", errSub: "keyword"},
		{line: "USER a\x00b", errSub: "argument"},
		{line: "USER " + strings.Repeat("a", 300), mode: Strict, errSub: "octets"},
		{line: "USER " + strings.Repeat("a", 300), want: Command{Name: "USER", Args: []string{strings.Repeat("a", 300)}}},
	}
	for _, tt := range tests {
		got, err := ParseCommand([]byte(tt.line), tt.mode)
		if tt.errSub != "" {
			if err == nil || !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tt.errSub) {
				t.Errorf("ParseCommand(%q, %v) = %+v, %v; want error with %q", tt.line, tt.mode, got, err, tt.errSub)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCommand(%q, %v) = %+v, %v; want %+v", tt.line, tt.mode, got, err, tt.want)
		}
	}
}

func TestCommandAppendTo(t *testing.T) {
	good := []struct {
		c    Command
		want string
	}{
		{Command{Name: "STAT"}, "STAT\r\n"},
		{Command{Name: "TOP", Args: []string{"1", "10"}}, "TOP 1 10\r\n"},
		{Command{Name: "PASS", Args: []string{"with space"}}, "PASS with space\r\n"},
	}
	for _, tt := range good {
		b, err := tt.c.AppendTo(nil)
		if err != nil || string(b) != tt.want {
			t.Errorf("%+v.AppendTo = %q, %v; want %q", tt.c, b, err, tt.want)
		}
		back, err := ParseCommand(b[:len(b)-2], Strict)
		if err != nil || !reflect.DeepEqual(back, tt.c) {
			t.Errorf("round trip of %+v: %+v, %v", tt.c, back, err)
		}
	}
	bad := []Command{
		{},
		{Name: "TOOLONG"},
		{Name: "US R"},
		{Name: "USER", Args: []string{"a b"}},
		{Name: "USER", Args: []string{""}},
		{Name: "USER", Args: []string{"a\r\nDELE 1"}},
		{Name: "PASS", Args: []string{"x\nDELE 1"}},
	}
	for _, c := range bad {
		if b, err := c.AppendTo(nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v.AppendTo = %q, %v; want ErrInvalid", c, b, err)
		}
	}
}

func TestCommandStringRedacts(t *testing.T) {
	for _, c := range []Command{
		{Name: "PASS", Args: []string{"tanstaaf"}},
		{Name: "APOP", Args: []string{"mrose", "tanstaaf"}},
		{Name: "AUTH", Args: []string{"PLAIN", "tanstaaf"}},
	} {
		if s := c.String(); strings.Contains(s, "tanstaaf") {
			t.Errorf("%q shows the secret", s)
		}
	}
	if s := (Command{Name: "APOP", Args: []string{"mrose", "d"}}).String(); !strings.Contains(s, "mrose") {
		t.Errorf("%q hides the user name", s)
	}
}

func TestAllowed(t *testing.T) {
	for _, c := range []string{CmdUser, CmdPass, CmdAPOP, CmdAuth, CmdCapa, CmdSTLS, CmdQuit} {
		if !Allowed(Authorization, c) {
			t.Errorf("%s not allowed in AUTHORIZATION", c)
		}
	}
	for _, c := range []string{CmdStat, CmdList, CmdRetr, CmdDele, CmdNoop, CmdRset, CmdTop, CmdUIDL, CmdQuit, CmdCapa} {
		if !Allowed(Transaction, c) {
			t.Errorf("%s not allowed in TRANSACTION", c)
		}
	}
	for _, c := range []string{CmdRetr, CmdStat, CmdNoop} {
		if Allowed(Authorization, c) {
			t.Errorf("%s allowed in AUTHORIZATION", c)
		}
	}
	for _, c := range []string{CmdUser, CmdPass, CmdAuth, CmdSTLS, CmdAPOP} {
		if Allowed(Transaction, c) {
			t.Errorf("%s allowed in TRANSACTION", c)
		}
	}
	if Allowed(Update, CmdQuit) || Known("XTND") || !Known(CmdTop) {
		t.Error("Update/Known wrong")
	}
	if Authorization.String() != "AUTHORIZATION" || Transaction.String() != "TRANSACTION" || Update.String() != "UPDATE" {
		t.Error("State.String")
	}
}
