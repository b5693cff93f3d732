package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// TestPropagationMatchesReference runs the same commands on Cinnabar and on a reference
// redis-server and compares what each sends to replicas: the reference's replication
// stream (read as a replica, after SYNC) against Cinnabar's write stream. Timestamps are
// normalized, everything else must be identical: which commands propagate, their
// rewrites (relative TTLs to absolute ones, blocking pops to plain pops, chance to
// facts), MULTI/EXEC around transactions, scripts and lazy expiry, and SELECTs.
func TestPropagationMatchesReference(t *testing.T) {
	diffPropagation(t, `
		debug set-active-expire 0
		set a 1 ex 100
		set n 5
		set n 6 ex 100 get
		set n 7 exat 9999999999
		set n 8 keepttl
		set n 9 pxat 99999999999999
		set n 10 nx
		setex k1 100 v
		psetex k2 100000 v
		getex k1 ex 100
		getex k1
		getex k1 persist
		getex k1 persist
		expireat k2 1
		expire a 50
		expire a 10 gt
		expire a 100 gt
		pexpireat a 99999999999999
		persist a
		persist a
		getdel a
		getdel a
		incrbyfloat f 1.5
		incrbyfloat f 0.1
		hincrbyfloat h f 2.5
		sadd s1 x
		spop s1
		spop s1
		sadd s3 a b
		spop s3 5
		srem s3 zz
		del nokey
		set b 1 px 5
		sleep 30
		get b
		set b 2 px 5
		sleep 30
		append b x
		eval "redis.call('set','x','1'); redis.call('incr','x'); return 1" 0
		eval "redis.call('set','e1','1')" 0
		eval "redis.set_repl(redis.REPL_NONE); redis.call('set','e2','1')" 0
		eval "return redis.call('get','x')" 0
		rpush l a b c d
		blpop l 0
		brpop nol l 0
		brpoplpush l l2 0
		blmove l l2 left right 0
		rpush l a b c
		lmpop 1 l left count 2
		blmpop 0 1 l right count 5
		zadd z 1 a 2 b 3 c 4 d
		bzpopmin z 0
		bzpopmax z 0
		zmpop 1 z min count 5
		publish ch m
		flushdb
		flushall
		swapdb 0 1
		select 3
		set z 1
		select 0
		multi
		set m1 1
		incr m1
		exec
		multi
		incr m1
		exec
		multi
		get m1
		exec
		pfadd p a b
		pfcount p
		pfcount p
		script load "return 1"
		function load "#!lua name=lib\nredis.register_function('f', function() return 1 end)"
		fcall f 0
		function delete lib
		xadd x 1-1 f v
		xadd x 1-* f v
		xadd x * f v
		xadd x 9999999999999-1 f v
		xadd x 9999999999999-2 f v
		xadd x 9999999999999-3 f v
		xadd x maxlen ~ 1 9999999999999-4 f v
		xadd x maxlen 3 9999999999999-5 f v
		xtrim x maxlen ~ 0
		xtrim x minid ~ 9999999999999-4
		xtrim x minid 9999999999999-4
		xgroup create x g 0
		xgroup create x g2 $
		xreadgroup group g c count 1 streams x >
		xreadgroup group g c streams x 0
		xreadgroup group g c2 noack count 1 streams x >
		xreadgroup group g newc streams x >
		xadd x 9999999999999-6 f v
		xadd x 9999999999999-7 f v
		xreadgroup group g c streams x >
		xclaim x g c3 0 9999999999999-6
		xclaim x g c3 0 9999999999999-7 justid
		xclaim x g c3 0 9999999999999-1 lastid 9999999999999-9
		xautoclaim x g c4 0 0
		xdel x 9999999999999-7
		xautoclaim x g c5 0 0 justid
		xack x g 9999999999999-6
		xgroup setid x g 0 entriesread 0
		xgroup createconsumer x g c9
		xgroup delconsumer x g c9
		xsetid x 9999999999999-9
		xgroup destroy x g2
	`)
}

// diffPropagation runs steps, one command a line ("sleep N" pauses N ms), on a reference
// server and on Cinnabar, and requires the same propagated commands from both.
func diffPropagation(t *testing.T, steps string) {
	t.Helper()
	refAddr := startReference(t)
	ref := redis.NewClient(&redis.Options{Addr: refAddr, Protocol: 2})
	defer ref.Close()
	refStream := replicate(t, refAddr)

	srv := cinnabartest.Start(t, cinnabartest.WithConfig("enable-debug-command", "yes"))
	fed := recordFeed(t, srv)
	ourClient := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2})
	defer ourClient.Close()
	// A client connection per server so SELECT and MULTI keep their state.
	refConn, ourConn := ref.Conn(), ourClient.Conn()
	defer refConn.Close()
	defer ourConn.Close()
	for _, step := range strings.Split(strings.TrimSpace(steps), "\n") {
		step = strings.TrimSpace(step)
		args := splitArgs(t, step)
		if args[0] == "sleep" { // for keys to expire on both
			ms, _ := strconv.Atoi(args[1].(string))
			time.Sleep(time.Duration(ms) * time.Millisecond)
			continue
		}
		refErr := refConn.Do(context.Background(), args...).Err()
		ourErr := ourConn.Do(context.Background(), args...).Err()
		require.Equal(t, fmt.Sprint(refErr), fmt.Sprint(ourErr), step)
	}
	// One more write marks the end of both streams.
	require.NoError(t, refConn.Do(context.Background(), "set", "end", "1").Err())
	require.NoError(t, ourConn.Do(context.Background(), "set", "end", "1").Err())
	want := refStream.until(t, `"set" "end" "1"`)

	got := fed()
	require.Equal(t, `"set" "end" "1"`, got[len(got)-1])
	got = got[:len(got)-1]
	require.Equal(t, normalize(want), normalize(got))
}

// A blocked client served by another client's push propagates as the plain pop, after
// the push.
func TestPropagationOfServedBlockedClient(t *testing.T) {
	srv := cinnabartest.Start(t)
	fed := recordFeed(t, srv)
	waiter := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer waiter.Close()
	pusher := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer pusher.Close()
	ctx := context.Background()
	done := make(chan []string)
	go func() {
		v, _ := waiter.BLPop(ctx, 0, "q").Result()
		done <- v
	}()
	require.Eventually(t, func() bool {
		return strings.Contains(pusher.Info(ctx, "clients").Val(), "blocked_clients:1")
	}, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, pusher.RPush(ctx, "q", "x", "y").Err())
	require.Equal(t, []string{"q", "x"}, <-done)
	require.Equal(t, []string{`"SELECT" "0"`, `"rpush" "q" "x" "y"`, `"LPOP" "q"`}, fed())
}

// recordFeed records what srv propagates until the test ends; the function it returns
// parses what was recorded so far.
func recordFeed(t *testing.T, srv *cinnabartest.Server) func() []string {
	var mu sync.Mutex
	var fed []byte
	t.Cleanup(srv.Server().AddFeed(func(b []byte) {
		mu.Lock()
		fed = append(fed, b...)
		mu.Unlock()
	}))
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return parseStream(t, fed)
	}
}

// startReference starts a private redis-server that serves SYNC from disk.
func startReference(t *testing.T) string {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("differential test skipped: no redis-server binary on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--repl-diskless-sync", "no", "--dir", t.TempDir(),
		"--enable-debug-command", "yes")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; i < 300; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("redis-server did not start")
	return ""
}

// replStream is a replica's view of a reference server: the commands after the RDB.
type replStream struct {
	cmds chan string
}

// replicate attaches to addr as a replica and streams the commands it propagates.
func replicate(t *testing.T, addr string) *replStream {
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = conn.Write([]byte("SYNC\r\n"))
	require.NoError(t, err)
	r := bufio.NewReader(conn)
	for { // newlines keep the link alive while the master prepares the RDB
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		if strings.HasPrefix(line, "$") {
			n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
			require.NoError(t, err)
			_, err = io.CopyN(io.Discard, r, int64(n))
			require.NoError(t, err)
			break
		}
	}
	s := &replStream{cmds: make(chan string, 1024)}
	go func() {
		defer close(s.cmds)
		for {
			cmd, err := readCommand(r)
			if err != nil {
				return
			}
			if cmd != `"PING"` {
				s.cmds <- cmd
			}
		}
	}()
	return s
}

// until returns the commands up to the one equal to last, which it leaves out.
func (s *replStream) until(t *testing.T, last string) []string {
	var out []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case cmd, ok := <-s.cmds:
			require.True(t, ok, "replication stream ended; got %q", out)
			if cmd == last {
				return out
			}
			out = append(out, cmd)
		case <-timeout:
			t.Fatalf("no %s in the replication stream; got %q", last, out)
		}
	}
}

// readCommand reads one RESP array of bulk strings, rendered as quoted words.
func readCommand(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(line, "*") {
		return "", fmt.Errorf("not an array: %q", line)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	words := make([]string, n)
	for i := range words {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		size, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		words[i] = strconv.Quote(string(buf[:size]))
	}
	return strings.Join(words, " "), nil
}

func parseStream(t *testing.T, b []byte) []string {
	r := bufio.NewReader(strings.NewReader(string(b)))
	var out []string
	for {
		cmd, err := readCommand(r)
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, cmd)
	}
}

var unixMillis = regexp.MustCompile(`"1[0-9]{12}(-[0-9]+)?"`)

// normalize replaces deadlines computed from the current time, which differ between
// the two servers by the time between the calls.
func normalize(cmds []string) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = unixMillis.ReplaceAllString(c, `"<now-based ms>"`)
	}
	return out
}

// splitArgs splits a command line into words; double quotes group, \n is a newline.
func splitArgs(t *testing.T, line string) []any {
	var args []any
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			end := strings.Index(line[1:], `"`)
			require.GreaterOrEqual(t, end, 0, line)
			args = append(args, strings.ReplaceAll(line[1:1+end], `\n`, "\n"))
			line = line[2+end:]
			continue
		}
		end := strings.IndexByte(line, ' ')
		if end < 0 {
			end = len(line)
		}
		args = append(args, line[:end])
		line = line[end:]
	}
	return args
}

// What a handler asks of the write stream while nothing consumes it is not kept for
// the client's first call once a feed exists: after a PUBLISH (forced to replicas) a
// GET does not propagate, and after an EXEC (which propagates nothing itself) a SET
// does.
func TestPropagationRequestsWithoutFeed(t *testing.T) {
	srv := cinnabartest.Start(t)
	c, err := net.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	do := func(cmds ...string) {
		for _, cmd := range cmds {
			_, err := fmt.Fprintf(c, "%s\r\n", cmd)
			require.NoError(t, err)
			for lines := 1; lines > 0; lines-- { // replies of simple elements only
				line, err := r.ReadString('\n')
				require.NoError(t, err)
				n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
				switch {
				case line[0] == '*' && n > 0:
					lines += n
				case line[0] == '$' && n >= 0:
					lines++
				}
			}
		}
	}
	do("PUBLISH ch m")
	fed := recordFeed(t, srv)
	do("GET a")
	require.Empty(t, fed())
	do("MULTI", "SET a 1", "EXEC")
	fed = recordFeed(t, srv)
	do("SET b 2")
	require.Equal(t, []string{`"SELECT" "0"`, `"SET" "b" "2"`}, fed())
}
