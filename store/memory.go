package store

import "unsafe"

// Memory estimates. Go cannot say how many bytes an object graph holds, so what a key
// costs is estimated from its shape: MEMORY USAGE reports the estimate, and the keyspace
// counts the estimate of every value it drops (FreedBytes) so that the eviction
// accounting (package evict) sees memory go down before the garbage collector frees it.

// Size estimates, in bytes, of what a key costs beside its value: the map slot (string
// header and entry pointer), the key's bytes and the 32-byte Entry.
const (
	// KeySlotOverhead is a key's share of its slot's map.
	KeySlotOverhead = 24 + 8
	entryOverhead   = int(unsafe.Sizeof(Entry{}))
	// freedSamples is how many elements of a dropped collection are sampled to
	// estimate its size, as MEMORY USAGE does by default.
	freedSamples = 5
)

// allocSize rounds n up to a plausible allocation size class.
func allocSize(n int) int {
	switch {
	case n == 0:
		return 0
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	case n <= 1024:
		return (n + 127) &^ 127
	}
	return (n + 4095) &^ 4095
}

// sampler estimates a collection's element bytes from up to samples elements (0: all),
// as MEMORY USAGE's SAMPLES option does.
type sampler struct {
	samples, seen, bytes int
}

func (sm *sampler) add(n int) bool {
	sm.seen++
	sm.bytes += n
	return sm.samples == 0 || sm.seen < sm.samples
}

func (sm *sampler) estimate(total int) int {
	if sm.seen == 0 {
		return 0
	}
	return sm.bytes * total / sm.seen
}

// ValueMemory estimates the bytes a value holds, sampling up to samples elements of a
// collection (0: all). Strings and lists are measured (the list type reports its own
// node buffers); hashes, sets and sorted sets have no accounting of their own yet, so
// their element sizes are sampled and a per-element overhead for the encoding (compact
// or table) is added; streams get a flat guess.
func (e *Entry) ValueMemory(samples int) int {
	sm := sampler{samples: samples}
	switch e.typ {
	case TypeString:
		if e.Encoding() == "int" {
			return 0
		}
		return allocSize(int(e.n))
	case TypeList:
		return e.List().MemoryUsage()
	case TypeHash:
		h := e.Hash()
		per := 4
		if h.Encoding() == "hashtable" {
			per = 40
		}
		h.Range(func(f, v []byte) bool { return sm.add(len(f) + len(v) + per) })
		return 64 + sm.estimate(h.Len())
	case TypeSet:
		st := e.SetValue()
		if st.Encoding() == "intset" {
			return 32 + 8*st.Len()
		}
		st.Range(func(m []byte) bool { return sm.add(len(m) + 32) })
		return 64 + sm.estimate(st.Len())
	case TypeZSet:
		z := e.ZSet()
		per := 10
		if z.Encoding() == "skiplist" {
			per = 72
		}
		z.Range(0, z.Len(), false, func(m []byte, _ float64) bool { return sm.add(len(m) + per) })
		return 64 + sm.estimate(z.Len())
	}
	return 256
}

// MemoryUsage estimates what a key of keyLen bytes holding e costs: its slot, its bytes,
// the entry and the value (MEMORY USAGE).
func (e *Entry) MemoryUsage(keyLen, samples int) int {
	return KeySlotOverhead + allocSize(keyLen) + entryOverhead + e.ValueMemory(samples)
}

// FreedBytes is the estimated size of every value the keyspace has dropped since it was
// created (deleted, expired, evicted or overwritten keys), a running total. A flush
// is not counted: see Flushes.
func (ks *Keyspace) FreedBytes() int64 {
	var t int64
	for i := range ks.shards {
		t += ks.shards[i].freed.Load()
	}
	return t
}

// Flushes counts FLUSHDB and FLUSHALL calls (each database emptied counts once): they
// drop values wholesale, without estimating them.
func (ks *Keyspace) Flushes() uint64 { return ks.flushes.Load() }

// dropped records that the keyspace no longer holds e under one of its keys (keyLen
// bytes long; 0 when the key itself stays, as when a value is replaced) and returns the
// bytes counted as freed. An entry stored under two keys for a moment (RENAME and MOVE
// store it under the new key before removing the old one) is counted only when its last
// key lets go of it.
func (sh *shard) dropped(e *Entry, keyLen int) int64 {
	if e.refs--; e.refs > 0 {
		return 0
	}
	n := e.ValueMemory(freedSamples) + entryOverhead
	if keyLen > 0 {
		n += KeySlotOverhead + allocSize(keyLen)
	}
	sh.freed.Add(int64(n))
	return int64(n)
}
