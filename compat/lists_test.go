package compat

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

func TestListsGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.Equal(t, int64(3), rdb.LPush(ctx, "l", "c", "b", "a").Val())
		require.Equal(t, int64(5), rdb.RPush(ctx, "l", "d", "e").Val())
		require.Equal(t, int64(6), rdb.LPushX(ctx, "l", "z").Val())
		require.Equal(t, int64(7), rdb.RPushX(ctx, "l", "y").Val())
		require.Equal(t, int64(0), rdb.LPushX(ctx, "nokey", "x").Val())
		require.Equal(t, int64(0), rdb.RPushX(ctx, "nokey", "x").Val())
		require.Equal(t, int64(7), rdb.LLen(ctx, "l").Val())
		require.Equal(t, []string{"z", "a", "b", "c", "d", "e", "y"}, rdb.LRange(ctx, "l", 0, -1).Val())
		require.Equal(t, "list", rdb.Type(ctx, "l").Val())
		require.Equal(t, "quicklist", rdb.ObjectEncoding(ctx, "l").Val())

		require.Equal(t, "z", rdb.LPop(ctx, "l").Val())
		require.Equal(t, "y", rdb.RPop(ctx, "l").Val())
		require.Equal(t, []string{"a", "b"}, rdb.LPopCount(ctx, "l", 2).Val())
		require.Equal(t, []string{"e"}, rdb.RPopCount(ctx, "l", 1).Val())
		require.Equal(t, redis.Nil, rdb.LPop(ctx, "nokey").Err())
		require.Equal(t, redis.Nil, rdb.LPopCount(ctx, "nokey", 2).Err())

		require.Equal(t, "c", rdb.LIndex(ctx, "l", 0).Val())
		require.Equal(t, "d", rdb.LIndex(ctx, "l", -1).Val())
		require.Equal(t, redis.Nil, rdb.LIndex(ctx, "l", 5).Err())
		require.NoError(t, rdb.LSet(ctx, "l", 1, "D").Err())
		require.EqualError(t, rdb.LSet(ctx, "l", 9, "x").Err(), "ERR index out of range")
		require.EqualError(t, rdb.LSet(ctx, "nokey", 0, "x").Err(), "ERR no such key")

		require.Equal(t, int64(3), rdb.LInsertBefore(ctx, "l", "D", "b").Val())
		require.Equal(t, int64(4), rdb.LInsertAfter(ctx, "l", "D", "b").Val())
		require.Equal(t, int64(-1), rdb.LInsert(ctx, "l", "BEFORE", "nothing", "x").Val())
		require.Equal(t, []string{"c", "b", "D", "b"}, rdb.LRange(ctx, "l", 0, -1).Val())
		require.Equal(t, int64(1), rdb.LPos(ctx, "l", "b", redis.LPosArgs{}).Val())
		require.Equal(t, int64(3), rdb.LPos(ctx, "l", "b", redis.LPosArgs{Rank: -1}).Val())
		require.Equal(t, redis.Nil, rdb.LPos(ctx, "l", "zz", redis.LPosArgs{}).Err())
		require.Equal(t, []int64{1, 3}, rdb.LPosCount(ctx, "l", "b", 0, redis.LPosArgs{}).Val())
		require.Equal(t, []int64{1}, rdb.LPosCount(ctx, "l", "b", 0, redis.LPosArgs{MaxLen: 3}).Val())
		require.Equal(t, int64(2), rdb.LRem(ctx, "l", 0, "b").Val())
		require.NoError(t, rdb.RPush(ctx, "l", "x", "y", "z").Err())
		require.NoError(t, rdb.LTrim(ctx, "l", 1, -2).Err())
		require.Equal(t, []string{"D", "x", "y"}, rdb.LRange(ctx, "l", 0, -1).Val())

		require.Equal(t, "D", rdb.LMove(ctx, "l", "m", "LEFT", "RIGHT").Val())
		require.Equal(t, "y", rdb.RPopLPush(ctx, "l", "m").Val())
		require.Equal(t, []string{"y", "D"}, rdb.LRange(ctx, "m", 0, -1).Val())
		require.Equal(t, redis.Nil, rdb.LMove(ctx, "nokey", "m", "LEFT", "LEFT").Err())

		key, vals, err := rdb.LMPop(ctx, "right", 5, "nokey", "m").Result()
		require.NoError(t, err)
		require.Equal(t, "m", key)
		require.Equal(t, []string{"D", "y"}, vals)
		require.Equal(t, int64(0), rdb.Exists(ctx, "m").Val())
		require.Equal(t, redis.Nil, rdb.LMPop(ctx, "left", 1, "nokey").Err())

		// The blocking commands, served at once because there is data.
		require.NoError(t, rdb.RPush(ctx, "q", "1", "2", "3", "4", "5").Err())
		require.Equal(t, []string{"q", "1"}, rdb.BLPop(ctx, 0, "nokey", "q").Val())
		require.Equal(t, []string{"q", "5"}, rdb.BRPop(ctx, time.Second, "q").Val())
		require.Equal(t, "2", rdb.BLMove(ctx, "q", "r", "LEFT", "LEFT", 0).Val())
		require.Equal(t, "4", rdb.BRPopLPush(ctx, "q", "r", time.Second).Val())
		key, vals, err = rdb.BLMPop(ctx, 0, "left", 10, "nokey", "q").Result()
		require.NoError(t, err)
		require.Equal(t, "q", key)
		require.Equal(t, []string{"3"}, vals)
		require.Equal(t, []string{"4", "2"}, rdb.LRange(ctx, "r", 0, -1).Val())

		require.NoError(t, rdb.Set(ctx, "s", "v", 0).Err())
		require.ErrorContains(t, rdb.LPush(ctx, "s", "a").Err(), "WRONGTYPE")
		require.ErrorContains(t, rdb.LRange(ctx, "s", 0, -1).Err(), "WRONGTYPE")

		// COPY makes an independent list.
		require.Equal(t, int64(1), rdb.Copy(ctx, "r", "r2", 0, false).Val())
		require.NoError(t, rdb.RPush(ctx, "r2", "more").Err())
		require.Equal(t, []string{"4", "2"}, rdb.LRange(ctx, "r", 0, -1).Val())
		require.Equal(t, []string{"4", "2", "more"}, rdb.LRange(ctx, "r2", 0, -1).Val())
	})
}

func TestListsDifferential(t *testing.T) {
	diffScript(t, `
		# push and pop
		LPUSH l a b c
		RPUSH l d e
		LRANGE l 0 -1
		LPUSHX l z
		RPUSHX l y
		LPUSHX nokey a
		RPUSHX nokey a
		EXISTS nokey
		LPOP l
		RPOP l
		LPOP l 2
		RPOP l 0
		RPOP l 10
		EXISTS l
		LPOP l
		LPOP l 1
		LPOP l 0
		LPOP l -1
		LPOP l x
		LPOP l 1 2
		RPUSH l ""
		LRANGE l 0 -1
		LPOP l
		SET s v
		LPUSH s a
		RPUSHX s a
		LPOP s 1
		LLEN s
		LPUSH l
		TYPE s

		# ranges and indexes
		RPUSH l a b c d e
		TYPE l
		OBJECT ENCODING l
		LRANGE l -2 -1
		LRANGE l -100 100
		LRANGE l 3 1
		LRANGE l 5 10
		LRANGE l 0 -6
		LRANGE l -9223372036854775808 9223372036854775807
		LRANGE l 1 1.5
		LRANGE nokey x 1
		LINDEX l -1
		LINDEX l 5
		LINDEX l -6
		LINDEX l 9223372036854775807
		LINDEX l -9223372036854775808
		LINDEX l x
		LINDEX nokey x
		LSET l 0 A
		LSET l -1 E
		LSET l 5 x
		LSET l -6 x
		LSET l x y
		LSET nokey x x
		LSET s 0 x
		LRANGE l 0 -1

		# insert, remove, trim
		DEL l
		RPUSH l a b c b a
		LINSERT l BEFORE b X
		LINSERT l after b Y
		LINSERT l before zz X
		LINSERT l middle a X
		LINSERT nokey before a X
		LINSERT nokey middle a X
		LREM l 1 b
		LREM l -1 a
		LREM l 0 X
		LREM l 0 nothing
		LRANGE l 0 -1
		LREM l x a
		LREM nokey 0 a
		LREM l -100 a
		LREM l 9223372036854775807 Y
		LREM l -9223372036854775808 c
		LRANGE l 0 -1
		RPUSH l d e f g
		LTRIM l 1 -2
		LRANGE l 0 -1
		LTRIM l -100 100
		LTRIM l x 1
		LTRIM nokey 0 1
		LTRIM l -1 -2
		EXISTS l
		LINSERT s before a b
		LREM s 0 a
		LTRIM s 0 1

		# LPOS
		RPUSH p a b c a b c a
		LPOS p a
		LPOS p z
		LPOS p a RANK 2
		LPOS p a RANK -3
		LPOS p a RANK 4
		LPOS p a COUNT 0
		LPOS p a RANK -1 COUNT 2
		LPOS p a RANK 2 COUNT 0
		LPOS p a MAXLEN 3
		LPOS p c MAXLEN 2
		LPOS p a COUNT 0 MAXLEN 4
		LPOS p a RANK -1 MAXLEN 2 COUNT 0
		LPOS p a count 1 count 2 rank 1 rank 3
		LPOS p z COUNT 0
		LPOS p a rank 0
		LPOS p a rank x
		LPOS p a count -1
		LPOS p a count x
		LPOS p a maxlen -1
		LPOS p a foo 1
		LPOS p a rank
		LPOS p a RANK -9223372036854775808
		LPOS p a RANK -9223372036854775808 COUNT 1
		LPOS p a RANK 9223372036854775807 COUNT 0
		LPOS nokey a
		LPOS nokey a COUNT 1
		LPOS s a
		LPOS s a rank 0

		# moves
		RPUSH src a b c
		LMOVE src dst LEFT RIGHT
		LMOVE src dst right left
		RPOPLPUSH src dst
		EXISTS src
		LMOVE dst dst LEFT RIGHT
		RPOPLPUSH dst dst
		LRANGE dst 0 -1
		LMOVE nokey dst LEFT LEFT
		LMOVE src dst UP LEFT
		LMOVE nokey s LEFT LEFT
		LMOVE dst s LEFT LEFT
		LMOVE s dst LEFT LEFT
		RPOPLPUSH dst s
		RPUSH one x
		LMOVE one one LEFT LEFT
		LRANGE one 0 -1

		# LMPOP
		RPUSH a 1 2 3
		RPUSH b 4 5
		LMPOP 2 nokey a LEFT
		LMPOP 2 nokey a RIGHT COUNT 10
		LMPOP 2 a b left count 1
		LMPOP 1 nokey left
		LMPOP 0 a left
		LMPOP x a left
		LMPOP 2 a left
		LMPOP 1 a middle
		LMPOP 1 a left count 0
		LMPOP 1 a left count x
		LMPOP 1 a left foo
		LMPOP 1 a left count
		LMPOP 1 a left count 1 count 1
		LMPOP 9223372036854775807 a left
		LMPOP 1 b RIGHT COUNT 9223372036854775807
		LMPOP 2 nokey s left
		LMPOP 1

		# blocking commands with data, and their argument errors
		RPUSH a 1 2 3
		RPUSH b 4
		BLPOP nokey a 0
		BRPOP nokey a 0.5
		BLPOP a b 1
		BRPOP b a 0
		EXISTS a b
		RPUSH a 1 2 3
		BLMOVE a dst2 LEFT RIGHT 0
		BRPOPLPUSH a dst2 0
		BLMPOP 0 2 nokey a RIGHT COUNT 5
		LRANGE dst2 0 -1
		BLPOP a -1
		BLPOP a x
		BLPOP a nan
		BRPOP a ""
		BLMOVE a dst2 LEFT RIGHT -1
		BLMOVE a dst2 LEFT UP 0
		BRPOPLPUSH a dst2 x
		BLMPOP -1 1 a left
		BLMPOP x 1 a left
		BLMPOP -1 0 a left
		BLMPOP x 1 a foo
		BLMPOP x 1 a left count 0
		BLMPOP -1 5 a left
		BLMPOP 0 1 a left count 1 foo
		BLPOP nokey s 0
		BLMOVE s dst2 LEFT LEFT 0
		RPUSH src x
		BLMOVE src s LEFT LEFT 0
		BLMPOP 0 2 nokey s left
		BLPOP -1

		# key positions
		COMMAND GETKEYS LMPOP 2 a b LEFT
		COMMAND GETKEYS LMPOP 1 a RIGHT COUNT 2
		COMMAND GETKEYS BLMPOP 0 2 a b LEFT
		COMMAND GETKEYS BLPOP a b 0
		COMMAND GETKEYS BRPOPLPUSH a b 0
		COMMAND GETKEYS LMOVE a b LEFT LEFT
		COMMAND GETKEYS RPUSH a 1 2

		# other families meeting lists
		RPUSH c 1 2 3
		COPY c c2
		RPUSH c2 4
		LRANGE c 0 -1
		LRANGE c2 0 -1
		GET c
		APPEND c x
		RENAME c c3
		LLEN c3
		EXPIRE c3 100
		RPUSH c3 4
		TTL c3
		LTRIM c3 1 0
		TTL c3
		SET c3 v
		LLEN c3
	`)
}

// listValue returns a random element: mostly a few short values (so that LREM, LPOS
// and LINSERT find matches), sometimes a long one (so that lists span many nodes).
func listValue(r *rand.Rand) string {
	switch r.IntN(40) {
	case 0:
		return strings.Repeat(string(rune('a'+r.IntN(3))), 100+r.IntN(5000))
	case 1:
		return ""
	}
	return []string{"a", "b", "c", "1", "22", "xyz"}[r.IntN(6)]
}

func listIndexArg(r *rand.Rand) string {
	if r.IntN(20) == 0 {
		return []string{"9223372036854775807", "-9223372036854775808", "x"}[r.IntN(3)]
	}
	return strconv.Itoa(r.IntN(60) - 30)
}

func listSide(r *rand.Rand) string { return []string{"LEFT", "RIGHT", "left"}[r.IntN(3)] }

// genListCommand is the random workload of TestListsRandom.
func genListCommand(r *rand.Rand) ([]string, bool) {
	keys := []string{"a", "b", "c", "a", "b", "c", "a", "b", "c", "s"}
	key := keys[r.IntN(len(keys))]
	other := keys[r.IntN(len(keys))]
	switch r.IntN(30) {
	case 0, 1, 2, 3:
		cmd := []string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}[r.IntN(4)]
		args := []string{cmd, key}
		n := 1 + r.IntN(4)
		if r.IntN(15) == 0 {
			n = 200 + r.IntN(2000)
		}
		for i := 0; i < n; i++ {
			args = append(args, listValue(r))
		}
		return args, false
	case 4, 5:
		cmd := []string{"LPOP", "RPOP"}[r.IntN(2)]
		if r.IntN(2) == 0 {
			return []string{cmd, key}, false
		}
		return []string{cmd, key, strconv.Itoa(r.IntN(8) - 1)}, false
	case 6, 7:
		return []string{"LRANGE", key, listIndexArg(r), listIndexArg(r)}, false
	case 8:
		return []string{"LINDEX", key, listIndexArg(r)}, false
	case 9:
		return []string{"LSET", key, listIndexArg(r), listValue(r)}, false
	case 10, 11:
		where := []string{"BEFORE", "AFTER", "after"}[r.IntN(3)]
		return []string{"LINSERT", key, where, listValue(r), listValue(r)}, false
	case 12:
		return []string{"LREM", key, strconv.Itoa(r.IntN(7) - 3), listValue(r)}, false
	case 13:
		return []string{"LTRIM", key, listIndexArg(r), listIndexArg(r)}, false
	case 14, 15:
		args := []string{"LPOS", key, listValue(r)}
		for _, opt := range []string{"RANK", "COUNT", "MAXLEN"} {
			if r.IntN(2) == 0 {
				var v int
				switch opt {
				case "RANK":
					v = r.IntN(9) - 4
				case "COUNT":
					v = r.IntN(4)
				default:
					v = r.IntN(10)
				}
				args = append(args, opt, strconv.Itoa(v))
			}
		}
		return args, false
	case 16:
		return []string{"LMOVE", key, other, listSide(r), listSide(r)}, false
	case 17:
		return []string{"RPOPLPUSH", key, other}, false
	case 18:
		args := []string{"LMPOP", "2", key, other, listSide(r)}
		if r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+r.IntN(5)))
		}
		return args, false
	case 19:
		return []string{"LLEN", key}, false
	case 20:
		return []string{"TYPE", key}, false
	case 21:
		return []string{"OBJECT", "ENCODING", key}, false
	case 22:
		if r.IntN(4) == 0 {
			return []string{"SET", "s", "v"}, false
		}
		return []string{"DEL", "s"}, false
	case 23:
		if r.IntN(5) == 0 {
			return []string{"DEL", key}, false
		}
		return []string{"EXISTS", key}, false
	case 24:
		return []string{"COPY", key, other, "REPLACE"}, false
	default:
		return []string{"LRANGE", key, "0", "-1"}, false
	}
}

func TestListsRandom(t *testing.T) {
	diffRandom(t, 4000, genListCommand)
}

// TestListsRandomSmallNodes runs the random workload against a Cinnabar whose list
// nodes hold at most 3 elements (list-max-listpack-size 3), so that every insert,
// removal and trim crosses node boundaries; Redis 7.0 replies the same whatever the
// setting.
func TestListsRandomSmallNodes(t *testing.T) {
	ref := dialRaw(t, referenceAddr(t))
	srv := startServer(t, cinnabartest.WithConfig("list-max-listpack-size", "3"))
	ours := dialRaw(t, srv.Addr())
	ref.Do(t, "FLUSHALL")
	seed := time.Now().UnixNano()
	r := rand.New(rand.NewPCG(uint64(seed), 1))
	for i := 0; i < 2000; i++ {
		args, _ := genListCommand(r)
		want, got := ref.Do(t, args...), ours.Do(t, args...)
		require.Equal(t, want, got, "step %d: %.200q (seed %d)", i, args, seed)
	}
}

// blockingScript runs a scenario with three connections to addr and returns the
// transcript of replies. c1 and c2 block; c3 writes.
func blockingScript(t *testing.T, addr string) []string {
	c1, c2, c3 := dialRaw(t, addr), dialRaw(t, addr), dialRaw(t, addr)
	var out []string
	do := func(c *rawConn, args ...string) { out = append(out, c.Do(t, args...)) }
	send := func(c *rawConn, args ...string) {
		c.Send(t, encodeCommand(args))
		time.Sleep(50 * time.Millisecond) // let the server park the client
	}
	read := func(c *rawConn) { out = append(out, c.Read(t)) }
	do(c3, "FLUSHALL")

	// BLPOP wakes on a push to any of its keys.
	send(c1, "BLPOP", "k1", "k2", "0")
	do(c3, "RPUSH", "k2", "a", "b")
	read(c1)
	do(c3, "LRANGE", "k2", "0", "-1")

	// BRPOP times out with a null array.
	do(c1, "BRPOP", "none", "0.1")

	// Clients blocked on the same key are served in the order they blocked.
	send(c1, "BRPOP", "q", "0")
	send(c2, "BRPOP", "q", "0")
	do(c3, "RPUSH", "q", "x")
	read(c1)
	do(c3, "RPUSH", "q", "y", "z")
	read(c2)
	do(c3, "LRANGE", "q", "0", "-1")

	// BLMOVE and BRPOPLPUSH move the element that arrives.
	send(c1, "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
	do(c3, "LPUSH", "src", "m")
	read(c1)
	send(c2, "BRPOPLPUSH", "src", "dst", "5")
	do(c3, "RPUSH", "src", "n", "o")
	read(c2)
	do(c3, "LRANGE", "dst", "0", "-1")
	do(c3, "LRANGE", "src", "0", "-1")
	do(c1, "BLMOVE", "none", "dst", "LEFT", "LEFT", "0.1")

	// BLMPOP takes up to COUNT elements from the first list that has any.
	send(c1, "BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2")
	do(c3, "RPUSH", "m2", "1", "2", "3")
	read(c1)
	do(c1, "BLMPOP", "0.1", "1", "none", "LEFT")

	do(c1, "BRPOPLPUSH", "none", "dst", "0.1")

	// A BLMOVE served into a destination of another type gets WRONGTYPE; nothing moves.
	do(c3, "SET", "dstr", "x")
	send(c1, "BLMOVE", "src2", "dstr", "LEFT", "LEFT", "0")
	do(c3, "RPUSH", "src2", "a", "b")
	read(c1)
	do(c3, "LRANGE", "src2", "0", "-1")

	// Inside MULTI the blocking commands do not block.
	do(c1, "MULTI")
	do(c1, "BLPOP", "none", "0")
	do(c1, "BRPOP", "none", "0")
	do(c1, "BLMOVE", "none", "dst", "LEFT", "LEFT", "0")
	do(c1, "BRPOPLPUSH", "none", "dst", "0")
	do(c1, "BLMPOP", "0", "1", "none", "LEFT")
	do(c1, "EXEC")
	return out
}

// TestListsBlocking exercises BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP over the
// network, comparing transcripts with the reference server's.
func TestListsBlocking(t *testing.T) {
	t.Run("transcript", func(t *testing.T) {
		want := blockingScript(t, referenceAddr(t))
		srv := startServer(t)
		got := blockingScript(t, srv.Addr())
		require.Equal(t, fmt.Sprintf("%q", want), fmt.Sprintf("%q", got))
	})

	// Redis 7.0 serves a blocked list pop only when its key holds a list, so a key
	// that becomes a string leaves the client blocked.
	t.Run("another type does not wake", func(t *testing.T) {
		script := func(addr string) []string {
			c1, c3 := dialRaw(t, addr), dialRaw(t, addr)
			out := []string{c3.Do(t, "FLUSHALL")}
			c1.Send(t, encodeCommand([]string{"BLPOP", "w", "0"}))
			time.Sleep(50 * time.Millisecond)
			out = append(out, c3.Do(t, "SET", "w", "string"), c3.Do(t, "DEL", "w"),
				c3.Do(t, "RPUSH", "w", "after"), c1.Read(t))
			return out
		}
		want := script(referenceAddr(t))
		srv := startServer(t)
		require.Equal(t, want, script(srv.Addr()))
	})

	// Redis serves a client blocked on several keys from the key that became ready
	// first, not from the first key it named.
	t.Run("served from the first key made ready", func(t *testing.T) {
		script := func(addr string) []string {
			c1, c3 := dialRaw(t, addr), dialRaw(t, addr)
			out := []string{c3.Do(t, "FLUSHALL")}
			c1.Send(t, encodeCommand([]string{"BLPOP", "k1", "k2", "0"}))
			time.Sleep(50 * time.Millisecond)
			out = append(out, c3.Do(t, "MULTI"), c3.Do(t, "RPUSH", "k2", "x"),
				c3.Do(t, "RPUSH", "k1", "y"), c3.Do(t, "EXEC"), c1.Read(t))
			return out
		}
		want := script(referenceAddr(t))
		srv := startServer(t)
		require.Equal(t, want, script(srv.Addr()))
	})
}
