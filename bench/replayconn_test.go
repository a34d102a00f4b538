package bench

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// replayConn is an in-memory net.Conn playing an IMAP server for go-imap's
// imapclient, whose decoder is internal and can only be driven through a
// connection. It sends a greeting, answers every FETCH or UID FETCH command
// with the whole of a prebuilt response stream followed by the tagged OK,
// and every other command with a bare tagged OK.
type replayConn struct {
	fetchData []byte

	out       chan []byte // chunks the client is to read, in order
	cur       []byte
	closed    chan struct{}
	closeOnce sync.Once

	wbuf []byte // client bytes not yet ending in a line
}

const replayGreeting = "* OK [CAPABILITY IMAP4rev1] ready\r\n"

func newReplayConn(fetchData []byte) *replayConn {
	c := &replayConn{
		fetchData: fetchData,
		out:       make(chan []byte, 64),
		closed:    make(chan struct{}),
	}
	c.out <- []byte(replayGreeting)
	return c
}

func (c *replayConn) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		select {
		case c.cur = <-c.out:
		case <-c.closed:
			return 0, io.EOF
		}
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}

func (c *replayConn) Write(p []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	c.wbuf = append(c.wbuf, p...)
	for {
		i := bytes.IndexByte(c.wbuf, '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimRight(c.wbuf[:i], "\r"))
		c.wbuf = c.wbuf[i+1:]
		c.answer(line)
	}
	return len(p), nil
}

// answer queues the server's response to one command line.
func (c *replayConn) answer(line string) {
	tag, rest, _ := strings.Cut(line, " ")
	name, rest, _ := strings.Cut(rest, " ")
	if name == "UID" {
		name, _, _ = strings.Cut(rest, " ")
	}
	switch name {
	case "FETCH":
		c.send(c.fetchData)
		c.send([]byte(tag + " OK FETCH completed\r\n"))
	case "LOGOUT":
		c.send([]byte("* BYE logging out\r\n" + tag + " OK LOGOUT completed\r\n"))
	default:
		c.send([]byte(tag + " OK " + name + " completed\r\n"))
	}
}

func (c *replayConn) send(b []byte) {
	select {
	case c.out <- b:
	case <-c.closed:
	}
}

func (c *replayConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

type replayAddr struct{}

func (replayAddr) Network() string { return "memory" }
func (replayAddr) String() string  { return "replay" }

func (c *replayConn) LocalAddr() net.Addr                { return replayAddr{} }
func (c *replayConn) RemoteAddr() net.Addr               { return replayAddr{} }
func (c *replayConn) SetDeadline(t time.Time) error      { return nil }
func (c *replayConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *replayConn) SetWriteDeadline(t time.Time) error { return nil }
