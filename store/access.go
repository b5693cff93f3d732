package store

import (
	"math/rand/v2"
	"sync/atomic"
)

// Access metadata. Each entry keeps 24 bits for eviction, as Redis does: under an LRU
// (or no) policy, the LRU clock in seconds of the last access; under an LFU policy, the
// minutes-clock of the last decay in the top 16 bits and a logarithmic access counter
// in the low 8 bits.

const lfuInitVal = 5 // the counter of a new key, so it is not evicted at once

// LFUParams are lfu-log-factor and lfu-decay-time, set by the server from the config.
type LFUParams struct {
	LogFactor atomic.Int64
	DecayTime atomic.Int64 // minutes per counter decrement; 0 never decays
}

// touch records an access to e (a lookup, or the creation of the key when fresh).
func (ks *Keyspace) touch(e *Entry, fresh bool) {
	if !ks.lfu.Load() {
		e.lru = ks.lru.Load()
		return
	}
	now := ks.minutes()
	if fresh {
		e.lru = now<<8 | lfuInitVal
		return
	}
	counter := ks.decayedCounter(e, now)
	if counter < 255 {
		base := float64(int(counter) - lfuInitVal)
		if base < 0 {
			base = 0
		}
		if rand.Float64() < 1/(base*float64(ks.LFUParams.LogFactor.Load())+1) {
			counter++
		}
	}
	e.lru = now<<8 | uint32(counter)
}

// minutes is the 16-bit minutes clock LFU decay is measured in.
func (ks *Keyspace) minutes() uint32 {
	return uint32(ks.Clock.UnixMilli()/60000) & 0xffff
}

// decayedCounter is e's LFU counter after the decay due since its last access.
func (ks *Keyspace) decayedCounter(e *Entry, now uint32) uint8 {
	last := e.lru >> 8
	counter := uint8(e.lru)
	elapsed := (now - last) & 0xffff
	if period := uint32(ks.LFUParams.DecayTime.Load()); period > 0 {
		if n := elapsed / period; n >= uint32(counter) {
			return 0
		} else {
			return counter - uint8(n)
		}
	}
	return counter
}

// LFUFrequency is what OBJECT FREQ reports: the counter after decay.
func (ks *Keyspace) LFUFrequency(e *Entry) uint8 { return ks.decayedCounter(e, ks.minutes()) }
