package passwd_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/mailaccess/mailaccess/mailstore/passwd"
)

// LoadFile reads a passwd-file such as Dovecot's.
func ExampleLoadFile() {
	dir, err := os.MkdirTemp("", "passwd-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "passwd")
	// {SHA256} of "secret", base64.
	os.WriteFile(path, []byte("# users\nalice:{PLAIN}secret\nbob:{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=\n"), 0o600)
	users, err := passwd.LoadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, try := range [][2]string{{"alice", "secret"}, {"bob", "secret"}, {"bob", "wrong"}} {
		_, err := users.Authenticate(ctx, try[0], try[1])
		fmt.Println(try[0], err == nil)
	}
	// Output:
	// alice true
	// bob true
	// bob false
}
