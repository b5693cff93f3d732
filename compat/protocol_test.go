package compat

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// exchange writes payload to addr (one byte at a time when trickle is set) and returns
// everything the server sends back, with "<closed>" if it closed the connection.
func exchange(t *testing.T, addr, payload string, trickle bool) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	if trickle {
		for i := 0; i < len(payload); i++ {
			if _, err = c.Write([]byte{payload[i]}); err != nil {
				break // the server closed on a protocol error
			}
			time.Sleep(time.Millisecond)
		}
	} else {
		_, _ = c.Write([]byte(payload)) // an error: the server closed before reading it all
	}
	var out strings.Builder
	buf := make([]byte, 4096)
	for {
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
				out.WriteString("<closed>")
			}
			return out.String()
		}
	}
}

// TestProtocolErrorsDifferential sends malformed and unusual protocol to both servers:
// the replies, and whether the connection is closed, must match.
func TestProtocolErrorsDifferential(t *testing.T) {
	ref := referenceAddr(t)
	srv := startServer(t)
	payloads := []string{
		"*0\r\nPING\r\n",
		"*-1\r\nPING\r\n",
		"*abc\r\n",
		"*3000000000\r\n",
		"*1\r\n$-1\r\n",
		"*1\r\n$600000000\r\n",
		"*1\r\nfoo\r\n",
		"*1\r\n$abc\r\n",
		"PING\r\n*x\r\n",
		"\"unbalanced\r\n",
		"\r\n\r\nPING\r\n",
		"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*0\r\n*1\r\n$4\r\nPING\r\n",
		"PING\r\nECHO hello\r\nSET k 'quoted value'\r\nGET k\r\n",
		"*1\r\n$4\r\nPING\r\n*1\r\n$99999999999\r\n",
		// Numbers as Redis's string2ll reads them: no leading zero, no "-0", no "+".
		"*01\r\n$4\r\nPING\r\n",
		"*-0\r\n",
		"*+1\r\n$4\r\nPING\r\n",
		"*1\r\n$04\r\nPING\r\n",
		"*1\r\n$-0\r\n",
		// The two bytes after a bulk are skipped unchecked; a line ends at its '\r'.
		"*1\r\n$2\r\nPING\r\n",
		"*1\r\n$4\r\nPINGXX*1\r\n$4\r\nPING\r\n",
		"*1\r\n$4\rPING\r\n",
		"*1\r\n\r\n",
		"*1\n$4\nPING\n",
		// A NUL ends the search for a line's end, as C's strchr does.
		"*1\x00\r\n$4\r\nPING\r\n",
		"PI\x00NG\r\nPING\r\n",
		"\xff\xfe\x00\x01\x02\r\n\x80\x81",
		// Inline requests: quotes, escapes, blanks.
		"ECHO \"\\x41\\x4a\\n\\t\\\\\\\"\\q\\x4\"\r\n",
		"ECHO 'it\\'s' \"\"\r\n",
		"ECHO a\"b c\"d\r\n",
		"ECHO a\"b c\" d'e f'\r\n",
		"ECHO \"a\"b\r\n",
		"ECHO 'a'b\r\n",
		"ECHO \"abc\\\r\n",
		"ECHO\ta\x0bb\r\n",
		"\x0b\x0c PING\r\n",
		"   \r\nPING\n",
		// An HTTP request (cross-protocol scripting): the connection closes, unanswered.
		"PING\r\nPOST / HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"PING\r\nHost: localhost\r\nPING\r\n",
		"*1\r\n$5\r\nhOsT:\r\n",
		"MULTI\r\npost\r\n",
		"GET / HTTP/1.1\r\nPING\r\n",
	}
	for _, p := range payloads {
		t.Run("", func(t *testing.T) {
			t.Parallel() // each exchange waits for 200 ms of silence
			for _, trickle := range []bool{false, true} {
				want := exchange(t, ref, p, trickle)
				got := exchange(t, srv.Addr(), p, trickle)
				require.Equal(t, want, got, "payload %q (trickled: %v)", p, trickle)
			}
		})
	}
	t.Cleanup(func() {
		// The server still serves new connections afterwards.
		require.Equal(t, "+PONG\r\n", dialRaw(t, srv.Addr()).Do(t, "PING"))
	})
}

// TestUnauthenticatedLimitsDifferential: a client that must still authenticate may not
// send more than 10 arguments or one over 16 KiB (Redis refuses them before parsing),
// but an AUTH earlier in the same pipeline lifts the limits for what follows it.
func TestUnauthenticatedLimitsDifferential(t *testing.T) {
	ref := referenceAddr(t)
	srv := startServer(t)
	for _, addr := range []string{ref, srv.Addr()} {
		admin := dialRaw(t, addr)
		require.Equal(t, "+OK\r\n", admin.Do(t, "CONFIG", "SET", "requirepass", "pw"))
		t.Cleanup(func() { admin.Do(t, "CONFIG", "SET", "requirepass", "") })
	}
	mget := "*12\r\n$4\r\nMGET\r\n" + strings.Repeat("$2\r\nnk\r\n", 11)
	big := "*2\r\n$4\r\nECHO\r\n$20000\r\n" + strings.Repeat("x", 20000) + "\r\n"
	for _, p := range []string{
		mget,
		big,
		"*10\r\n",
		"*2\r\n$4\r\nECHO\r\n$16384\r\n" + strings.Repeat("y", 16384) + "\r\n",
		"AUTH pw\r\n" + mget + big,
		"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n" + big,
		"AUTH wrong\r\n" + mget,
		"PING\r\n" + mget,
	} {
		want := exchange(t, ref, p, false)
		got := exchange(t, srv.Addr(), p, false)
		require.Equal(t, want, got, "payload %.80q", p)
	}
}

// TestQueryBufferLimitDifferential: a client whose unprocessed input outgrows
// client-query-buffer-limit is dropped unanswered; a command just under it, or a big
// argument still arriving, is not.
func TestQueryBufferLimitDifferential(t *testing.T) {
	ref := referenceAddr(t)
	srv := startServer(t)
	for _, addr := range []string{ref, srv.Addr()} {
		require.Equal(t, "+OK\r\n", dialRaw(t, addr).Do(t, "CONFIG", "SET", "client-query-buffer-limit", "1mb"))
	}
	t.Cleanup(func() { dialRaw(t, ref).Do(t, "CONFIG", "SET", "client-query-buffer-limit", "1gb") })
	set := func(n int, sent int) string {
		return "PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(n) + "\r\n" + strings.Repeat("x", sent)
	}
	payloads := []string{
		set(2<<20, 2<<20) + "\r\nPING\r\n", // over the limit: closed
		set(900<<10, 900<<10) + "\r\nPING\r\n",
		set(2<<20, 500<<10), // a big argument not yet whole, under the limit so far
	}
	for _, p := range payloads {
		want := exchange(t, ref, p, false)
		got := exchange(t, srv.Addr(), p, false)
		require.Equal(t, want, got, "payload of %d bytes", len(p))
	}
}
