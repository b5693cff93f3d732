package command

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// bulkValue extracts the value of a raw bulk-string reply.
func bulkValue(raw string) string {
	_, v, _ := strings.Cut(raw, "\r\n")
	return strings.TrimSuffix(v, "\r\n")
}

// TestRestoreTTL covers the deadlines RESTORE computes on a frozen clock: relative
// and absolute, one already past (nothing is stored), one that overflows (Redis's sum
// wraps negative, so the key counts as expired), and a key that expired meanwhile
// (no longer in the way).
func TestRestoreTTL(t *testing.T) {
	ks, clk := frozenKS()
	now := clk.UnixMilli()
	run(t, ks, "set", "src", "v")
	payload := bulkValue(run(t, ks, "dump", "src"))
	expect(t, ks,
		[]string{"restore", "rel", "1500", payload, "+OK\r\n"},
		[]string{"pexpiretime", "rel", ":" + strconv.FormatInt(now+1500, 10) + "\r\n"},
		[]string{"restore", "abs", strconv.FormatInt(now+1, 10), payload, "absttl", "+OK\r\n"},
		[]string{"pexpiretime", "abs", ":" + strconv.FormatInt(now+1, 10) + "\r\n"},
		[]string{"restore", "past", strconv.FormatInt(now, 10), payload, "absttl", "+OK\r\n"},
		[]string{"exists", "past", ":0\r\n"},
		[]string{"restore", "huge", "9223372036854775807", payload, "+OK\r\n"},
		[]string{"exists", "huge", ":0\r\n"},
		[]string{"restore", "huge", "9223372036854775807", payload, "absttl", "+OK\r\n"},
		[]string{"pexpiretime", "huge", ":9223372036854775807\r\n"},
	)
	clk.Advance(1500 * time.Millisecond)
	expect(t, ks,
		[]string{"restore", "rel", "0", payload, "+OK\r\n"},
		[]string{"ttl", "rel", ":-1\r\n"},
	)
}

// TestRestoreIdleTime checks the LRU clock a restored key gets, exactly, on a frozen
// clock (at 1000 s, so the 24-bit LRU clock reads 1000): an idle time the clock can
// express, and one it cannot, which Redis pins half a clock period back (the idle
// time then reads 1000 + LRU_CLOCK_MAX - (1000 + LRU_CLOCK_MAX/2) = 8388608).
func TestRestoreIdleTime(t *testing.T) {
	ks, clk := frozenKS()
	run(t, ks, "set", "src", "v")
	payload := bulkValue(run(t, ks, "dump", "src"))
	expect(t, ks,
		[]string{"restore", "k", "0", payload, "idletime", "600", "+OK\r\n"},
		[]string{"object", "idletime", "k", ":600\r\n"},
		[]string{"restore", "long", "0", payload, "idletime", "3600", "+OK\r\n"},
		[]string{"object", "idletime", "long", ":8388608\r\n"},
		[]string{"restore", "fresh", "0", payload, "+OK\r\n"},
		[]string{"object", "idletime", "fresh", ":0\r\n"},
	)
	clk.Advance(10 * time.Second)
	expect(t, ks, []string{"object", "idletime", "k", ":610\r\n"})
}
