package saslserver_test

import (
	"context"
	"fmt"

	"github.com/emersion/go-sasl"

	"github.com/mailaccess/mailaccess/internal/saslserver"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// A server builds a Config from its Authenticator and the connection's
// state, lists the mechanisms, and runs the exchange the client picks.
func Example() {
	users := memstore.New()
	users.AddUser("alice", "secret")
	cfg := saslserver.NewConfig(users, nil, true) // loopback: plaintext allowed
	fmt.Println(cfg.Mechanisms())

	srv := saslserver.New(context.Background(), saslserver.Plain, cfg)
	_, ir, _ := sasl.NewPlainClient("", "alice", "secret").Start()
	_, done, err := srv.Next(ir)
	fmt.Println(done, err, srv.User())
	// Output:
	// [SCRAM-SHA-256 PLAIN LOGIN]
	// true <nil> alice
}
