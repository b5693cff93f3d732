package server

import (
	"math"
	"testing"
)

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 100}, {1 << 20, 100}, {32 << 20, 100}, {64 << 20, 50}, {128 << 20, 25}, {8 << 30, 25},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

func TestMemoryLimitFor(t *testing.T) {
	const nonHeap = 5 << 20
	for _, c := range []struct {
		maxmemory, live uint64
		want            int64
	}{
		{0, 1 << 30, math.MaxInt64},                    // no maxmemory: no limit
		{100 << 20, 10 << 20, 100<<20 + nonHeap},       // collect before the heap reaches maxmemory
		{100 << 20, 96_000_000, 120_000_000 + nonHeap}, // but not more often than at +25%
		{math.MaxUint64, 0, math.MaxInt64},
	} {
		if got := memoryLimitFor(c.maxmemory, c.live, nonHeap); got != c.want {
			t.Errorf("memoryLimitFor(%d, %d) = %d, want %d", c.maxmemory, c.live, got, c.want)
		}
	}
}
