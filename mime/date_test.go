package mime

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		in     string
		want   time.Time // as an instant
		offset int       // zone offset in seconds of the result
	}{
		// RFC 5322 §3.3 and the examples of its Appendix A.
		{"Fri, 21 Nov 1997 09:55:06 -0600", utc(1997, 11, 21, 15, 55, 6), -6 * 3600},
		{"Tue, 1 Jul 2003 10:52:37 +0200", utc(2003, 7, 1, 8, 52, 37), 2 * 3600},
		{"Thu, 13 Feb 1969 23:32:54 -0330", utc(1969, 2, 14, 3, 2, 54), -(3*3600 + 30*60)},
		{"21 Nov 1997 09:55:06 -0600", utc(1997, 11, 21, 15, 55, 6), -6 * 3600},
		{"Fri, 21 Nov 1997 09:55:06 +0000", utc(1997, 11, 21, 9, 55, 6), 0},
		{"Fri, 21 Nov 1997 09:55:06 -0000", utc(1997, 11, 21, 9, 55, 6), 0},
		// RFC 5256 §2.2's example.
		{"31 Dec 2000 16:01:33 -0800", utc(2001, 1, 1, 0, 1, 33), -8 * 3600},

		// RFC 5322 §4.3 / Appendix A.6.3: comments and white space.
		{"Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)",
			utc(1969, 2, 14, 3, 2, 0), -(3*3600 + 30*60)},
		{"Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", utc(2003, 7, 1, 8, 52, 37), 2 * 3600},
		{"(x) Tue, (y) 1 (z) Jul 2003 10:52:37 +0200", utc(2003, 7, 1, 8, 52, 37), 2 * 3600},
		{"Tue, 1 Jul 2003 10:52:37 +0200 ((nested) comment \\) here)", utc(2003, 7, 1, 8, 52, 37), 2 * 3600},
		{"  Tue,   1   Jul   2003   10:52:37   +0200  ", utc(2003, 7, 1, 8, 52, 37), 2 * 3600},
		{"Tue,1 Jul 2003 10:52:37 +0200", utc(2003, 7, 1, 8, 52, 37), 2 * 3600},
		{"Tue, 1 Jul 2003 10:52:37 +0200 (unclosed", utc(2003, 7, 1, 8, 52, 37), 2 * 3600},

		// Obsolete years (RFC 5322 §4.3).
		{"21 Nov 97 09:55:06 GMT", utc(1997, 11, 21, 9, 55, 6), 0},
		{"1 Jan 00 00:00:00 GMT", utc(2000, 1, 1, 0, 0, 0), 0},
		{"1 Jan 49 00:00:00 GMT", utc(2049, 1, 1, 0, 0, 0), 0},
		{"1 Jan 50 00:00:00 GMT", utc(1950, 1, 1, 0, 0, 0), 0},
		{"1 Jan 103 00:00:00 GMT", utc(2003, 1, 1, 0, 0, 0), 0},

		// Obsolete zones.
		{"1 Jan 2000 12:00:00 UT", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 GMT", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 EST", utc(2000, 1, 1, 17, 0, 0), -5 * 3600},
		{"1 Jan 2000 12:00:00 EDT", utc(2000, 1, 1, 16, 0, 0), -4 * 3600},
		{"1 Jan 2000 12:00:00 CST", utc(2000, 1, 1, 18, 0, 0), -6 * 3600},
		{"1 Jan 2000 12:00:00 CDT", utc(2000, 1, 1, 17, 0, 0), -5 * 3600},
		{"1 Jan 2000 12:00:00 MST", utc(2000, 1, 1, 19, 0, 0), -7 * 3600},
		{"1 Jan 2000 12:00:00 MDT", utc(2000, 1, 1, 18, 0, 0), -6 * 3600},
		{"1 Jan 2000 12:00:00 PST", utc(2000, 1, 1, 20, 0, 0), -8 * 3600},
		{"1 Jan 2000 12:00:00 pdt", utc(2000, 1, 1, 19, 0, 0), -7 * 3600},
		// Military zones are "-0000" (RFC 5322 §4.3), as are unknown ones.
		{"1 Jan 2000 12:00:00 Z", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 A", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 y", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 CEST", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 +0100 CET", utc(2000, 1, 1, 11, 0, 0), 3600},
		{"1 Jan 2000 12:00:00 GMT+0100", utc(2000, 1, 1, 11, 0, 0), 3600},
		{"1 Jan 2000 12:00:00 UTC-5", utc(2000, 1, 1, 17, 0, 0), -5 * 3600},
		{"1 Jan 2000 12:00:00 +01:30", utc(2000, 1, 1, 10, 30, 0), 5400},
		{"1 Jan 2000 12:00:00 +01", utc(2000, 1, 1, 11, 0, 0), 3600},
		// Invalid zones are UTC (RFC 5256 §2.2).
		{"1 Jan 2000 12:00:00 +0175", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 +9900", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 +123456", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12:00:00 +", utc(2000, 1, 1, 12, 0, 0), 0},
		// No zone: UTC.
		{"1 Jan 2000 12:00:00", utc(2000, 1, 1, 12, 0, 0), 0},

		// Missing seconds, one-digit hour, leap second.
		{"Mon, 3 Jan 2005 7:05 +0100", utc(2005, 1, 3, 6, 5, 0), 3600},
		{"31 Dec 2016 23:59:60 +0000", utc(2017, 1, 1, 0, 0, 0), 0},
		{"1 Jan 2000 12:00:00.250 +0000", utc(2000, 1, 1, 12, 0, 0), 0},
		{"1 Jan 2000 12.30.15 +0000", utc(2000, 1, 1, 12, 30, 15), 0},
		// Invalid or missing time: 00:00:00 (RFC 5256 §2.2).
		{"1 Jan 2000 25:00:00 +0000", utc(2000, 1, 1, 0, 0, 0), 0},
		{"1 Jan 2000 12:61:00 +0000", utc(2000, 1, 1, 0, 0, 0), 0},
		{"1 Jan 2000 12:00:61 +0000", utc(2000, 1, 1, 0, 0, 0), 0},
		{"1 Jan 2000", utc(2000, 1, 1, 0, 0, 0), 0},
		{"1 Jan 2000 +0200", utc(1999, 12, 31, 22, 0, 0), 7200},

		// Day-of-week: optional, any case, full, and not checked.
		{"1 Jul 2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},
		{"Sun, 1 Jul 2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},
		{"TUESDAY, 1 Jul 2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},
		{"tue 1 Jul 2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},
		{"Thurs, 3 Jul 2003 10:52:37 +0000", utc(2003, 7, 3, 10, 52, 37), 0},
		{", 1 Jul 2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},

		// Month names, separators.
		{"01 jul 2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},
		{"1 JULY 2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},
		{"1 Sept 2003 10:52:37 +0000", utc(2003, 9, 1, 10, 52, 37), 0},
		{"1-Jul-2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},
		{"1 Jul, 2003 10:52:37 +0000", utc(2003, 7, 1, 10, 52, 37), 0},

		// asctime and ISO 8601.
		{"Tue Jul  1 10:52:37 2003", utc(2003, 7, 1, 10, 52, 37), 0},
		{"Tue Jul 1 10:52:37 CEST 2003", utc(2003, 7, 1, 10, 52, 37), 0},
		{"Tue Jul 1 10:52:37 2003 +0200", utc(2003, 7, 1, 8, 52, 37), 7200},
		{"Jul 1, 2003 10:52:37 -0700", utc(2003, 7, 1, 17, 52, 37), -7 * 3600},
		{"2003-07-01 10:52:37 +0200", utc(2003, 7, 1, 8, 52, 37), 7200},
		{"2003-07-01T10:52:37Z", utc(2003, 7, 1, 10, 52, 37), 0},
		{"2003-07-01", utc(2003, 7, 1, 0, 0, 0), 0},

		// Leap years.
		{"29 Feb 2000 00:00:00 +0000", utc(2000, 2, 29, 0, 0, 0), 0},
		{"29 Feb 2004 00:00:00 +0000", utc(2004, 2, 29, 0, 0, 0), 0},
	}
	for _, tt := range tests {
		got, ok := ParseDate(tt.in)
		if !ok {
			t.Errorf("ParseDate(%q) failed", tt.in)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v; want %v", tt.in, got, tt.want)
		}
		if _, off := got.Zone(); off != tt.offset {
			t.Errorf("ParseDate(%q) zone offset %d; want %d", tt.in, off, tt.offset)
		}
	}
}

// TestParseDateLocal: the result's calendar date is the date as written,
// not moved by the zone (what SEARCH SENTON compares, RFC 3501 §6.4.4).
func TestParseDateLocal(t *testing.T) {
	got, ok := ParseDate("Mon, 31 Dec 2012 23:30:00 -0800")
	if !ok {
		t.Fatal("failed")
	}
	if y, m, d := got.Date(); y != 2012 || m != time.December || d != 31 {
		t.Errorf("date %d-%d-%d; want 2012-12-31", y, m, d)
	}
	if y, m, d := got.UTC().Date(); y != 2013 || m != time.January || d != 1 {
		t.Errorf("UTC date %d-%d-%d; want 2013-01-01", y, m, d)
	}
}

func TestParseDateInvalid(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"(only a comment)",
		"garbage",
		"yesterday",
		"Tue,",
		"1 Jul",
		"Jul 2003",
		"1 Foo 2003 10:52:37 +0000",
		"32 Jan 2003 10:52:37 +0000",
		"0 Jan 2003 10:52:37 +0000",
		"31 Apr 2003 10:52:37 +0000",
		"29 Feb 1900 10:52:37 +0000",
		"29 Feb 2003 10:52:37 +0000",
		"1 Jan 7 10:52:37 +0000",     // one-digit year
		"1 Jan 12345 10:52:37 +0000", // five-digit year
		"100 Jan 2003",
		"1 Jan 10:52:37 +0000", // no year
		"10:52:37",
		"2003-13-01",
		"2003-07",
		"Jul",
		"Tue Jul 2003",
		"\x00\xff",
	} {
		if got, ok := ParseDate(in); ok {
			t.Errorf("ParseDate(%q) = %v; want failure", in, got)
		}
	}
}

func BenchmarkParseDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ParseDate("Tue, 1 Jul 2003 10:52:37 +0200 (CEST)")
	}
}
