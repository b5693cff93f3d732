package compat

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// TestReplicaOfCinnabar attaches a real redis-server as a replica of Cinnabar: it
// loads Cinnabar's snapshot, then applies its write stream, and ends up with the same
// dataset, key for key, after every kind of write (transactions, scripts, rewrites of
// relative TTLs, random pops, float increments, streams and consumer groups, expiry).
func TestReplicaOfCinnabar(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("differential test skipped: no redis-server binary on PATH")
	}
	srv := startServer(t)
	master := dialRaw(t, srv.Addr())
	writePersistedData(t, master) // in the snapshot

	replicaAddr := fmt.Sprintf("127.0.0.1:%d", attachReplica(t, bin, srv.Addr()))

	for _, c := range [][]string{ // in the stream
		{"SET", "later", "v", "EX", "1000"},
		{"INCRBYFLOAT", "f", "0.1"},
		{"SADD", "pool", "a", "b", "c", "d"},
		{"SPOP", "pool"},
		{"SPOP", "pool", "2"},
		{"RPUSH", "q", "1", "2", "3"},
		{"LPOP", "q"},
		{"HINCRBYFLOAT", "hf", "x", "1.5"},
		{"MULTI"}, {"INCR", "n"}, {"EXPIRE", "n", "500"}, {"EXEC"},
		{"EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])", "2", "s1", "s2", "val"},
		{"XADD", "stream", "*", "f", "new"},
		{"XREADGROUP", "GROUP", "grp", "bob", "STREAMS", "stream", ">"},
		{"XCLAIM", "stream", "grp", "carol", "0", "1-1"},
		{"SET", "gone", "x", "PX", "1"},
		{"SELECT", "5"}, {"SET", "in5", "y"}, {"SELECT", "0"},
		{"DEL", "str"},
		{"FUNCTION", "LOAD", "#!lua name=later\nredis.register_function('lf', function() return 1 end)"},
	} {
		r := master.Do(t, c...)
		require.False(t, strings.HasPrefix(r, "-"), "%v: %s", c, r)
	}
	time.Sleep(5 * time.Millisecond)
	master.Do(t, "GET", "gone") // expired: its DEL goes down the stream
	master.Do(t, "SET", "marker", "1")
	replica := dialRaw(t, replicaAddr)
	require.Eventually(t, func() bool { return replica.Do(t, "EXISTS", "marker") == ":1\r\n" }, 10*time.Second, 10*time.Millisecond)

	// Redis 7.0 replicates XREADGROUP as XCLAIMs, which carry no read counter, so a
	// replica's entries-read lags (a Redis replica of Redis does the same).
	require.Equal(t, datasetOf(t, master, true), datasetOf(t, replica, true))
	master.Do(t, "SELECT", "5")
	replica.Do(t, "SELECT", "5")
	require.Equal(t, master.Do(t, "GET", "in5"), replica.Do(t, "GET", "in5"))

	// The replica acknowledges: WAIT sees it, ROLE and INFO list it.
	require.Equal(t, ":1\r\n", master.Do(t, "WAIT", "1", "5000"))
	require.Contains(t, master.Do(t, "INFO", "replication"), "connected_slaves:1")
	require.Contains(t, master.Do(t, "ROLE"), "$6\r\nmaster\r\n")

	// The replica's connection is of type replica, flag S, as on a Redis master.
	require.Contains(t, master.Do(t, "CLIENT", "LIST", "TYPE", "replica"), " flags=S ")
	require.NotContains(t, master.Do(t, "CLIENT", "LIST", "TYPE", "normal"), " flags=S ")
	require.Equal(t, ":1\r\n", master.Do(t, "CLIENT", "KILL", "TYPE", "replica"))
}

// SYNC inside MULTI, and the REPLCONF options, answer as Redis does.
func TestReplicationCommandsDifferential(t *testing.T) {
	diffScript(t, `
		REPLCONF listening-port 1234
		REPLCONF capa eof capa psync2
		REPLCONF nosuch 1
		REPLCONF listening-port
		WAIT 0 0
		WAIT 1 10
		WAIT x 0
		WAIT 0 x
		WAIT 0 -1
		REPLCONF rdb-filter-only functions
		REPLCONF rdb-filter-only x
		REPLCONF rdb-filter-only "functions x"
	`)
}

// TestFullResyncDuringWrites: the snapshot of a full resync is encoded while clients
// keep writing, and the writes made meanwhile reach the replica after it, none lost
// and none twice.
func TestFullResyncDuringWrites(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("differential test skipped: no redis-server binary on PATH")
	}
	srv := startServer(t, cinnabartest.WithConfig("enable-debug-command", "yes"))
	master := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", master.Do(t, "DEBUG", "POPULATE", "50000", "key", "50"))
	stop := make(chan struct{})
	done := make(chan int)
	go func() { // writes all along the sync: new keys, changes to keys in the snapshot, deletions
		w := newClient(t, srv.Addr(), 2)
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			pipe := w.Pipeline()
			for i := 0; i < 20; i++ {
				pipe.Set(ctx, fmt.Sprintf("new:%d", n), n, 0)
				pipe.Append(ctx, fmt.Sprintf("key:%d", (n*7919)%50000), "+")
				pipe.Del(ctx, fmt.Sprintf("key:%d", (n*104729+1)%50000))
				n++
			}
			_, _ = pipe.Exec(ctx)
			time.Sleep(time.Millisecond)
		}
	}()
	replicaAddr := fmt.Sprintf("127.0.0.1:%d", attachReplica(t, bin, srv.Addr()))
	close(stop)
	n := <-done
	require.Positive(t, n)
	master.Do(t, "SET", "marker", "1")
	replica := dialRaw(t, replicaAddr)
	require.Eventually(t, func() bool { return replica.Do(t, "EXISTS", "marker") == ":1\r\n" }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, master.Do(t, "DBSIZE"), replica.Do(t, "DBSIZE"))
	var keys []string // every key the writer touched
	for i := 0; i < n; i++ {
		keys = append(keys, fmt.Sprintf("new:%d", i), fmt.Sprintf("key:%d", (i*7919)%50000), fmt.Sprintf("key:%d", (i*104729+1)%50000))
	}
	m, r := newClient(t, srv.Addr(), 2), newClient(t, replicaAddr, 2)
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), 1000)]
		keys = keys[len(chunk):]
		require.Equal(t, m.MGet(ctx, chunk...).Val(), r.MGet(ctx, chunk...).Val())
	}
}
