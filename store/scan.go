package store

import (
	"hash/maphash"
	"slices"
)

// ScanFilter selects the keys Scan returns; nil fields select everything.
type ScanFilter struct {
	Match func(key string) bool
	Type  *Type
}

// Scan returns up to count keys whose hash is at or after cursor, in hash order, and
// the cursor to continue from (0 when the scan is complete). count bounds the keys
// examined, as in Redis: the filter may leave fewer. It filters in Redis's order, with
// Redis's side effects: the pattern, then the type, read with a lookup (a keyspace hit,
// or a miss for an expired key), then expiry; an expired key that passes the pattern is
// deleted, as a lookup would. The caller holds every shard.
func (db *DB) Scan(cursor uint64, count int, f ScanFilter) (next uint64, keys []string) {
	type hk struct {
		h uint64
		k string
	}
	var batch []hk
	now := db.expiryNow(&db.ks.shards[0]) // frozen alike in every shard
	for s := cursor >> (64 - slotBits); s < numSlots; s++ {
		sl := &db.slots[s]
		db.emitSlot(int(s)) // it may remove expired keys
		batch = batch[:0]
		for k := range sl.keys {
			if h := maphash.String(db.ks.seed, k); h >= cursor {
				batch = append(batch, hk{h, k})
			}
		}
		slices.SortFunc(batch, func(a, b hk) int {
			switch {
			case a.h < b.h:
				return -1
			case a.h > b.h:
				return 1
			}
			return 0
		})
		sh := &db.ks.shards[s&db.ks.mask]
		for _, c := range batch {
			if count == 0 {
				return c.h, keys
			}
			count--
			if f.Match != nil && !f.Match(c.k) {
				continue
			}
			if f.Type != nil {
				if e := db.LookupNoTouch([]byte(c.k)); e == nil || e.typ != *f.Type {
					continue
				}
			} else if e := sl.keys[c.k]; e.expireAt != 0 && e.expireAt <= now {
				db.expire(sl, sh, []byte(c.k))
				continue
			}
			keys = append(keys, c.k)
		}
		cursor = (s + 1) << (64 - slotBits)
	}
	return 0, keys
}

// Keys returns every live key that match accepts (all when match is nil).
// The caller holds every shard.
func (db *DB) Keys(match func(string) bool) []string {
	var out []string
	now := db.expiryNow(&db.ks.shards[0]) // frozen alike in every shard
	for s := range db.slots {
		for k, e := range db.slots[s].keys {
			if e.expireAt != 0 && e.expireAt <= now {
				continue
			}
			if match == nil || match(k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// ExpireSlot is one step of the active expiry cycle: it removes the expired keys of
// slot s and reports how many keys with a TTL it looked at, how many it removed and the
// sum of the remaining TTLs it saw (for INFO's avg_ttl). The caller holds the slot's
// shard (see SlotShard).
func (db *DB) ExpireSlot(s int, now int64) (sampled, expired int, ttlSum int64) {
	sl := &db.slots[s]
	if sl.volatile == 0 {
		return 0, 0, 0
	}
	db.emitSlot(s)
	sh := &db.ks.shards[uint64(s)&db.ks.mask]
	for k, e := range sl.keys {
		if e.expireAt == 0 {
			continue
		}
		sampled++
		if e.expireAt <= now {
			db.expire(sl, sh, []byte(k))
			expired++
		} else {
			ttlSum += e.expireAt - now
		}
	}
	return
}

// Slots is the number of slots in a database, for callers that walk them.
const Slots = numSlots

// SlotShard returns the lock-shard mask covering slot s.
func (ks *Keyspace) SlotShard(s int) uint64 { return 1 << (uint64(s) & ks.mask) }
