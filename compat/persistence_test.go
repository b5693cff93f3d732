package compat

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// persistedData writes one of every kind of value, in every encoding, to a server:
// what the RDB tests save on one server and read back on another.
var persistedData = [][]string{
	{"SET", "str", "hello"},
	{"SET", "int", "12345"},
	{"SET", "long", strings.Repeat("abcdefgh", 40)}, // LZF-compressible
	{"SET", "ttl", "soon", "PX", "100000000"},
	{"RPUSH", "list", "a", "b", "1", "2"},
	{"RPUSH", "biglist"}, // filled below
	{"HSET", "hash", "f1", "v1", "f2", "2"},
	{"SADD", "intset", "1", "2", "3", "-7"},
	{"SADD", "set", "x", "y", "z"},
	{"ZADD", "zset", "1", "a", "2.5", "b", "-3", "c"},
	{"ZADD", "bigzset"}, // filled below
	{"PFADD", "hll", "a", "b", "c"},
	{"XADD", "stream", "1-1", "f", "v"},
	{"XADD", "stream", "2-1", "f", "w", "g", "x"},
	{"XGROUP", "CREATE", "stream", "grp", "0"},
	{"XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "stream", ">"},
	{"SELECT", "3"},
	{"SET", "in3", "db3"},
	{"SELECT", "0"},
	{"FUNCTION", "LOAD", "#!lua name=plib\nredis.register_function('pf', function() return 7 end)"},
}

func writePersistedData(t *testing.T, c *rawConn) {
	for _, cmd := range persistedData {
		switch cmd[1] {
		case "biglist":
			for i := 0; i < 300; i++ {
				c.Do(t, "RPUSH", "biglist", strconv.Itoa(i), strings.Repeat("v", i%70))
			}
			continue
		case "bigzset":
			for i := 0; i < 200; i++ {
				c.Do(t, "ZADD", "bigzset", strconv.Itoa(i), "m"+strconv.Itoa(i))
			}
			continue
		}
		r := c.Do(t, cmd...)
		require.False(t, strings.HasPrefix(r, "-"), "%v: %s", cmd, r)
	}
}

// dataset describes every key of databases 0 and 3 by its DUMP payload (with the
// stream's delivery times zeroed: they are the time of the read) and its TTL. A
// hashtable set is described by its members instead: its DUMP lists them in the
// order of the server's hash table (so is the pool of the replication tests).
func dataset(t *testing.T, c *rawConn) map[string]string { return datasetOf(t, c, false) }

// datasetOf is dataset, optionally without the consumer groups' read counters
// (entries-read), which Redis 7.0 does not replicate.
func datasetOf(t *testing.T, c *rawConn, noReadCounters bool) map[string]string {
	out := map[string]string{}
	for _, db := range []string{"0", "3"} {
		c.Do(t, "SELECT", db)
		_, keys := splitReplyItems(c.Do(t, "KEYS", "*"))
		for _, k := range keys {
			k = strings.TrimSpace(k[strings.Index(k, "\n")+1:])
			dump := bulkBody(t, c.Do(t, "DUMP", k))
			switch k {
			case "stream":
				dump = zeroStreamTimes(t, dump, noReadCounters)
			case "set", "pool":
				dump = []byte(sortedReply(c.Do(t, "SMEMBERS", k)))
			}
			ttl := c.Do(t, "PTTL", k)
			if ttl != ":-1\r\n" {
				ttl = "has ttl"
			}
			out[db+"/"+k] = fmt.Sprintf("%x %s", dump, ttl)
		}
	}
	c.Do(t, "SELECT", "0")
	out["functions"] = sortedReply(c.Do(t, "FUNCTION", "LIST", "WITHCODE"))
	return out
}

// startReferenceIn starts a private redis-server whose dir is dir (it loads the
// dump.rdb there, if any), with extra configuration arguments ("--requirepass", "pw").
func startReferenceIn(t *testing.T, dir string, extra ...string) string {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("differential test skipped: no redis-server binary on PATH")
	}
	port := freePort(t)
	cmd := exec.Command(bin, append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no"}, extra...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		defer c.Close()
		_, _ = c.Write([]byte("PING\r\n"))
		buf := make([]byte, 16)
		n, _ := c.Read(buf)
		reply := string(buf[:n]) // not -LOADING
		return reply == "+PONG\r\n" || strings.HasPrefix(reply, "-NOAUTH")
	}, 10*time.Second, 10*time.Millisecond)
	return addr
}

// TestRDBAcrossServers saves on one server and starts the other on the file, both
// ways: the reference loads what Cinnabar saves and Cinnabar what the reference saves,
// key for key (DUMP payloads, TTLs, function libraries).
func TestRDBAcrossServers(t *testing.T) {
	t.Run("reference to Cinnabar", func(t *testing.T) {
		dir := t.TempDir()
		ref := dialRaw(t, startReferenceIn(t, dir))
		writePersistedData(t, ref)
		require.Equal(t, "+OK\r\n", ref.Do(t, "SAVE"))
		want := dataset(t, ref)
		srv := startServer(t, cinnabartest.WithDir(dir))
		require.Equal(t, want, dataset(t, dialRaw(t, srv.Addr())))
	})
	t.Run("Cinnabar to reference", func(t *testing.T) {
		dir := t.TempDir()
		srv := startServer(t, cinnabartest.WithDir(dir))
		ours := dialRaw(t, srv.Addr())
		writePersistedData(t, ours)
		require.Equal(t, "+OK\r\n", ours.Do(t, "SAVE"))
		want := dataset(t, ours)
		ref := dialRaw(t, startReferenceIn(t, dir))
		require.Equal(t, want, dataset(t, ref))
	})
}

// TestFlushAllSavesMatchesReference: with save points configured, FLUSHALL saves the
// emptied dataset at once (the changes since the last save start again from zero, and
// the dump no longer holds the flushed keys); FLUSHDB does not save.
func TestFlushAllSavesMatchesReference(t *testing.T) {
	refDir, ourDir := t.TempDir(), t.TempDir()
	srv := startServer(t, cinnabartest.WithDir(ourDir))
	var got [2][]string
	for i, addr := range []string{startReferenceIn(t, refDir), srv.Addr()} {
		raw := dialRaw(t, addr)
		for _, cmd := range []string{`CONFIG SET save 3600\s1`, "MSET a 1 b 2 c 3", "SAVE", "SET d 4",
			"FLUSHDB", "SET e 5", "FLUSHALL", "SET f 6",
			`EVAL return\sredis.call('flushall') 0`, "SET g 7", `CONFIG SET save ""`, "FLUSHALL"} {
			raw.Do(t, scriptArgs(cmd)...)
			info := raw.Do(t, "INFO", "persistence")
			got[i] = append(got[i], fmt.Sprintf("%s: changes %s, saves %s", cmd,
				infoLine(info, "rdb_changes_since_last_save"), infoLine(info, "rdb_saves")))
		}
	}
	require.Equal(t, got[0], got[1])
	// The dump the first FLUSHALL wrote holds nothing.
	again := startServer(t, cinnabartest.WithDir(ourDir))
	require.Equal(t, ":0\r\n", dialRaw(t, again.Addr()).Do(t, "DBSIZE"))
}

// TestFlushAllDropsBackgroundSave: a FLUSHALL during a BGSAVE drops that save, as
// Redis kills its child: its image, taken before the flush, must not become the dump
// (with save points the FLUSHALL saves the empty dataset; without, the dump stays as it
// was). The dropped save is no failure.
func TestFlushAllDropsBackgroundSave(t *testing.T) {
	for _, save := range []string{"3600 1", ""} {
		t.Run(fmt.Sprintf("save %q", save), func(t *testing.T) {
			dir := t.TempDir()
			srv := startServer(t, cinnabartest.WithDir(dir), cinnabartest.WithConfig("save", save),
				cinnabartest.WithConfig("enable-debug-command", "yes"))
			c := dialRaw(t, srv.Addr())
			require.Equal(t, "+OK\r\n", c.Do(t, "DEBUG", "POPULATE", "300000"))
			require.Equal(t, "+Background saving started\r\n", c.Do(t, "BGSAVE"))
			time.Sleep(20 * time.Millisecond) // the snapshot has begun: it holds the keys
			if infoLine(c.Do(t, "INFO", "persistence"), "rdb_bgsave_in_progress") != "1" {
				t.Skip("the background save ended before FLUSHALL could meet it")
			}
			require.Equal(t, "+OK\r\n", c.Do(t, "FLUSHALL"))
			require.Eventually(t, func() bool {
				return infoLine(c.Do(t, "INFO", "persistence"), "rdb_bgsave_in_progress") == "0"
			}, 20*time.Second, 10*time.Millisecond)
			require.Equal(t, "ok", infoLine(c.Do(t, "INFO", "persistence"), "rdb_last_bgsave_status"))
			if save == "" { // the dropped save counts as one, as Redis counts its killed child's
				require.Equal(t, "1", infoLine(c.Do(t, "INFO", "persistence"), "rdb_saves"))
			}
			srv.Close()
			again := startServer(t, cinnabartest.WithDir(dir))
			require.Equal(t, ":0\r\n", dialRaw(t, again.Addr()).Do(t, "DBSIZE"))
		})
	}
}

// infoLine returns a field of a raw INFO reply.
func infoLine(info, field string) string {
	_, rest, _ := strings.Cut(info, "\n"+field+":")
	v, _, _ := strings.Cut(rest, "\r")
	return v
}

func TestRDBSaveCommands(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, cinnabartest.WithDir(dir), cinnabartest.WithConfig("enable-debug-command", "yes"))
	rdb := newClient(t, srv.Addr(), 3)
	before := rdb.LastSave(ctx).Val()
	require.NoError(t, rdb.Set(ctx, "a", "1", 0).Err())
	require.NoError(t, rdb.Set(ctx, "b", "2", time.Hour).Err())
	require.NotEqual(t, "0", infoField(t, rdb, "persistence", "rdb_changes_since_last_save"))

	require.Equal(t, "Background saving started", rdb.BgSave(ctx).Val())
	require.Eventually(t, func() bool {
		return infoField(t, rdb, "persistence", "rdb_bgsave_in_progress") == "0" &&
			infoField(t, rdb, "persistence", "rdb_saves") == "1"
	}, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "ok", infoField(t, rdb, "persistence", "rdb_last_bgsave_status"))
	require.Equal(t, "0", infoField(t, rdb, "persistence", "rdb_changes_since_last_save"))
	require.GreaterOrEqual(t, rdb.LastSave(ctx).Val(), before)
	_, err := os.Stat(filepath.Join(dir, "dump.rdb"))
	require.NoError(t, err)

	// DEBUG RELOAD saves, empties and loads back.
	require.NoError(t, rdb.Set(ctx, "c", "3", 0).Err())
	require.NoError(t, rdb.Do(ctx, "DEBUG", "RELOAD").Err())
	require.Equal(t, []any{"1", "2", "3"}, rdb.MGet(ctx, "a", "b", "c").Val())
	require.Greater(t, rdb.TTL(ctx, "b").Val(), 59*time.Minute)

	// SAVE refuses inside MULTI (no-multi) and works outside.
	tx := rdb.TxPipeline()
	tx.Save(ctx)
	_, err = tx.Exec(ctx)
	require.ErrorContains(t, err, "EXECABORT") // SAVE was refused at queue time
	require.Equal(t, "OK", rdb.Save(ctx).Val())
	require.Equal(t, "2", infoField(t, rdb, "persistence", "rdb_saves")) // not DEBUG RELOAD's, as in Redis

	// A save point: one change in one second.
	require.NoError(t, rdb.ConfigSet(ctx, "save", "1 1").Err())
	require.NoError(t, rdb.Set(ctx, "d", "4", 0).Err())
	require.Eventually(t, func() bool {
		return infoField(t, rdb, "persistence", "rdb_saves") == "3"
	}, 10*time.Second, 50*time.Millisecond)

	// A fresh server on the same directory has all of it.
	srv.Close()
	again := startServer(t, cinnabartest.WithDir(dir))
	r2 := newClient(t, again.Addr(), 2)
	require.Equal(t, []any{"1", "2", "3", "4"}, r2.MGet(ctx, "a", "b", "c", "d").Val())
	require.Equal(t, "4", infoField(t, r2, "persistence", "rdb_last_load_keys_loaded"))
}

// A damaged file stops the start-up with a clear error instead of serving part of it.
func TestRDBDamagedFileRefused(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, cinnabartest.WithDir(dir))
	ours := dialRaw(t, srv.Addr())
	writePersistedData(t, ours)
	require.Equal(t, "+OK\r\n", ours.Do(t, "SAVE"))
	srv.Close()
	path := filepath.Join(dir, "dump.rdb")
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	for name, bad := range map[string][]byte{
		"truncated":      good[:len(good)/2],
		"flipped byte":   flip(good, len(good)/2),
		"bad signature":  append([]byte("REDIX"), good[5:]...),
		"future version": append([]byte("REDIS0099"), good[9:]...),
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(path, bad, 0o644))
			s, err := cinnabartest.New(cinnabartest.WithDir(dir))
			if s != nil {
				s.Close()
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), "dump.rdb")
		})
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0xff
	return out
}

func infoField(t *testing.T, rdb *redis.Client, section, field string) string {
	for _, line := range strings.Split(rdb.Info(ctx, section).Val(), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	t.Fatalf("no %s in INFO %s", field, section)
	return ""
}

// The empty string is a key like any other in a snapshot.
func TestRDBEmptyKey(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, cinnabartest.WithDir(dir))
	c := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", c.Do(t, "SET", "", "empty-named"))
	require.Equal(t, "+OK\r\n", c.Do(t, "SAVE"))
	srv.Close()
	again := dialRaw(t, startServer(t, cinnabartest.WithDir(dir)).Addr())
	require.Equal(t, "$11\r\nempty-named\r\n", again.Do(t, "GET", ""))
}
