// Package evict enforces maxmemory: it measures used memory and, when a command is about
// to run over the limit, evicts keys as maxmemory-policy says, the way Redis 7.0's
// performEvictions does.
//
// # Contract
//
//   - Evictor.Perform runs before every command while maxmemory is set (the server's
//     executor calls it, holding no lock). It returns OK when memory is within the limit
//     (or evictions freed enough), Running when the cycle's time budget
//     (maxmemory-eviction-tenacity: 500 µs at the default 10) ran out and a background
//     job goes on evicting, and Fail when memory is over the limit and the policy has
//     nothing to evict (noeviction; a volatile policy with no key that has a TTL): the
//     server then refuses commands flagged denyoom with Redis's -OOM error.
//   - Every eviction goes through store.DB.Evict, the keyspace's write path: the key's
//     watchers are invalidated, an "evicted" keyspace event (class e) is published, the
//     evicted_keys statistic counts it. Cycles report "eviction-cycle" and removals
//     "eviction-del" to the latency monitor.
//   - Evictions lock every shard for up to 16 keys at a time, so commands run between
//     batches. They wait (and nothing is refused meanwhile) while CLIENT PAUSE holds
//     writes or a script runs: it holds every shard, and SCRIPT KILL must get through.
//     Scripts and transactions were checked as a whole before they started.
//   - Kick starts the background job at once: CONFIG SET maxmemory uses it, since it may
//     run inside EXEC, holding shard locks; the next command evicts synchronously anyway.
//
// # The policies
//
// LRU, LFU and volatile-ttl rank candidates as Redis does: each pick samples
// maxmemory-samples keys of every database (only keys with a TTL for volatile-*) into
// a pool of the 16 best candidates seen so far, ranked by idle time (the 24-bit LRU clock
// of store/access.go, seconds), by 255 minus the decayed LFU counter, or by how soon the
// key expires, and evicts the best one still present. The random policies take a key
// from each database in turn. Samples come from consecutive slots after a random one, as
// Redis samples neighbouring hash buckets; a cycle samples only the databases that held
// keys when it began.
//
// # Accounting: what "used memory" means in Go
//
// Redis counts every allocation (zmalloc), so used_memory drops the moment a key is
// freed. Go's heap figures include garbage until the next collection: after a DEL the
// heap does not shrink, and an eviction loop that waits for it to shrink would evict
// everything. The alternatives weighed:
//
//   - runtime.ReadMemStats' HeapAlloc: the same garbage problem, and it stops the world,
//     too costly for a check before commands.
//   - Counting every write's size delta, as Redis does: exact, but every type's every
//     mutation (HSET into an existing hash, LPOP, APPEND, ...) would have to report its
//     delta; a large change across the store for a figure that would still miss
//     allocator overhead.
//   - The live heap after the last collection (/gc/heap/live:bytes) alone: exact at
//     that instant, blind to everything written since.
//   - Forcing a collection whenever the limit is crossed: exact, but a collection's time
//     grows with the heap, and at large heaps every writer would wait for one.
//
// What the meter does: used = the heap's objects (/memory/classes/heap/objects:bytes,
// read through runtime/metrics without stopping the world) minus the estimated size of
// every value the keyspace dropped since the last completed collection (deleted,
// expired, evicted, overwritten; store.Keyspace.FreedBytes, estimated as MEMORY USAGE
// does). When a collection completes the estimate is re-based: what it freed has left
// the heap figure. Allocations count at once, deletions and evictions count at once,
// and the estimate's errors last one collection at most. Reading the runtime's metrics
// costs about half a microsecond, so Perform re-reads only every millisecond or after
// 64 KiB of commands; in between it adds the size of the commands it admitted.
//
// What the meter cannot see until a collection: memory freed inside a value that stays
// (LPOP, HDEL, SREM, an APPEND that moves a string), a whole database flushed, and the
// garbage every command leaves (argument and reply buffers). That garbage counts as
// used memory until it is collected. Evicting keys to make room for garbage would empty
// the keyspace over time (each collection would be preceded by evictions worth the
// garbage since the last one), so two things keep the collector ahead of the limit:
//
//   - The GC tuner (server/gctune.go) sets the runtime's soft memory limit while
//     maxmemory is set: the collector runs as the heap approaches maxmemory, but never
//     sooner than 25% (the tuner's minimum GC percent) above the live heap, so a
//     dataset close to the limit does not make it collect continuously.
//   - Over the limit, once the heap has grown by a quarter of maxmemory since the last
//     collection (at least 1 MiB), holds a quarter of it in dropped values, or a
//     database was flushed, the evictor has the garbage collected before it evicts.
//     While the live heap is small (64 MiB) a collection takes a few milliseconds, and
//     the check waits for it and decides on live data. Beyond, it would stall every
//     writer: the collection runs in the background, the evictor evicts only the part
//     of the excess the collection cannot return (none after a flush), and commands
//     are not refused meanwhile. Either way, collections on the eviction's behalf come
//     at most once per quarter of maxmemory allocated, as the tuner allows elsewhere.
//     A cycle that leaves a quarter of maxmemory in dropped values also starts one in
//     the background, so that the process's memory follows the figure down.
//
// The price: garbage can cost up to a quarter of maxmemory in evicted keys (the dataset
// may settle up to a quarter below the limit), and on large heaps, while a collection
// started for a check runs, writes may take used memory past the limit by what they
// add in that time.
//
// The heap figure is the whole process's, as Redis's is: connections' buffers, the Lua
// states and, in tests that embed the server, the test's own allocations count too.
package evict
