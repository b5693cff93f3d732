package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSampleKeysFiltersVolatileAndBoundsCount(t *testing.T) {
	ks, clk, _ := newTestKeyspace()
	db := ks.DB(0)
	for i := 0; i < 200; i++ {
		e := NewString([]byte("v"))
		if i%10 == 0 {
			e.SetExpireAt(clk.UnixMilli() + 1000)
		}
		db.Set([]byte(fmt.Sprintf("k%d", i)), e, Event{})
	}
	for _, volatile := range []bool{false, true} {
		seen := map[string]bool{}
		db.SampleKeys(5, volatile, func(key string, e *Entry) {
			seen[key] = true
			if volatile {
				require.NotZero(t, e.ExpireAt(), key)
			}
		})
		require.Len(t, seen, 5)
	}
	// Asking for more than there are returns each volatile key once.
	n := 0
	db.SampleKeys(1000, true, func(string, *Entry) { n++ })
	require.Equal(t, 20, n)
	ks.DB(1).SampleKeys(5, false, func(string, *Entry) { t.Fatal("empty database sampled") })
}

func TestEvictReportsAndCounts(t *testing.T) {
	ks, clk, log := newTestKeyspace()
	db := ks.DB(2)
	db.Set([]byte("plain"), NewString([]byte("v")), Event{})
	e := NewString([]byte(strings.Repeat("x", 1000)))
	e.SetExpireAt(clk.UnixMilli() + 1000)
	db.Set([]byte("ttl"), e, Event{})
	log.events = nil

	_, ok := db.Evict("plain", true)
	require.False(t, ok, "a volatile policy may not evict a key without a TTL")
	_, ok = db.Evict("missing", false)
	require.False(t, ok)
	freed, ok := db.Evict("ttl", true)
	require.True(t, ok)
	require.GreaterOrEqual(t, freed, int64(1000))
	freed, ok = db.Evict("plain", false)
	require.True(t, ok)
	require.Positive(t, freed)

	require.Equal(t, []string{"2 evicted ttl", "2 evicted plain"}, log.events)
	require.Equal(t, int64(2), ks.Stats().Evicted)
	keys, volatile := db.Size()
	require.Zero(t, keys)
	require.Zero(t, volatile)
}

func TestFreedBytesCountsDroppedValuesOnce(t *testing.T) {
	ks, clk, _ := newTestKeyspace()
	db := ks.DB(0)
	big := func() *Entry { return NewString([]byte(strings.Repeat("x", 4000))) }
	freed := ks.FreedBytes()
	step := func() int64 {
		n := ks.FreedBytes() - freed
		freed = ks.FreedBytes()
		return n
	}

	db.Set([]byte("a"), big(), Event{})
	require.Zero(t, step(), "nothing dropped yet")

	db.Set([]byte("a"), big(), Event{}) // the old value is dropped, the key stays
	require.Equal(t, int64(16+4096), step(), "an object header and a string of 4000 bytes in 4096")

	// RENAME and MOVE store the entry under the new key before removing the old one:
	// the value lives on.
	e := db.Peek([]byte("a"))
	db.Set([]byte("b"), e, Event{})
	require.True(t, db.Delete([]byte("a"), EvDel))
	require.Zero(t, step())
	db.Set([]byte("b"), e, Event{}) // re-storing the same entry drops nothing
	require.Zero(t, step())

	require.True(t, db.Delete([]byte("b"), EvDel))
	require.Equal(t, int64(e.MemoryUsage(1, freedSamples)), step())

	e = big()
	e.SetExpireAt(clk.UnixMilli() + 10)
	db.Set([]byte("c"), e, Event{})
	clk.Advance(20 * time.Millisecond)
	require.Nil(t, db.Peek([]byte("c")))
	require.Equal(t, int64(e.MemoryUsage(1, freedSamples)), step(), "expired values count")

	db.Set([]byte("d"), big(), Event{})
	flushes := ks.Flushes()
	db.Flush()
	require.Zero(t, step(), "a flush is not estimated")
	require.Equal(t, flushes+1, ks.Flushes())
}

// A key loaded from a snapshot is counted as freed when it goes, as a key set by a
// command is.
func TestLoadedKeyCountsAsFreed(t *testing.T) {
	ks, _, _ := newTestKeyspace()
	db := ks.DB(0)
	db.Load("loaded", NewString([]byte("value")))
	before := ks.FreedBytes()
	if !db.Delete([]byte("loaded"), EvDel) {
		t.Fatal("the loaded key is missing")
	}
	if ks.FreedBytes() <= before {
		t.Fatal("deleting a loaded key freed nothing")
	}
}
