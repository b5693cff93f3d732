package compat

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

func TestStringsGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
		require.Equal(t, "v", rdb.Get(ctx, "k").Val())
		require.Equal(t, redis.Nil, rdb.Get(ctx, "missing").Err())

		ok, err := rdb.SetNX(ctx, "k", "other", 0).Result()
		require.NoError(t, err)
		require.False(t, ok)
		require.True(t, rdb.SetNX(ctx, "n", "1", 0).Val())
		require.True(t, rdb.SetXX(ctx, "n", "2", 0).Val())

		old, err := rdb.SetArgs(ctx, "k", "v2", redis.SetArgs{Get: true}).Result()
		require.NoError(t, err)
		require.Equal(t, "v", old)
		require.Equal(t, "v2", rdb.GetSet(ctx, "k", "v3").Val())
		require.Equal(t, "v3", rdb.GetDel(ctx, "k").Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "k").Val())

		require.NoError(t, rdb.SetEx(ctx, "ttl", "x", 10*time.Second).Err())
		require.InDelta(t, 10*time.Second, rdb.TTL(ctx, "ttl").Val(), float64(time.Second))
		require.Equal(t, "x", rdb.GetEx(ctx, "ttl", 0).Val())
		require.Equal(t, "x", rdb.GetEx(ctx, "ttl", time.Minute).Val())
		require.InDelta(t, time.Minute, rdb.TTL(ctx, "ttl").Val(), float64(time.Second))
		require.NoError(t, rdb.Do(ctx, "GETEX", "ttl", "PERSIST").Err())
		require.Equal(t, time.Duration(-1), rdb.TTL(ctx, "ttl").Val())

		require.NoError(t, rdb.MSet(ctx, "a", "1", "b", "2").Err())
		require.Equal(t, []any{"1", "2", nil}, rdb.MGet(ctx, "a", "b", "c").Val())
		require.False(t, rdb.MSetNX(ctx, "a", "x", "c", "3").Val())
		require.True(t, rdb.MSetNX(ctx, "c", "3", "d", "4").Val())

		require.Equal(t, int64(2), rdb.Incr(ctx, "a").Val())
		require.Equal(t, int64(12), rdb.IncrBy(ctx, "a", 10).Val())
		require.Equal(t, int64(11), rdb.Decr(ctx, "a").Val())
		require.Equal(t, int64(1), rdb.DecrBy(ctx, "a", 10).Val())
		require.Equal(t, 1.5, rdb.IncrByFloat(ctx, "a", 0.5).Val())
		require.Error(t, rdb.Incr(ctx, "a").Err())

		require.Equal(t, int64(5), rdb.Append(ctx, "s", "hello").Val())
		require.Equal(t, int64(11), rdb.Append(ctx, "s", " world").Val())
		require.Equal(t, int64(11), rdb.StrLen(ctx, "s").Val())
		require.Equal(t, "world", rdb.GetRange(ctx, "s", -5, -1).Val())
		require.Equal(t, int64(11), rdb.SetRange(ctx, "s", 6, "WORLD").Val())
		require.Equal(t, "hello WORLD", rdb.Get(ctx, "s").Val())
		require.Equal(t, int64(13), rdb.SetRange(ctx, "pad", 10, "abc").Val())
		require.Equal(t, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00abc", rdb.Get(ctx, "pad").Val())
	})
}

func TestStringsDifferential(t *testing.T) {
	diffScript(t, `
		SET k v
		GET k
		SET k v2 NX
		SET k v2 XX GET
		SET k v3 NX GET
		SET nx v NX GET
		SET k v EX 0
		SET k v EX -1
		SET k v EX abc
		SET k v EX 10 PX 10
		SET k v KEEPTTL EX 10
		SET k v NX XX
		SET k v PX 9223372036854775807
		SET k v EXAT 9223372036854775
		SET k v FOO
		SET k
		GETSET k new
		GETSET nokey new
		GETDEL k
		GETDEL k
		GETEX nokey EX 10
		GETEX nokey FOO
		SET k v
		GETEX k EX 0
		GETEX k PERSIST EX 10
		GETEX k PXAT 1
		EXISTS k
		SETNX a 1
		SETNX a 2
		SETEX a 0 v
		SETEX a -5 v
		SETEX a x v
		PSETEX a 0 v
		MSET a 1 b 2 c
		MSET a 1 b 2
		MGET a b nokey
		MSETNX a 1 z 2
		MSETNX y 1 z 2
		INCR a
		INCRBY a 100
		INCRBY a -1000
		DECR a
		DECRBY a 5
		DECRBY a -9223372036854775808
		INCRBY a 9223372036854775807
		SET big 9223372036854775807
		INCR big
		SET small -9223372036854775808
		DECR small
		SET f 1.5
		INCR f
		INCRBY a 1.5
		INCRBY a 99999999999999999999
		SET sp " 1"
		INCR sp
		SET plus +1
		INCR plus
		SET lz 01
		INCR lz
		INCRBYFLOAT f 0.1
		INCRBYFLOAT f -1.6
		INCRBYFLOAT f 1e3
		INCRBYFLOAT f 5.0e3
		INCRBYFLOAT f abc
		INCRBYFLOAT f inf
		INCRBYFLOAT newf 0.1
		INCRBYFLOAT newf 0.2
		SET hugef 1e308
		INCRBYFLOAT hugef 1e308
		INCRBYFLOAT newf 3
		APPEND s hello
		APPEND s " world"
		STRLEN s
		STRLEN nokey
		GETRANGE s 0 4
		GETRANGE s -5 -1
		GETRANGE s 5 1
		GETRANGE s -1 -5
		GETRANGE s 0 100
		GETRANGE s 100 200
		GETRANGE nokey 0 -1
		GETRANGE s x 1
		SUBSTR s 1 3
		SETRANGE s 0 J
		SETRANGE s -1 x
		SETRANGE s 20 x
		GET s
		SETRANGE new 0 ""
		EXISTS new
		SETRANGE s 0 ""
		SETRANGE s 536870912 x
		OBJECT ENCODING s
		SET num 123
		OBJECT ENCODING num
		SET num 0123
		OBJECT ENCODING num
		SET str abc
		OBJECT ENCODING str
		SET long 012345678901234567890123456789012345678901234567890
		OBJECT ENCODING long
		INCR num2
		OBJECT ENCODING num2
		INCRBYFLOAT fl 1
		OBJECT ENCODING fl
		APPEND app 1
		OBJECT ENCODING app
		SET num 100
		OBJECT REFCOUNT num
		SET num 10000
		OBJECT REFCOUNT num
		GET
		GETRANGE s 0
	`)
}

// TestIncrByFloatInfinities covers infinite operands (inf + -inf once crashed the server).
func TestIncrByFloatInfinities(t *testing.T) {
	diffScript(t, `
		SET f -inf
		INCRBYFLOAT f +inf
		INCRBYFLOAT f 1
		SET g 1
		INCRBYFLOAT g -inf
		PING
	`)
}
