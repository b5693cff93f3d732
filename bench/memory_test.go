package bench

import (
	"runtime"
	"testing"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/store"
)

// liveHeap returns the bytes of live heap after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMemoryPerKey reports the live heap per string key (the metric "B/key", after
// a forced GC, so garbage is excluded), for b.N keys of 100-byte values: in the store
// alone, and through an in-process server loaded over TCP (which adds whatever the
// server keeps per key). compare.sh measures the same thing from outside, with garbage.
// Run it with a fixed count: go test -run '^$' -bench MemoryPerKey -benchtime 1000000x ./bench/
func BenchmarkMemoryPerKey(b *testing.B) {
	val := value(100)
	b.Run("store", func(b *testing.B) {
		keys := keyNames(b.N)
		before := liveHeap()
		b.ResetTimer()
		ks := store.New(16, store.MaxShards, &clock.Clock{})
		db := ks.DB(0)
		for _, k := range keys {
			db.Set(k, store.NewString(val), store.Event{})
		}
		b.StopTimer()
		after := liveHeap()
		b.ReportMetric(float64(after-before)/float64(b.N), "B/key")
		runtime.KeepAlive(ks)
	})
	b.Run("server", func(b *testing.B) {
		srv := startServer(b, 0)
		keys := keyNames(b.N)
		before := liveHeap()
		b.ResetTimer()
		fill(b, srv.Addr().String(), keys, val)
		b.StopTimer()
		after := liveHeap()
		b.ReportMetric(float64(int64(after)-int64(before))/float64(b.N), "B/key")
		b.Logf("%d keys: live heap %.1f MiB", b.N, float64(after)/(1<<20))
	})
}
