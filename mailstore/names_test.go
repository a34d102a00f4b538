package mailstore

import (
	"errors"
	"slices"
	"testing"
)

func TestCanonicalName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"INBOX", "INBOX"}, {"inbox", "INBOX"}, {"InBox/a", "INBOX/a"}, {"a/b", "a/b"}, {"Entwürfe", "Entwürfe"}, {"inboxes", "inboxes"},
	} {
		if got, err := CanonicalName(c.in, '/', 0); err != nil || got != c.want {
			t.Errorf("CanonicalName(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "/a", "a/", "a//b", "a\x00b", "a\x7fb", "a\u0085b", "\xff", string(make([]byte, 1025))} {
		if _, err := CanonicalName(bad, '/', 0); !errors.Is(err, ErrInvalidName) {
			t.Errorf("CanonicalName(%q): %v, want ErrInvalidName", bad, err)
		}
	}
	if got := ParentNames("a.b.c", '.'); !slices.Equal(got, []string{"a", "a.b"}) {
		t.Errorf("ParentNames: %v", got)
	}
	if !IsInferior("a/b", "a", '/') || IsInferior("ab", "a", '/') || IsInferior("a", "a", '/') {
		t.Error("IsInferior")
	}
}
