package command

import (
	"slices"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/store"
)

// hsEventLog records keyspace events as "event:key". It embeds the interface for the
// hooks it does not use (tests that record events never flush or swap databases).
type hsEventLog struct {
	store.Hooks
	events []string
}

func (l *hsEventLog) KeyChanged(db int, key []byte, ev store.Event) {
	if ev.Class == store.ClassMiss {
		return // key misses are class m, outside the KEA the expectations were taken with
	}
	l.events = append(l.events, ev.Name+":"+string(key))
}

// hsExpectEvents runs each command (the reply is not checked) and requires the events
// they emit, in order.
func hsExpectEvents(t *testing.T, ks *store.Keyspace, log *hsEventLog, cmds [][]string, want ...string) {
	t.Helper()
	log.events = nil
	for _, c := range cmds {
		run(t, ks, c...)
	}
	if !slices.Equal(log.events, want) {
		t.Errorf("%q emitted %q, want %q", cmds, log.events, want)
	}
}

func hsCmds(lines ...string) [][]string {
	out := make([][]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Fields(l)
	}
	return out
}

// The replies below were checked against Redis 7.0.15.
func TestHashCommands(t *testing.T) {
	runScenarios(t, []scenario{
		{"set and get", [][]string{
			{"HSET", "h", "a", "1", "b", "2", "c", "3", ":3\r\n"},
			{"HSET", "h", "a", "x", "d", "4", ":1\r\n"},
			{"HSET", "h", "a", "1", "b", "-ERR wrong number of arguments for 'hset' command\r\n"},
			{"HSET", "h", "a", "-ERR wrong number of arguments for 'hset' command\r\n"},
			{"HMSET", "h", "e", "5", "+OK\r\n"},
			{"HMSET", "h", "e", "-ERR wrong number of arguments for 'hmset' command\r\n"},
			{"HSETNX", "h", "a", "z", ":0\r\n"},
			{"HSETNX", "h", "f", "6", ":1\r\n"},
			{"HGET", "h", "a", "$1\r\nx\r\n"},
			{"HGET", "h", "zz", "$-1\r\n"},
			{"HGET", "nokey", "a", "$-1\r\n"},
			{"HMGET", "h", "a", "zz", "*2\r\n$1\r\nx\r\n$-1\r\n"},
			{"HMGET", "nokey", "a", "*1\r\n$-1\r\n"},
			{"HLEN", "h", ":6\r\n"},
			{"HLEN", "nokey", ":0\r\n"},
			{"HEXISTS", "h", "a", ":1\r\n"},
			{"HEXISTS", "h", "zz", ":0\r\n"},
			{"HSTRLEN", "h", "a", ":1\r\n"},
			{"HSTRLEN", "nokey", "a", ":0\r\n"},
			{"HKEYS", "h", "*6\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"},
			{"HVALS", "h", "*6\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n"},
			{"HDEL", "h", "a", "b", "c", "d", "e", ":5\r\n"},
			{"HGETALL", "h", "*2\r\n$1\r\nf\r\n$1\r\n6\r\n"},
			{"HGETALL", "nokey", "*0\r\n"},
			{"HDEL", "h", "f", "zz", ":1\r\n"},
			{"EXISTS", "h", ":0\r\n"},
			{"HDEL", "h", "f", ":0\r\n"},
		}},
		{"wrong type", [][]string{
			{"SET", "s", "v", "+OK\r\n"},
			{"HSET", "s", "a", "1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"HSET", "s", "a", "-ERR wrong number of arguments for 'hset' command\r\n"},
			{"HGET", "s", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"HMGET", "s", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"HGETALL", "s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"HDEL", "s", "a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"HINCRBY", "s", "a", "x", "-ERR value is not an integer or out of range\r\n"},
			{"HINCRBY", "s", "a", "1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"HINCRBYFLOAT", "s", "a", "x", "-ERR value is not a valid float\r\n"},
			{"HRANDFIELD", "s", "x", "-ERR value is not an integer or out of range\r\n"},
			{"HRANDFIELD", "s", "1", "x", "-ERR syntax error\r\n"},
			{"HRANDFIELD", "s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
			{"HSCAN", "s", "x", "-ERR invalid cursor\r\n"},
			{"HSCAN", "s", "0", "COUNT", "0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		}},
		{"hincrby", [][]string{
			{"HSET", "n", "i", "10", "s", "abc", "big", "9223372036854775807", "lz", "010", ":4\r\n"},
			{"HINCRBY", "n", "i", "5", ":15\r\n"},
			{"HINCRBY", "n", "new", "-7", ":-7\r\n"},
			{"HINCRBY", "n", "s", "1", "-ERR hash value is not an integer\r\n"},
			{"HINCRBY", "n", "lz", "1", "-ERR hash value is not an integer\r\n"},
			{"HINCRBY", "n", "i", "1.5", "-ERR value is not an integer or out of range\r\n"},
			{"HINCRBY", "n", "big", "1", "-ERR increment or decrement would overflow\r\n"},
			{"HINCRBY", "n", "big", "-9223372036854775808", ":-1\r\n"},
			{"HINCRBY", "fresh", "x", "3", ":3\r\n"},
		}},
		{"hincrbyfloat", [][]string{
			{"HINCRBYFLOAT", "f", "x", "0.1", "$3\r\n0.1\r\n"},
			{"HINCRBYFLOAT", "f", "x", "0.2", "$3\r\n0.3\r\n"},
			{"HINCRBYFLOAT", "f", "x", "1e3", "$22\r\n1000.29999999999999999\r\n"},
			{"HINCRBYFLOAT", "f", "x", "inf", "-ERR value is NaN or Infinity\r\n"},
			{"HINCRBYFLOAT", "f", "x", "nan", "-ERR value is not a valid float\r\n"},
			{"HINCRBYFLOAT", "f", "x", "0x10", "$22\r\n1016.29999999999999999\r\n"},
			{"HINCRBYFLOAT", "f", "y", "-0.0", "$1\r\n0\r\n"},
			{"HSET", "f", "s", "abc", "inf", "inf", ":2\r\n"},
			{"HINCRBYFLOAT", "f", "s", "1", "-ERR hash value is not a float\r\n"},
			{"HINCRBYFLOAT", "f", "inf", "1", "-ERR increment would produce NaN or Infinity\r\n"},
			{"HSET", "f", "z", "1e4932", ":1\r\n"},
			{"HINCRBYFLOAT", "f", "z", "1e4932", "-ERR increment would produce NaN or Infinity\r\n"},
			{"HINCRBYFLOAT", "f", "w", "1e400", "$401\r\n1" + strings.Repeat("0", 19) + "281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n"},
			{"OBJECT", "ENCODING", "f", "$9\r\nhashtable\r\n"},
		}},
		{"hrandfield", [][]string{
			{"HSET", "r", "a", "1", "b", "2", "c", "3", ":3\r\n"},
			{"HRANDFIELD", "r", "10", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"},
			{"HRANDFIELD", "r", "3", "WITHVALUES", "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"},
			{"HRANDFIELD", "r", "0", "*0\r\n"},
			{"HRANDFIELD", "nokey", "5", "*0\r\n"},
			{"HRANDFIELD", "nokey", "$-1\r\n"},
			{"HRANDFIELD", "r", "1", "WITHVALUE", "-ERR syntax error\r\n"},
			{"HRANDFIELD", "r", "-9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
			{"HRANDFIELD", "r", "4611686018427387904", "WITHVALUES", "-ERR value is out of range\r\n"},
			{"HRANDFIELD", "r", "-4611686018427387904", "WITHVALUES", "-ERR value is out of range\r\n"},
			{"HSET", "one", "k", "v", ":1\r\n"},
			{"HRANDFIELD", "one", "-2", "WITHVALUES", "*4\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\nk\r\n$1\r\nv\r\n"},
			{"HRANDFIELD", "one", "$1\r\nk\r\n"},
		}},
		{"hscan", [][]string{
			{"HSET", "r", "a", "1", "b", "2", ":2\r\n"},
			{"HSCAN", "r", "0", "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
			{"HSCAN", "r", "7", "MATCH", "b", "COUNT", "1", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
			{"HSCAN", "r", "-1", "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
			{"HSCAN", "r", "+", "-ERR invalid cursor\r\n"},
			{"HSCAN", "r", "18446744073709551616", "-ERR invalid cursor\r\n"},
			{"HSCAN", "r", "0", "COUNT", "0", "-ERR syntax error\r\n"},
			{"HSCAN", "r", "0", "TYPE", "hash", "-ERR syntax error\r\n"},
			{"HSCAN", "nokey", "0", "COUNT", "0", "*2\r\n$1\r\n0\r\n*0\r\n"},
		}},
	})
}

func TestHashCommandsRESP3(t *testing.T) {
	ks := newKS()
	run(t, ks, "HSET", "h", "a", "1", "b", "2")
	for _, c := range [][]string{
		{"HGETALL", "h", "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"HGETALL", "nokey", "%0\r\n"},
		{"HGET", "nokey", "f", "_\r\n"},
		{"HMGET", "h", "a", "zz", "*2\r\n$1\r\n1\r\n_\r\n"},
		{"HRANDFIELD", "h", "5", "WITHVALUES", "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"},
		{"HRANDFIELD", "h", "5", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{"HRANDFIELD", "h", "0", "WITHVALUES", "*0\r\n"},
		{"HRANDFIELD", "nokey", "_\r\n"},
		{"HRANDFIELD", "nokey", "3", "*0\r\n"},
	} {
		args, want := c[:len(c)-1], c[len(c)-1]
		if got := run3(t, ks, args...); got != want {
			t.Errorf("%q = %q, want %q", args, got, want)
		}
	}
	got := run3(t, ks, "HRANDFIELD", "h", "-3", "WITHVALUES")
	if !strings.HasPrefix(got, "*3\r\n*2\r\n") || strings.Count(got, "*2\r\n") != 3 {
		t.Errorf("HRANDFIELD -3 WITHVALUES in RESP3 = %q", got)
	}
}

func TestHashEncodingLimits(t *testing.T) {
	ks := newKS()
	ks.Limits.HashMaxListpackEntries.Store(2)
	ks.Limits.HashMaxListpackValue.Store(4)
	expect(t, ks,
		[]string{"HSET", "h", "a", "1", "b", "2", ":2\r\n"},
		[]string{"OBJECT", "ENCODING", "h", "$8\r\nlistpack\r\n"},
		[]string{"HSET", "h", "c", "3", ":1\r\n"},
		[]string{"OBJECT", "ENCODING", "h", "$9\r\nhashtable\r\n"},
		[]string{"HSET", "v", "a", "1234", ":1\r\n"},
		[]string{"OBJECT", "ENCODING", "v", "$8\r\nlistpack\r\n"},
		[]string{"HSETNX", "v", "a", "12345", ":0\r\n"},
		[]string{"OBJECT", "ENCODING", "v", "$8\r\nlistpack\r\n"},
		[]string{"HINCRBYFLOAT", "v", "a", "0.5", "$6\r\n1234.5\r\n"},
		[]string{"OBJECT", "ENCODING", "v", "$9\r\nhashtable\r\n"},
		[]string{"HSET", "w", "abcde", "1", ":1\r\n"},
		[]string{"OBJECT", "ENCODING", "w", "$9\r\nhashtable\r\n"},
	)
}

// The events below were checked against Redis 7.0.15 with notify-keyspace-events KEA.
func TestHashEvents(t *testing.T) {
	ks := newKS()
	log := &hsEventLog{}
	ks.SetHooks(log)
	hsExpectEvents(t, ks, log, hsCmds("HSET h a 1"), "new:h", "hset:h")
	hsExpectEvents(t, ks, log, hsCmds("HSET h a 2", "HMSET h b 2"), "hset:h", "hset:h")
	hsExpectEvents(t, ks, log, hsCmds("HSETNX h a 3", "HSETNX h c 3"), "hset:h")
	hsExpectEvents(t, ks, log, hsCmds("HINCRBY h c 1", "HINCRBYFLOAT h c 1.5"), "hincrby:h", "hincrbyfloat:h")
	hsExpectEvents(t, ks, log, hsCmds("HDEL h zz", "HDEL h a b"), "hdel:h")
	hsExpectEvents(t, ks, log, hsCmds("HDEL h c"), "hdel:h", "del:h")
	hsExpectEvents(t, ks, log, hsCmds("HINCRBY h2 x 1"), "new:h2", "hincrby:h2")
	hsExpectEvents(t, ks, log, hsCmds("HINCRBYFLOAT h3 x 1"), "new:h3", "hincrbyfloat:h3")
	hsExpectEvents(t, ks, log, hsCmds("HINCRBY h2 x abc", "HINCRBYFLOAT h2 x abc", "HSET h2 x y", "HINCRBY h2 x 1"), "hset:h2")
}

func TestParseScanCursor(t *testing.T) {
	for in, want := range map[string]uint64{
		"0": 0, "": 0, "+5": 5, "-0": 0, "-1": 18446744073709551615,
		"18446744073709551615": 18446744073709551615, "-18446744073709551615": 1,
	} {
		if got, ok := ParseScanCursor([]byte(in)); !ok || got != want {
			t.Errorf("ParseScanCursor(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"+", "-", " 1", "1 ", "x", "18446744073709551616", "0x10"} {
		if _, ok := ParseScanCursor([]byte(in)); ok {
			t.Errorf("ParseScanCursor(%q) accepted", in)
		}
	}
}
