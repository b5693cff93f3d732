package compat

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeySpecsMatchReference compares the key-specs part of COMMAND INFO (its ninth
// element: flags, begin_search, find_keys and notes of every spec), raw, for every
// command and subcommand both servers have, in RESP2 and RESP3. The legacy
// first/last/step and movablekeys are compared by TestCommandTableMatchesReference.
func TestKeySpecsMatchReference(t *testing.T) {
	refAddr := referenceAddr(t)
	srv := startServer(t)
	names, err := newClient(t, srv.Addr(), 2).Do(ctx, "COMMAND", "LIST").StringSlice()
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ref, ours := dialRaw(t, refAddr), dialRaw(t, srv.Addr())
			if proto == 3 {
				ref.Do(t, "HELLO", "3")
				ours.Do(t, "HELLO", "3")
			}
			for _, name := range names {
				if newerThanRedis70[name] {
					continue
				}
				want, got := keySpecsOf(ref.Do(t, "COMMAND", "INFO", name)), keySpecsOf(ours.Do(t, "COMMAND", "INFO", name))
				require.NotEmpty(t, want, "%s is not a Redis 7.0 command", name)
				assert.Equal(t, want, got, "RESP%d key specs of %s", proto, name)
			}
		})
	}
}

// keySpecsOf picks the raw key-specs element out of a one-command COMMAND INFO reply.
func keySpecsOf(raw string) string {
	_, cmds := splitReplyItems(raw)
	if len(cmds) != 1 {
		return ""
	}
	_, fields := splitReplyItems(cmds[0])
	if len(fields) < 9 {
		return ""
	}
	return fields[8]
}

// TestGetKeysAndFlagsMatchReference compares COMMAND GETKEYSANDFLAGS and GETKEYS, raw,
// for representative calls of each family: fixed positions, keys counted from the end,
// numkeys (ZUNIONSTORE, LMPOP, EVAL), keywords (XREAD's STREAMS, GEORADIUS's STORE),
// keys found by a procedure (SORT ... STORE), flags that depend on the call (SET ...
// GET, BITFIELD), not_key specs (sharded pub/sub), and the error cases. A line is a
// call split on spaces.
func TestGetKeysAndFlagsMatchReference(t *testing.T) {
	calls := `
		SET k v
		SET k v EX 10 get
		SET k get v
		GET k
		GETEX k PERSIST
		GETDEL k
		MSET a 1 b 2
		MSETNX a 1 b 2
		LCS a b
		APPEND k v
		INCR k
		DEL a b c
		UNLINK a
		EXISTS a b
		TOUCH a b
		RENAME a b
		RENAMENX a b
		COPY a b REPLACE
		EXPIRE k 10
		DUMP k
		RESTORE k 0 x
		OBJECT ENCODING k
		OBJECT FREQ k
		MEMORY USAGE k SAMPLES 5
		BITOP AND d a b c
		BITFIELD k GET u8 0
		BITFIELD k GET u8 0 OVERFLOW SAT GET i8 1
		BITFIELD k SET u8 0 1
		BITFIELD k INCRBY u8 0 1
		BITFIELD k GET u8
		BITFIELD_RO k GET u8 0
		BITCOUNT k
		SETBIT k 1 1
		LPUSH k a b
		LMOVE a b LEFT RIGHT
		BLMOVE a b LEFT RIGHT 0
		RPOPLPUSH a b
		BLPOP a b 0
		BRPOP a 0
		LMPOP 2 a b LEFT
		BLMPOP 0 2 a b LEFT COUNT 1
		LMPOP 5 a LEFT
		LMPOP x a LEFT
		SMOVE a b m
		SINTERSTORE d a b
		SUNIONSTORE d a b
		SDIFFSTORE d a
		SINTER a b
		SINTERCARD 2 a b LIMIT 1
		SINTERCARD 0 a
		SADD k m
		HSET h f v
		HGETALL h
		ZADD k 1 m
		ZUNIONSTORE d 2 a b WEIGHTS 1 2
		ZINTERSTORE d 0 a
		ZINTERSTORE d 3 a b
		ZDIFFSTORE d 1 a
		ZUNION 2 a b WITHSCORES
		ZINTERCARD 1 a
		ZMPOP 1 a MIN
		BZMPOP 0 2 a b MAX
		BZPOPMIN a b 0
		ZRANGESTORE d s 0 -1
		GEOADD g 1 2 m
		GEORADIUS g 1 2 3 km
		GEORADIUS g 1 2 3 km STORE d
		GEORADIUS g 1 2 3 km STORE d STOREDIST e
		GEORADIUSBYMEMBER g m 3 km STOREDIST d
		GEORADIUS_RO g 1 2 3 km
		GEOSEARCHSTORE d g FROMMEMBER m BYRADIUS 1 m
		PFADD k a
		PFCOUNT a b
		PFMERGE d a b
		PFMERGE d
		BITOP NOT d a
		XADD s * f v
		XREAD COUNT 1 STREAMS a b 0 0
		XREAD BLOCK 0 STREAMS a $
		XREAD STREAMS a b 0
		XREADGROUP GROUP g c STREAMS a >
		XREADGROUP GROUP streams streams COUNT 1 STREAMS a b > >
		XGROUP CREATE s g $ MKSTREAM
		XGROUP DESTROY s g
		XINFO STREAM s
		EVAL return\s1 2 a b
		EVAL return\s1 0
		EVAL return\s1 3 a
		EVALSHA abc 1 a
		EVAL_RO return\s1 1 a
		FCALL f 1 a
		FCALL_RO f 0
		SORT k
		SORT k BY w GET x STORE d
		SORT k STORE a STORE b
		SORT k LIMIT 0 1 STORE d
		SORT_RO k BY w
		SPUBLISH c m
		SSUBSCRIBE a b
		SUNSUBSCRIBE a
		PUBLISH c m
		WATCH a b
		NOSUCH a
		OBJECT NOSUCH k
		GET a b
		PING x`
	var cmds [][]string
	for _, line := range strings.Split(strings.TrimSpace(calls), "\n") {
		var call []string
		for _, a := range strings.Fields(line) {
			call = append(call, strings.ReplaceAll(a, `\s`, " "))
		}
		for _, sub := range []string{"GETKEYSANDFLAGS", "GETKEYS"} {
			cmds = append(cmds, append([]string{"COMMAND", sub}, call...))
		}
	}
	diffBothProtocols(t, cmds...)
}

// TestGetKeysSweep calls GETKEYSANDFLAGS for every command and subcommand both servers
// have: a command without keys once, one with keys at each argument count from its
// arity up to two more, once with words and
// once with numbers for arguments (so that numkeys arguments count keys that are there,
// or not): the arity and no-keys errors, ranges counted from the end and keynum bounds
// all meet the reference's.
func TestGetKeysSweep(t *testing.T) {
	rdb := newClient(t, startServer(t).Addr(), 2)
	names, err := rdb.Do(ctx, "COMMAND", "LIST").StringSlice()
	require.NoError(t, err)
	arities, hasKeys := map[string]int{}, map[string]bool{}
	for _, name := range names {
		info, err := rdb.Do(ctx, "COMMAND", "INFO", name).Slice()
		require.NoError(t, err)
		arities[name] = int(info[0].([]any)[1].(int64))
		hasKeys[name] = len(info[0].([]any)[8].([]any)) > 0
	}
	var cmds [][]string
	for _, name := range names {
		if newerThanRedis70[name] {
			continue
		}
		call := strings.Split(name, "|")
		arity := arities[name]
		if arity < 0 {
			arity = -arity
		}
		more := 2
		if !hasKeys[name] {
			more = 0
		}
		for n := arity; n <= arity+more; n++ {
			for _, word := range []string{"k%d", "%d"} {
				c := append([]string{"COMMAND", "GETKEYSANDFLAGS"}, call...)
				for i := len(call); i < n; i++ {
					c = append(c, fmt.Sprintf(word, i))
				}
				cmds = append(cmds, c)
			}
		}
	}
	diffCommands(t, 2, cmds...)
}
