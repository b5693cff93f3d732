package compat

import (
	"net"
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
		_, err = c.Write([]byte(payload))
		require.NoError(t, err)
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
	}
	for _, p := range payloads {
		for _, trickle := range []bool{false, true} {
			want := exchange(t, ref, p, trickle)
			got := exchange(t, srv.Addr(), p, trickle)
			require.Equal(t, want, got, "payload %q (trickled: %v)", p, trickle)
		}
	}
	// The server still serves new connections afterwards.
	require.Equal(t, "+PONG\r\n", dialRaw(t, srv.Addr()).Do(t, "PING"))
}
