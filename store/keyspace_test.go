package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/clock"
)

// eventLog records what the keyspace reports to its hooks.
type eventLog struct{ events []string }

func (l *eventLog) KeyChanged(db int, key []byte, ev Event) {
	l.events = append(l.events, fmt.Sprintf("%d %s %s", db, ev.Name, key))
}
func (l *eventLog) DBReplacing(db, other int) {
	l.events = append(l.events, fmt.Sprintf("replacing %d %d", db, other))
}

func newTestKeyspace() (*Keyspace, *clock.Clock, *eventLog) {
	clk := &clock.Clock{}
	clk.Freeze()
	ks := New(16, 8, clk)
	log := &eventLog{}
	ks.SetHooks(log)
	ks.Lock(ks.AllShards()) // single-goroutine tests hold every shard throughout
	return ks, clk, log
}

func TestSetLookupDelete(t *testing.T) {
	ks, _, log := newTestKeyspace()
	db := ks.DB(0)
	db.Set([]byte("k"), NewString([]byte("v")), Event{ClassString, "set"})
	e := db.Lookup([]byte("k"))
	require.NotNil(t, e)
	require.Equal(t, "v", string(e.Bytes()))
	require.Nil(t, db.Lookup([]byte("missing")))
	require.True(t, db.Delete([]byte("k"), EvDel))
	require.False(t, db.Delete([]byte("k"), EvDel))
	require.Equal(t, []string{"0 new k", "0 set k", "0 keymiss missing", "0 del k"}, log.events)
	st := ks.Stats()
	require.Equal(t, int64(1), st.Hits)
	require.Equal(t, int64(1), st.Misses)
	require.Equal(t, int64(2), st.Dirty)
}

// TestDirtyCounts: the N forms count what they are told in Dirty, every write counts
// in Writes (the server's test of whether a call wrote), and expiries and evictions
// count in neither.
func TestDirtyCounts(t *testing.T) {
	ks, clk, _ := newTestKeyspace()
	db := ks.DB(0)
	all := ks.AllShards()
	step := func(f func(), dirty, writes int64) {
		t.Helper()
		d, w := ks.Stats().Dirty, ks.Writes(all)
		f()
		require.Equal(t, dirty, ks.Stats().Dirty-d, "dirty")
		require.Equal(t, writes, ks.Writes(all)-w, "writes")
	}
	step(func() { db.SetN([]byte("l"), NewString([]byte("v")), Event{}, 3) }, 3, 1)
	step(func() { db.ChangedN([]byte("l"), Event{}, 0) }, 0, 1)
	step(func() { db.ChangedN([]byte("l"), Event{}, 2) }, 2, 1)
	step(func() { db.DeleteN([]byte("l"), EvDel, 0) }, 0, 1)
	step(func() { db.DeleteN([]byte("l"), EvDel, 1) }, 0, 0) // no such key
	e := NewString([]byte("v"))
	e.SetExpireAt(clk.UnixMilli() + 10)
	step(func() { db.Set([]byte("k"), e, Event{}) }, 1, 1)
	clk.Advance(time.Second)
	step(func() { require.Nil(t, db.Lookup([]byte("k"))) }, 0, 0)
	require.Equal(t, int64(1), ks.Stats().Expired)
	step(func() { db.Set([]byte("e"), NewString([]byte("v")), Event{}) }, 1, 1)
	step(func() { _, ok := db.Evict("e", false); require.True(t, ok) }, 0, 0)
	require.Equal(t, int64(1), ks.Stats().Evicted)
}

func TestLazyExpiry(t *testing.T) {
	ks, clk, log := newTestKeyspace()
	db := ks.DB(3)
	e := NewString([]byte("v"))
	e.SetExpireAt(clk.UnixMilli() + 1000)
	db.Set([]byte("k"), e, Event{ClassString, "set"})
	keys, volatile := db.Size()
	require.Equal(t, 1, keys)
	require.Equal(t, 1, volatile)
	clk.Advance(999 * time.Millisecond)
	require.NotNil(t, db.Peek([]byte("k")))
	clk.Advance(time.Millisecond)
	require.False(t, db.Has([]byte("k")))
	require.Nil(t, db.Peek([]byte("k")))
	keys, volatile = db.Size()
	require.Zero(t, keys)
	require.Zero(t, volatile)
	require.Contains(t, log.events, "3 expired k")
	require.Equal(t, int64(1), ks.Stats().Expired)
}

func TestExpireSlotRemovesOnlyExpired(t *testing.T) {
	ks, clk, _ := newTestKeyspace()
	db := ks.DB(0)
	for i := 0; i < 1000; i++ {
		e := NewString([]byte("v"))
		if i%2 == 0 {
			e.SetExpireAt(clk.UnixMilli() + 10)
		}
		db.Set([]byte(fmt.Sprint(i)), e, Event{})
	}
	clk.Advance(time.Second)
	removed := 0
	for s := 0; s < Slots; s++ {
		_, x, _ := db.ExpireSlot(s, clk.UnixMilli())
		removed += x
	}
	require.Equal(t, 500, removed)
	keys, volatile := db.Size()
	require.Equal(t, 500, keys)
	require.Zero(t, volatile)
}

// TestVolatileCount checks the database's count of keys with a deadline against its
// slots through every way a deadline comes and goes.
func TestVolatileCount(t *testing.T) {
	ks, clk, _ := newTestKeyspace()
	db := ks.DB(2)
	check := func() {
		t.Helper()
		_, volatile := db.Size()
		require.Equal(t, int64(volatile), ks.Volatile(2))
	}
	for i := range 200 {
		e := NewString([]byte("v"))
		if i%3 != 0 {
			e.SetExpireAt(clk.UnixMilli() + int64(i))
		}
		db.Set([]byte(fmt.Sprint(i)), e, Event{})
	}
	check()
	for i := 0; i < 200; i += 5 { // replaced, with and without a deadline
		e := NewString([]byte("w"))
		if i%2 == 0 {
			e.SetExpireAt(clk.UnixMilli() + 5000)
		}
		db.Set([]byte(fmt.Sprint(i)), e, Event{})
	}
	check()
	for i := 1; i < 200; i += 7 { // deadlines set and dropped in place
		if e := db.Peek([]byte(fmt.Sprint(i))); e != nil {
			db.SetExpire([]byte(fmt.Sprint(i)), e, map[bool]int64{true: 0, false: clk.UnixMilli() + 100}[i%2 == 0])
		}
	}
	check()
	for i := 0; i < 200; i += 11 {
		db.Delete([]byte(fmt.Sprint(i)), Event{})
	}
	check()
	clk.Advance(150 * time.Millisecond)
	for s := 0; s < Slots; s++ {
		db.ExpireSlot(s, clk.UnixMilli())
	}
	check()
	n := ks.Volatile(2)
	require.Positive(t, n)
	ks.SwapDB(2, 3) // the counts follow the databases
	require.Equal(t, n, ks.Volatile(3))
	require.Zero(t, ks.Volatile(2))
	ks.SwapDB(2, 3)
	db.Flush()
	check()
	require.Zero(t, ks.Volatile(2))
}

// TestScanGuarantee checks that every key present for a whole scan is returned, while
// keys are added and removed between calls.
func TestScanGuarantee(t *testing.T) {
	ks, _, _ := newTestKeyspace()
	db := ks.DB(0)
	for i := 0; i < 5000; i++ {
		db.Set([]byte(fmt.Sprintf("stable%d", i)), NewString(nil), Event{})
	}
	seen := map[string]int{}
	var cursor uint64
	for round := 0; ; round++ {
		next, keys := db.Scan(cursor, 50, ScanFilter{})
		for _, k := range keys {
			seen[k]++
		}
		for i := 0; i < 20; i++ {
			db.Set([]byte(fmt.Sprintf("churn%d-%d", round, i)), NewString(nil), Event{})
			db.Delete([]byte(fmt.Sprintf("churn%d-%d", round-1, i)), EvDel)
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	for i := 0; i < 5000; i++ {
		require.Equal(t, 1, seen[fmt.Sprintf("stable%d", i)], "stable%d", i)
	}
}

func TestScanCountAndFilter(t *testing.T) {
	ks, _, _ := newTestKeyspace()
	db := ks.DB(0)
	for i := 0; i < 100; i++ {
		db.Set([]byte(fmt.Sprintf("a%d", i)), NewString(nil), Event{})
	}
	next, keys := db.Scan(0, 7, ScanFilter{})
	require.Len(t, keys, 7)
	require.NotZero(t, next)
	list := TypeList
	_, keys = db.Scan(0, 1000, ScanFilter{Type: &list})
	require.Empty(t, keys)
	require.Equal(t, int64(100), ks.Stats().Hits, "a TYPE filter reads each key")
}

// TestScanExpires: an expired key the pattern selects is deleted, as Redis's SCAN does;
// one it does not select stays until something else expires it.
func TestScanExpires(t *testing.T) {
	ks, clk, log := newTestKeyspace()
	db := ks.DB(0)
	for _, k := range []string{"a", "b"} {
		e := NewString(nil)
		e.SetExpireAt(clk.UnixMilli() + 1)
		db.Set([]byte(k), e, Event{})
	}
	clk.Advance(time.Second)
	_, keys := db.Scan(0, 10, ScanFilter{Match: func(k string) bool { return k == "a" }})
	require.Empty(t, keys)
	require.Equal(t, int64(1), ks.Stats().Expired)
	require.Contains(t, log.events, "0 expired a")
	n, _ := db.Size()
	require.Equal(t, 1, n)
}

func TestSwapAndFlush(t *testing.T) {
	ks, _, log := newTestKeyspace()
	ks.DB(0).Set([]byte("a"), NewString([]byte("0")), Event{})
	ks.DB(1).Set([]byte("b"), NewString([]byte("1")), Event{})
	ks.SwapDB(0, 1)
	require.NotNil(t, ks.DB(0).Peek([]byte("b")))
	require.NotNil(t, ks.DB(1).Peek([]byte("a")))
	require.Equal(t, 0, ks.DB(0).Index())
	require.NotNil(t, ks.DB(0).NoTouch().Peek([]byte("b")), "the NoTouch view follows the swap")
	require.Equal(t, 1, ks.DB(1).NoTouch().Index())
	ks.DB(0).Flush()
	require.Nil(t, ks.DB(0).NoTouch().Peek([]byte("b")), "and the flush")
	n, _ := ks.DB(0).Size()
	require.Zero(t, n)
	require.Contains(t, log.events, "replacing 0 1")
	require.Contains(t, log.events, "replacing 0 -1")
	k, ok := ks.DB(1).RandomKey()
	require.True(t, ok)
	require.Equal(t, "a", k)
	_, ok = ks.DB(2).RandomKey()
	require.False(t, ok)
}

// TestNoTouchView: lookups through the NoTouch view count hits but leave the access
// clock alone; the ordinary view refreshes it.
func TestNoTouchView(t *testing.T) {
	ks, clk, _ := newTestKeyspace()
	db := ks.DB(0)
	db.Set([]byte("k"), NewString([]byte("v")), Event{})
	clk.Advance(10 * time.Second)
	ks.Tick()
	quiet := db.NoTouch()
	require.Same(t, quiet, quiet.NoTouch())
	require.NotNil(t, quiet.Lookup([]byte("k")))
	require.NotNil(t, quiet.LookupWrite([]byte("k")))
	require.Equal(t, int64(10), db.Peek([]byte("k")).IdleSeconds(clk.UnixMilli()))
	require.Equal(t, int64(1), ks.Stats().Hits)
	require.NotNil(t, db.Lookup([]byte("k")))
	require.Zero(t, db.Peek([]byte("k")).IdleSeconds(clk.UnixMilli()))
}

func TestStringGrowAndEncoding(t *testing.T) {
	e := NewString([]byte("123"))
	require.Equal(t, "int", e.Encoding())
	require.Equal(t, int64(2147483647), e.RefCount())
	e.Overwrite([]byte("hello"))
	require.Equal(t, "embstr", e.Encoding())
	b := e.Grow(8)
	copy(b[5:], "abc")
	require.Equal(t, "helloabc", string(e.Bytes()))
	require.Equal(t, "raw", e.Encoding())
	c := e.Clone()
	c.Grow(9)[8] = '!'
	require.Equal(t, "helloabc", string(e.Bytes()))
	require.Equal(t, "helloabc!", string(c.Bytes()))
}
