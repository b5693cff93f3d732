package compat

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/persist"
	"github.com/cinnabar-db/cinnabar/store"
)

// dumpFixture builds one key with the same commands on both servers.
type dumpFixture struct {
	key  string
	cmds [][]string
	// hashOrder marks values whose DUMP lists members in hash-table order (hashtable
	// sets and hashes): Redis's order depends on its per-process random hash seed, so
	// only the decoded contents can be compared.
	hashOrder bool
	// wallClock marks streams whose consumer groups record delivery and seen times:
	// each server takes them from its own clock, so the payloads are compared with
	// those times zeroed.
	wallClock bool
}

// dumpFixtures returns a value of every type in each of its encodings, built by
// commands whose results are deterministic on both servers.
func dumpFixtures() []dumpFixture {
	r := rand.New(rand.NewPCG(7, 7))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdefghij"[r.IntN(10)]
		}
		return string(b)
	}
	randomBytes := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return string(b)
	}
	text := strings.Repeat("the quick brown fox jumps over the lazy dog; ", 50)
	var fx []dumpFixture
	add := func(key string, cmds ...[]string) { fx = append(fx, dumpFixture{key: key, cmds: cmds}) }
	cmd := func(args ...string) []string { return args }
	many := func(name, key string, n int, arg func(i int) []string) []string {
		c := []string{name, key}
		for i := 0; i < n; i++ {
			c = append(c, arg(i)...)
		}
		return c
	}

	// Strings: integer encodings, raw, LZF (compressible and not), in-place edits.
	for i, v := range []string{"0", "-1", "127", "-128", "128", "32767", "-32769", "2147483647", "-2147483648",
		"2147483648", "12345678901", "9223372036854775807", "-9223372036854775808", "007", "+5", "-0", "1.5",
		"", "hello", strings.Repeat("a", 20), strings.Repeat("a", 21), strings.Repeat("ab", 30), text,
		randomBytes(100), word(5000), text + randomBytes(3000) + text} {
		add("str:"+strconv.Itoa(i), cmd("SET", "str:"+strconv.Itoa(i), v))
	}
	add("str:append", cmd("SET", "str:append", "123"), cmd("APPEND", "str:append", "456"))
	add("str:incrbyfloat", cmd("INCRBYFLOAT", "str:incrbyfloat", "10.5"), cmd("INCRBYFLOAT", "str:incrbyfloat", "0.5"))
	add("str:bits", cmd("SETBIT", "str:bits", "10000", "1"))
	add("str:hll", cmd("PFADD", "str:hll", "a", "b", "c"))
	add("str:ttl", cmd("SET", "str:ttl", "v", "EX", "1000"))

	// Lists: one node, many nodes, big elements, integers of every listpack width.
	add("list:small", cmd("RPUSH", "list:small", "a", "b", "1", "-1", "300", "70000", "5000000000", "x"))
	add("list:ints", many("RPUSH", "list:ints", 300, func(i int) []string {
		return []string{strconv.FormatInt(int64(i*i*i*7919)*int64(1-2*(i%2)), 10)}
	}))
	add("list:many", many("RPUSH", "list:many", 2000, func(i int) []string { return []string{word(1 + r.IntN(40))} }))
	add("list:big", many("RPUSH", "list:big", 12, func(i int) []string { return []string{word(2000 + 1000*i)} }))
	add("list:lpush", cmd("LPUSH", "list:lpush", "a", "b", "c"))
	add("list:edited", cmd("RPUSH", "list:edited", "a", "b", "c", "b", "d"), cmd("LREM", "list:edited", "1", "b"),
		cmd("LINSERT", "list:edited", "BEFORE", "c", "zz"), cmd("LSET", "list:edited", "0", "first"))

	// Sets: intsets of each width, and hashtables.
	add("set:int16", cmd("SADD", "set:int16", "5", "-3", "1000", "0"))
	add("set:int32", cmd("SADD", "set:int32", "1", "100000", "-100000"))
	add("set:int64", cmd("SADD", "set:int64", "1", "10000000000"))
	add("set:intbig", many("SADD", "set:intbig", 400, func(i int) []string { return []string{strconv.Itoa(i * 3)} }))
	fx = append(fx, dumpFixture{key: "set:strings", cmds: [][]string{cmd("SADD", "set:strings", "a", "b", "c", "1")}, hashOrder: true})
	fx = append(fx, dumpFixture{key: "set:ints-many", hashOrder: true,
		cmds: [][]string{many("SADD", "set:ints-many", 600, func(i int) []string { return []string{strconv.Itoa(i)} })}})

	// Hashes: listpack (in insertion order, edited), and hashtable.
	add("hash:small", cmd("HSET", "hash:small", "f1", "v1", "n", "-5000", "big", "100000", "e", ""))
	add("hash:edited", cmd("HSET", "hash:edited", "a", "1", "b", "2", "c", "3"), cmd("HSET", "hash:edited", "a", "one"),
		cmd("HDEL", "hash:edited", "b"), cmd("HINCRBY", "hash:edited", "c", "10"), cmd("HINCRBYFLOAT", "hash:edited", "f", "1.5"))
	add("hash:many", many("HSET", "hash:many", 200, func(i int) []string { return []string{"field:" + strconv.Itoa(i), word(10)} }))
	fx = append(fx, dumpFixture{key: "hash:table", hashOrder: true,
		cmds: [][]string{cmd("HSET", "hash:table", "a", "1", "long", strings.Repeat("x", 100))}})

	// Sorted sets: listpack (scores of every shape), skiplist by size and by member length.
	add("zset:small", cmd("ZADD", "zset:small", "1", "a", "2.5", "b", "-3", "c", "0.1", "d", "inf", "e", "-inf", "f",
		"1e20", "g", "4503599627370495", "h", "4503599627370496", "i", "-0", "j", "1e-300", "k", "123456.789", "l"))
	add("zset:incr", cmd("ZADD", "zset:incr", "1", "a", "2", "b"), cmd("ZINCRBY", "zset:incr", "0.3", "a"))
	add("zset:many", many("ZADD", "zset:many", 100, func(i int) []string {
		return []string{strconv.FormatFloat(r.Float64()*1000, 'f', -1, 64), "m" + strconv.Itoa(i)}
	}))
	add("zset:skiplist", many("ZADD", "zset:skiplist", 300, func(i int) []string {
		return []string{strconv.Itoa(r.IntN(100) - 50), word(8)}
	}))
	add("zset:longmember", cmd("ZADD", "zset:longmember", "1", strings.Repeat("m", 100), "-0", "z"))

	// Streams: one node, many nodes, tombstones, trimming, and consumer groups.
	add("stream:small", cmd("XADD", "stream:small", "1-1", "a", "1"), cmd("XADD", "stream:small", "1-2", "a", "2", "b", "3"),
		cmd("XADD", "stream:small", "5-0", "a", "x"))
	var big [][]string
	for i := 1; i <= 700; i++ {
		fields := []string{"XADD", "stream:big", fmt.Sprintf("%d-%d", 1000+i/3, i%3), "sensor", strconv.Itoa(i), "reading", word(r.IntN(30))}
		if i%50 == 0 {
			fields = append(fields, "extra", "1")
		}
		big = append(big, fields)
	}
	big = append(big, cmd("XDEL", "stream:big", "1001-0", "1050-1", "1200-2"), cmd("XTRIM", "stream:big", "MAXLEN", "650"),
		cmd("XSETID", "stream:big", "99999-0", "ENTRIESADDED", "800", "MAXDELETEDID", "1300-0"))
	add("stream:big", big...)
	add("stream:empty", cmd("XGROUP", "CREATE", "stream:empty", "g", "$", "MKSTREAM"))
	add("stream:emptied", cmd("XADD", "stream:emptied", "1-1", "a", "1"), cmd("XDEL", "stream:emptied", "1-1"))
	groups := [][]string{
		cmd("XADD", "stream:groups", "1-1", "a", "1"), cmd("XADD", "stream:groups", "1-2", "a", "2"),
		cmd("XADD", "stream:groups", "2-1", "b", "3"), cmd("XADD", "stream:groups", "3-0", "a", "4"),
		cmd("XGROUP", "CREATE", "stream:groups", "g1", "0"), cmd("XGROUP", "CREATE", "stream:groups", "g0", "$"),
		cmd("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "stream:groups", ">"),
		cmd("XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "stream:groups", ">"),
		cmd("XACK", "stream:groups", "g1", "1-2"), cmd("XGROUP", "CREATECONSUMER", "stream:groups", "g0", "carol"),
		cmd("XCLAIM", "stream:groups", "g1", "alice", "0", "2-1", "TIME", "1700000000000", "RETRYCOUNT", "7"),
	}
	fx = append(fx, dumpFixture{key: "stream:groups", cmds: groups, wallClock: true})
	return fx
}

// zeroStreamTimes re-encodes a stream payload with its groups' delivery and seen times
// zeroed, and their read counters too when noReadCounters is set.
func zeroStreamTimes(t *testing.T, payload []byte, noReadCounters bool) []byte {
	v, err := persist.ReadPayload(payload, defaultLimits())
	require.NoError(t, err)
	for _, g := range v.Stream().Groups() {
		if noReadCounters {
			g.EntriesRead = 0
		}
		g.PendingRange(store.StreamID{}, func(_ store.StreamID, n *store.StreamNACK) bool {
			n.DeliveryTime = 0
			return true
		})
		for _, c := range g.Consumers() {
			c.SeenTime = 0
		}
	}
	return persist.Dump(v, true)
}

// defaultLimits are the encoding thresholds of a server with the default config.
func defaultLimits() *store.Limits { return &store.New(1, 1, &clock.Clock{}).Limits }

// valueContent describes a decoded value completely and independently of member order.
func valueContent(t *testing.T, payload []byte) string {
	v, err := persist.ReadPayload(payload, defaultLimits())
	require.NoError(t, err)
	var items []string
	switch v.Type() {
	case store.TypeSet:
		v.SetValue().Range(func(m []byte) bool { items = append(items, string(m)); return true })
	case store.TypeHash:
		v.Hash().Range(func(f, val []byte) bool { items = append(items, string(f)+"="+string(val)); return true })
	default:
		t.Fatalf("no content comparison for %s", v.Type())
	}
	slices.Sort(items)
	return v.Type().String() + " " + v.Encoding() + ": " + strings.Join(items, ",")
}

// bulkBody returns the bytes of a raw bulk-string reply.
func bulkBody(t *testing.T, raw string) []byte {
	t.Helper()
	head, body, ok := strings.Cut(raw, "\r\n")
	require.True(t, ok && strings.HasPrefix(head, "$") && head != "$-1", "not a bulk string: %q", raw)
	return []byte(strings.TrimSuffix(body, "\r\n"))
}

// buildFixtures runs the fixtures' commands on both servers (which must agree) and
// returns them.
func buildFixtures(t *testing.T, ref, ours *rawConn) []dumpFixture {
	ref.Do(t, "FLUSHALL")
	fx := dumpFixtures()
	for _, f := range fx {
		for _, c := range f.cmds {
			require.Equal(t, ref.Do(t, c...), ours.Do(t, c...), "%q", c)
		}
	}
	return fx
}

// configBoth sets a directive on both servers for the rest of the test; the shared
// reference gets its old value back at the end.
func configBoth(t *testing.T, ref, ours *rawConn, name, value string) {
	_, items := splitReplyItems(ref.Do(t, "CONFIG", "GET", name))
	require.Len(t, items, 2, name)
	old := string(bulkBody(t, items[1]))
	t.Cleanup(func() { ref.Do(t, "CONFIG", "SET", name, old) })
	for _, c := range []*rawConn{ref, ours} {
		require.Equal(t, "+OK\r\n", c.Do(t, "CONFIG", "SET", name, value), name)
	}
}

// dumpConfigs are the settings the dump and restore tests run under: the defaults,
// no compression, and list fills of each kind.
var dumpConfigs = [][]string{
	{"default", ""},
	{"rdbcompression", "no"},
	{"list-max-listpack-size", "5"},
	{"list-max-listpack-size", "0"},
	{"list-max-listpack-size", "-1"},
	{"list-max-listpack-size", "-5"},
}

// requireFixtureCoverage checks that the fixtures reach what they are meant to test:
// each encoding, compressed strings, lists and streams of several nodes.
func requireFixtureCoverage(t *testing.T, ours *rawConn) {
	for key, enc := range map[string]string{
		"str:0": "int", "str:18": "embstr", "str:22": "raw", "str:append": "raw", "list:many": "quicklist",
		"set:int64": "intset", "set:intbig": "intset", "set:strings": "hashtable", "set:ints-many": "hashtable",
		"hash:many": "listpack", "hash:table": "hashtable", "zset:many": "listpack", "zset:skiplist": "skiplist",
		"zset:longmember": "skiplist", "stream:big": "stream",
	} {
		require.Equal(t, fmt.Sprintf("$%d\r\n%s\r\n", len(enc), enc), ours.Do(t, "OBJECT", "ENCODING", key), key)
	}
	for _, key := range []string{"str:22", "hash:many", "zset:many"} {
		require.Equal(t, byte(0xc3), bulkBody(t, ours.Do(t, "DUMP", key))[1], "%s is written LZF-compressed", key)
	}
	require.Greater(t, bulkBody(t, ours.Do(t, "DUMP", "list:many"))[1], byte(2), "list:many has several nodes")
	require.Contains(t, ours.Do(t, "XINFO", "STREAM", "stream:big"), "radix-tree-keys\r\n:7\r\n")
}

// TestDumpDifferential compares DUMP payloads of the same values built by the same
// commands: byte for byte, except where Redis's layout depends on its process (see
// dumpFixture).
func TestDumpDifferential(t *testing.T) {
	for _, cfg := range dumpConfigs {
		t.Run(strings.TrimSuffix(strings.Join(cfg, "="), "="), func(t *testing.T) {
			ref := dialRaw(t, referenceAddr(t))
			ours := dialRaw(t, startServer(t).Addr())
			if cfg[0] != "default" {
				configBoth(t, ref, ours, cfg[0], cfg[1])
			}
			fixtures := buildFixtures(t, ref, ours)
			if cfg[0] == "default" {
				requireFixtureCoverage(t, ours)
			}
			for _, f := range fixtures {
				want, got := bulkBody(t, ref.Do(t, "DUMP", f.key)), bulkBody(t, ours.Do(t, "DUMP", f.key))
				switch {
				case f.hashOrder:
					require.Equal(t, valueContent(t, want), valueContent(t, got), f.key)
				case f.wallClock:
					require.Equal(t, zeroStreamTimes(t, want, false), zeroStreamTimes(t, got, false), f.key)
				default:
					require.Equal(t, want, got, f.key)
				}
			}
		})
	}
}

// sameReads requires every read command of the value's type to answer the same on the
// reference's key a and our key b.
func sameReads(t *testing.T, ref *rawConn, a string, ours *rawConn, b string) {
	t.Helper()
	typ := ref.Do(t, "TYPE", a)
	require.Equal(t, typ, ours.Do(t, "TYPE", b), "TYPE %s", a)
	enc := ref.Do(t, "OBJECT", "ENCODING", a)
	require.Equal(t, enc, ours.Do(t, "OBJECT", "ENCODING", b), "OBJECT ENCODING %s", a)
	// Each read names the key as "%k".
	reads := map[string][][]string{
		"+string\r\n": {{"GET", "%k"}, {"STRLEN", "%k"}},
		"+list\r\n":   {{"LRANGE", "%k", "0", "-1"}, {"LLEN", "%k"}, {"LINDEX", "%k", "-1"}},
		"+set\r\n":    {{"SMEMBERS", "%k"}, {"SCARD", "%k"}},
		"+hash\r\n":   {{"HGETALL", "%k"}, {"HLEN", "%k"}},
		"+zset\r\n":   {{"ZRANGE", "%k", "0", "-1", "WITHSCORES"}, {"ZCARD", "%k"}},
		"+stream\r\n": {{"XRANGE", "%k", "-", "+"}, {"XLEN", "%k"}, {"XINFO", "STREAM", "%k"},
			{"XINFO", "STREAM", "%k", "FULL"}, {"XINFO", "GROUPS", "%k"}},
	}[typ]
	require.NotEmpty(t, reads, "type %q", typ)
	unordered := enc == "$9\r\nhashtable\r\n"
	naming := func(read []string, key string) []string {
		out := slices.Clone(read)
		out[slices.Index(out, "%k")] = key
		return out
	}
	for _, r := range reads {
		want, got := ref.Do(t, naming(r, a)...), ours.Do(t, naming(r, b)...)
		if unordered {
			want, got = sortedReply(want), sortedReply(got)
		}
		require.Equal(t, want, got, "%v %s", r, a)
	}
}

// TestDumpRestoreAcrossServers moves every fixture both ways: the payload DUMP gives
// on the reference, and the one it gives on Cinnabar, are each restored into both
// servers, whose copies must then answer every read command alike. A value restored
// from the reference's payload must also dump back to the same bytes. It runs again
// with encoding limits lowered after the values were built, so restored values must
// convert (or stay compact) as Redis's do.
func TestDumpRestoreAcrossServers(t *testing.T) {
	for _, small := range []bool{false, true} {
		t.Run(fmt.Sprintf("small-limits=%v", small), func(t *testing.T) {
			ref := dialRaw(t, referenceAddr(t))
			ours := dialRaw(t, startServer(t).Addr())
			fixtures := buildFixtures(t, ref, ours)
			if small {
				for _, name := range []string{"hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
					"zset-max-listpack-entries", "zset-max-listpack-value"} {
					configBoth(t, ref, ours, name, "3")
				}
			}
			for _, f := range fixtures {
				for _, from := range []*rawConn{ref, ours} {
					copyKey := "copy:" + f.key
					payload := bulkBody(t, from.Do(t, "DUMP", f.key))
					for _, to := range []*rawConn{ref, ours} {
						require.Equal(t, "+OK\r\n", to.Do(t, "RESTORE", copyKey, "0", string(payload), "REPLACE"), f.key)
					}
					sameReads(t, ref, copyKey, ours, copyKey)
					// Memory estimates differ in places for values built by commands too
					// (skiplists, consumer groups); a restored value must not add to that.
					skiplist := ours.Do(t, "OBJECT", "ENCODING", copyKey) == "$8\r\nskiplist\r\n"
					if usage := ref.Do(t, "MEMORY", "USAGE", f.key); !skiplist && usage == ours.Do(t, "MEMORY", "USAGE", f.key) {
						require.Equal(t, ref.Do(t, "MEMORY", "USAGE", copyKey), ours.Do(t, "MEMORY", "USAGE", copyKey), "MEMORY USAGE %s", copyKey)
					}
					if from == ref && !f.hashOrder && !small {
						require.Equal(t, payload, bulkBody(t, ours.Do(t, "DUMP", copyKey)), "%s dumps back unchanged", f.key)
					}
				}
			}
		})
	}
}
