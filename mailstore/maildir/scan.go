package maildir

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// loadDovecotKeywords reads dovecot-keywords when it changed.
func (f *folder) loadDovecotKeywords() {
	fi, err := os.Stat(filepath.Join(f.dir, keywordsFile))
	if err != nil {
		if f.dkwRev != nil {
			f.dkw, f.dkwRev, f.dkwMod = [26]string{}, map[string]int{}, time.Time{}
		}
		if f.dkwRev == nil {
			f.dkwRev = map[string]int{}
		}
		return
	}
	if f.dkwRev != nil && fi.ModTime().Equal(f.dkwMod) {
		return
	}
	kw, err := readDovecotKeywords(filepath.Join(f.dir, keywordsFile))
	if err != nil {
		return
	}
	f.dkw, f.dkwMod = kw, fi.ModTime()
	f.dkwRev = make(map[string]int)
	for i, k := range kw {
		if k != "" {
			if _, dup := f.dkwRev[strings.ToLower(k)]; !dup {
				f.dkwRev[strings.ToLower(k)] = i
			}
		}
	}
}

// forwardedLetter returns the dovecot-keywords letter bit of $Forwarded,
// which this store keeps as the 'P' flag.
func (f *folder) forwardedLetter() uint32 {
	if i, ok := f.dkwRev["$forwarded"]; ok {
		return 1 << i
	}
	return 0
}

// fileFlags returns the flags a file name's letters say: the std bits
// and the keyword indexes (defined in the batch if new), and the letters
// this store does not interpret.
func (f *folder) fileFlags(b *batch, info string) (std uint8, kw []uint16, other string, err error) {
	std, bits, other := parseLetters(infoLetters(info))
	for i := 0; i < 26; i++ {
		if bits&(1<<i) == 0 {
			continue
		}
		name := f.dkw[i]
		if name == "" {
			other += string(rune('a' + i)) // a letter without a name: kept
			continue
		}
		if strings.EqualFold(name, "$Forwarded") {
			std |= stdPassed
			continue
		}
		k, err := b.keyword(name)
		if err != nil {
			return 0, nil, "", err
		}
		kw = append(kw, k)
	}
	return std, kw, other, nil
}

// lettered reports whether keyword index k has a dovecot-keywords letter,
// and which.
func (f *folder) lettered(b *batch, k uint16) (int, bool) {
	i, ok := f.dkwRev[strings.ToLower(b.keywordName(k))]
	return i, ok
}

// infoFor returns the info part of a file name for the flags std and kw,
// keeping the letters of the old info this store does not interpret.
func (f *folder) infoFor(b *batch, std uint8, kw string, oldInfo string) string {
	_, bits, other := parseLetters(infoLetters(oldInfo))
	var keep uint32
	for i := 0; i < 26; i++ {
		if bits&(1<<i) != 0 && f.dkw[i] == "" {
			keep |= 1 << i // letters without a name stay
		}
	}
	for _, k := range kwIndexes(kw) {
		if i, ok := f.lettered(b, k); ok {
			keep |= 1 << i
		}
	}
	if std&stdPassed != 0 {
		keep |= f.forwardedLetter()
	}
	return formatInfo(std, keep, other)
}

// scan compares new/ and cur/ with the index and adds to b what other
// programs changed: files without an index entry become new messages
// (with the next UIDs, or Dovecot's from dovecot-uidlist on the first
// scan), index entries without a file are expunged, and files whose flag
// letters changed give flag changes. Files found in new/ are moved to
// cur/, as an IMAP server does once it has seen them. Called under both
// locks.
func (f *folder) scan(b *batch) error {
	st := f.st
	n0, c0, err := f.dirTimes()
	if err != nil {
		if os.IsNotExist(err) {
			f.gone.Store(true)
			f.signalAll()
			return errGone()
		}
		return err
	}
	f.loadDovecotKeywords()
	doNew := f.forceScan || st.scan.dirty || n0 != st.scan.newM
	doCur := f.forceScan || st.scan.dirty || c0 != st.scan.curM

	type file struct {
		inNew bool
		name  string
	}
	files := make(map[string]file)
	for _, sub := range []struct {
		dir   string
		inNew bool
		do    bool
	}{{"new", true, doNew}, {"cur", false, doCur}} {
		if !sub.do {
			continue
		}
		names, err := readNames(filepath.Join(f.dir, sub.dir))
		if err != nil {
			return err
		}
		for _, n := range names {
			base, _ := splitName(n)
			if old, ok := files[base]; ok && !old.inNew {
				continue // caught mid-move: cur/ wins
			}
			files[base] = file{inNew: sub.inNew, name: n}
		}
	}

	var expunged []uint32
	var flagChanges, locChanges []flagChange
	moved := false
	for i := range st.msgs {
		m := &st.msgs[i]
		if (m.inNew && !doNew) || (!m.inNew && !doCur) {
			// Its directory did not change; but it may have moved into
			// the one that did.
			if fl, ok := files[m.base]; !ok || fl.inNew == m.inNew {
				delete(files, m.base)
				continue
			}
		}
		fl, ok := files[m.base]
		if !ok {
			expunged = append(expunged, m.uid)
			continue
		}
		delete(files, m.base)
		_, info := splitName(fl.name)
		inNew := fl.inNew
		if inNew {
			// Seen: move it to cur/ (its name gets an info part).
			newInfo := info
			if newInfo == "" {
				newInfo = infoPrefix
			}
			if err := os.Rename(filepath.Join(f.dir, "new", fl.name), filepath.Join(f.dir, "cur", m.base+newInfo)); err == nil {
				inNew, info, moved = false, newInfo, true
			}
		}
		if inNew == m.inNew && info == m.info {
			continue
		}
		// Compare what the letters say with what the index says, as far
		// as letters can say it.
		fstd, fkw, _, err := f.fileFlags(b, info)
		if err != nil {
			return err
		}
		var keep []uint16 // keywords without a letter: the file cannot tell
		var had []uint16
		for _, k := range kwIndexes(m.kw) {
			if _, ok := f.lettered(b, k); ok {
				had = append(had, k)
			} else {
				keep = append(keep, k)
			}
		}
		slices.Sort(fkw)
		fkw = slices.Compact(fkw)
		if fstd != m.std || !slices.Equal(fkw, had) {
			flagChanges = append(flagChanges, flagChange{uid: m.uid, std: fstd, kw: kwString(append(keep, fkw...)), inNew: inNew, info: info})
		} else {
			locChanges = append(locChanges, flagChange{uid: m.uid, std: m.std, kw: m.kw, inNew: inNew, info: info})
		}
	}

	// Files without an index entry: new messages, in name order (the
	// names begin with the delivery time).
	var fresh []string
	for base := range files {
		fresh = append(fresh, base)
	}
	slices.Sort(fresh)
	var added []message
	uidNext := st.uidNext
	for _, base := range fresh {
		fl := files[base]
		uid := uidNext
		if u, ok := f.uidlist.uid(base); ok && u < st.uidNext && !st.has(u) && !slices.ContainsFunc(added, func(a message) bool { return a.uid == u }) {
			uid = u
		}
		m, ok, err := f.importFile(b, uid, base, fl.inNew, fl.name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if fl.inNew {
			moved = true
		}
		if uid == uidNext {
			uidNext++
		}
		added = append(added, m)
	}
	f.uidlist = nil
	slices.SortFunc(added, func(a, b message) int { return int(int64(a.uid) - int64(b.uid)) })

	if len(locChanges) > 0 {
		b.add(&record{typ: recLoc, changes: locChanges})
	}
	if len(flagChanges) > 0 {
		b.add(&record{typ: recFlags, modseq: b.modseq(), changes: flagChanges})
	}
	if len(expunged) > 0 {
		b.add(&record{typ: recExpunge, modseq: b.modseq(), uids: expunged})
	}
	if len(added) > 0 {
		ms := b.modseq()
		for i := range added {
			added[i].modseq = ms
		}
		b.add(&record{typ: recAdd, modseq: ms, add: added})
		b.durable = true
	}
	now := time.Now().UnixNano()
	sc := scanState{newM: n0, curM: c0, at: now}
	if !doNew {
		sc.newM = st.scan.newM
	}
	if !doCur {
		sc.curM = st.scan.curM
	}
	sc.dirty = now-max(n0, c0) < int64(granularity(n0, c0))
	if moved {
		// Our own moves changed both directories after they were read.
		if n1, c1, err := f.dirTimes(); err == nil {
			sc.newM, sc.curM, sc.dirty = n1, c1, true
		}
	}
	b.add(&record{typ: recScan, scan: sc})
	return nil
}

// uid returns Dovecot's UID of a base name.
func (ul *uidlist) uid(base string) (uint32, bool) {
	if ul == nil {
		return 0, false
	}
	u, ok := ul.uids[base]
	return u, ok
}

// importFile makes the index entry of a file found in new/ or cur/: the
// internal date is the file's modification time (as Dovecot keeps it),
// the size the W= of its name or else found by reading it (a file with
// bare LFs is served with CRLF line ends, as IMAP requires), and the
// flags its letters. A file found in new/ is moved to cur/. ok is false
// when the file vanished meanwhile.
func (f *folder) importFile(b *batch, uid uint32, base string, inNew bool, name string) (m message, ok bool, err error) {
	sub := "cur"
	if inNew {
		sub = "new"
	}
	path := filepath.Join(f.dir, sub, name)
	fi, err := os.Stat(path)
	if err != nil {
		return m, false, nil
	}
	if !fi.Mode().IsRegular() {
		return m, false, nil
	}
	_, info := splitName(name)
	std, kw, _, err := f.fileFlags(b, info)
	if err != nil {
		return m, false, err
	}
	m = message{uid: uid, base: base, info: info, inNew: inNew, std: std, kw: kwString(kw), date: fi.ModTime().UnixNano()}
	if w, ok := baseField(base, 'W'); ok {
		m.size = w
		m.conv = w != fi.Size()
	} else {
		// Read it: the size served and the structure, cached.
		fh, err := os.Open(path)
		if err != nil {
			return m, false, nil
		}
		size, conv, blob, err := parseFile(fh, fi.Size())
		fh.Close()
		if err != nil {
			return m, false, nil
		}
		m.size, m.conv = size, conv
		if off, l, err := f.cacheAppend(uid, blob); err == nil {
			m.cacheOff, m.cacheLen = off, l
		}
	}
	if inNew {
		newInfo := info
		if newInfo == "" {
			newInfo = infoPrefix
		}
		if err := os.Rename(path, filepath.Join(f.dir, "cur", base+newInfo)); err != nil {
			return m, false, nil
		}
		m.inNew, m.info = false, newInfo
	}
	return m, true, nil
}
