package command

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// The replies below were recorded from Redis 7.0.15.
func TestListScenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{"push and pop", [][]string{
			{"LPUSH", "l", "a", "b", "c", ":3\r\n"},
			{"RPUSH", "l", "d", "e", ":5\r\n"},
			{"LRANGE", "l", "0", "-1", "*5\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n"},
			{"LLEN", "l", ":5\r\n"},
			{"LPUSHX", "l", "z", ":6\r\n"},
			{"RPUSHX", "l", "y", ":7\r\n"},
			{"LPUSHX", "nokey", "a", ":0\r\n"},
			{"RPUSHX", "nokey", "a", ":0\r\n"},
			{"EXISTS", "nokey", ":0\r\n"},
			{"LPOP", "l", "$1\r\nz\r\n"},
			{"RPOP", "l", "$1\r\ny\r\n"},
			{"LPOP", "l", "2", "*2\r\n$1\r\nc\r\n$1\r\nb\r\n"},
			{"RPOP", "l", "0", "*0\r\n"},
			{"RPOP", "l", "10", "*3\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\na\r\n"},
			{"EXISTS", "l", ":0\r\n"},
			{"LPOP", "l", "$-1\r\n"},
			{"LPOP", "l", "1", "*-1\r\n"},
			{"LPOP", "l", "0", "*-1\r\n"},
			{"LPOP", "l", "-1", "-ERR value is out of range, must be positive\r\n"},
			{"LPOP", "l", "x", "-ERR value is out of range, must be positive\r\n"},
			{"LPOP", "l", "1", "2", "-ERR wrong number of arguments for 'lpop' command\r\n"},
			{"LLEN", "l", ":0\r\n"},
			{"RPUSH", "l", "", ":1\r\n"},
			{"LRANGE", "l", "0", "-1", "*1\r\n$0\r\n\r\n"},
			{"LPOP", "l", "$0\r\n\r\n"},
			{"SET", "s", "v", "+OK\r\n"},
			{"LPUSH", "s", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"RPUSHX", "s", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LPOP", "s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"RPOP", "s", "1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LLEN", "s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LPUSH", "l", "-ERR wrong number of arguments for 'lpush' command\r\n"},
		}},
		{"range and index", [][]string{
			{"RPUSH", "l", "a", "b", "c", "d", "e", ":5\r\n"},
			{"LRANGE", "l", "0", "0", "*1\r\n$1\r\na\r\n"},
			{"LRANGE", "l", "-2", "-1", "*2\r\n$1\r\nd\r\n$1\r\ne\r\n"},
			{"LRANGE", "l", "-100", "100", "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"},
			{"LRANGE", "l", "3", "1", "*0\r\n"},
			{"LRANGE", "l", "5", "10", "*0\r\n"},
			{"LRANGE", "l", "-1", "-5", "*0\r\n"},
			{"LRANGE", "l", "0", "-6", "*0\r\n"},
			{"LRANGE", "l", "0", "-9223372036854775808", "*0\r\n"},
			{"LRANGE", "l", "-9223372036854775808", "9223372036854775807", "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"},
			{"LRANGE", "l", "x", "1", "-ERR value is not an integer or out of range\r\n"},
			{"LRANGE", "l", "1", "1.5", "-ERR value is not an integer or out of range\r\n"},
			{"LRANGE", "nokey", "0", "-1", "*0\r\n"},
			{"LRANGE", "nokey", "x", "1", "-ERR value is not an integer or out of range\r\n"},
			{"LINDEX", "l", "0", "$1\r\na\r\n"},
			{"LINDEX", "l", "-1", "$1\r\ne\r\n"},
			{"LINDEX", "l", "4", "$1\r\ne\r\n"},
			{"LINDEX", "l", "5", "$-1\r\n"},
			{"LINDEX", "l", "-6", "$-1\r\n"},
			{"LINDEX", "l", "9223372036854775807", "$-1\r\n"},
			{"LINDEX", "l", "x", "-ERR value is not an integer or out of range\r\n"},
			{"LINDEX", "nokey", "x", "$-1\r\n"},
			{"LSET", "l", "0", "A", "+OK\r\n"},
			{"LSET", "l", "-1", "E", "+OK\r\n"},
			{"LSET", "l", "5", "x", "-ERR index out of range\r\n"},
			{"LSET", "l", "-6", "x", "-ERR index out of range\r\n"},
			{"LSET", "l", "x", "y", "-ERR value is not an integer or out of range\r\n"},
			{"LSET", "nokey", "0", "x", "-ERR no such key\r\n"},
			{"LSET", "nokey", "x", "x", "-ERR no such key\r\n"},
			{"LRANGE", "l", "0", "-1", "*5\r\n$1\r\nA\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nE\r\n"},
			{"SET", "s", "v", "+OK\r\n"},
			{"LRANGE", "s", "0", "1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LINDEX", "s", "0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LSET", "s", "0", "x", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		}},
		{"insert remove trim", [][]string{
			{"RPUSH", "l", "a", "b", "c", "b", "a", ":5\r\n"},
			{"LINSERT", "l", "BEFORE", "b", "X", ":6\r\n"},
			{"LINSERT", "l", "after", "b", "Y", ":7\r\n"},
			{"LINSERT", "l", "before", "zz", "X", ":-1\r\n"},
			{"LINSERT", "l", "middle", "a", "X", "-ERR syntax error\r\n"},
			{"LINSERT", "nokey", "before", "a", "X", ":0\r\n"},
			{"LINSERT", "nokey", "middle", "a", "X", "-ERR syntax error\r\n"},
			{"LRANGE", "l", "0", "-1", "*7\r\n$1\r\na\r\n$1\r\nX\r\n$1\r\nb\r\n$1\r\nY\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"},
			{"LREM", "l", "1", "b", ":1\r\n"},
			{"LREM", "l", "-1", "a", ":1\r\n"},
			{"LREM", "l", "0", "X", ":1\r\n"},
			{"LREM", "l", "0", "nothing", ":0\r\n"},
			{"LRANGE", "l", "0", "-1", "*4\r\n$1\r\na\r\n$1\r\nY\r\n$1\r\nc\r\n$1\r\nb\r\n"},
			{"LREM", "l", "x", "a", "-ERR value is not an integer or out of range\r\n"},
			{"LREM", "nokey", "0", "a", ":0\r\n"},
			{"LREM", "l", "-100", "a", ":1\r\n"},
			{"LREM", "l", "100", "Y", ":1\r\n"},
			{"LRANGE", "l", "0", "-1", "*2\r\n$1\r\nc\r\n$1\r\nb\r\n"},
			{"LTRIM", "l", "0", "0", "+OK\r\n"},
			{"LRANGE", "l", "0", "-1", "*1\r\n$1\r\nc\r\n"},
			{"RPUSH", "l", "d", "e", "f", "g", ":5\r\n"},
			{"LTRIM", "l", "1", "-2", "+OK\r\n"},
			{"LRANGE", "l", "0", "-1", "*3\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"},
			{"LTRIM", "l", "-100", "100", "+OK\r\n"},
			{"LTRIM", "l", "x", "1", "-ERR value is not an integer or out of range\r\n"},
			{"LTRIM", "nokey", "0", "1", "+OK\r\n"},
			{"LTRIM", "l", "2", "1", "+OK\r\n"},
			{"EXISTS", "l", ":0\r\n"},
			{"SET", "s", "v", "+OK\r\n"},
			{"LINSERT", "s", "before", "a", "b", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LREM", "s", "0", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LTRIM", "s", "0", "1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		}},
		{"lpos", [][]string{
			{"RPUSH", "l", "a", "b", "c", "a", "b", "c", "a", ":7\r\n"},
			{"LPOS", "l", "a", ":0\r\n"},
			{"LPOS", "l", "c", ":2\r\n"},
			{"LPOS", "l", "z", "$-1\r\n"},
			{"LPOS", "l", "a", "RANK", "2", ":3\r\n"},
			{"LPOS", "l", "a", "RANK", "-1", ":6\r\n"},
			{"LPOS", "l", "a", "RANK", "-3", ":0\r\n"},
			{"LPOS", "l", "a", "RANK", "4", "$-1\r\n"},
			{"LPOS", "l", "a", "COUNT", "0", "*3\r\n:0\r\n:3\r\n:6\r\n"},
			{"LPOS", "l", "a", "COUNT", "2", "*2\r\n:0\r\n:3\r\n"},
			{"LPOS", "l", "a", "RANK", "-1", "COUNT", "2", "*2\r\n:6\r\n:3\r\n"},
			{"LPOS", "l", "a", "RANK", "2", "COUNT", "0", "*2\r\n:3\r\n:6\r\n"},
			{"LPOS", "l", "a", "MAXLEN", "3", ":0\r\n"},
			{"LPOS", "l", "c", "MAXLEN", "2", "$-1\r\n"},
			{"LPOS", "l", "a", "COUNT", "0", "MAXLEN", "4", "*2\r\n:0\r\n:3\r\n"},
			{"LPOS", "l", "a", "RANK", "-1", "MAXLEN", "1", ":6\r\n"},
			{"LPOS", "l", "a", "RANK", "-1", "MAXLEN", "2", "COUNT", "0", "*1\r\n:6\r\n"},
			{"LPOS", "l", "z", "COUNT", "0", "*0\r\n"},
			{"LPOS", "l", "a", "rank", "0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"},
			{"LPOS", "l", "a", "rank", "x", "-ERR value is not an integer or out of range\r\n"},
			{"LPOS", "l", "a", "count", "-1", "-ERR COUNT can't be negative\r\n"},
			{"LPOS", "l", "a", "count", "x", "-ERR COUNT can't be negative\r\n"},
			{"LPOS", "l", "a", "maxlen", "-1", "-ERR MAXLEN can't be negative\r\n"},
			{"LPOS", "l", "a", "maxlen", "x", "-ERR MAXLEN can't be negative\r\n"},
			{"LPOS", "l", "a", "foo", "1", "-ERR syntax error\r\n"},
			{"LPOS", "l", "a", "rank", "-ERR syntax error\r\n"},
			{"LPOS", "l", "a", "RANK", "-9223372036854775808", ":6\r\n"},
			{"LPOS", "l", "a", "RANK", "-9223372036854775808", "COUNT", "1", "*3\r\n:6\r\n:3\r\n:0\r\n"},
			{"LPOS", "l", "a", "RANK", "9223372036854775807", "COUNT", "0", "*0\r\n"},
			{"LPOS", "nokey", "a", "$-1\r\n"},
			{"LPOS", "nokey", "a", "COUNT", "1", "*0\r\n"},
			{"LPOS", "nokey", "a", "RANK", "0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"},
			{"SET", "s", "v", "+OK\r\n"},
			{"LPOS", "s", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LPOS", "s", "a", "rank", "0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"},
		}},
		{"move", [][]string{
			{"RPUSH", "src", "a", "b", "c", ":3\r\n"},
			{"LMOVE", "src", "dst", "LEFT", "RIGHT", "$1\r\na\r\n"},
			{"LMOVE", "src", "dst", "right", "left", "$1\r\nc\r\n"},
			{"LRANGE", "dst", "0", "-1", "*2\r\n$1\r\nc\r\n$1\r\na\r\n"},
			{"RPOPLPUSH", "src", "dst", "$1\r\nb\r\n"},
			{"EXISTS", "src", ":0\r\n"},
			{"LRANGE", "dst", "0", "-1", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"},
			{"LMOVE", "dst", "dst", "LEFT", "RIGHT", "$1\r\nb\r\n"},
			{"LRANGE", "dst", "0", "-1", "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n"},
			{"RPOPLPUSH", "dst", "dst", "$1\r\nb\r\n"},
			{"LRANGE", "dst", "0", "-1", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"},
			{"LMOVE", "nokey", "dst", "LEFT", "LEFT", "$-1\r\n"},
			{"RPOPLPUSH", "nokey", "dst", "$-1\r\n"},
			{"LMOVE", "src", "dst", "UP", "LEFT", "-ERR syntax error\r\n"},
			{"LMOVE", "src", "dst", "LEFT", "DOWN", "-ERR syntax error\r\n"},
			{"SET", "s", "v", "+OK\r\n"},
			{"LMOVE", "nokey", "s", "LEFT", "LEFT", "$-1\r\n"},
			{"LMOVE", "dst", "s", "LEFT", "LEFT", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LMOVE", "s", "dst", "LEFT", "LEFT", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"RPOPLPUSH", "s", "dst", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"RPOPLPUSH", "dst", "s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LLEN", "dst", ":3\r\n"},
			{"RPUSH", "one", "x", ":1\r\n"},
			{"LMOVE", "one", "one", "LEFT", "LEFT", "$1\r\nx\r\n"},
			{"LRANGE", "one", "0", "-1", "*1\r\n$1\r\nx\r\n"},
		}},
		{"lmpop", [][]string{
			{"RPUSH", "a", "1", "2", "3", ":3\r\n"},
			{"RPUSH", "b", "4", "5", ":2\r\n"},
			{"LMPOP", "2", "nokey", "a", "LEFT", "*2\r\n$1\r\na\r\n*1\r\n$1\r\n1\r\n"},
			{"LMPOP", "2", "nokey", "a", "RIGHT", "COUNT", "10", "*2\r\n$1\r\na\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n"},
			{"EXISTS", "a", ":0\r\n"},
			{"LMPOP", "2", "a", "b", "left", "count", "1", "*2\r\n$1\r\nb\r\n*1\r\n$1\r\n4\r\n"},
			{"LMPOP", "1", "nokey", "left", "*-1\r\n"},
			{"LMPOP", "0", "a", "left", "-ERR numkeys should be greater than 0\r\n"},
			{"LMPOP", "-1", "a", "left", "-ERR numkeys should be greater than 0\r\n"},
			{"LMPOP", "x", "a", "left", "-ERR numkeys should be greater than 0\r\n"},
			{"LMPOP", "2", "a", "left", "-ERR syntax error\r\n"},
			{"LMPOP", "1", "a", "middle", "-ERR syntax error\r\n"},
			{"LMPOP", "1", "a", "left", "count", "0", "-ERR count should be greater than 0\r\n"},
			{"LMPOP", "1", "a", "left", "count", "-1", "-ERR count should be greater than 0\r\n"},
			{"LMPOP", "1", "a", "left", "count", "x", "-ERR count should be greater than 0\r\n"},
			{"LMPOP", "1", "a", "left", "foo", "-ERR syntax error\r\n"},
			{"LMPOP", "1", "a", "left", "count", "-ERR syntax error\r\n"},
			{"LMPOP", "1", "a", "left", "count", "1", "count", "1", "-ERR syntax error\r\n"},
			{"LMPOP", "9223372036854775807", "a", "left", "-ERR syntax error\r\n"},
			{"LMPOP", "1", "b", "RIGHT", "COUNT", "9223372036854775807", "*2\r\n$1\r\nb\r\n*1\r\n$1\r\n5\r\n"},
			{"SET", "s", "v", "+OK\r\n"},
			{"LMPOP", "2", "nokey", "s", "left", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"LMPOP", "1", "-ERR wrong number of arguments for 'lmpop' command\r\n"},
		}},
		{"blocking commands with data", [][]string{
			{"RPUSH", "a", "1", "2", "3", ":3\r\n"},
			{"RPUSH", "b", "4", ":1\r\n"},
			{"BLPOP", "nokey", "a", "0", "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
			{"BRPOP", "nokey", "a", "0.5", "*2\r\n$1\r\na\r\n$1\r\n3\r\n"},
			{"BLPOP", "a", "b", "1", "*2\r\n$1\r\na\r\n$1\r\n2\r\n"},
			{"BRPOP", "b", "a", "0", "*2\r\n$1\r\nb\r\n$1\r\n4\r\n"},
			{"EXISTS", "a", "b", ":0\r\n"},
			{"RPUSH", "a", "1", "2", "3", ":3\r\n"},
			{"BLMOVE", "a", "dst", "LEFT", "RIGHT", "0", "$1\r\n1\r\n"},
			{"BRPOPLPUSH", "a", "dst", "0", "$1\r\n3\r\n"},
			{"BLMPOP", "0", "2", "nokey", "a", "RIGHT", "COUNT", "5", "*2\r\n$1\r\na\r\n*1\r\n$1\r\n2\r\n"},
			{"LRANGE", "dst", "0", "-1", "*2\r\n$1\r\n3\r\n$1\r\n1\r\n"},
			{"BLPOP", "a", "-1", "-ERR timeout is negative\r\n"},
			{"BLPOP", "a", "x", "-ERR timeout is not a float or out of range\r\n"},
			{"BLPOP", "a", "nan", "-ERR timeout is not a float or out of range\r\n"},
			{"BRPOP", "a", "", "-ERR timeout is not a float or out of range\r\n"},
			{"BLMOVE", "a", "dst", "LEFT", "RIGHT", "-1", "-ERR timeout is negative\r\n"},
			{"BLMOVE", "a", "dst", "LEFT", "UP", "0", "-ERR syntax error\r\n"},
			{"BRPOPLPUSH", "a", "dst", "x", "-ERR timeout is not a float or out of range\r\n"},
			{"BLMPOP", "-1", "1", "a", "left", "-ERR timeout is negative\r\n"},
			{"BLMPOP", "x", "1", "a", "left", "-ERR timeout is not a float or out of range\r\n"},
			{"BLMPOP", "0", "0", "a", "left", "-ERR numkeys should be greater than 0\r\n"},
			{"BLMPOP", "-1", "0", "a", "left", "-ERR numkeys should be greater than 0\r\n"},
			{"BLMPOP", "x", "1", "a", "foo", "-ERR syntax error\r\n"},
			{"BLMPOP", "x", "1", "a", "left", "count", "0", "-ERR count should be greater than 0\r\n"},
			{"BLMPOP", "-1", "5", "a", "left", "-ERR syntax error\r\n"},
			{"BLMPOP", "0", "1", "a", "left", "count", "1", "foo", "-ERR syntax error\r\n"},
			{"SET", "s", "v", "+OK\r\n"},
			{"BLPOP", "nokey", "s", "0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"BLMOVE", "s", "dst", "LEFT", "LEFT", "0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"RPUSH", "src", "x", ":1\r\n"},
			{"BLMOVE", "src", "s", "LEFT", "LEFT", "0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"BLMPOP", "0", "2", "nokey", "s", "left", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"BLPOP", "-1", "-ERR wrong number of arguments for 'blpop' command\r\n"},
		}},
	})
}

// RESP3 null shapes, recorded from Redis 7.0.15 after HELLO 3.
func TestListRESP3Nulls(t *testing.T) {
	ks := newKS()
	for _, c := range [][]string{
		{"LPOP", "nokey", "_\r\n"},
		{"LPOP", "nokey", "1", "_\r\n"},
		{"RPOP", "nokey", "0", "_\r\n"},
		{"LINDEX", "nokey", "0", "_\r\n"},
		{"LMOVE", "nokey", "d", "LEFT", "LEFT", "_\r\n"},
		{"LMPOP", "1", "nokey", "LEFT", "_\r\n"},
		{"LPOS", "nokey", "a", "_\r\n"},
		{"LPOS", "nokey", "a", "COUNT", "0", "*0\r\n"},
		{"RPUSH", "l", "a", ":1\r\n"},
		{"LPOS", "l", "z", "_\r\n"},
		{"LINDEX", "l", "1", "_\r\n"},
		{"LPOP", "l", "0", "*0\r\n"},
		{"LRANGE", "nokey", "0", "-1", "*0\r\n"},
	} {
		args, want := c[:len(c)-1], c[len(c)-1]
		if got := run3(t, ks, args...); got != want {
			t.Errorf("%q = %q, want %q", args, got, want)
		}
	}
}

// runCtx runs one command with a Ctx the test can inspect afterwards.
func runCtx(t *testing.T, ks *store.Keyspace, noBlock bool, args ...string) (*Ctx, string, error) {
	t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	spec, err := table().Lookup(argv)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	c := &Ctx{Args: argv, Spec: spec, W: &resp.Writer{Proto: 2}, KS: ks, DB: ks.DB(0), NoBlock: noBlock}
	err = spec.Do(c)
	return c, string(c.W.Bytes()), err
}

func TestListBlockingRequests(t *testing.T) {
	ks := newKS()
	ks.Clock.Freeze()
	now := ks.Clock.UnixMilli()
	run(t, ks, "SET", "s", "v")
	for _, tc := range []struct {
		args     []string
		keys     string
		deadline int64
		timeout  string // the reply written when the deadline passes
	}{
		{[]string{"BLPOP", "a", "b", "0"}, "a b", 0, "*-1\r\n"},
		{[]string{"BRPOP", "a", "1.5"}, "a", now + 1500, "*-1\r\n"},
		{[]string{"BLMOVE", "a", "s", "LEFT", "RIGHT", "0.001"}, "a", now + 1, "*-1\r\n"},
		{[]string{"BRPOPLPUSH", "a", "b", "2"}, "a", now + 2000, "*-1\r\n"},
		{[]string{"BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "3"}, "a b", 0, "*-1\r\n"},
		{[]string{"BLMPOP", "10", "1", "b", "RIGHT"}, "b", now + 10000, "*-1\r\n"},
	} {
		c, out, err := runCtx(t, ks, false, tc.args...)
		if !errors.Is(err, ErrBlock) || out != "" || c.Blocked == nil {
			t.Fatalf("%q: err %v, reply %q, blocked %v", tc.args, err, out, c.Blocked)
		}
		var keys []string
		for _, k := range c.Blocked.Keys {
			keys = append(keys, string(k))
		}
		if strings.Join(keys, " ") != tc.keys || c.Blocked.Deadline != tc.deadline {
			t.Errorf("%q blocks on %q until %d, want %q until %d", tc.args, keys, c.Blocked.Deadline, tc.keys, tc.deadline)
		}
		w := &resp.Writer{Proto: 2}
		c.Blocked.OnTimeout(w)
		if string(w.Bytes()) != tc.timeout {
			t.Errorf("%q times out with %q, want %q", tc.args, w.Bytes(), tc.timeout)
		}
		// Where blocking is not allowed (MULTI), the timeout reply comes at once; for
		// BLMOVE it is a null bulk string there (a timeout gives a null array).
		want := tc.timeout
		if strings.Contains(tc.args[0], "MOVE") || strings.Contains(tc.args[0], "LPUSH") {
			want = "$-1\r\n"
		}
		c, out, err = runCtx(t, ks, true, tc.args...)
		if err != nil || out != want || c.Blocked != nil {
			t.Errorf("%q without blocking: err %v, reply %q", tc.args, err, out)
		}
	}
	// Once there is data the same calls are served at once.
	run(t, ks, "RPUSH", "b", "1", "2", "3")
	c, out, err := runCtx(t, ks, false, "BLPOP", "a", "b", "0")
	if err != nil || c.Blocked != nil || out != "*2\r\n$1\r\nb\r\n$1\r\n1\r\n" {
		t.Fatalf("BLPOP with data: %v %q", err, out)
	}
}

// eventLog records key events; the embedded (nil) Hooks stands in for the methods the
// test does not expect to be called.
type eventLog struct {
	store.Hooks
	events []string
}

func (l *eventLog) KeyChanged(db int, key []byte, ev store.Event) {
	if ev.Name != "keymiss" {
		l.events = append(l.events, ev.Name+":"+string(key))
	}
}

// TestListEvents checks the keyspace events, in order, against those Redis 7.0.15
// published for the same commands (notify-keyspace-events KEAn).
func TestListEvents(t *testing.T) {
	ks := newKS()
	log := &eventLog{}
	ks.SetHooks(log)
	for _, cmd := range []string{
		"rpush l a b c", "lpush l z", "lpushx l y", "rpushx nokey y", "lpop l", "rpop l 2",
		"lpop l 0", "rpush l a b", "lset l 0 x", "linsert l before x w",
		"linsert l before nothing w", "lrem l 0 nothing", "lrem l 1 w", "ltrim l 0 -1",
		"ltrim l 5 10", "rpush src a b", "lmove src dst left right", "lmove src dst right left",
		"rpush src x", "rpoplpush src src", "lmpop 1 src left count 5", "rpush q 1",
		"blpop q 0", "rpush q 1 2", "brpop q 0", "blmove q dst right left 0", "rpush q 1",
		"blmpop 0 1 q left count 3", "lrem dst 0 a", "ltrim dst 1 0",
	} {
		if out := run(t, ks, strings.Fields(cmd)...); strings.HasPrefix(out, "-") {
			t.Fatalf("%s: %s", cmd, out)
		}
	}
	want := "new:l rpush:l lpush:l lpush:l lpop:l rpop:l rpush:l lset:l linsert:l lrem:l ltrim:l " +
		"ltrim:l del:l new:src rpush:src new:dst rpush:dst lpop:src lpush:dst rpop:src del:src " +
		"new:src rpush:src lpush:src rpop:src lpop:src del:src new:q rpush:q lpop:q del:q new:q " +
		"rpush:q rpop:q lpush:dst rpop:q del:q new:q rpush:q lpop:q del:q lrem:dst ltrim:dst del:dst"
	if got := strings.Join(log.events, " "); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
}

// TestListLargeValues runs the commands over lists long enough to span many nodes,
// under several list-max-listpack-size settings, against a slice model.
func TestListLargeValues(t *testing.T) {
	for _, fill := range []int64{-2, -5, 4, 1} {
		ks := newKS()
		ks.Limits.ListMaxListpackSize.Store(fill)
		var model []string
		for i := 0; i < 3000; i++ {
			v := fmt.Sprintf("v%d-%s", i, strings.Repeat("x", i%50))
			run(t, ks, "RPUSH", "l", v)
			model = append(model, v)
		}
		run(t, ks, "LINSERT", "l", "AFTER", model[1500], "mid")
		model = append(model[:1501], append([]string{"mid"}, model[1501:]...)...)
		run(t, ks, "LSET", "l", "-2", strings.Repeat("y", 10000))
		model[len(model)-2] = strings.Repeat("y", 10000)
		run(t, ks, "LTRIM", "l", "100", "-100")
		model = model[100 : len(model)-99]
		for _, i := range []int{0, 1, 700, 1400, len(model) - 2, len(model) - 1} {
			want := fmt.Sprintf("$%d\r\n%s\r\n", len(model[i]), model[i])
			if got := run(t, ks, "LINDEX", "l", fmt.Sprint(i)); got != want {
				t.Fatalf("fill %d: LINDEX %d = %.40q, want %.40q", fill, i, got, want)
			}
		}
		if got := run(t, ks, "LPOS", "l", "mid"); got != fmt.Sprintf(":%d\r\n", 1401) {
			t.Fatalf("fill %d: LPOS mid = %q", fill, got)
		}
		got := run(t, ks, "LRANGE", "l", "0", "-1")
		var sb strings.Builder
		fmt.Fprintf(&sb, "*%d\r\n", len(model))
		for _, v := range model {
			fmt.Fprintf(&sb, "$%d\r\n%s\r\n", len(v), v)
		}
		if got != sb.String() {
			t.Fatalf("fill %d: LRANGE differs from the model", fill)
		}
		if e := ks.DB(0).Peek([]byte("l")); e.Encoding() != "quicklist" {
			t.Fatalf("encoding %s", e.Encoding())
		}
	}
}

func TestListKeysFunc(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want string
	}{
		{"lmpop 2 a b left", "[2 3]"},
		{"lmpop 1 a left count 2", "[2]"},
		{"lmpop 3 a b left", "[2 3 4]"}, // fails in the handler, but locks what it names
		{"lmpop 4 a b left", "[]"},
		{"lmpop 0 a left", "[]"},
		{"lmpop x a left", "[]"},
		{"blmpop 0 2 a b right", "[3 4]"},
		{"blmpop 0 -1 a right", "[]"},
	} {
		args := words(tc.cmd)
		spec := table().Get(string(args[0]))
		if got := fmt.Sprint(spec.KeyIndexes(args)); got != tc.want {
			t.Errorf("%s: keys %s, want %s", tc.cmd, got, tc.want)
		}
	}
}

// TestListReadyKey: run again for a waiter (ReadyKey set), a blocking pop serves the key
// that became ready first and passes over keys that have become another type.
func TestListReadyKey(t *testing.T) {
	ks := newKS()
	expect(t, ks,
		[]string{"SET", "s", "v", "+OK\r\n"},
		[]string{"RPUSH", "a", "1", ":1\r\n"},
		[]string{"RPUSH", "b", "2", "3", ":2\r\n"},
		[]string{"BLPOP", "s", "b", "0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		[]string{"BLPOP", "a", "b", "0", "*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
	)
	for _, tc := range [][]string{
		{"b", "BLPOP", "s", "b", "0", "*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"b", "BLMPOP", "0", "2", "s", "b", "RIGHT", "*2\r\n$1\r\nb\r\n*1\r\n$1\r\n3\r\n"},
	} {
		argv := make([][]byte, len(tc)-2)
		for i, a := range tc[1 : len(tc)-1] {
			argv[i] = []byte(a)
		}
		spec, err := table().Lookup(argv)
		if err != nil {
			t.Fatal(err)
		}
		c := &Ctx{Args: argv, Spec: spec, W: &resp.Writer{Proto: 2}, KS: ks, DB: ks.DB(0), ReadyKey: []byte(tc[0])}
		if err := spec.Do(c); err != nil || string(c.W.Bytes()) != tc[len(tc)-1] {
			t.Errorf("%q woken by %s: %v %q", tc[1:len(tc)-1], tc[0], err, c.W.Bytes())
		}
	}
	// Nothing left but a string: the waiter blocks again.
	if _, _, err := runCtx(t, ks, false, "BLPOP", "s", "b", "0"); err == nil || errors.Is(err, ErrBlock) {
		t.Fatalf("first call on a string key: %v", err)
	}
	argv := [][]byte{[]byte("BLPOP"), []byte("s"), []byte("b"), []byte("0")}
	spec, _ := table().Lookup(argv)
	w := &Ctx{Args: argv, Spec: spec, W: &resp.Writer{Proto: 2}, KS: ks, DB: ks.DB(0), ReadyKey: []byte("b")}
	if err := spec.Do(w); !errors.Is(err, ErrBlock) {
		t.Fatalf("woken with only a string left: %v %q", err, w.W.Bytes())
	}
}
