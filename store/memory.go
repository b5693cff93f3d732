package store

// Memory accounting for eviction. Go cannot say how many bytes an object graph holds,
// so what a key costs is estimated from its shape (size.go: the figures MEMORY USAGE
// reports), and the keyspace counts the estimate of every value it drops (FreedBytes)
// so that the eviction accounting (package evict) sees memory go down before the
// garbage collector frees it.

// freedSamples is how many elements of a dropped collection are sampled to estimate
// its size, as MEMORY USAGE does by default.
const freedSamples = 5

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
	n := e.ValueMemory(freedSamples)
	if keyLen > 0 {
		n += keyMemory(keyLen)
	}
	sh.freed.Add(int64(n))
	return int64(n)
}
