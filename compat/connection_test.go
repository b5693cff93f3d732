package compat

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

func TestConnectionGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.Equal(t, "PONG", rdb.Ping(ctx).Val())
		require.Equal(t, "hi", rdb.Echo(ctx, "hi").Val())
		require.NoError(t, rdb.Do(ctx, "CLIENT", "SETNAME", "worker-1").Err())
		require.Equal(t, "worker-1", rdb.ClientGetName(ctx).Val())
		id := rdb.ClientID(ctx).Val()
		require.Positive(t, id)
		list := rdb.ClientList(ctx).Val()
		require.Contains(t, list, "name=worker-1")
		require.Contains(t, list, "lib-name=go-redis")
	})
}

// TestHello3 checks that go-redis's RESP3 handshake gets RESP3 shapes back.
func TestHello3(t *testing.T) {
	srv := startServer(t)
	raw := dialRaw(t, srv.Addr())
	reply := raw.Do(t, "HELLO", "3")
	require.True(t, strings.HasPrefix(reply, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n"), reply)
	require.Equal(t, "_\r\n", raw.Do(t, "GET", "nokey"))
	require.Equal(t, "+OK\r\n", raw.Do(t, "CLIENT", "SETINFO", "LIB-NAME", "mylib"))
	require.Equal(t, "-ERR Unrecognized option 'foo'\r\n", raw.Do(t, "CLIENT", "SETINFO", "foo", "bar"))
	require.True(t, strings.HasPrefix(raw.Do(t, "HELLO", "2"), "*14\r\n"))
	require.Equal(t, "$-1\r\n", raw.Do(t, "GET", "nokey"))
}

func TestAuth(t *testing.T) {
	srv := startServer(t, cinnabartest.WithPassword("s3cret"))
	raw := dialRaw(t, srv.Addr())
	require.Equal(t, "-NOAUTH Authentication required.\r\n", raw.Do(t, "GET", "k"))
	require.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", raw.Do(t, "AUTH", "nope"))
	require.Equal(t, "+OK\r\n", raw.Do(t, "AUTH", "s3cret"))
	require.Equal(t, "$-1\r\n", raw.Do(t, "GET", "k"))

	good := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: "s3cret"})
	defer good.Close()
	require.NoError(t, good.Set(ctx, "k", "v", 0).Err())
	bad := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: "wrong", MaxRetries: -1})
	defer bad.Close()
	require.ErrorContains(t, bad.Get(ctx, "k").Err(), "WRONGPASS")
}

func TestConnectionDifferential(t *testing.T) {
	diffScript(t, `
		PING
		PING hello
		PING a b
		ECHO x
		ECHO
		SELECT 1
		SET k db1
		SELECT 0
		GET k
		SELECT 16
		SELECT -1
		SELECT x
		HELLO 4
		HELLO x
		HELLO 2 FOO
		AUTH foo
		NOSUCHCOMMAND a b
		nosuchcommand
		GET a b
		CLIENT NOSUCH
		CLIENT SETNAME a\sb
		CLIENT SETNAME ok
		CLIENT GETNAME
		CLIENT SETNAME
		CONFIG GET maxmemory
		CONFIG GET maxmemory-policy
		CONFIG SET foo bar
		CONFIG GET
		COMMAND INFO get nosuch
		COMMAND GETKEYS get a
		COMMAND GETKEYS mset a 1 b 2
		COMMAND GETKEYS nosuch a
		COMMAND GETKEYS get
		COMMAND GETKEYS ping
		COMMAND FOO
		RESET
	`)
}

// TestQuit checks that QUIT replies before the connection closes.
func TestQuit(t *testing.T) {
	srv := startServer(t)
	raw := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", raw.Do(t, "QUIT"))
	_, err := raw.r.ReadByte()
	require.Error(t, err)
}

// TestGetKeysWithoutMandatoryKeys: commands whose keys are optional report none
// instead of an error.
func TestGetKeysWithoutMandatoryKeys(t *testing.T) {
	diffScript(t, `
		COMMAND GETKEYS EVAL return\s1 0
		COMMAND GETKEYS EVAL return\s1 1 k
		COMMAND GETKEYS GET k
	`)
}

// TestGetKeysAndFlagsScripts: a script may do anything with its keys, so EVAL,
// EVALSHA and FCALL declare them read-write; the _RO variants read-only.
func TestGetKeysAndFlagsScripts(t *testing.T) {
	diffBothProtocols(t,
		[]string{"COMMAND", "GETKEYSANDFLAGS", "EVAL", "return 1", "2", "a", "b"},
		[]string{"COMMAND", "GETKEYSANDFLAGS", "EVAL", "return 1", "0"},
		[]string{"COMMAND", "GETKEYSANDFLAGS", "EVALSHA", "abc", "1", "a"},
		[]string{"COMMAND", "GETKEYSANDFLAGS", "FCALL", "f", "1", "a"},
		[]string{"COMMAND", "GETKEYSANDFLAGS", "EVAL_RO", "return 1", "1", "a"},
		[]string{"COMMAND", "GETKEYSANDFLAGS", "EVALSHA_RO", "abc", "1", "a"},
		[]string{"COMMAND", "GETKEYSANDFLAGS", "FCALL_RO", "f", "1", "a"},
		[]string{"COMMAND", "GETKEYSANDFLAGS", "GET", "a"},
	)
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		got, err := rdb.CommandGetKeysAndFlags(ctx, "eval", "return 1", "1", "k").Result()
		require.NoError(t, err)
		require.Equal(t, []redis.KeyFlags{{Key: "k", Flags: []string{"RW", "access", "update"}}}, got)
		got, err = rdb.CommandGetKeysAndFlags(ctx, "fcall_ro", "f", "1", "k").Result()
		require.NoError(t, err)
		require.Equal(t, []redis.KeyFlags{{Key: "k", Flags: []string{"RO", "access"}}}, got)
	})
}
