package evict

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/store"
)

// eventLog records the keyspace's evictions.
type eventLog struct {
	mu      sync.Mutex
	evicted []string
}

func (l *eventLog) KeyChanged(db int, key []byte, ev store.Event) {
	if ev == store.EvEvicted {
		l.mu.Lock()
		l.evicted = append(l.evicted, fmt.Sprintf("%d:%s", db, key))
		l.mu.Unlock()
	}
}
func (l *eventLog) DBReplacing(int, int) {}

func (l *eventLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.evicted...)
}

func newKeyspace() (*store.Keyspace, *clock.Clock, *eventLog) {
	clk := &clock.Clock{}
	clk.Freeze()
	ks := store.New(4, 8, clk)
	log := &eventLog{}
	ks.SetHooks(log)
	return ks, clk, log
}

// set stores key in db with a value of size bytes and a TTL (0: none).
func set(ks *store.Keyspace, db int, key string, size int, ttl time.Duration) {
	ks.Lock(ks.AllShards())
	defer ks.Unlock(ks.AllShards())
	e := store.NewString([]byte(strings.Repeat("v", size)))
	if ttl > 0 {
		e.SetExpireAt(ks.Clock.UnixMilli() + ttl.Milliseconds())
	}
	ks.DB(db).Set([]byte(key), e, store.Event{})
}

// evictAll runs evictOne until it finds nothing and returns the keys in eviction order.
func evictAll(t *testing.T, ev *Evictor, st *Settings, log *eventLog) []string {
	t.Helper()
	ks := ev.ks
	ks.Lock(ks.AllShards())
	defer ks.Unlock(ks.AllShards())
	for i := 0; ; i++ {
		require.Less(t, i, 1000, "evictOne does not stop")
		n, ok := ev.evictOne(st, ev.populated(st.Policy.volatile()))
		if !ok {
			break
		}
		require.Positive(t, n)
	}
	return log.list()
}

func TestPolicyNames(t *testing.T) {
	for p := NoEviction; p <= VolatileTTL; p++ {
		got, ok := ParsePolicy(p.String())
		require.True(t, ok)
		require.Equal(t, p, got)
	}
	_, ok := ParsePolicy("lru")
	require.False(t, ok)
}

func TestPoolKeepsTheBestCandidates(t *testing.T) {
	var p pool
	for _, score := range rand.Perm(40) {
		p.offer(candidate{score: uint64(score), key: fmt.Sprint(score)})
	}
	require.Len(t, p.c, poolSize)
	for want := 39; want >= 40-poolSize; want-- {
		c, ok := p.take()
		require.True(t, ok)
		require.Equal(t, uint64(want), c.score)
	}
	_, ok := p.take()
	require.False(t, ok)
}

func TestTimeBudgetFollowsTenacity(t *testing.T) {
	require.Zero(t, timeBudget(0))
	require.Equal(t, 250*time.Microsecond, timeBudget(5))
	require.Equal(t, 500*time.Microsecond, timeBudget(10))
	require.Equal(t, 575*time.Microsecond, timeBudget(11))
	require.Greater(t, timeBudget(99), time.Minute)
	require.Equal(t, time.Duration(1<<63-1), timeBudget(100))
}

func TestLRUEvictsTheIdlestFirst(t *testing.T) {
	ks, clk, log := newKeyspace()
	for i := 0; i < 8; i++ {
		set(ks, i%2, fmt.Sprintf("k%d", i), 10, 0)
		clk.Advance(time.Second)
		ks.Tick()
	}
	// Reading k0 makes it the most recently used.
	ks.Lock(ks.AllShards())
	require.NotNil(t, ks.DB(0).Lookup([]byte("k0")))
	ks.Unlock(ks.AllShards())
	ev := New(ks, Options{})
	got := evictAll(t, ev, &Settings{Policy: AllKeysLRU, Samples: 10}, log)
	require.Equal(t, []string{"1:k1", "0:k2", "1:k3", "0:k4", "1:k5", "0:k6", "1:k7", "0:k0"}, got)
}

func TestLFUEvictsTheLeastUsedFirst(t *testing.T) {
	ks, _, log := newKeyspace()
	ks.SetLFU(true)
	reads := map[string]int{"never": 0, "some": 30, "often": 3000}
	for k, n := range reads {
		set(ks, 0, k, 10, 0)
		ks.Lock(ks.AllShards())
		for i := 0; i < n; i++ {
			ks.DB(0).Lookup([]byte(k))
		}
		ks.Unlock(ks.AllShards())
	}
	ev := New(ks, Options{})
	got := evictAll(t, ev, &Settings{Policy: AllKeysLFU, Samples: 10}, log)
	require.Equal(t, []string{"0:never", "0:some", "0:often"}, got)
}

func TestVolatileTTLEvictsTheSoonestToExpire(t *testing.T) {
	ks, _, log := newKeyspace()
	set(ks, 0, "persistent", 10, 0)
	for i := 5; i >= 1; i-- {
		set(ks, i%2, fmt.Sprintf("ttl%d", i), 10, time.Duration(i)*time.Minute)
	}
	ev := New(ks, Options{})
	got := evictAll(t, ev, &Settings{Policy: VolatileTTL, Samples: 3}, log)
	require.Equal(t, []string{"1:ttl1", "0:ttl2", "1:ttl3", "0:ttl4", "1:ttl5"}, got)
	ks.Lock(ks.AllShards())
	require.True(t, ks.DB(0).Has([]byte("persistent")), "volatile policies keep keys without a TTL")
	ks.Unlock(ks.AllShards())
}

// Every policy evicts until nothing is left it may evict: everything for allkeys-*,
// the keys with a TTL for volatile-*, and nothing for noeviction (which Perform never
// asks to pick).
func TestPoliciesEvictOnlyWhatTheyMay(t *testing.T) {
	for _, p := range []Policy{AllKeysLRU, AllKeysLFU, AllKeysRandom, VolatileLRU, VolatileLFU, VolatileRandom, VolatileTTL} {
		t.Run(p.String(), func(t *testing.T) {
			ks, _, log := newKeyspace()
			for i := 0; i < 50; i++ {
				ttl := time.Duration(0)
				if i%5 == 0 {
					ttl = time.Hour
				}
				set(ks, i%3, fmt.Sprintf("k%d", i), 10, ttl)
			}
			ev := New(ks, Options{})
			got := evictAll(t, ev, &Settings{Policy: p, Samples: 5}, log)
			want := 50
			if p.volatile() {
				want = 10
				for _, k := range got {
					var n int
					_, err := fmt.Sscanf(k[2:], "k%d", &n)
					require.NoError(t, err)
					require.Zero(t, n%5, "%s has no TTL", k)
				}
			}
			require.Len(t, got, want)
			require.Equal(t, int64(want), statsEvicted(ks))
		})
	}
}

func statsEvicted(ks *store.Keyspace) int64 {
	ks.Lock(ks.AllShards())
	defer ks.Unlock(ks.AllShards())
	return ks.Stats().Evicted
}

func dbSize(ks *store.Keyspace) int {
	ks.Lock(ks.AllShards())
	defer ks.Unlock(ks.AllShards())
	n, _ := ks.DB(0).Size()
	return n
}

// Perform measures the real heap: the tests load a few megabytes, collect the loading's
// garbage, and set the limit below what is used then, so the excess is the keys' own.
func loadKeys(ks *store.Keyspace, n int, ttl time.Duration) {
	for i := 0; i < n; i++ {
		set(ks, 0, fmt.Sprintf("key:%d", i), 1000, ttl)
	}
	runtime.GC()
}

func TestPerformEvictsDownToTheLimit(t *testing.T) {
	ks, _, _ := newKeyspace()
	loadKeys(ks, 4000, 0)
	var cycles sync.Map
	ev := New(ks, Options{Latency: func(event string, d time.Duration) { cycles.Store(event, true) }})
	defer ev.Stop()
	limit := ev.Meter().Used() - 1<<20
	ev.Configure(Settings{MaxMemory: limit, Policy: AllKeysLRU, Samples: 5, Tenacity: 10})
	require.Eventually(t, func() bool {
		return ev.Perform(0) == OK && ev.Meter().Used() <= limit && statsEvicted(ks) > 0
	}, 5*time.Second, time.Millisecond)
	evicted := statsEvicted(ks)
	require.Greater(t, evicted, int64(500), "about 1 MiB of 1 KB values must go")
	require.Less(t, evicted, int64(3000), "most keys stay")
	require.Equal(t, 4000-int(evicted), dbSize(ks))
	_, ok := cycles.Load("eviction-cycle")
	require.True(t, ok)
	_, ok = cycles.Load("eviction-del")
	require.True(t, ok)
}

func TestPerformFailsWhenNothingMayBeEvicted(t *testing.T) {
	for _, p := range []Policy{NoEviction, VolatileLRU} {
		t.Run(p.String(), func(t *testing.T) {
			ks, _, _ := newKeyspace()
			loadKeys(ks, 3000, 0)
			ev := New(ks, Options{})
			defer ev.Stop()
			limit := ev.Meter().Used() - 1<<20
			ev.Configure(Settings{MaxMemory: limit, Policy: p, Samples: 5, Tenacity: 10})
			require.Eventually(t, func() bool { return ev.Perform(0) == Fail }, 5*time.Second, time.Millisecond)
			require.Equal(t, 3000, dbSize(ks), "nothing evicted")
			current, total := ev.ExceededTime()
			require.Positive(t, total)
			require.Equal(t, total, current)

			// Deleting keys frees memory at once, before any collection.
			ks.Lock(ks.AllShards())
			for i := 0; i < 2000; i++ {
				ks.DB(0).Delete([]byte(fmt.Sprintf("key:%d", i)), store.EvDel)
			}
			ks.Unlock(ks.AllShards())
			require.Equal(t, OK, ev.Perform(0))
			current, total = ev.ExceededTime()
			require.Zero(t, current)
			require.Positive(t, total)
			ev.ResetStats()
			_, total = ev.ExceededTime()
			require.Zero(t, total)
		})
	}
}

func TestPerformWaitsWhileHeld(t *testing.T) {
	ks, _, _ := newKeyspace()
	loadKeys(ks, 2000, 0)
	held := true
	ev := New(ks, Options{Hold: func() bool { return held }})
	defer ev.Stop()
	ev.Configure(Settings{MaxMemory: 1, Policy: AllKeysRandom, Samples: 5, Tenacity: 10})
	require.Equal(t, OK, ev.Perform(0))
	require.Equal(t, 2000, dbSize(ks))
	held = false
	require.Eventually(t, func() bool { return ev.Perform(0) == Fail }, 5*time.Second, time.Millisecond)
	require.Zero(t, dbSize(ks), "a limit below the server's own use evicts everything")
}

func TestKickEvictsInTheBackground(t *testing.T) {
	ks, _, log := newKeyspace()
	loadKeys(ks, 3000, time.Hour)
	ev := New(ks, Options{})
	limit := ev.Meter().Used() - 1<<20
	ev.Configure(Settings{MaxMemory: limit, Policy: VolatileTTL, Samples: 5, Tenacity: 0})
	ev.Kick()
	require.Eventually(t, func() bool { return len(log.list()) > 500 }, 5*time.Second, time.Millisecond)
	ev.Stop()
	n := len(log.list())
	ev.Kick() // stopped: no new job
	time.Sleep(10 * time.Millisecond)
	require.Equal(t, n, len(log.list()))
}
