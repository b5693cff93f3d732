package cinnabartest_test

import (
	"runtime"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// TestStartTime measures how long Start takes; a fixture per test must be cheap.
func TestStartTime(t *testing.T) {
	const n = 20
	times := make([]time.Duration, n)
	for i := range times {
		t0 := time.Now()
		srv, err := cinnabartest.New()
		times[i] = time.Since(t0)
		require.NoError(t, err)
		srv.Close()
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	t.Logf("start time over %d servers: min %v, median %v, max %v", n, times[0], times[n/2], times[n-1])
	require.Less(t, times[n/2], 50*time.Millisecond)
}

// TestParallelServers runs 20 servers at once, each with its own data.
func TestParallelServers(t *testing.T) {
	for i := 0; i < 20; i++ {
		i := i
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			srv := cinnabartest.Start(t, cinnabartest.WithFrozenClock())
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
			t.Cleanup(func() { _ = rdb.Close() })
			me := strconv.Itoa(i)
			require.NoError(t, rdb.Set(ctx, "who", me, time.Second).Err())
			require.Equal(t, int64(1), rdb.DBSize(ctx).Val())
			srv.FastForward(500 * time.Millisecond)
			require.Equal(t, me, rdb.Get(ctx, "who").Val())
			srv.FastForward(time.Second)
			require.Equal(t, redis.Nil, rdb.Get(ctx, "who").Err())
		})
	}
}

// TestCloseLeavesNoGoroutines starts servers, gives them clients in every state a
// goroutine can be in (idle, subscribed, monitoring, blocked, paused), closes them and
// checks that every goroutine they started has ended.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	// Counted from a goroutine of its own, as Eventually runs its condition in one.
	count := make(chan int)
	go func() { count <- runtime.NumGoroutine() }()
	base := <-count
	for round := 0; round < 3; round++ {
		srv, err := cinnabartest.New()
		require.NoError(t, err)
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
		require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
		sub := rdb.Subscribe(ctx, "ch")
		_, err = sub.Receive(ctx)
		require.NoError(t, err)
		mon := rdb.Conn()
		require.NoError(t, mon.Do(ctx, "MONITOR").Err())
		blocked := make(chan error, 1)
		go func() { blocked <- rdb.BLPop(ctx, 0, "list").Err() }()
		require.Eventually(t, func() bool {
			return rdb.Do(ctx, "CLIENT", "LIST").String() != "" && blockedClients(t, rdb) == 1
		}, 5*time.Second, 5*time.Millisecond)
		srv.Close()
		require.Error(t, <-blocked)
		_ = sub.Close()
		_ = mon.Close()
		_ = rdb.Close()
		srv.Close() // a second Close is harmless
	}
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= base }, 5*time.Second, 10*time.Millisecond,
		"goroutines: %d before, %d after", base, runtime.NumGoroutine())
}

func blockedClients(t *testing.T, rdb *redis.Client) int {
	info := rdb.Info(ctx, "clients").Val()
	for _, line := range splitLines(info) {
		if v, ok := cutPrefix(line, "blocked_clients:"); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return -1
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			line := s[start:i]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			out = append(out, line)
			start = i + 1
		}
	}
	return out
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}
