package evict

import (
	"math"

	"github.com/cinnabar-db/cinnabar/store"
)

// Policy is a maxmemory-policy.
type Policy uint8

// The policies, as maxmemory-policy names them.
const (
	NoEviction Policy = iota
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
	VolatileLRU
	VolatileLFU
	VolatileRandom
	VolatileTTL
)

var policyNames = [...]string{"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
	"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}

// ParsePolicy maps a maxmemory-policy name to its Policy.
func ParsePolicy(name string) (Policy, bool) {
	for i, n := range policyNames {
		if n == name {
			return Policy(i), true
		}
	}
	return NoEviction, false
}

func (p Policy) String() string { return policyNames[p] }

// volatile says whether the policy only evicts keys with a TTL.
func (p Policy) volatile() bool { return p >= VolatileLRU }

// random says whether the policy picks keys at random instead of ranking samples.
func (p Policy) random() bool { return p == AllKeysRandom || p == VolatileRandom }

// score ranks a sampled key for eviction: the higher, the sooner it goes. LRU policies
// rank by idle time in milliseconds, LFU policies by how rarely the key is used
// (255 minus its decayed counter), volatile-ttl by how soon the key expires.
func (p Policy) score(ks *store.Keyspace, e *store.Entry, nowMs int64) uint64 {
	switch p {
	case AllKeysLFU, VolatileLFU:
		return 255 - uint64(ks.LFUFrequency(e))
	case VolatileTTL:
		return math.MaxUint64 - uint64(e.ExpireAt())
	}
	return uint64(e.IdleSeconds(nowMs)) * 1000
}
