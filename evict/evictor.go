package evict

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/store"
)

// Result is what an eviction attempt achieved.
type Result uint8

const (
	// OK: used memory is within maxmemory, or no limit is set.
	OK Result = iota
	// Running: the time budget ran out before enough was freed; eviction goes on in
	// the background, and the command may run.
	Running
	// Fail: used memory is over maxmemory and the policy has nothing left to evict:
	// commands that may grow memory are refused.
	Fail
)

// Settings are the maxmemory settings.
type Settings struct {
	MaxMemory uint64 // bytes; 0: no limit
	Policy    Policy
	Samples   int // maxmemory-samples: keys sampled per database per pick
	Tenacity  int // maxmemory-eviction-tenacity: 0..100, the time budget of a cycle
}

// Options connect the evictor to the server.
type Options struct {
	// Latency receives the duration of each eviction cycle ("eviction-cycle") and of
	// each key's removal ("eviction-del"); nil for none.
	Latency func(event string, d time.Duration)
	// Hold reports that evictions must wait, and no command be refused meanwhile:
	// while CLIENT PAUSE holds writes (evictions are writes) or a script holds every
	// shard (a cycle would wait for it, and with it SCRIPT KILL). nil for never.
	Hold func() bool
}

// keysPerLock is how many keys a cycle evicts per acquisition of the keyspace's locks,
// and how often it checks its time budget.
const keysPerLock = 16

// Evictor enforces maxmemory on a keyspace.
type Evictor struct {
	ks       *store.Keyspace
	opts     Options
	meter    *Meter
	settings atomic.Pointer[Settings]

	mu     sync.Mutex // one cycle at a time; guards pool and nextDB
	pool   pool
	nextDB int // where the random policies look first, in a cycle's list of databases

	bgMu       sync.Mutex // guards the background jobs' state
	evicting   bool       // the eviction job runs
	collecting bool       // a collection it asked for runs
	stopped    bool
	bgDone     sync.WaitGroup

	overSince atomic.Int64 // unix nanoseconds since memory is over the limit; 0 if not
	overTotal atomic.Int64 // nanoseconds over the limit in past episodes
}

// New returns an evictor for ks with no limit set.
func New(ks *store.Keyspace, opts Options) *Evictor {
	ev := &Evictor{ks: ks, opts: opts, meter: newMeter(ks)}
	ev.settings.Store(&Settings{Samples: 5, Tenacity: 10})
	return ev
}

// Configure applies new settings.
func (ev *Evictor) Configure(s Settings) {
	s.Samples = max(s.Samples, 1)
	s.Tenacity = min(max(s.Tenacity, 0), 100)
	ev.settings.Store(&s)
}

// Meter returns the used-memory meter.
func (ev *Evictor) Meter() *Meter { return ev.meter }

// Limit returns maxmemory (0: none).
func (ev *Evictor) Limit() uint64 { return ev.settings.Load().MaxMemory }

// Perform is the check before a command, Redis's performEvictions: when maxmemory is set
// and used memory (plus incoming, the bytes of the command about to run) is over it, it
// evicts keys as the policy says, within the time budget of maxmemory-eviction-tenacity.
// It costs an atomic load when no limit is set and little more while under the limit.
// The caller holds no shard lock.
func (ev *Evictor) Perform(incoming int) Result {
	st := ev.settings.Load()
	if st.MaxMemory == 0 || ev.held() {
		return OK
	}
	if ev.meter.estimate(incoming) <= st.MaxMemory {
		return ev.note(OK)
	}
	return ev.note(ev.cycle(st))
}

// Kick starts evicting in the background at once, as CONFIG SET maxmemory does when it
// lowers the limit (it may run inside EXEC, holding shard locks, so it cannot wait).
func (ev *Evictor) Kick() { ev.startBackground() }

// cycle evicts until used memory is within the limit, nothing is left to evict, or the
// time budget runs out.
func (ev *Evictor) cycle(st *Settings) Result {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	r := ev.meter.read()
	if r.used <= st.MaxMemory {
		return OK
	}
	excess := r.used - st.MaxMemory
	switch {
	case !r.gcDue(st.MaxMemory):
	case r.live <= syncGCMaxLive:
		// Garbage may be part of the excess, and a small heap is collected in a few
		// milliseconds: decide on live data.
		runtime.GC()
		if r = ev.meter.read(); r.used <= st.MaxMemory {
			return OK
		}
		excess = r.used - st.MaxMemory
	default:
		// A large heap takes long to collect: do it in the background, and evict only
		// the part of the excess the collection cannot return.
		ev.collect()
		if r.flushed || excess <= r.sinceGC {
			return OK
		}
		excess -= r.sinceGC
	}
	if st.Policy == NoEviction {
		return Fail
	}
	start := time.Now()
	budget := timeBudget(st.Tenacity)
	toFree, freed := int64(excess), int64(0)
	result := OK
	var dbs []int
	for freed < toFree && result == OK {
		all := ev.ks.AllShards()
		ev.ks.Lock(all)
		if dbs == nil {
			dbs = ev.populated(st.Policy.volatile())
		}
		for i := 0; i < keysPerLock && freed < toFree; i++ {
			n, ok := ev.evictOne(st, dbs)
			if !ok {
				result = Fail
				break
			}
			freed += n
		}
		ev.ks.Unlock(all)
		if result == OK && freed < toFree && time.Since(start) > budget {
			ev.startBackground()
			result = Running
		}
	}
	ev.latency("eviction-cycle", time.Since(start))
	if ev.meter.read().gcDue(st.MaxMemory) { // return the evicted values to the heap
		ev.collect()
	}
	return result
}

// collect starts a garbage collection in the background unless one it started still
// runs.
func (ev *Evictor) collect() {
	ev.spawn(&ev.collecting, func() bool {
		runtime.GC()
		return false
	})
}

// populated lists the databases that hold keys (keys with a TTL when volatile): a
// cycle samples only those, since finding a database empty means walking all its
// slots. The caller holds every shard.
func (ev *Evictor) populated(volatile bool) []int {
	dbs := []int{}
	for i := 0; i < ev.ks.Databases(); i++ {
		if keys, withTTL := ev.ks.DB(i).Size(); keys > 0 && (!volatile || withTTL > 0) {
			dbs = append(dbs, i)
		}
	}
	return dbs
}

// evictOne evicts the key the policy ranks first among databases dbs and returns the
// bytes that frees; it reports false when there is no key to evict. The caller holds
// every shard and ev.mu.
func (ev *Evictor) evictOne(st *Settings, dbs []int) (int64, bool) {
	volatile := st.Policy.volatile()
	for {
		var c candidate
		found := false
		if st.Policy.random() {
			for i := 0; i < len(dbs) && !found; i++ {
				j := (ev.nextDB + i) % len(dbs)
				ev.ks.DB(dbs[j]).SampleKeys(1, volatile, func(key string, _ *store.Entry) {
					c, found = candidate{db: dbs[j], key: key}, true
				})
				ev.nextDB = j + 1
			}
		} else {
			sampled := 0
			for _, db := range dbs {
				sampled += ev.pool.populate(ev.ks, db, st.Policy, st.Samples)
			}
			if sampled == 0 {
				return 0, false
			}
			c, found = ev.pool.take()
		}
		if !found {
			return 0, false
		}
		start := time.Now()
		n, ok := ev.ks.DB(c.db).Evict(c.key, volatile)
		if ok { // else a stale pool entry: pick again
			ev.latency("eviction-del", time.Since(start))
			return n, true
		}
	}
}

// timeBudget is how long a cycle may evict before handing over to the background job:
// 50 µs per tenacity step up to 10 (the default, 500 µs), then 15% more per step, and
// no limit at 100.
func timeBudget(tenacity int) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(tenacity) * 50 * time.Microsecond
	case tenacity < 100:
		return time.Duration(500 * math.Pow(1.15, float64(tenacity-10)) * float64(time.Microsecond))
	}
	return math.MaxInt64
}

// startBackground starts the background job unless it runs already: it repeats cycles,
// letting commands run between them, until memory is within the limit or nothing is
// left to evict.
func (ev *Evictor) startBackground() {
	ev.spawn(&ev.evicting, func() bool {
		st := ev.settings.Load()
		return st.MaxMemory > 0 && !ev.held() && ev.note(ev.cycle(st)) == Running
	})
}

// spawn runs job in a goroutine, unless *running says it runs already or the evictor
// is stopped; the goroutine runs job again, letting other goroutines run in between,
// for as long as it returns true and the evictor is not stopped.
func (ev *Evictor) spawn(running *bool, job func() (again bool)) {
	ev.bgMu.Lock()
	defer ev.bgMu.Unlock()
	if *running || ev.stopped {
		return
	}
	*running = true
	ev.bgDone.Add(1)
	go func() {
		defer ev.bgDone.Done()
		for {
			again := job()
			ev.bgMu.Lock()
			if !again || ev.stopped {
				*running = false
				ev.bgMu.Unlock()
				return
			}
			ev.bgMu.Unlock()
			runtime.Gosched()
		}
	}()
}

// Stop ends the background job and waits for it; the evictor starts no more.
func (ev *Evictor) Stop() {
	ev.bgMu.Lock()
	ev.stopped = true
	ev.bgMu.Unlock()
	ev.bgDone.Wait()
}

func (ev *Evictor) held() bool { return ev.opts.Hold != nil && ev.opts.Hold() }

func (ev *Evictor) latency(event string, d time.Duration) {
	if ev.opts.Latency != nil {
		ev.opts.Latency(event, d)
	}
}

// note records how long memory stays over the limit (INFO's eviction_exceeded_time
// fields) and returns r.
func (ev *Evictor) note(r Result) Result {
	since := ev.overSince.Load()
	switch {
	case r == OK && since != 0:
		if ev.overSince.CompareAndSwap(since, 0) {
			ev.overTotal.Add(time.Now().UnixNano() - since)
		}
	case r != OK && since == 0:
		ev.overSince.CompareAndSwap(0, time.Now().UnixNano())
	}
	return r
}

// ExceededTime reports how long used memory has been over the limit in the current
// episode (0 if it is not) and in total, this one included, since the last ResetStats.
func (ev *Evictor) ExceededTime() (current, total time.Duration) {
	if since := ev.overSince.Load(); since != 0 {
		current = time.Duration(time.Now().UnixNano() - since)
	}
	return current, time.Duration(ev.overTotal.Load()) + current
}

// ResetStats zeroes the exceeded-time statistics (CONFIG RESETSTAT).
func (ev *Evictor) ResetStats() {
	ev.overTotal.Store(0)
	ev.overSince.Store(0)
}
