package store

import "slices"

// Whole-keyspace access for snapshots (RDB files, full resyncs): the caller holds every
// shard, or owns a keyspace nobody else sees yet (loading at start-up).

// Each calls fn for every key of the database, in no particular order, until fn
// returns false. Keys whose deadline has passed but that were not removed yet are
// included: the caller decides (a snapshot keeps them, as Redis's does).
func (db *DB) Each(fn func(key string, e *Entry) bool) {
	for i := range db.slots {
		for k, e := range db.slots[i].keys {
			if !fn(k, e) {
				return
			}
		}
	}
}

// Load adds a key read from a snapshot, replacing any value it had, without reporting
// the change: nothing watches a keyspace being loaded. The key counts as just
// accessed; RestoreAccess applies an idle time or frequency the snapshot recorded.
func (db *DB) Load(key string, e *Entry) {
	sl, sh, _ := db.locate([]byte(key))
	db.put(sl, sh, key, e, sl.keys[key])
}

// A Snapshot is a point-in-time image of the keyspace taken while clients keep
// writing, as Redis gets one by forking: BeginSnapshot, under every shard, only marks
// the slots that hold keys; then each slot is handed to the snapshot's emit function
// exactly once, before anything can change it: by Run, which walks the shards one at a
// time, or by the first access to the slot after the snapshot began (locate, and the
// walks that remove expired keys), whichever comes first. A write therefore costs at
// most the emission of its slot, and no lock is held for the whole image.
//
// emit runs with the slot's shard held; it must not call back into the store, and it
// must be done with the entry when it returns (the entry may change right after).
// db is the database's number when the snapshot began (SWAPDB later does not move
// its keys in the image).
type Snapshot struct {
	ks   *Keyspace
	emit func(db, shard int, key string, e *Entry)
	dbs  []*DB // the databases at the start, by number
}

// BeginSnapshot starts a snapshot; the caller holds every shard. A snapshot still
// running is completed first (its remaining slots emitted now): one runs at a time.
func (ks *Keyspace) BeginSnapshot(emit func(db, shard int, key string, e *Entry)) *Snapshot {
	if old := ks.snap; old != nil {
		for _, db := range old.dbs {
			old.emitDB(db)
		}
	}
	s := &Snapshot{ks: ks, emit: emit, dbs: slices.Clone(ks.dbs)}
	for i, db := range s.dbs {
		db.snapIndex, db.other.snapIndex = i, i
		for j := range db.slots {
			db.slots[j].pending = len(db.slots[j].keys) > 0
		}
	}
	ks.snap = s
	return s
}

// Run emits every slot not emitted yet, holding one shard at a time, and ends the
// snapshot. The caller holds no shard.
func (s *Snapshot) Run() {
	ks := s.ks
	for sh := range ks.shards {
		for _, db := range s.dbs {
			ks.Lock(1 << sh)
			if ks.snap == s {
				for slot := sh; slot < numSlots; slot += len(ks.shards) {
					db.emitSlot(slot)
				}
			}
			ks.Unlock(1 << sh)
		}
	}
	all := ks.AllShards()
	ks.Lock(all)
	if ks.snap == s {
		ks.snap = nil
	}
	ks.Unlock(all)
}

// emitDB emits every pending slot of db; the caller holds every shard.
func (s *Snapshot) emitDB(db *DB) {
	for slot := range db.slots {
		db.emitSlot(slot)
	}
}

// emitSlot hands slot s to the running snapshot if it has not had it; the caller holds
// the slot's shard.
func (db *DB) emitSlot(s int) {
	sl := &db.slots[s]
	if !sl.pending {
		return
	}
	sl.pending = false
	snap, shard := db.ks.snap, s&int(db.ks.mask)
	for k, e := range sl.keys {
		snap.emit(db.snapIndex, shard, k, e)
	}
}
