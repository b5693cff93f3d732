package server

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/store"
)

// A blocked client (BLPOP & co) is a waiter registered on its keys. When a write makes
// one of those keys ready, the writer's executor serves the waiters right after its own
// command, first come first served, while it still holds the shard locks: the waiter's
// command runs again on the waiter's behalf and its reply lands in the waiter's buffer.
// A waiter whose command needs shards the writer does not hold is woken to run again
// itself. Nothing polls: waiters sleep on channels until served, timed out (on the
// server clock), unblocked (CLIENT UNBLOCK) or disconnected.

type blockKey struct {
	db  int
	key string
}

// readyKey is a key made ready by a write, in the order writes happened.
type readyKey struct {
	blockKey
	shard int
}

const (
	waiting int32 = iota
	serving
	finished
)

type waiter struct {
	c     *Client
	spec  *command.Spec
	args  [][]byte
	db    int
	mask  uint64
	req   *command.BlockRequest
	keys  []blockKey
	state atomic.Int32
	done  chan struct{} // closed once the waiter is finished by another goroutine
	wake  chan string   // this key changed and the waiter must run itself
}

type blockRegistry struct {
	mu      sync.Mutex
	waiters map[blockKey][]*waiter
	count   atomic.Int64
	ready   []readyKey // keys made ready and not yet served, oldest first
}

func (b *blockRegistry) register(w *waiter) {
	b.mu.Lock()
	if b.waiters == nil {
		b.waiters = map[blockKey][]*waiter{}
	}
	for _, k := range w.keys {
		b.waiters[k] = append(b.waiters[k], w)
	}
	b.mu.Unlock()
	b.count.Add(1)
}

func (b *blockRegistry) unregister(w *waiter) {
	b.mu.Lock()
	for _, k := range w.keys {
		list := b.waiters[k]
		for i, o := range list {
			if o == w {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(b.waiters, k)
		} else {
			b.waiters[k] = list
		}
	}
	b.mu.Unlock()
	b.count.Add(-1)
}

// keyChanged records that key may now satisfy waiters; the caller holds its shard.
func (s *Server) markReady(db int, key []byte, ev store.Event) {
	b := &s.blocking
	// Deletions count too: a blocked XREADGROUP learns that its stream is gone.
	if b.count.Load() == 0 || ev.Class == store.ClassMiss {
		return
	}
	k := blockKey{db, string(key)}
	b.mu.Lock()
	if _, ok := b.waiters[k]; ok {
		b.ready = append(b.ready, readyKey{k, s.ks.ShardOf(key)})
	}
	b.mu.Unlock()
}

// markDBReady marks ready every key of db that clients wait on (FLUSHDB, SWAPDB); the
// caller holds every shard.
func (s *Server) markDBReady(db int) {
	b := &s.blocking
	if b.count.Load() == 0 {
		return
	}
	b.mu.Lock()
	for k := range b.waiters {
		if k.db == db {
			b.ready = append(b.ready, readyKey{k, s.ks.ShardOf([]byte(k.key))})
		}
	}
	b.mu.Unlock()
}

// takeReady removes and returns, oldest first, the ready keys in the shards of held.
func (b *blockRegistry) takeReady(held uint64) []readyKey {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []readyKey
	kept := b.ready[:0]
	for _, r := range b.ready {
		if held&(1<<r.shard) != 0 {
			out = append(out, r)
		} else {
			kept = append(kept, r)
		}
	}
	b.ready = kept
	return out
}

// serveReady serves the waiters of keys made ready in the shards of held, which the
// caller holds locked. Serving can make more keys ready (BLMOVE), so it repeats.
func (s *Server) serveReady(held uint64) {
	b := &s.blocking
	for round := 0; round < 64; round++ {
		ready := b.takeReady(held)
		if len(ready) == 0 {
			return
		}
		for _, r := range ready {
			k := r.blockKey
			b.mu.Lock()
			list := append([]*waiter(nil), b.waiters[k]...)
			b.mu.Unlock()
			for _, w := range list {
				if !s.keyServes(w, k) {
					continue
				}
				if w.mask&^held != 0 {
					select {
					case w.wake <- k.key:
					default:
					}
					continue
				}
				if !w.state.CompareAndSwap(waiting, serving) {
					continue
				}
				if s.runWaiter(w, k.key) {
					s.queueServedReply(w.c)
					b.unregister(w)
					w.state.Store(finished)
					close(w.done)
				} else {
					w.state.Store(waiting)
				}
			}
		}
	}
}

// queueServedReply sends the reply of a parked client served by another client's write
// at once when the client has an asynchronous output (it is subscribed), so a message
// published after that write reaches it after the reply, as Redis orders them; other
// clients' replies leave when their goroutine wakes. The client's goroutine is parked
// until the waiter is done, so its writer and counters are free to use here. A reply
// sent at once waits for the AOF to hold the pop, as every reply does.
func (s *Server) queueServedReply(c *Client) {
	if c.out == nil || c.replyOff || c.skipThis {
		return
	}
	if c.ownUnit.fed {
		c.ownUnit.fed = false
		if mark := s.fedMark(); mark > 0 {
			s.aofFlush(mark)
		}
	}
	c.count(&c.stats.netOut, int64(c.w.Len()))
	c.out.reply(c.w.Bytes(), c.w.Proto)
	c.w.Reset()
}

// keyServes reports whether the ready key now holds the type the waiter's command pops:
// as in Redis, a key that became a string does not wake a BLPOP. The caller holds the
// key's shard.
func (s *Server) keyServes(w *waiter, k blockKey) bool {
	if w.spec.Name == "xreadgroup" {
		return true // it answers a deleted or replaced stream with an error
	}
	t, ok := s.ks.DB(k.db).TypeOf([]byte(k.key))
	if !ok {
		return false
	}
	switch cat := w.spec.Categories(); {
	case cat&command.CatList != 0:
		return t == store.TypeList
	case cat&command.CatSortedSet != 0:
		return t == store.TypeZSet
	case cat&command.CatStream != 0:
		return t == store.TypeStream
	}
	return true
}

// runWaiter runs a waiter's command with its shards held, trying the key that became
// ready first, and says whether it finished (false: it would block again).
func (s *Server) runWaiter(w *waiter, readyKey string) bool {
	ctx := &w.c.ctx
	ctx.Blocked, ctx.ReadyKey = nil, []byte(readyKey)
	err := s.run(w.c, w.spec, w.args, w.mask)
	ctx.Blocked, ctx.ReadyKey = nil, nil
	if errors.Is(err, command.ErrBlock) {
		return false
	}
	if err != nil {
		s.replyError(w.c, err)
	}
	return true
}

// block parks client c, whose command just asked to block, until it is served, times
// out, is unblocked or disconnects. The caller holds no locks.
func (s *Server) block(c *Client, spec *command.Spec, args [][]byte, mask uint64, req *command.BlockRequest) {
	w := &waiter{c: c, spec: spec, args: copyArgs(args), db: c.db, mask: mask, req: req,
		done: make(chan struct{}), wake: make(chan string, 1)}
	for _, k := range req.Keys {
		w.keys = append(w.keys, blockKey{c.db, string(k)})
	}
	s.blocking.register(w)
	c.setWaiter(w)
	defer c.setWaiter(nil)
	s.flushPending(c)
	watch := c.watchDisconnect()
	defer watch.end()

	finish := func() bool { // claim the waiter for this goroutine
		if w.state.CompareAndSwap(waiting, finished) {
			s.blocking.unregister(w)
			return true
		}
		<-w.done // someone is serving it right now
		return false
	}
	for {
		var timer *time.Timer
		var timeout <-chan time.Time
		if req.Deadline != 0 {
			d := time.Duration(req.Deadline-s.clock.UnixMilli()) * time.Millisecond
			if d <= 0 {
				if finish() {
					req.OnTimeout(&c.w)
				}
				return
			}
			timer = time.NewTimer(d)
			timeout = timer.C
		}
		changed := s.clock.Changed()
		var done bool
		select {
		case <-w.done:
			done = true
		case key := <-w.wake:
			done = s.retryWaiter(w, key)
		case <-timeout:
		case <-changed:
		case reason := <-c.unblock:
			if finish() {
				switch reason {
				case unblockError:
					c.w.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
				case unblockRoleChange:
					c.w.Error("UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)")
				default:
					req.OnTimeout(&c.w)
				}
			}
			done = true
		case <-watch.gone:
			finish()
			done = true
		}
		if timer != nil {
			timer.Stop()
		}
		if done {
			return
		}
	}
}

// retryWaiter runs a woken waiter's command itself, under its own shards, and says
// whether it finished.
func (s *Server) retryWaiter(w *waiter, readyKey string) bool {
	if !w.state.CompareAndSwap(waiting, serving) {
		return false
	}
	s.ks.Lock(w.mask)
	ok := s.keyServes(w, blockKey{w.db, readyKey}) && s.runWaiter(w, readyKey)
	if ok {
		s.serveReady(w.mask)
	}
	s.ks.Unlock(w.mask)
	if !ok {
		w.state.Store(waiting)
		return false
	}
	s.blocking.unregister(w)
	w.state.Store(finished)
	return true
}

type unblockReason int

const (
	unblockTimeout unblockReason = iota
	unblockError
	unblockRoleChange // the server became a replica (REPLICAOF)
)

// parkWatch notices a parked client's peer going away.
type parkWatch struct {
	gone     chan struct{} // closed when the peer closed or the client was killed
	stop     chan struct{}
	peekDone chan struct{} // closed when the socket peek ends; nil without a peek
	nc       net.Conn
}

// watchDisconnect watches for the peer closing the connection (or the client being
// killed) while the client is parked. It peeks at the socket without reading from it,
// so pipelined commands stay for redcon; if the peer sends more data, closing can no
// longer be seen until the client runs again, as with any busy connection.
func (c *Client) watchDisconnect() *parkWatch {
	p := &parkWatch{gone: make(chan struct{}), stop: make(chan struct{}), nc: c.conn.NetConn()}
	peerClosed := make(chan struct{})
	if sc, ok := p.nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			p.peekDone = make(chan struct{})
			go func() {
				defer close(p.peekDone)
				var buf [1]byte
				_ = raw.Read(func(fd uintptr) bool {
					n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
					if err == syscall.EAGAIN {
						return false // wait until readable
					}
					if n == 0 && err == nil {
						close(peerClosed) // orderly shutdown by the peer
					}
					return true
				})
			}()
		}
	}
	killed := c.killed
	go func() {
		select {
		case <-peerClosed:
		case <-killed:
		case <-p.stop:
			return
		}
		close(p.gone)
	}()
	return p
}

// end stops watching and restores the socket for redcon.
func (p *parkWatch) end() {
	close(p.stop)
	if p.peekDone != nil {
		_ = p.nc.SetReadDeadline(time.Now())
		<-p.peekDone
		_ = p.nc.SetReadDeadline(time.Time{})
	}
}
