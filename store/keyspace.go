package store

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/clock"
)

const (
	slotBits = 12
	numSlots = 1 << slotBits
	// MaxShards bounds the number of lock shards, so a set of shards fits a uint64.
	MaxShards = 64
)

// Class is a keyspace-notification class, as notify-keyspace-events spells them.
type Class uint16

// Notification classes.
const (
	ClassGeneric Class = 1 << iota // g
	ClassString                    // $
	ClassList                      // l
	ClassSet                       // s
	ClassHash                      // h
	ClassZSet                      // z
	ClassExpired                   // x
	ClassEvicted                   // e
	ClassStream                    // t
	ClassNew                       // n
	ClassMiss                      // m
)

// Event names a change to a key: its notification class and event name.
type Event struct {
	Class Class
	Name  string
}

// Events the store itself emits.
var (
	EvDel     = Event{ClassGeneric, "del"}
	EvExpired = Event{ClassExpired, "expired"}
	EvEvicted = Event{ClassEvicted, "evicted"}
	EvNew     = Event{ClassNew, "new"}
)

// Limits are the size thresholds at which compact encodings convert to general ones
// (hash-max-listpack-entries and friends). The server updates them from the config.
type Limits struct {
	HashMaxListpackEntries, HashMaxListpackValue atomic.Int64
	SetMaxIntsetEntries                          atomic.Int64
	ZSetMaxListpackEntries, ZSetMaxListpackValue atomic.Int64
	ListMaxListpackSize, ListCompressDepth       atomic.Int64
	// StreamNodeMaxBytes and StreamNodeMaxEntries decide when XADD closes a stream's
	// tail node; they are read at every XADD, so a change applies from the next one.
	StreamNodeMaxBytes, StreamNodeMaxEntries atomic.Int64
	// RDBCompression is rdbcompression: whether DUMP payloads (and RDB files)
	// LZF-compress long strings.
	RDBCompression atomic.Bool
}

// Hooks receives every change the keyspace makes. Its methods are called with the
// affected shards locked, so they must not call back into the store.
type Hooks interface {
	// KeyChanged reports a write to key in database db. key is only valid during the call.
	KeyChanged(db int, key []byte, ev Event)
	// DBReplacing is called just before a whole database is emptied (FLUSHDB, FLUSHALL)
	// or swapped with other (SWAPDB; other is -1 for a flush), so the receiver can still
	// see which keys exist in both.
	DBReplacing(db, other int)
}

type noHooks struct{}

func (noHooks) KeyChanged(int, []byte, Event) {}
func (noHooks) DBReplacing(int, int)          {}

// Stats counts keyspace activity, per shard (guarded by the shard lock).
type Stats struct {
	Hits, Misses, Expired, Evicted, Dirty int64
}

type shard struct {
	mu     sync.Mutex
	stats  Stats
	writes int64 // write operations by commands, whatever they counted in Dirty: see Writes
	// freed is the estimated size of the values dropped here (FreedBytes).
	freed atomic.Int64
	// frozen, while not 0, is the time (unix ms) by which the shard's keys expire: a
	// transaction or script judges every key by the time it began (Keyspace.Freeze).
	frozen int64
	_      [64]byte // keep shards on separate cache lines
}

// wrote counts one write operation by a command, which Redis counts as n changes.
func (sh *shard) wrote(n int64) {
	sh.stats.Dirty += n
	sh.writes++
}

// Keyspace holds the databases and the lock shards over them.
type Keyspace struct {
	seed   maphash.Seed
	shards []shard
	mask   uint64 // shards-1
	dbs    []*DB
	snap   *Snapshot // the one running, or nil; changed with every shard held (snapshot.go)
	// volatile counts, per database index, the keys with a deadline: atomic, so the
	// expiry cycle reads it without locks (SwapDB swaps the counts with the databases).
	volatile []atomic.Int64
	Clock    *clock.Clock
	hooks    Hooks
	lfu      atomic.Bool
	lru      atomic.Uint32 // the LRU clock, refreshed by Tick rather than read per lookup
	// Limits holds the encoding thresholds, read by the types' write paths.
	Limits Limits
	// LFUParams holds the LFU policy's parameters.
	LFUParams LFUParams
	// KeepExpired, set on a replica, makes lookups report a key past its deadline as
	// missing without removing it: only the master's DEL removes it (Redis 7.0).
	KeepExpired atomic.Bool
	// flushes counts the databases emptied by Flush (Flushes).
	flushes atomic.Uint64
}

// Tick refreshes the cached LRU clock; the server calls it hz times a second, as Redis's
// cron does, so lookups need not read the time.
func (ks *Keyspace) Tick() { ks.lru.Store(lruClock(ks.Clock.UnixMilli())) }

// SetLFU says whether access metadata is kept as LFU counters (an LFU maxmemory
// policy) rather than LRU clocks.
func (ks *Keyspace) SetLFU(on bool) { ks.lfu.Store(on) }

// LFU reports whether access metadata is kept as LFU counters.
func (ks *Keyspace) LFU() bool { return ks.lfu.Load() }

// New returns a keyspace of n databases with the given number of lock shards (a power
// of two from 1 to MaxShards), reading time from clk.
func New(databases, shards int, clk *clock.Clock) *Keyspace {
	if shards < 1 || shards > MaxShards || shards&(shards-1) != 0 {
		panic("store: shard count must be a power of two in [1, 64]")
	}
	ks := &Keyspace{seed: maphash.MakeSeed(), shards: make([]shard, shards), mask: uint64(shards - 1), Clock: clk, hooks: noHooks{}}
	ks.Tick()
	ks.Limits.HashMaxListpackEntries.Store(512)
	ks.Limits.HashMaxListpackValue.Store(64)
	ks.Limits.SetMaxIntsetEntries.Store(512)
	ks.Limits.ZSetMaxListpackEntries.Store(128)
	ks.Limits.ZSetMaxListpackValue.Store(64)
	ks.Limits.ListMaxListpackSize.Store(-2)
	ks.Limits.StreamNodeMaxBytes.Store(4096)
	ks.Limits.StreamNodeMaxEntries.Store(100)
	ks.Limits.RDBCompression.Store(true)
	ks.LFUParams.LogFactor.Store(10)
	ks.LFUParams.DecayTime.Store(1)
	ks.dbs = make([]*DB, databases)
	ks.volatile = make([]atomic.Int64, databases)
	for i := range ks.dbs {
		db := &DB{ks: ks, index: i, slots: new([numSlots]slot)}
		db.other = &DB{ks: ks, index: i, slots: db.slots, noTouch: true, other: db}
		ks.dbs[i] = db
	}
	return ks
}

// SetHooks installs the receiver of keyspace changes.
func (ks *Keyspace) SetHooks(h Hooks) { ks.hooks = h }

// DB returns database i; the caller has checked the range.
func (ks *Keyspace) DB(i int) *DB { return ks.dbs[i] }

// Databases returns the number of databases.
func (ks *Keyspace) Databases() int { return len(ks.dbs) }

// Shards returns the number of lock shards.
func (ks *Keyspace) Shards() int { return len(ks.shards) }

func (ks *Keyspace) hash(key []byte) uint64 { return maphash.Bytes(ks.seed, key) }

// ShardOf returns the lock shard of key.
func (ks *Keyspace) ShardOf(key []byte) int {
	return int((ks.hash(key) >> (64 - slotBits)) & ks.mask)
}

// AllShards is the mask of every shard.
func (ks *Keyspace) AllShards() uint64 {
	return ^uint64(0) >> (64 - len(ks.shards))
}

// Lock locks the shards in mask, in ascending order.
func (ks *Keyspace) Lock(mask uint64) {
	for m := mask; m != 0; m &= m - 1 {
		ks.shards[bits.TrailingZeros64(m)].mu.Lock()
	}
}

// Freeze makes the keys of the shards in mask expire by the time now rather than by
// the clock until Thaw, as Redis 7.0 judges expiry inside a transaction or script by
// the time it began: a key whose deadline passes meanwhile lives until the end. The
// caller holds the shards.
func (ks *Keyspace) Freeze(mask uint64, now int64) {
	for m := mask; m != 0; m &= m - 1 {
		ks.shards[bits.TrailingZeros64(m)].frozen = now
	}
}

// Thaw ends Freeze for the shards in mask; the caller holds them.
func (ks *Keyspace) Thaw(mask uint64) { ks.Freeze(mask, 0) }

// Unlock unlocks the shards in mask.
func (ks *Keyspace) Unlock(mask uint64) {
	for m := mask; m != 0; m &= m - 1 {
		ks.shards[bits.TrailingZeros64(m)].mu.Unlock()
	}
}

// Stats sums the per-shard counters; the caller holds every shard.
func (ks *Keyspace) Stats() Stats {
	var t Stats
	for i := range ks.shards {
		s := &ks.shards[i]
		t.Hits += s.stats.Hits
		t.Misses += s.stats.Misses
		t.Expired += s.stats.Expired
		t.Evicted += s.stats.Evicted
		t.Dirty += s.stats.Dirty
	}
	return t
}

// Writes counts the write operations commands made on the keys of the shards in mask,
// even those Redis counts as no change in Dirty, and leaving out expiries and evictions
// (those are reported through Hooks as deletions of their own). The caller holds those
// shards; comparing two readings tells whether a call wrote.
func (ks *Keyspace) Writes(mask uint64) int64 {
	var n int64
	for m := mask; m != 0; m &= m - 1 {
		n += ks.shards[bits.TrailingZeros64(m)].writes
	}
	return n
}

// ResetStats zeroes the hit, miss, expired and evicted counters (CONFIG RESETSTAT);
// the caller holds every shard.
func (ks *Keyspace) ResetStats() {
	for i := range ks.shards {
		s := &ks.shards[i]
		s.stats = Stats{Dirty: s.stats.Dirty}
	}
}

// SwapDB exchanges the contents of databases a and b; the caller holds every shard.
func (ks *Keyspace) SwapDB(a, b int) {
	ks.hooks.DBReplacing(a, b)
	ks.dbs[a], ks.dbs[b] = ks.dbs[b], ks.dbs[a]
	va, vb := ks.volatile[a].Load(), ks.volatile[b].Load()
	ks.volatile[a].Store(vb)
	ks.volatile[b].Store(va)
	ks.dbs[a].index, ks.dbs[a].other.index = a, a
	ks.dbs[b].index, ks.dbs[b].other.index = b, b
	ks.shards[0].wrote(1)
}

// DB is one numbered database. Each database has two views sharing its slots: the
// one Keyspace.DB returns, and the NoTouch view, whose lookups leave the keys' access
// clocks alone (CLIENT NO-TOUCH). The view is chosen once per call, so the lookups
// pay nothing for the choice.
type DB struct {
	ks      *Keyspace
	slots   *[numSlots]slot
	index   int
	noTouch bool
	other   *DB // the other view of the same database
	// snapIndex is the database's number when the running snapshot began (both views).
	snapIndex int
}

// Volatile returns how many keys of database i have a deadline. It takes no lock (the
// expiry cycle skips a database without any, and walks every slot of one with few).
func (ks *Keyspace) Volatile(i int) int64 { return ks.volatile[i].Load() }

// NoTouch returns the view of db whose lookups do not refresh the access clock.
func (db *DB) NoTouch() *DB {
	if db.noTouch {
		return db
	}
	return db.other
}

type slot struct {
	keys     map[string]*Entry
	volatile int32 // keys in this slot with an expiry
	pending  bool  // the running snapshot has not had this slot yet (snapshot.go)
}

// Limits returns the keyspace's encoding thresholds.
func (db *DB) Limits() *Limits { return &db.ks.Limits }

// Index returns the database's number.
func (db *DB) Index() int { return db.index }

func (db *DB) locate(key []byte) (*slot, *shard, uint64) {
	h := db.ks.hash(key)
	s := h >> (64 - slotBits)
	sl := &db.slots[s]
	if sl.pending { // whatever the caller does next, a snapshot has the slot as it was
		db.emitSlot(int(s))
	}
	return sl, &db.ks.shards[s&db.ks.mask], h
}

func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Now returns the keyspace clock in unix milliseconds.
func (db *DB) Now() int64 { return db.ks.Clock.UnixMilli() }

// expired reports whether e, a key of shard sh, has expired: by the frozen time while
// a transaction or script runs (Freeze), else by the clock.
func (db *DB) expired(e *Entry, sh *shard) bool {
	if e.expireAt == 0 {
		return false
	}
	if sh.frozen != 0 {
		return e.expireAt <= sh.frozen
	}
	return e.expireAt <= db.Now()
}

// expiryNow is the time the keys of shard sh expire by (see expired), for loops over
// many keys.
func (db *DB) expiryNow(sh *shard) int64 {
	if sh.frozen != 0 {
		return sh.frozen
	}
	return db.Now()
}

// Lookup finds a live key for reading: it counts a hit or a miss (reporting a keymiss
// event) and refreshes the key's access clock (unless this is the NoTouch view). An
// expired key is deleted first and reported missing.
func (db *DB) Lookup(key []byte) *Entry {
	e := db.LookupNoTouch(key)
	if e != nil && !db.noTouch {
		db.ks.touch(e, false)
	}
	return e
}

// LookupNoTouch is Lookup without refreshing the access clock (EXISTS, TYPE, TTL).
func (db *DB) LookupNoTouch(key []byte) *Entry {
	e := db.Inspect(key)
	if e == nil {
		db.ks.hooks.KeyChanged(db.index, key, Event{ClassMiss, "keymiss"})
	}
	return e
}

// Inspect finds a live key for OBJECT: it counts a hit or a miss, as Redis does there,
// but reports no keymiss event and leaves the access clock alone.
func (db *DB) Inspect(key []byte) *Entry {
	sl, sh, _ := db.locate(key)
	e := db.live(sl, sh, key)
	if e == nil {
		sh.stats.Misses++
		return nil
	}
	sh.stats.Hits++
	return e
}

// LookupWrite finds a live key that the caller is about to change: it refreshes the
// access clock (unless this is the NoTouch view) but counts no hit or miss.
func (db *DB) LookupWrite(key []byte) *Entry {
	sl, sh, _ := db.locate(key)
	e := db.live(sl, sh, key)
	if e != nil && !db.noTouch {
		db.ks.touch(e, false)
	}
	return e
}

// Peek finds a live key without touching its access clock or the statistics (MEMORY
// USAGE, DEBUG OBJECT, a blocked XREAD run again).
func (db *DB) Peek(key []byte) *Entry {
	sl, sh, _ := db.locate(key)
	return db.live(sl, sh, key)
}

// Has reports whether key exists and has not expired, without expiring it, counting
// anything or calling hooks: it is safe to use from within a Hooks method.
func (db *DB) Has(key []byte) bool {
	sl, sh, _ := db.locate(key)
	e := sl.keys[str(key)]
	return e != nil && !db.expired(e, sh)
}

// TypeOf returns the type of a live key without side effects.
func (db *DB) TypeOf(key []byte) (Type, bool) {
	sl, sh, _ := db.locate(key)
	e := sl.keys[str(key)]
	if e == nil || db.expired(e, sh) {
		return 0, false
	}
	return e.typ, true
}

// ExpireAtOf returns key's deadline (0 if none or missing) without side effects.
func (db *DB) ExpireAtOf(key []byte) int64 {
	sl, _, _ := db.locate(key)
	if e := sl.keys[str(key)]; e != nil {
		return e.expireAt
	}
	return 0
}

func (db *DB) live(sl *slot, sh *shard, key []byte) *Entry {
	e := sl.keys[str(key)]
	if e == nil {
		return nil
	}
	if db.expired(e, sh) {
		db.expire(sl, sh, key)
		return nil
	}
	return e
}

// expire removes a key whose deadline has passed, unless KeepExpired is set.
func (db *DB) expire(sl *slot, sh *shard, key []byte) {
	if db.ks.KeepExpired.Load() {
		return
	}
	db.remove(sl, sh, key)
	sh.stats.Expired++ // not a change in Dirty: Redis counts none for expiries
	db.ks.hooks.KeyChanged(db.index, key, EvExpired)
}

// remove takes key out of its slot and returns the bytes that frees (see dropped).
func (db *DB) remove(sl *slot, sh *shard, key []byte) int64 {
	e := sl.keys[str(key)]
	if e.expireAt != 0 {
		sl.volatile--
		db.ks.volatile[db.index].Add(-1)
	}
	delete(sl.keys, str(key))
	return sh.dropped(e, len(key))
}

// put stores e under key in its slot in place of old (nil if none): the slot's
// deadline count, the entry's access clock and key count, and the bytes old frees.
func (db *DB) put(sl *slot, sh *shard, key string, e, old *Entry) {
	if old != nil && old.expireAt != 0 {
		sl.volatile--
		db.ks.volatile[db.index].Add(-1)
	}
	if e.expireAt != 0 {
		sl.volatile++
		db.ks.volatile[db.index].Add(1)
	}
	if sl.keys == nil {
		sl.keys = make(map[string]*Entry)
	}
	db.ks.touch(e, true)
	e.refs++
	sl.keys[key] = e
	if old != nil {
		sh.dropped(old, 0)
	}
}

// Set stores e under key, replacing any value and its expiry, and reports ev (the zero
// Event when the command emits none). A key that did not exist also reports "new". It
// counts one change; SetN counts n.
func (db *DB) Set(key []byte, e *Entry, ev Event) { db.SetN(key, e, ev, 1) }

// SetN is Set counting n changes in Dirty: Redis counts the elements a command stores
// in a collection (LPUSH, SADD, SORT ... STORE), and the parts of a compound write
// after the first as none (RENAME, MOVE, LMOVE).
func (db *DB) SetN(key []byte, e *Entry, ev Event, n int64) {
	sl, sh, _ := db.locate(key)
	old := db.live(sl, sh, key)
	// A copy of the key even when it exists: assigning to a string-keyed map stores the
	// given key over the old one, and key may be a view of the caller's buffer.
	db.put(sl, sh, string(key), e, old)
	sh.wrote(n)
	if old == nil {
		db.ks.hooks.KeyChanged(db.index, key, EvNew)
	}
	if ev.Name != "" {
		db.ks.hooks.KeyChanged(db.index, key, ev)
	}
}

// Changed reports that the caller modified key's value in place, with event ev,
// counting one change; ChangedN counts n (see SetN).
func (db *DB) Changed(key []byte, ev Event) { db.ChangedN(key, ev, 1) }

// ChangedN is Changed counting n changes in Dirty.
func (db *DB) ChangedN(key []byte, ev Event, n int64) {
	_, sh, _ := db.locate(key)
	sh.wrote(n)
	db.ks.hooks.KeyChanged(db.index, key, ev)
}

// Delete removes key, reporting ev, and says whether it existed. It counts one change;
// DeleteN counts n.
func (db *DB) Delete(key []byte, ev Event) bool { return db.DeleteN(key, ev, 1) }

// DeleteN is Delete counting n changes in Dirty: Redis counts none for the removal of a
// collection its command emptied (the elements removed were counted) or for RENAME's
// source.
func (db *DB) DeleteN(key []byte, ev Event, n int64) bool {
	sl, sh, _ := db.locate(key)
	if db.live(sl, sh, key) == nil {
		return false
	}
	db.remove(sl, sh, key)
	sh.wrote(n)
	db.ks.hooks.KeyChanged(db.index, key, ev)
	return true
}

// SetExpire sets or clears (at == 0) the deadline of the live entry e stored at key,
// without reporting an event: the caller reports the command's own event.
func (db *DB) SetExpire(key []byte, e *Entry, at int64) {
	if e.expireAt == at {
		return // the usual SET of a key without a TTL: no need to hash the key
	}
	sl, _, _ := db.locate(key)
	switch {
	case e.expireAt == 0 && at != 0:
		sl.volatile++
		db.ks.volatile[db.index].Add(1)
	case e.expireAt != 0 && at == 0:
		sl.volatile--
		db.ks.volatile[db.index].Add(-1)
	}
	e.expireAt = at
}

// Size returns the number of keys, counting keys that expired but were not yet removed.
// The caller holds every shard.
func (db *DB) Size() (keys, volatile int) {
	for i := range db.slots {
		keys += len(db.slots[i].keys)
		volatile += int(db.slots[i].volatile)
	}
	return
}

// Flush empties the database; the caller holds every shard.
func (db *DB) Flush() {
	if db.ks.snap != nil {
		db.ks.snap.emitDB(db)
	}
	keys, _ := db.Size()
	db.ks.hooks.DBReplacing(db.index, -1)
	*db.slots = [numSlots]slot{}
	db.ks.volatile[db.index].Store(0)
	db.ks.shards[0].wrote(int64(keys))
	db.ks.flushes.Add(1)
}

// RandomKey returns a random live key, or "" and false if the database is empty.
// Expired keys met on the way are removed. The caller holds every shard.
func (db *DB) RandomKey() (string, bool) {
	start := rand.IntN(numSlots)
	now := db.expiryNow(&db.ks.shards[0]) // frozen alike in every shard
	for i := 0; i < numSlots; i++ {
		s := (start + i) % numSlots
		sl := &db.slots[s]
		db.emitSlot(s) // it may remove expired keys
		for k, e := range sl.keys {
			if e.expireAt != 0 && e.expireAt <= now {
				db.expire(sl, &db.ks.shards[uint64(s)&db.ks.mask], []byte(k))
				continue
			}
			return k, true
		}
	}
	return "", false
}

// lruClockMax is the greatest value of the 24-bit LRU clock (Redis's LRU_CLOCK_MAX).
const lruClockMax = 1<<24 - 1

func lruClock(ms int64) uint32 { return uint32(ms/1000) & lruClockMax }
