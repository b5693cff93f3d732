package compat

import (
	"bytes"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// redisCLI runs redis-cli against the server with args and optional stdin, and returns
// its standard output. It skips the test when redis-cli is not installed.
func redisCLI(t *testing.T, srv *cinnabartest.Server, stdin string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not found on PATH (Debian: apt-get install redis-tools)")
	}
	cmd := exec.Command(bin, append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(srv.Port())}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Run(), "redis-cli %v: %s", args, errOut.String())
	return out.String()
}

func TestRedisCLI(t *testing.T) {
	srv := startServer(t)
	cli := func(args ...string) string { return redisCLI(t, srv, "", args...) }

	require.Equal(t, "PONG\n", cli("ping"))
	require.Equal(t, "OK\n", cli("set", "k", "v"))
	require.Equal(t, "v\n", cli("get", "k"))
	require.Equal(t, "(integer) 1\n", cli("--no-raw", "incr", "n"))
	require.Equal(t, "2\n", cli("incr", "n"))
	require.Equal(t, "\n", cli("get", "missing"))
	require.Equal(t, "(nil)\n", cli("--no-raw", "get", "missing"))
	require.Equal(t, "OK\n", cli("-n", "2", "set", "other", "db"))
	require.Equal(t, "db\n", cli("-n", "2", "get", "other"))
	require.Equal(t, "OK\n", redisCLI(t, srv, "from stdin", "-x", "set", "piped"))
	require.Equal(t, "from stdin\n", cli("get", "piped"))
	require.Contains(t, cli("info", "server"), "redis_version:7.0.15")
	require.Contains(t, cli("client", "list"), "cmd=client|list")
	require.Equal(t, "Redis ver. 7.0.15\n", cli("lolwut"))
	require.Contains(t, cli("-3", "--no-raw", "hello", "3"), `"proto"`)

	for i := 0; i < 5; i++ {
		cli("set", "user:"+strconv.Itoa(i), "x")
	}
	keys := strings.Fields(cli("--scan", "--pattern", "user:*"))
	sort.Strings(keys)
	require.Equal(t, []string{"user:0", "user:1", "user:2", "user:3", "user:4"}, keys)
	require.Len(t, strings.Fields(cli("--scan")), 8) // "other" is in db 2

	// Mass insertion with --pipe (it ends with an ECHO of a random marker).
	var pipe strings.Builder
	for i := 0; i < 100; i++ {
		pipe.WriteString(string(encodeCommand([]string{"SET", "bulk:" + strconv.Itoa(i), "v"})))
	}
	out := redisCLI(t, srv, pipe.String(), "--pipe")
	require.Contains(t, out, "errors: 0, replies: 100")
	require.Equal(t, "108\n", cli("dbsize"))

	// --bigkeys and --memkeys walk the keyspace with SCAN, TYPE and MEMORY USAGE.
	cli("rpush", "list", "a", "b", "c")
	cli("hset", "hash", "f", "v")
	require.Contains(t, cli("--bigkeys"), "Biggest   list found '\"list\"' has 3 items")
	require.Contains(t, cli("--memkeys"), "Biggest string found")
}

func TestRedisCLIWithPassword(t *testing.T) {
	srv := startServer(t, cinnabartest.WithPassword("s3cret"))
	require.Contains(t, redisCLI(t, srv, "", "get", "k"), "NOAUTH")
	require.Equal(t, "OK\n", redisCLI(t, srv, "", "-a", "s3cret", "--no-auth-warning", "set", "k", "v"))
	require.Equal(t, "v\n", redisCLI(t, srv, "", "--user", "default", "--pass", "s3cret", "--no-auth-warning", "get", "k"))
}
