package compat

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

func TestHashesGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.Equal(t, int64(2), rdb.HSet(ctx, "h", "a", "1", "b", "2").Val())
		require.Equal(t, int64(1), rdb.HSet(ctx, "h", "a", "x", "c", "3").Val())
		require.True(t, rdb.HMSet(ctx, "h", "a", "1", "d", "4").Val())
		require.False(t, rdb.HSetNX(ctx, "h", "a", "z").Val())
		require.True(t, rdb.HSetNX(ctx, "h", "e", "5").Val())
		require.Equal(t, "1", rdb.HGet(ctx, "h", "a").Val())
		require.Equal(t, redis.Nil, rdb.HGet(ctx, "h", "nope").Err())
		require.Equal(t, redis.Nil, rdb.HGet(ctx, "missing", "a").Err())
		require.Equal(t, []any{"1", nil, "3"}, rdb.HMGet(ctx, "h", "a", "nope", "c").Val())
		require.Equal(t, []any{nil}, rdb.HMGet(ctx, "missing", "a").Val())
		require.Equal(t, map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}, rdb.HGetAll(ctx, "h").Val())
		require.Equal(t, map[string]string{}, rdb.HGetAll(ctx, "missing").Val())
		require.Equal(t, []string{"a", "b", "c", "d", "e"}, rdb.HKeys(ctx, "h").Val())
		require.Equal(t, []string{"1", "2", "3", "4", "5"}, rdb.HVals(ctx, "h").Val())
		require.Equal(t, int64(5), rdb.HLen(ctx, "h").Val())
		require.True(t, rdb.HExists(ctx, "h", "a").Val())
		require.False(t, rdb.HExists(ctx, "h", "nope").Val())
		require.Equal(t, int64(1), rdb.HStrLen(ctx, "h", "a").Val())
		require.Equal(t, int64(0), rdb.HStrLen(ctx, "h", "nope").Val())

		require.Equal(t, int64(11), rdb.HIncrBy(ctx, "h", "a", 10).Val())
		require.Equal(t, int64(-5), rdb.HIncrBy(ctx, "h", "new", -5).Val())
		require.EqualError(t, rdb.HIncrBy(ctx, "h", "a", 9223372036854775807).Err(), "ERR increment or decrement would overflow")
		require.Equal(t, 11.5, rdb.HIncrByFloat(ctx, "h", "a", 0.5).Val())
		require.EqualError(t, rdb.HIncrBy(ctx, "h", "a", 1).Err(), "ERR hash value is not an integer")
		require.NoError(t, rdb.HSet(ctx, "h", "s", "abc").Err())
		require.EqualError(t, rdb.HIncrByFloat(ctx, "h", "s", 1).Err(), "ERR hash value is not a float")
		require.Equal(t, 0.30000000000000004, rdb.HIncrByFloat(ctx, "f", "x", 0.1).Val()+0.2)
		require.Equal(t, "0.3", func() string { rdb.HIncrByFloat(ctx, "f", "x", 0.2); return rdb.HGet(ctx, "f", "x").Val() }())

		require.Equal(t, int64(2), rdb.HDel(ctx, "h", "a", "b", "nope").Val())
		require.Equal(t, int64(0), rdb.HDel(ctx, "missing", "a").Val())
		require.Equal(t, int64(1), rdb.HDel(ctx, "f", "x").Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "f").Val(), "emptied hash is deleted")

		fields := rdb.HRandField(ctx, "h", 3).Val()
		require.Len(t, fields, 3)
		require.Len(t, uniq(fields), 3)
		require.Len(t, rdb.HRandField(ctx, "h", -10).Val(), 10)
		require.Len(t, rdb.HRandField(ctx, "h", 100).Val(), int(rdb.HLen(ctx, "h").Val()))
		kvs := rdb.HRandFieldWithValues(ctx, "h", -4).Val()
		require.Len(t, kvs, 4)
		for _, kv := range kvs {
			require.Equal(t, rdb.HGet(ctx, "h", kv.Key).Val(), kv.Value)
		}
		require.Len(t, rdb.HRandFieldWithValues(ctx, "h", 2).Val(), 2)
		require.Empty(t, rdb.HRandField(ctx, "missing", 5).Val())
		one, err := rdb.Do(ctx, "HRANDFIELD", "h").Text()
		require.NoError(t, err)
		require.True(t, rdb.HExists(ctx, "h", one).Val())
		require.Equal(t, redis.Nil, rdb.Do(ctx, "HRANDFIELD", "missing").Err())

		keys, cur, err := rdb.HScan(ctx, "h", 0, "", 100).Result()
		require.NoError(t, err)
		require.Equal(t, uint64(0), cur)
		require.Len(t, keys, 2*int(rdb.HLen(ctx, "h").Val()))
		keys, _, err = rdb.HScan(ctx, "h", 0, "n*", 100).Result()
		require.NoError(t, err)
		require.Equal(t, []string{"new", "-5"}, keys)

		require.NoError(t, rdb.Set(ctx, "str", "x", 0).Err())
		for _, err := range []error{
			rdb.HSet(ctx, "str", "a", "1").Err(), rdb.HGet(ctx, "str", "a").Err(), rdb.HGetAll(ctx, "str").Err(),
			rdb.HLen(ctx, "str").Err(), rdb.HIncrBy(ctx, "str", "a", 1).Err(), rdb.HScan(ctx, "str", 0, "", 0).Err(),
		} {
			require.EqualError(t, err, "WRONGTYPE Operation against a key holding the wrong kind of value")
		}
		require.EqualError(t, rdb.Do(ctx, "HSET", "h", "a", "1", "b").Err(), "ERR wrong number of arguments for 'hset' command")
	})
}

func uniq(items []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range items {
		m[s] = true
	}
	return m
}

// TestHashesLargeGoRedis drives a hash through the hashtable encoding: conversion,
// a full HSCAN while it changes, random fields and deletion back to empty.
func TestHashesLargeGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		const n = 2000
		args := []any{}
		for i := 0; i < n; i++ {
			args = append(args, fmt.Sprintf("f%d", i), strconv.Itoa(i))
		}
		require.Equal(t, int64(n), rdb.HSet(ctx, "big", args...).Val())
		require.Equal(t, "hashtable", rdb.ObjectEncoding(ctx, "big").Val())
		all := rdb.HGetAll(ctx, "big").Val()
		require.Len(t, all, n)
		for i := 0; i < n; i++ {
			require.Equal(t, strconv.Itoa(i), all[fmt.Sprintf("f%d", i)])
		}
		// A scan sees every field that stays for its whole duration, while others
		// come and go.
		seen := map[string]bool{}
		var cursor uint64
		step := 0
		for {
			keys, next, err := rdb.HScan(ctx, "big", cursor, "", 37).Result()
			require.NoError(t, err)
			for i := 0; i < len(keys); i += 2 {
				seen[keys[i]] = true
			}
			step++
			rdb.HSet(ctx, "big", fmt.Sprintf("tmp%d", step), "x")
			if step%3 == 0 {
				rdb.HDel(ctx, "big", fmt.Sprintf("tmp%d", step-1), fmt.Sprintf("tmp%d", step-2))
			}
			if next == 0 {
				break
			}
			cursor = next
		}
		for i := 0; i < n; i++ {
			require.True(t, seen[fmt.Sprintf("f%d", i)], "f%d not scanned", i)
		}
		fields := rdb.HRandField(ctx, "big", 500).Val()
		require.Len(t, uniq(fields), 500)
		require.Len(t, rdb.HRandField(ctx, "big", -3000).Val(), 3000)
		require.Len(t, uniq(rdb.HRandField(ctx, "big", 1900).Val()), 1900)

		for i := 0; i < n; i += 100 {
			var del []string
			for j := i; j < i+100; j++ {
				del = append(del, fmt.Sprintf("f%d", j))
			}
			require.Equal(t, int64(100), rdb.HDel(ctx, "big", del...).Val())
		}
		require.Equal(t, "hashtable", rdb.ObjectEncoding(ctx, "big").Val(), "never converts back")
		tmp := rdb.HKeys(ctx, "big").Val()
		require.Equal(t, int64(len(tmp)), rdb.HDel(ctx, "big", tmp...).Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "big").Val())
	})
}

func TestHashesDifferential(t *testing.T) {
	long := strings.Repeat("x", 65)
	script := `
		HSET h a 1 b 2 c 3
		HSET h a 1 b
		HSET h
		HSET h a
		HMSET h a 1 b
		HMSET h d 4
		HSETNX h a 9
		HSETNX h e 5
		HSETNX h2 f v
		HGETALL h
		HKEYS h
		HVALS h
		HGETALL nokey
		HKEYS nokey
		HVALS nokey
		HGET h a
		HGET h zz
		HGET nokey a
		HMGET h a zz b
		HMGET nokey a b
		HMGET h
		HLEN h
		HLEN nokey
		HEXISTS h a
		HEXISTS h zz
		HEXISTS nokey a
		HSTRLEN h a
		HSTRLEN h zz
		HSTRLEN nokey a
		HDEL h a zz
		HDEL h a
		HDEL nokey a
		HDEL h
		HSET h "" empty
		HGET h ""
		HSET h e ""
		HGET h e
		HSTRLEN h e
		HGETALL h
		HSET h a 1 a 2 a 3
		HGET h a
		HDEL h b c d e "" a
		EXISTS h
		HSET n i 10 f 1.5 s abc neg -3 big 9223372036854775807 lz 010 sp " 1"
		HINCRBY n i 5
		HINCRBY n i -20
		HINCRBY n new 7
		HINCRBY n f 1
		HINCRBY n s 1
		HINCRBY n lz 1
		HINCRBY n sp 1
		HINCRBY n i 1.5
		HINCRBY n i abc
		HINCRBY n i 99999999999999999999
		HINCRBY n big 1
		HINCRBY n big -9223372036854775808
		HINCRBY n neg -9223372036854775806
		HINCRBY n neg -9223372036854775805
		HINCRBY nokey2 x 3
		HINCRBYFLOAT n f 0.1
		HINCRBYFLOAT n f -1.6
		HINCRBYFLOAT n i 1e3
		HINCRBYFLOAT n i 5.0e3
		HINCRBYFLOAT n s 1
		HINCRBYFLOAT n f abc
		HINCRBYFLOAT n f inf
		HINCRBYFLOAT n f -infinity
		HINCRBYFLOAT n f nan
		HINCRBYFLOAT n f 1e5000
		HINCRBYFLOAT n f 1e-5000
		HINCRBYFLOAT n f 0x10
		HINCRBYFLOAT n f 0X1A.8p1
		HINCRBYFLOAT n f 0x
		HINCRBYFLOAT n f 0x1p
		HINCRBYFLOAT n f 1e
		HINCRBYFLOAT n f .5
		HINCRBYFLOAT n f 5.
		HINCRBYFLOAT n f .
		HINCRBYFLOAT n f +1.25
		HINCRBYFLOAT n f 1_0
		HINCRBYFLOAT n f \s1
		HINCRBYFLOAT n f 1\s
		HINCRBYFLOAT n f 0e-99999
		HINCRBYFLOAT n f 1e-99999999999
		HINCRBYFLOAT n f 1e99999999999
		HINCRBYFLOAT n x 0.1
		HINCRBYFLOAT n x 0.2
		HINCRBYFLOAT n y 1e400
		OBJECT ENCODING n
		HINCRBYFLOAT n y -1e400
		HSET n z 1e4932
		HINCRBYFLOAT n z 1e4932
		HINCRBYFLOAT n z -1e4932
		HSET n inf inf
		HINCRBYFLOAT n inf 1
		HSET n w 1.1897314953572317651e+4932
		HINCRBYFLOAT n w 0
		HSET n w 1.18973149535723176502e+4932
		HINCRBYFLOAT n w 0
		HINCRBYFLOAT n m -0.0
		HINCRBYFLOAT n m 3.0000000000000000001
		HINCRBYFLOAT n m 1.23456789012345678901234567890
		HINCRBYFLOAT n m 1e-20
		HINCRBYFLOAT n hx 0x1.fffffffffffffffep16383
		HINCRBYFLOAT n hx 0x1p16384
		HINCRBYFLOAT nokey3 x 2.5
		HGETALL nokey3
		SET str v
		HSET str a 1
		HSETNX str a 1
		HGET str a
		HMGET str a
		HGETALL str
		HKEYS str
		HVALS str
		HDEL str a
		HLEN str
		HEXISTS str a
		HSTRLEN str a
		HINCRBY str a 1
		HINCRBY str a x
		HINCRBYFLOAT str a 1
		HINCRBYFLOAT str a x
		HRANDFIELD str
		HRANDFIELD str 1
		HRANDFIELD str x
		HSCAN str 0
		HSCAN str x
		HSCAN str 0 COUNT 0
		HSET r a 1 b 2 c 3
		HRANDFIELD r 3
		HRANDFIELD r 10
		HRANDFIELD r 10 WITHVALUES
		HRANDFIELD r 10 withvalues
		HRANDFIELD r 0
		HRANDFIELD r 0 WITHVALUES
		HRANDFIELD nokey 5
		HRANDFIELD nokey 5 WITHVALUES
		HRANDFIELD nokey
		HRANDFIELD nokey x
		HRANDFIELD r x
		HRANDFIELD r 1 WITHVALUE
		HRANDFIELD r 1 WITHVALUES x
		HRANDFIELD nokey 1 x
		HRANDFIELD r -9223372036854775808
		HRANDFIELD r 9223372036854775807
		HRANDFIELD r -4611686018427387904 WITHVALUES
		HRANDFIELD r 4611686018427387904 WITHVALUES
		HRANDFIELD r 4611686018427387903 WITHVALUES
		HSET one k v
		HRANDFIELD one
		HRANDFIELD one 1
		HRANDFIELD one -3
		HRANDFIELD one -3 WITHVALUES
		HRANDFIELD one 1 WITHVALUES
		HSCAN r 0
		HSCAN r 0 COUNT 1
		HSCAN r 123 COUNT 1
		HSCAN r 0 MATCH a*
		HSCAN r 0 MATCH [ab] COUNT 100
		HSCAN r x
		HSCAN r -1
		HSCAN r 18446744073709551616
		HSCAN r ""
		HSCAN r +5
		HSCAN r -0
		HSCAN r +
		HSCAN r -
		HSCAN r -18446744073709551615
		HSCAN r -18446744073709551616
		HSCAN r \s1
		HSCAN r 0 COUNT -1
		HSCAN r 0 COUNT 9999999999999999999999
		HSCAN r 0 COUNT 1 MATCH
		HSCAN r 0 COUNT 0
		HSCAN r 0 COUNT x
		HSCAN r 0 MATCH
		HSCAN r 0 FOO bar
		HSCAN r 0 TYPE string
		HSCAN nokey 0
		HSCAN nokey 0 COUNT 0
		HSCAN nokey x
		OBJECT ENCODING r
		HSET long a ` + long + `
		OBJECT ENCODING long
		HSET long2 ` + long + ` a
		OBJECT ENCODING long2
		HSET l3 a 1
		HSETNX l3 a ` + long + `
		OBJECT ENCODING l3
		HSETNX l3 b ` + long + `
		OBJECT ENCODING l3
		HSET l4 a 1
		HINCRBY l4 ` + long + ` 1
		OBJECT ENCODING l4
		HSET l5 a 1
		HSET l5 b ` + strings.Repeat("y", 64) + `
		OBJECT ENCODING l5
		HDEL long a
		EXISTS long
		COPY r rc
		HSET rc a changed
		HGET r a
		HGETALL rc
		OBJECT ENCODING rc
		COPY l5 l5c
		HDEL l5c a
		HLEN l5
		OBJECT ENCODING l5c
		TYPE rc
	`
	hsDiffScript(t, 2, script)
	hsDiffScript(t, 3, script)
}

// TestHashesEncodingDifferential walks the listpack → hashtable conversion at lowered
// limits, where listpack order (insertion order) is still compared exactly.
func TestHashesEncodingDifferential(t *testing.T) {
	hsRestoreLimits(t)
	script := `
		CONFIG SET hash-max-listpack-entries 4
		CONFIG SET hash-max-listpack-value 8
		HSET h a 1 b 2 c 3 d 4
		OBJECT ENCODING h
		HGETALL h
		HSET h d 5
		OBJECT ENCODING h
		HSET h e 5
		OBJECT ENCODING h
		pairs HGETALL h
		sort HKEYS h
		HDEL h a b c d
		OBJECT ENCODING h
		HSET v 12345678 12345678
		OBJECT ENCODING v
		HSET v x 123456789
		OBJECT ENCODING v
		HSET w x 1
		HINCRBYFLOAT w x 0.123456789
		OBJECT ENCODING w
		CONFIG SET hash-max-listpack-entries 0
		HSET z a 1
		OBJECT ENCODING z
		CONFIG SET hash-max-listpack-entries 512
		CONFIG SET hash-max-listpack-value 64
	`
	hsDiffScript(t, 2, script)
}

// TestHashesRandomDifferential is a model-based random workload over a few hashes with
// lowered conversion limits, in both protocols.
func TestHashesRandomDifferential(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			hsRestoreLimits(t)
			hsDiffRandom(t, proto, 3000, []string{"CONFIG SET hash-max-listpack-entries 8", "CONFIG SET hash-max-listpack-value 16"}, genHashCommand)
		})
	}
}

func genHashCommand(r *rand.Rand) ([]string, hsMode) {
	keys := []string{"h1", "h2", "h3", "str"}
	key := keys[r.IntN(len(keys))]
	field := func() string {
		switch r.IntN(10) {
		case 0:
			return strings.Repeat("F", 17+r.IntN(3))
		case 1:
			return ""
		}
		return fmt.Sprintf("f%d", r.IntN(14))
	}
	value := func() string {
		switch r.IntN(8) {
		case 0:
			return strings.Repeat("v", 10+r.IntN(10))
		case 1:
			return fmt.Sprintf("%d.%d", r.IntN(100)-50, r.IntN(100))
		case 2:
			return "abc"
		}
		return strconv.Itoa(r.IntN(2000) - 1000)
	}
	switch r.IntN(24) {
	case 0, 1, 2:
		args := []string{"HSET", key}
		for i := 0; i <= r.IntN(3); i++ {
			args = append(args, field(), value())
		}
		return args, hsExact
	case 3:
		return []string{"HSETNX", key, field(), value()}, hsExact
	case 4:
		return []string{"HMSET", key, field(), value()}, hsExact
	case 5:
		return []string{"HGET", key, field()}, hsExact
	case 6:
		return []string{"HMGET", key, field(), field(), field()}, hsExact
	case 7, 8:
		args := []string{"HDEL", key}
		for i := 0; i <= r.IntN(3); i++ {
			args = append(args, field())
		}
		return args, hsExact
	case 9:
		return []string{"HEXISTS", key, field()}, hsExact
	case 10:
		return []string{"HLEN", key}, hsExact
	case 11:
		return []string{"HSTRLEN", key, field()}, hsExact
	case 12:
		return []string{"HINCRBY", key, field(), strconv.Itoa(r.IntN(200) - 100)}, hsExact
	case 13:
		incr := []string{"0.1", "-1.5", "1e3", "3", "-0.25", "2.5e-3", "1.1"}[r.IntN(7)]
		return []string{"HINCRBYFLOAT", key, field(), incr}, hsExact
	case 14:
		return []string{"HGETALL", key}, hsPairs
	case 15:
		return []string{"HKEYS", key}, hsUnordered
	case 16:
		return []string{"HVALS", key}, hsUnordered
	case 17:
		return []string{"HRANDFIELD", key, "100"}, hsUnordered
	case 18:
		return []string{"HRANDFIELD", key, "100", "WITHVALUES"}, hsPairs
	case 19:
		return []string{"HRANDFIELD", key, strconv.Itoa(-1 - r.IntN(20))}, hsShape
	case 20:
		return []string{"HRANDFIELD", key, strconv.Itoa(1 + r.IntN(5)), "WITHVALUES"}, hsShape
	case 21:
		return []string{"HSCAN", key, "0", "COUNT", "1000"}, hsScanPairs
	case 22:
		return []string{"OBJECT", "ENCODING", key}, hsExact
	default:
		if r.IntN(4) == 0 {
			return []string{"SET", "str", "v"}, hsExact
		}
		return []string{"DEL", key}, hsExact
	}
}

// hsMode says how a differential step compares the two replies.
type hsMode int

const (
	hsExact     hsMode = iota
	hsUnordered        // an aggregate whose order is unspecified: compare sorted elements
	hsPairs            // field/value pairs in unspecified order (flat, map or nested)
	hsShape            // a random reply: compare the reply type and length only
	hsScanPairs        // a complete HSCAN: cursor, then unordered pairs
	hsScanItems        // a complete SSCAN: cursor, then unordered members
)

// hsNormalize rewrites a raw reply so that equal replies under mode compare equal.
func hsNormalize(raw string, mode hsMode) string {
	switch mode {
	case hsUnordered:
		return sortedReply(raw)
	case hsPairs:
		header, items := splitReplyItems(raw)
		if items == nil || len(items) == 0 || items[0][0] == '*' {
			return sortedReply(raw)
		}
		var pairs []string
		for i := 0; i+1 < len(items); i += 2 {
			pairs = append(pairs, items[i]+items[i+1])
		}
		sort.Strings(pairs)
		return header + strings.Join(pairs, "")
	case hsShape:
		line, _, _ := strings.Cut(raw, "\r\n")
		if line[0] == '$' {
			return "$"
		}
		return line
	case hsScanPairs, hsScanItems:
		header, items := splitReplyItems(raw)
		if len(items) != 2 {
			return raw
		}
		inner := hsUnordered
		if mode == hsScanPairs {
			inner = hsPairs
		}
		return header + items[0] + hsNormalize(items[1], inner)
	}
	return raw
}

// hsDial opens a raw connection to the reference server (emptied) and to a fresh
// Cinnabar, both speaking protocol proto.
func hsDial(t *testing.T, proto int) (ref, ours *rawConn) {
	t.Helper()
	ref = dialRaw(t, referenceAddr(t))
	srv := startServer(t)
	ours = dialRaw(t, srv.Addr())
	ref.Do(t, "FLUSHALL")
	if proto == 3 {
		ref.Do(t, "HELLO", "3")
		ours.Do(t, "HELLO", "3")
	}
	return ref, ours
}

// hsDiffScript is diffScript in either protocol, with more comparison modes: a line may
// start with "sort " (unordered elements), "pairs " (unordered field/value pairs),
// "shape " (random reply: type and length only), "scanpairs " or "scanitems " (a complete
// HSCAN or SSCAN).
func hsDiffScript(t *testing.T, proto int, script string) {
	t.Helper()
	ref, ours := hsDial(t, proto)
	prefixes := map[string]hsMode{"sort ": hsUnordered, "pairs ": hsPairs, "shape ": hsShape, "scanpairs ": hsScanPairs, "scanitems ": hsScanItems}
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		mode := hsExact
		for p, m := range prefixes {
			if rest, ok := strings.CutPrefix(line, p); ok {
				line, mode = rest, m
			}
		}
		var args []string
		for _, a := range strings.Fields(line) {
			if a == `""` {
				a = ""
			}
			args = append(args, strings.ReplaceAll(a, `\s`, " "))
		}
		want, got := ref.Do(t, args...), ours.Do(t, args...)
		require.Equal(t, hsNormalize(want, mode), hsNormalize(got, mode), "RESP%d command: %s", proto, line)
	}
}

// hsDiffRandom runs steps commands from gen on both servers, comparing replies by the
// mode gen gives. setup runs first on both (replies ignored).
func hsDiffRandom(t *testing.T, proto, steps int, setup []string, gen func(r *rand.Rand) ([]string, hsMode)) {
	t.Helper()
	ref, ours := hsDial(t, proto)
	for _, c := range setup {
		ref.Do(t, strings.Fields(c)...)
		ours.Do(t, strings.Fields(c)...)
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(uint64(seed), 0))
	for i := 0; i < steps; i++ {
		args, mode := gen(r)
		want, got := ref.Do(t, args...), ours.Do(t, args...)
		require.Equal(t, hsNormalize(want, mode), hsNormalize(got, mode), "step %d: %q (seed %d)", i, args, seed)
	}
}

// hsRestoreLimits resets the encoding limits of the shared reference server when the
// test ends, however it ends.
func hsRestoreLimits(t *testing.T) {
	t.Cleanup(func() {
		ref := dialRaw(t, referenceAddr(t))
		ref.Do(t, "CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64", "set-max-intset-entries", "512")
	})
}
