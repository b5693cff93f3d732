package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

	"github.com/cinnabar-db/cinnabar/acl"
	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/config"
	"github.com/cinnabar-db/cinnabar/evict"
	"github.com/cinnabar-db/cinnabar/expire"
	"github.com/cinnabar-db/cinnabar/hll"
	"github.com/cinnabar-db/cinnabar/store"
)

// Options are the parts of a server that are not settings.
type Options struct {
	// Clock is the time source for TTLs and timeouts; nil means the wall clock.
	Clock *clock.Clock
	// Log receives the log; nil means the logfile setting (stdout when empty).
	Log io.Writer
	// Shards is the number of keyspace lock shards (power of two, 1..64); 0 means 64.
	Shards int
	// Chdir makes CONFIG SET dir change the process's working directory, as Redis
	// does. The executable sets it; in-process servers leave it off, since the working
	// directory is shared by everything in the process.
	Chdir bool
}

// Server is one Cinnabar instance.
type Server struct {
	cfg   *config.Config
	clock *clock.Clock
	ks    *store.Keyspace
	table *command.Table
	log   *logger

	listeners []*redcon.Server
	addrs     []net.Addr
	expirer   *expire.Cycle
	evictor   *evict.Evictor
	conns     sync.WaitGroup

	tracking  tracking // CLIENT TRACKING (tracking.go)
	tls       tlsState // tls.go
	port      int      // the plain-text port listened on, 0 if none
	tlsPort   int      // the TLS port listened on, 0 if none
	clientsMu sync.Mutex
	clients   map[int64]*Client
	nextID    atomic.Int64

	started    time.Time
	peakMemory atomic.Uint64
	reqLimits  guardLimits // proto-max-bulk-len and client-query-buffer-limit, for the protocol guard

	watches        watchRegistry
	blocking       blockRegistry
	pubsub         pubsubRegistry
	notifyClasses  atomic.Uint32 // store.Class bits of notify-keyspace-events
	notifyKeyspace atomic.Bool
	notifyKeyevent atomic.Bool
	stats          serverStats
	acl            *acl.Registry
	aclLogState    aclLog
	httpWarnedAt   atomic.Int64   // unix seconds of the last cross-protocol warning (refusedHTTP)
	clientEvict    clientEviction // maxmemory-clients (clientevict.go)
	diag           diagState      // INFO counters, slowlog, latency, MONITOR, pause (diag.go)
	closeOnce      sync.Once
	done           chan struct{}
	gcRetune       chan struct{} // maxmemory changed: the GC tuner applies it (gctune.go)

	scripts *scripting       // the Lua engine and the running script (scripting.go)
	rdb     rdbState         // snapshots (persistence.go)
	aof     aofState         // the append-only file (aof.go)
	repl    replicationState // attached replicas (replication.go)
	link    replicaLink      // the link to this server's master, when a replica (replica.go)

	writes     writeStream                           // propagation to the AOF and replicas (propagate.go)
	shardUnits [store.MaxShards]atomic.Pointer[unit] // the unit running on each locked shard
	execSpec   *command.Spec
}

type serverStats struct {
	connections, rejectedConns atomic.Int64
	retired                    counterTotals // departed clients' counters; guarded by clientsMu (stats.go)
	errors                     errorStats
}

// New builds a server from its settings; Listen and Serve start it.
func New(cfg *config.Config, opts Options) (*Server, error) {
	if opts.Clock == nil {
		opts.Clock = &clock.Clock{}
	}
	if opts.Shards == 0 {
		opts.Shards = store.MaxShards
	}
	s := &Server{
		cfg:     cfg,
		clock:   opts.Clock,
		clients: map[int64]*Client{},
		started: time.Now(),
		done:    make(chan struct{}),
	}
	s.clientEvict.wake = make(chan struct{}, 1)
	s.stats.errors.reset()
	s.gcRetune = make(chan struct{}, 1)
	out := opts.Log
	if out == nil {
		if f := cfg.String("logfile"); f != "" {
			fh, err := os.OpenFile(f, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return nil, fmt.Errorf("can't open the log file: %w", err)
			}
			out = fh
		} else {
			out = os.Stdout
		}
	}
	s.log = newLogger(out, cfg.String("loglevel"))
	s.ks = store.New(int(cfg.Int("databases")), opts.Shards, s.clock)
	s.ks.SetHooks(s)
	s.tracking.init(s.ks.Shards())
	s.table = command.NewTable(cloneRows(s.commandGroups())...) // per-server rows (diag.go)
	if err := s.initACL(); err != nil {
		return nil, err
	}
	s.execSpec = s.table.Get("exec")
	flushAll := s.table.Get("flushall")
	flushAll.Do = s.flushAllSaving(flushAll.Do) // persistence.go
	s.expirer = expire.New(s.ks, int(cfg.Int("hz")), int(cfg.Int("active-expire-effort")))
	s.evictor = s.newEvictor()
	s.applyConfig()
	cfg.OnChange(func(string) { s.applyConfig() })
	cfg.OnChange(s.maxMemoryChanged) // after applyConfig: it evicts under the new settings
	s.initDiag(opts)
	s.rdb.lastSave, s.rdb.lastOK, s.rdb.lastSeconds = s.started, true, -1
	s.aof.rw.lastOK, s.aof.rw.lastSeconds = true, -1
	s.aofSettings()
	// With appendonly yes the AOF is the dataset; an RDB file is not read even when no
	// AOF exists (a new one is made from the empty dataset), as Redis 7.0 does.
	if cfg.Bool("appendonly") {
		loaded, err := s.loadAOF()
		if err == nil {
			err = s.startAOF(loaded)
		}
		if err != nil {
			return nil, err
		}
	} else {
		if err := s.loadRDB(); err != nil {
			return nil, err
		}
		s.noteManifest()
	}
	cfg.OnChange(s.appendOnlyChanged)
	return s, nil
}

// applyConfig refreshes the settings the server caches for its hot paths.
func (s *Server) applyConfig() {
	s.ks.SetLFU(strings.Contains(s.cfg.String("maxmemory-policy"), "lfu"))
	s.ks.LFUParams.LogFactor.Store(s.cfg.Int("lfu-log-factor"))
	s.ks.LFUParams.DecayTime.Store(s.cfg.Int("lfu-decay-time"))
	s.setNotifyFlags(s.cfg.Int("notify-keyspace-events"))
	s.tracking.max.Store(s.cfg.Int("tracking-table-max-keys"))
	s.reqLimits.maxBulk.Store(s.cfg.Int("proto-max-bulk-len"))
	s.reqLimits.maxQuery.Store(s.cfg.Int("client-query-buffer-limit"))
	s.applyClientEviction()
	lim := &s.ks.Limits
	lim.HashMaxListpackEntries.Store(s.cfg.Int("hash-max-listpack-entries"))
	lim.HashMaxListpackValue.Store(s.cfg.Int("hash-max-listpack-value"))
	lim.SetMaxIntsetEntries.Store(s.cfg.Int("set-max-intset-entries"))
	lim.ZSetMaxListpackEntries.Store(s.cfg.Int("zset-max-listpack-entries"))
	lim.ZSetMaxListpackValue.Store(s.cfg.Int("zset-max-listpack-value"))
	lim.ListMaxListpackSize.Store(s.cfg.Int("list-max-listpack-size"))
	lim.ListCompressDepth.Store(s.cfg.Int("list-compress-depth"))
	lim.StreamNodeMaxBytes.Store(s.cfg.Int("stream-node-max-bytes"))
	lim.StreamNodeMaxEntries.Store(s.cfg.Int("stream-node-max-entries"))
	lim.RDBCompression.Store(s.cfg.Bool("rdbcompression"))
	hll.SetSparseMaxBytes(s.cfg.Int("hll-sparse-max-bytes"))
	s.log.setLevel(s.cfg.String("loglevel"))
	s.expirer.SetHz(int(s.cfg.Int("hz")), int(s.cfg.Int("active-expire-effort")))
	s.evictor.Configure(s.evictionSettings())
}

// Keyspace gives in-process users (the test fixture) direct access to the data.
func (s *Server) Keyspace() *store.Keyspace { return s.ks }

// Clock returns the server's time source.
func (s *Server) Clock() *clock.Clock { return s.clock }

// Listen binds every address of the bind setting on the port setting (port 0 picks a
// free port, shared by all addresses).
func (s *Server) Listen() error {
	port, tlsPort := int(s.cfg.Int("port")), int(s.cfg.Int("tls-port"))
	if tlsPort != 0 {
		conf, err := s.loadTLS()
		if err != nil {
			return fmt.Errorf("Failed to configure TLS: %w", err)
		}
		s.tls.cur.Store(conf)
	}
	// Every socket is bound, and the ports recorded, before any is served: a client
	// must not find the server half set up (INFO reads the ports).
	var bound []pendingListener
	fail := func(err error) error {
		for _, p := range bound {
			_ = p.ln.Close()
		}
		s.listeners, s.addrs = nil, nil
		return err
	}
	for _, host := range strings.Fields(s.cfg.String("bind")) {
		optional := strings.HasPrefix(host, "-")
		host = strings.TrimPrefix(host, "-")
		if host == "*" {
			host = "0.0.0.0"
		}
		if port != 0 || tlsPort == 0 { // with TLS, port 0 is no plain listener, as in Redis
			p, err := s.listenOn(host, port, nil)
			if err != nil && !optional {
				return fail(err)
			}
			if err == nil {
				bound = append(bound, p)
				port, s.port = p.port, p.port
			}
		}
		if tlsPort != 0 {
			p, err := s.listenOn(host, tlsPort, s.tlsListener)
			if err != nil && !optional {
				return fail(err)
			}
			if err == nil {
				bound = append(bound, p)
				s.tlsPort = p.port
			}
		}
	}
	if len(bound) == 0 {
		return errors.New("no listening address")
	}
	for _, p := range bound {
		go func(p pendingListener) { _ = p.rs.Serve(p.ln) }(p)
	}
	s.cfg.OnChange(s.reloadTLS)
	s.expirer.Start()
	s.startGCTuner()
	s.startCron()       // the idle timeout, pause deadlines and INFO's sampled metrics
	s.startFromConfig() // replicaof: after listening, as the master is told our port
	s.log.notice("Cinnabar %s (Redis %s compatible) ready to accept connections on %s, port %d, pid %d",
		Version, RedisVersion, s.addrs[0], s.addrs[0].(*net.TCPAddr).Port, os.Getpid())
	return nil
}

// pendingListener is a bound socket and the redcon server that will serve it.
type pendingListener struct {
	rs   *redcon.Server
	ln   net.Listener
	port int
}

// listenOn binds host:port (port 0: a free one), through wrap when it is not nil (TLS),
// for Listen to serve.
func (s *Server) listenOn(host string, port int, wrap func(net.Listener) net.Listener) (pendingListener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return pendingListener{}, fmt.Errorf("could not create server TCP listening socket %s:%d: %w", host, port, err)
	}
	addr := ln.Addr()
	rs := redcon.NewServerNetwork("tcp", addr.String(), s.serveCommand, s.accept, s.closed)
	s.listeners = append(s.listeners, rs)
	s.addrs = append(s.addrs, addr)
	if wrap != nil {
		ln = wrap(ln)
	}
	return pendingListener{rs: rs, ln: guardListener{ln, &s.reqLimits}, port: addr.(*net.TCPAddr).Port}, nil
}

// Addr returns the first listening address.
func (s *Server) Addr() net.Addr { return s.addrs[0] }

// Port returns the plain-text listening port, 0 if there is none (TLS only).
func (s *Server) Port() int { return s.port }

// TLSPort returns the TLS listening port, 0 if there is none.
func (s *Server) TLSPort() int { return s.tlsPort }

// Done is closed when the server has shut down.
func (s *Server) Done() <-chan struct{} { return s.done }

func (s *Server) closeListeners() {
	for _, l := range s.listeners {
		_ = l.Close()
	}
}

// Close stops accepting, disconnects every client and waits for their goroutines and
// the background jobs to finish.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeListeners()
		s.endReplication()
		s.clientsMu.Lock()
		for _, c := range s.clients {
			c.kill()
		}
		s.clientsMu.Unlock()
		waitTimeout(&s.conns, 10*time.Second) // a command that never returns must not hang shutdown
		s.stopCron()
		s.expirer.Stop()
		s.evictor.Stop()
		s.rdb.jobs.Wait() // a background save in progress finishes its file
		s.aof.jobs.Wait() // as does a rewrite
		s.stopAOF()
		s.log.notice("Cinnabar is now ready to exit, bye bye...")
		close(s.done)
	})
	return nil
}

func (s *Server) accept(conn redcon.Conn) bool {
	select {
	case <-s.done:
		return false
	default:
	}
	s.clientsMu.Lock()
	full := int64(len(s.clients)) >= s.cfg.Int("maxclients")
	s.clientsMu.Unlock()
	if full {
		s.stats.rejectedConns.Add(1)
		_, _ = conn.NetConn().Write([]byte("-ERR max number of clients reached\r\n"))
		return false
	}
	c := newClient(s, conn)
	conn.SetContext(c)
	s.conns.Add(1)
	s.clientsMu.Lock()
	s.clients[c.id] = c
	s.clientsMu.Unlock()
	s.stats.connections.Add(1)
	return true
}

func (s *Server) closed(conn redcon.Conn, _ error) {
	c, ok := conn.Context().(*Client)
	if !ok {
		return
	}
	s.clientsMu.Lock()
	delete(s.clients, c.id)
	s.stats.retired.add(c, 1)
	s.clientsMu.Unlock()
	s.release(c)
	s.conns.Done()
}

// serveCommand is redcon's handler, called once per connection (protoguard.go): it
// runs the connection's read-run-flush loop until the connection ends.
func (s *Server) serveCommand(conn redcon.Conn, _ redcon.Command) {
	c := conn.Context().(*Client)
	defer c.wakes.wake()
	for {
		for args, ok := c.in.nextCommand(); ok; args, ok = c.in.nextCommand() {
			if c.closing.Load() {
				return
			}
			s.serveOne(c, args)
		}
		if s.tracking.active() {
			s.broadcast(&c.wakes) // BCAST invalidations of the batch's changes
		}
		if c.mail.pending.Load() {
			s.adoptPushMode(c)
		}
		c.wakes.wake() // the subscribers the batch published to
		// Let the other connections with requests in hand run theirs before this reply
		// goes out, so replies leave in bursts as from Redis's event loop: a client woken
		// by one reply is still busy when the next arrives, where replies spaced by the
		// execution time would each wake its idle CPU (an inter-processor interrupt,
		// which on a VM is an exit: at pipeline 1 it doubled the server's cost per
		// EVALSHA). With nothing else runnable this returns at once.
		runtime.Gosched()
		if c.closing.Load() || s.flushConn(c) != nil || !c.in.nextBatch() {
			return
		}
	}
}

// serveOne runs one command of client c and hands its reply to the connection.
func (s *Server) serveOne(c *Client, args [][]byte) {
	c.skipThis, c.skipNext = c.skipNext, false
	s.execute(c, args)
	if c.ownUnit.fed {
		c.ownUnit.fed = false
		c.aofMark = s.fedMark()
		if c.out != nil && c.aofMark > 0 { // replies leave at once on this path
			s.aofFlush(c.aofMark)
			c.aofMark = 0
		}
	}
	c.count(&c.stats.netOut, int64(c.w.Len()))
	send := !c.replyOff && !c.skipThis
	switch {
	case c.out != nil:
		var b []byte
		if send {
			b = c.w.Bytes()
		}
		c.out.reply(b, c.w.Proto) // also after an empty reply: HELLO may have switched protocol
	case send && c.w.Len() > 0:
		c.conn.WriteRaw(c.w.Bytes())
		s.noteReplies(c, c.w.Len())
	}
	c.w.Reset()
	if len(c.trk.pending) > 0 {
		s.sendOwnInvalidations(c)
	}
	if c.closeAfterReply {
		c.closing.Store(true)
		if c.out != nil {
			c.out.close() // sends what is queued, the reply included
		}
		_ = s.flushConn(c)
		c.conn.Close()
	}
}

// flushConn sends the replies redcon holds for c, once the AOF holds the writes they
// acknowledge (aof.go): every path that flushes a connection goes through here.
func (s *Server) flushConn(c *Client) error {
	if c.aofMark > 0 {
		s.aofFlush(c.aofMark)
		c.aofMark = 0
	}
	err := redcon.BaseWriter(c.conn).Flush() // may wait long for a client that reads nothing
	if c.batchOut > 0 {
		c.batchOut = 0
		if c.diag.replyBuf.Load() != 0 {
			c.diag.replyBuf.Store(0)
		}
	}
	return err
}

// waitTimeout waits for wg, giving up after d.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
