package compat

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// migrateScript exercises MIGRATE against a target at $PORT (the placeholder the
// lines use): the keys that move and those that do not, every option, the errors of
// parsing, of the target and of the network, and what stays behind.
const migrateScript = `
	MIGRATE 127.0.0.1 $PORT nokey 0 1000
	SET k v
	MIGRATE 127.0.0.1 $PORT k 0 1000
	EXISTS k
	SET k v2
	MIGRATE 127.0.0.1 $PORT k 0 1000
	EXISTS k
	MIGRATE 127.0.0.1 $PORT k 0 1000 REPLACE
	SET k v3
	MIGRATE 127.0.0.1 $PORT k 0 1000 COPY REPLACE
	EXISTS k
	MIGRATE 127.0.0.1 $PORT k x 1000
	MIGRATE 127.0.0.1 $PORT k 0 x
	MIGRATE 127.0.0.1 $PORT k 0 1000 FOO
	MIGRATE 127.0.0.1 $PORT k x 1000 FOO
	MIGRATE 127.0.0.1 $PORT k 0 1000 KEYS a
	MIGRATE 127.0.0.1 $PORT k 0 1000 KEYS k AUTH
	MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH
	MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH2 u
	MIGRATE 127.0.0.1 $PORT k 0 1000 COPY COPY REPLACE
	MIGRATE 127.0.0.1 $PORT "" 0 1000 KEYS a b
	MIGRATE 127.0.0.1 $PORT "" 0 1000 KEYS
	MIGRATE 127.0.0.1 $PORT "" 0 1000
	MSET a 1 b 2
	MIGRATE 127.0.0.1 $PORT "" 0 1000 KEYS a b nokey
	EXISTS a b
	MSET a 1 b 2 c 3
	MIGRATE 127.0.0.1 $PORT "" 0 1000 KEYS c b a
	EXISTS a b c
	MIGRATE 127.0.0.1 $PORT "" 0 1000 REPLACE KEYS c b a
	EXISTS a b c
	SET k v4
	MIGRATE 127.0.0.1 $PORT k 99 1000 REPLACE
	MIGRATE 127.0.0.1 $PORT k -1 1000 COPY REPLACE
	MIGRATE 127.0.0.1 $PORTx k 0 1000 COPY REPLACE
	PEXPIRE k 500000
	MIGRATE 127.0.0.1 $PORT k 3 0 COPY REPLACE
	MIGRATE 127.0.0.1 $PORT k 3 -5 REPLACE
	RPUSH l a b c
	HSET h f v
	SADD s m
	ZADD z 1 m
	XADD x 1-1 f v
	PFADD p a b
	MIGRATE 127.0.0.1 $PORT "" 5 0 KEYS l h s z x p
	EXISTS l h s z x p
	SET auth v
	MIGRATE 127.0.0.1 $PORT auth 0 1000 AUTH pw
	MIGRATE 127.0.0.1 $PORT auth 0 1000 AUTH2 nobody pw
	MIGRATE 127.0.0.1 $PORT auth 0 1000 AUTH2 nobody pw AUTH pw
	EXISTS auth
	MIGRATE 127.0.0.1 1 auth 0 1000
	MIGRATE 127.0.0.1 99999 auth 0 100
	MIGRATE 127.0.0.1 -1 auth 0 100
	MIGRATE 127.0.0.1 x auth 0 100
	MIGRATE 127.0.0.1 4294967297 auth 0 100
	MIGRATE 127.0.0.1 99999999999999999999 auth 0 100
	MIGRATE 127.0.0.1 -99999999999999999999 auth 0 100
	MIGRATE nonexistent.invalid 1 auth 0 100
	MULTI
	SET m v
	MIGRATE 127.0.0.1 $PORT m 0 1000
	EXISTS m
	EXEC
`

// TestMigrateMatchesReference runs migrateScript with the reference and with Cinnabar
// as the source, each time into the same empty target, a reference redis-server and
// then a Cinnabar: the replies must be the same, and so must the target's data
// afterwards (its keys with their values and TTLs, by DUMP and PTTL).
func TestMigrateMatchesReference(t *testing.T) {
	srcRef := dialRaw(t, referenceAddr(t))
	targets := map[string]string{
		"reference target": startReferenceIn(t, t.TempDir()),
		"cinnabar target":  startServer(t).Addr(),
	}
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			_, port, _ := net.SplitHostPort(target)
			tc := dialRaw(t, target)
			run := func(src *rawConn) ([]string, map[string]string) {
				tc.Do(t, "FLUSHALL")
				src.Do(t, "FLUSHALL")
				var replies []string
				for _, args := range scriptLines(strings.ReplaceAll(migrateScript, "$PORT", port)) {
					replies = append(replies, src.Do(t, args...))
				}
				return replies, targetData(t, tc, 0, 3, 5)
			}
			wantReplies, wantData := run(srcRef)
			gotReplies, gotData := run(dialRaw(t, startServer(t).Addr()))
			lines := scriptLines(migrateScript)
			for i := range wantReplies {
				assert.Equal(t, wantReplies[i], gotReplies[i], "%q", lines[i])
			}
			assert.Equal(t, wantData, gotData)
			// The script's keys are all there, "auth" too: a target without a password
			// refuses AUTH but still runs the RESTOREs that follow it.
			assert.Len(t, gotData, 13)
		})
	}
}

// scriptLines splits a script into commands: one a line, arguments split on spaces,
// "" for an empty argument.
func scriptLines(script string) [][]string {
	var out [][]string
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		var args []string
		for _, a := range strings.Fields(line) {
			if a == `""` {
				a = ""
			}
			args = append(args, a)
		}
		out = append(out, args)
	}
	return out
}

// targetData is a server's keys in dbs, each with its DUMP payload and its TTL rounded
// to seconds (the migrations took milliseconds).
func targetData(t *testing.T, c *rawConn, dbs ...int) map[string]string {
	out := map[string]string{}
	for _, db := range dbs {
		c.Do(t, "SELECT", strconv.Itoa(db))
		_, keys := splitReplyItems(c.Do(t, "KEYS", "*"))
		for _, raw := range keys {
			key := strings.Split(raw, "\r\n")[1]
			ttl, _ := strconv.Atoi(strings.Trim(c.Do(t, "PTTL", key), ":\r\n"))
			if ttl > 0 {
				ttl = (ttl + 500) / 1000
			}
			out[strconv.Itoa(db)+"/"+key] = c.Do(t, "DUMP", key) + " ttl " + strconv.Itoa(ttl)
		}
	}
	c.Do(t, "SELECT", "0")
	return out
}

// TestMigrateGetKeys compares MIGRATE's keys, which Redis finds with a procedure of its
// own: the key argument, or what follows KEYS (skipping AUTH's and AUTH2's values).
func TestMigrateGetKeys(t *testing.T) {
	var cmds [][]string
	for _, call := range []string{
		"k 0 1000", `"" 0 1000`, "k 0 1000 KEYS a b", `"" 0 1000 KEYS a b`, `"" 0 1000 AUTH KEYS KEYS a`,
		`"" 0 1000 AUTH2 KEYS x KEYS a`, `"" 0 1000 COPY KEYS`, "k 0 1000 AUTH", "k 0 1000 FOO KEYS a",
		`"" 0 1000 AUTH x KEYS a b`, `"" 0 1000 AUTH2 a`, `"" 0 1000 KEYS KEYS`,
	} {
		for _, sub := range []string{"GETKEYSANDFLAGS", "GETKEYS"} {
			cmds = append(cmds, append([]string{"COMMAND", sub, "MIGRATE", "h", "1"}, scriptLines(call)[0]...))
		}
	}
	diffBothProtocols(t, cmds...)
}

// TestMigrateAuth migrates into targets that require a password: AUTH and AUTH2 with
// the right and the wrong credentials, from both sources, into both kinds of target.
func TestMigrateAuth(t *testing.T) {
	srcRef := dialRaw(t, referenceAddr(t))
	targets := map[string]string{
		"reference target": startReferenceIn(t, t.TempDir(), "--requirepass", "pw"),
		"cinnabar target":  startServer(t, cinnabartest.WithPassword("pw")).Addr(),
	}
	script := `
		SET k v
		MIGRATE 127.0.0.1 $PORT k 0 1000
		MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH wrong
		MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH2 default wrong
		MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH2 nobody pw
		MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH pw COPY
		MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH pw
		MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH pw REPLACE
		SET k v
		MIGRATE 127.0.0.1 $PORT k 0 1000 AUTH2 default pw REPLACE
		MIGRATE 127.0.0.1 $PORT k 77 1000 AUTH pw REPLACE
		EXISTS k`
	for name, target := range targets {
		t.Run(name, func(t *testing.T) {
			_, port, _ := net.SplitHostPort(target)
			tc := dialRaw(t, target)
			var replies [2][]string
			for i, src := range []*rawConn{srcRef, dialRaw(t, startServer(t).Addr())} {
				require.Equal(t, "+OK\r\n", tc.Do(t, "AUTH", "pw"))
				tc.Do(t, "FLUSHALL")
				src.Do(t, "FLUSHALL")
				for _, args := range scriptLines(strings.ReplaceAll(script, "$PORT", port)) {
					replies[i] = append(replies[i], src.Do(t, args...))
				}
			}
			assert.Equal(t, replies[0], replies[1])
			assert.Contains(t, replies[1], "+OK\r\n")
		})
	}
}

// TestMigrateSilentTarget migrates into a target that accepts the connection and then
// never answers, and one that hangs up after reading the request: both sources time out
// or fail reading with the same error, and keep the key.
func TestMigrateSilentTarget(t *testing.T) {
	for name, serve := range map[string]func(net.Conn){
		"silent":  func(c net.Conn) { _, _ = bufio.NewReader(c).ReadString('\n'); time.Sleep(2 * time.Second) },
		"hang up": func(c net.Conn) { _, _ = bufio.NewReader(c).ReadString('\n') },
	} {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			t.Cleanup(func() { ln.Close() })
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					go func() { defer c.Close(); serve(c) }()
				}
			}()
			port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
			var replies [2][]string
			for i, src := range []*rawConn{dialRaw(t, referenceAddr(t)), dialRaw(t, startServer(t).Addr())} {
				src.Do(t, "FLUSHALL")
				src.Do(t, "SET", "k", "v")
				replies[i] = append(replies[i], src.Do(t, "MIGRATE", "127.0.0.1", port, "k", "0", "200"),
					src.Do(t, "EXISTS", "k"))
			}
			assert.Equal(t, replies[0], replies[1])
			assert.Equal(t, "-IOERR error or timeout reading to target instance\r\n", replies[1][0])
		})
	}
}

// TestMigrateGoRedis moves keys of every type with go-redis between two Cinnabars, with
// their TTLs, and checks what arrived.
func TestMigrateGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, src *cinnabartest.Server, rdb *redis.Client) {
		dst := startServer(t)
		drdb := newClient(t, dst.Addr(), 2)
		_, port, _ := net.SplitHostPort(dst.Addr())
		require.NoError(t, rdb.Set(ctx, "str", "hello", time.Hour).Err())
		require.NoError(t, rdb.RPush(ctx, "list", "a", "b").Err())
		require.NoError(t, rdb.ZAdd(ctx, "zset", redis.Z{Score: 2, Member: "m"}).Err())
		for _, key := range []string{"str", "list", "zset"} {
			require.Equal(t, "OK", rdb.Migrate(ctx, "127.0.0.1", port, key, 2, time.Second).Val(), key)
		}
		assert.Equal(t, "NOKEY", rdb.Migrate(ctx, "127.0.0.1", port, "str", 2, time.Second).Val())
		assert.Equal(t, int64(0), rdb.Exists(ctx, "str", "list", "zset").Val())

		drdb.Do(ctx, "SELECT", "2")
		pipe := drdb.Pipeline()
		pipe.Do(ctx, "SELECT", "2")
		get, ttl := pipe.Get(ctx, "str"), pipe.TTL(ctx, "str")
		list, zset := pipe.LRange(ctx, "list", 0, -1), pipe.ZRangeWithScores(ctx, "zset", 0, -1)
		_, err := pipe.Exec(ctx)
		require.NoError(t, err)
		assert.Equal(t, "hello", get.Val())
		assert.InDelta(t, time.Hour.Seconds(), ttl.Val().Seconds(), 5)
		assert.Equal(t, []string{"a", "b"}, list.Val())
		assert.Equal(t, []redis.Z{{Score: 2, Member: "m"}}, zset.Val())

		// The deletion is a write: it counts for WATCH and notifies del.
		require.NoError(t, rdb.Set(ctx, "w", "1", 0).Err())
		err = rdb.Watch(ctx, func(tx *redis.Tx) error {
			require.Equal(t, "OK", rdb.Migrate(ctx, "127.0.0.1", port, "w", 2, time.Second).Val())
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error { return p.Set(ctx, "w", "2", 0).Err() })
			return err
		}, "w")
		assert.ErrorIs(t, err, redis.TxFailedErr)
	})
}
