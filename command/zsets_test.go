package command

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// The replies below were recorded from Redis 7.0.15.
func TestZSetScenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{"zadd flags and replies", [][]string{
			{"ZADD", "z", "1", "a", "2", "b", "3.5", "c", ":3\r\n"},
			{"ZADD", "z", "1", "a", ":0\r\n"},
			{"ZADD", "z", "CH", "1", "a", "5", "b", ":1\r\n"},
			{"ZADD", "z", "NX", "10", "a", "10", "d", ":1\r\n"},
			{"ZADD", "z", "XX", "11", "a", "11", "e", ":0\r\n"},
			{"ZADD", "z", "GT", "CH", "100", "a", "1", "b", ":1\r\n"},
			{"ZADD", "z", "LT", "CH", "50", "a", "0", "new", ":2\r\n"},
			{"ZADD", "z", "INCR", "5", "a", "$2\r\n55\r\n"},
			{"ZADD", "z", "NX", "INCR", "5", "a", "$-1\r\n"},
			{"ZADD", "z", "XX", "INCR", "5", "nosuch", "$-1\r\n"},
			{"ZADD", "z", "GT", "INCR", "-1", "a", "$-1\r\n"},
			{"ZADD", "z", "NX", "XX", "1", "a", "-ERR XX and NX options at the same time are not compatible\r\n"},
			{"ZADD", "z", "GT", "LT", "1", "a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"},
			{"ZADD", "z", "NX", "GT", "1", "a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"},
			{"ZADD", "z", "INCR", "1", "a", "2", "b", "-ERR INCR option supports a single increment-element pair\r\n"},
			{"ZADD", "z", "1", "a", "2", "-ERR syntax error\r\n"},
			{"ZADD", "z", "x", "a", "-ERR value is not a valid float\r\n"},
			{"ZADD", "z", "nan", "a", "-ERR value is not a valid float\r\n"},
			{"ZADD", "z", "1e400", "a", "-ERR value is not a valid float\r\n"},
			{"ZADD", "z", "0x10", "hex", ":1\r\n"},
			{"ZADD", "z", "inf", "pinf", ":1\r\n"},
			{"ZADD", "z", "INCR", "-inf", "pinf", "-ERR resulting score is not a number (NaN)\r\n"},
			{"ZINCRBY", "z", "2.5", "b", "$3\r\n7.5\r\n"},
			{"ZINCRBY", "z", "x", "b", "-ERR value is not a valid float\r\n"},
			{"ZADD", "nokey", "XX", "1", "a", ":0\r\n"},
			{"EXISTS", "nokey", ":0\r\n"},
			{"ZRANGE", "z", "0", "-1", "WITHSCORES", "*14\r\n$3\r\nnew\r\n$1\r\n0\r\n$1\r\nc\r\n$3\r\n3.5\r\n$1\r\nb\r\n$3\r\n7.5\r\n$1\r\nd\r\n$2\r\n10\r\n$3\r\nhex\r\n$2\r\n16\r\n$1\r\na\r\n$2\r\n55\r\n$4\r\npinf\r\n$3\r\ninf\r\n"},
			{"SET", "s", "x", "+OK\r\n"},
			{"ZADD", "s", "1", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"ZINCRBY", "s", "1", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		}},
		{"reads", [][]string{
			{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", ":5\r\n"},
			{"ZCARD", "z", ":5\r\n"},
			{"ZCARD", "nokey", ":0\r\n"},
			{"ZSCORE", "z", "c", "$1\r\n3\r\n"},
			{"ZSCORE", "z", "nope", "$-1\r\n"},
			{"ZMSCORE", "z", "a", "nope", "e", "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n5\r\n"},
			{"ZMSCORE", "nokey", "a", "*1\r\n$-1\r\n"},
			{"ZRANK", "z", "c", ":2\r\n"},
			{"ZREVRANK", "z", "c", ":2\r\n"},
			{"ZRANK", "z", "nope", "$-1\r\n"},
			{"ZCOUNT", "z", "(1", "3", ":2\r\n"},
			{"ZCOUNT", "z", "-inf", "+inf", ":5\r\n"},
			{"ZCOUNT", "z", "3", "1", ":0\r\n"},
			{"ZCOUNT", "z", "x", "1", "-ERR min or max is not a float\r\n"},
			{"ZCOUNT", "z", "", "1", ":1\r\n"},
			{"ZCOUNT", "z", " 1", "2", ":2\r\n"},
			{"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", ":4\r\n"},
			{"ZLEXCOUNT", "l", "[b", "+", ":3\r\n"},
			{"ZLEXCOUNT", "l", "(a", "(d", ":2\r\n"},
			{"ZLEXCOUNT", "l", "+", "-", ":0\r\n"},
			{"ZLEXCOUNT", "l", "x", "+", "-ERR min or max not valid string range item\r\n"},
		}},
		{"ranges", [][]string{
			{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", ":5\r\n"},
			{"ZRANGE", "z", "0", "-1", "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"},
			{"ZRANGE", "z", "1", "2", "WITHSCORES", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
			{"ZRANGE", "z", "-2", "-1", "REV", "*2\r\n$1\r\nb\r\n$1\r\na\r\n"},
			{"ZRANGE", "z", "3", "1", "*0\r\n"},
			{"ZRANGE", "z", "(1", "4", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES", "*4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
			{"ZRANGE", "z", "4", "(1", "BYSCORE", "REV", "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n"},
			{"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"},
			{"ZRANGE", "z", "a", "b", "BYLEX", "WITHSCORES", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"},
			{"ZRANGE", "z", "0", "-1", "REV", "REV", "-ERR syntax error\r\n"},
			{"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2", "*0\r\n"},
			{"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "-1", "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"},
			{"ZRANGEBYSCORE", "z", "1", "2", "REV", "-ERR syntax error\r\n"},
			{"ZREVRANGEBYSCORE", "z", "4", "2", "WITHSCORES", "*6\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n"},
			{"ZREVRANGE", "z", "0", "1", "WITHSCORES", "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n"},
			{"ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", ":4\r\n"},
			{"ZRANGEBYLEX", "l", "[b", "(d", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"},
			{"ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", "1", "2", "*2\r\n$1\r\nc\r\n$1\r\nb\r\n"},
			{"ZRANGEBYLEX", "l", "-", "+", "WITHSCORES", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"},
			{"ZRANGESTORE", "d", "z", "1", "3", ":3\r\n"},
			{"ZRANGE", "d", "0", "-1", "WITHSCORES", "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"},
			{"ZRANGESTORE", "d", "z", "10", "20", ":0\r\n"},
			{"EXISTS", "d", ":0\r\n"},
			{"ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES", "-ERR syntax error\r\n"},
		}},
		{"removal and pops", [][]string{
			{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f", ":6\r\n"},
			{"ZREM", "z", "a", "nope", ":1\r\n"},
			{"ZREMRANGEBYRANK", "z", "0", "0", ":1\r\n"},
			{"ZREMRANGEBYSCORE", "z", "(3", "4", ":1\r\n"},
			{"ZREMRANGEBYLEX", "z", "[e", "[f", ":2\r\n"},
			{"ZRANGE", "z", "0", "-1", "*1\r\n$1\r\nc\r\n"},
			{"ZPOPMIN", "z", "*2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
			{"ZPOPMAX", "z", "5", "*0\r\n"},
			{"EXISTS", "z", ":0\r\n"},
			{"ZPOPMIN", "z", "*0\r\n"},
			{"ZPOPMIN", "z", "-1", "-ERR value is out of range, must be positive\r\n"},
			{"ZADD", "z", "1", "a", "2", "b", "3", "c", ":3\r\n"},
			{"ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "2", "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
			{"ZMPOP", "1", "z", "MIN", "COUNT", "0", "-ERR count should be greater than 0\r\n"},
			{"ZMPOP", "0", "z", "MIN", "-ERR numkeys should be greater than 0\r\n"},
			{"ZMPOP", "2", "z", "MIN", "-ERR syntax error\r\n"},
			{"ZMPOP", "1", "nokey", "MIN", "*-1\r\n"},
			{"ZADD", "z", "1", "a", "2", "b", ":1\r\n"},
			{"BZPOPMIN", "nokey", "z", "0", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{"BZMPOP", "0", "1", "z", "MIN", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
			{"BZPOPMIN", "z", "x", "-ERR timeout is not a float or out of range\r\n"},
		}},
		{"set operations", [][]string{
			{"ZADD", "z1", "1", "a", "2", "b", "3", "c", ":3\r\n"},
			{"ZADD", "z2", "10", "b", "20", "c", "30", "d", ":3\r\n"},
			{"SADD", "s1", "a", "d", ":2\r\n"},
			{"ZUNION", "2", "z1", "z2", "WITHSCORES", "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n30\r\n"},
			{"ZUNION", "3", "z1", "z2", "s1", "WEIGHTS", "1", "2", "3", "AGGREGATE", "MAX", "WITHSCORES", "*8\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$2\r\n20\r\n$1\r\nc\r\n$2\r\n40\r\n$1\r\nd\r\n$2\r\n60\r\n"},
			{"ZINTER", "2", "z1", "z2", "AGGREGATE", "MIN", "WITHSCORES", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
			{"ZDIFF", "2", "z1", "z2", "WITHSCORES", "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{"ZINTERCARD", "2", "z1", "z2", "LIMIT", "1", ":1\r\n"},
			{"ZUNIONSTORE", "d", "2", "z1", "z2", ":4\r\n"},
			{"ZINTERSTORE", "d", "2", "z1", "z2", "WEIGHTS", "1", "-1", ":2\r\n"},
			{"ZRANGE", "d", "0", "-1", "WITHSCORES", "*4\r\n$1\r\nc\r\n$3\r\n-17\r\n$1\r\nb\r\n$2\r\n-8\r\n"},
			{"ZDIFFSTORE", "d", "2", "z1", "z1", ":0\r\n"},
			{"EXISTS", "d", ":0\r\n"},
			{"ZUNION", "0", "z1", "-ERR at least 1 input key is needed for 'zunion' command\r\n"},
			{"ZUNION", "2", "z1", "-ERR syntax error\r\n"},
			{"ZUNION", "1", "z1", "WEIGHTS", "x", "-ERR weight value is not a float\r\n"},
			{"ZDIFF", "1", "z1", "WEIGHTS", "1", "-ERR syntax error\r\n"},
			{"ZINTERCARD", "1", "z1", "LIMIT", "-1", "-ERR LIMIT can't be negative\r\n"},
			{"SET", "str", "x", "+OK\r\n"},
			{"ZUNION", "2", "z1", "str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		}},
		{"random and scan", [][]string{
			{"ZADD", "z", "1", "a", "2", "b", "3", "c", ":3\r\n"},
			{"ZRANDMEMBER", "z", "0", "*0\r\n"},
			{"ZRANDMEMBER", "z", "5", "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"},
			{"ZRANDMEMBER", "z", "5", "WITHSCORES", "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{"ZRANDMEMBER", "z", "-9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
			{"ZRANDMEMBER", "z", "1", "foo", "-ERR syntax error\r\n"},
			{"ZRANDMEMBER", "nokey", "$-1\r\n"},
			{"ZSCAN", "z", "0", "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
			{"ZSCAN", "z", "0", "MATCH", "b*", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
			{"ZSCAN", "z", "x", "-ERR invalid cursor\r\n"},
			{"ZSCAN", "nokey", "0", "COUNT", "0", "*2\r\n$1\r\n0\r\n*0\r\n"},
			{"ZADD", "f", "0.1", "x", "-0", "y", ":2\r\n"},
			{"ZSCAN", "f", "0", "*2\r\n$1\r\n0\r\n*4\r\n$1\r\ny\r\n$1\r\n0\r\n$1\r\nx\r\n$19\r\n0.10000000000000001\r\n"},
		}},
	})
}

// zRunCtx runs one command and returns its reply, its error and the context (for
// Blocked).
func zRunCtx(t *testing.T, ks *store.Keyspace, proto int, noBlock bool, args ...string) (string, error, *Ctx) {
	t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	spec, err := table().Lookup(argv)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	c := &Ctx{Args: argv, Spec: spec, W: &resp.Writer{Proto: proto}, KS: ks, DB: ks.DB(0), NoBlock: noBlock}
	err = spec.Do(c)
	return string(c.W.Bytes()), err, c
}

func TestZSetRESP3Shapes(t *testing.T) {
	ks := newKS()
	run(t, ks, "ZADD", "z", "1", "a", "2", "b", "3.5", "c")
	for _, c := range [][]string{
		{"ZRANGE", "z", "0", "1", "WITHSCORES", "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
		{"ZSCORE", "z", "c", ",3.5\r\n"},
		{"ZMSCORE", "z", "a", "nope", "*2\r\n,1\r\n_\r\n"},
		{"ZSCORE", "z", "nope", "_\r\n"},
		{"ZINCRBY", "z", "0", "a", ",1\r\n"},
		{"ZADD", "z", "NX", "INCR", "1", "a", "_\r\n"},
		{"ZRANDMEMBER", "z", "5", "WITHSCORES", "*3\r\n*2\r\n$1\r\nc\r\n,3.5\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n"},
		{"ZUNION", "1", "z", "WITHSCORES", "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3.5\r\n"},
		{"ZSCAN", "z", "0", "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$3\r\n3.5\r\n"},
		{"ZPOPMIN", "z", "*2\r\n$1\r\na\r\n,1\r\n"},
		{"ZPOPMIN", "z", "1", "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
		{"ZPOPMIN", "nokey", "*0\r\n"},
		{"ZMPOP", "1", "z", "MAX", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3.5\r\n"},
		{"ZMPOP", "1", "z", "MAX", "_\r\n"},
	} {
		if got := run3(t, ks, c[:len(c)-1]...); got != c[len(c)-1] {
			t.Errorf("%q = %q, want %q", c[:len(c)-1], got, c[len(c)-1])
		}
	}
}

func TestZSetBlocking(t *testing.T) {
	ks := newKS()
	now := ks.Clock.UnixMilli()
	for _, tc := range []struct {
		args []string
		keys string
	}{
		{[]string{"BZPOPMIN", "a", "b", "0"}, "a b"},
		{[]string{"BZPOPMAX", "a", "1.5"}, "a"},
		{[]string{"BZMPOP", "0", "2", "a", "b", "MIN", "COUNT", "3"}, "a b"},
	} {
		out, err, c := zRunCtx(t, ks, 2, false, tc.args...)
		if !errors.Is(err, ErrBlock) || out != "" || c.Blocked == nil {
			t.Fatalf("%q: err %v, reply %q, blocked %v", tc.args, err, out, c.Blocked)
		}
		var keys []string
		for _, k := range c.Blocked.Keys {
			keys = append(keys, string(k))
		}
		if strings.Join(keys, " ") != tc.keys {
			t.Errorf("%q blocks on %q", tc.args, keys)
		}
		if tc.args[0] == "BZPOPMAX" && (c.Blocked.Deadline < now+1500 || c.Blocked.Deadline > now+2500) {
			t.Errorf("deadline %d, now %d", c.Blocked.Deadline, now)
		}
		w := &resp.Writer{}
		c.Blocked.OnTimeout(w)
		if string(w.Bytes()) != "*-1\r\n" {
			t.Errorf("timeout reply %q", w.Bytes())
		}
		// Where blocking is not allowed (MULTI, scripts) the timeout reply comes at once.
		out, err, c = zRunCtx(t, ks, 2, true, tc.args...)
		if err != nil || out != "*-1\r\n" || c.Blocked != nil {
			t.Errorf("%q without blocking: %q %v", tc.args, out, err)
		}
	}
	// Woken by a change to b, the command serves b first.
	run(t, ks, "ZADD", "a", "1", "x")
	run(t, ks, "ZADD", "b", "2", "y")
	argv := [][]byte{[]byte("BZPOPMIN"), []byte("a"), []byte("b"), []byte("0")}
	spec, _ := table().Lookup(argv)
	c := &Ctx{Args: argv, Spec: spec, W: &resp.Writer{}, KS: ks, DB: ks.DB(0), ReadyKey: []byte("b")}
	if err := spec.Do(c); err != nil || string(c.W.Bytes()) != "*3\r\n$1\r\nb\r\n$1\r\ny\r\n$1\r\n2\r\n" {
		t.Fatalf("ready key: %q %v", c.W.Bytes(), err)
	}
}

func TestZSetKeysFunc(t *testing.T) {
	keys := func(args ...string) []int {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		spec, err := table().Lookup(argv)
		if err != nil {
			t.Fatal(err)
		}
		return spec.KeyIndexes(argv)
	}
	for _, c := range []struct {
		args []string
		want []int
	}{
		{[]string{"ZUNION", "2", "a", "b", "WEIGHTS", "1", "2"}, []int{2, 3}},
		{[]string{"ZUNION", "3", "a", "b"}, nil},
		{[]string{"ZUNION", "x", "a"}, nil},
		{[]string{"ZUNIONSTORE", "d", "2", "a", "b"}, []int{1, 3, 4}},
		{[]string{"ZINTERSTORE", "d", "0", "a"}, []int{1}},
		{[]string{"ZDIFFSTORE", "d", "1", "a"}, []int{1, 3}},
		{[]string{"ZINTERCARD", "2", "a", "b", "LIMIT", "1"}, []int{2, 3}},
		{[]string{"ZMPOP", "2", "a", "b", "MIN"}, []int{2, 3}},
		{[]string{"BZMPOP", "0", "1", "a", "MIN"}, []int{3}},
		{[]string{"BZPOPMIN", "a", "b", "0"}, []int{1, 2}},
		{[]string{"ZRANGESTORE", "d", "s", "0", "-1"}, []int{1, 2}},
		{[]string{"GEORADIUS", "g", "1", "2", "3", "km", "STORE", "d"}, []int{1, 7}},
		{[]string{"GEORADIUS", "g", "1", "2", "3", "km", "STORE", "d", "STOREDIST", "e"}, []int{1, 7, 9}},
		{[]string{"GEORADIUSBYMEMBER", "g", "m", "3", "km", "STOREDIST", "d"}, []int{1, 6}},
		{[]string{"GEORADIUS", "g", "1", "2", "3", "km"}, []int{1}},
		{[]string{"GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m", "BYRADIUS", "1", "m"}, []int{1, 2}},
	} {
		if got := keys(c.args...); !slices.Equal(got, c.want) {
			t.Errorf("%q keys = %v, want %v", c.args, got, c.want)
		}
	}
}

func TestZSetEncodings(t *testing.T) {
	ks := newKS()
	ks.Limits.ZSetMaxListpackEntries.Store(3)
	ks.Limits.ZSetMaxListpackValue.Store(5)
	expect(t, ks,
		[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c", ":3\r\n"},
		[]string{"OBJECT", "ENCODING", "z", "$8\r\nlistpack\r\n"},
		[]string{"ZADD", "z", "4", "d", ":1\r\n"},
		[]string{"OBJECT", "ENCODING", "z", "$8\r\nskiplist\r\n"},
		[]string{"ZREMRANGEBYRANK", "z", "0", "2", ":3\r\n"},
		[]string{"OBJECT", "ENCODING", "z", "$8\r\nskiplist\r\n"},
		[]string{"ZADD", "long", "1", "abcdef", ":1\r\n"},
		[]string{"OBJECT", "ENCODING", "long", "$8\r\nskiplist\r\n"},
		[]string{"ZUNIONSTORE", "u", "1", "z", ":1\r\n"},
		[]string{"OBJECT", "ENCODING", "u", "$8\r\nlistpack\r\n"},
		// A listpack keeps scores as text, where -0 reads back as 0; a skiplist keeps -0.
		[]string{"ZADD", "n", "-0", "a", ":1\r\n"},
		[]string{"ZSCORE", "n", "a", "$1\r\n0\r\n"},
		[]string{"ZADD", "long", "-0", "b", ":1\r\n"},
		[]string{"ZSCORE", "long", "b", "$2\r\n-0\r\n"},
	)
	// A big set through the command layer: ranks, ranges and removal stay consistent.
	big := newKS()
	args := []string{"ZADD", "big"}
	for i := 0; i < 1000; i++ {
		args = append(args, strconv.Itoa(i%10), "m"+strconv.Itoa(i))
	}
	expect(t, big,
		append(args, ":1000\r\n"),
		[]string{"ZCOUNT", "big", "3", "(5", ":200\r\n"},
		[]string{"ZRANK", "big", "m999", ":999\r\n"},
		[]string{"ZRANGE", "big", "100", "101", "*2\r\n$2\r\nm1\r\n$4\r\nm101\r\n"},
		[]string{"ZREMRANGEBYSCORE", "big", "-inf", "(9", ":900\r\n"},
		[]string{"ZCARD", "big", ":100\r\n"},
		[]string{"ZRANGE", "big", "0", "0", "WITHSCORES", "*2\r\n$4\r\nm109\r\n$1\r\n9\r\n"},
	)
}
