package cinnabartest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

var ctx = context.Background()

// exampleT stands in for the *testing.T a real test has, so the examples run.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()                           {}
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// Start is the usual way in: a server for one test, closed by t.Cleanup.
func ExampleStart() {
	t := &exampleT{} // in a test: the *testing.T
	defer t.done()

	srv := cinnabartest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	rdb.Set(ctx, "greeting", "hello", 0)
	fmt.Println(rdb.Get(ctx, "greeting").Val())
	// Output: hello
}

// New starts a server outside a test, for TestMain or a program; Close stops it.
func ExampleNew() {
	srv, err := cinnabartest.New(cinnabartest.WithDatabases(4))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), DB: 3})
	defer rdb.Close()
	fmt.Println(rdb.Ping(ctx).Val())
	fmt.Println(rdb.Do(ctx, "SELECT", 4).Err())
	// Output:
	// PONG
	// ERR DB index is out of range
}

// FastForward moves the server's clock: keys expire without the test sleeping.
func ExampleServer_FastForward() {
	srv, _ := cinnabartest.New()
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	rdb.Set(ctx, "session", "data", time.Hour)
	srv.FastForward(59 * time.Minute)
	fmt.Println(rdb.Exists(ctx, "session").Val())
	srv.FastForward(time.Minute)
	fmt.Println(rdb.Exists(ctx, "session").Val())
	// Output:
	// 1
	// 0
}

// SetTime puts the clock at an instant; with WithFrozenClock it stays there, so TTLs
// read back exactly.
func ExampleServer_SetTime() {
	srv, _ := cinnabartest.New(cinnabartest.WithFrozenClock())
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	srv.SetTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	rdb.ExpireAt(ctx, "k", time.Date(2030, 1, 1, 0, 0, 10, 0, time.UTC))
	rdb.Set(ctx, "k", "v", 0)
	rdb.ExpireAt(ctx, "k", time.Date(2030, 1, 1, 0, 0, 10, 0, time.UTC))
	fmt.Println(rdb.TTL(ctx, "k").Val())
	fmt.Println(rdb.Time(ctx).Val().UTC().Format(time.RFC3339))
	// Output:
	// 10s
	// 2030-01-01T00:00:00Z
}

// WithConfig sets any redis.conf directive; WithMaxMemory and WithPolicy are
// shorthands for the memory limit.
func ExampleWithMaxMemory() {
	srv, _ := cinnabartest.New(
		cinnabartest.WithMaxMemory(64<<20),
		cinnabartest.WithPolicy("allkeys-lru"),
		cinnabartest.WithConfig("slowlog-log-slower-than", "0"),
	)
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	fmt.Println(rdb.ConfigGet(ctx, "maxmemory*").Val())
	// Output: map[maxmemory:67108864 maxmemory-clients:0 maxmemory-eviction-tenacity:10 maxmemory-policy:allkeys-lru maxmemory-samples:5]
}

// WithPolicy chooses what happens when memory reaches maxmemory. A limit below what
// the server itself uses makes the outcome certain: allkeys-lru evicts every key before
// the next command, then refuses writes, as nothing is left to evict; reads still work.
func ExampleWithPolicy() {
	srv, _ := cinnabartest.New(cinnabartest.WithPolicy("allkeys-lru"))
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	rdb.MSet(ctx, "a", 1, "b", 2, "c", 3)
	rdb.ConfigSet(ctx, "maxmemory", "1")
	fmt.Println(rdb.DBSize(ctx).Val())
	fmt.Println(rdb.Set(ctx, "d", 4, 0).Err())
	fmt.Println(rdb.Get(ctx, "a").Err())
	fmt.Println(rdb.InfoMap(ctx, "stats").Item("Stats", "evicted_keys"))
	// Output:
	// 0
	// OOM command not allowed when used memory > 'maxmemory'.
	// redis: nil
	// 3
}

// WithDir sets where persistence files go; the process's working directory is left
// alone.
func ExampleWithDir() {
	dir := "/tmp"
	srv, _ := cinnabartest.New(cinnabartest.WithDir(dir))
	defer srv.Close()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	fmt.Println(rdb.ConfigGet(ctx, "dir").Val()["dir"])
	// Output: /tmp
}

// WithPassword makes clients authenticate.
func ExampleWithPassword() {
	srv, _ := cinnabartest.New(cinnabartest.WithPassword("s3cret"))
	defer srv.Close()

	anonymous := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer anonymous.Close()
	fmt.Println(anonymous.Ping(ctx).Err())

	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: "s3cret"})
	defer rdb.Close()
	fmt.Println(rdb.Ping(ctx).Val())
	// Output:
	// NOAUTH Authentication required.
	// PONG
}
