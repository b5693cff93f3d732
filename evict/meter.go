package evict

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/store"
)

// The meter's freshness: the fast path trusts the last reading for this long, or until
// commands carrying this many bytes were admitted since.
const (
	refreshAfter = time.Millisecond
	refreshBytes = 64 << 10
	// oomGCMinBytes is how much must have been allocated since the last collection
	// before an out-of-memory answer waits for a new one.
	oomGCMinBytes = 1 << 20
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
	sinceGC uint64 // heap bytes allocated since the last collection: new data or garbage
	flushed bool   // a database was emptied since: its values are not in FreedBytes
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
	r := reading{used: heap, flushed: flushes != m.flushBase}
	if d := uint64(freed - m.freedBase); d < heap {
		r.used = heap - d
	} else {
		r.used = 0
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

// settle measures used memory for an eviction decision: after a flush, whose values the
// keyspace does not estimate, it waits for a collection first.
func (m *Meter) settle() reading {
	r := m.read()
	if r.flushed {
		runtime.GC()
		r = m.read()
	}
	return r
}

// confirmOOM measures again before an out-of-memory answer, after a collection if the
// garbage allocated since the last one could account for the excess over limit: a
// command is refused only for live data, and persistent refusals cost at most one
// collection per oomGCMinBytes allocated.
func (m *Meter) confirmOOM(r reading, limit uint64) reading {
	if r.used > limit && r.sinceGC >= max(r.used-limit, oomGCMinBytes) {
		runtime.GC()
		return m.read()
	}
	return r
}
