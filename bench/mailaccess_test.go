package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/mailaccess/mailaccess/imap/wire"
)

// mailaccessDecode decodes a stream of responses with imap/wire, calling
// visit (if not nil) for each. The Response is reused from one message to
// the next, as a client's read loop would; the values it points to are
// fresh for each message. It returns the number of responses.
func mailaccessDecode(data []byte, visit func(*wire.Response)) (int, error) {
	dec := wire.NewDecoder(bufio.NewReader(bytes.NewReader(data)), nil)
	var resp wire.Response
	n := 0
	for {
		err := dec.ReadResponse(&resp)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("response %d: %w", n+1, err)
		}
		n++
		if visit != nil {
			visit(&resp)
		}
	}
}
