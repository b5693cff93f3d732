package store

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
