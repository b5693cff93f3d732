package server

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/store"
)

// The request reader. redcon owns the connections: accept, the write buffer, closing.
// Reading the request stream is Cinnabar's own, done here the way Redis's networking.c
// does it:
//
//   - Redis's limits and exact protocol errors (proto-max-bulk-len, 64 KiB header and
//     inline lines, "expected '$'", ...), empty multibulks skipped, two bytes skipped
//     after a bulk without checking them, inline requests split with quotes and
//     escapes as sdssplitargs splits them, line ends found as strchr finds them;
//   - incremental parsing: a partial command is never parsed again from its start,
//     and a huge declared count costs nothing until its arguments arrive;
//   - no allocation per command: the arguments are slices of the connection's read
//     buffer, valid until the next batch is read (MULTI and blocking copy theirs).
//
// redcon reads from this connection too, but only sees a 16-byte placeholder command
// (batchMarker) once the first batch is whole. Its handler (Server.serveCommand) then
// runs the connection's loop, as redcon's own loop would: every whole command read,
// one flush, the next batch (nextBatch). When that loop ends, redcon reads again and
// gets the error that ends the connection: on a protocol violation the commands before
// it have run, and the error is written before the connection closes, as Redis does.
// (redcon's own parsing cost two allocations and a copy per command, and per batch a
// slice, its buffer's regrowth, and a split reply when a batch straddled its 4 KiB
// buffer.)

const (
	maxHeaderLine = 64 << 10 // Redis's PROTO_INLINE_MAX_SIZE
	maxMultibulk  = 1<<31 - 1
	readBuffer    = 16 << 10 // a new buffer's size (Redis's PROTO_IOBUF_LEN)
	minRead       = 4 << 10  // the buffer grows when less than this is free
	keepBuffer    = 64 << 10 // a bigger buffer is dropped once it is empty
	keepArgs      = 1 << 10  // argument tables longer than this are dropped after a batch
)

// batchMarker is the one command redcon parses.
var batchMarker = []byte("*1\r\n$6\r\nBATCH!\r\n")

var (
	errProtocol   = errors.New("protocol error")
	errQueryLimit = errors.New("client-query-buffer-limit reached")
)

type guardListener struct {
	net.Listener
	limits *guardLimits
}

// guardLimits are the request limits the server's configuration sets.
type guardLimits struct {
	maxBulk  atomic.Int64 // proto-max-bulk-len
	maxQuery atomic.Int64 // client-query-buffer-limit
}

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	g := &guardConn{Conn: c, limits: l.limits, bulkLen: -1}
	if sc, ok := c.(syscall.Conn); ok {
		g.raw, _ = sc.SyscallConn()
		g.readFn, g.writeFn = g.rawRead, g.rawWrite // bound once: a call allocates nothing
	}
	return g, nil
}

// guardConn is a client socket and the parser of its request stream. Everything but
// inBytes belongs to the connection's goroutine.
type guardConn struct {
	net.Conn
	limits *guardLimits
	raw    syscall.RawConn // the socket, for readSocket and Write; nil if not a socket

	// The raw calls' arguments and results (readSocket, Write). Reads are the
	// connection goroutine's; writes come from it and from an asynchronous output's
	// writer, so wmu orders them.
	rbuf    []byte
	rn      uintptr
	rerrno  syscall.Errno
	readFn  func(fd uintptr) bool
	wmu     sync.Mutex
	wbuf    []byte
	wdone   int
	werrno  syscall.Errno
	writeFn func(fd uintptr) bool

	buf       []byte // buf[:n] is what was read and not yet released
	n         int
	pos       int   // parse position
	start     int   // where the command being parsed starts
	multibulk int64 // arguments the current multibulk still expects; 0 between commands
	bulkLen   int64 // length of the next argument; -1 before its "$" header

	// marks holds pairs of offsets in buf: the arguments of the batch's commands, then
	// those of the incomplete command. ends[i] is len(marks) after command i.
	marks []int
	ends  []int
	next  int      // the batch's next command for nextCommand
	argv  [][]byte // nextCommand's result, reused

	// authRequired reports a client that must still authenticate: Redis then refuses
	// more than 10 arguments or one of more than 16 KiB before parsing them.
	authRequired func() bool
	// bufCap is cap(buf), for other goroutines (Client.memUsage); grew is told when it grows.
	bufCap atomic.Int64
	grew   func()
	// overQuery reports a client dropped for client-query-buffer-limit, with its buffer.
	overQuery func(pending []byte)

	// interrupted is set by interrupt, from another goroutine, to make a waiting read
	// return and onInterrupt run on the connection's goroutine.
	interrupted atomic.Bool
	onInterrupt func()

	marker  []byte // marker bytes redcon has not read yet
	failMsg string // the protocol error to send once the batch before it has run
	readErr error

	inBytes atomic.Int64 // bytes read (total_net_input_bytes); written by its goroutine only
}

// SyscallConn exposes the socket, so a parked client can watch for its peer closing
// (under TLS too: the socket beneath).
func (g *guardConn) SyscallConn() (syscall.RawConn, error) {
	nc := g.Conn
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil, errors.New("not a socket")
	}
	return sc.SyscallConn()
}

// interrupt makes the connection's goroutine, if it waits for a request, run
// onInterrupt and wait again; a busy one is not disturbed. Not under TLS, whose stream
// a timed-out read may leave unusable.
func (g *guardConn) interrupt() {
	if g.raw == nil || !g.interrupted.CompareAndSwap(false, true) {
		return
	}
	_ = g.Conn.SetReadDeadline(time.Unix(1, 0))
}

// Read is redcon's view of the stream: the marker when a batch is whole (once, as
// serveCommand then reads the batches itself); at the end, the error that ends the
// connection, after writing a protocol error.
func (g *guardConn) Read(p []byte) (int, error) {
	if len(g.marker) == 0 {
		if !g.nextBatch() {
			if g.failMsg != "" {
				msg := strings.NewReplacer("\r", " ", "\n", " ").Replace(g.failMsg)
				_, _ = g.Write([]byte("-ERR Protocol error: " + msg + "\r\n"))
				return 0, errProtocol
			}
			return 0, g.readErr // an incomplete command at EOF is dropped
		}
		g.marker = batchMarker
	}
	k := copy(p, g.marker)
	g.marker = g.marker[k:]
	return k, nil
}

// nextBatch releases the current batch and reads until the next one is whole; false
// means the connection must end (a protocol error or a read error).
func (g *guardConn) nextBatch() bool {
	g.release()
	for {
		g.parse() // what the last read brought may not be parsed yet (see unauthenticated)
		switch {
		case len(g.ends) > 0:
			return true
		case g.failMsg != "" || g.readErr != nil:
			return false
		}
		g.fill()
	}
}

// nextCommand returns the arguments of the batch's next command, or false when the batch
// is done. They are valid until the batch is released: a caller that keeps them copies.
func (g *guardConn) nextCommand() ([][]byte, bool) {
	if g.next >= len(g.ends) {
		return nil, false
	}
	from := 0
	if g.next > 0 {
		from = g.ends[g.next-1]
	}
	g.argv = g.argv[:0]
	for i := from; i < g.ends[g.next]; i += 2 {
		s, e := g.marks[i], g.marks[i+1]
		g.argv = append(g.argv, g.buf[s:e:e])
	}
	g.next++
	return g.argv, true
}

// release forgets the batch that has run.
func (g *guardConn) release() {
	if len(g.ends) > 0 {
		done := g.ends[len(g.ends)-1]
		g.marks = g.marks[:copy(g.marks, g.marks[done:])]
		g.ends, g.next = g.ends[:0], 0
		clear(g.argv[:cap(g.argv)]) // no view of a buffer that may be dropped below
		if cap(g.argv) > keepArgs {
			g.argv = nil
		}
		if cap(g.marks) > 2*keepArgs && len(g.marks) == 0 {
			g.marks = nil
		}
		if cap(g.ends) > keepArgs {
			g.ends = nil
		}
	}
	if raceEnabled {
		// Race-detector builds (the test suites) overwrite what the batch used, so a
		// handler that keeps an argument past its call fails tests instead of seeing
		// later requests' bytes in production.
		for i := range g.buf[:g.start] {
			g.buf[i] = 0xAA
		}
	}
	if g.start == g.n { // nothing incomplete: start over at the buffer's head
		g.n, g.pos, g.start = 0, 0, 0
		if cap(g.buf) > keepBuffer {
			g.buf = nil
			g.bufCap.Store(0)
		}
	}
}

// fill reads from the socket into the buffer, first making room: the incomplete
// command moves to the head (its marks move with it), and the buffer doubles when
// that is not enough.
func (g *guardConn) fill() {
	if len(g.buf)-g.n < minRead {
		if g.start > 0 {
			copy(g.buf, g.buf[g.start:g.n])
			for i := range g.marks {
				g.marks[i] -= g.start
			}
			g.n, g.pos, g.start = g.n-g.start, g.pos-g.start, 0
		}
		if len(g.buf)-g.n < minRead {
			grown := make([]byte, max(2*len(g.buf), readBuffer))
			copy(grown, g.buf[:g.n])
			g.buf = grown
			g.bufCap.Store(int64(cap(grown)))
			if g.grew != nil {
				g.grew()
			}
		}
	}
	k, err := g.readSocket(g.buf[g.n:])
	g.n += k
	g.inBytes.Store(g.inBytes.Load() + int64(k))
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) && g.interrupted.CompareAndSwap(true, false) {
		_ = g.Conn.SetReadDeadline(time.Time{})
		g.onInterrupt()
		return // the caller reads again
	}
	if err != nil {
		g.readErr = err
	}
	if int64(g.n-g.start) > g.limits.maxQuery.Load() {
		// Redis drops the client, unanswered, once what it has read and not yet run
		// outgrows the limit.
		if g.overQuery != nil {
			g.overQuery(g.buf[g.start:g.n])
		}
		g.readErr = errQueryLimit
	}
}

// Socket reads and writes are raw system calls, made through the runtime's poller
// (RawConn) so that it still parks the goroutine until the socket is ready. Raw calls
// skip the runtime's entersyscall, which is safe for a non-blocking socket (they never
// block) and saves more than its own cost: with all its goroutines parked the runtime
// puts its sysmon thread to sleep, and the next entersyscall wakes it, after which it
// polls every 20 µs for a millisecond; a server answering one command at a time to
// each client wakes it all the time (5–10% of its CPU in context switches, measured).

// readSocket reads what the socket has, waiting until it has something.
func (g *guardConn) readSocket(p []byte) (int, error) {
	if g.raw == nil || len(p) == 0 {
		return g.Conn.Read(p)
	}
	g.rbuf = p
	err := g.raw.Read(g.readFn)
	g.rbuf = nil
	switch {
	case err != nil:
		return 0, err
	case g.rerrno != 0:
		return 0, g.rerrno
	case g.rn == 0:
		return 0, io.EOF
	}
	return int(g.rn), nil
}

func (g *guardConn) rawRead(fd uintptr) bool {
	for {
		g.rn, _, g.rerrno = syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&g.rbuf[0])), uintptr(len(g.rbuf)))
		switch g.rerrno {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // wait until readable
		}
		return true
	}
}

// Write writes all of p to the socket, waiting while its buffer is full (redcon
// flushes replies, and the asynchronous output writes pushes, through it).
func (g *guardConn) Write(p []byte) (int, error) {
	if g.raw == nil {
		return g.Conn.Write(p)
	}
	g.wmu.Lock()
	defer g.wmu.Unlock()
	g.wbuf, g.wdone, g.werrno = p, 0, 0
	err := g.raw.Write(g.writeFn)
	g.wbuf = nil
	if err == nil && g.werrno != 0 {
		err = g.werrno
	}
	return g.wdone, err
}

func (g *guardConn) rawWrite(fd uintptr) bool {
	for g.wdone < len(g.wbuf) {
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&g.wbuf[g.wdone])), uintptr(len(g.wbuf)-g.wdone))
		switch errno {
		case 0:
			g.wdone += int(n)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false // wait until writable
		default:
			g.werrno = errno
			return true
		}
	}
	return true
}

// parse splits buf[pos:n] into commands until it meets an incomplete one or a protocol
// violation.
func (g *guardConn) parse() {
	for g.failMsg == "" {
		if g.multibulk == 0 { // at a command boundary
			g.start = g.pos
			if g.pos == g.n {
				return
			}
			var ok bool
			if g.buf[g.pos] == '*' {
				ok = g.parseCount()
			} else {
				ok = g.parseInline()
			}
			if !ok {
				return
			}
			continue
		}
		if g.bulkLen < 0 && !g.parseBulkLen() {
			return
		}
		if int64(g.n-g.pos) < g.bulkLen+2 {
			return
		}
		end := g.pos + int(g.bulkLen)
		g.marks = append(g.marks, g.pos, end)
		g.pos, g.bulkLen = end+2, -1 // the two bytes after an argument are not checked
		if g.multibulk--; g.multibulk == 0 {
			g.ends = append(g.ends, len(g.marks))
		}
	}
}

// header finds the end of the header line at pos: the index of its '\r' in buf[pos:n]
// once the byte after it has arrived, or -1; over 64 KiB without one, it fails with
// tooBig.
func (g *guardConn) header(tooBig string) int {
	rest := g.buf[g.pos:g.n]
	i := cIndex(rest, '\r')
	if i < 0 {
		if len(rest) > maxHeaderLine {
			g.fail(tooBig)
		}
		return -1
	}
	if i > len(rest)-2 {
		return -1
	}
	return i
}

// parseCount reads "*<count>\r\n"; it reports whether it moved on.
func (g *guardConn) parseCount() bool {
	i := g.header("too big mbulk count string")
	if i < 0 {
		return false
	}
	n, ok := store.ParseInt(g.buf[g.pos+1 : g.pos+i])
	if !ok || n > maxMultibulk {
		g.fail("invalid multibulk length")
		return false
	}
	if n > 10 && g.unauthenticated("unauthenticated multibulk length") {
		return false
	}
	g.pos += i + 2
	if n > 0 { // an empty multibulk is skipped
		g.multibulk, g.bulkLen = n, -1
	}
	return true
}

// parseBulkLen reads "$<len>\r\n"; it reports whether it did.
func (g *guardConn) parseBulkLen() bool {
	i := g.header("too big bulk count string")
	if i < 0 {
		return false
	}
	if c := g.buf[g.pos]; c != '$' {
		g.fail("expected '$', got '" + string([]byte{c}) + "'")
		return false
	}
	n, ok := store.ParseInt(g.buf[g.pos+1 : g.pos+i])
	if !ok || n < 0 || n > g.limits.maxBulk.Load() {
		g.fail("invalid bulk length")
		return false
	}
	if n > 16<<10 && g.unauthenticated("unauthenticated bulk length") {
		return false
	}
	g.pos += i + 2
	g.bulkLen = n
	return true
}

// unauthenticated applies Redis's limits for clients that must still authenticate: it
// reports whether parsing stops here, failing with msg. Redis runs each command before
// it parses the next, so when the batch holds commands before this one (an AUTH,
// perhaps), parsing waits for them to run and the check is made again.
func (g *guardConn) unauthenticated(msg string) bool {
	if g.authRequired == nil || !g.authRequired() {
		return false
	}
	if len(g.ends) == 0 {
		g.fail(msg)
	}
	return true
}

// parseInline reads one inline request line; it reports whether it moved on.
func (g *guardConn) parseInline() bool {
	rest := g.buf[g.pos:g.n]
	i := cIndex(rest, '\n')
	if i < 0 {
		if len(rest) > maxHeaderLine {
			g.fail("too big inline request")
		}
		return false
	}
	end := g.pos + i
	if i > 0 && rest[i-1] == '\r' {
		end--
	}
	before := len(g.marks)
	if !g.splitInline(g.pos, end) {
		g.fail("unbalanced quotes in request")
		return false
	}
	g.pos += i + 1
	if len(g.marks) > before { // a blank line is skipped
		g.ends = append(g.ends, len(g.marks))
	}
	return true
}

// fail records a protocol violation; the incomplete command is dropped.
func (g *guardConn) fail(msg string) {
	g.failMsg = msg
	done := 0
	if len(g.ends) > 0 {
		done = g.ends[len(g.ends)-1]
	}
	g.marks = g.marks[:done]
}

// splitInline splits buf[from:to] into arguments as sdssplitargs does: separated by
// spaces, each may be "double quoted" (with \n \r \t \b \a \xHH and \<char> escapes)
// or 'single quoted' (with \'), and a closing quote must be followed by a space or the
// end. Escapes are decoded in place, since an argument is never longer than its
// source. It appends the arguments' marks and reports false on unbalanced quotes.
func (g *guardConn) splitInline(from, to int) bool {
	b := g.buf
	i := from
	for {
		for i < to && isCSpace(b[i]) {
			i++
		}
		if i == to {
			return true
		}
		start, w := i, i
		var quote byte // the open quote, if any
	arg:
		for {
			if i == to {
				if quote != 0 {
					return false
				}
				break
			}
			c := b[i]
			switch {
			case quote == '"' && c == '\\' && i+3 < to && b[i+1] == 'x' && isHex(b[i+2]) && isHex(b[i+3]):
				b[w] = hexVal(b[i+2])<<4 | hexVal(b[i+3])
				i += 4
			case quote == '"' && c == '\\' && i+1 < to:
				i++
				switch c = b[i]; c {
				case 'n':
					c = '\n'
				case 'r':
					c = '\r'
				case 't':
					c = '\t'
				case 'b':
					c = '\b'
				case 'a':
					c = '\a'
				}
				b[w] = c
				i++
			case quote == '\'' && c == '\\' && i+1 < to && b[i+1] == '\'':
				b[w] = '\''
				i += 2
			case quote != 0 && c == quote:
				if i+1 < to && !isCSpace(b[i+1]) {
					return false
				}
				i++
				break arg
			case quote == 0 && (c == ' ' || c == '\n' || c == '\r' || c == '\t'):
				i++
				break arg
			case quote == 0 && (c == '"' || c == '\''):
				quote = c
				i++
				continue
			default:
				b[w] = c
				i++
			}
			w++
		}
		g.marks = append(g.marks, start, w)
	}
}

// cIndex returns the index of the first c in b, or -1, as C's strchr finds it: a NUL
// byte ends the search. Redis finds line ends that way, so a NUL before a line's end
// keeps the line open until the 64 KiB limit.
func cIndex(b []byte, c byte) int {
	// Most lines are length headers of a few bytes, where a plain loop beats two
	// IndexByte calls (their setup was 7% of the server's CPU under HSET -P 16).
	for i, x := range b[:min(len(b), 32)] {
		switch x {
		case c:
			return i
		case 0:
			return -1
		}
	}
	if len(b) <= 32 {
		return -1
	}
	i := bytes.IndexByte(b[32:], c)
	if i < 0 || bytes.IndexByte(b[32:32+i], 0) >= 0 {
		return -1
	}
	return 32 + i
}

// isCSpace is C's isspace.
func isCSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
