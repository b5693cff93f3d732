package command

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/store"
)

// frozenKS returns a keyspace whose clock stands at 1000000 ms until moved.
func frozenKS() (*store.Keyspace, *clock.Clock) {
	clk := &clock.Clock{}
	clk.Set(time.UnixMilli(1000000))
	clk.Freeze()
	return store.New(16, 64, clk), clk
}

func TestStreamIDParsing(t *testing.T) {
	cases := []struct {
		in       string
		strict   bool
		seqGiven bool
		want     string
	}{
		{"1-2", false, false, "1-2"},
		{"1", false, false, "1-0"},
		{"-", false, false, "0-0"},
		{"+", false, false, "18446744073709551615-18446744073709551615"},
		{"-", true, false, "invalid"},
		{"+", true, false, "invalid"},
		{"+5", false, false, "5-0"},       // strtoull takes a sign
		{" 5-1", false, false, "5-1"},     // and leading spaces
		{"007-1", false, false, "7-1"},    // and leading zeros
		{"5--1", false, false, "invalid"}, // but a negative is refused by string2ll
		{"5--01", false, false, "5-18446744073709551615"},
		{"-5", false, false, "invalid"},
		{"5-", false, false, "invalid"},
		{"5-x", false, false, "invalid"},
		{"18446744073709551616", false, false, "invalid"},
		{"5-*", false, true, "5-* "},
		{"5-*", false, false, "invalid"},
		{"5\x00junk", false, false, "5-0"},
		{strings.Repeat("1", 128), false, false, "invalid"},
	}
	for _, c := range cases {
		var seqGiven bool
		var sg *bool
		if c.seqGiven {
			sg = &seqGiven
		}
		id, ok := parseStreamID([]byte(c.in), 0, c.strict, sg)
		got := "invalid"
		if ok {
			got = id.String()
			if c.seqGiven && !seqGiven {
				got = strings.TrimSuffix(got, "0") + "* "
			}
		}
		if got != c.want {
			t.Errorf("parseStreamID(%q, strict=%v) = %s, want %s", c.in, c.strict, got, c.want)
		}
	}
}

func TestXReadKeys(t *testing.T) {
	cases := map[string][]int{
		"XREAD STREAMS a b 0 0":                            {2, 3},
		"XREAD COUNT 5 BLOCK 0 STREAMS a 0":                {6},
		"XREADGROUP GROUP streams streams STREAMS a >":     {5},
		"XREADGROUP GROUP g c NOACK COUNT 1 STREAMS a b 0": {8}, // unbalanced: the first half, as Redis's spec says
		"XREAD STREAMS":                                    nil,
		"XREAD FOO STREAMS a 0":                            {3}, // FOO fails in the handler

	}
	for cmd, want := range cases {
		args := words(cmd)
		if got := table().Get(strings.ToLower(string(args[0]))).KeyIndexes(args); !reflect.DeepEqual(got, want) {
			t.Errorf("keys of %s = %v, want %v", cmd, got, want)
		}
	}
}

func TestStreamCommandsBasics(t *testing.T) {
	ks, clk := frozenKS()
	expect(t, ks,
		[]string{"XADD", "s", "*", "a", "1", "$9\r\n1000000-0\r\n"},
		[]string{"XADD", "s", "*", "a", "2", "$9\r\n1000000-1\r\n"},
		[]string{"XADD", "s", "1000000-*", "a", "3", "$9\r\n1000000-2\r\n"},
		[]string{"XADD", "s", "999-0", "a", "3", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"},
		[]string{"XLEN", "s", ":3\r\n"},
		[]string{"TYPE", "s", "+stream\r\n"},
		[]string{"OBJECT", "ENCODING", "s", "$6\r\nstream\r\n"},
		[]string{"XRANGE", "s", "(1000000-0", "+", "COUNT", "1", "*1\r\n*2\r\n$9\r\n1000000-1\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n"},
		[]string{"XREVRANGE", "s", "+", "-", "COUNT", "1", "*1\r\n*2\r\n$9\r\n1000000-2\r\n*2\r\n$1\r\na\r\n$1\r\n3\r\n"},
		[]string{"XRANGE", "s", "-", "+", "COUNT", "0", "*-1\r\n"},
		[]string{"XDEL", "s", "1000000-1", "5-0", ":1\r\n"},
		[]string{"XTRIM", "s", "MAXLEN", "1", ":1\r\n"},
		[]string{"XRANGE", "s", "-", "+", "*1\r\n*2\r\n$9\r\n1000000-2\r\n*2\r\n$1\r\na\r\n$1\r\n3\r\n"},
		[]string{"XSETID", "s", "1000000-1", "-ERR The ID specified in XSETID is smaller than the target stream top item\r\n"},
		[]string{"XSETID", "s", "2000000-0", "+OK\r\n"},
	)
	// A clock behind the last ID keeps IDs increasing.
	clk.Set(time.UnixMilli(5))
	expect(t, ks, []string{"XADD", "s", "*", "a", "4", "$9\r\n2000000-1\r\n"})
}

// TestStreamGroupTimes checks what depends on the clock: delivery times, idle times
// and XCLAIM/XAUTOCLAIM's minimum idle time.
func TestStreamGroupTimes(t *testing.T) {
	ks, clk := frozenKS()
	expect(t, ks,
		[]string{"XADD", "s", "1-0", "a", "1", "$3\r\n1-0\r\n"},
		[]string{"XADD", "s", "2-0", "a", "2", "$3\r\n2-0\r\n"},
		[]string{"XGROUP", "CREATE", "s", "g", "0", "+OK\r\n"},
		[]string{"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">",
			"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n"},
	)
	clk.Advance(1500 * time.Millisecond)
	expect(t, ks,
		[]string{"XPENDING", "s", "g", "-", "+", "10",
			"*2\r\n*4\r\n$3\r\n1-0\r\n$5\r\nalice\r\n:1500\r\n:1\r\n*4\r\n$3\r\n2-0\r\n$5\r\nalice\r\n:1500\r\n:1\r\n"},
		[]string{"XPENDING", "s", "g", "IDLE", "2000", "-", "+", "10", "*0\r\n"},
		[]string{"XINFO", "CONSUMERS", "s", "g", "*1\r\n*6\r\n$4\r\nname\r\n$5\r\nalice\r\n$7\r\npending\r\n:2\r\n$4\r\nidle\r\n:1500\r\n"},
		[]string{"XCLAIM", "s", "g", "bob", "2000", "1-0", "JUSTID", "*0\r\n"},
		[]string{"XCLAIM", "s", "g", "bob", "1000", "1-0", "JUSTID", "*1\r\n$3\r\n1-0\r\n"},
		[]string{"XCLAIM", "s", "g", "bob", "0", "2-0", "IDLE", "700", "JUSTID", "*1\r\n$3\r\n2-0\r\n"},
		[]string{"XPENDING", "s", "g", "-", "+", "10",
			"*2\r\n*4\r\n$3\r\n1-0\r\n$3\r\nbob\r\n:0\r\n:1\r\n*4\r\n$3\r\n2-0\r\n$3\r\nbob\r\n:700\r\n:1\r\n"},
		[]string{"XCLAIM", "s", "g", "bob", "0", "2-0", "TIME", "1000700", "RETRYCOUNT", "9", "JUSTID", "*1\r\n$3\r\n2-0\r\n"},
		[]string{"XPENDING", "s", "g", "-", "+", "10", "bob",
			"*2\r\n*4\r\n$3\r\n1-0\r\n$3\r\nbob\r\n:0\r\n:1\r\n*4\r\n$3\r\n2-0\r\n$3\r\nbob\r\n:800\r\n:9\r\n"},
		[]string{"XAUTOCLAIM", "s", "g", "carol", "500", "0", "JUSTID", "*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n2-0\r\n*0\r\n"},
	)
	out, _, _ := call(t, ks, 3, "", false, "XINFO", "STREAM", "s", "FULL")
	for _, want := range []string{"%9\r\n", "$9\r\nseen-time\r\n:1001500\r\n", "$5\r\ncarol\r\n:1001500\r\n:9\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("XINFO STREAM FULL in RESP3 lacks %q:\n%q", want, out)
		}
	}
}

// TestStreamBlocking drives the blocking protocol by hand: block, "$" pinned in the
// arguments, re-runs on a ready key, MULTI, and a deleted group or key.
func TestStreamBlocking(t *testing.T) {
	ks, _ := frozenKS()
	expect(t, ks, []string{"XADD", "s", "5-0", "a", "1", "$3\r\n5-0\r\n"})

	out, err, c := call(t, ks, 2, "", false, "XREAD", "BLOCK", "100", "STREAMS", "s", "nokey", "$", "$")
	if !errors.Is(err, ErrBlock) || out != "" {
		t.Fatalf("XREAD BLOCK = %q, %v", out, err)
	}
	if c.Blocked.Deadline != 1000100 || len(c.Blocked.Keys) != 2 {
		t.Fatalf("block request %+v", c.Blocked)
	}
	if got := string(c.Args[6]) + " " + string(c.Args[7]); got != "5-0 0-0" {
		t.Fatalf("$ rewritten as %q", got)
	}
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = string(a)
	}
	// Not ready yet: a re-run blocks again.
	if _, err, _ := call(t, ks, 2, "s", false, args...); !errors.Is(err, ErrBlock) {
		t.Fatalf("re-run without new data: %v", err)
	}
	expect(t, ks, []string{"XADD", "nokey", "1-0", "b", "2", "$3\r\n1-0\r\n"}, []string{"XADD", "s", "6-0", "c", "3", "$3\r\n6-0\r\n"})
	// Served from the ready key alone, even though the other has data too.
	out, err, _ = call(t, ks, 2, "s", false, args...)
	if err != nil || out != "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n" {
		t.Fatalf("served = %q, %v", out, err)
	}
	out, _, _ = call(t, ks, 3, "nokey", false, args...)
	if out != "%1\r\n$5\r\nnokey\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n" {
		t.Fatalf("served in RESP3 = %q", out)
	}

	// Inside MULTI, BLOCK times out at once.
	if out, err, _ := call(t, ks, 2, "", true, "XREAD", "BLOCK", "0", "STREAMS", "s", "$"); err != nil || out != "*-1\r\n" {
		t.Fatalf("XREAD BLOCK in MULTI = %q, %v", out, err)
	}

	// XREADGROUP: the group's last ID is read at serving time; a destroyed group or a
	// deleted key ends the wait with an error.
	expect(t, ks, []string{"XGROUP", "CREATE", "s", "g", "$", "+OK\r\n"})
	gargs := []string{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"}
	if _, err, _ := call(t, ks, 2, "", false, gargs...); !errors.Is(err, ErrBlock) {
		t.Fatalf("XREADGROUP BLOCK: %v", err)
	}
	expect(t, ks, []string{"XINFO", "GROUPS", "s", "*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n6-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n"})
	expect(t, ks, []string{"XADD", "s", "7-0", "d", "4", "$3\r\n7-0\r\n"})
	out, err, _ = call(t, ks, 2, "s", false, gargs...)
	if err != nil || !strings.Contains(out, "7-0") {
		t.Fatalf("XREADGROUP served = %q, %v", out, err)
	}
	expect(t, ks, []string{"XGROUP", "DESTROY", "s", "g", ":1\r\n"})
	if _, err, _ := call(t, ks, 2, "s", false, gargs...); err == nil || err.Error() != "NOGROUP the consumer group this client was blocked on no longer exists" {
		t.Fatalf("destroyed group: %v", err)
	}
	expect(t, ks, []string{"DEL", "s", ":1\r\n"})
	if _, err, _ := call(t, ks, 2, "s", false, gargs...); err == nil || err.Error() != "UNBLOCKED the stream key no longer exists" {
		t.Fatalf("deleted key: %v", err)
	}
}

func TestStreamCopy(t *testing.T) {
	ks, _ := frozenKS()
	expect(t, ks,
		[]string{"XADD", "s", "1-0", "a", "1", "$3\r\n1-0\r\n"},
		[]string{"XGROUP", "CREATE", "s", "g", "0", "+OK\r\n"},
		[]string{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"},
		[]string{"COPY", "s", "t", ":1\r\n"},
		[]string{"XACK", "s", "g", "1-0", ":1\r\n"},
		[]string{"XADD", "s", "2-0", "a", "2", "$3\r\n2-0\r\n"},
		[]string{"XLEN", "t", ":1\r\n"},
		[]string{"XPENDING", "t", "g", "*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n1\r\n"},
	)
}
