package server

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"testing"
)

// chunkConn serves data in reads of random sizes, then io.EOF.
type chunkConn struct {
	net.Conn
	data []byte
	r    *rand.Rand
	out  bytes.Buffer
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.r.IntN(3000))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func (c *chunkConn) Write(p []byte) (int, error) { return c.out.Write(p) }

// readAll runs the reader over conn as redcon would and returns every command.
func readAll(t *testing.T, conn net.Conn) (cmds [][][]byte, g *guardConn, err error) {
	t.Helper()
	limits := &guardLimits{}
	limits.maxBulk.Store(512 << 20)
	limits.maxQuery.Store(1 << 30)
	g = &guardConn{Conn: conn, limits: limits, bulkLen: -1}
	p := make([]byte, 4096)
	for {
		n, err := g.Read(p)
		if err != nil {
			return cmds, g, err
		}
		if !bytes.Equal(p[:n], batchMarker) {
			t.Fatalf("redcon got %q, not the batch marker", p[:n])
		}
		for args, ok := g.nextCommand(); ok; args, ok = g.nextCommand() {
			cmds = append(cmds, copyArgs(args))
		}
	}
}

// TestReaderRandomChunks parses random pipelines, multibulk and inline, small and big
// arguments, delivered in random pieces, and requires every command back intact.
func TestReaderRandomChunks(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		r := rand.New(rand.NewPCG(seed, 0))
		var stream []byte
		var want [][][]byte
		for i := 0; i < 300; i++ {
			var args [][]byte
			if r.IntN(5) == 0 { // inline: plain words
				line := []byte("  ")
				for j := 0; j < 1+r.IntN(4); j++ {
					w := []byte(fmt.Sprintf("w%d", r.IntN(1000)))
					args = append(args, w)
					line = append(append(line, w...), ' ')
				}
				stream = append(append(stream, line...), "\r\n"...)
			} else {
				for j := 0; j < 1+r.IntN(6); j++ {
					n := r.IntN(80)
					if r.IntN(30) == 0 {
						n = 20000 + r.IntN(200000)
					}
					a := make([]byte, n)
					for k := range a {
						a[k] = byte(r.IntN(256))
					}
					args = append(args, a)
				}
				stream = append(stream, encodeArgs(args)...)
			}
			want = append(want, args)
		}
		got, g, err := readAll(t, &chunkConn{data: stream, r: r})
		if err != io.EOF {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d commands, want %d", seed, len(got), len(want))
		}
		for i := range want {
			if len(got[i]) != len(want[i]) {
				t.Fatalf("seed %d: command %d has %d arguments, want %d", seed, i, len(got[i]), len(want[i]))
			}
			for j := range want[i] {
				if !bytes.Equal(got[i][j], want[i][j]) {
					t.Fatalf("seed %d: command %d argument %d differs", seed, i, j)
				}
			}
		}
		if cap(g.buf) > keepBuffer {
			t.Fatalf("seed %d: an empty reader keeps a %d-byte buffer", seed, cap(g.buf))
		}
		if got := g.inBytes.Load(); got != int64(len(stream)) {
			t.Fatalf("seed %d: counted %d bytes read, want %d", seed, got, len(stream))
		}
	}
}

// TestReaderInline checks the splitting of inline requests.
func TestReaderInline(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // arguments joined by "|"; "ERR" for a protocol error
	}{
		{"PING\r\n", []string{"PING"}},
		{"PING\n", []string{"PING"}},
		{"  SET  a   b \r\n", []string{"SET|a|b"}},
		{"\r\n \r\nPING\r\n", []string{"PING"}},
		{`ECHO "a b" 'c d'` + "\r\n", []string{"ECHO|a b|c d"}},
		{`ECHO "\x41\n\t\\\"\q"` + "\r\n", []string{"ECHO|A\n\t\\\"q"}},
		{`ECHO "\x4" "\xZZ"` + "\r\n", []string{"ECHO|x4|xZZ"}},
		{`ECHO 'it\'s' '\n'` + "\r\n", []string{`ECHO|it's|\n`}},
		{`ECHO a"b c" d'e f'` + "\r\n", []string{"ECHO|ab c|de f"}},
		{`ECHO "" ''` + "\r\n", []string{"ECHO||"}},
		{"ECHO\ta\x0bb\r\n", []string{"ECHO|a\x0bb"}},
		{`ECHO "a"b` + "\r\n", []string{"ERR"}},
		{`ECHO a"b c"d` + "\r\n", []string{"ERR"}},
		{`ECHO "abc` + "\r\n", []string{"ERR"}},
		{`ECHO "abc\` + "\r\n", []string{"ERR"}},
		{"PING\r\nPI\x00NG\r\nPING\r\n", []string{"PING"}}, // the NUL line never ends
	} {
		got, g, err := readAll(t, &chunkConn{data: []byte(tc.in), r: rand.New(rand.NewPCG(1, 2))})
		var joined []string
		for _, args := range got {
			joined = append(joined, string(bytes.Join(args, []byte("|"))))
		}
		if err == errProtocol {
			joined = append(joined, "ERR")
			if g.failMsg != "unbalanced quotes in request" {
				t.Errorf("%q: protocol error %q", tc.in, g.failMsg)
			}
		}
		if fmt.Sprintf("%q", joined) != fmt.Sprintf("%q", tc.want) {
			t.Errorf("%q: got %q, want %q", tc.in, joined, tc.want)
		}
	}
}

func encodeArgs(args [][]byte) []byte {
	b := fmt.Appendf(nil, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n", len(a))
		b = append(append(b, a...), "\r\n"...)
	}
	return b
}

// TestCIndex checks cIndex against its definition around the short-scan boundary.
func TestCIndex(t *testing.T) {
	want := func(b []byte, c byte) int {
		for i, x := range b {
			if x == c {
				return i
			}
			if x == 0 {
				return -1
			}
		}
		return -1
	}
	for n := 0; n < 70; n++ {
		for at := -1; at < n; at++ {
			for nul := -1; nul < n; nul += 7 {
				b := bytes.Repeat([]byte{'x'}, n)
				if nul >= 0 {
					b[nul] = 0
				}
				if at >= 0 {
					b[at] = '\r'
				}
				if got, w := cIndex(b, '\r'), want(b, '\r'); got != w {
					t.Fatalf("cIndex(%q) = %d, want %d", b, got, w)
				}
			}
		}
	}
}
