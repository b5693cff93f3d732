package compat

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

var ctx = context.Background()

// reference is the redis-server shared by the differential tests of this binary.
var reference struct {
	once sync.Once
	cmd  *exec.Cmd
	addr string
	why  string // reason it is unavailable
}

func TestMain(m *testing.M) {
	code := m.Run()
	if reference.cmd != nil {
		_ = reference.cmd.Process.Kill()
		_ = reference.cmd.Wait()
	}
	os.Exit(code)
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// referenceAddr returns the address of the reference redis-server, or skips the test.
func referenceAddr(t testing.TB) string {
	t.Helper()
	reference.once.Do(func() {
		bin, err := exec.LookPath("redis-server")
		if err != nil {
			reference.why = "no redis-server binary on PATH (apt-get install redis-server)"
			return
		}
		port := freePort(t)
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--appendonly", "no", "--daemonize", "no", "--enable-debug-command", "yes")
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			reference.why = "cannot start redis-server: " + err.Error()
			return
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for i := 0; i < 200; i++ {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				reference.cmd, reference.addr = cmd, addr
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		reference.why = "redis-server did not start listening"
	})
	if reference.addr == "" {
		t.Skip("differential test skipped: " + reference.why)
	}
	return reference.addr
}

// startServer starts an in-process Cinnabar for the test.
func startServer(t testing.TB, opts ...cinnabartest.Option) *cinnabartest.Server {
	return cinnabartest.Start(t, opts...)
}

// newClient returns a go-redis client speaking protocol proto (2 or 3) to addr.
func newClient(t testing.TB, addr string, proto int) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// forEachProtocol runs f as a subtest with a RESP2 and a RESP3 go-redis client against
// a fresh server.
func forEachProtocol(t *testing.T, f func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client)) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			srv := startServer(t)
			f(t, srv, newClient(t, srv.Addr(), proto))
		})
	}
}

// rawConn sends commands and returns the replies as raw protocol bytes.
type rawConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t testing.TB, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &rawConn{c: c, r: bufio.NewReader(c)}
}

func encodeCommand(args []string) []byte {
	b := []byte(fmt.Sprintf("*%d\r\n", len(args)))
	for _, a := range args {
		b = append(b, fmt.Sprintf("$%d\r\n%s\r\n", len(a), a)...)
	}
	return b
}

// Do sends one command and returns its raw reply.
func (r *rawConn) Do(t testing.TB, args ...string) string {
	t.Helper()
	r.Send(t, encodeCommand(args))
	return r.Read(t)
}

// Send writes raw bytes.
func (r *rawConn) Send(t testing.TB, b []byte) {
	t.Helper()
	_ = r.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := r.c.Write(b)
	require.NoError(t, err)
}

// Read reads one complete reply.
func (r *rawConn) Read(t testing.TB) string {
	t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var sb strings.Builder
	require.NoError(t, readReply(r.r, &sb))
	return sb.String()
}

func readReply(r *bufio.Reader, sb *strings.Builder) error {
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	sb.WriteString(line)
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '$', '=', '!':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		sb.Write(buf)
	case '*', '~', '>', '%', '|':
		n, _ := strconv.Atoi(body)
		if line[0] == '%' || line[0] == '|' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readReply(r, sb); err != nil {
				return err
			}
		}
		if line[0] == '|' {
			return readReply(r, sb)
		}
	}
	return nil
}

// splitReplyItems splits an aggregate raw reply into its header and its raw elements.
func splitReplyItems(raw string) (string, []string) {
	r := bufio.NewReader(strings.NewReader(raw))
	header, _ := r.ReadString('\n')
	if header == "" || !strings.ContainsRune("*~%", rune(header[0])) {
		return raw, nil
	}
	n, _ := strconv.Atoi(strings.TrimSpace(header[1:]))
	if header[0] == '%' {
		n *= 2
	}
	items := make([]string, 0, n)
	for i := 0; i < n; i++ {
		var sb strings.Builder
		if readReply(r, &sb) != nil {
			return raw, nil
		}
		items = append(items, sb.String())
	}
	return header, items
}

// sortedReply normalises an aggregate reply whose order Redis leaves unspecified.
func sortedReply(raw string) string {
	header, items := splitReplyItems(raw)
	if items == nil {
		return raw
	}
	sort.Strings(items)
	return header + strings.Join(items, "")
}

// diffScript sends each line of script to Cinnabar and to the reference server on fresh
// connections (after FLUSHALL) and requires identical raw replies. A line is a command
// with arguments split on spaces (use \s for a space inside an argument, "" for an empty
// one); a line starting with "sort " compares the reply with its elements sorted.
// Blank lines and lines starting with # are skipped.
func diffScript(t *testing.T, script string) {
	t.Helper()
	ref := dialRaw(t, referenceAddr(t))
	srv := startServer(t)
	ours := dialRaw(t, srv.Addr())
	ref.Do(t, "FLUSHALL")
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		sorted := false
		if rest, ok := strings.CutPrefix(line, "sort "); ok {
			line, sorted = rest, true
		}
		args := scriptArgs(line)
		if args == nil {
			continue
		}
		want, got := ref.Do(t, args...), ours.Do(t, args...)
		if sorted {
			want, got = sortedReply(want), sortedReply(got)
		}
		require.Equal(t, want, got, "command: %s", line)
	}
}

// scriptArgs splits a script line into a command's arguments (see diffScript); it
// returns nil for a blank line or a comment.
func scriptArgs(line string) []string {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	var args []string
	for _, a := range strings.Fields(line) {
		if a == `""` {
			a = ""
		}
		args = append(args, strings.ReplaceAll(a, `\s`, " "))
	}
	return args
}

// diffRandom is a model-based differential test: gen produces random commands (and
// whether their reply order is unspecified); each runs on Cinnabar and on the reference
// server and the raw replies must match. The seed is logged so a failure can be replayed.
func diffRandom(t *testing.T, steps int, gen func(r *rand.Rand) (args []string, unordered bool)) {
	t.Helper()
	ref := dialRaw(t, referenceAddr(t))
	srv := startServer(t)
	ours := dialRaw(t, srv.Addr())
	ref.Do(t, "FLUSHALL")
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(uint64(seed), 0))
	for i := 0; i < steps; i++ {
		args, unordered := gen(r)
		want, got := ref.Do(t, args...), ours.Do(t, args...)
		if unordered {
			want, got = sortedReply(want), sortedReply(got)
		}
		require.Equal(t, want, got, "step %d: %q (seed %d)", i, args, seed)
	}
}
