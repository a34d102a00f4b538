package imap

import (
	"reflect"
	"testing"
)

func TestCapSetHas(t *testing.T) {
	tests := []struct {
		set  CapSet
		has  []Cap
		lack []Cap
	}{
		{
			set:  CapSet{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN"},
			has:  []Cap{CapIMAP4rev1, "imap4REV1", CapStartTLS, "AUTH=PLAIN", "auth=plain"},
			lack: []Cap{CapIMAP4rev2, "AUTH", "AUTH=", CapIdle, "", "IMAP4"},
		},
		{
			// RFC 9051 Appendix E.
			set: CapSet{"IMAP4rev2"},
			has: []Cap{CapIMAP4rev2, CapNamespace, CapUnselect, CapUIDPlus, CapESearch,
				CapSearchRes, CapEnable, CapIdle, CapSASLIR, CapListStatus, CapMove,
				CapLiteralMinus, CapStatusSize, "idle", "status=size"},
			lack: []Cap{CapIMAP4rev1, CapBinary, CapListExtended, CapSpecialUse,
				CapCreateSpecialUse, CapLiteralPlus, CapCondStore, CapQResync, CapChildren},
		},
		{
			set:  CapSet{"imap4rev2"}, // announced in lower case
			has:  []Cap{CapMove, CapSearchRes},
			lack: []Cap{CapBinary},
		},
		{
			set:  CapSet{"IMAP4rev1", "QRESYNC"}, // RFC 7162 §3.2.3
			has:  []Cap{CapQResync, CapCondStore, CapEnable},
			lack: []Cap{CapIMAP4rev2},
		},
		{
			set:  CapSet{"CONDSTORE"},
			has:  []Cap{CapCondStore},
			lack: []Cap{CapQResync, CapEnable},
		},
		{
			set:  CapSet{"SEARCHRES"}, // RFC 5182 §2.1
			has:  []Cap{CapESearch},
			lack: []Cap{CapIMAP4rev2},
		},
		{
			set:  CapSet{"LITERAL+"}, // RFC 7888 §5
			has:  []Cap{CapLiteralPlus, CapLiteralMinus},
			lack: []Cap{},
		},
		{
			set:  CapSet{"LITERAL-"},
			has:  []Cap{CapLiteralMinus},
			lack: []Cap{CapLiteralPlus},
		},
		{
			set:  CapSet{"UTF8=ONLY"}, // RFC 6855 §3
			has:  []Cap{CapUTF8Only, CapUTF8Accept},
			lack: []Cap{"UTF8"},
		},
		{
			set:  CapSet{"UTF8=ACCEPT"},
			has:  []Cap{CapUTF8Accept},
			lack: []Cap{CapUTF8Only},
		},
		{
			set:  CapSet{"SORT=DISPLAY"}, // RFC 5957 §1, RFC 5256 §1
			has:  []Cap{CapSortDisplay, CapSort, "sort"},
			lack: []Cap{CapESort, "SORT=OTHER"},
		},
		{
			set:  CapSet{"SORT"},
			has:  []Cap{CapSort},
			lack: []Cap{CapSortDisplay, CapESort},
		},
		{
			set:  CapSet{"ESORT"}, // does not start with SORT
			has:  []Cap{CapESort},
			lack: []Cap{CapSort},
		},
		{
			set:  CapSet{"APPENDLIMIT=257890"}, // RFC 7889 §2
			has:  []Cap{CapAppendLimit, "APPENDLIMIT=257890"},
			lack: []Cap{"APPENDLIMIT=1"},
		},
		{
			set:  CapSet{"CREATE-SPECIAL-USE"}, // RFC 6154 §3: both must be announced
			has:  []Cap{CapCreateSpecialUse},
			lack: []Cap{CapSpecialUse},
		},
		{
			set:  CapSet{"METADATA"},
			has:  []Cap{CapMetadata},
			lack: []Cap{CapMetadataServer},
		},
		{
			set:  nil,
			lack: []Cap{CapIMAP4rev1, ""},
		},
	}
	for _, tt := range tests {
		for _, c := range tt.has {
			if !tt.set.Has(c) {
				t.Errorf("%v.Has(%q) = false", tt.set, c)
			}
		}
		for _, c := range tt.lack {
			if tt.set.Has(c) {
				t.Errorf("%v.Has(%q) = true", tt.set, c)
			}
		}
	}
}

func TestCapImplicationsClosed(t *testing.T) {
	// Has looks implications up one level deep, so the table must be
	// transitively closed.
	for _, imp := range capImplications {
		for _, to := range imp.to {
			for _, imp2 := range capImplications {
				if !asciiEqualFold(string(imp2.from), string(to)) {
					continue
				}
				for _, to2 := range imp2.to {
					if !(CapSet{imp.from}).Has(to2) {
						t.Errorf("%s implies %s implies %s, but Has misses it", imp.from, to, to2)
					}
				}
			}
			if asciiEqualFold(string(to), string(imp.from)) {
				t.Errorf("%s implies itself", to)
			}
		}
	}
}

func TestCapSetHasAllocs(t *testing.T) {
	s := CapSet{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN", "IMAP4rev2", "QRESYNC", "SORT=DISPLAY", "APPENDLIMIT=5"}
	n := testing.AllocsPerRun(100, func() {
		for _, c := range []Cap{CapMove, CapCondStore, CapSort, CapAppendLimit, CapBinary, "x"} {
			s.Has(c)
		}
		s.Advertised(CapMove)
	})
	if n != 0 {
		t.Errorf("Has allocates %v times", n)
	}
}

func TestCapSetAdvertisedAdd(t *testing.T) {
	s := CapSet{"IMAP4rev2", "QRESYNC"}
	if !s.Advertised("qresync") || s.Advertised(CapCondStore) || s.Advertised(CapMove) {
		t.Errorf("Advertised wrong")
	}
	s.Add("MOVE", "qresync", "IDLE", "MOVE")
	if want := (CapSet{"IMAP4rev2", "QRESYNC", "MOVE", "IDLE"}); !reflect.DeepEqual(s, want) {
		t.Errorf("Add = %v, want %v", s, want)
	}
	var empty CapSet
	empty.Add()
	if empty != nil {
		t.Errorf("Add() on nil made %#v", empty)
	}
	empty.Add(CapIMAP4rev1)
	if !empty.Has(CapIMAP4rev1) {
		t.Errorf("Add on nil set failed")
	}
}

func TestCapSetValues(t *testing.T) {
	s := CapSet{"IMAP4rev1", "AUTH=PLAIN", "auth=scram-sha-256", "AUTH=", "AUTH=PLAIN", "AUTHX=FOO",
		"THREAD=REFERENCES", "THREAD=orderedsubject", "COMPRESS=DEFLATE", "AUTH"}
	if got, want := s.AuthMechanisms(), []string{"PLAIN", "SCRAM-SHA-256"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AuthMechanisms = %v, want %v", got, want)
	}
	if got, want := s.ThreadAlgorithms(), []string{"REFERENCES", "ORDEREDSUBJECT"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ThreadAlgorithms = %v, want %v", got, want)
	}
	if got, want := s.CompressAlgorithms(), []string{"DEFLATE"}; !reflect.DeepEqual(got, want) {
		t.Errorf("CompressAlgorithms = %v, want %v", got, want)
	}
	if got := (CapSet{"IMAP4rev1"}).AuthMechanisms(); got != nil {
		t.Errorf("AuthMechanisms with none = %#v", got)
	}
}

func TestCapSetAppendLimit(t *testing.T) {
	tests := []struct {
		set CapSet
		n   uint64
		ok  bool
	}{
		{CapSet{"IMAP4rev1", "ID", "APPENDLIMIT=257890"}, 257890, true}, // RFC 7889 §2
		{CapSet{"appendlimit=5"}, 5, true},
		{CapSet{"APPENDLIMIT=0"}, 0, true},
		{CapSet{"APPENDLIMIT=18446744073709551615"}, 18446744073709551615, true},
		{CapSet{"APPENDLIMIT=18446744073709551616"}, 0, false},
		{CapSet{"APPENDLIMIT=99999999999999999999999"}, 0, false},
		{CapSet{"APPENDLIMIT"}, 0, false},
		{CapSet{"APPENDLIMIT="}, 0, false},
		{CapSet{"APPENDLIMIT=12a"}, 0, false},
		{CapSet{"APPENDLIMIT=-1", "APPENDLIMIT=7"}, 7, true},
		{nil, 0, false},
	}
	for _, tt := range tests {
		n, ok := tt.set.AppendLimit()
		if n != tt.n || ok != tt.ok {
			t.Errorf("%v.AppendLimit() = %d, %v; want %d, %v", tt.set, n, ok, tt.n, tt.ok)
		}
	}
	if !(CapSet{"APPENDLIMIT"}).Has(CapAppendLimit) {
		t.Errorf("bare APPENDLIMIT not found")
	}
}
