package compat

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// The DEBUG subcommands test suites and client libraries use, against the reference.

var debugOn = []cinnabartest.Option{cinnabartest.WithConfig("enable-debug-command", "yes")}

func TestDebugEncodingsMatchReference(t *testing.T) {
	introDiff(t, debugOn, [][]string{
		words("FLUSHALL"), words("SET s hello"), words("SET n 123"), {"SET", "raw", strings.Repeat("x", 100)},
		words("APPEND ap abcdefghij"), words("APPEND ap abcdefghij"), {"SET", strings.Repeat("k", 40), "v"},
		words("RPUSH l a b 1234"), words("HSET h f v n 12"), words("ZADD z 1 a 2.5 b"),
		words("DEBUG SDSLEN s"), words("DEBUG SDSLEN n"), words("DEBUG SDSLEN raw"), words("DEBUG SDSLEN ap"),
		{"DEBUG", "SDSLEN", strings.Repeat("k", 40)}, words("DEBUG SDSLEN l"), words("DEBUG SDSLEN nosuch"),
		words("DEBUG STRUCTSIZE"),
		words("DEBUG LISTPACK h"), words("DEBUG LISTPACK z"), words("DEBUG LISTPACK l"), words("DEBUG LISTPACK s"),
		words("DEBUG LISTPACK nosuch"), words("DEBUG QUICKLIST l"), words("DEBUG QUICKLIST l 1"),
		words("DEBUG QUICKLIST l x"), words("DEBUG QUICKLIST h"), words("DEBUG QUICKLIST nosuch"),
		words("DEBUG QUICKLIST l 1 2"),
		words("DEBUG HTSTATS-KEY h"), words("DEBUG HTSTATS-KEY nosuch"), words("DEBUG HTSTATS x"),
		words("DEBUG HTSTATS -1"), words("DEBUG HTSTATS 16"), words("DEBUG HTSTATS 15"), words("DEBUG HTSTATS"),
		words("DEBUG QUICKLIST-PACKED-THRESHOLD 1b"), words("DEBUG QUICKLIST-PACKED-THRESHOLD 4095mb"),
		words("DEBUG QUICKLIST-PACKED-THRESHOLD 4294967295"), words("DEBUG QUICKLIST-PACKED-THRESHOLD -1"),
		words("DEBUG QUICKLIST-PACKED-THRESHOLD abc"), words("DEBUG QUICKLIST-PACKED-THRESHOLD 0"),
		words("DEBUG REPLYBUFFER PEAK-RESET-TIME never"), words("DEBUG REPLYBUFFER peak-reset-time RESET"),
		words("DEBUG REPLYBUFFER PEAK-RESET-TIME 100"), words("DEBUG REPLYBUFFER PEAK-RESET-TIME abc"),
		words("DEBUG REPLYBUFFER RESIZING 0"), words("DEBUG REPLYBUFFER RESIZING abc"),
		words("DEBUG REPLYBUFFER foo 1"), words("DEBUG REPLYBUFFER RESIZING"),
		words("DEBUG SET-SKIP-CHECKSUM-VALIDATION 0"), words("DEBUG JMAP"), words("DEBUG STRINGMATCH-LEN"),
		words("FLUSHALL"),
	}...)
	// RESP3 shapes.
	ref, ours := dialRaw(t, referenceAddr(t)), dialRaw(t, startServer(t, debugOn...).Addr())
	for _, args := range [][]string{words("HELLO 3"), words("SET s hello"), words("DEBUG STRUCTSIZE"),
		words("DEBUG HTSTATS 15"), words("DEBUG SDSLEN s"), words("DEL s")} {
		want, got := ref.Do(t, args...), ours.Do(t, args...)
		if args[0] != "HELLO" {
			require.Equal(t, want, got, "RESP3 %q", args)
		}
	}
}

// TestDebugHTStats: Cinnabar's tables are not Redis's chained dicts, so HTSTATS gives the
// size and element count Redis's dict would have, without its chain statistics.
func TestDebugHTStats(t *testing.T) {
	srv := startServer(t, debugOn...)
	tableLines := regexp.MustCompile(`(?m)^(\[.*\]|Hash table 0 .*| table size: \d+| number of elements: \d+|No stats .*)$`)
	var got [2][]string
	for i, addr := range []string{referenceAddr(t), srv.Addr()} {
		raw := dialRaw(t, addr)
		raw.Do(t, "FLUSHALL")
		raw.Do(t, "MSET", "a", "1", "b", "2")
		raw.Do(t, "SET", "c", "3", "EX", "100")
		raw.Do(t, "EVAL", "for i=1,600 do redis.call('sadd', KEYS[1], i) end", "1", "s")
		raw.Do(t, "EVAL", "for i=1,1000 do redis.call('zadd', KEYS[1], i, i) end", "1", "z")
		for _, args := range [][]string{words("DEBUG HTSTATS 0"), words("DEBUG HTSTATS-KEY s"), words("DEBUG HTSTATS-KEY z")} {
			reply := raw.Do(t, args...)
			require.True(t, strings.HasPrefix(reply, "$"), "%q: %q", args, reply)
			got[i] = append(got[i], strings.Join(tableLines.FindAllString(reply, -1), "|"))
		}
		raw.Do(t, "FLUSHALL")
	}
	require.Equal(t, got[0], got[1])
	require.Equal(t, "[Dictionary HT]|Hash table 0 stats (main hash table):| table size: 8| number of elements: 5|"+
		"[Expires HT]|Hash table 0 stats (main hash table):| table size: 4| number of elements: 1", got[1][0])
}

func TestDebugStringmatchTest(t *testing.T) {
	srv := startServer(t, debugOn...)
	rdb := newClient(t, srv.Addr(), 2)
	start := time.Now()
	require.Equal(t, "Apparently Redis did not crash: test passed", rdb.Do(ctx, "DEBUG", "STRINGMATCH-TEST").Val())
	require.Less(t, time.Since(start), 5*time.Second)
}

// TestDebugDisableDenyScripts: with SET-DISABLE-DENY-SCRIPTS 1, scripts may call
// commands flagged noscript.
func TestDebugDisableDenyScripts(t *testing.T) {
	ref := dialRaw(t, referenceAddr(t))
	t.Cleanup(func() { ref.Do(t, "DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0") })
	introDiff(t, debugOn, [][]string{
		{"EVAL", "return redis.call('debug', 'sleep', '0')", "0"},
		words("DEBUG SET-DISABLE-DENY-SCRIPTS 1"),
		{"EVAL", "return redis.call('debug', 'sleep', '0')", "0"},
		{"EVAL", "return redis.call('debug', 'change-repl-id')", "0"},
		words("DEBUG SET-DISABLE-DENY-SCRIPTS 0"),
		{"EVAL", "return redis.call('debug', 'sleep', '0')", "0"},
	}...)
}

// TestDebugDumpsToLog: LISTPACK and QUICKLIST write the value's layout to the log.
func TestDebugDumpsToLog(t *testing.T) {
	var log lockedBuffer
	srv := startServer(t, append(debugOn, cinnabartest.WithLog(&log))...)
	rdb := newClient(t, srv.Addr(), 2)
	rdb.HSet(ctx, "h", "field", "value")
	rdb.RPush(ctx, "l", "a", "b", "c")
	require.Equal(t, "Listpack structure printed on stdout", rdb.Do(ctx, "DEBUG", "LISTPACK", "h").Val())
	require.Equal(t, "Quicklist structure printed on stdout", rdb.Do(ctx, "DEBUG", "QUICKLIST", "l", "1").Val())
	require.Contains(t, log.String(), "DEBUG LISTPACK h: {total bytes 21}\n{index 0} \"field\"\n{index 1} \"value\"")
	require.Contains(t, log.String(), "DEBUG QUICKLIST l: {count : 3} {len : 1} {fill : -2} {compress : 0}\n{node 0} {count : 3} {sz : 16}")
}
