package mailstore

import (
	"errors"
	"slices"
	"testing"
)

func TestCanonicalMetadataName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/private/comment", "/private/comment"},
		{"/Shared/Comment", "/shared/comment"},
		{"/shared/vendor/example.com/a b", "/shared/vendor/example.com/a b"},
		{"/private", "/private"},
		{"/SHARED", "/shared"},
	} {
		if got, err := CanonicalMetadataName(c.in); err != nil || got != c.want {
			t.Errorf("CanonicalMetadataName(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{
		"", "private/comment", "/comment", "/privatex/a", "/private/", "/private//a", "/",
		"/private/a*", "/shared/50%", "/private/caf\u00e9", "/private/a\x00", "/private/a\x19", "/private/a\x1f", "/private/a\x7f",
	} {
		if _, err := CanonicalMetadataName(bad); !errors.Is(err, ErrInvalidMetadataName) {
			t.Errorf("CanonicalMetadataName(%q): %v, want ErrInvalidMetadataName", bad, err)
		}
	}
	if !IsMetadataScope("/private") || IsMetadataScope("/private/a") || !IsPrivateMetadata("/private/a") || IsPrivateMetadata("/shared/a") {
		t.Error("IsMetadataScope/IsPrivateMetadata")
	}
}

func TestMetadataUnder(t *testing.T) {
	for _, c := range []struct {
		name, entry string
		depth       int
		want        bool
	}{
		{"/a", "/a", 0, true},
		{"/a/b", "/a", 0, false},
		{"/a/b", "/a", 1, true},
		{"/a/b/c", "/a", 1, false},
		{"/a/b/c", "/a", 2, true},
		{"/a/b/c", "/a", MetadataDepthInfinity, true},
		{"/ab", "/a", MetadataDepthInfinity, false},
		{"/a", "/a/b", MetadataDepthInfinity, false},
		{"/private/filters/values/small", "/private/filters/values", 1, true},
	} {
		if got := MetadataUnder(c.name, c.entry, c.depth); got != c.want {
			t.Errorf("MetadataUnder(%q, %q, %d) = %v", c.name, c.entry, c.depth, got)
		}
	}
}

func TestRights(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"lrswipkxtean", "lrswipkxtean"},
		{"aeltr", "lrtea"},
		{"lrswida", "lrswitea"},   // RFC 4314 §2.1.1: d is e and t
		{"lrswikda", "lrswiktea"}, // k given alone stays k (§2.1.1 example)
		{"c", "kx"},
		{"llrr", "lr"},
	} {
		if got, err := CanonicalRights(c.in); err != nil || got != c.want {
			t.Errorf("CanonicalRights(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"lrQ", "lrq", "l r", "0", "+l", "\u00e9"} {
		if _, err := CanonicalRights(bad); !errors.Is(err, ErrInvalidRights) {
			t.Errorf("CanonicalRights(%q): %v, want ErrInvalidRights", bad, err)
		}
	}
	// RFC 4314 §3.1's example: Chris lrswi, then +cda.
	op, r := ParseRightsModification("+cda")
	if op != RightsAdd || r != "cda" {
		t.Fatalf("ParseRightsModification(+cda) = %v, %q", op, r)
	}
	if got, err := ApplyRights("lrswi", op, r); err != nil || got != "lrswikxtea" {
		t.Errorf("ApplyRights(lrswi, +cda) = %q, %v", got, err)
	}
	if op, r := ParseRightsModification("-d"); op != RightsRemove || r != "d" {
		t.Errorf("ParseRightsModification(-d) = %v, %q", op, r)
	} else if got, err := ApplyRights("lrswitea", op, r); err != nil || got != "lrswia" {
		t.Errorf("ApplyRights(lrswitea, -d) = %q, %v", got, err)
	}
	if op, r := ParseRightsModification("lr"); op != RightsReplace || r != "lr" {
		t.Errorf("ParseRightsModification(lr) = %v, %q", op, r)
	}
	if _, err := ApplyRights("lr", RightsAdd, "Z"); !errors.Is(err, ErrInvalidRights) {
		t.Errorf("ApplyRights(+Z): %v", err)
	}
	if got := WithObsoleteRights("lrswikxtea"); got != "lrswikxteacd" {
		t.Errorf("WithObsoleteRights = %q", got)
	}
	if got := WithObsoleteRights("lrs"); got != "lrs" {
		t.Errorf("WithObsoleteRights(lrs) = %q", got)
	}
}

func TestWithObsoleteListRights(t *testing.T) {
	for _, c := range []struct {
		req      string
		opt      []string
		wantReq  string
		wantOpts []string
	}{
		// RFC 4314 §2.1.1's last example (c=kx): "lr swte i p k x" gives
		// "lr swted i p k x c".
		{"", []string{"lr", "swte", "i", "p", "k", "x"}, "", []string{"lr", "swted", "i", "p", "k", "x", "c"}},
		{"", []string{"l", "r", "k", "x", "t", "e"}, "", []string{"l", "r", "k", "x", "t", "e", "c", "d"}},
		{"lrswipkxtean", nil, "lrswipkxteancd", nil},
		{"", []string{"l", "r"}, "", []string{"l", "r"}},
	} {
		req, opt := WithObsoleteListRights(c.req, c.opt)
		if req != c.wantReq || !slices.Equal(opt, c.wantOpts) {
			t.Errorf("WithObsoleteListRights(%q, %q) = %q, %q; want %q, %q", c.req, c.opt, req, opt, c.wantReq, c.wantOpts)
		}
	}
}

func TestMetadataTooLargeError(t *testing.T) {
	var err error = &MetadataTooLargeError{Name: "/private/a", Size: 2000, Max: 1024}
	if !errors.Is(err, ErrMetadataTooLarge) || errors.Is(err, ErrMetadataTooMany) {
		t.Error("errors.Is")
	}
	var te *MetadataTooLargeError
	if !errors.As(err, &te) || te.Max != 1024 {
		t.Error("errors.As")
	}
}
