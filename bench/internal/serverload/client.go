// Package serverload drives IMAP servers for the bench module's server
// benchmarks and memory checks: a minimal raw client (Client) that writes
// command lines as bytes and decodes the responses with mailaccess's
// imap/wire codec, so that every server is driven by the same client code
// at the same cost, and the fixtures that start mailaccess's imapserver
// over a Maildir and go-imap v2's imapserver over its in-memory backend
// with the same messages.
package serverload

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/mailaccess/mailaccess/imap/wire"
)

// Client is a minimal IMAP client over a net.Conn. It writes raw command
// lines and decodes every response with a wire.Decoder into one reused
// wire.Response. Message-data literals (BODY[], BINARY[], RFC822) are
// streamed from the connection and counted in BodyBytes, never held, so
// that the client's own memory stays small whatever the servers send.
type Client struct {
	nc  net.Conn
	br  *bufio.Reader
	bw  *bufio.Writer
	dec *wire.Decoder
	r   wire.Response
	tag int

	// BodyBytes is the number of message-data literal octets read.
	BodyBytes int64
}

// Dial connects to addr and reads the greeting, which must be OK.
func Dial(addr string) (*Client, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := NewClient(nc)
	if err := c.readGreeting(); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// NewClient returns a client over nc whose greeting has not been read,
// with 64 KiB read and write buffers.
func NewClient(nc net.Conn) *Client { return newClientSize(nc, 64<<10, 64<<10) }

func newClientSize(nc net.Conn, rsize, wsize int) *Client {
	c := &Client{
		nc: nc,
		br: bufio.NewReaderSize(nc, rsize),
		bw: bufio.NewWriterSize(nc, wsize),
	}
	c.dec = wire.NewDecoder(c.br, &wire.Options{
		Stream: func(lit *wire.Literal) error {
			n, err := io.Copy(io.Discard, lit)
			c.BodyBytes += n
			return err
		},
	})
	return c
}

// readGreeting reads the greeting, which must be OK.
func (c *Client) readGreeting() error {
	if err := c.dec.ReadResponse(&c.r); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if c.r.Kind != wire.KindStatus || c.r.Status != wire.StatusOK {
		return fmt.Errorf("greeting: %s %s", c.r.Status, c.r.Text)
	}
	return nil
}

// Conn returns the connection.
func (c *Client) Conn() net.Conn { return c.nc }

// Close closes the connection.
func (c *Client) Close() error { return c.nc.Close() }

// SetDeadline sets the connection's deadline.
func (c *Client) SetDeadline(t time.Time) error { return c.nc.SetDeadline(t) }

// StatusError is a command's tagged completion other than OK.
type StatusError struct {
	Command string
	Status  wire.StatusType
	Text    string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: %s %s", e.Command, e.Status, e.Text)
}

// nextTag returns a new tag.
func (c *Client) nextTag() string {
	c.tag++
	return "c" + strconv.Itoa(c.tag)
}

// Do sends one command (without its tag) and reads up to its tagged
// completion, calling fn, if not nil, with each untagged response (valid
// only during the call). It returns a *StatusError unless the completion
// is OK.
func (c *Client) Do(command string, fn func(*wire.Response) error) error {
	tag := c.nextTag()
	c.bw.WriteString(tag)
	c.bw.WriteByte(' ')
	c.bw.WriteString(command)
	c.bw.WriteString("\r\n")
	if err := c.bw.Flush(); err != nil {
		return err
	}
	return c.until(tag, command, fn)
}

// until reads responses up to the tagged completion with tag.
func (c *Client) until(tag, command string, fn func(*wire.Response) error) error {
	for {
		if err := c.dec.ReadResponse(&c.r); err != nil {
			return fmt.Errorf("%s: %w", command, err)
		}
		if c.r.Kind == wire.KindStatus && c.r.Tag != "" {
			if c.r.Tag != tag {
				return fmt.Errorf("%s: completion of %q, want %q", command, c.r.Tag, tag)
			}
			if c.r.Status != wire.StatusOK {
				return &StatusError{Command: command, Status: c.r.Status, Text: c.r.Text}
			}
			return nil
		}
		if fn != nil {
			if err := fn(&c.r); err != nil {
				return err
			}
		}
	}
}

// CountFetch runs a command and returns the number of FETCH responses it
// got.
func (c *Client) CountFetch(command string) (int, error) {
	n := 0
	err := c.Do(command, func(r *wire.Response) error {
		if r.Kind == wire.KindFetch {
			n++
		}
		return nil
	})
	return n, err
}

// Login runs LOGIN with an atom user name and password.
func (c *Client) Login(user, pass string) error {
	return c.Do("LOGIN "+user+" "+pass, nil)
}

// Logout runs LOGOUT (whose untagged BYE is expected) and closes the
// connection.
func (c *Client) Logout() error {
	err := c.Do("LOGOUT", nil)
	c.nc.Close()
	return err
}

// Idle sends IDLE and waits for the continuation request. The session is
// then idling until Done.
func (c *Client) Idle() (string, error) {
	tag := c.nextTag()
	if _, err := c.bw.WriteString(tag + " IDLE\r\n"); err != nil {
		return "", err
	}
	if err := c.bw.Flush(); err != nil {
		return "", err
	}
	for {
		if err := c.dec.ReadResponse(&c.r); err != nil {
			return "", fmt.Errorf("IDLE: %w", err)
		}
		switch {
		case c.r.Kind == wire.KindContinuation:
			return tag, nil
		case c.r.Kind == wire.KindStatus && c.r.Tag == tag:
			return "", &StatusError{Command: "IDLE", Status: c.r.Status, Text: c.r.Text}
		}
	}
}

// Done ends IDLE (tag is what Idle returned).
func (c *Client) Done(tag string) error {
	if _, err := c.bw.WriteString("DONE\r\n"); err != nil {
		return err
	}
	if err := c.bw.Flush(); err != nil {
		return err
	}
	return c.until(tag, "IDLE", nil)
}

// Append runs APPEND of a size-octet message read from msg to mailbox
// (an atom), with a synchronizing literal: the message is streamed after
// the server's continuation request.
func (c *Client) Append(mailbox string, size int64, msg io.Reader) error {
	tag := c.nextTag()
	fmt.Fprintf(c.bw, "%s APPEND %s {%d}\r\n", tag, mailbox, size)
	if err := c.bw.Flush(); err != nil {
		return err
	}
	for {
		if err := c.dec.ReadResponse(&c.r); err != nil {
			return fmt.Errorf("APPEND: %w", err)
		}
		if c.r.Kind == wire.KindContinuation {
			break
		}
		if c.r.Kind == wire.KindStatus && c.r.Tag == tag {
			return &StatusError{Command: "APPEND", Status: c.r.Status, Text: c.r.Text}
		}
	}
	n, err := io.Copy(c.bw, msg)
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("APPEND: message has %d octets, announced %d", n, size)
	}
	c.bw.WriteString("\r\n")
	if err := c.bw.Flush(); err != nil {
		return err
	}
	return c.until(tag, "APPEND", nil)
}

// Script is a batch of commands for pipelining: every command line, each
// with its own tag, in one buffer written at once.
type Script struct {
	buf  []byte
	tags []string
}

// NewScript builds a script of n commands; command(i) is the i-th
// command without its tag. Tags are "p0", "p1", ...
func NewScript(n int, command func(i int) string) *Script {
	s := &Script{tags: make([]string, n)}
	var b bytes.Buffer
	for i := range n {
		s.tags[i] = "p" + strconv.Itoa(i)
		b.WriteString(s.tags[i])
		b.WriteByte(' ')
		b.WriteString(command(i))
		b.WriteString("\r\n")
	}
	s.buf = b.Bytes()
	return s
}

// Len is the number of commands.
func (s *Script) Len() int { return len(s.tags) }

// Pipeline writes all of the script's commands at once (from a goroutine)
// while it reads the responses, and checks that every command completed
// OK, in order. It returns the number of untagged FETCH responses.
func (c *Client) Pipeline(s *Script) (fetches int, err error) {
	werr := make(chan error, 1)
	go func() {
		_, err := c.nc.Write(s.buf)
		werr <- err
	}()
	next := 0
	for next < len(s.tags) {
		if err := c.dec.ReadResponse(&c.r); err != nil {
			return fetches, fmt.Errorf("pipeline after %d completions: %w", next, err)
		}
		switch {
		case c.r.Kind == wire.KindFetch:
			fetches++
		case c.r.Kind == wire.KindStatus && c.r.Tag != "":
			if c.r.Tag != s.tags[next] {
				return fetches, fmt.Errorf("pipeline: completion of %q, want %q", c.r.Tag, s.tags[next])
			}
			if c.r.Status != wire.StatusOK {
				return fetches, &StatusError{Command: "pipelined " + c.r.Tag, Status: c.r.Status, Text: c.r.Text}
			}
			next++
		}
	}
	if err := <-werr; err != nil {
		return fetches, err
	}
	return fetches, nil
}
