package compat

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// The maxmemory tests run in-process, where used_memory is the whole test process's
// heap: each test collects garbage, measures the baseline, and allows a few megabytes of
// keys above it. Values are 4 KB, so the keys dominate what the tests allocate.

const (
	oomError       = "OOM command not allowed when used memory > 'maxmemory'."
	memoryHeadroom = 4 << 20
	// overshootSlack is how far past the limit a reading may be. The meter reads the
	// whole process's heap, and in a test process that includes the client's pipeline
	// buffers and what other tests left for the collector: up to about 2 MB seen under
	// -race on a loaded machine, where the server's own overshoot is one command.
	overshootSlack = memoryHeadroom / 2
	valueSize      = 4 << 10
)

var bigValue = strings.Repeat("v", valueSize)

// limitedServer starts a server with policy and sets maxmemory to what it uses now
// plus memoryHeadroom; it returns a RESP2 client and the limit.
func limitedServer(t *testing.T, policy string) (*cinnabartest.Server, *redis.Client, int64) {
	t.Helper()
	srv := startServer(t, cinnabartest.WithPolicy(policy))
	rdb := newClient(t, srv.Addr(), 2)
	require.NoError(t, rdb.Ping(ctx).Err())
	runtime.GC()
	limit := usedMemory(t, rdb) + memoryHeadroom
	require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", fmt.Sprint(limit)).Err())
	return srv, rdb, limit
}

// fill writes keys prefix:from .. prefix:to-1 with 4 KB values (and ttl, if not 0) in
// pipelines of 50, and returns the highest used_memory seen after a pipeline and the
// first error.
func fill(t *testing.T, rdb *redis.Client, prefix string, from, to int, ttl time.Duration) (peak int64, err error) {
	t.Helper()
	for i := from; i < to; i += 50 {
		cmds, _ := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for j := i; j < min(i+50, to); j++ {
				p.Set(ctx, fmt.Sprintf("%s:%d", prefix, j), bigValue, ttl)
			}
			return nil
		})
		for _, c := range cmds {
			if c.Err() != nil {
				return peak, c.Err()
			}
		}
		peak = max(peak, usedMemory(t, rdb))
	}
	return peak, nil
}

func usedMemory(t *testing.T, rdb *redis.Client) int64 {
	t.Helper()
	n, err := strconv.ParseInt(infoValues(t, rdb, "memory")["used_memory"], 10, 64)
	require.NoError(t, err)
	return n
}

// surviving counts which of prefix:from .. prefix:to-1 still exist.
func surviving(t *testing.T, rdb *redis.Client, prefix string, from, to int) int {
	t.Helper()
	keys := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		keys = append(keys, fmt.Sprintf("%s:%d", prefix, i))
	}
	n, err := rdb.Exists(ctx, keys...).Result()
	require.NoError(t, err)
	return int(n)
}

// requireNearLimit checks that used memory never went far past the limit, and that
// evictions did not leave it far below.
func requireNearLimit(t *testing.T, rdb *redis.Client, peak, limit int64) {
	t.Helper()
	require.LessOrEqual(t, peak, limit+overshootSlack, "used_memory went past maxmemory")
	require.Greater(t, usedMemory(t, rdb), limit-memoryHeadroom, "evictions emptied the dataset")
}

func TestMaxmemoryEvictsWithinTheLimit(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			_, rdb, limit := limitedServer(t, policy)
			peak, err := fill(t, rdb, "k", 0, 2000, time.Hour) // twice what fits
			require.NoError(t, err)
			requireNearLimit(t, rdb, peak, limit)
			// In one transaction, so that no eviction runs between the two.
			var size *redis.IntCmd
			var stats *redis.StringCmd
			_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				size, stats = p.DBSize(ctx), p.Info(ctx, "stats")
				return nil
			})
			require.NoError(t, err)
			_, _, values := parseInfo(stats.Val())
			evicted, err := strconv.ParseInt(values["evicted_keys"], 10, 64)
			require.NoError(t, err)
			require.Greater(t, evicted, int64(500))
			require.Equal(t, 2000-evicted, size.Val())
			values = infoValues(t, rdb, "memory")
			require.Equal(t, policy, values["maxmemory_policy"])
			require.Equal(t, fmt.Sprint(limit), values["maxmemory"])
		})
	}
}

func TestMaxmemoryVolatileKeepsKeysWithoutTTL(t *testing.T) {
	for _, policy := range []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			_, rdb, _ := limitedServer(t, policy)
			_, err := fill(t, rdb, "keep", 0, 200, 0)
			require.NoError(t, err)
			_, err = fill(t, rdb, "ttl", 0, 1500, time.Hour)
			require.NoError(t, err)
			require.Positive(t, infoInt(t, rdb, "evicted_keys"))
			require.Equal(t, 200, surviving(t, rdb, "keep", 0, 200), "keys without a TTL are never evicted")

			// Once no key with a TTL is left, writes are refused.
			_, err = fill(t, rdb, "more", 0, 5000, 0)
			require.EqualError(t, err, oomError)
			require.Zero(t, surviving(t, rdb, "ttl", 0, 1500))
			require.Equal(t, 200, surviving(t, rdb, "keep", 0, 200))
		})
	}
}

func TestMaxmemoryNoEviction(t *testing.T) {
	_, rdb, limit := limitedServer(t, "noeviction")
	peak, err := fill(t, rdb, "k", 0, 3000, 0)
	require.EqualError(t, err, oomError)
	require.LessOrEqual(t, peak, limit+overshootSlack)
	require.Zero(t, infoInt(t, rdb, "evicted_keys"))
	require.Greater(t, rdb.DBSize(ctx).Val(), int64(600))
	require.Regexp(t, `^count=[1-9]\d*$`, infoValues(t, rdb, "errorstats")["errorstat_OOM"])

	// Deleting frees room at once, before the server's garbage is collected: 600 keys
	// (2.4 MB), more than a reading may be past the limit (overshootSlack), wherever the
	// fill stopped. The test's own client shares the heap the figure reads, so its
	// garbage may still be counted: a retry after a collection (of the whole process)
	// covers that; the first attempt, usually met, is the strict check.
	keys := make([]string, 0, 600)
	for i := 0; i < 600; i++ {
		keys = append(keys, fmt.Sprintf("k:%d", i))
	}
	require.Equal(t, int64(600), rdb.Del(ctx, keys...).Val())
	if err := rdb.Set(ctx, "after-del", bigValue, 0).Err(); err != nil {
		runtime.GC()
		require.NoError(t, rdb.Set(ctx, "after-del", bigValue, 0).Err())
	}

	// Far over the limit: writes are refused, reads and deletions still run.
	require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", "1").Err())
	require.EqualError(t, rdb.Append(ctx, "k:600", "x").Err(), oomError)
	require.EqualError(t, rdb.LPush(ctx, "l", "x").Err(), oomError)
	require.Equal(t, bigValue, rdb.Get(ctx, "k:600").Val())
	require.Equal(t, int64(1), rdb.Del(ctx, "k:600").Val())
	require.Positive(t, infoInt(t, rdb, "current_eviction_exceeded_time")+1)
}

// requireHotKeysKept checks that among keys k:0 .. k:n-1, the hot tenth (k:0, k:10, ...)
// was evicted far less often than the rest, of which enough was evicted to tell.
func requireHotKeysKept(t *testing.T, rdb *redis.Client, n int) {
	t.Helper()
	hot, cold := 0, 0
	for i := 0; i < n; i++ {
		if rdb.Exists(ctx, fmt.Sprintf("k:%d", i)).Val() == 1 {
			if i%10 == 0 {
				hot++
			} else {
				cold++
			}
		}
	}
	t.Logf("survivors: %d/%d hot keys, %d/%d others", hot, n/10, cold, n-n/10)
	hotGone, coldGone := float64(n/10-hot)/float64(n/10), float64(n-n/10-cold)/float64(n-n/10)
	require.Greater(t, coldGone, 0.1, "too few evictions to compare")
	require.Less(t, 4*hotGone, coldGone, "hot keys evicted about as often as the others")
}

// lowerLimitBy collects the garbage, sets maxmemory bytes below the memory used and
// runs a command, so that with maxmemory-eviction-tenacity 100 (no time limit on a
// cycle) that much is evicted at once, whenever the collector runs. The ranking tests
// load their keys without a limit, then use it.
func lowerLimitBy(t *testing.T, rdb *redis.Client, bytes int64) {
	t.Helper()
	runtime.GC()
	used := usedMemory(t, rdb)
	require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", fmt.Sprint(used-bytes)).Err())
	require.NoError(t, rdb.Ping(ctx).Err())
}

// allkeys-lru keeps the keys read recently: after the clock moves on, reading a tenth
// of the keys makes them younger than the rest, which then go first.
func TestMaxmemoryLRUKeepsRecentlyReadKeys(t *testing.T) {
	srv := startServer(t, cinnabartest.WithPolicy("allkeys-lru"), cinnabartest.WithConfig("maxmemory-eviction-tenacity", "100"))
	rdb := newClient(t, srv.Addr(), 2)
	_, err := fill(t, rdb, "k", 0, 1000, 0)
	require.NoError(t, err)
	srv.FastForward(100 * time.Second)
	for i := 0; i < 1000; i += 10 {
		require.NoError(t, rdb.Get(ctx, fmt.Sprintf("k:%d", i)).Err())
	}
	lowerLimitBy(t, rdb, 3<<19)
	requireHotKeysKept(t, rdb, 1000)
}

// allkeys-lfu keeps the keys read often, whatever their age.
func TestMaxmemoryLFUKeepsFrequentlyReadKeys(t *testing.T) {
	srv := startServer(t, cinnabartest.WithPolicy("allkeys-lfu"), cinnabartest.WithConfig("maxmemory-eviction-tenacity", "100"))
	rdb := newClient(t, srv.Addr(), 2)
	_, err := fill(t, rdb, "k", 0, 1000, 0)
	require.NoError(t, err)
	for round := 0; round < 30; round++ {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < 1000; i += 10 {
				p.GetRange(ctx, fmt.Sprintf("k:%d", i), 0, 0)
			}
			return nil
		})
		require.NoError(t, err)
	}
	require.Greater(t, rdb.ObjectFreq(ctx, "k:0").Val(), rdb.ObjectFreq(ctx, "k:1").Val())
	lowerLimitBy(t, rdb, 3<<19)
	requireHotKeysKept(t, rdb, 1000)
}

// volatile-ttl evicts the keys closest to expiring first.
func TestMaxmemoryVolatileTTLEvictsShortestTTLFirst(t *testing.T) {
	srv := startServer(t, cinnabartest.WithPolicy("volatile-ttl"), cinnabartest.WithConfig("maxmemory-eviction-tenacity", "100"))
	rdb := newClient(t, srv.Addr(), 2)
	_, err := fill(t, rdb, "long", 0, 400, 10*time.Hour)
	require.NoError(t, err)
	_, err = fill(t, rdb, "short", 0, 400, time.Hour)
	require.NoError(t, err)
	lowerLimitBy(t, rdb, 1<<20) // about 250 keys
	short, long := surviving(t, rdb, "short", 0, 400), surviving(t, rdb, "long", 0, 400)
	t.Logf("survivors: %d/400 with 1 h, %d/400 with 10 h", short, long)
	require.Less(t, short, 250)
	require.GreaterOrEqual(t, long, 390)
}

// Evicting a watched key aborts the transaction; the eviction is published as an
// "evicted" event, as on the reference server.
func TestMaxmemoryWatchAndNotification(t *testing.T) {
	mcDiff(t, `
		2 SET k v
		2 CONFIG SET notify-keyspace-events Ee
		3! SUBSCRIBE __keyevent@0__:evicted
		1 WATCH k
		2 CONFIG SET maxmemory-policy allkeys-lru
		2 CONFIG SET maxmemory 1
		2 SET other v
		2 DBSIZE
		2 CONFIG SET maxmemory 0
		2 CONFIG SET maxmemory-policy noeviction
		3@ PING
		1 MULTI
		1 SET k v2
		1 EXEC
		2 INFO keyspace
	`)
}

// Lowering maxmemory evicts at once, without waiting for another command, and long
// cycles show in the latency monitor.
func TestMaxmemoryConfigSetEvictsAtOnce(t *testing.T) {
	srv := startServer(t, cinnabartest.WithPolicy("allkeys-random"),
		cinnabartest.WithConfig("enable-debug-command", "yes"),
		cinnabartest.WithConfig("notify-keyspace-events", "Ee"),
		cinnabartest.WithConfig("latency-monitor-threshold", "1"),
		cinnabartest.WithConfig("maxmemory-eviction-tenacity", "100"))
	rdb := newClient(t, srv.Addr(), 2)
	require.NoError(t, rdb.Do(ctx, "DEBUG", "POPULATE", "30000").Err())
	sub := rdb.Subscribe(ctx, "__keyevent@0__:evicted")
	defer sub.Close()
	_, err := sub.Receive(ctx) // the subscription's confirmation
	require.NoError(t, err)

	runtime.GC()
	used := usedMemory(t, rdb)
	require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", fmt.Sprint(used-1<<20)).Err())
	msg, err := sub.ReceiveMessage(ctx)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(msg.Payload, "key:"), msg.Payload)

	require.Eventually(t, func() bool { return rdb.DBSize(ctx).Val() < 25000 }, 5*time.Second, 10*time.Millisecond)
	latest := fmt.Sprint(rdb.Do(ctx, "LATENCY", "LATEST").Val())
	require.Contains(t, latest, "eviction-cycle")
}

// The -OOM replies of scripts and functions, compared with the reference server: a
// script that declares flags without allow-oom (or no-writes) does not start; a script
// without a shebang fails on its first denyoom command, unless it wrote before.
func TestMaxmemoryScriptsDifferential(t *testing.T) {
	t.Cleanup(func() { mcReset(t, referenceAddr(t)) })
	lib := "#!lua name=lib\n" +
		"redis.register_function('w', function(k) return redis.call('set', k[1], '1') end)\n" +
		"redis.register_function{function_name='ao', callback=function(k) return redis.call('set', k[1], '1') end, flags={'allow-oom'}}\n" +
		"redis.register_function{function_name='nw', callback=function(k) return redis.call('get', k[1]) end, flags={'no-writes'}}"
	diffBothProtocols(t,
		[]string{"SET", "a", "1"}, []string{"FUNCTION", "LOAD", lib},
		[]string{"CONFIG", "SET", "maxmemory", "1"},
		[]string{"FCALL", "w", "1", "k"}, []string{"FCALL", "ao", "1", "k"}, []string{"FCALL", "nw", "1", "k"},
		[]string{"FCALL_RO", "nw", "1", "k"}, []string{"FCALL", "nosuch", "0"},
		ev("#!lua\nreturn 1"), ev("#!lua flags=no-writes\nreturn redis.call('get','a')"),
		ev("#!lua flags=allow-oom\nreturn redis.call('set','a','2')"),
		ev("#!lua flags=allow-oom,no-writes\nreturn redis.call('set','a','2')"),
		ev("#!lua flags=bad\nreturn 1"), []string{"EVAL_RO", "#!lua\nreturn 1", "0"},
		ev(`return redis.call('set','x','1')`), ev(`return redis.pcall('set','x','1')`),
		ev(`return redis.call('get','a')`), ev(`return redis.call('del','nokey')`),
		ev(`redis.call('del','nokey') return redis.call('set','a','3')`), // it wrote: it may go on
		[]string{"EVAL_RO", "return redis.call('set','a','2')", "0"},
		[]string{"EVALSHA", "0000000000000000000000000000000000000000", "0"},
		[]string{"SCRIPT", "LOAD", "return 1"}, []string{"FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('x', function() return 1 end)"},
		[]string{"FUNCTION", "DELETE", "lib"}, []string{"PUBLISH", "c", "m"}, []string{"GET", "a"},
		[]string{"CONFIG", "SET", "maxmemory", "0"}, []string{"SET", "b", "1"},
	)
}

// used_memory drops as soon as keys are deleted, without waiting for the garbage
// collector, so that a limit can be enforced.
func TestUsedMemoryFollowsDeletes(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	_, err := fill(t, rdb, "k", 0, 500, 0) // 2 MB
	require.NoError(t, err)
	before := usedMemory(t, rdb)
	keys := make([]string, 500)
	for i := range keys {
		keys[i] = fmt.Sprintf("k:%d", i)
	}
	require.Equal(t, int64(500), rdb.Del(ctx, keys...).Val())
	require.Less(t, usedMemory(t, rdb), before-3*int64(memoryHeadroom)/8, "1.5 MB of the 2 MB deleted")
	require.GreaterOrEqual(t, infoInt(t, rdb, "used_memory_peak"), before)
}
