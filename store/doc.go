// Package store is the keyspace: numbered databases of keys, each key an Entry with a
// typed value and its metadata (expiry, LRU/LFU clock, encoding hints). It knows nothing
// of clients, commands or RESP.
//
// # Layout
//
// Every database splits its keys into 4096 slots by a 64-bit hash of the key; a slot is
// a Go map. A slot belongs to one of up to 64 lock shards (slot mod shards). The caller
// (the server's executor) locks the shards of the keys a command declares, in ascending
// order, before it touches a database, so commands on different shards run in parallel
// and a multi-key command is atomic. Store methods do not lock; they assume the caller
// holds the shard of every key they are given (LockAll for keyspace-wide work).
//
// Slots are ordered by the top bits of the hash, so SCAN's cursor is simply the hash
// of the next key to return: a key present for the whole scan is returned, whatever
// the keyspace does in between, and COUNT is honoured exactly.
//
// # The write contract
//
// Every change to a key passes through Set, Delete or Changed (or the expiry helpers
// built on them). Each of them does all a write implies: it counts the change (dirty),
// creates or removes the slot's bookkeeping, and calls the Keyspace's Hooks with the
// key and its event, which the server turns into WATCH invalidation, keyspace
// notifications, wake-ups of blocked clients and propagation. Handlers never do that
// bookkeeping by hand. Lookups do lazy expiry: a key found past its deadline is
// deleted with an "expired" event before the caller sees it. Evict removes a key the
// maxmemory policy chose, with an "evicted" event. Every value the keyspace drops
// (deleted, expired, evicted or replaced) adds its estimated size to FreedBytes, which
// the maxmemory accounting (package evict) subtracts from the heap until the garbage
// collector has freed it.
//
// Dirty (rdb_changes_since_last_save, which the save points read) follows Redis's
// count, which is per command rather than per key: one change for a key written, but
// the number of elements for the collection commands (LPUSH, SADD, HSET, ZADD, LREM,
// SORT ... STORE, ...), none for the removal of a collection its command emptied, one
// in all for a compound write (RENAME, MOVE, LMOVE), and none for expiries and
// evictions. SetN, ChangedN and DeleteN take the count; the others count one. Writes
// counts the write operations themselves, whatever they counted in Dirty, so that the
// server can tell that a call wrote.
//
// Values never alias the caller's buffers: the bytes given to a write are copied.
//
// # Access clocks
//
// Lookups refresh a key's LRU/LFU data (access.go). Each database has a second view,
// DB.NoTouch, sharing its keys, whose lookups leave that data alone: the server hands
// it to commands of CLIENT NO-TOUCH clients, so the choice costs the lookups nothing.
//
// # Snapshots
//
// A point-in-time image of the whole keyspace is taken while clients keep writing
// (snapshot.go), as Redis gets one by forking: BeginSnapshot, under every shard, marks
// the slots that hold keys; each marked slot is then handed to the snapshot exactly
// once, before anything can change it, either by the first access to it (locate, the
// walks that remove expired keys, Flush) or by Snapshot.Run walking the shards one at a
// time. Every mutation therefore starts from one of those places: a command changes a
// value in place only through an entry a lookup returned.
//
// # Memory estimates
//
// Entry.ValueMemory and Entry.MemoryUsage (size.go) estimate what Redis 7.0 would use
// for a value (and its key) in the same encoding, as MEMORY USAGE reports it:
// jemalloc's size classes, sds headers, listpack element sizes, dict buckets, quicklist
// and skiplist nodes. The figures are Redis's rather than the Go heap's so that clients
// see the numbers they know; Cinnabar's structures are close enough in size for the
// same figures to serve FreedBytes (memory.go). Collections are sampled (MEMORY USAGE's
// SAMPLES), so an estimate costs O(samples) except for listpacks, which are measured
// whole.
package store
