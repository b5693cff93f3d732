package expire

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/store"
)

func load(ks *store.Keyspace, db, n int, ttl time.Duration) {
	ks.Lock(ks.AllShards())
	defer ks.Unlock(ks.AllShards())
	d := ks.DB(db)
	for i := 0; i < n; i++ {
		e := store.NewString([]byte("v"))
		if ttl > 0 {
			e.SetExpireAt(ks.Clock.UnixMilli() + ttl.Milliseconds())
		}
		d.Set([]byte(fmt.Sprintf("k%d", i)), e, store.Event{})
	}
}

func size(ks *store.Keyspace, db int) int {
	ks.Lock(ks.AllShards())
	defer ks.Unlock(ks.AllShards())
	n, _ := ks.DB(db).Size()
	return n
}

// TestCycleRemovesExpiredKeys checks that repeated cycles free every expired key without
// anyone reading them, and leave keys without a TTL alone.
func TestCycleRemovesExpiredKeys(t *testing.T) {
	clk := &clock.Clock{}
	clk.Freeze()
	ks := store.New(2, 8, clk)
	load(ks, 0, 10000, time.Second)
	load(ks, 1, 100, 0)
	c := New(ks, 10, 1)
	require.Zero(t, c.Run(time.Second), "nothing has expired yet")
	require.Positive(t, c.AvgTTL(0))
	clk.Advance(2 * time.Second)
	removed := 0
	for i := 0; i < 100 && removed < 10000; i++ {
		removed += c.Run(25 * time.Millisecond)
	}
	require.Equal(t, 10000, removed)
	require.Zero(t, size(ks, 0))
	require.Equal(t, 100, size(ks, 1))
}

// TestCycleBackground runs the real loop until the keys are gone.
func TestCycleBackground(t *testing.T) {
	clk := &clock.Clock{}
	ks := store.New(1, 8, clk)
	load(ks, 0, 2000, 10*time.Millisecond)
	c := New(ks, 100, 1)
	c.Start()
	defer c.Stop()
	require.Eventually(t, func() bool { return size(ks, 0) == 0 }, 5*time.Second, 10*time.Millisecond)
}
