package evict

import (
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/store"
)

const (
	// The meter's freshness: the fast path trusts the last reading for this long, or
	// until commands carrying this many bytes were admitted since.
	refreshAfter = time.Millisecond
	refreshBytes = 64 << 10
	// A collection is due, over the limit, once the heap has grown by gcDuePercent of
	// maxmemory since the last one (the GC tuner's minimum GC percent), and at least
	// by gcDueMinBytes.
	gcDuePercent  = 25
	gcDueMinBytes = 1 << 20
	// syncGCMaxLive is the largest live heap the evictor collects synchronously, in a
	// few milliseconds at most; larger heaps are collected in the background.
	syncGCMaxLive = 64 << 20
)

// Meter measures used memory: the Go heap's objects minus the estimated size of the
// values the keyspace dropped since the last garbage collection (see the package
// documentation).
type Meter struct {
	ks *store.Keyspace

	mu        sync.Mutex // guards the reading state below
	samples   []metrics.Sample
	gcCycles  uint64 // collections completed at the last reading
	freedBase int64  // ks.FreedBytes() when that collection was first seen
	flushBase uint64 // ks.Flushes() then

	used     atomic.Uint64 // the last reading
	readAt   atomic.Int64  // its time, unix nanoseconds
	admitted atomic.Int64  // bytes of the commands admitted since
}

// reading is one measurement.
type reading struct {
	used    uint64
	live    uint64 // the live heap at the last collection
	sinceGC uint64 // heap bytes allocated since the last collection: new data or garbage
	dropped uint64 // estimated bytes of the values dropped since: still in the heap
	flushed bool   // a database was emptied since: its values are not in FreedBytes
}

// gcDue says whether a collection should run, given limit: the heap has grown enough
// since the last one that garbage may be part of any excess over the limit, or holds
// enough dropped values (evicted ones, say) that the process's memory is well above
// what the meter reports, or a flush dropped values the keyspace did not estimate.
func (r reading) gcDue(limit uint64) bool {
	due := max(limit/100*gcDuePercent, gcDueMinBytes)
	return r.flushed || r.sinceGC >= due || r.dropped >= due
}

func newMeter(ks *store.Keyspace) *Meter {
	return &Meter{ks: ks, samples: []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}}
}

// Used measures used memory now (INFO's used_memory). It does not stop the world.
func (m *Meter) Used() uint64 { return m.read().used }

func (m *Meter) read() reading {
	m.mu.Lock()
	defer m.mu.Unlock()
	metrics.Read(m.samples)
	heap, live, cycles := m.samples[0].Value.Uint64(), m.samples[1].Value.Uint64(), m.samples[2].Value.Uint64()
	freed, flushes := m.ks.FreedBytes(), m.ks.Flushes()
	if cycles != m.gcCycles { // a collection completed: what it freed left the heap figure
		m.gcCycles, m.freedBase, m.flushBase = cycles, freed, flushes
	}
	r := reading{live: live, dropped: uint64(freed - m.freedBase), flushed: flushes != m.flushBase}
	if r.dropped < heap {
		r.used = heap - r.dropped
	}
	if heap > live {
		r.sinceGC = heap - live
	}
	m.used.Store(r.used)
	m.readAt.Store(time.Now().UnixNano())
	m.admitted.Store(0)
	return r
}

// estimate is the fast path's figure: the last reading plus the bytes of the commands
// admitted since (incoming is this command's), measured afresh when stale.
func (m *Meter) estimate(incoming int) uint64 {
	adm := m.admitted.Add(int64(incoming))
	if adm >= refreshBytes || time.Now().UnixNano()-m.readAt.Load() >= int64(refreshAfter) {
		return m.read().used
	}
	return m.used.Load() + uint64(adm)
}
