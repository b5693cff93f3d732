package compat

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// trickyFloats are inputs on which Redis's float parsers (string2d, string2ld, and the
// bare strtod of score bounds and SORT) disagree with each other or with Go's.
var trickyFloats = []string{
	"1", "-1.5", "+1", "00012", "-0", "-0.0", "0.1", ".5", "5.", ".", "+.5", "-.5e-1",
	"1e5", "1E5", "1e", "1e+", "1e-2", "1e30",
	"inf", "+inf", "-inf", "infinity", "-Infinity", "INF", "iNfInItY", "infin",
	"nan", "NaN", "-nan", "nan(123)",
	"", " ", "\t", " 1", "1 ", "\t1", "1\t", "1\x00", "1\x002", "\x00", "\x001", "(1",
	"0x10", "0X1p3", "0x", "0x.8", "0x1.8p1", "0x1p", "0xg", "0x1_0", "0x7fffffffffffffff",
	"0x" + strings.Repeat("f", 300), "1_000", "1,5", "++1", "--1", "+-1", "1e0x",
	"123456789012345678901234567890", strings.Repeat("1", 400),
	// double range: overflow, underflow to zero, subnormals exact and inexact
	"1.5e308", "1.8e308", "-1.8e308", "1e400", "-1e400", "1e-400", "1e-310", "1e-320",
	"4.9e-324", "2e-324", "0x1p-1074", "0x1.8p-1070", "4.9406564584124654e-324",
	"2.2250738585072011e-308", "2.2250738585072014e-308", "0x1p1023", "0x1p1024",
	// long double range
	"1e4932", "1e5000", "1e-4950", "1e-4960", "1.9e-4951", "1.8e-4951",
	"0x1p-16445", "0x1p-16446", "0x1.8p-16446", "1e-99999999999", "0e99999999999",
	strings.Repeat("1", 5119), strings.Repeat("1", 5120),
	// blocking timeouts: rounded up to milliseconds, overflow reads as negative
	"-0.0001", "-0.001", "-0.0011", "0.001", "9223372036854775.807", "9223372036854775.808",
	"9223372036854775.8075", "-9223372036854775.808",
}

// floatCommands are the commands that read x as a float, each after the setup that
// makes it reach the parser (BLPOP and friends find an element, so they never block).
func floatCommands(x string) [][]string {
	return [][]string{
		{"DEL", "k"}, {"INCRBYFLOAT", "k", x},
		{"SET", "k", x}, {"INCRBYFLOAT", "k", "1"},
		{"DEL", "h"}, {"HINCRBYFLOAT", "h", "f", x},
		{"HSET", "h", "f", x}, {"HINCRBYFLOAT", "h", "f", "1"},
		{"DEL", "z"}, {"ZADD", "z", x, "m"}, {"ZSCORE", "z", "m"},
		{"DEL", "z"}, {"ZINCRBY", "z", x, "m"},
		{"DEL", "z"}, {"ZADD", "z", "1", "a", "5", "b"},
		{"ZRANGEBYSCORE", "z", x, "+inf"}, {"ZCOUNT", "z", "(" + x, x},
		{"ZRANGE", "z", "-inf", x, "BYSCORE"}, {"ZREMRANGEBYSCORE", "z", x, x},
		{"ZUNIONSTORE", "d", "1", "z", "WEIGHTS", x}, {"ZSCORE", "d", "b"},
		{"DEL", "g"}, {"GEOADD", "g", x, "0", "m"}, {"GEOADD", "g", "0", x, "n"},
		{"GEOADD", "g", "0", "0", "o"},
		{"GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", x, "m"},
		{"GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYBOX", x, "1", "km"},
		{"GEORADIUS", "g", "0", "0", x, "km"},
		{"DEL", "l"}, {"RPUSH", "l", "a", "b"}, {"BLPOP", "l", x}, {"BLMPOP", x, "1", "l", "LEFT"},
		{"DEL", "z"}, {"ZADD", "z", "1", "a"}, {"BZPOPMIN", "z", x},
		{"DEL", "l"}, {"RPUSH", "l", x, "2"}, {"SORT", "l"},
	}
}

// TestFloatInputsDiff runs every float-reading command on every tricky input against
// the reference server, in RESP2 and RESP3.
func TestFloatInputsDiff(t *testing.T) {
	var cmds [][]string
	for _, x := range trickyFloats {
		cmds = append(cmds, floatCommands(x)...)
	}
	diffBothProtocols(t, cmds...)
}

// TestFloatInputsGoRedis checks through go-redis a few inputs that strtod reads and Go's
// strconv does not, and the rounding of blocking timeouts to milliseconds.
func TestFloatInputsGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		require.Equal(t, "16", rdb.Do(ctx, "INCRBYFLOAT", "k", "0x10").Val())
		require.Equal(t, "16.5", rdb.Do(ctx, "INCRBYFLOAT", "k", "0x.8").Val())
		require.Equal(t, "3", rdb.Do(ctx, "HINCRBYFLOAT", "h", "f", "0x1.8p1").Val())
		require.EqualError(t, rdb.Do(ctx, "HINCRBYFLOAT", "h", "f", "1\x00").Err(), "ERR value is not a valid float")

		require.NoError(t, rdb.Do(ctx, "ZADD", "z", "0x10", "a", "1e-310", "b").Err())
		require.Equal(t, 16.0, rdb.ZScore(ctx, "z", "a").Val())
		require.EqualError(t, rdb.Do(ctx, "ZADD", "z", "1e-400", "c").Err(), "ERR value is not a valid float")
		require.Equal(t, []string{"b"}, rdb.ZRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "", Max: " 1"}).Val())
		require.EqualError(t, rdb.ZRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "1 ", Max: "2"}).Err(), "ERR min or max is not a float")

		require.NoError(t, rdb.RPush(ctx, "l", "1e-310", "2").Err())
		require.EqualError(t, rdb.Sort(ctx, "l", &redis.Sort{}).Err(), "ERR One or more scores can't be converted into double")

		// A tiny positive timeout waits one millisecond; a huge one reads as negative.
		start := time.Now()
		require.Equal(t, redis.Nil, rdb.Do(ctx, "BLPOP", "empty", "1e-4950").Err())
		require.Less(t, time.Since(start), 5*time.Second)
		require.EqualError(t, rdb.Do(ctx, "BLPOP", "empty", "1e400").Err(), "ERR timeout is negative")
	})
}
