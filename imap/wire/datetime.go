package wire

import (
	"time"
)

// This file parses the date and date-time of RFC 3501 §9 / RFC 9051 §9:
//
//	date            = date-text / DQUOTE date-text DQUOTE
//	date-text       = date-day "-" date-month "-" date-year
//	date-day        = 1*2DIGIT
//	date-day-fixed  = (SP DIGIT) / 2DIGIT
//	date-month      = "Jan" / "Feb" / ... / "Dec"   ; case-insensitive (ABNF)
//	date-year       = 4DIGIT
//	date-time       = DQUOTE date-day-fixed "-" date-month "-" date-year
//	                  SP time SP zone DQUOTE
//	time            = 2DIGIT ":" 2DIGIT ":" 2DIGIT
//	zone            = ("+" / "-") 4DIGIT
//
// Both are shared by the command decoder (SEARCH keys, APPEND) and the
// response decoder (INTERNALDATE, SAVEDATE).

// zoneCacheSize bounds the number of time.FixedZone values a Decoder keeps.
const zoneCacheSize = 8

// zoneCache caches *time.Location values by offset, so decoding many
// date-times in the same few zones allocates no Location each time. It
// belongs to one Decoder (no global mutable state).
type zoneCache struct {
	offs [zoneCacheSize]int32
	locs [zoneCacheSize]*time.Location
	n    int // entries in use
	next int // next slot to replace once full
}

// zone returns a fixed zone for the offset in seconds east of UTC; +0000
// is time.UTC.
func (z *zoneCache) zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	for i := 0; i < z.n; i++ {
		if int(z.offs[i]) == off {
			return z.locs[i]
		}
	}
	loc := time.FixedZone("", off)
	i := z.n
	if i < zoneCacheSize {
		z.n++
	} else {
		i = z.next
		z.next = (z.next + 1) % zoneCacheSize
	}
	z.offs[i] = int32(off)
	z.locs[i] = loc
	return loc
}

var monthNames = [12]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

// digits reads exactly n ASCII digits at the current position.
func (d *Decoder) digits(n int) (int, bool) {
	if d.pos+n > len(d.line) {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		c := d.line[d.pos+i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	d.pos += n
	return v, true
}

// month reads a date-month (case-insensitive) and returns 1..12.
func (d *Decoder) month() (time.Month, bool) {
	if d.pos+3 > len(d.line) {
		return 0, false
	}
	b := d.line[d.pos : d.pos+3]
	for i, m := range monthNames {
		if equalFold(b, m) {
			d.pos += 3
			return time.Month(i + 1), true
		}
	}
	return 0, false
}

// dayMonthYear reads date-day "-" date-month "-" date-year. fixed selects
// date-day-fixed ((SP DIGIT) / 2DIGIT, of date-time) instead of date-day
// (1*2DIGIT, of date); lenient mode accepts either form in both places.
func (d *Decoder) dayMonthYear(fixed bool) (day int, mon time.Month, year int, err error) {
	start := d.pos
	if d.accept(' ') {
		if !fixed && d.strict() {
			d.pos = start
			return 0, 0, 0, d.errExpected("date-day")
		}
		v, ok := d.digits(1)
		if !ok {
			return 0, 0, 0, d.errExpected("DIGIT")
		}
		day = v
	} else {
		v, ok := d.digits(1)
		if !ok {
			return 0, 0, 0, d.errExpected("date-day")
		}
		day = v
		if c := d.peek(); c >= '0' && c <= '9' {
			d.pos++
			day = day*10 + int(c-'0')
		} else if fixed && d.strict() {
			return 0, 0, 0, d.errExpected("2DIGIT (date-day-fixed)")
		}
	}
	if err := d.expect('-'); err != nil {
		return 0, 0, 0, err
	}
	mon, ok := d.month()
	if !ok {
		return 0, 0, 0, d.errExpected("date-month")
	}
	if err := d.expect('-'); err != nil {
		return 0, 0, 0, err
	}
	year, ok = d.digits(4)
	if !ok {
		return 0, 0, 0, d.errExpected("date-year (4DIGIT)")
	}
	if day < 1 || day > daysIn(mon, year) {
		d.pos = start
		return 0, 0, 0, d.errExpected("valid day of month")
	}
	return day, mon, year, nil
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// date reads a date (RFC 3501 §9): date-text, bare or quoted. The result is
// midnight UTC of that day.
func (d *Decoder) date() (time.Time, error) {
	quoted := d.accept('"')
	day, mon, year, err := d.dayMonthYear(false)
	if err != nil {
		return time.Time{}, err
	}
	if quoted {
		if err := d.expect('"'); err != nil {
			return time.Time{}, err
		}
	}
	return time.Date(year, mon, day, 0, 0, 0, 0, time.UTC), nil
}

// dateTime reads a date-time (RFC 3501 §9):
// "dd-Mon-yyyy hh:mm:ss +zzzz", with the day padded by a space or a zero.
// Lenient mode also accepts an unpadded day, and a missing zone (UTC).
// The result is in a fixed zone with the given offset (UTC for +0000).
func (d *Decoder) dateTime() (time.Time, error) {
	if err := d.expect('"'); err != nil {
		return time.Time{}, d.errExpected("date-time")
	}
	day, mon, year, err := d.dayMonthYear(true)
	if err != nil {
		return time.Time{}, err
	}
	if err := d.expect(' '); err != nil {
		return time.Time{}, err
	}
	hh, ok := d.digits(2)
	if !ok || !d.accept(':') {
		return time.Time{}, d.errExpected("time (hh:mm:ss)")
	}
	mm, ok := d.digits(2)
	if !ok || !d.accept(':') {
		return time.Time{}, d.errExpected("time (hh:mm:ss)")
	}
	ss, ok := d.digits(2)
	if !ok {
		return time.Time{}, d.errExpected("time (hh:mm:ss)")
	}
	// A leap second (60) is accepted; time.Date normalizes it.
	if hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, d.errExpected("valid time of day")
	}
	loc := time.UTC
	if d.accept(' ') {
		sign := d.peek()
		if sign != '+' && sign != '-' {
			return time.Time{}, d.errExpected("zone")
		}
		d.pos++
		zh, ok1 := d.digits(2)
		zm, ok2 := d.digits(2)
		if !ok1 || !ok2 {
			return time.Time{}, d.errExpected("zone (4DIGIT)")
		}
		if zm > 59 && d.strict() {
			return time.Time{}, d.errExpected("zone minutes below 60")
		}
		off := zh*3600 + zm*60
		if sign == '-' {
			off = -off
		}
		loc = d.zones.zone(off)
	} else if d.strict() {
		return time.Time{}, d.errExpected("SP zone")
	}
	if err := d.expect('"'); err != nil {
		return time.Time{}, err
	}
	return time.Date(year, mon, day, hh, mm, ss, 0, loc), nil
}
