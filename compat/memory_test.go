package compat

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// memoryCase builds a value with a Lua script (KEYS[1] is the key) and says how close
// MEMORY USAGE must come to the reference's figure, as a fraction of it.
type memoryCase struct {
	name, key, script string
	tolerance         float64
}

// Tolerances: strings, listpacks, intsets and lists are modelled byte for byte. Redis's
// hash tables may be mid-rehash, holding two bucket arrays for a while; a skiplist
// node's size depends on its random level, and Redis scales the first nodes' sizes.
const (
	exact     = 0
	dictTol   = 0.2
	zslTol    = 0.25
	streamTol = 0.01
)

func luaLoop(n int, body string) string { return fmt.Sprintf("for i=1,%d do %s end ", n, body) }

var memoryCases = []memoryCase{
	{"int string", "k", "redis.call('set', KEYS[1], '12345')", exact},
	{"embstr", "k", "redis.call('set', KEYS[1], 'hello')", exact},
	{"embstr 44", "k", "redis.call('set', KEYS[1], string.rep('x', 44))", exact},
	{"raw 45", "k", "redis.call('set', KEYS[1], string.rep('x', 45))", exact},
	{"raw 1000", "k", "redis.call('set', KEYS[1], string.rep('x', 1000))", exact},
	{"raw 100000", "k", "redis.call('set', KEYS[1], string.rep('x', 100000))", exact},
	{"appended", "k", luaLoop(100, "redis.call('append', KEYS[1], 'abcdefghij')"), exact},
	{"setrange", "k", "redis.call('set', KEYS[1], 'abc') redis.call('setrange', KEYS[1], 100, 'x')", exact},
	{"key of 40", strings.Repeat("k", 40), "redis.call('set', KEYS[1], 'v')", exact},
	{"key of 300", strings.Repeat("k", 300), "redis.call('set', KEYS[1], 'v')", exact},
	{"list small", "l", "redis.call('rpush', KEYS[1], 'a', 'b', 'c')", exact},
	{"list 100", "l", luaLoop(100, "redis.call('rpush', KEYS[1], 'value:'..i)"), exact},
	{"list of integers", "l", luaLoop(1000, "redis.call('rpush', KEYS[1], i)"), exact},
	{"list 10000", "l", luaLoop(10000, "redis.call('rpush', KEYS[1], 'value:'..i)"), exact},
	{"list big elements", "l", luaLoop(50, "redis.call('lpush', KEYS[1], string.rep('x', 1000)..i)"), exact},
	// Small elements first, big ones after: the default 5 sampled nodes are not typical.
	{"list uneven", "l", luaLoop(20000, "redis.call('rpush', KEYS[1], 'a')") +
		luaLoop(20, "redis.call('rpush', KEYS[1], string.rep('y', 9000))"), exact},
	{"hash listpack", "h", luaLoop(100, "redis.call('hset', KEYS[1], 'field:'..i, i)"), exact},
	{"hash listpack mixed", "h", luaLoop(60, "redis.call('hset', KEYS[1], i, string.rep('v', i))"), exact},
	{"hash hashtable", "h", luaLoop(1000, "redis.call('hset', KEYS[1], 'field:'..i, 'value:'..i)"), dictTol},
	{"hash 5000", "h", luaLoop(5000, "redis.call('hset', KEYS[1], 'f'..i, string.rep('v', 40))"), dictTol},
	{"hash big value", "h", "redis.call('hset', KEYS[1], 'f', string.rep('x', 100))", exact},
	{"intset 16", "s", luaLoop(100, "redis.call('sadd', KEYS[1], i)"), exact},
	{"intset 32", "s", luaLoop(100, "redis.call('sadd', KEYS[1], i*1000)"), exact},
	{"intset 64", "s", luaLoop(10, "redis.call('sadd', KEYS[1], -i*10000000000)"), exact},
	{"set strings", "s", luaLoop(1000, "redis.call('sadd', KEYS[1], 'member:'..i)"), dictTol},
	{"set from intset", "s", luaLoop(600, "redis.call('sadd', KEYS[1], i)"), dictTol},
	{"zset listpack", "z", luaLoop(100, "redis.call('zadd', KEYS[1], i, 'member:'..i)"), exact},
	{"zset listpack fractions", "z", luaLoop(100, "redis.call('zadd', KEYS[1], i/3, 'member:'..i)"), exact},
	{"zset listpack big scores", "z", luaLoop(50, "redis.call('zadd', KEYS[1], i*1e15, 'm'..i)") +
		" redis.call('zadd', KEYS[1], 'inf', 'top', '-inf', 'bottom')", exact},
	{"zset skiplist", "z", luaLoop(1000, "redis.call('zadd', KEYS[1], i, 'member:'..i)"), zslTol},
	{"zset 10000", "z", luaLoop(10000, "redis.call('zadd', KEYS[1], i/7, 'm'..i)"), zslTol},
	{"stream 1", "x", "redis.call('xadd', KEYS[1], '1-1', 'f', 'v')", exact},
	{"stream 1000", "x", luaLoop(1000, "redis.call('xadd', KEYS[1], (1700000000000+i)..'-0', 'field', 'value:'..i, 'n', i)"), streamTol},
	{"stream 20000", "x", luaLoop(20000, "redis.call('xadd', KEYS[1], (1700000000000+i*7)..'-0', 'a', i)"), streamTol},
	{"stream groups", "x", luaLoop(300, "redis.call('xadd', KEYS[1], i..'-1', 'f', i)") +
		" redis.call('xgroup', 'create', KEYS[1], 'g1', '0') redis.call('xgroup', 'create', KEYS[1], 'g2', '$')" +
		" redis.call('xreadgroup', 'group', 'g1', 'alice', 'count', 100, 'streams', KEYS[1], '>')" +
		" redis.call('xreadgroup', 'group', 'g1', 'bob', 'count', 50, 'streams', KEYS[1], '>')", streamTol},
}

// TestMemoryUsageMatchesReference builds the same values on the reference and on
// Cinnabar and compares MEMORY USAGE with the default samples, with SAMPLES 1 and with
// SAMPLES 0 (every element).
func TestMemoryUsageMatchesReference(t *testing.T) {
	ref := newClient(t, referenceAddr(t), 2)
	srv := startServer(t)
	ours := newClient(t, srv.Addr(), 2)
	for _, c := range memoryCases {
		var got [2][3]int64
		for i, rdb := range []*redis.Client{ref, ours} {
			require.NoError(t, rdb.FlushAll(ctx).Err())
			if err := rdb.Eval(ctx, c.script, []string{c.key}).Err(); err != redis.Nil {
				require.NoError(t, err, c.name)
			}
			got[i][0] = rdb.MemoryUsage(ctx, c.key).Val()
			got[i][1] = rdb.MemoryUsage(ctx, c.key, 1).Val()
			got[i][2] = rdb.MemoryUsage(ctx, c.key, 0).Val()
		}
		if c.name == "list uneven" { // the default 5 nodes sampled are untypical
			require.Less(t, got[1][0], got[1][2], "%s: SAMPLES 0 looks at every node", c.name)
		}
		for j, samples := range []string{"default", "1", "0"} {
			want, have := float64(got[0][j]), float64(got[1][j])
			require.InDelta(t, want, have, want*c.tolerance, "%s, SAMPLES %s: reference %v, Cinnabar %v", c.name, samples, want, have)
		}
	}
}
