package storetest

import (
	"strconv"
	"time"

	"github.com/mailaccess/mailaccess/mailstore"
)

func authRules() []rule {
	return []rule{
		{"RightPassword", testAuthRight},
		{"WrongPassword", testAuthWrong},
		{"UnknownUser", testAuthUnknown},
		{"SecretLookup", testSecretLookup},
		{"UsersIsolated", testUsersIsolated},
	}
}

func (e *env) authenticator() mailstore.Authenticator {
	e.Helper()
	a, ok := e.b.(mailstore.Authenticator)
	if !ok {
		e.Skip("the backend is not a mailstore.Authenticator")
	}
	return a
}

// testAuthRight: the right password authenticates (RFC 3501 §6.2.3
// LOGIN), and the user name returned opens the user's store.
func testAuthRight(e *env) {
	a := e.authenticator()
	user, err := a.Authenticate(e.ctx, e.user, e.password)
	if err != nil {
		e.Fatalf("Authenticate(%q, right password): %v", e.user, err)
	}
	if user == "" {
		e.Fatalf("Authenticate(%q) returned an empty user name", e.user)
	}
	st := e.openUser(user)
	if _, err := st.Status(e.ctx, "INBOX"); err != nil {
		e.Errorf("Status(INBOX) of the authenticated user %q: %v", user, err)
	}
}

// testAuthWrong: a wrong password gives ErrAuthFailed (RFC 5530
// AUTHENTICATIONFAILED), the empty password included.
func testAuthWrong(e *env) {
	a := e.authenticator()
	for _, pw := range []string{e.password + "x", "", "wrong password"} {
		if pw == e.password {
			continue
		}
		_, err := a.Authenticate(e.ctx, e.user, pw)
		e.wantErr("Authenticate with a wrong password "+strconv.Quote(pw), err, mailstore.ErrAuthFailed)
	}
}

// testAuthUnknown: an unknown user gives ErrAuthFailed, the same error as
// a wrong password, so as not to reveal which users exist (RFC 5530
// AUTHENTICATIONFAILED).
func testAuthUnknown(e *env) {
	a := e.authenticator()
	_, err := a.Authenticate(e.ctx, "no-such-user-storetest", e.password)
	e.wantErr("Authenticate(unknown user)", err, mailstore.ErrAuthFailed)
	_, err = a.Authenticate(e.ctx, "", "")
	e.wantErr("Authenticate(empty user)", err, mailstore.ErrAuthFailed)
}

// testSecretLookup: a SecretLookup gives the user's secret for APOP
// (RFC 1939 §7) and CRAM-MD5 (RFC 2195) and ErrAuthFailed for an
// unknown user.
func testSecretLookup(e *env) {
	sl, ok := e.b.(mailstore.SecretLookup)
	if !ok {
		e.Skip("the backend is not a mailstore.SecretLookup")
	}
	_, user, err := sl.Secret(e.ctx, e.user)
	if err != nil {
		e.Fatalf("Secret(%q): %v", e.user, err)
	}
	if user == "" {
		e.Errorf("Secret(%q) returned an empty user name", e.user)
	}
	_, _, err = sl.Secret(e.ctx, "no-such-user-storetest")
	e.wantErr("Secret(unknown user)", err, mailstore.ErrAuthFailed)
}

// testUsersIsolated: one user's mailboxes, messages and subscriptions are
// not another's (RFC 3501 §6.3.8: LIST shows the names available to the
// client).
func testUsersIsolated(e *env) {
	other, user2, pass2 := e.otherUser()
	if a, ok := e.b.(mailstore.Authenticator); ok {
		if _, err := a.Authenticate(e.ctx, user2, pass2); err != nil {
			e.Errorf("Authenticate(%q) of the second user: %v", user2, err)
		}
		if pass2 != e.password {
			_, err := a.Authenticate(e.ctx, e.user, pass2)
			e.wantErr("Authenticate(first user, second user's password)", err, mailstore.ErrAuthFailed)
		}
	}
	e.create(e.st, "Private")
	if err := e.st.SetSubscribed(e.ctx, "Private", true); err != nil {
		e.Fatalf("SetSubscribed: %v", err)
	}
	e.appendMsg(e.st, "INBOX", smallMessage(1, "private"), nil, time.Time{})
	for name := range e.list(other) {
		if name == "Private" {
			e.Errorf("the second user lists the first user's mailbox %q", name)
		}
	}
	if s := e.status(other, "INBOX"); s.Messages != 0 {
		e.Errorf("the second user's INBOX has %d messages after an append to the first user's", s.Messages)
	}
	_, err := other.Status(e.ctx, "Private")
	e.wantErr("the second user's Status(first user's mailbox)", err, mailstore.ErrNoSuchMailbox)
	// And the other way round.
	e.appendMsg(other, "INBOX", smallMessage(2, "other"), nil, time.Time{})
	if s := e.status(e.st, "INBOX"); s.Messages != 1 {
		e.Errorf("the first user's INBOX has %d messages, want 1", s.Messages)
	}
	if err := other.CreateMailbox(e.ctx, "Private", nil); err != nil {
		e.Errorf("the second user's CreateMailbox(%q), a name only the first user has: %v", "Private", err)
	}
}
