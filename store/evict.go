package store

import "math/rand/v2"

// What the maxmemory policies (package evict) need of the keyspace: samples of keys to
// rank, and a removal that does what every write does.

// SampleKeys calls fn with up to n keys of the database (only keys with a TTL when
// volatile), taken from consecutive slots starting at a random one, as Redis samples
// neighbouring buckets. Keys past their deadline but not yet removed are sampled too.
// The caller holds every shard and must not change the database from fn.
func (db *DB) SampleKeys(n int, volatile bool, fn func(key string, e *Entry)) {
	start := rand.IntN(numSlots)
	for i := 0; i < numSlots && n > 0; i++ {
		sl := &db.slots[(start+i)%numSlots]
		if len(sl.keys) == 0 || (volatile && sl.volatile == 0) {
			continue
		}
		for k, e := range sl.keys {
			if volatile && e.expireAt == 0 {
				continue
			}
			fn(k, e)
			if n--; n == 0 {
				break
			}
		}
	}
}

// Evict removes key because the maxmemory policy chose it (only if it has a TTL when
// volatile): it reports "evicted", counts the key in the evicted statistic and returns
// the bytes it is estimated to free. The caller holds the key's shard.
func (db *DB) Evict(key string, volatile bool) (freed int64, ok bool) {
	b := []byte(key)
	sl, sh, _ := db.locate(b)
	e := sl.keys[key]
	if e == nil || (volatile && e.expireAt == 0) {
		return 0, false
	}
	freed = db.remove(sl, sh, b)
	sh.stats.Evicted++ // not a change in Dirty: Redis counts none for evictions
	db.ks.hooks.KeyChanged(db.index, b, EvEvicted)
	return freed, true
}
