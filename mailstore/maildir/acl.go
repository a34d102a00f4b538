package maildir

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// Access control lists (RFC 4314) are kept as Dovecot's "vfile" ACL
// backend keeps them, so that a Maildir shared with Dovecot keeps its
// ACLs: a file "dovecot-acl" in each mailbox directory (the user's root
// for INBOX), one line per identifier:
//
//	[-]<identifier> <rights letters>[ :<named right> ...]
//
// The identifier is "anyone", "authenticated" or "user=<name>" (the IMAP
// identifier <name>); a leading "-" gives negative rights (the IMAP
// identifier "-<name>"). The letters are Dovecot's, which are RFC 4314's
// l r w s t i p e k x a; the right n (write shared annotations), which
// Dovecot has no letter for, is written as the named right
// ":write-shared-annotations". Lines this store does not map to an IMAP
// identifier ("owner", "group=...", "group-override=...", quoted
// identifiers, comments) are kept as they are when the file is rewritten,
// but not listed. The owner of the Maildir has every right, implicitly
// and always, as in memstore: its identifier cannot be changed.
//
// The file moves with its folder on RENAME and goes with it on DELETE;
// a new folder starts with a copy of its nearest superior's file (RFC
// 4314 §4 CREATE), and renaming INBOX copies INBOX's file to the new
// folder. Changes are made under the tree lock (mailaccess-tree.lock),
// by writing a temporary file, fsyncing it and renaming it over the old
// one.

const (
	aclFile = "dovecot-acl"
	// aclNamedN is the named right that stands for n in dovecot-acl.
	aclNamedN = "write-shared-annotations"
)

// dovecotRightLetters are the rights Dovecot writes as letters.
const dovecotRightLetters = "lrwstipekxa"

// dovecotRightNames maps Dovecot's right names to RFC 4314 letters.
var dovecotRightNames = map[string]byte{
	"lookup": 'l', "read": 'r', "write": 'w', "write-seen": 's',
	"write-deleted": 't', "insert": 'i', "post": 'p', "expunge": 'e',
	"create": 'k', "delete": 'x', "admin": 'a', aclNamedN: 'n',
}

var _ mailstore.ACLStore = (*store)(nil)

// aclList is a parsed dovecot-acl file.
type aclList struct {
	rights map[string]string // IMAP identifier -> canonical rights
	other  []string          // lines kept as they are
}

// parseACL reads a dovecot-acl file's content.
func parseACL(data []byte) *aclList {
	l := &aclList{rights: make(map[string]string)}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		id, rights, ok := parseACLLine(line)
		if !ok {
			l.other = append(l.other, line)
			continue
		}
		if old, dup := l.rights[id]; dup {
			rights, _ = mailstore.CanonicalRights(old + rights)
		}
		if rights != "" {
			l.rights[id] = rights
		}
	}
	return l
}

// parseACLLine maps one line to an IMAP identifier and canonical rights;
// ok is false for a line this store keeps without interpreting.
func parseACLLine(line string) (id, rights string, ok bool) {
	if line[0] == '#' || line[0] == '"' {
		return "", "", false
	}
	neg := ""
	if line[0] == '-' {
		neg, line = "-", line[1:]
	}
	dov, rest, _ := strings.Cut(line, " ")
	switch {
	case dov == "anyone" || dov == "authenticated":
		id = dov
	case strings.HasPrefix(dov, "user=") && len(dov) > len("user="):
		id = dov[len("user="):]
	default:
		return "", "", false
	}
	var set []byte
	letters, named, _ := strings.Cut(rest, ":")
	for _, c := range []byte(letters) {
		if strings.IndexByte(dovecotRightLetters, c) >= 0 {
			set = append(set, c)
		}
	}
	for _, n := range strings.Fields(named) {
		if c, ok := dovecotRightNames[strings.TrimPrefix(n, ":")]; ok {
			set = append(set, c)
		}
	}
	rights, err := mailstore.CanonicalRights(string(set))
	if err != nil {
		return "", "", false
	}
	return neg + id, rights, true
}

// encode writes the list in dovecot-acl's format.
func (l *aclList) encode() []byte {
	var b bytes.Buffer
	for _, line := range l.other {
		b.WriteString(line + "\n")
	}
	for _, id := range slices.Sorted(maps.Keys(l.rights)) {
		r := l.rights[id]
		if r == "" {
			continue
		}
		neg := ""
		if strings.HasPrefix(id, "-") {
			neg, id = "-", id[1:]
		}
		if id != "anyone" && id != "authenticated" {
			id = "user=" + id
		}
		letters := strings.ReplaceAll(r, "n", "")
		b.WriteString(neg + id + " " + letters)
		if strings.Contains(r, "n") {
			if letters != "" {
				b.WriteByte(' ')
			}
			b.WriteString(":" + aclNamedN)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// mailboxDir returns the directory of a mailbox for its ACL and metadata
// files: the user's root for INBOX. A \Noselect name that has no
// directory of its own gives "" and no error; a name that does not exist
// gives mailstore.ErrNoSuchMailbox.
func (u *userRoot) mailboxDir(name string) (string, error) {
	c, err := canonicalName(name)
	if err != nil {
		return "", err
	}
	if c == inbox {
		return u.dir, nil
	}
	disk := diskName(c)
	dirs, err := u.folderDirs()
	if err != nil {
		return "", err
	}
	if _, ok := dirs[disk]; ok {
		if err := u.checkPath(disk); err != nil {
			return "", err
		}
		return u.path(disk), nil
	}
	for d := range dirs {
		if strings.HasPrefix(d, disk+delim) {
			return "", nil
		}
	}
	return "", fmt.Errorf("%w: %s", mailstore.ErrNoSuchMailbox, c)
}

// readACL reads a mailbox directory's ACL ("" for none: an empty list).
func readACL(dir string) (*aclList, error) {
	if dir == "" {
		return parseACL(nil), nil
	}
	data, err := os.ReadFile(filepath.Join(dir, aclFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	return parseACL(data), nil
}

// checkIdentifier refuses identifiers this store does not keep: empty,
// not UTF-8, with spaces, quotes, '=' or control characters (which
// dovecot-acl cannot hold unambiguously), a bare "-", Dovecot's "owner",
// and the owner's own (whose rights are fixed), with or without "-".
func (s *store) checkIdentifier(id string) error {
	bare := strings.TrimPrefix(id, "-")
	switch {
	case bare == "" || !utf8.ValidString(id) || mailstore.HasControl(id) || strings.ContainsAny(id, " \t\"=:") || strings.HasPrefix(bare, "-"):
		return fmt.Errorf("%w: invalid identifier %q", mailstore.ErrNotAllowed, id)
	case bare == "owner":
		return fmt.Errorf("%w: %q is Dovecot's name for the owner", mailstore.ErrNotAllowed, id)
	case bare == s.user:
		return fmt.Errorf("%w: the owner %q always has every right", mailstore.ErrNotAllowed, s.user)
	}
	return nil
}

// ACL returns the mailbox's access control list: the owner with every
// right (mailstore.AllRights), then the identifiers of its dovecot-acl.
func (s *store) ACL(ctx context.Context, mailbox string) ([]imap.ACLEntry, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	dir, err := s.u.mailboxDir(mailbox)
	if err != nil {
		return nil, err
	}
	l, err := readACL(dir)
	if err != nil {
		return nil, err
	}
	out := []imap.ACLEntry{{Identifier: s.user, Rights: mailstore.AllRights}}
	for _, id := range slices.Sorted(maps.Keys(l.rights)) {
		if strings.TrimPrefix(id, "-") == s.user {
			continue
		}
		out = append(out, imap.ACLEntry{Identifier: id, Rights: l.rights[id]})
	}
	return out, nil
}

// changeACL applies fn to a mailbox's ACL under the tree lock and
// rewrites its dovecot-acl file.
func (s *store) changeACL(ctx context.Context, mailbox string, fn func(l *aclList) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	tl, err := s.u.treeLock(ctx)
	if err != nil {
		return err
	}
	defer tl.Close()
	dir, err := s.u.mailboxDir(mailbox)
	if err != nil {
		return err
	}
	if dir == "" {
		return fmt.Errorf("%w: %s is \\Noselect and has no directory to keep an ACL in", mailstore.ErrNotAllowed, mailbox)
	}
	l, err := readACL(dir)
	if err != nil {
		return err
	}
	if err := fn(l); err != nil {
		return err
	}
	return s.u.b.writeFileAtomic(filepath.Join(dir, aclFile), l.encode())
}

// SetACL changes an identifier's rights (RFC 4314 §3.1). An identifier
// left with no rights is removed. The owner's identifier, with or without
// "-", gives mailstore.ErrNotAllowed: the owner always has every right.
func (s *store) SetACL(ctx context.Context, mailbox, identifier string, op mailstore.RightsOp, rights string) error {
	if err := s.checkIdentifier(identifier); err != nil {
		return err
	}
	if _, err := mailstore.CanonicalRights(rights); err != nil {
		return err
	}
	return s.changeACL(ctx, mailbox, func(l *aclList) error {
		_, err := mailstore.UpdateACL(l.rights, identifier, op, rights)
		return err
	})
}

// DeleteACL removes an identifier from the list (RFC 4314 §3.2). The
// owner's identifier gives mailstore.ErrNotAllowed.
func (s *store) DeleteACL(ctx context.Context, mailbox, identifier string) error {
	if err := s.checkIdentifier(identifier); err != nil {
		return err
	}
	return s.changeACL(ctx, mailbox, func(l *aclList) error {
		delete(l.rights, identifier)
		return nil
	})
}

// ListRights returns, for the owner, every right as required; for any
// other identifier no required rights and each right as a group of its
// own (this store ties no rights together).
func (s *store) ListRights(ctx context.Context, mailbox, identifier string) (string, []string, error) {
	if identifier != s.user {
		if err := s.checkIdentifier(identifier); err != nil {
			return "", nil, err
		}
	}
	if err := s.check(ctx); err != nil {
		return "", nil, err
	}
	if _, err := s.u.mailboxDir(mailbox); err != nil {
		return "", nil, err
	}
	required, optional := mailstore.OwnerListRights(identifier == s.user)
	return required, optional, nil
}

// MyRights returns every right (mailstore.AllRights): the user owns every
// mailbox of the Maildir.
func (s *store) MyRights(ctx context.Context, mailbox string) (string, error) {
	if err := s.check(ctx); err != nil {
		return "", err
	}
	if _, err := s.u.mailboxDir(mailbox); err != nil {
		return "", err
	}
	return mailstore.AllRights, nil
}

// inheritedFiles returns the files a new folder starts with: a copy of
// the dovecot-acl of its nearest superior that has a directory (RFC
// 4314 §4: CREATE "SHOULD inherit the ACL from the parent mailbox").
func (u *userRoot) inheritedFiles(name string) map[string][]byte {
	ps := parentNames(name)
	for i := len(ps) - 1; i >= 0; i-- {
		dir := u.dir
		if ps[i] != inbox {
			dir = u.path(diskName(ps[i]))
		}
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(dir, aclFile)); err == nil {
			return map[string][]byte{aclFile: data}
		}
		return nil
	}
	return nil
}

// inboxFiles returns copies of INBOX's ACL and metadata files, for the
// folder a RENAME of INBOX creates (non-nil, so that it does not inherit
// instead).
func (u *userRoot) inboxFiles() map[string][]byte {
	out := map[string][]byte{}
	for _, n := range []string{aclFile, metadataFile} {
		if data, err := os.ReadFile(filepath.Join(u.dir, n)); err == nil {
			out[n] = data
		}
	}
	return out
}
