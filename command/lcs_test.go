package command

import (
	"strings"
	"testing"
)

// Every reply below was checked against Redis 7.0.15.
var lcsScenarios = []scenario{
	{"lcs", [][]string{
		{"set", "bm:k1", "ohmytext", "+OK\r\n"},
		{"set", "bm:k2", "mynewtext", "+OK\r\n"},
		{"lcs", "bm:k1", "bm:k2", "$6\r\nmytext\r\n"},
		{"lcs", "bm:k1", "bm:k2", "len", ":6\r\n"},
		{"lcs", "bm:k1", "bm:k2", "idx",
			"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
		{"lcs", "bm:k1", "bm:k2", "idx", "minmatchlen", "4",
			"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"},
		{"lcs", "bm:k1", "bm:k2", "idx", "withmatchlen",
			"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
		{"lcs", "bm:k1", "bm:k2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN",
			"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
		{"lcs", "bm:k1", "bm:k2", "minmatchlen", "-5", "idx",
			"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
		{"lcs", "bm:k1", "bm:k2", "minmatchlen", "1", "minmatchlen", "4", "idx", "idx",
			"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"},
		// MINMATCHLEN and WITHMATCHLEN only shape the IDX reply.
		{"lcs", "bm:k1", "bm:k2", "minmatchlen", "4", "$6\r\nmytext\r\n"},
		{"lcs", "bm:k1", "bm:k2", "withmatchlen", "$6\r\nmytext\r\n"},
		{"lcs", "bm:k1", "bm:k2", "len", "withmatchlen", ":6\r\n"},
		{"lcs", "bm:k1", "bm:missing", "$0\r\n\r\n"},
		{"lcs", "bm:none1", "bm:none2", "$0\r\n\r\n"},
		{"lcs", "bm:none1", "bm:none2", "len", ":0\r\n"},
		{"lcs", "bm:none1", "bm:none2", "idx", "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	}},
	{"lcs-errors", [][]string{
		{"set", "bm:k1", "ohmytext", "+OK\r\n"},
		{"set", "bm:k2", "mynewtext", "+OK\r\n"},
		{"lcs", "bm:k1", "bm:k2", "len", "idx", "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
		{"lcs", "bm:k1", "bm:k2", "IDX", "LEN", "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
		{"lcs", "bm:k1", "bm:k2", "minmatchlen", "-ERR syntax error\r\n"},
		{"lcs", "bm:k1", "bm:k2", "minmatchlen", "x", "-ERR value is not an integer or out of range\r\n"},
		{"lcs", "bm:k1", "bm:k2", "foo", "-ERR syntax error\r\n"},
		{"lcs", "bm:k1", "-ERR wrong number of arguments for 'lcs' command\r\n"},
	}},
	{"lcs-ties", [][]string{
		// Where several LCSs exist, Redis's walk back prefers to drop from the
		// second string; the runs must also be contiguous in both strings.
		{"set", "bm:a", "ab", "+OK\r\n"},
		{"set", "bm:b", "ba", "+OK\r\n"},
		{"lcs", "bm:a", "bm:b", "$1\r\nb\r\n"},
		{"lcs", "bm:a", "bm:b", "idx", "withmatchlen",
			"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:1\r\n:1\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:1\r\n"},
		{"set", "bm:a", "abc", "+OK\r\n"},
		{"set", "bm:b", "acb", "+OK\r\n"},
		{"lcs", "bm:a", "bm:b", "$2\r\nac\r\n"},
		{"set", "bm:a", "abab", "+OK\r\n"},
		{"set", "bm:b", "baba", "+OK\r\n"},
		{"lcs", "bm:a", "bm:b", "$3\r\nbab\r\n"},
		{"lcs", "bm:a", "bm:b", "idx", "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:1\r\n:3\r\n*2\r\n:0\r\n:2\r\n$3\r\nlen\r\n:3\r\n"},
		{"set", "bm:a", "ab", "+OK\r\n"},
		{"set", "bm:b", "aXb", "+OK\r\n"},
		{"lcs", "bm:a", "bm:b", "idx",
			"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:1\r\n:1\r\n*2\r\n:2\r\n:2\r\n*2\r\n*2\r\n:0\r\n:0\r\n*2\r\n:0\r\n:0\r\n$3\r\nlen\r\n:2\r\n"},
		{"set", "bm:a", "abcXdefYghi", "+OK\r\n"},
		{"set", "bm:b", "ghiYabcXdef", "+OK\r\n"},
		{"lcs", "bm:a", "bm:b", "$7\r\nabcXdef\r\n"},
		{"lcs", "bm:a", "bm:a", "idx", "withmatchlen",
			"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:10\r\n*2\r\n:0\r\n:10\r\n:11\r\n$3\r\nlen\r\n:11\r\n"},
	}},
	{"lcs-memory-limit", [][]string{
		// The table Redis would build, (len(a)+1)·(len(b)+1) 32-bit cells, must fit
		// proto-max-bulk-len.
		{"set", "bm:a", strings.Repeat("a", 11584), "+OK\r\n"},
		{"set", "bm:b", strings.Repeat("b", 11584), "+OK\r\n"},
		{"lcs", "bm:a", "bm:b", "len", ":0\r\n"},
		{"set", "bm:a", strings.Repeat("a", 11585), "+OK\r\n"},
		{"lcs", "bm:a", "bm:b", "foo", "-ERR syntax error\r\n"},
		{"lcs", "bm:a", "bm:b", "len", "idx", "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
		{"lcs", "bm:a", "bm:b", "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n"},
		{"lcs", "bm:a", "bm:missing", "$0\r\n\r\n"},
	}},
}

func TestLCSScenarios(t *testing.T) { runScenarios(t, lcsScenarios) }

func TestLCSRESP3(t *testing.T) {
	ks := newKS()
	run(t, ks, "set", "a", "ohmytext")
	run(t, ks, "set", "b", "mynewtext")
	for _, c := range []struct{ args, want []string }{
		{[]string{"lcs", "a", "b", "idx", "withmatchlen"}, []string{"%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"}},
		{[]string{"lcs", "x", "y", "idx"}, []string{"%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"}},
		{[]string{"lcs", "a", "b"}, []string{"$6\r\nmytext\r\n"}},
		{[]string{"lcs", "a", "b", "len"}, []string{":6\r\n"}},
	} {
		if got := run3(t, ks, c.args...); got != c.want[0] {
			t.Errorf("%q = %q, want %q", c.args, got, c.want[0])
		}
	}
}
