package maildir_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/mailstore/passwd"
)

// A Backend serves one Maildir per user under a root directory; a server
// authenticates with Users (or its own Authenticator) and opens the
// user's Store.
func Example() {
	root, err := os.MkdirTemp("", "maildir-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(root)
	ctx := context.Background()

	users := passwd.New()
	users.AddUser("alice", "secret")
	backend, err := maildir.New(root, nil)
	if err != nil {
		log.Fatal(err)
	}

	user, err := users.Authenticate(ctx, "alice", "secret")
	if err != nil {
		log.Fatal(err)
	}
	st, err := backend.Open(ctx, user)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	if err := st.CreateMailbox(ctx, "Work.Projects", nil); err != nil {
		log.Fatal(err)
	}
	msg := "From: bob@example.com\r\nSubject: Hello\r\n\r\nHi Alice!\r\n"
	res, err := st.Append(ctx, "Work.Projects", strings.NewReader(msg), &mailstore.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("appended UID", res.UID)

	mb, err := st.OpenMailbox(ctx, "Work.Projects", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer mb.Close()
	for _, m := range mb.Messages() {
		fmt.Println(m.UID, m.Flags, m.Size)
	}

	// On disk: Maildir++, one directory per folder.
	files, _ := filepath.Glob(filepath.Join(root, "alice", ".Work.Projects", "cur", "*"))
	for _, f := range files {
		_, info, _ := strings.Cut(filepath.Base(f), ":")
		fmt.Println("file flags", info)
	}
	// Output:
	// appended UID 1
	// 1 [\Seen] 52
	// file flags 2,S
}

// Options.UserDir maps users to existing Maildirs, such as those Dovecot
// keeps in ~/Maildir.
func ExampleNew_userDir() {
	home, err := os.MkdirTemp("", "maildir-home-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(home)
	backend, err := maildir.New("", &maildir.Options{
		UserDir: func(user string) (string, error) {
			if user != "alice" {
				return "", mailstore.ErrAuthFailed
			}
			return filepath.Join(home, user, "Maildir"), nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := backend.Open(context.Background(), "alice")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	s, err := st.Status(context.Background(), "INBOX")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Messages, s.UIDNext)
	// Output: 0 1
}
