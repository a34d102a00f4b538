package wire

import (
	"bufio"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// Helpers shared by the response decoder's tests.

func rtDecoder(in string, opts *Options) *Decoder {
	return NewDecoder(bufio.NewReader(strings.NewReader(in)), opts)
}

// rtDecode decodes the first response of in.
func rtDecode(in string, opts *Options) (*Response, error) {
	var r Response
	err := rtDecoder(in, opts).ReadResponse(&r)
	return &r, err
}

var (
	rtLenient = &Options{Mode: Lenient}
	rtStrict  = &Options{Mode: Strict}
)

// rtEqual compares decoded values: a nil slice equals an empty one, and
// times are equal when they are the same instant with the same offset.
func rtEqual(a, b any) bool {
	return valueDiff("", reflect.ValueOf(a), reflect.ValueOf(b), true) == ""
}

// dump prints a value with its pointers followed and zero fields left out,
// for failure messages.
func rtDump(v any) string {
	var sb strings.Builder
	rtDumpValue(&sb, reflect.ValueOf(v), 0)
	return sb.String()
}

func rtDumpValue(sb *strings.Builder, v reflect.Value, depth int) {
	if depth > 20 {
		sb.WriteString("…")
		return
	}
	if !v.IsValid() {
		sb.WriteString("<nil>")
		return
	}
	if v.Type() == timeType {
		sb.WriteString(v.Interface().(time.Time).Format(time.RFC3339))
		return
	}
	if s, ok := v.Interface().(fmt.Stringer); ok && v.Kind() == reflect.Struct && v.Type().PkgPath() == "github.com/mailaccess/mailaccess/imap" && v.Type().Name() != "NString" {
		fmt.Fprintf(sb, "%s", s)
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			sb.WriteString("nil")
			return
		}
		if v.Kind() == reflect.Pointer {
			sb.WriteString("&")
		}
		rtDumpValue(sb, v.Elem(), depth+1)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(sb, "%q", v.Bytes())
			return
		}
		sb.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				sb.WriteString(" ")
			}
			rtDumpValue(sb, v.Index(i), depth+1)
		}
		sb.WriteString("]")
	case reflect.Struct:
		sb.WriteString("{")
		first := true
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !v.Type().Field(i).IsExported() || f.IsZero() {
				continue
			}
			if !first {
				sb.WriteString(" ")
			}
			first = false
			sb.WriteString(v.Type().Field(i).Name + ":")
			rtDumpValue(sb, f, depth+1)
		}
		sb.WriteString("}")
	case reflect.String:
		fmt.Fprintf(sb, "%q", v.String())
	default:
		fmt.Fprintf(sb, "%v", v.Interface())
	}
}

// Constructors for expected values.

func rtNstr(s string) imap.NString { return imap.Str(s) }

func rtUIDSet(t testing.TB, s string) imap.UIDSet {
	t.Helper()
	u, err := imap.ParseUIDSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func rtNumSet(t testing.TB, s string) imap.NumSet {
	t.Helper()
	n, err := imap.ParseNumSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func rtAddr(name, mailbox, host string) imap.Address {
	a := imap.Address{Mailbox: rtNstr(mailbox), Host: rtNstr(host)}
	if name != "" {
		a.Name = rtNstr(name)
	}
	return a
}

func rtZone(hours, minutes int) *time.Location {
	off := hours*3600 + minutes*60
	if hours < 0 {
		off = hours*3600 - minutes*60
	}
	return time.FixedZone("", off)
}
