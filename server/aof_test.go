package server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// A failed AOF write is not lost: the data stays buffered, writes (and PING) are
// refused with -MISCONF until a retry succeeds, and then nothing is missing.
func TestAOFWriteErrorRefusesWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	aof := []cinnabartest.Option{cinnabartest.WithDir(dir), cinnabartest.WithConfig("appendonly", "yes")}
	srv := cinnabartest.Start(t, aof...)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2, MaxRetries: -1})
	defer c.Close()
	require.NoError(t, c.Set(ctx, "a", "1", 0).Err())

	// A read-only descriptor of the INCR file: every write to it fails.
	ro, err := os.Open(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	defer ro.Close()
	good := srv.Server().SwapAOFFile(ro)
	require.NoError(t, c.Set(ctx, "b", "2", 0).Err()) // everysec: the reply does not wait for the disk
	require.ErrorContains(t, c.Set(ctx, "c", "3", 0).Err(), "MISCONF Errors writing to the AOF file: ")
	require.ErrorContains(t, c.Ping(ctx).Err(), "MISCONF")
	require.Equal(t, "1", c.Get(ctx, "a").Val(), "reads are served")
	require.Contains(t, c.Info(ctx, "persistence").Val(), "aof_last_write_status:err")

	srv.Server().SwapAOFFile(good) // the disk is back: the syncer's retry succeeds
	require.Eventually(t, func() bool { return c.Ping(ctx).Err() == nil }, 3*time.Second, 10*time.Millisecond)
	require.Contains(t, c.Info(ctx, "persistence").Val(), "aof_last_write_status:ok")
	srv.Close()
	again := redis.NewClient(&redis.Options{Addr: cinnabartest.Start(t, aof...).Addr(), Protocol: 2})
	defer again.Close()
	require.Equal(t, []any{"1", "2", nil}, again.MGet(ctx, "a", "b", "c").Val())
}
