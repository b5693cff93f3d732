package store

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMallocSize(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 8, 8: 8, 9: 16, 17: 32, 33: 48, 128: 128, 129: 160, 257: 320,
		1000: 1024, 1025: 1280, 4096: 4096, 4097: 5120, 100005: 114688} {
		require.Equal(t, want, mallocSize(n), "%d bytes", n)
	}
}

// TestMemoryUsageFigures: figures the reference (Redis 7.0.15) reports for MEMORY USAGE.
func TestMemoryUsageFigures(t *testing.T) {
	ks, _, _ := newTestKeyspace()
	lim := ks.DB(0).Limits()
	list := func(vals ...string) *Entry {
		l := NewList(-2)
		for _, v := range vals {
			l.PushBack([]byte(v))
		}
		return NewListEntry(l)
	}
	hash := func(n int) *Entry {
		e := NewHash()
		for i := 1; i <= n; i++ {
			e.Hash().Set([]byte("field:"+strconv.Itoa(i)), []byte("value:"+strconv.Itoa(i)), lim)
		}
		return e
	}
	set := func(members ...string) *Entry {
		e := NewSet()
		for _, m := range members {
			e.SetValue().Add([]byte(m), lim)
		}
		return e
	}
	for _, c := range []struct {
		name string
		key  string
		e    *Entry
		want int
	}{
		{"int", "s", NewString([]byte("12345")), 48},
		{"embstr", "s", NewString([]byte("hello")), 64},
		{"embstr 44", "s", NewString([]byte(strings.Repeat("v", 44))), 96},
		{"raw 45", "s", NewString([]byte(strings.Repeat("v", 45))), 112},
		{"raw 1000", "s", NewString([]byte(strings.Repeat("v", 1000))), 1072},
		{"key of 30", strings.Repeat("k", 30), NewString([]byte("hello")), 88},
		{"key of 100", strings.Repeat("k", 100), NewString([]byte("hello")), 168},
		{"list", "l1", list("a"), 144},
		{"list of 2", "l2", list("hello", "world"), 160},
		{"list of integers", "l3", list("1", "2", "3"), 144},
		{"hash listpack", "H", hash(10), 240},
		{"hash hashtable", "H", hash(1000), 64296},
		{"intset", "s1", set("1", "2", "3"), 64},
		{"intset 32", "s2", set("1", "2", "100000"), 80},
		{"set", "s3", set("a"), 168},
	} {
		require.Equal(t, c.want, c.e.MemoryUsage(len(c.key), 0), c.name)
	}
}

// TestStringGrowthFollowsSDS: an appended string has the capacity Redis's sds would
// have, which DEBUG SDSLEN and MEMORY USAGE report.
func TestStringGrowthFollowsSDS(t *testing.T) {
	e := NewString([]byte("abcdefghij"))
	st, ok := e.StringSDS()
	require.True(t, ok)
	require.Equal(t, SDSStats{10, 0, 16}, st) // embedded: the allocation after the header
	copy(e.Grow(20)[10:], "abcdefghij")
	st, _ = e.StringSDS()
	require.Equal(t, SDSStats{20, 24, 48}, st)
	require.Equal(t, SDSStats{40, 4, 48}, KeySDS([]byte(strings.Repeat("k", 40))))
	require.Equal(t, SDSStats{1, 0, 8}, KeySDS([]byte("s")))
	_, ok = NewString([]byte("123")).StringSDS()
	require.False(t, ok, "an integer has no sds")
	_, ok = NewListEntry(NewList(-2)).StringSDS()
	require.False(t, ok)
	require.Equal(t, 252, sdsGrowCap(250))
	require.Equal(t, 255, sdsGrowCap(255), "an 8-bit header caps the capacity")
}

func TestDictBuckets(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 4, 4: 4, 5: 8, 512: 512, 513: 1024} {
		require.Equal(t, want, DictBuckets(n), "%d entries", n)
	}
}
