package compat

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

func sorted(items []string) []string {
	out := append([]string(nil), items...)
	sort.Strings(out)
	return out
}

func TestSetsGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.Equal(t, int64(3), rdb.SAdd(ctx, "s", "3", "1", "2", "1").Val())
		require.Equal(t, int64(0), rdb.SAdd(ctx, "s", "2").Val())
		require.Equal(t, "intset", rdb.ObjectEncoding(ctx, "s").Val())
		require.Equal(t, []string{"1", "2", "3"}, rdb.SMembers(ctx, "s").Val())
		require.Equal(t, int64(1), rdb.SAdd(ctx, "s", "x").Val())
		require.Equal(t, "hashtable", rdb.ObjectEncoding(ctx, "s").Val())
		require.Equal(t, []string{"1", "2", "3", "x"}, sorted(rdb.SMembers(ctx, "s").Val()))
		require.Equal(t, map[string]struct{}{"1": {}, "2": {}, "3": {}, "x": {}}, rdb.SMembersMap(ctx, "s").Val())
		require.Empty(t, rdb.SMembers(ctx, "missing").Val())
		require.True(t, rdb.SIsMember(ctx, "s", "x").Val())
		require.False(t, rdb.SIsMember(ctx, "s", "y").Val())
		require.False(t, rdb.SIsMember(ctx, "missing", "y").Val())
		require.Equal(t, []bool{true, false, true}, rdb.SMIsMember(ctx, "s", "1", "9", "x").Val())
		require.Equal(t, []bool{false}, rdb.SMIsMember(ctx, "missing", "1").Val())
		require.Equal(t, int64(4), rdb.SCard(ctx, "s").Val())
		require.Equal(t, int64(0), rdb.SCard(ctx, "missing").Val())
		require.Equal(t, int64(2), rdb.SRem(ctx, "s", "x", "3", "nope").Val())
		require.Equal(t, int64(0), rdb.SRem(ctx, "missing", "x").Val())

		require.True(t, rdb.SMove(ctx, "s", "d", "1").Val())
		require.False(t, rdb.SMove(ctx, "s", "d", "1").Val())
		require.False(t, rdb.SMove(ctx, "missing", "d", "1").Val())
		require.Equal(t, []string{"1"}, rdb.SMembers(ctx, "d").Val())
		require.True(t, rdb.SMove(ctx, "s", "d", "2").Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "s").Val(), "emptied source is deleted")

		rdb.SAdd(ctx, "a", "1", "2", "3", "4", "x")
		rdb.SAdd(ctx, "b", "3", "4", "5", "x", "y")
		rdb.SAdd(ctx, "c", "4", "x", "z")
		require.Equal(t, []string{"4", "x"}, sorted(rdb.SInter(ctx, "a", "b", "c").Val()))
		require.Empty(t, rdb.SInter(ctx, "a", "missing").Val())
		require.Equal(t, int64(2), rdb.SInterCard(ctx, 0, "a", "b", "c").Val())
		require.Equal(t, int64(1), rdb.SInterCard(ctx, 1, "a", "b", "c").Val())
		require.Equal(t, int64(3), rdb.SInterStore(ctx, "dst", "a", "b").Val())
		require.Equal(t, []string{"3", "4", "x"}, sorted(rdb.SMembers(ctx, "dst").Val()))
		require.Equal(t, []string{"1", "2", "3", "4", "5", "x", "y", "z"}, sorted(rdb.SUnion(ctx, "a", "b", "c", "missing").Val()))
		require.Equal(t, int64(8), rdb.SUnionStore(ctx, "dst", "a", "b", "c").Val())
		require.Equal(t, []string{"1", "2"}, sorted(rdb.SDiff(ctx, "a", "b", "c").Val()))
		require.Equal(t, int64(2), rdb.SDiffStore(ctx, "dst", "a", "b").Val())
		require.Equal(t, []string{"1", "2"}, rdb.SMembers(ctx, "dst").Val())
		require.Equal(t, int64(0), rdb.SDiffStore(ctx, "dst", "missing", "a").Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "dst").Val(), "empty result deletes the destination")

		m := rdb.SRandMember(ctx, "a").Val()
		require.True(t, rdb.SIsMember(ctx, "a", m).Val())
		require.Equal(t, redis.Nil, rdb.SRandMember(ctx, "missing").Err())
		require.Len(t, uniq(rdb.SRandMemberN(ctx, "a", 3).Val()), 3)
		require.Len(t, rdb.SRandMemberN(ctx, "a", -20).Val(), 20)
		require.Len(t, rdb.SRandMemberN(ctx, "a", 50).Val(), 5)

		popped := rdb.SPopN(ctx, "a", 2).Val()
		require.Len(t, uniq(popped), 2)
		require.Equal(t, int64(3), rdb.SCard(ctx, "a").Val())
		one := rdb.SPop(ctx, "a").Val()
		require.False(t, rdb.SIsMember(ctx, "a", one).Val())
		require.Len(t, rdb.SPopN(ctx, "a", 10).Val(), 2)
		require.Equal(t, int64(0), rdb.Exists(ctx, "a").Val())
		require.Equal(t, redis.Nil, rdb.SPop(ctx, "a").Err())

		keys, cur, err := rdb.SScan(ctx, "b", 0, "", 100).Result()
		require.NoError(t, err)
		require.Equal(t, uint64(0), cur)
		require.Equal(t, []string{"3", "4", "5", "x", "y"}, sorted(keys))
		keys, _, err = rdb.SScan(ctx, "b", 0, "[xy]", 100).Result()
		require.NoError(t, err)
		require.Equal(t, []string{"x", "y"}, sorted(keys))

		require.NoError(t, rdb.Set(ctx, "str", "x", 0).Err())
		for _, err := range []error{
			rdb.SAdd(ctx, "str", "a").Err(), rdb.SMembers(ctx, "str").Err(), rdb.SCard(ctx, "str").Err(),
			rdb.SInter(ctx, "b", "str").Err(), rdb.SUnionStore(ctx, "dst", "str").Err(), rdb.SPop(ctx, "str").Err(),
		} {
			require.EqualError(t, err, "WRONGTYPE Operation against a key holding the wrong kind of value")
		}
	})
}

// TestSetsLargeGoRedis drives a set through the hashtable encoding.
func TestSetsLargeGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		const n = 3000
		var members []any
		for i := 0; i < n; i++ {
			members = append(members, i)
		}
		require.Equal(t, int64(n), rdb.SAdd(ctx, "big", members...).Val())
		require.Equal(t, "hashtable", rdb.ObjectEncoding(ctx, "big").Val())
		seen := map[string]bool{}
		var cursor uint64
		step := 0
		for {
			keys, next, err := rdb.SScan(ctx, "big", cursor, "", 50).Result()
			require.NoError(t, err)
			for _, k := range keys {
				seen[k] = true
			}
			step++
			rdb.SAdd(ctx, "big", fmt.Sprintf("tmp%d", step))
			rdb.SRem(ctx, "big", fmt.Sprintf("tmp%d", step-1))
			if next == 0 {
				break
			}
			cursor = next
		}
		for i := 0; i < n; i++ {
			require.True(t, seen[strconv.Itoa(i)], "%d not scanned", i)
		}
		require.Len(t, uniq(rdb.SRandMemberN(ctx, "big", 2500).Val()), 2500)
		require.Len(t, uniq(rdb.SRandMemberN(ctx, "big", 100).Val()), 100)
		popped := rdb.SPopN(ctx, "big", 2000).Val()
		require.Len(t, uniq(popped), 2000)
		require.Equal(t, int64(n+1-2000), rdb.SCard(ctx, "big").Val())
		for _, p := range popped {
			require.False(t, rdb.SIsMember(ctx, "big", p).Val())
		}
		rest := rdb.SPopN(ctx, "big", 5000).Val()
		require.Len(t, rest, n+1-2000)
		require.Equal(t, int64(0), rdb.Exists(ctx, "big").Val())
	})
}

func TestSetsDifferential(t *testing.T) {
	script := `
		SADD s 3 1 2 1
		SADD s
		SMEMBERS s
		OBJECT ENCODING s
		SADD s 2
		SADD s 9223372036854775807 -9223372036854775808
		SMEMBERS s
		OBJECT ENCODING s
		SADD b 01
		OBJECT ENCODING b
		SADD c -0
		OBJECT ENCODING c
		SADD e 9223372036854775808
		OBJECT ENCODING e
		SADD e ""
		SISMEMBER e ""
		SMEMBERS nokey
		SISMEMBER s 1
		SISMEMBER s 01
		SISMEMBER s x
		SISMEMBER nokey 1
		SMISMEMBER s 1 01 x 2
		SMISMEMBER nokey 1 2
		SMISMEMBER s
		SCARD s
		SCARD nokey
		SREM s 1 01 x
		SREM s
		SREM nokey 1
		SREM s 2 3 9223372036854775807 -9223372036854775808
		EXISTS s
		SADD f x
		SREM f x
		EXISTS f
		SET str v
		SADD str a
		SREM str a
		SMEMBERS str
		SISMEMBER str a
		SMISMEMBER str a
		SCARD str
		SPOP str
		SPOP str 1
		SPOP str -1
		SRANDMEMBER str
		SRANDMEMBER str 1
		SRANDMEMBER str x
		SMOVE str s 1
		SADD s 1 2 3
		SMOVE s str 1
		SMOVE nokey str 1
		SMOVE s s 1
		SMOVE s s 9
		SMOVE s d 1
		SMOVE s d 9
		SMOVE s d 2
		SMEMBERS d
		SADD d 3
		SMOVE s d 3
		EXISTS s
		SMEMBERS d
		OBJECT ENCODING d
		SMOVE d nd x
		SADD d x
		SMOVE d nd x
		OBJECT ENCODING nd
		SINTER nokey str
		SINTER s str
		sort SINTER d
		SINTER d nokey
		SUNION nokey str
		SDIFF nokey str
		SDIFF d str nokey
		SINTERSTORE dst str
		SINTERSTORE str nokey
		TYPE str
		SET str v
		SDIFFSTORE dst nokey str
		SUNIONSTORE dst d str
		SADD a 1 2 3 4 5
		SADD b2 4 5 6 7
		SADD c2 5 7 9
		SADD x a b c 5
		SINTER a b2
		SINTER a b2 c2
		SINTER a b2 c2 nokey
		SINTER a a
		SUNION a b2 c2
		SUNION a nokey
		sort SUNION a x
		SDIFF a b2
		SDIFF a b2 c2
		SDIFF a a
		SDIFF nokey a
		sort SDIFF x a
		SINTERSTORE dst a b2
		SMEMBERS dst
		OBJECT ENCODING dst
		SINTERSTORE dst a nokey
		EXISTS dst
		SUNIONSTORE dst a x
		sort SMEMBERS dst
		OBJECT ENCODING dst
		SDIFFSTORE dst x a
		sort SMEMBERS dst
		SDIFFSTORE dst a a
		EXISTS dst
		SET dst v
		EXPIRE dst 100
		SUNIONSTORE dst a
		TTL dst
		TYPE dst
		SINTERSTORE a a b2
		SMEMBERS a
		SINTERCARD 1 a
		SINTERCARD 2 a b2
		SINTERCARD 2 a c2
		SINTERCARD 3 a b2 c2
		SINTERCARD 2 a nokey
		SINTERCARD 0 a
		SINTERCARD -1 a
		SINTERCARD x a
		SINTERCARD 2 a
		SINTERCARD 9999999999999999999999 a
		SINTERCARD 1 a LIMIT -1
		SINTERCARD 1 a LIMIT x
		SINTERCARD 1 a LIMIT
		SINTERCARD 1 a FOO 1
		SINTERCARD 1 a LIMIT 1 LIMIT 0
		SINTERCARD 1 a LIMIT 1
		SINTERCARD 1 a LIMIT 0
		SINTERCARD 1 a limit 1 extra
		SINTERCARD 1 str
		SINTERCARD 1 nokey LIMIT -1
		SINTERCARD 2 nokey str
		SINTERCARD 1
		SADD r 1 2 3
		SRANDMEMBER r 3
		SRANDMEMBER r 10
		SRANDMEMBER r 0
		SRANDMEMBER r x
		SRANDMEMBER r 1 2
		SRANDMEMBER r -9223372036854775808
		SRANDMEMBER r 9223372036854775807
		SRANDMEMBER nokey
		SRANDMEMBER nokey 5
		SRANDMEMBER nokey x
		SRANDMEMBER nokey -5
		shape SRANDMEMBER r -5
		shape SRANDMEMBER r 2
		shape SRANDMEMBER r
		SADD one m
		SRANDMEMBER one
		SRANDMEMBER one -3
		SRANDMEMBER one 1
		SPOP r 0
		SPOP r -1
		SPOP r x
		SPOP r 1 2
		SPOP nokey
		SPOP nokey 2
		SPOP nokey 0
		SPOP nokey -1
		SPOP one
		EXISTS one
		SPOP r 3
		EXISTS r
		SADD r 1 2 3 x
		sort SPOP r 10
		SADD r 5
		SPOP r 1
		SPOP r
		SADD sc 5 3 1 x
		scanitems SSCAN sc 0
		SADD sci 5 3 1
		SSCAN sci 0
		SSCAN sci 99 COUNT 1
		SSCAN sci 0 MATCH 1*
		SSCAN sci x
		SSCAN sci ""
		SSCAN sci -1
		SSCAN sci 0 COUNT 0
		SSCAN sci 0 COUNT x
		SSCAN sci 0 MATCH
		SSCAN sci 0 TYPE set
		SSCAN nokey 0
		SSCAN nokey 0 COUNT 0
		SSCAN nokey x
		SSCAN str 0
		SSCAN str 0 COUNT 0
		SADD ci 3 1 2
		COPY ci cc
		SADD cc 9
		SMEMBERS ci
		SMEMBERS cc
		SADD ch a b 1
		COPY ch chc
		SREM chc a
		SCARD ch
		OBJECT ENCODING chc
		TYPE chc
		SADD
		SCARD
		SMOVE a b
		SINTERSTORE dst
	`
	hsDiffScript(t, 2, script)
	hsDiffScript(t, 3, script)
}

// TestSetsEncodingDifferential walks the intset → hashtable conversion at a lowered
// limit, where intset order is still compared exactly.
func TestSetsEncodingDifferential(t *testing.T) {
	hsRestoreLimits(t)
	script := `
		CONFIG SET set-max-intset-entries 4
		SADD s 4 3 2 1
		OBJECT ENCODING s
		SMEMBERS s
		SADD s 5
		OBJECT ENCODING s
		SREM s 1 2 3 4
		OBJECT ENCODING s
		SADD t 1 2 3 4 5 6
		SINTERSTORE u t t
		OBJECT ENCODING u
		SREM t 1 2
		SUNIONSTORE u t
		OBJECT ENCODING u
		SMEMBERS u
		SDIFFSTORE u t s
		OBJECT ENCODING u
		SMEMBERS u
		SUNION t s
		SMOVE t fresh 3
		OBJECT ENCODING fresh
		CONFIG SET set-max-intset-entries 0
		SADD z 1
		OBJECT ENCODING z
		SMOVE t fresh2 4
		OBJECT ENCODING fresh2
		CONFIG SET set-max-intset-entries 512
	`
	hsDiffScript(t, 2, script)
}

// TestSetsRandomDifferential is a model-based random workload over a few sets with a
// lowered intset limit, in both protocols.
func TestSetsRandomDifferential(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			hsRestoreLimits(t)
			hsDiffRandom(t, proto, 3000, []string{"CONFIG SET set-max-intset-entries 8"}, genSetCommand)
		})
	}
}

func genSetCommand(r *rand.Rand) ([]string, hsMode) {
	keys := []string{"s1", "s2", "s3", "str"}
	key := func() string { return keys[r.IntN(len(keys))] }
	member := func() string {
		switch r.IntN(10) {
		case 0:
			return []string{"a", "b", "c", "d", "e", "007", "-0", ""}[r.IntN(8)]
		case 1:
			return strconv.Itoa(-r.IntN(5))
		}
		return strconv.Itoa(r.IntN(16))
	}
	members := func(args []string, max int) []string {
		for i := 0; i <= r.IntN(max); i++ {
			args = append(args, member())
		}
		return args
	}
	keyList := func(args []string) []string {
		for i := 0; i <= r.IntN(3); i++ {
			args = append(args, key())
		}
		return args
	}
	switch r.IntN(24) {
	case 0, 1, 2, 3:
		return members([]string{"SADD", key()}, 4), hsExact
	case 4, 5:
		return members([]string{"SREM", key()}, 3), hsExact
	case 6:
		return []string{"SISMEMBER", key(), member()}, hsExact
	case 7:
		return members([]string{"SMISMEMBER", key()}, 3), hsExact
	case 8:
		return []string{"SCARD", key()}, hsExact
	case 9:
		return []string{"SMEMBERS", key()}, hsUnordered
	case 10:
		return []string{"SMOVE", key(), key(), member()}, hsExact
	case 11:
		return keyList([]string{"SINTER"}), hsUnordered
	case 12:
		return keyList([]string{"SUNION"}), hsUnordered
	case 13:
		return keyList([]string{"SDIFF"}), hsUnordered
	case 14:
		cmd := []string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}[r.IntN(3)]
		return keyList([]string{cmd, key()}), hsExact
	case 15:
		n := 1 + r.IntN(3)
		args := []string{"SINTERCARD", strconv.Itoa(n)}
		for i := 0; i < n; i++ {
			args = append(args, key())
		}
		if r.IntN(2) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(r.IntN(4)))
		}
		return args, hsExact
	case 16:
		return []string{"SRANDMEMBER", key(), "100"}, hsUnordered
	case 17:
		return []string{"SRANDMEMBER", key(), strconv.Itoa(-1 - r.IntN(10))}, hsShape
	case 18:
		return []string{"SRANDMEMBER", key()}, hsShape
	case 19:
		if r.IntN(4) == 0 {
			return []string{"SPOP", key(), "100"}, hsUnordered
		}
		return []string{"SSCAN", key(), "0", "COUNT", "1000"}, hsScanItems
	case 20:
		return []string{"OBJECT", "ENCODING", key()}, hsExact
	case 21:
		return []string{"SMEMBERS", key()}, hsUnordered
	case 22:
		return []string{"TYPE", key()}, hsExact
	default:
		if r.IntN(4) == 0 {
			return []string{"SET", "str", "v"}, hsExact
		}
		return []string{"DEL", key()}, hsExact
	}
}
