package compat

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

func TestKeysGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.NoError(t, rdb.MSet(ctx, "a", "1", "b", "2", "c", "3").Err())
		require.Equal(t, int64(2), rdb.Exists(ctx, "a", "b", "zz").Val())
		require.Equal(t, int64(2), rdb.Touch(ctx, "a", "b", "zz").Val())
		require.Equal(t, "string", rdb.Type(ctx, "a").Val())
		require.Equal(t, "none", rdb.Type(ctx, "zz").Val())
		require.Equal(t, int64(1), rdb.Del(ctx, "a", "zz").Val())
		require.Equal(t, int64(1), rdb.Unlink(ctx, "b").Val())

		require.NoError(t, rdb.Rename(ctx, "c", "d").Err())
		require.Equal(t, "3", rdb.Get(ctx, "d").Val())
		require.Error(t, rdb.Rename(ctx, "nokey", "x").Err())
		require.NoError(t, rdb.Set(ctx, "e", "5", 0).Err())
		require.False(t, rdb.RenameNX(ctx, "d", "e").Val())
		require.True(t, rdb.RenameNX(ctx, "d", "f").Val())

		require.Equal(t, int64(1), rdb.Copy(ctx, "f", "g", 0, false).Val())
		require.Equal(t, int64(0), rdb.Copy(ctx, "f", "g", 0, false).Val())
		require.Equal(t, int64(1), rdb.Copy(ctx, "e", "g", 0, true).Val())
		require.Equal(t, "5", rdb.Get(ctx, "g").Val())
		require.Equal(t, int64(1), rdb.Copy(ctx, "g", "g", 3, false).Val())

		require.True(t, rdb.Move(ctx, "g", 2).Val())
		require.False(t, rdb.Move(ctx, "zz", 2).Val())
		require.Equal(t, int64(2), rdb.DBSize(ctx).Val())

		keys := rdb.Keys(ctx, "*").Val()
		sort.Strings(keys)
		require.Equal(t, []string{"e", "f"}, keys)
		require.Contains(t, []string{"e", "f"}, rdb.RandomKey(ctx).Val())

		require.NoError(t, rdb.Do(ctx, "SWAPDB", 0, 2).Err())
		require.Equal(t, "5", rdb.Get(ctx, "g").Val())
		require.NoError(t, rdb.FlushDB(ctx).Err())
		require.Equal(t, int64(0), rdb.DBSize(ctx).Val())
		require.NoError(t, rdb.FlushAll(ctx).Err())
		require.Equal(t, redis.Nil, rdb.RandomKey(ctx).Err())

		require.NoError(t, rdb.Set(ctx, "x", "12345", 0).Err())
		require.Equal(t, "int", rdb.ObjectEncoding(ctx, "x").Val())
		require.LessOrEqual(t, rdb.ObjectIdleTime(ctx, "x").Val(), 2*time.Second) // the LRU clock ticks in seconds
	})
}

// TestScanReturnsEveryStableKey checks SCAN's guarantee while the keyspace changes
// under it: keys present for the whole scan are returned at least once.
func TestScanReturnsEveryStableKey(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 3)
	const stable = 2000
	pipe := rdb.Pipeline()
	for i := 0; i < stable; i++ {
		pipe.Set(ctx, fmt.Sprintf("stable:%d", i), "v", 0)
	}
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)

	seen := map[string]bool{}
	var cursor uint64
	round := 0
	for {
		keys, next, err := rdb.Scan(ctx, cursor, "", 37).Result()
		require.NoError(t, err)
		for _, k := range keys {
			seen[k] = true
		}
		// Grow and shrink the keyspace between calls.
		pipe := rdb.Pipeline()
		for i := 0; i < 50; i++ {
			pipe.Set(ctx, fmt.Sprintf("temp:%d:%d", round, i), "v", 0)
		}
		if round > 0 {
			for i := 0; i < 50; i++ {
				pipe.Del(ctx, fmt.Sprintf("temp:%d:%d", round-1, i))
			}
		}
		_, err = pipe.Exec(ctx)
		require.NoError(t, err)
		round++
		if next == 0 {
			break
		}
		cursor = next
	}
	for i := 0; i < stable; i++ {
		require.True(t, seen[fmt.Sprintf("stable:%d", i)], "stable:%d missing", i)
	}
}

func TestScanOptions(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	for i := 0; i < 100; i++ {
		require.NoError(t, rdb.Set(ctx, fmt.Sprintf("user:%d", i), "v", 0).Err())
		require.NoError(t, rdb.Set(ctx, fmt.Sprintf("item:%d", i), "v", 0).Err())
	}
	var all []string
	iter := rdb.Scan(ctx, 0, "user:*", 10).Iterator()
	for iter.Next(ctx) {
		all = append(all, iter.Val())
	}
	require.NoError(t, iter.Err())
	require.Len(t, all, 100)
	keys, _, err := rdb.ScanType(ctx, 0, "", 1000, "string").Result()
	require.NoError(t, err)
	require.Len(t, keys, 200)
	keys, _, err = rdb.ScanType(ctx, 0, "", 1000, "list").Result()
	require.NoError(t, err)
	require.Empty(t, keys)
	// COUNT bounds the keys examined per call.
	keys, cursor, err := rdb.Scan(ctx, 0, "", 5).Result()
	require.NoError(t, err)
	require.Len(t, keys, 5)
	require.NotZero(t, cursor)
}

// TestTypeScanDifferential covers HSCAN, SSCAN and ZSCAN on small values (a listpack
// or an intset: one call returns everything, in a fixed order) and the order of their checks: the cursor,
// then the key, then the options.
func TestTypeScanDifferential(t *testing.T) {
	diffBothProtocols(t,
		[]string{"HSET", "h", "a", "1", "b", "2"}, []string{"SADD", "s", "3", "1", "2"},
		[]string{"ZADD", "z", "1.5", "a", "2", "b", "-inf", "c"},
		[]string{"SET", "str", "x"},
		[]string{"HSCAN", "h", "0"}, []string{"HSCAN", "h", "0", "MATCH", "a"}, []string{"SSCAN", "s", "0"},
		[]string{"SSCAN", "s", "0", "MATCH", "[12]", "COUNT", "1"}, []string{"SSCAN", "s", "-0"},
		[]string{"ZSCAN", "z", "0"}, []string{"ZSCAN", "z", "+0", "MATCH", "?"}, []string{"ZSCAN", "z", "0", "COUNT", "0"},
		[]string{"ZSCAN", "z", "0", "NOVALUES"}, []string{"ZSCAN", "z", "0", "TYPE", "zset"}, []string{"ZSCAN", "z", "0", "MATCH"},
		[]string{"ZSCAN", "nokey", "0", "COUNT", "x"}, []string{"SSCAN", "nokey", "x"}, []string{"ZSCAN", "str", "0", "foo"},
		[]string{"ZSCAN", "str", "abc"}, []string{"SSCAN", "h", "0"}, []string{"HSCAN", "z", "0"},
	)
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.NoError(t, rdb.ZAdd(ctx, "z", redis.Z{Score: 1.5, Member: "a"}, redis.Z{Score: 2, Member: "b"}).Err())
		items, cursor, err := rdb.ZScan(ctx, "z", 0, "a*", 10).Result()
		require.NoError(t, err)
		require.Equal(t, []string{"a", "1.5"}, items)
		require.Zero(t, cursor)
		require.EqualError(t, rdb.Do(ctx, "ZSCAN", "z", "0", "COUNT", "0").Err(), "ERR syntax error")
	})
}

// TestLengthCommandsDifferential runs STRLEN, LLEN, SCARD, HLEN, ZCARD and XLEN (one
// handler) on a key of every type and a missing one, and SISMEMBER/SMISMEMBER.
func TestLengthCommandsDifferential(t *testing.T) {
	cmds := [][]string{
		{"SET", "s", "12345"}, {"SET", "n", "-7"}, {"RPUSH", "l", "a", "b"}, {"SADD", "st", "1", "2", "3"},
		{"HSET", "h", "a", "1"}, {"ZADD", "z", "1", "a"}, {"XADD", "x", "1-1", "a", "1"},
		{"SISMEMBER", "st", "1"}, {"SISMEMBER", "nokey", "1"}, {"SISMEMBER", "s", "1"},
		{"SMISMEMBER", "st", "1", "9"}, {"SMISMEMBER", "nokey", "1"}, {"SMISMEMBER", "h", "1"},
	}
	for _, key := range []string{"s", "n", "l", "st", "h", "z", "x", "nokey"} {
		for _, cmd := range []string{"STRLEN", "LLEN", "SCARD", "HLEN", "ZCARD", "XLEN"} {
			cmds = append(cmds, []string{cmd, key})
		}
	}
	diffBothProtocols(t, cmds...)
}

func TestKeysDifferential(t *testing.T) {
	diffScript(t, `
		MSET a 1 b 2 c 3 h1llo x hallo x hxllo x hllo x heeeello x h[llo x h* x
		DEL a nokey
		DEL
		UNLINK b
		EXISTS a b c c
		TOUCH c nokey
		TYPE c
		TYPE nokey
		RENAME c d
		RENAME nokey x
		RENAME d d
		RENAMENX d d
		RENAMENX d hallo
		RENAMENX d e
		COPY e e
		COPY e f
		COPY e f
		COPY e f REPLACE
		COPY e f DB 100
		COPY e f DB x
		COPY e f BADOPT
		COPY e f DB 1
		MOVE e 1
		MOVE f 1
		MOVE f 100
		MOVE f x
		MOVE f 0
		MOVE nokey 1
		DBSIZE
		sort KEYS h?llo
		sort KEYS h*llo
		sort KEYS h[ae]llo
		sort KEYS h[^e]llo
		sort KEYS h[a-b]llo
		sort KEYS h[b-a]llo
		sort KEYS h\[llo
		sort KEYS h\*
		sort KEYS *
		sort KEYS h[
		sort KEYS [
		SCAN x
		SCAN 0 COUNT 0
		SCAN 0 COUNT x
		SCAN 0 MATCH
		SCAN 0 FOO bar
		SCAN 0 TYPE foo
		SWAPDB 0 1
		SWAPDB a 1
		SWAPDB 0 a
		SWAPDB 0 100
		DBSIZE
		SWAPDB 1 0
		FLUSHDB x
		FLUSHDB ASYNC
		FLUSHALL SYNC
		RANDOMKEY
		SET k v
		RANDOMKEY
		OBJECT ENCODING nokey
		OBJECT FREQ k
		OBJECT FOO k
		OBJECT
		OBJECT HELP
		OBJECT ENCODING
	`)
}

func TestExpireGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
		require.True(t, rdb.Expire(ctx, "k", 100*time.Second).Val())
		require.InDelta(t, 100*time.Second, rdb.TTL(ctx, "k").Val(), float64(time.Second))
		require.InDelta(t, 100*time.Second, rdb.PTTL(ctx, "k").Val(), float64(time.Second))
		require.False(t, rdb.ExpireNX(ctx, "k", time.Second).Val())
		require.True(t, rdb.ExpireGT(ctx, "k", 200*time.Second).Val())
		require.True(t, rdb.ExpireLT(ctx, "k", 50*time.Second).Val())
		require.False(t, rdb.ExpireXX(ctx, "nokey", time.Second).Val())
		at := srv.Now().Add(time.Hour).Truncate(time.Second)
		require.True(t, rdb.ExpireAt(ctx, "k", at).Val())
		require.Equal(t, at.Unix(), rdb.ExpireTime(ctx, "k").Val().Milliseconds()/1000)
		require.True(t, rdb.PExpireAt(ctx, "k", at).Val())
		require.Equal(t, at.UnixMilli(), rdb.PExpireTime(ctx, "k").Val().Milliseconds())
		require.True(t, rdb.Persist(ctx, "k").Val())
		require.False(t, rdb.Persist(ctx, "k").Val())
		require.Equal(t, time.Duration(-1), rdb.TTL(ctx, "k").Val())
		require.Equal(t, time.Duration(-2), rdb.TTL(ctx, "nokey").Val())

		// The clock moves instead of the test sleeping.
		require.NoError(t, rdb.Set(ctx, "short", "v", 5*time.Second).Err())
		srv.FastForward(4 * time.Second)
		require.Equal(t, "v", rdb.Get(ctx, "short").Val())
		srv.FastForward(2 * time.Second)
		require.Equal(t, redis.Nil, rdb.Get(ctx, "short").Err())

		// A TTL in the past deletes the key.
		require.NoError(t, rdb.Set(ctx, "gone", "v", 0).Err())
		require.True(t, rdb.Expire(ctx, "gone", -time.Second).Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "gone").Val())
	})
}

// TestActiveExpiry checks that keys nobody reads are removed by the background cycle.
func TestActiveExpiry(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 3)
	pipe := rdb.Pipeline()
	for i := 0; i < 1000; i++ {
		pipe.Set(ctx, fmt.Sprintf("k%d", i), "v", time.Second)
	}
	pipe.Set(ctx, "keep", "v", 0)
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)
	srv.FastForward(2 * time.Second)
	require.Eventually(t, func() bool { return rdb.DBSize(ctx).Val() == 1 }, 10*time.Second, 20*time.Millisecond)
	info := rdb.Info(ctx, "stats").Val()
	require.Contains(t, info, "expired_keys:1000")
}

func TestExpireDifferential(t *testing.T) {
	diffScript(t, `
		SET k v
		EXPIRE k 100
		TTL k
		EXPIRE k 100 NX
		EXPIRE k 100 XX
		EXPIRE k 50 GT
		EXPIRE k 500 GT
		EXPIRE k 1000 LT
		EXPIRE k 10 LT
		TTL k
		EXPIRE k 10 NX XX
		EXPIRE k 10 GT LT
		EXPIRE k 10 FOO
		EXPIRE k abc
		EXPIRE k 9223372036854775807
		PEXPIRE k 9223372036854775807
		EXPIREAT k 9223372036854775807
		PEXPIRE k 100000
		PTTL nokey
		TTL nokey
		EXPIRETIME nokey
		PEXPIRETIME nokey
		SET p v
		TTL p
		PTTL p
		EXPIRETIME p
		PEXPIRETIME p
		EXPIRE p 100 LT
		PERSIST p
		PERSIST p
		PERSIST nokey
		EXPIRE nokey 10
		SET p v
		EXPIRE p 10 GT
		EXPIREAT p 4102444800
		EXPIRETIME p
		PEXPIREAT p 4102444800123
		PEXPIRETIME p
		EXPIRE p 0
		EXISTS p
		SET p v
		PEXPIRE p -1
		EXISTS p
		SET p v
		EXPIREAT p 1
		EXISTS p
		EXPIRE
	`)
}
