package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// readHeader reads one reply's first line and returns its type byte and the text after
// it, without CRLF. body aliases r's buffer: it is valid until the next read.
func readHeader(r *bufio.Reader) (kind byte, body []byte, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return 0, nil, errors.New("protocol error: reply line longer than the read buffer")
		}
		return 0, nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return 0, nil, fmt.Errorf("protocol error: %q", line)
	}
	return line[0], line[1 : len(line)-2], nil
}

// readReply reads one RESP2 or RESP3 reply; sb (may be nil) receives its raw bytes. With
// a nil sb it skips the reply without allocating.
func readReply(r *bufio.Reader, sb *strings.Builder) error {
	kind, body, err := readHeader(r)
	if err != nil {
		return err
	}
	if sb != nil {
		sb.WriteByte(kind)
		sb.Write(body)
		sb.WriteString("\r\n")
	}
	switch kind {
	case '+', '-', ':', '_', '#', ',', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(string(body))
		if err != nil {
			return fmt.Errorf("protocol error: bulk length %q", body)
		}
		if n < 0 {
			return nil
		}
		if sb == nil {
			_, err = r.Discard(n + 2)
			return err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		sb.Write(buf)
		return nil
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(string(body))
		if err != nil {
			return fmt.Errorf("protocol error: aggregate length %q", body)
		}
		if kind == '%' || kind == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readReply(r, sb); err != nil {
				return err
			}
		}
		if kind == '|' { // an attribute precedes the real reply
			return readReply(r, sb)
		}
		return nil
	}
	return fmt.Errorf("protocol error: type %q", kind)
}

// serverError is an error reply, as opposed to an I/O or protocol failure.
type serverError string

func (e serverError) Error() string { return "server replied -" + string(e) }

// readExpect reads a reply that must have type kind; it returns the body, or the reply
// as a serverError when it is an error.
func readExpect(r *bufio.Reader, kind byte) ([]byte, error) {
	k, body, err := readHeader(r)
	switch {
	case err != nil:
		return nil, err
	case k == '-':
		return nil, serverError(body)
	case k != kind:
		return nil, fmt.Errorf("unexpected reply %q%s, want type %q", k, body, kind)
	}
	return body, nil
}

// readInt reads an integer reply (also an aggregate's length, with kind '*').
func readInt(r *bufio.Reader, kind byte) (int64, error) {
	body, err := readExpect(r, kind)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(body), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("protocol error: %q is not a number", body)
	}
	return n, nil
}

// readStatus reads a simple-string reply that must be want (OK, QUEUED, ...).
func readStatus(r *bufio.Reader, want string) error {
	body, err := readExpect(r, '+')
	if err == nil && string(body) != want {
		err = fmt.Errorf("reply +%s, want +%s", body, want)
	}
	return err
}

// readBulk appends a bulk string reply's bytes to dst; a null bulk appends nothing.
func readBulk(r *bufio.Reader, dst []byte) ([]byte, error) {
	n, err := readInt(r, '$')
	if err != nil || n < 0 {
		return dst, err
	}
	start := len(dst)
	dst = slices.Grow(dst, int(n)+2)[:start+int(n)+2]
	if _, err := io.ReadFull(r, dst[start:]); err != nil {
		return dst[:start], err
	}
	return dst[:len(dst)-2], nil
}

// deadlineConn gives every Read and Write its own deadline, so no network operation
// blocks longer than timeout while a busy connection pays for one deadline per system
// call rather than per command.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	// lastRead is when the last Read returned data (unix ns): when a subscriber's final
	// message arrived.
	lastRead atomic.Int64
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.lastRead.Store(time.Now().UnixNano())
	}
	return n, err
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	return c.Conn.Write(p)
}

// client is one connection of a load run: commands are appended to out and sent in one
// write by flush, replies are read from r.
type client struct {
	conn *deadlineConn
	r    *bufio.Reader
	out  []byte
}

func dial(addr string, timeout time.Duration) (*client, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	dc := &deadlineConn{Conn: c, timeout: timeout}
	return &client{conn: dc, r: bufio.NewReaderSize(dc, 64<<10)}, nil
}

func (c *client) flush() error {
	_, err := c.conn.Write(c.out)
	c.out = c.out[:0]
	return err
}
