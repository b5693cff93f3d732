package compat

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

func withAOF(dir string, extra ...string) []cinnabartest.Option {
	opts := []cinnabartest.Option{cinnabartest.WithDir(dir), cinnabartest.WithConfig("appendonly", "yes")}
	for i := 0; i+1 < len(extra); i += 2 {
		opts = append(opts, cinnabartest.WithConfig(extra[i], extra[i+1]))
	}
	return opts
}

// writeAOFData writes persistedData and then what only a command log has to get
// right: relative expiries (logged as PXAT), a transaction, a script's writes, a
// flushed database and keys removed again.
func writeAOFData(t *testing.T, c *rawConn) {
	writePersistedData(t, c)
	for _, cmd := range [][]string{
		{"SET", "ex", "v", "EX", "1000"},
		{"EXPIRE", "list", "5000"},
		{"MULTI"}, {"INCR", "counter"}, {"LPUSH", "list", "front"}, {"EXEC"},
		{"EVAL", "redis.call('set', KEYS[1], ARGV[1]); return redis.call('incr', KEYS[2])", "2", "scripted", "n", "val"},
		{"SELECT", "5"}, {"SET", "gone", "1"}, {"FLUSHDB"},
		{"SELECT", "3"}, {"SET", "in3b", "x"}, {"DEL", "in3b"}, {"HSET", "h3", "f", "v"},
		{"SELECT", "0"}, {"SET", "tmp", "1"}, {"UNLINK", "tmp"},
	} {
		r := c.Do(t, cmd...)
		require.False(t, strings.HasPrefix(r, "-"), "%v: %s", cmd, r)
	}
}

// Everything written with appendonly yes is back after a restart, key for key.
func TestAOFRestartKeepsData(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("preamble "+preamble, func(t *testing.T) {
			dir := t.TempDir()
			srv := startServer(t, withAOF(dir, "aof-use-rdb-preamble", preamble)...)
			c := dialRaw(t, srv.Addr())
			writeAOFData(t, c)
			want := dataset(t, c)
			// A rewrite in the middle: the new base plus what follows it.
			require.Equal(t, "+Background append only file rewriting started\r\n", c.Do(t, "BGREWRITEAOF"))
			waitRewrite(t, c)
			require.Equal(t, ":1\r\n", c.Do(t, "SADD", "after", "rewrite"))
			want["0/after"] = dataset(t, c)["0/after"]
			srv.Close()

			ext := map[string]bool{"yes": true, "no": false}[preamble]
			base := "appendonly.aof.2.base.aof"
			if ext {
				base = "appendonly.aof.2.base.rdb"
			}
			manifest, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
			require.NoError(t, err)
			require.Equal(t, "file "+base+" seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", string(manifest))

			again := dialRaw(t, startServer(t, withAOF(dir)...).Addr())
			require.Equal(t, want, dataset(t, again))
			require.Equal(t, ":1\r\n", again.Do(t, "EXISTS", "counter"))
		})
	}
}

// waitRewrite waits for the background rewrite to end and requires it succeeded.
func waitRewrite(t *testing.T, c *rawConn) {
	t.Helper()
	require.Eventually(t, func() bool {
		return strings.Contains(c.Do(t, "INFO", "persistence"), "aof_rewrite_in_progress:0")
	}, 10*time.Second, 5*time.Millisecond)
	require.Contains(t, c.Do(t, "INFO", "persistence"), "aof_last_bgrewrite_status:ok")
}

// Rewrites while clients write lose nothing: every acknowledged INCR is there after a
// restart.
func TestAOFRewriteDuringWrites(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir)...)
	var wg sync.WaitGroup
	acked := make([]int, 4)
	stop := make(chan struct{})
	for w := range acked {
		wg.Add(1)
		rdb := newClient(t, srv.Addr(), 2)
		go func() { // no require here: a failure shows as a count that is off
			defer wg.Done()
			key := "ctr" + strconv.Itoa(w)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if n, err := rdb.Incr(ctx, key).Result(); err == nil && n == int64(acked[w]+1) {
					acked[w]++
				}
			}
		}()
	}
	c := dialRaw(t, srv.Addr())
	for range 3 {
		time.Sleep(20 * time.Millisecond)
		require.Equal(t, "+Background append only file rewriting started\r\n", c.Do(t, "BGREWRITEAOF"))
		waitRewrite(t, c)
	}
	close(stop)
	wg.Wait()
	require.Contains(t, c.Do(t, "INFO", "persistence"), "aof_rewrites:3")
	srv.Close()
	again := dialRaw(t, startServer(t, withAOF(dir)...).Addr())
	for w, n := range acked {
		require.NotZero(t, n)
		require.Equal(t, ":"+strconv.Itoa(n)+"\r\n", again.Do(t, "INCRBY", "ctr"+strconv.Itoa(w), "0"))
	}
}

// A torn last write is cut off with aof-load-truncated yes (the file is truncated to
// the last whole command, as Redis does) and refuses the start with no; data that is
// not torn but wrong refuses the start either way, naming the file and the offset.
func TestAOFDamagedTail(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir)...)
	c := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "a", "1"))
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "b", "2"))
	srv.Close()
	incr := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	good, err := os.ReadFile(incr)
	require.NoError(t, err)

	torn := append(append([]byte(nil), good...), "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$2\r\n3"...)
	require.NoError(t, os.WriteFile(incr, torn, 0o644))
	_, err = cinnabartest.New(withAOF(dir, "aof-load-truncated", "no")...)
	require.ErrorContains(t, err, "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof")

	srv = startServer(t, withAOF(dir)...)
	c = dialRaw(t, srv.Addr())
	require.Equal(t, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n", c.Do(t, "MGET", "a", "b", "c"))
	srv.Close()
	now, err := os.ReadFile(incr)
	require.NoError(t, err)
	require.Equal(t, good, now, "the torn write is cut off the file")

	// An open transaction at the end is torn too: it is dropped whole.
	require.NoError(t, os.WriteFile(incr, append(append([]byte(nil), good...), "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"...), 0o644))
	srv = startServer(t, withAOF(dir)...)
	require.Equal(t, "$-1\r\n", dialRaw(t, srv.Addr()).Do(t, "GET", "n"))
	srv.Close()

	for name, bad := range map[string]struct {
		data string
		at   int // where in data it goes wrong
	}{
		"not RESP":        {"SET c 3\r\n", 0},
		"unknown command": {"*1\r\n$7\r\nNOSUCHC\r\n", 0},
		"bad length":      {"*1\r\n$x\r\n", 4},
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(incr, append(append([]byte(nil), good...), bad.data...), 0o644))
			s, err := cinnabartest.New(withAOF(dir)...)
			if s != nil {
				s.Close()
			}
			require.ErrorContains(t, err, "appendonly.aof.1.incr.aof")
			require.ErrorContains(t, err, "offset "+strconv.Itoa(len(good)+bad.at))
		})
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"), []byte("file x seq 1 type q\n"), 0o644))
	_, err = cinnabartest.New(withAOF(dir)...)
	require.ErrorContains(t, err, "manifest")
}

// CONFIG SET appendonly yes makes the AOF from the dataset by a rewrite; no stops
// appending.
func TestAOFConfigSet(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, cinnabartest.WithDir(dir))
	c := dialRaw(t, srv.Addr())
	require.Contains(t, c.Do(t, "INFO", "persistence"), "aof_enabled:0")
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "before", "1"))
	require.Equal(t, "+OK\r\n", c.Do(t, "CONFIG", "SET", "appendonly", "yes"))
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "after", "2"))
	waitRewrite(t, c)
	info := c.Do(t, "INFO", "persistence")
	require.Contains(t, info, "aof_enabled:1")
	require.Contains(t, info, "aof_rewrites:1")
	require.Equal(t, "+OK\r\n", c.Do(t, "CONFIG", "SET", "appendfsync", "always"))
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "always", "3"))
	require.Equal(t, "+OK\r\n", c.Do(t, "CONFIG", "SET", "appendonly", "no"))
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "unlogged", "4"))
	require.Contains(t, c.Do(t, "INFO", "persistence"), "aof_enabled:0")
	srv.Close()
	again := dialRaw(t, startServer(t, withAOF(dir)...).Addr())
	require.Equal(t, "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n", again.Do(t, "MGET", "before", "after", "always", "unlogged"))
}

// The INFO persistence fields are Redis's, in Redis's order.
func TestAOFInfoFields(t *testing.T) {
	fields := func(info string) []string {
		var out []string
		for _, line := range strings.Split(info, "\r\n") {
			if k, _, ok := strings.Cut(line, ":"); ok && (strings.HasPrefix(k, "aof_") || strings.HasPrefix(k, "module_fork")) {
				out = append(out, k)
			}
		}
		return out
	}
	ref := dialRaw(t, startReferenceIn(t, t.TempDir(), "--appendonly", "yes"))
	ours := dialRaw(t, startServer(t, withAOF(t.TempDir())...).Addr())
	require.Equal(t, fields(ref.Do(t, "INFO", "persistence")), fields(ours.Do(t, "INFO", "persistence")))
	ref = dialRaw(t, startReferenceIn(t, t.TempDir()))
	ours = dialRaw(t, startServer(t, cinnabartest.WithDir(t.TempDir())).Addr())
	require.Equal(t, fields(ref.Do(t, "INFO", "persistence")), fields(ours.Do(t, "INFO", "persistence")))
}

// stopReference shuts a reference server down and waits until its port is closed, so
// another server may take over its directory.
func stopReference(t *testing.T, c *rawConn, addr string) {
	c.Send(t, encodeCommand([]string{"SHUTDOWN", "NOSAVE"}))
	require.Eventually(t, func() bool {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
		}
		return err != nil
	}, 10*time.Second, 10*time.Millisecond)
}

// The AOF directories of the two servers are interchangeable: each loads what the
// other wrote (base and INCR files, before and after a rewrite), key for key.
func TestAOFAcrossServers(t *testing.T) {
	t.Run("reference to Cinnabar", func(t *testing.T) {
		dir := t.TempDir()
		addr := startReferenceIn(t, dir, "--appendonly", "yes")
		ref := dialRaw(t, addr)
		writeAOFData(t, ref)
		want := datasetOf(t, ref, true)
		stopReference(t, ref, addr)
		srv := startServer(t, withAOF(dir)...)
		require.Equal(t, want, datasetOf(t, dialRaw(t, srv.Addr()), true))
	})
	for _, preamble := range []string{"yes", "no"} {
		t.Run("Cinnabar to reference, preamble "+preamble, func(t *testing.T) { cinnabarAOFToReference(t, preamble) })
	}
}

// cinnabarAOFToReference writes an AOF (through a rewrite) that the reference loads,
// and redis-check-aof accepts.
func cinnabarAOFToReference(t *testing.T, preamble string) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir, "aof-use-rdb-preamble", preamble)...)
	c := dialRaw(t, srv.Addr())
	writeAOFData(t, c)
	require.Equal(t, "+Background append only file rewriting started\r\n", c.Do(t, "BGREWRITEAOF"))
	waitRewrite(t, c)
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "after", "rewrite"))
	want := datasetOf(t, c, true)
	srv.Close()
	if check, err := exec.LookPath("redis-check-aof"); err == nil {
		out, err := exec.Command(check, filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")).CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Contains(t, string(out), "All AOF files and manifest are valid")
	}
	ref := dialRaw(t, startReferenceIn(t, dir, "--appendonly", "yes"))
	require.Equal(t, want, datasetOf(t, ref, true))
}

// aof-timestamp-enabled annotates the INCR file with #TS lines, which both servers
// skip on load.
func TestAOFTimestamps(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir, "aof-timestamp-enabled", "yes")...)
	c := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "k", "v"))
	srv.Close()
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	require.Regexp(t, `^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT\r\n`, string(data))
	require.Equal(t, "$1\r\nv\r\n", dialRaw(t, startServer(t, withAOF(dir)...).Addr()).Do(t, "GET", "k"))
}

// The AOF is rewritten by itself once it grew by auto-aof-rewrite-percentage since the
// last rewrite and is at least auto-aof-rewrite-min-size.
func TestAOFAutoRewrite(t *testing.T) {
	srv := startServer(t, withAOF(t.TempDir(), "auto-aof-rewrite-min-size", "4096", "auto-aof-rewrite-percentage", "100")...)
	c := dialRaw(t, srv.Addr())
	require.Contains(t, c.Do(t, "INFO", "persistence"), "aof_rewrites:0")
	for i := range 100 {
		require.Equal(t, "+OK\r\n", c.Do(t, "SET", "k", strings.Repeat("x", i)))
	}
	require.Eventually(t, func() bool {
		return strings.Contains(c.Do(t, "INFO", "persistence"), "aof_rewrites:1")
	}, 5*time.Second, 10*time.Millisecond)
	waitRewrite(t, c)
	info := c.Do(t, "INFO", "persistence")
	require.Equal(t, infoLine(info, "aof_current_size"), infoLine(info, "aof_base_size"), "a rewrite's base is the new starting size")
}

// DEBUG LOADAOF empties the keyspace and loads it back from the AOF.
func TestAOFDebugLoadAOF(t *testing.T) {
	srv := startServer(t, withAOF(t.TempDir(), "enable-debug-command", "yes")...)
	c := dialRaw(t, srv.Addr())
	writeAOFData(t, c)
	want := datasetOf(t, c, true) // entries-read is not in the write stream, as in Redis 7.0
	require.Equal(t, "+OK\r\n", c.Do(t, "DEBUG", "LOADAOF"))
	require.Equal(t, want, datasetOf(t, c, true))
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "after", "load"))
	require.Equal(t, "+OK\r\n", c.Do(t, "DEBUG", "LOADAOF"))
	require.Equal(t, "$4\r\nload\r\n", c.Do(t, "GET", "after"))
	require.Equal(t, ":1\r\n", c.Do(t, "EXISTS", "counter"), "the AOF was not appended to by the load itself")
	size := infoLine(c.Do(t, "INFO", "persistence"), "aof_current_size")
	require.Equal(t, "+OK\r\n", c.Do(t, "DEBUG", "LOADAOF"))
	require.Equal(t, size, infoLine(c.Do(t, "INFO", "persistence"), "aof_current_size"))

	// After a rewrite the base holds the function libraries: the load replaces them.
	want = datasetOf(t, c, true)
	c.Do(t, "BGREWRITEAOF")
	waitRewrite(t, c)
	require.Equal(t, "+OK\r\n", c.Do(t, "DEBUG", "LOADAOF"))
	require.Equal(t, want, datasetOf(t, c, true))
}

// A server started with appendonly no knows the AOF on disk: turning it on later
// numbers the new files after the old ones and deletes those, as Redis does.
func TestAOFEnableOverOldAOF(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir)...)
	require.Equal(t, "+OK\r\n", dialRaw(t, srv.Addr()).Do(t, "SET", "k1", "1"))
	srv.Close()
	srv = startServer(t, cinnabartest.WithDir(dir))
	c := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "k2", "2"))
	require.Equal(t, "+OK\r\n", c.Do(t, "CONFIG", "SET", "appendonly", "yes"))
	waitRewrite(t, c)
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "k3", "3"))
	srv.Close()
	entries, err := os.ReadDir(filepath.Join(dir, "appendonlydir"))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// Redis 7.0.15 leaves these same files in this scenario.
	require.Equal(t, []string{"appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"}, names)
	again := dialRaw(t, startServer(t, withAOF(dir)...).Addr())
	require.Equal(t, "*3\r\n$-1\r\n$1\r\n2\r\n$1\r\n3\r\n", again.Do(t, "MGET", "k1", "k2", "k3"))
}

// Inside a transaction, which holds shards a rewrite's snapshot needs, BGREWRITEAOF is
// scheduled (as Redis replies while in EXEC) and CONFIG SET appendonly yes starts its
// rewrite once the transaction is done.
func TestAOFInsideTransaction(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, cinnabartest.WithDir(dir))
	c := dialRaw(t, srv.Addr())
	require.NoError(t, c.c.SetDeadline(time.Now().Add(10*time.Second))) // a deadlock fails, not hangs
	for _, cmd := range [][]string{{"MULTI"}, {"FLUSHALL"}, {"BGREWRITEAOF"}} {
		c.Do(t, cmd...)
	}
	require.Equal(t, "*2\r\n+OK\r\n+Background append only file rewriting scheduled\r\n", c.Do(t, "EXEC"))
	require.Eventually(t, func() bool {
		return strings.Contains(c.Do(t, "INFO", "persistence"), "aof_rewrites:1")
	}, 5*time.Second, 10*time.Millisecond)
	for _, cmd := range [][]string{{"MULTI"}, {"SET", "a", "1"}, {"CONFIG", "SET", "appendonly", "yes"}} {
		c.Do(t, cmd...)
	}
	require.Equal(t, "*2\r\n+OK\r\n+OK\r\n", c.Do(t, "EXEC"))
	require.Contains(t, c.Do(t, "INFO", "persistence"), "aof_enabled:1")
	waitRewrite(t, c)
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "b", "2"))
	srv.Close()
	again := dialRaw(t, startServer(t, withAOF(dir)...).Addr())
	require.Equal(t, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", again.Do(t, "MGET", "a", "b"))
}

// A script's redis.set_repl decides what reaches the AOF; PUBLISH never does.
func TestAOFScriptTargets(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir)...)
	c := dialRaw(t, srv.Addr())
	c.Do(t, "EVAL", "redis.set_repl(redis.REPL_REPLICA); redis.call('set', 'replicas', '1'); redis.set_repl(redis.REPL_AOF); redis.call('set', 'aof', '1')", "0")
	c.Do(t, "PUBLISH", "ch", "msg")
	srv.Close()
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	require.NotContains(t, string(data), "PUBLISH")
	again := dialRaw(t, startServer(t, withAOF(dir)...).Addr())
	require.Equal(t, "*2\r\n$-1\r\n$1\r\n1\r\n", again.Do(t, "MGET", "replicas", "aof"))
}

// The single-file AOF of Redis before 7.0 becomes the base of a multi-part AOF, named
// as Redis 7.0.15 names it.
func TestAOFOldStyleUpgrade(t *testing.T) {
	dir := t.TempDir()
	old := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$1\r\n1\r\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "appendonly.aof"), []byte(old), 0o644))
	srv := startServer(t, withAOF(dir)...)
	require.Equal(t, "$1\r\n1\r\n", dialRaw(t, srv.Addr()).Do(t, "GET", "old"))
	srv.Close()
	manifest, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	require.NoError(t, err)
	require.Equal(t, "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", string(manifest))
	_, err = os.Stat(filepath.Join(dir, "appendonly.aof"))
	require.True(t, os.IsNotExist(err), "the old file moved into the directory")
	require.Equal(t, "$1\r\n1\r\n", dialRaw(t, startServer(t, withAOF(dir)...).Addr()).Do(t, "GET", "old"))
}

// With aof-disable-auto-gc yes a rewrite keeps the files it replaced, listed as
// history; once it is no again they are deleted.
func TestAOFDisableAutoGC(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir, "aof-disable-auto-gc", "yes")...)
	c := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "k", "v"))
	c.Do(t, "BGREWRITEAOF")
	waitRewrite(t, c)
	manifest := filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")
	data, err := os.ReadFile(manifest)
	require.NoError(t, err)
	// Redis 7.0.15's manifest after the same steps.
	require.Equal(t, "file appendonly.aof.2.base.rdb seq 2 type b\n"+
		"file appendonly.aof.1.incr.aof seq 1 type h\n"+
		"file appendonly.aof.1.base.rdb seq 1 type h\n"+
		"file appendonly.aof.2.incr.aof seq 2 type i\n", string(data))
	require.FileExists(t, filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.Equal(t, "+OK\r\n", c.Do(t, "CONFIG", "SET", "aof-disable-auto-gc", "no"))
	require.Eventually(t, func() bool { // the cron collects them, without a rewrite
		entries, err := os.ReadDir(filepath.Join(dir, "appendonlydir"))
		return err == nil && len(entries) == 3
	}, 5*time.Second, 10*time.Millisecond)
	data, err = os.ReadFile(manifest)
	require.NoError(t, err)
	require.Equal(t, "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", string(data))
	srv.Close()
	require.Equal(t, "$1\r\nv\r\n", dialRaw(t, startServer(t, withAOF(dir)...).Addr()).Do(t, "GET", "k"))
}

// A damaged base, or a file the manifest lists that is missing, refuses the start.
func TestAOFDamagedBase(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir)...)
	c := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "k", "v"))
	c.Do(t, "BGREWRITEAOF")
	waitRewrite(t, c)
	srv.Close()
	base := filepath.Join(dir, "appendonlydir", "appendonly.aof.2.base.rdb")
	good, err := os.ReadFile(base)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(base, flip(good, len(good)-12), 0o644))
	_, err = cinnabartest.New(withAOF(dir)...)
	require.ErrorContains(t, err, "appendonly.aof.2.base.rdb")
	require.NoError(t, os.Remove(base))
	_, err = cinnabartest.New(withAOF(dir)...)
	require.ErrorContains(t, err, "appendonly.aof.2.base.rdb")
	require.NoError(t, os.WriteFile(base, good, 0o644))
	require.Equal(t, "$1\r\nv\r\n", dialRaw(t, startServer(t, withAOF(dir)...).Addr()).Do(t, "GET", "k"))
}

// Loading the AOF is the server's own doing: a default user that may run nothing does
// not stop it (Redis's loading client has no user to check).
func TestAOFLoadIgnoresACL(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, withAOF(dir)...)
	c := dialRaw(t, srv.Addr())
	writeAOFData(t, c)
	want := datasetOf(t, c, true)
	srv.Close()
	srv = startServer(t, append(withAOF(dir), cinnabartest.WithConfig("user",
		strings.Fields("default on nopass ~* &* -@all +@connection +@read +@keyspace +function|list +dump +pttl")...))...)
	c = dialRaw(t, srv.Addr())
	require.Equal(t, want, datasetOf(t, c, true))
	require.Contains(t, c.Do(t, "SET", "k", "v"), "NOPERM", "the restriction holds for clients")
}
