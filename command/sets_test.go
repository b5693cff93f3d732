package command

import (
	"strings"
	"testing"
)

const hsWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

// The replies below were checked against Redis 7.0.15.
func TestSetCommands(t *testing.T) {
	runScenarios(t, []scenario{
		{"add and query", [][]string{
			{"SADD", "s", "3", "1", "2", "1", ":3\r\n"},
			{"SADD", "s", "2", ":0\r\n"},
			{"SMEMBERS", "s", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"},
			{"OBJECT", "ENCODING", "s", "$6\r\nintset\r\n"},
			{"SISMEMBER", "s", "1", ":1\r\n"},
			{"SISMEMBER", "s", "01", ":0\r\n"},
			{"SISMEMBER", "nokey", "1", ":0\r\n"},
			{"SMISMEMBER", "s", "1", "x", "3", "*3\r\n:1\r\n:0\r\n:1\r\n"},
			{"SMISMEMBER", "nokey", "1", "*1\r\n:0\r\n"},
			{"SCARD", "s", ":3\r\n"},
			{"SCARD", "nokey", ":0\r\n"},
			{"SMEMBERS", "nokey", "*0\r\n"},
			{"SADD", "s", "x", ":1\r\n"},
			{"OBJECT", "ENCODING", "s", "$9\r\nhashtable\r\n"},
			{"SREM", "s", "x", "1", "nope", ":2\r\n"},
			{"SREM", "nokey", "1", ":0\r\n"},
			{"SREM", "s", "2", "3", ":2\r\n"},
			{"EXISTS", "s", ":0\r\n"},
			{"SADD", "e", "-0", ":1\r\n"},
			{"OBJECT", "ENCODING", "e", "$9\r\nhashtable\r\n"},
		}},
		{"wrong type", [][]string{
			{"SET", "str", "v", "+OK\r\n"},
			{"SADD", "str", "a", hsWrongType},
			{"SREM", "str", "a", hsWrongType},
			{"SMEMBERS", "str", hsWrongType},
			{"SISMEMBER", "str", "a", hsWrongType},
			{"SMISMEMBER", "str", "a", hsWrongType},
			{"SCARD", "str", hsWrongType},
			{"SPOP", "str", hsWrongType},
			{"SPOP", "str", "-1", "-ERR value is out of range, must be positive\r\n"},
			{"SRANDMEMBER", "str", "1", hsWrongType},
			{"SINTER", "nokey", "str", hsWrongType},
			{"SUNION", "nokey", "str", hsWrongType},
			{"SDIFF", "nokey", "str", hsWrongType},
			{"SDIFFSTORE", "d", "nokey", "str", hsWrongType},
			{"SINTERCARD", "2", "nokey", "str", hsWrongType},
			{"SSCAN", "str", "0", "COUNT", "0", hsWrongType},
			{"SADD", "s", "1", ":1\r\n"},
			{"SMOVE", "str", "s", "1", hsWrongType},
			{"SMOVE", "s", "str", "1", hsWrongType},
			{"SMOVE", "nokey", "str", "1", ":0\r\n"},
		}},
		{"smove", [][]string{
			{"SADD", "s", "1", "2", ":2\r\n"},
			{"SMOVE", "s", "s", "1", ":1\r\n"},
			{"SMOVE", "s", "s", "9", ":0\r\n"},
			{"SMOVE", "s", "d", "9", ":0\r\n"},
			{"SMOVE", "s", "d", "1", ":1\r\n"},
			{"SADD", "d", "2", ":1\r\n"},
			{"SMOVE", "s", "d", "2", ":1\r\n"},
			{"EXISTS", "s", ":0\r\n"},
			{"SMEMBERS", "d", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		}},
		{"algebra", [][]string{
			{"SADD", "a", "1", "2", "3", "4", "5", ":5\r\n"},
			{"SADD", "b", "4", "5", "6", "7", ":4\r\n"},
			{"SADD", "c", "5", "7", "9", ":3\r\n"},
			{"SINTER", "a", "b", "*2\r\n$1\r\n4\r\n$1\r\n5\r\n"},
			{"SINTER", "a", "b", "c", "*1\r\n$1\r\n5\r\n"},
			{"SINTER", "a", "nokey", "*0\r\n"},
			{"SUNION", "a", "b", "c", "nokey", "*8\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n9\r\n"},
			{"SDIFF", "a", "b", "c", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"},
			{"SDIFF", "nokey", "a", "*0\r\n"},
			{"SDIFF", "a", "a", "*0\r\n"},
			{"SINTERSTORE", "d", "a", "b", ":2\r\n"},
			{"SMEMBERS", "d", "*2\r\n$1\r\n4\r\n$1\r\n5\r\n"},
			{"SINTERSTORE", "d", "a", "nokey", ":0\r\n"},
			{"EXISTS", "d", ":0\r\n"},
			{"SET", "d", "v", "+OK\r\n"},
			{"SUNIONSTORE", "d", "c", ":3\r\n"},
			{"TYPE", "d", "+set\r\n"},
			{"SDIFFSTORE", "d", "a", "b", ":3\r\n"},
			{"SDIFFSTORE", "d", "a", "a", ":0\r\n"},
			{"EXISTS", "d", ":0\r\n"},
			{"SINTERCARD", "2", "a", "b", ":2\r\n"},
			{"SINTERCARD", "2", "a", "b", "LIMIT", "1", ":1\r\n"},
			{"SINTERCARD", "1", "a", "LIMIT", "0", ":5\r\n"},
			{"SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "3", ":3\r\n"},
			{"SINTERCARD", "2", "a", "nokey", ":0\r\n"},
			{"SINTERCARD", "0", "a", "-ERR numkeys should be greater than 0\r\n"},
			{"SINTERCARD", "x", "a", "-ERR numkeys should be greater than 0\r\n"},
			{"SINTERCARD", "2", "a", "-ERR Number of keys can't be greater than number of args\r\n"},
			{"SINTERCARD", "1", "a", "LIMIT", "-1", "-ERR LIMIT can't be negative\r\n"},
			{"SINTERCARD", "1", "a", "LIMIT", "-ERR syntax error\r\n"},
			{"SINTERCARD", "1", "a", "FOO", "1", "-ERR syntax error\r\n"},
			{"SINTERCARD", "1", "nokey", "LIMIT", "x", "-ERR LIMIT can't be negative\r\n"},
		}},
		{"random", [][]string{
			{"SADD", "r", "1", "2", "3", ":3\r\n"},
			{"SRANDMEMBER", "r", "10", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"},
			{"SRANDMEMBER", "r", "0", "*0\r\n"},
			{"SRANDMEMBER", "r", "x", "-ERR value is not an integer or out of range\r\n"},
			{"SRANDMEMBER", "r", "1", "2", "-ERR syntax error\r\n"},
			{"SRANDMEMBER", "r", "-9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
			{"SRANDMEMBER", "nokey", "$-1\r\n"},
			{"SRANDMEMBER", "nokey", "5", "*0\r\n"},
			{"SADD", "one", "m", ":1\r\n"},
			{"SRANDMEMBER", "one", "-2", "*2\r\n$1\r\nm\r\n$1\r\nm\r\n"},
			{"SRANDMEMBER", "one", "$1\r\nm\r\n"},
			{"SPOP", "r", "0", "*0\r\n"},
			{"SPOP", "r", "x", "-ERR value is out of range, must be positive\r\n"},
			{"SPOP", "r", "1", "2", "-ERR syntax error\r\n"},
			{"SPOP", "nokey", "$-1\r\n"},
			{"SPOP", "nokey", "3", "*0\r\n"},
			{"SPOP", "r", "3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"},
			{"EXISTS", "r", ":0\r\n"},
			{"SPOP", "one", "$1\r\nm\r\n"},
			{"EXISTS", "one", ":0\r\n"},
		}},
		{"sscan", [][]string{
			{"SADD", "s", "5", "3", "1", ":3\r\n"},
			{"SSCAN", "s", "0", "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n"},
			{"SSCAN", "s", "99", "COUNT", "1", "MATCH", "[15]", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n5\r\n"},
			{"SSCAN", "s", "x", "-ERR invalid cursor\r\n"},
			{"SSCAN", "s", "0", "COUNT", "0", "-ERR syntax error\r\n"},
			{"SSCAN", "nokey", "0", "COUNT", "0", "*2\r\n$1\r\n0\r\n*0\r\n"},
		}},
	})
}

func TestSetCommandsRESP3(t *testing.T) {
	ks := newKS()
	run(t, ks, "SADD", "s", "2", "1")
	for _, c := range [][]string{
		{"SMEMBERS", "s", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{"SMEMBERS", "nokey", "~0\r\n"},
		{"SINTER", "s", "nokey", "~0\r\n"},
		{"SUNION", "s", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{"SDIFF", "s", "nokey", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{"SMISMEMBER", "s", "1", "9", "*2\r\n:1\r\n:0\r\n"},
		{"SRANDMEMBER", "s", "5", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{"SRANDMEMBER", "nokey", "_\r\n"},
		{"SPOP", "nokey", "_\r\n"},
		{"SPOP", "nokey", "2", "~0\r\n"},
		{"SPOP", "s", "0", "~0\r\n"},
		{"SPOP", "s", "5", "~2\r\n$1\r\n1\r\n$1\r\n2\r\n"},
		{"SSCAN", "nokey", "0", "*2\r\n$1\r\n0\r\n*0\r\n"},
	} {
		args, want := c[:len(c)-1], c[len(c)-1]
		if got := run3(t, ks, args...); got != want {
			t.Errorf("%q = %q, want %q", args, got, want)
		}
	}
	run(t, ks, "SADD", "t", "a", "b", "c")
	if got := run3(t, ks, "SPOP", "t", "2"); !strings.HasPrefix(got, "~2\r\n") {
		t.Errorf("SPOP t 2 in RESP3 = %q", got)
	}
}

func TestSetEncodingLimits(t *testing.T) {
	ks := newKS()
	ks.Limits.SetMaxIntsetEntries.Store(3)
	expect(t, ks,
		[]string{"SADD", "s", "1", "2", "3", ":3\r\n"},
		[]string{"OBJECT", "ENCODING", "s", "$6\r\nintset\r\n"},
		[]string{"SADD", "s", "4", ":1\r\n"},
		[]string{"OBJECT", "ENCODING", "s", "$9\r\nhashtable\r\n"},
		[]string{"SREM", "s", "4", ":1\r\n"},
		[]string{"SUNIONSTORE", "d", "s", ":3\r\n"},
		[]string{"OBJECT", "ENCODING", "d", "$6\r\nintset\r\n"},
		[]string{"SMOVE", "s", "n", "x", ":0\r\n"},
		[]string{"SADD", "s", "x", ":1\r\n"},
		[]string{"SMOVE", "s", "n", "x", ":1\r\n"},
		[]string{"OBJECT", "ENCODING", "n", "$9\r\nhashtable\r\n"},
	)
}

// The events below were checked against Redis 7.0.15 with notify-keyspace-events KEA.
func TestSetEvents(t *testing.T) {
	ks := newKS()
	log := &hsEventLog{}
	ks.SetHooks(log)
	hsExpectEvents(t, ks, log, hsCmds("SADD s 1 2", "SADD s 1", "SREM s 9"), "new:s", "sadd:s")
	hsExpectEvents(t, ks, log, hsCmds("SMOVE s d 1"), "srem:s", "new:d", "sadd:d")
	hsExpectEvents(t, ks, log, hsCmds("SMOVE s d 2"), "srem:s", "del:s", "sadd:d")
	hsExpectEvents(t, ks, log, hsCmds("SADD d 1", "SMOVE d d 1", "SADD x 1", "SMOVE x d 1"), "new:x", "sadd:x", "srem:x", "del:x")
	hsExpectEvents(t, ks, log, hsCmds("SPOP d"), "spop:d")
	hsExpectEvents(t, ks, log, hsCmds("SADD t 1 2 3", "SPOP t 0", "SPOP t 5"), "new:t", "sadd:t", "spop:t", "del:t")
	hsExpectEvents(t, ks, log, hsCmds("SADD a 1", "SINTERSTORE dst a"), "new:a", "sadd:a", "new:dst", "sinterstore:dst")
	hsExpectEvents(t, ks, log, hsCmds("SINTERSTORE dst a nokey", "SINTERSTORE dst a nokey"), "del:dst")
	hsExpectEvents(t, ks, log, hsCmds("SUNIONSTORE dst a", "SUNIONSTORE dst a"), "new:dst", "sunionstore:dst", "sunionstore:dst")
	hsExpectEvents(t, ks, log, hsCmds("SDIFFSTORE dst a a", "SDIFFSTORE dst a"), "del:dst", "new:dst", "sdiffstore:dst")
	hsExpectEvents(t, ks, log, hsCmds("SREM a 1"), "srem:a", "del:a")
}

func TestSInterCardKeys(t *testing.T) {
	for in, want := range map[string][]int{
		"SINTERCARD 2 a b":         {2, 3},
		"SINTERCARD 1 a LIMIT 3":   {2},
		"SINTERCARD 3 a b":         nil,
		"SINTERCARD 0 a":           nil,
		"SINTERCARD x a":           nil,
		"SINTERCARD -1 a":          nil,
		"SINTERCARD 2 a b LIMIT 1": {2, 3},
	} {
		got := table().Get("sintercard").KeyIndexes(words(in))
		if len(got) != len(want) {
			t.Errorf("%s: keys %v, want %v", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: keys %v, want %v", in, got, want)
			}
		}
	}
}
