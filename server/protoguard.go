package server

import (
	"errors"
	"net"
	"sync/atomic"
	"syscall"
)

// The protocol guard sits between the socket and redcon's reader. redcon parses the
// commands; the guard enforces what Redis enforces on the raw stream and redcon does
// not: multibulk and bulk length limits (proto-max-bulk-len), Redis's exact protocol
// error texts for them, header lines that never end, and empty multibulks ("*0", "*-1"),
// which Redis skips silently. On a violation the commands before it still run; the next
// read writes the error and fails, so redcon closes the connection, as Redis does.
//
// It also hands redcon whole commands only (unless one command is bigger than
// bigCommand): redcon grows its read buffer whenever a partial command sits at its end
// and never shrinks it, so a long pipelined stream would otherwise pin ever larger
// buffers.

const (
	maxHeaderLine = 64 << 10 // Redis's PROTO_INLINE_MAX_SIZE
	maxMultibulk  = 1<<31 - 1
	guardReadSize = 16 << 10
	bigCommand    = 64 << 10 // past this, an incomplete argument is handed over in parts
	// maxPartialCount bounds the argument count of a command handed over in parts.
	maxPartialCount = 1 << 20
)

var errProtocol = errors.New("protocol error")

type guardState uint8

const (
	atCommand  guardState = iota // at a command boundary
	inInline                     // inside an inline command line
	inMBHeader                   // inside "*<count>\r\n"
	atBulk                       // expecting "$" of the next argument
	inBulkHead                   // inside "$<len>\r\n"
	inBulkBody                   // inside an argument's bytes (and its CRLF)
)

type guardListener struct {
	net.Listener
	maxBulk *atomic.Int64
}

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &guardConn{Conn: c, maxBulk: l.maxBulk, headerAt: -1}, nil
}

type guardConn struct {
	net.Conn
	maxBulk *atomic.Int64

	state  guardState
	line   int64 // bytes of the current header or inline line
	num    int64 // the number being read in a header
	neg    bool  // the header's number has a minus sign
	digits int   // digits read in the header's number
	bad    bool  // the header's number is malformed
	args   int64 // arguments left in the current multibulk
	count  int64 // arguments the current multibulk declared
	body   int64 // bytes left in the current bulk, CRLF included

	raw      []byte // socket reads land here
	pending  []byte // checked bytes not yet handed to redcon
	bounds   []int  // offsets in pending where whole commands end, ascending
	headerAt int    // offset in pending of a multibulk header being read, or -1
	failMsg  string // the protocol error to send once pending is delivered
	readErr  error
}

// SyscallConn exposes the socket, so a parked client can watch for its peer closing.
func (g *guardConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := g.Conn.(syscall.Conn)
	if !ok {
		return nil, errors.New("not a socket")
	}
	return sc.SyscallConn()
}

func (g *guardConn) Read(p []byte) (int, error) {
	for len(g.bounds) == 0 && !g.bigArgument() && g.failMsg == "" && g.readErr == nil {
		if g.raw == nil {
			g.raw = make([]byte, guardReadSize)
		}
		n, err := g.Conn.Read(g.raw)
		g.scan(g.raw[:n])
		if err != nil {
			g.readErr = err
		}
	}
	if len(g.bounds) == 0 && !g.bigArgument() {
		// Nothing whole to hand over: an incomplete command at EOF is dropped.
		if g.failMsg != "" {
			_, _ = g.Conn.Write([]byte("-ERR Protocol error: " + g.failMsg + "\r\n"))
			return 0, errProtocol
		}
		return 0, g.readErr
	}
	k := 0
	for _, b := range g.bounds {
		if b > len(p) {
			break
		}
		k = b
	}
	if k == 0 { // no whole command fits: hand over what fits of the first
		k = min(len(p), len(g.pending))
	}
	copy(p, g.pending[:k])
	g.consume(k)
	return k, nil
}

// bigArgument reports an incomplete command that must reach redcon in parts: a single
// argument too big to buffer twice, in a command whose argument count redcon can walk.
// (redcon loops over the declared count on every read of a partial command.)
func (g *guardConn) bigArgument() bool {
	return g.state == inBulkBody && len(g.pending) >= bigCommand && g.count <= maxPartialCount
}

// consume drops the first k pending bytes.
func (g *guardConn) consume(k int) {
	g.pending = g.pending[:copy(g.pending, g.pending[k:])]
	kept := g.bounds[:0]
	for _, b := range g.bounds {
		if b > k {
			kept = append(kept, b-k)
		}
	}
	g.bounds = kept
	if g.headerAt >= 0 {
		g.headerAt = max(g.headerAt-k, 0)
	}
	if len(g.pending) == 0 && cap(g.pending) > bigCommand {
		g.pending = nil // a big command went through: do not keep its buffer
	}
}

// scan checks freshly read bytes and appends them to pending, recording command ends
// and dropping empty multibulks. It stops at the first protocol violation.
func (g *guardConn) scan(buf []byte) {
	for i := 0; i < len(buf); {
		if g.state == inBulkBody {
			// Argument bytes pass through in one step: only headers are examined.
			k := int(min(g.body, int64(len(buf)-i)))
			g.pending = append(g.pending, buf[i:i+k]...)
			i += k
			g.body -= int64(k)
			if g.body == 0 {
				g.endArgument()
				if g.state == atCommand {
					g.bounds = append(g.bounds, len(g.pending))
				}
			}
			continue
		}
		c := buf[i]
		i++
		if msg := g.step(c); msg != "" {
			g.failMsg = msg
			return
		}
		if g.state == inMBHeader && g.line == 1 {
			g.headerAt = len(g.pending) // the '*' of a new command
		}
		if g.state == atCommand && g.headerAt >= 0 && c == '\n' && g.args == 0 {
			// An empty multibulk just ended: Redis skips it.
			g.pending = g.pending[:g.headerAt]
			g.headerAt = -1
			continue
		}
		g.pending = append(g.pending, c)
		if g.state != inMBHeader {
			g.headerAt = -1
		}
		if g.state == atCommand {
			g.bounds = append(g.bounds, len(g.pending))
		}
	}
}

// step advances the state machine by one byte and returns a protocol error, if any.
func (g *guardConn) step(c byte) string {
	switch g.state {
	case atCommand:
		if c == '*' {
			g.startHeader(inMBHeader)
			return ""
		}
		g.state, g.line = inInline, 0
		return g.inline(c)
	case inInline:
		return g.inline(c)
	case inMBHeader, inBulkHead:
		g.line++
		if c != '\n' {
			if g.line > maxHeaderLine {
				if g.state == inMBHeader {
					return "too big mbulk count string"
				}
				return "too big bulk count string"
			}
			g.digit(c)
			return ""
		}
		return g.endHeader()
	case atBulk:
		if c != '$' {
			return "expected '$', got '" + string(c) + "'"
		}
		g.startHeader(inBulkHead)
	}
	return ""
}

// endArgument moves past a complete argument.
func (g *guardConn) endArgument() {
	g.args--
	if g.args == 0 {
		g.state = atCommand
	} else {
		g.state = atBulk
	}
}

func (g *guardConn) startHeader(s guardState) {
	g.state, g.line, g.num, g.neg, g.digits, g.bad = s, 1, 0, false, 0, false
}

// digit reads one byte of a header's number (the CR before LF is allowed).
func (g *guardConn) digit(c byte) {
	switch {
	case c == '\r':
	case c == '-' && g.digits == 0 && !g.neg:
		g.neg = true
	case c >= '0' && c <= '9' && !g.bad:
		if g.num > (1<<62)/10 {
			g.bad = true
			return
		}
		g.num = g.num*10 + int64(c-'0')
		g.digits++
	default:
		g.bad = true
	}
}

func (g *guardConn) endHeader() string {
	n := g.num
	if g.neg {
		n = -n
	}
	valid := !g.bad && g.digits > 0
	if g.state == inMBHeader {
		switch {
		case !valid || n > maxMultibulk:
			return "invalid multibulk length"
		case n <= 0:
			g.state = atCommand
		default:
			g.state, g.args, g.count = atBulk, n, n
		}
		return ""
	}
	if !valid || n < 0 || n > g.maxBulk.Load() {
		return "invalid bulk length"
	}
	g.state, g.body = inBulkBody, n+2
	return ""
}

func (g *guardConn) inline(c byte) string {
	g.line++
	if c == '\n' {
		g.state = atCommand
		return ""
	}
	if g.line > maxHeaderLine {
		return "too big inline request"
	}
	return ""
}
