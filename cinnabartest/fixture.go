// Package cinnabartest starts Cinnabar servers inside Go tests, the way net/http/httptest
// starts HTTP servers:
//
//	srv := cinnabartest.Start(t)
//	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
//
// Each server listens on its own free loopback port, is isolated from every other, and
// is closed by t.Cleanup. Its clock is real time by default; FastForward and SetTime move
// it, so TTLs and expiry can be tested without sleeping.
//
// A server starts in about a millisecond and costs a few hundred kilobytes, so every
// test (and every parallel subtest) can have its own. Close disconnects the clients and
// waits for every goroutine the server started, so tests that check for goroutine leaks
// can use it.
//
// Settings that differ from redis-server's defaults: the port is free and chosen by the
// kernel, bind is 127.0.0.1, save is "" (no snapshots), and the log is discarded. Any
// redis.conf directive can be set with WithConfig; WithMaxMemory, WithPolicy, WithDir,
// WithPassword and WithDatabases are shorthands. The working directory of the process is
// never changed (CONFIG SET dir records the directory without a chdir).
package cinnabartest

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/config"
	"github.com/cinnabar-db/cinnabar/server"
)

// Server is a running in-process Cinnabar.
type Server struct {
	srv   *server.Server
	clock *clock.Clock
}

// Option adjusts a server before it starts.
type Option func(*settings)

type settings struct {
	args   []string
	frozen bool
	log    io.Writer
}

// WithConfig sets any redis.conf directive, e.g. WithConfig("maxmemory", "10mb").
func WithConfig(name string, values ...string) Option {
	return func(s *settings) { s.args = append(append(s.args, "--"+name), values...) }
}

// WithPassword requires AUTH with this password (requirepass).
func WithPassword(pass string) Option { return WithConfig("requirepass", pass) }

// WithDatabases sets the number of databases.
func WithDatabases(n int) Option { return WithConfig("databases", strconv.Itoa(n)) }

// WithMaxMemory sets maxmemory in bytes (0: no limit).
func WithMaxMemory(bytes int64) Option {
	return WithConfig("maxmemory", strconv.FormatInt(bytes, 10))
}

// WithPolicy sets maxmemory-policy: noeviction, allkeys-lru, allkeys-lfu,
// allkeys-random, volatile-lru, volatile-lfu, volatile-random or volatile-ttl.
func WithPolicy(policy string) Option { return WithConfig("maxmemory-policy", policy) }

// WithDir sets dir, where persistence files go; the directory must exist (t.TempDir()
// is a good choice).
func WithDir(dir string) Option { return WithConfig("dir", dir) }

// WithFrozenClock starts the server with its clock stopped: time moves only through
// FastForward and SetTime.
func WithFrozenClock() Option { return func(s *settings) { s.frozen = true } }

// WithLog sends the server's log to w (it is discarded by default).
func WithLog(w io.Writer) Option { return func(s *settings) { s.log = w } }

// Start starts a server for the test and registers its Close with t.Cleanup. It fails
// the test (t.Fatalf) if the server cannot start, for instance on a bad option.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("cinnabartest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New starts a server outside a test; the caller must Close it.
func New(opts ...Option) (*Server, error) {
	st := settings{args: []string{"--port", "0", "--bind", "127.0.0.1", "--save", ""}, log: io.Discard}
	for _, o := range opts {
		o(&st)
	}
	cfg, err := config.Parse(st.args)
	if err != nil {
		return nil, err
	}
	clk := &clock.Clock{}
	if st.frozen {
		clk.Freeze()
	}
	srv, err := server.New(cfg, server.Options{Clock: clk, Log: st.log})
	if err != nil {
		return nil, err
	}
	if err := srv.Listen(); err != nil {
		return nil, err
	}
	return &Server{srv: srv, clock: clk}, nil
}

// Addr is the server's "host:port".
func (s *Server) Addr() string { return s.srv.Addr().String() }

// Port is the server's port.
func (s *Server) Port() int { return s.srv.Port() }

// Close stops the server, disconnects its clients and waits for the server's
// goroutines to end. It may be called more than once.
func (s *Server) Close() { _ = s.srv.Close() }

// Server returns the underlying server, for what the fixture does not wrap.
func (s *Server) Server() *server.Server { return s.srv }

// FastForward moves the server's clock forward by d. Keys' idle times (OBJECT IDLETIME,
// the LRU eviction policies) follow at once.
func (s *Server) FastForward(d time.Duration) {
	s.clock.Advance(d)
	s.srv.Keyspace().Tick()
}

// SetTime moves the server's clock to t. Keys' idle times follow at once.
func (s *Server) SetTime(t time.Time) {
	s.clock.Set(t)
	s.srv.Keyspace().Tick()
}

// Now is the server's current time.
func (s *Server) Now() time.Time { return s.clock.Now() }
