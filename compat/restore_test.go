package compat

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// TestDumpRestoreGoRedis drives DUMP and RESTORE through go-redis: values of every
// type survive the trip, and the options and errors behave.
func TestDumpRestoreGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.Equal(t, redis.Nil, rdb.Dump(ctx, "missing").Err())

		require.NoError(t, rdb.Set(ctx, "s", "hello", 0).Err())
		require.NoError(t, rdb.RPush(ctx, "l", "a", "b", "c").Err())
		require.NoError(t, rdb.SAdd(ctx, "set", "x", "y").Err())
		require.NoError(t, rdb.HSet(ctx, "h", "f", "v", "g", "w").Err())
		require.NoError(t, rdb.ZAdd(ctx, "z", redis.Z{Score: 1.5, Member: "m"}, redis.Z{Score: -2, Member: "n"}).Err())
		require.NoError(t, rdb.XAdd(ctx, &redis.XAddArgs{Stream: "x", ID: "1-1", Values: []string{"k", "v"}}).Err())
		require.NoError(t, rdb.XGroupCreate(ctx, "x", "g", "0").Err())
		require.NoError(t, rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{"x", ">"}}).Err())
		for _, k := range []string{"s", "l", "set", "h", "z", "x"} {
			payload, err := rdb.Dump(ctx, k).Result()
			require.NoError(t, err)
			require.Equal(t, "OK", rdb.Restore(ctx, k+":copy", 0, payload).Val(), k)
			require.Equal(t, rdb.Type(ctx, k).Val(), rdb.Type(ctx, k+":copy").Val())
			if k != "set" { // a hashtable lists members in its own seed's order
				require.Equal(t, payload, rdb.Dump(ctx, k+":copy").Val(), "%s: a restored value dumps the same", k)
			}
		}
		require.Equal(t, "hello", rdb.Get(ctx, "s:copy").Val())
		require.Equal(t, []string{"a", "b", "c"}, rdb.LRange(ctx, "l:copy", 0, -1).Val())
		require.ElementsMatch(t, []string{"x", "y"}, rdb.SMembers(ctx, "set:copy").Val())
		require.Equal(t, map[string]string{"f": "v", "g": "w"}, rdb.HGetAll(ctx, "h:copy").Val())
		require.Equal(t, []redis.Z{{Score: -2, Member: "n"}, {Score: 1.5, Member: "m"}}, rdb.ZRangeWithScores(ctx, "z:copy", 0, -1).Val())
		pending := rdb.XPending(ctx, "x:copy", "g").Val()
		require.Equal(t, int64(1), pending.Count)
		require.Equal(t, map[string]int64{"c": 1}, pending.Consumers)

		// An existing key needs REPLACE.
		payload := rdb.Dump(ctx, "l").Val()
		require.EqualError(t, rdb.Restore(ctx, "s", 0, payload).Err(), "BUSYKEY Target key name already exists.")
		require.Equal(t, "hello", rdb.Get(ctx, "s").Val())
		require.Equal(t, "OK", rdb.RestoreReplace(ctx, "s", 0, payload).Val())
		require.Equal(t, []string{"a", "b", "c"}, rdb.LRange(ctx, "s", 0, -1).Val())

		// TTLs: relative, absolute, and already past.
		require.Equal(t, "OK", rdb.Restore(ctx, "t", 10*time.Second, payload).Val())
		require.InDelta(t, 10*time.Second, rdb.PTTL(ctx, "t").Val(), float64(time.Second))
		srv.FastForward(11 * time.Second)
		require.Equal(t, int64(0), rdb.Exists(ctx, "t").Val())
		at := srv.Now().Add(time.Hour).UnixMilli()
		require.Equal(t, "OK", rdb.Do(ctx, "RESTORE", "t", at, payload, "ABSTTL").Val())
		require.Equal(t, at, rdb.PExpireTime(ctx, "t").Val().Milliseconds())
		require.Equal(t, "OK", rdb.Do(ctx, "RESTORE", "t", 1, payload, "ABSTTL", "REPLACE").Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "t").Val(), "a past deadline deletes the replaced key")
		require.Equal(t, "OK", rdb.Do(ctx, "RESTORE", "t", 1, payload, "ABSTTL").Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "t").Val(), "a past deadline creates nothing")

		// Access metadata: IDLETIME under an LRU policy.
		require.Equal(t, "OK", rdb.Do(ctx, "RESTORE", "idle", 0, payload, "IDLETIME", 1000).Val())
		require.InDelta(t, 1000, rdb.ObjectIdleTime(ctx, "idle").Val().Seconds(), 2)
		require.Equal(t, "OK", rdb.Do(ctx, "RESTORE", "idle2", 0, payload, "IDLETIME", 1<<40).Val())
		require.Greater(t, rdb.ObjectIdleTime(ctx, "idle2").Val(), 90*24*time.Hour, "an idle time past the LRU clock's range stays long")

		// Errors.
		require.EqualError(t, rdb.Do(ctx, "RESTORE", "e", -1, payload).Err(), "ERR Invalid TTL value, must be >= 0")
		require.EqualError(t, rdb.Restore(ctx, "e", 0, "junk").Err(), "ERR DUMP payload version or checksum are wrong")
		require.EqualError(t, rdb.Restore(ctx, "e", 0, payload[:len(payload)-1]+"x").Err(), "ERR DUMP payload version or checksum are wrong")
		require.EqualError(t, rdb.Do(ctx, "RESTORE", "e", 0, payload, "FREQ", 256).Err(), "ERR Invalid FREQ value, must be >= 0 and <= 255")
		require.EqualError(t, rdb.Do(ctx, "RESTORE", "e", 0, payload, "IDLETIME", -1).Err(), "ERR Invalid IDLETIME value, must be >= 0")
		require.EqualError(t, rdb.Do(ctx, "RESTORE", "e", 0, payload, "IDLETIME", 1, "FREQ", 1).Err(), "ERR syntax error")
		require.Equal(t, int64(0), rdb.Exists(ctx, "e").Val())
	})
}

// TestRestoreFrequency sets the LFU counter under an LFU policy; IDLETIME is then
// ignored.
func TestRestoreFrequency(t *testing.T) {
	srv := startServer(t, cinnabartest.WithPolicy("allkeys-lfu"))
	rdb := newClient(t, srv.Addr(), 3)
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
	payload := rdb.Dump(ctx, "k").Val()
	require.Equal(t, "OK", rdb.Do(ctx, "RESTORE", "f", 0, payload, "FREQ", 200).Val())
	require.Equal(t, int64(200), rdb.ObjectFreq(ctx, "f").Val())
	require.Equal(t, "OK", rdb.Do(ctx, "RESTORE", "i", 0, payload, "IDLETIME", 50).Val())
	require.Equal(t, int64(5), rdb.ObjectFreq(ctx, "i").Val(), "a new key's counter")
}

// restoreLua restores KEYS[1] from the DUMP of KEYS[2] with the ttl and options in
// ARGV: the multi-connection scripts cannot carry a binary payload.
const restoreLua = `EVAL return\sredis.call('restore',KEYS[1],ARGV[1],redis.call('dump',KEYS[2]),unpack(ARGV,2))`

// TestRestoreSideEffectsDifferential checks what a RESTORE does besides storing: its
// keyspace notifications, the WATCHes it breaks, the blocked clients it serves.
func TestRestoreSideEffectsDifferential(t *testing.T) {
	t.Run("notifications", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			1 SET src v
			1 SET old v
			9@ PING
			1 `+restoreLua+` 2 new src 0
			9@ PING
			1 `+restoreLua+` 2 old src 100000 REPLACE
			9@ PING
			1 `+restoreLua+` 2 old src 1 ABSTTL REPLACE
			9@ PING
			1 `+restoreLua+` 2 none src 1 ABSTTL REPLACE
			9@ PING
			1 `+restoreLua+` 2 new src 0
			9@ PING
		`))
	})
	t.Run("watch", func(t *testing.T) {
		mcDiff(t, `
			1 SET src v
			1 WATCH k
			2 `+restoreLua+` 2 k src 0
			1 MULTI
			1 GET k
			1 EXEC
			1 WATCH k
			2 `+restoreLua+` 2 k src 0 REPLACE
			1 MULTI
			1 GET k
			1 EXEC
			1 WATCH k
			2 `+restoreLua+` 2 k src 0
			1 MULTI
			1 GET k
			1 EXEC
		`)
	})
	t.Run("blocked pop", func(t *testing.T) {
		mcDiff(t, `
			1 RPUSH src a b
			2> BLPOP q 0
			3 `+restoreLua+` 2 q src 0
			2<
			1 LRANGE q 0 -1
		`)
	})
}

// TestRestoreArgumentsDifferential checks RESTORE's argument errors, and the order it
// checks them in, against the reference.
func TestRestoreArgumentsDifferential(t *testing.T) {
	ref := dialRaw(t, referenceAddr(t))
	ours := dialRaw(t, startServer(t).Addr())
	ref.Do(t, "FLUSHALL")
	for _, c := range []*rawConn{ref, ours} {
		c.Do(t, "SET", "k", "1")
	}
	payload := string(bulkBody(t, ref.Do(t, "DUMP", "k")))
	for _, args := range [][]string{
		{"RESTORE", "k", "0", payload},
		{"RESTORE", "k", "0", payload, "foo"},
		{"RESTORE", "k", "-1", payload},
		{"RESTORE", "k", "x", "junk"},
		{"RESTORE", "k", "x", "junk", "REPLACE"},
		{"RESTORE", "n", "-1", payload},
		{"RESTORE", "n", "x", payload},
		{"RESTORE", "n", "0", "junk"},
		{"RESTORE", "n", "0", payload, "IDLETIME"},
		{"RESTORE", "n", "0", payload, "IDLETIME", "x"},
		{"RESTORE", "n", "0", payload, "IDLETIME", "-1"},
		{"RESTORE", "n", "0", payload, "FREQ", "-1"},
		{"RESTORE", "n", "0", payload, "FREQ", "256"},
		{"RESTORE", "n", "0", payload, "FREQ", "1", "IDLETIME", "3"},
		{"RESTORE", "n", "0", payload, "IDLETIME", "3", "FREQ", "1"},
		{"RESTORE", "k", "0", payload, "REPLACE", "IDLETIME", "x"},
		{"RESTORE", "n", "9223372036854775807", payload},
		{"EXISTS", "n"},
		{"RESTORE", "n", "9223372036854775807", payload, "ABSTTL"},
		{"EXISTS", "n"},
		{"RESTORE", "n2", "0", payload, "replace", "absttl", "IdleTime", "5", "Replace"},
		{"GET", "n2"},
		{"RESTORE-ASKING", "n3", "0", payload},
		{"GET", "n3"},
		{"RESTORE", "n3"},
		{"DUMP"},
		{"DUMP", "a", "b"},
		{"DUMP", "nokey"},
	} {
		require.Equal(t, ref.Do(t, args...), ours.Do(t, args...), "%q", args)
	}
}
