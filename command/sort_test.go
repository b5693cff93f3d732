package command

import (
	"reflect"
	"testing"
)

func TestSortScenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{"list numeric", [][]string{
			{"rpush", "l", "3", "1", "2", "10", "3", ":5\r\n"},
			{"sort", "l", "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n3\r\n$2\r\n10\r\n"},
			{"sort", "l", "desc", "limit", "1", "2", "*2\r\n$1\r\n3\r\n$1\r\n3\r\n"},
			{"sort", "l", "alpha", "*5\r\n$1\r\n1\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n3\r\n"},
			{"sort", "l", "limit", "9", "1", "*0\r\n"},
			{"sort", "l", "limit", "-3", "-1", "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n3\r\n$2\r\n10\r\n"},
		}},
		{"numeric ties compare elements", [][]string{
			{"rpush", "l", "3.0", "3", "03", ":3\r\n"},
			{"sort", "l", "*3\r\n$2\r\n03\r\n$1\r\n3\r\n$3\r\n3.0\r\n"},
			{"sort", "l", "desc", "*3\r\n$3\r\n3.0\r\n$1\r\n3\r\n$2\r\n03\r\n"},
		}},
		{"set and zset", [][]string{
			{"sadd", "s", "5", "1", "3", ":3\r\n"},
			{"sort", "s", "desc", "*3\r\n$1\r\n5\r\n$1\r\n3\r\n$1\r\n1\r\n"},
			{"zadd", "z", "1", "c", "2", "a", "3", "b", ":3\r\n"},
			{"sort", "z", "alpha", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
			{"sort", "z", "by", "nosort", "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n"},
			{"sort", "z", "by", "nosort", "desc", "limit", "1", "5", "*2\r\n$1\r\na\r\n$1\r\nc\r\n"},
		}},
		{"by and get", [][]string{
			{"rpush", "l", "a", "b", "c", ":3\r\n"},
			{"mset", "w_a", "3", "w_b", "1", "w_c", "2", "n_a", "A", "+OK\r\n"},
			{"hset", "h_a", "f", "9", ":1\r\n"},
			{"sort", "l", "by", "w_*", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"},
			{"sort", "l", "by", "w_*", "get", "#", "get", "n_*", "get", "h_*->f",
				"*9\r\n$1\r\nb\r\n$-1\r\n$-1\r\n$1\r\nc\r\n$-1\r\n$-1\r\n$1\r\na\r\n$1\r\nA\r\n$1\r\n9\r\n"},
			{"sort", "l", "by", "h_*->f", "desc", "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n"},
		}},
		{"store", [][]string{
			{"rpush", "l", "2", "1", ":2\r\n"},
			{"sort", "l", "get", "x_*", "get", "#", "store", "d", ":4\r\n"},
			{"lrange", "d", "0", "-1", "*4\r\n$0\r\n\r\n$1\r\n1\r\n$0\r\n\r\n$1\r\n2\r\n"},
			{"sort", "l", "limit", "5", "5", "store", "d", ":0\r\n"},
			{"exists", "d", ":0\r\n"},
			{"sadd", "s", "b", "a", ":2\r\n"},
			{"sort", "s", "by", "nosort", "store", "d", ":2\r\n"},
			{"lrange", "d", "0", "-1", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		}},
		{"errors", [][]string{
			{"rpush", "l", "1", "x", ":2\r\n"},
			{"sort", "l", "-ERR One or more scores can't be converted into double\r\n"},
			{"sort", "l", "bogus", "-ERR syntax error\r\n"},
			{"sort", "l", "limit", "1", "-ERR syntax error\r\n"},
			{"sort", "l", "limit", "a", "1", "-ERR value is not an integer or out of range\r\n"},
			{"sort_ro", "l", "store", "d", "-ERR syntax error\r\n"},
			{"set", "str", "v", "+OK\r\n"},
			{"sort", "str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"sort", "str", "bogus", "-ERR syntax error\r\n"},
		}},
	})
}

func TestSortKeys(t *testing.T) {
	args := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, a := range s {
			out[i] = []byte(a)
		}
		return out
	}
	cases := []struct {
		args []string
		want []int
	}{
		{[]string{"sort", "k"}, []int{1}},
		{[]string{"sort", "k", "by", "store", "limit", "0", "1", "store", "d"}, []int{1, 8}},
		{[]string{"sort", "k", "store", "a", "store", "b"}, []int{1, 5}},
		{[]string{"sort", "k", "get", "store"}, []int{1}},
	}
	for _, c := range cases {
		if got := table().Get("sort").KeyIndexes(args(c.args...)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("sort keys of %q = %v, want %v", c.args, got, c.want)
		}
	}
	for _, s := range SortCommands {
		if !reflect.DeepEqual(s.FlagNames(), map[string][]string{
			"sort": {"write", "denyoom", "movablekeys"}, "sort_ro": {"readonly", "movablekeys"}}[s.Name]) {
			t.Errorf("%s flags = %v", s.Name, s.FlagNames())
		}
	}
}
