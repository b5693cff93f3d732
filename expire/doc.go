// Package expire runs the active expiry cycle: keys with a TTL are removed in the
// background even if nobody reads them, so expired keys free memory.
//
// Like Redis 6+, the cycle walks each database's slots with a persistent cursor rather
// than sampling at random: hz times a second it visits slots until it has looked at
// about 20 keys with a TTL (times active-expire-effort), and goes on while more than 10%
// of them were expired, within a time budget of 25% of the cycle period. Each slot is
// handled under its own shard lock, so clients keep running between slots. Each tick
// also refreshes the keyspace's cached LRU clock (store.Keyspace.Tick), as Redis's cron does.
package expire
