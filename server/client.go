package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"

	"github.com/cinnabar-db/cinnabar/acl"
	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/resp"
)

// Client is one connection's state. Its fields belong to the connection's goroutine
// unless noted.
type Client struct {
	id    int64
	srv   *Server
	conn  redcon.Conn
	in    *guardConn // the connection's request reader
	w     resp.Writer
	ctx   command.Ctx
	db    int
	since time.Time

	multi       *multiState // the transaction being queued: nil, or &txn
	txn         multiState
	watched     []*watchedKey
	dirtyCAS    atomic.Bool // a watched key changed: EXEC must fail
	out         *asyncOutput
	wakes       wakeList // subscribers its batch published to, woken when it ends
	subChannels map[string]struct{}
	subPatterns map[string]struct{}
	subShard    map[string]struct{}

	// Blocking state: the parked command, and the channels that end the wait.
	waiter   atomic.Pointer[waiter]
	unblock  chan unblockReason // CLIENT UNBLOCK
	killed   chan struct{}      // closed by kill
	killOnce sync.Once

	authenticated   bool
	user            atomic.Pointer[acl.Ref] // read by CLIENT LIST and KILL on other goroutines
	inExec          bool                    // EXEC is running its queue, holding shards
	caller          *Client                 // of a script's pseudo-client: the client running the script (its user, the keys it reads for tracking)
	replyOff        bool                    // CLIENT REPLY OFF
	skipNext        bool                    // CLIENT REPLY SKIP: drop the next command's reply
	skipThis        bool                    // ... and this is that command
	closeAfterReply bool
	closing         atomic.Bool                  // set by CLIENT KILL and shutdown from other goroutines
	lastAt          atomic.Int64                 // monoNow at the end of the last command, in nanoseconds
	lastCmd         atomic.Pointer[command.Spec] // CLIENT LIST's cmd
	stats           clientStats
	recentTops      [4]*command.Spec // top-level rows of recent commands, for Table.LookupRecent
	recentNext      int              // the entry of recentTops to replace next
	diag            clientDiag       // state CLIENT LIST, MONITOR and PAUSE keep (diag.go)
	unit            *unit            // where this client's writes gather for propagation
	ownUnit         unit
	aofMark         int64   // the AOF must hold this many units before the batch's replies leave
	batchOut        int     // bytes of replies the batch has for the connection, not flushed yet
	replTargets     Targets // where its writes propagate: all, or redis.set_repl's choice in scripts
	replListenPort  int     // REPLCONF listening-port, for INFO and ROLE
	fromMaster      bool    // the pseudo-client running this replica's master stream (replica.go)
	trk             clientTracking
	mail            pushMailbox // pushes waiting for it to adopt an asynchronous output (tracking.go)

	// overMemory: memory was over maxmemory, with nothing to evict, before this call
	// (scripts it runs refuse denyoom commands until they write; maxmemory.go).
	overMemory bool

	// Fields other goroutines read (CLIENT LIST, INFO) are guarded by mu.
	mu      sync.Mutex
	name    string
	libName string
	libVer  string
	addr    string
	laddr   string
}

func newClient(s *Server, conn redcon.Conn) *Client {
	c := &Client{
		id:    s.nextID.Add(1),
		srv:   s,
		conn:  conn,
		in:    conn.NetConn().(*guardConn),
		since: time.Now(),
		addr:  conn.RemoteAddr(),
	}
	if nc := conn.NetConn(); nc != nil {
		c.laddr = nc.LocalAddr().String()
	}
	c.lastAt.Store(int64(monoNow()))
	c.subChannels, c.subPatterns, c.subShard = map[string]struct{}{}, map[string]struct{}{}, map[string]struct{}{}
	c.unblock = make(chan unblockReason, 1)
	c.killed = make(chan struct{})
	c.setProto(2)
	c.diag.proto.Store(2)
	c.diag.multi.Store(-1)
	c.user.Store(s.acl.Default())
	c.authenticated = !s.authRequired()
	c.in.authRequired = func() bool { return !c.authenticated && s.authRequired() }
	c.in.grew = s.requestBufferGrew
	c.in.onInterrupt = func() { s.adoptPushMode(c) }
	c.in.overQuery = func(pending []byte) {
		s.pubsub.mu.RLock()
		line := c.describe(time.Now(), true)
		s.pubsub.mu.RUnlock()
		s.log.warning("Closing client that reached max query buffer length: %s (qbuf initial bytes: %s)", line, resp.AppendRepr(nil, pending[:min(len(pending), 64)]))
	}
	c.ctx = command.Ctx{W: &c.w, KS: s.ks, Client: c}
	c.unit, c.replTargets = &c.ownUnit, ToAll
	return c
}

// rememberTop keeps top among the client's recent commands.
func (c *Client) rememberTop(top *command.Spec) {
	for _, r := range c.recentTops {
		if r == top {
			return
		}
	}
	c.recentTops[c.recentNext] = top
	c.recentNext = (c.recentNext + 1) % len(c.recentTops)
}

// kill disconnects the client from another goroutine.
func (c *Client) kill() {
	c.closing.Store(true)
	c.killOnce.Do(func() { close(c.killed) })
	c.srv.callerKilled(c)
	if nc := c.conn.NetConn(); nc != nil {
		_ = nc.Close()
	}
}

// release frees what the client holds once its connection is gone.
func (s *Server) release(c *Client) {
	c.killOnce.Do(func() { close(c.killed) })
	s.watches.unwatchAll(c)
	s.unsubscribeAll(c)
	s.dropReplica(c)
	s.disableTracking(c)
	s.releaseDiag(c)
	if c.out != nil {
		c.out.close() // a second close is a no-op
	}
}

// idle is the time since the client's last command ended.
func (c *Client) idle() time.Duration {
	return max(monoNow()-time.Duration(c.lastAt.Load()), 0)
}

func (c *Client) setWaiter(w *waiter) { c.waiter.Store(w) }

// setProto switches the client's protocol (HELLO, RESET).
func (c *Client) setProto(p int) {
	c.w.Proto = p
}

// flushPending sends what the client's earlier pipelined commands produced, before it
// parks.
func (s *Server) flushPending(c *Client) {
	c.wakes.wake()
	if c.out == nil {
		_ = s.flushConn(c)
	}
}

func (c *Client) setName(name string) {
	c.mu.Lock()
	c.name = name
	c.mu.Unlock()
}

// newPseudoClient returns a client with no connection that runs commands for the
// server itself (Lua's redis.call, AOF loading): authenticated, never blocking, its
// writes gathered in its own unit.
func newPseudoClient(s *Server, name string) *Client {
	pc := &Client{srv: s, authenticated: true, since: time.Now(),
		subChannels: map[string]struct{}{}, subPatterns: map[string]struct{}{}, subShard: map[string]struct{}{},
		unblock: make(chan unblockReason, 1), killed: make(chan struct{})}
	pc.ctx = command.Ctx{W: &pc.w, KS: s.ks, Client: pc, NoBlock: true}
	pc.unit, pc.replTargets = &pc.ownUnit, ToAll
	pc.user.Store(acl.Superuser())
	pc.addr = name
	pc.setName(name)
	return pc
}
