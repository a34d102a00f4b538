package imap

import "testing"

func TestNewMetadataCode(t *testing.T) {
	for _, tc := range []struct {
		cond string
		n    uint32
		want ResponseCode
	}{
		{MetadataLongEntries, 2199, ResponseCode{Name: CodeMetadata, Strings: []string{MetadataLongEntries}, Num: 2199, Raw: "LONGENTRIES 2199"}},
		{MetadataMaxSize, 0, ResponseCode{Name: CodeMetadata, Strings: []string{MetadataMaxSize}, Raw: "MAXSIZE 0"}},
		{MetadataTooMany, 5, ResponseCode{Name: CodeMetadata, Strings: []string{MetadataTooMany}, Raw: "TOOMANY"}},
		{MetadataNoPrivate, 0, ResponseCode{Name: CodeMetadata, Strings: []string{MetadataNoPrivate}, Raw: "NOPRIVATE"}},
	} {
		got := NewMetadataCode(tc.cond, tc.n)
		if got.Name != tc.want.Name || got.Num != tc.want.Num || got.Raw != tc.want.Raw || len(got.Strings) != 1 || got.Strings[0] != tc.cond {
			t.Errorf("NewMetadataCode(%q, %d) = %+v", tc.cond, tc.n, got)
		}
	}
}

func TestFetchDataUIDFetch(t *testing.T) {
	f := &FetchData{Seq: 7, UIDFetch: true, Items: []FetchItem{{Kind: FetchFlags}}}
	if f.UID() != 7 {
		t.Errorf("UID of a UIDFETCH = %d", f.UID())
	}
	f.Items = append(f.Items, FetchItem{Kind: FetchUID, Num: 9})
	if f.UID() != 9 {
		t.Errorf("UID with a UID item = %d", f.UID())
	}
	if (&FetchData{Seq: 7}).UID() != 0 {
		t.Errorf("UID of a FETCH without UID item")
	}
}

func TestNotifyFilter(t *testing.T) {
	for f, want := range map[NotifyFilter][2]bool{
		NotifySelected: {false, true}, "selected-delayed": {false, true}, NotifySubtree: {true, false},
		"mailboxes": {true, false}, NotifyPersonal: {false, false}, NotifyInboxes: {false, false}, NotifySubscribed: {false, false},
	} {
		if f.TakesMailboxes() != want[0] || f.IsSelected() != want[1] {
			t.Errorf("%q: TakesMailboxes %v, IsSelected %v", f, f.TakesMailboxes(), f.IsSelected())
		}
	}
	if (&NotifyCommand{}).CommandName() != "NOTIFY" || (&ReplaceCommand{}).CommandName() != "REPLACE" {
		t.Errorf("CommandName")
	}
	if !(&StoreCommand{}).IsFlags() || (&StoreCommand{Item: "X-GM-LABELS"}).IsFlags() {
		t.Errorf("IsFlags")
	}
}
