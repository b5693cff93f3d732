package server

import (
	"errors"
	"net"
	"sync/atomic"
)

// The protocol guard sits between the socket and redcon's reader. redcon parses the
// commands; the guard enforces what Redis enforces on the raw stream and redcon does
// not: multibulk and bulk length limits (proto-max-bulk-len), Redis's exact protocol
// error texts for them, header lines that never end, and empty multibulks ("*0", "*-1"),
// which Redis skips silently. On a violation the commands before it still run; the next
// read writes the error and fails, so redcon closes the connection, as Redis does.

const (
	maxHeaderLine  = 64 << 10 // Redis's PROTO_INLINE_MAX_SIZE
	maxMultibulk   = 1<<31 - 1
	heldHeaderSize = 24 // a valid "*<count>\r\n" header is never longer
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
	return &guardConn{Conn: c, maxBulk: l.maxBulk}, nil
}

type guardConn struct {
	net.Conn
	maxBulk *atomic.Int64

	state   guardState
	line    int64  // bytes of the current header or inline line
	num     int64  // the number being read in a header
	neg     bool   // the header's number has a minus sign
	digits  int    // digits read in the header's number
	bad     bool   // the header's number is malformed
	args    int64  // arguments left in the current multibulk
	body    int64  // bytes left in the current bulk, CRLF included
	held    []byte // an incomplete "*<count>" header at a command boundary
	failMsg string // the error to send on the next read
}

func (g *guardConn) Read(p []byte) (int, error) {
	if g.failMsg != "" {
		_, _ = g.Conn.Write([]byte("-ERR Protocol error: " + g.failMsg + "\r\n"))
		return 0, errProtocol
	}
	h := copy(p, g.held)
	g.held = g.held[:0]
	n, err := g.Conn.Read(p[h:])
	if n <= 0 {
		if h > 0 { // give the held bytes back: nothing new to add them to
			g.held = append(g.held, p[:h]...)
		}
		return 0, err
	}
	return g.scan(p[:h+n], h), err
}

// scan checks buf (whose first from bytes were already checked and held back), drops
// empty multibulks, holds back an incomplete header at its end, and returns how many
// bytes of buf to hand to redcon.
func (g *guardConn) scan(buf []byte, from int) int {
	out := 0       // bytes of buf kept so far (compacted in place)
	headerAt := -1 // start in buf of a multibulk header begun at a command boundary
	if from > 0 {
		headerAt = 0 // the held bytes are such a header
	}
	for i := 0; i < len(buf); {
		if g.state == inBulkBody && i >= from {
			// Argument bytes pass through in one step: only headers are examined.
			k := int(min(g.body, int64(len(buf)-i)))
			if out != i {
				copy(buf[out:], buf[i:i+k])
			}
			out, i = out+k, i+k
			g.body -= int64(k)
			if g.body == 0 {
				g.endArgument()
			}
			continue
		}
		c := buf[i]
		if i >= from {
			if msg := g.step(c); msg != "" {
				g.failMsg = msg
				return out
			}
		}
		i++
		switch {
		case g.state == inMBHeader && headerAt < 0 && g.line == 1:
			headerAt = out // the '*' of a new command
		case headerAt >= 0 && g.state != inMBHeader:
			// The header just ended: an empty multibulk is dropped, any other kept.
			if g.state == atCommand {
				out = headerAt
				headerAt = -1
				continue
			}
			headerAt = -1
		}
		buf[out] = c
		out++
	}
	if headerAt >= 0 && out-headerAt <= heldHeaderSize {
		g.held = append(g.held, buf[headerAt:out]...)
		out = headerAt
	}
	return out
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
			g.state, g.args = atBulk, n
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
