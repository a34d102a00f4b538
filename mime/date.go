package mime

import (
	"strings"
	"time"
)

// This file parses the date-time of RFC 5322 §3.3 leniently, including
// the obsolete forms of §4.3, for SORT (RFC 5256 §2.2) and for the SEARCH
// keys that look at the Date header (SENTBEFORE, SENTON, SENTSINCE).

// ParseDate parses an RFC 5322 date-time such as
//
//	Tue, 1 Jul 2003 10:52:37 +0200 (CEST)
//
// leniently: comments and extra white space anywhere, a missing or wrong
// day-of-week, a two- or three-digit year (RFC 5322 §4.3: 00-49 are
// 2000-2049, the rest 1900 plus the value), missing seconds, one-digit
// hours, "-" between day, month and year, full month and day names, the
// obsolete zones UT, GMT and the US zones (EST, EDT, CST, CDT, MST, MDT,
// PST, PDT), and text after the zone. The asctime form
// ("Tue Jul  1 10:52:37 2003") and ISO 8601 dates ("2003-07-01 10:52:37")
// are also taken.
//
// The zone decides the returned time's location, so that t.Date() is the
// date as written (what SEARCH SENTON compares, RFC 3501 §6.4.4) and
// t.UTC() the sent date SORT orders by (RFC 5256 §2.2). A missing,
// military, unknown or invalid zone means UTC (RFC 5322 §4.3 reads them as
// "-0000"; RFC 5256 §2.2 says to treat an invalid zone as UTC), and a
// missing or invalid time of day means 00:00:00 (RFC 5256 §2.2).
//
// ok is false when no day, month and year can be found, or the day does
// not exist in that month.
func ParseDate(s string) (t time.Time, ok bool) {
	p := dateParser{toks: tokenizeDate(s)}
	return p.parse()
}

// dateTok is one token of a date: a run of digits ('0'), a run of ASCII
// letters ('a') or any other single byte (the byte itself).
type dateTok struct {
	kind byte
	text string
}

// tokenizeDate splits s into tokens, dropping white space and comments
// (RFC 5322 §3.2.2: nested, with quoted-pairs). An unclosed comment runs
// to the end of the string.
func tokenizeDate(s string) []dateTok {
	var toks []dateTok
	depth := 0
	for i := 0; i < len(s); {
		c := s[i]
		if depth > 0 {
			switch c {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				depth--
			}
			i++
			continue
		}
		switch {
		case c == '(':
			depth++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case dateIsDigit(c):
			j := i + 1
			for j < len(s) && dateIsDigit(s[j]) {
				j++
			}
			toks = append(toks, dateTok{'0', s[i:j]})
			i = j
		case dateIsAlpha(c):
			j := i + 1
			for j < len(s) && dateIsAlpha(s[j]) {
				j++
			}
			toks = append(toks, dateTok{'a', s[i:j]})
			i = j
		default:
			toks = append(toks, dateTok{c, s[i : i+1]})
			i++
		}
		if len(toks) > 64 {
			// No date needs more; the rest is trailing text.
			break
		}
	}
	return toks
}

func dateIsDigit(c byte) bool { return '0' <= c && c <= '9' }

func dateIsAlpha(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// dateParser walks the tokens of one date-time.
type dateParser struct {
	toks []dateTok
	i    int
}

func (p *dateParser) peek() dateTok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return dateTok{}
}

func (p *dateParser) peekAt(n int) dateTok {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return dateTok{}
}

// accept consumes the next token if its kind is k.
func (p *dateParser) accept(k byte) bool {
	if p.peek().kind == k {
		p.i++
		return true
	}
	return false
}

// number consumes a run of at most max digits and returns its value.
func (p *dateParser) number(max int) (int, bool) {
	t := p.peek()
	if t.kind != '0' || len(t.text) > max {
		return 0, false
	}
	p.i++
	return dateAtoi(t.text), true
}

func dateAtoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// dateFields collects what the parser found.
type dateFields struct {
	year, month, day  int
	hour, min, sec    int
	haveTime, badTime bool
	offset            int // seconds east of UTC
}

func (p *dateParser) parse() (time.Time, bool) {
	var f dateFields
	// Skip a day-of-week and its comma: obs-day-of-week allows CFWS
	// around it, and many senders spell it out or get it wrong; it is
	// not checked against the date.
	if t := p.peek(); t.kind == 'a' && dateWeekday(t.text) {
		p.i++
	}
	for p.accept(',') {
	}
	t := p.peek()
	switch {
	case t.kind == 'a':
		// asctime: month day time year, or month day year time.
		if !p.monthDayYearForm(&f) {
			return time.Time{}, false
		}
	case t.kind == '0' && len(t.text) == 4 && p.peekAt(1).kind == '-':
		if !p.isoForm(&f) {
			return time.Time{}, false
		}
	default:
		if !p.rfcForm(&f) {
			return time.Time{}, false
		}
	}
	if f.month < 1 || f.month > 12 || f.day < 1 || f.day > dateDaysIn(time.Month(f.month), f.year) {
		return time.Time{}, false
	}
	if f.badTime || !f.haveTime {
		f.hour, f.min, f.sec = 0, 0, 0
	}
	loc := time.UTC
	if f.offset != 0 {
		loc = time.FixedZone("", f.offset)
	}
	return time.Date(f.year, time.Month(f.month), f.day, f.hour, f.min, f.sec, 0, loc), true
}

// rfcForm parses date time zone: day month year [time [zone]].
func (p *dateParser) rfcForm(f *dateFields) bool {
	var ok bool
	if f.day, ok = p.number(2); !ok {
		return false
	}
	p.dateSep()
	if f.month = p.monthName(); f.month == 0 {
		return false
	}
	p.dateSep()
	if !p.year(f) {
		return false
	}
	p.accept(',')
	p.timeOfDay(f)
	p.zone(f)
	return true
}

// monthDayYearForm parses the asctime layout (C's asctime and ctime, and
// RFC 850's "Mon Jan  2 15:04:05 2006"), with the zone anywhere after the
// time: month day [time] [zone] year [zone], or month day year time zone.
func (p *dateParser) monthDayYearForm(f *dateFields) bool {
	if f.month = p.monthName(); f.month == 0 {
		return false
	}
	p.dateSep()
	var ok bool
	if f.day, ok = p.number(2); !ok {
		return false
	}
	p.accept(',')
	if p.peekAt(1).kind == ':' || p.peekAt(1).kind == '.' {
		p.timeOfDay(f)
		p.zone(f)
		if !p.year(f) {
			return false
		}
		p.zone(f)
		return true
	}
	if !p.year(f) {
		return false
	}
	p.timeOfDay(f)
	p.zone(f)
	return true
}

// isoForm parses an ISO 8601 date: yyyy-mm-dd ["T"] [time [zone]].
func (p *dateParser) isoForm(f *dateFields) bool {
	f.year, _ = p.number(4)
	var ok bool
	p.accept('-')
	if f.month, ok = p.number(2); !ok {
		return false
	}
	if !p.accept('-') {
		return false
	}
	if f.day, ok = p.number(2); !ok {
		return false
	}
	if t := p.peek(); t.kind == 'a' && (t.text == "T" || t.text == "t") {
		p.i++
	}
	p.timeOfDay(f)
	p.zone(f)
	return true
}

// dateSep skips the "-" (or "/", "." or ",") some senders put between
// day, month and year.
func (p *dateParser) dateSep() {
	if k := p.peek().kind; k == '-' || k == '/' || k == '.' || k == ',' {
		p.i++
	}
}

// year parses year = 4*DIGIT / obs-year (2*DIGIT), mapping two- and
// three-digit years as RFC 5322 §4.3 says.
func (p *dateParser) year(f *dateFields) bool {
	t := p.peek()
	if t.kind != '0' || len(t.text) < 2 || len(t.text) > 4 {
		return false
	}
	// A year is not followed by ":" (that would be a time).
	if k := p.peekAt(1).kind; k == ':' {
		return false
	}
	p.i++
	y := dateAtoi(t.text)
	switch len(t.text) {
	case 2:
		if y < 50 {
			y += 2000
		} else {
			y += 1900
		}
	case 3:
		y += 1900
	}
	f.year = y
	return true
}

// timeOfDay parses hour ":" minute [":" second], each of one or two digits
// ("." is taken as a separator too). Values out of range set badTime.
func (p *dateParser) timeOfDay(f *dateFields) {
	save := p.i
	h, ok := p.number(2)
	if !ok {
		return
	}
	sep := p.peek().kind
	if sep != ':' && sep != '.' {
		p.i = save
		return
	}
	p.i++
	m, ok := p.number(2)
	if !ok {
		p.i = save
		return
	}
	s := 0
	if p.peek().kind == sep && p.peekAt(1).kind == '0' {
		p.i++
		var ok bool
		if s, ok = p.number(2); !ok { // over-long seconds
			f.badTime = true
		}
	}
	f.haveTime = true
	f.hour, f.min, f.sec = h, m, s
	if h > 23 || m > 59 || s > 60 {
		f.badTime = true
	}
	// Fractional seconds ("10:52:37.123") are dropped.
	if p.peek().kind == '.' && p.peekAt(1).kind == '0' {
		p.i += 2
	}
}

// zone parses zone = ("+" / "-") 4DIGIT / obs-zone. Lenient forms: "+hh",
// "+hh:mm" and "GMT+hhmm". Unknown alphabetic zones are "-0000" (RFC 5322
// §4.3), that is UTC, and so is a malformed numeric zone (RFC 5256 §2.2).
func (p *dateParser) zone(f *dateFields) {
	t := p.peek()
	if t.kind == 'a' {
		off, ok := dateAlphaZone(t.text)
		if !ok {
			return // not a zone: leave it for the caller (a year?)
		}
		p.i++
		f.offset = off
		if off == 0 && (p.peek().kind == '+' || p.peek().kind == '-') && p.peekAt(1).kind == '0' {
			// "GMT+0200", "UTC-5"
			p.numericZone(f)
		}
		return
	}
	if (t.kind == '+' || t.kind == '-') && p.peekAt(1).kind == '0' {
		p.numericZone(f)
	}
}

// numericZone parses ("+" / "-") hhmm, hh or hh:mm at the current token.
func (p *dateParser) numericZone(f *dateFields) {
	sign := 1
	if p.peek().kind == '-' {
		sign = -1
	}
	p.i++
	d := p.peek().text
	p.i++
	var h, m int
	switch len(d) {
	case 1, 2:
		h = dateAtoi(d)
		if p.peek().kind == ':' && p.peekAt(1).kind == '0' && len(p.peekAt(1).text) == 2 {
			m = dateAtoi(p.peekAt(1).text)
			p.i += 2
		}
	case 3, 4:
		v := dateAtoi(d)
		h, m = v/100, v%100
	default:
		f.offset = 0
		return
	}
	if h > 23 || m > 59 {
		f.offset = 0
		return
	}
	f.offset = sign * (h*3600 + m*60)
}

// dateAlphaZone maps the alphabetic zones of RFC 5322 §4.3 to their offsets in
// seconds. ok is false for a word that cannot be a zone (too long).
func dateAlphaZone(s string) (off int, ok bool) {
	if len(s) > 5 {
		return 0, false
	}
	var b [5]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b[i] = c
	}
	switch string(b[:len(s)]) {
	case "EDT":
		return -4 * 3600, true
	case "EST", "CDT":
		return -5 * 3600, true
	case "CST", "MDT":
		return -6 * 3600, true
	case "MST", "PDT":
		return -7 * 3600, true
	case "PST":
		return -8 * 3600, true
	}
	// UT, GMT, UTC, Z, the military zones (which RFC 5322 §4.3 says to
	// read as "-0000" because RFC 822 defined them wrongly) and other
	// zones of unknown meaning.
	return 0, true
}

var dateMonths = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

var dateFullMonths = [12]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// monthName consumes a month name (three letters, or the full English name,
// any case) and returns 1-12, or 0 if the next token is not one.
func (p *dateParser) monthName() int {
	t := p.peek()
	if t.kind != 'a' {
		return 0
	}
	for i, m := range dateMonths {
		if strings.EqualFold(t.text, m) || strings.EqualFold(t.text, dateFullMonths[i]) || (i == 8 && strings.EqualFold(t.text, "sept")) {
			p.i++
			return i + 1
		}
	}
	return 0
}

var dateDays = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

var dateFullDays = [7]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// dateWeekday reports whether s names a day of the week (three letters, the
// full name, or "Tues"/"Thur"/"Thurs").
func dateWeekday(s string) bool {
	for i, d := range dateDays {
		if strings.EqualFold(s, d) || strings.EqualFold(s, dateFullDays[i]) {
			return true
		}
	}
	return strings.EqualFold(s, "tues") || strings.EqualFold(s, "thur") || strings.EqualFold(s, "thurs")
}

// dateDaysIn returns the number of days of month m in year y (proleptic
// Gregorian).
func dateDaysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
