package server

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/config"
)

// The master side of replication: a replica (a Redis server, or redis-cli --replica)
// sends SYNC or PSYNC and gets a full resynchronization, the RDB snapshot followed by
// the write stream (propagate.go), on its connection's asynchronous output, so a slow
// replica never stalls the server; client-output-buffer-limit's replica class bounds
// it. The snapshot begins and the replica is attached to the stream while every shard
// is held, so the stream starts exactly where the snapshot ends; the snapshot is then
// encoded while clients keep working (store.Snapshot), the stream held back for the
// replica until it is out. Partial resyncs (a backlog) are not kept: every PSYNC is
// answered with a full resync.

// replica is an attached replica.
type replica struct {
	c          *Client
	listenPort int
	ackOffset  int64 // the offset it last acknowledged (REPLCONF ACK)
	ackAt      time.Time
	// syncing: its snapshot is still being encoded; the stream waits in held.
	syncing bool
	held    []byte
}

// replicationState is the replicas and the stream they share.
type replicationState struct {
	mu        sync.Mutex
	replicas  []*replica
	w         *streamWriter // renders the stream once for every replica
	offset    int64         // master_repl_offset: bytes of stream sent since start
	removeFn  func()        // stops the stream when the last replica leaves
	fullSyncs int64         // sync_full
	pingedAt  time.Time
}

// Feed implements Feed: the stream goes to every replica, and advances the offset.
func (r *replicationState) Feed(ops []PropOp) {
	if !forTargets(ops, ToReplicas) {
		return
	}
	r.mu.Lock()
	b := r.w.appendOps(nil, ops, ToReplicas)
	r.offset += int64(len(b))
	for _, rp := range r.replicas {
		if rp.syncing {
			rp.held = append(rp.held, b...)
		} else {
			rp.c.out.write(b)
		}
	}
	r.mu.Unlock()
}

func (s *Server) replicationCommands() []*Spec {
	const syncFlags = Admin | NoScript | NoAsyncLoading | NoMulti | AllKeys
	return []*Spec{
		{Name: "sync", Arity: 1, Flags: syncFlags, Cat: CatAdmin | CatDangerous, Do: s.cmdSync},
		{Name: "psync", Arity: -3, Flags: syncFlags, Cat: CatAdmin | CatDangerous, Do: s.cmdSync},
		{Name: "replconf", Arity: -1, Flags: Admin | NoScript | Loading | Stale | AllowBusy, Cat: CatAdmin | CatDangerous, Do: s.cmdReplConf},
		{Name: "wait", Arity: 3, Flags: NoScript, Cat: CatConnection, Do: s.cmdWait},
		{Name: "failover", Arity: -1, Flags: Admin | NoScript | Stale, Do: s.cmdFailover},
	}
}

// cmdSync serves SYNC and PSYNC with a full resynchronization. The executor holds
// every shard (AllKeys).
func (s *Server) cmdSync(c *Ctx) error {
	cl := client(c)
	if cl.multi != nil {
		return Err("ERR Replica can't be in MULTI")
	}
	if s.isReplica(cl) {
		return nil // already attached: Redis ignores a second SYNC
	}
	if s.link.active.Load() && !s.link.up.Load() { // a replica serves its own replicas only what it has synced
		return Err("NOMASTERLINK Can't SYNC while not connected with my master")
	}
	finish, _ := s.beginSnapshot(false) // the stream attached below starts where it ends
	r := &s.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		r.w = newStreamWriter()
	}
	r.w.db = -1 // the stream that follows starts with a SELECT
	s.enterPushMode(cl, config.ClassReplica)
	if c.Spec.Name == "psync" {
		cl.out.writeExempt(fmt.Appendf(nil, "+FULLRESYNC %s %d\r\n", s.streamID(), r.offset))
	}
	rp := &replica{c: cl, listenPort: cl.replListenPort, ackAt: time.Now(), syncing: true}
	cl.diag.replica.Store(true)
	r.replicas = append(r.replicas, rp)
	r.fullSyncs++
	if r.removeFn == nil {
		r.removeFn = s.addFeed(r)
	}
	s.log.notice("Replica %s asks for synchronization; starting a full resync", cl.addr)
	s.rdb.jobs.Add(1)
	go s.sendSnapshot(rp, finish)
	return nil
}

// sendSnapshot encodes a full resync's snapshot while clients keep working, sends it,
// then the stream held for the replica meanwhile.
func (s *Server) sendSnapshot(rp *replica, finish func() ([]byte, error)) {
	defer s.rdb.jobs.Done()
	data, err := finish()
	r := &s.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		s.log.warning("Can't take the snapshot for replica %s: %v", rp.c.addr, err)
		rp.c.kill()
		return
	}
	out := rp.c.out
	out.writeExempt(append(fmt.Appendf(nil, "$%d\r\n", len(data)), data...)) // the limits are for the stream, not the snapshot
	if len(rp.held) > 0 {
		out.write(rp.held)
	}
	rp.held, rp.syncing = nil, false
}

func (s *Server) isReplica(cl *Client) bool {
	s.repl.mu.Lock()
	defer s.repl.mu.Unlock()
	for _, rp := range s.repl.replicas {
		if rp.c == cl {
			return true
		}
	}
	return false
}

// dropReplica detaches a departing client if it was a replica.
func (s *Server) dropReplica(cl *Client) {
	r := &s.repl
	r.mu.Lock()
	for i, rp := range r.replicas {
		if rp.c == cl {
			r.replicas = append(r.replicas[:i:i], r.replicas[i+1:]...)
			s.log.notice("Connection with replica %s lost.", cl.addr)
			break
		}
	}
	remove := r.removeFn
	if len(r.replicas) == 0 {
		r.removeFn = nil
	} else {
		remove = nil
	}
	r.mu.Unlock()
	if remove != nil {
		remove()
	}
}

// cmdReplConf serves the options a replica sends before and after syncing.
func (s *Server) cmdReplConf(c *Ctx) error {
	cl := client(c)
	if len(c.Args)%2 == 0 {
		return ErrSyntax
	}
	for i := 1; i < len(c.Args); i += 2 {
		switch opt := strings.ToLower(c.Arg(i)); opt {
		case "listening-port":
			n, err := c.Int(i + 1)
			if err != nil {
				return err
			}
			cl.replListenPort = int(n)
		case "ip-address", "capa", "rdb-only":
		case "rdb-filter-only": // the only filter there is leaves the functions out
			for _, f := range strings.Fields(c.Arg(i + 1)) {
				if !strings.EqualFold(f, "functions") {
					return Errorf("ERR Unsupported rdb-filter-only option: %s", f)
				}
			}
		case "ack":
			n, err := c.Int(i + 1)
			if err != nil {
				return err
			}
			s.replicaAck(cl, n)
			return nil // ACK gets no reply
		case "getack":
			return nil // only a replica answers it
		default:
			return Errorf("ERR Unrecognized REPLCONF option: %s", c.Arg(i))
		}
	}
	c.W.OK()
	return nil
}

func (s *Server) replicaAck(cl *Client, offset int64) {
	r := &s.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rp := range r.replicas {
		if rp.c == cl {
			rp.ackOffset, rp.ackAt = offset, time.Now()
		}
	}
}

// cmdWait is WAIT numreplicas timeout: it returns once numreplicas replicas have
// acknowledged the stream up to where it is now, or at the timeout (0: none), with the
// number that did. Replicas are asked to acknowledge at once (REPLCONF GETACK).
func (s *Server) cmdWait(c *Ctx) error {
	if s.link.active.Load() {
		return Err("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.")
	}
	want, err := c.Int(1)
	if err != nil {
		return err
	}
	ms, ok := ParseInt(c.Args[2])
	if !ok {
		return Err("ERR timeout is not an integer or out of range")
	}
	if ms < 0 {
		return Err("ERR timeout is negative")
	}
	r := &s.repl
	r.mu.Lock()
	target := r.offset
	r.mu.Unlock()
	acked := func() int64 {
		r.mu.Lock()
		defer r.mu.Unlock()
		var n int64
		for _, rp := range r.replicas {
			if rp.ackOffset >= target {
				n++
			}
		}
		return n
	}
	if n := acked(); n >= want || c.NoBlock {
		c.W.Int(n)
		return nil
	}
	s.feed([]PropOp{{DB: -1, Args: [][]byte{[]byte("REPLCONF"), []byte("GETACK"), []byte("*")}, Targets: ToReplicas}})
	var deadline <-chan time.Time
	if ms > 0 {
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer t.Stop()
		deadline = t.C
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-deadline:
			c.W.Int(acked())
			return nil
		case <-client(c).killed:
			return nil
		case <-tick.C:
			if n := acked(); n >= want {
				c.W.Int(n)
				return nil
			}
		}
	}
}

// pingReplicas sends PING down the stream every repl-ping-replica-period seconds, so
// the replicas of an idle master know the link is alive (they drop it after
// repl-timeout without data).
func (s *Server) pingReplicas(now time.Time) {
	r := &s.repl
	period := time.Duration(s.cfg.Int("repl-ping-replica-period")) * time.Second
	r.mu.Lock()
	due := len(r.replicas) > 0 && now.Sub(r.pingedAt) >= period
	if due {
		r.pingedAt = now
	}
	r.mu.Unlock()
	if due {
		s.feed([]PropOp{{DB: -1, Args: [][]byte{[]byte("PING")}, Targets: ToReplicas}})
	}
}

// replicaInfo is what INFO replication and ROLE show of a replica.
type replicaInfo struct {
	ip     string
	port   int
	offset int64
	lag    int64
}

// replicationStatus returns the master offset and the replicas.
func (s *Server) replicationStatus() (int64, []replicaInfo) {
	r := &s.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]replicaInfo, 0, len(r.replicas))
	for _, rp := range r.replicas {
		ip := rp.c.addr
		if i := strings.LastIndexByte(ip, ':'); i >= 0 {
			ip = ip[:i]
		}
		out = append(out, replicaInfo{ip: ip, port: rp.listenPort, offset: rp.ackOffset,
			lag: int64(time.Since(rp.ackAt).Seconds())})
	}
	return r.offset, out
}

func (s *Server) cmdRole(c *Ctx) error {
	if s.link.active.Load() {
		s.roleReplica(c)
		return nil
	}
	offset, replicas := s.replicationStatus()
	c.W.Array(3)
	c.W.BulkString("master")
	c.W.Int(offset)
	c.W.Array(len(replicas))
	for _, rp := range replicas {
		c.W.Array(3)
		c.W.BulkString(rp.ip)
		c.W.BulkString(strconv.Itoa(rp.port))
		c.W.BulkString(strconv.FormatInt(rp.offset, 10))
	}
	return nil
}
