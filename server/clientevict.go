package server

import (
	"sort"
	"sync/atomic"
	"time"
)

// Client eviction (maxmemory-clients), as Redis 7.0 does it: when the memory of all
// normal and pub/sub clients together reaches the limit, the clients using the most
// are disconnected, biggest first, until the rest fit. Replicas and clients that said
// CLIENT NO-EVICT ON are never evicted (their memory still counts).
//
// A client's memory is its fixed cost (clientBaseMemory), its request buffer, its
// queued transaction, its replies not flushed yet (noteReplies) and its queued output
// (pub/sub). The check runs with the cron (every 100 ms) and as soon as
// a request buffer grows (a big argument arriving), so a client that sends an
// oversized request is dropped while it arrives, as Redis drops it before running it.

type clientEviction struct {
	limit   atomic.Int64 // bytes; 0: off
	wake    chan struct{}
	evicted atomic.Int64 // INFO evicted_clients
}

// applyClientEviction computes the limit from maxmemory-clients: bytes, or when
// negative a percentage of maxmemory.
func (s *Server) applyClientEviction() {
	v := s.cfg.Int("maxmemory-clients")
	if v < 0 {
		v = int64(float64(uint64(s.cfg.Int("maxmemory"))) * float64(-v) / 100)
	}
	s.clientEvict.limit.Store(v)
}

// memUsage estimates the memory client c uses; any goroutine may call it.
func (c *Client) memUsage() int64 {
	m := clientBaseMemory + c.in.bufCap.Load() + c.diag.multiMem.Load() + c.diag.replyBuf.Load()
	if out := c.diag.out.Load(); out != nil {
		m += int64(out.pending())
	}
	return m
}

// noteReplies counts n bytes of replies that c's batch holds until its flush. Past
// 64 KiB, and at each doubling, they show in the client's memory (and CLIENT LIST's
// omem) and the eviction check runs: a client that pipelines big reads and reads
// nothing holds its replies here, as Redis holds them in its reply list.
func (s *Server) noteReplies(c *Client, n int) {
	c.batchOut += n
	if c.batchOut < 64<<10 || int64(c.batchOut) < 2*c.diag.replyBuf.Load() {
		return
	}
	c.diag.replyBuf.Store(int64(c.batchOut))
	s.requestBufferGrew()
}

// requestBufferGrew is the request reader's note that a client's buffer grew.
func (s *Server) requestBufferGrew() {
	if s.clientEvict.limit.Load() <= 0 {
		return
	}
	select {
	case s.clientEvict.wake <- struct{}{}:
	default:
	}
}

// replicaSet returns the attached replicas.
func (s *Server) replicaSet() map[*Client]bool {
	r := &s.repl
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.replicas) == 0 {
		return nil
	}
	set := make(map[*Client]bool, len(r.replicas))
	for _, rp := range r.replicas {
		set[rp.c] = true
	}
	return set
}

// evictClients disconnects the biggest clients while all of them together use at least
// maxmemory-clients.
func (s *Server) evictClients() {
	limit := s.clientEvict.limit.Load()
	if limit <= 0 {
		return
	}
	type sized struct {
		c   *Client
		mem int64
	}
	replicas := s.replicaSet()
	var total int64
	var candidates []sized
	s.clientsMu.Lock()
	for _, c := range s.clients {
		if replicas[c] || c.closing.Load() { // a closing client's memory is about to go
			continue
		}
		m := c.memUsage()
		total += m
		if !c.diag.noEvict.Load() {
			candidates = append(candidates, sized{c, m})
		}
	}
	s.clientsMu.Unlock()
	if total < limit {
		return
	}
	sort.Slice(candidates, func(i, j int) bool { return candidates[i].mem > candidates[j].mem })
	now := time.Now()
	for _, v := range candidates {
		if total < limit {
			break
		}
		s.pubsub.mu.RLock()
		line := v.c.describe(now, false)
		s.pubsub.mu.RUnlock()
		s.log.notice("Evicting client: %s", line)
		v.c.kill()
		s.clientEvict.evicted.Add(1)
		total -= v.mem
	}
}
