package expire

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/store"
)

const (
	keysPerLoop       = 20
	acceptableStale   = 10 // percent of sampled keys that may stay expired
	cycleBudgetPct    = 25
	slotsPerLoopLimit = 256
)

// Cycle is the background expiry job for one keyspace.
type Cycle struct {
	ks      *store.Keyspace
	hz      atomic.Int64
	effort  atomic.Int64
	cursors []int // next slot per database

	mu      sync.Mutex
	avgTTL  []int64 // per database, milliseconds, smoothed
	stop    chan struct{}
	stopped chan struct{}
	enabled atomic.Bool
}

// New returns a cycle for ks running hz times a second at the given effort (1..10).
func New(ks *store.Keyspace, hz, effort int) *Cycle {
	c := &Cycle{ks: ks, cursors: make([]int, ks.Databases()), avgTTL: make([]int64, ks.Databases())}
	c.SetHz(hz, effort)
	c.enabled.Store(true)
	return c
}

// SetHz changes the frequency and effort.
func (c *Cycle) SetHz(hz, effort int) {
	c.hz.Store(int64(min(max(hz, 1), 500)))
	c.effort.Store(int64(min(max(effort, 1), 10)))
}

// SetEnabled turns the active cycle on or off (DEBUG SET-ACTIVE-EXPIRE).
func (c *Cycle) SetEnabled(on bool) { c.enabled.Store(on) }

// Start runs the cycle in the background until Stop.
func (c *Cycle) Start() {
	c.stop, c.stopped = make(chan struct{}), make(chan struct{})
	go c.loop()
}

// Stop ends the background cycle and waits for it.
func (c *Cycle) Stop() {
	if c.stop == nil {
		return
	}
	close(c.stop)
	<-c.stopped
	c.stop = nil
}

func (c *Cycle) loop() {
	defer close(c.stopped)
	for {
		period := time.Second / time.Duration(c.hz.Load())
		select {
		case <-c.stop:
			return
		case <-time.After(period):
		}
		c.ks.Tick()
		if c.enabled.Load() {
			c.Run(period * cycleBudgetPct / 100)
		}
	}
}

// Run performs one cycle over every database within budget and returns how many keys
// it removed.
func (c *Cycle) Run(budget time.Duration) int {
	deadline := time.Now().Add(budget)
	perLoop := keysPerLoop + keysPerLoop/4*int(c.effort.Load()-1)
	removed := 0
	for db := 0; db < c.ks.Databases(); db++ {
		if c.ks.Volatile(db) == 0 {
			continue
		}
		for {
			sampled, expired, ttlSum, ttlCount := c.loopOnce(db, perLoop)
			removed += expired
			if ttlCount > 0 {
				c.noteTTL(db, ttlSum/int64(ttlCount))
			}
			if sampled == 0 || expired*100 <= sampled*acceptableStale || time.Now().After(deadline) {
				break
			}
		}
		if time.Now().After(deadline) {
			break
		}
	}
	return removed
}

// loopOnce visits slots of db from its cursor until it has seen perLoop keys with a TTL,
// or every slot when the database has fewer: a few volatile keys among the slots are
// found in one cycle, as Redis's sweep of a small expires table finds them.
// The clock is read once per loop: a loop takes well under a millisecond, and reading
// it per slot cost more than the visit of an empty slot.
func (c *Cycle) loopOnce(db, perLoop int) (sampled, expired int, ttlSum int64, ttlCount int) {
	now := c.ks.Clock.UnixMilli()
	limit := slotsPerLoopLimit
	if c.ks.Volatile(db) < int64(perLoop) {
		limit = store.Slots
	}
	for visited := 0; visited < limit && sampled < perLoop; visited++ {
		s := c.cursors[db]
		c.cursors[db] = (s + 1) % store.Slots
		mask := c.ks.SlotShard(s)
		c.ks.Lock(mask)
		n, x, sum := c.ks.DB(db).ExpireSlot(s, now)
		c.ks.Unlock(mask)
		sampled += n
		expired += x
		ttlSum += sum
		ttlCount += n - x
	}
	return
}

// noteTTL folds a sample's average TTL into the database's running estimate, as Redis
// smooths avg_ttl.
func (c *Cycle) noteTTL(db int, avg int64) {
	c.mu.Lock()
	if c.avgTTL[db] == 0 {
		c.avgTTL[db] = avg
	} else {
		c.avgTTL[db] = (c.avgTTL[db]*49 + avg) / 50
	}
	c.mu.Unlock()
}

// AvgTTL is the estimated average TTL in milliseconds of db's keys with an expiry.
func (c *Cycle) AvgTTL(db int) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.avgTTL[db]
}
