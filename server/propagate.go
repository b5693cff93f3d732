package server

import (
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/resp"
)

// The write stream: every change to the dataset, as commands that replay it, for the
// AOF and replicas (Redis's propagate / alsoPropagate).
//
// A call's writes are gathered in a unit (the client's, or for a script's commands the
// caller's) and handed to the feeds when the unit ends, while the call still holds the
// shards of its keys: two units that touch the same key therefore reach the feeds in
// the order they ran. A unit of more than one command (EXEC, a script, a write that
// first removed an expired key) is wrapped in MULTI/EXEC so it replays atomically, as
// Redis 7.0 does. A command reaches the stream when it changed the keyspace (counted by
// the store per shard) or forces it (PUBLISH, FLUSHDB); handlers of non-deterministic
// or relative-time commands rewrite what is propagated through Ctx.Propagate.

// Targets say which consumers an op is for (redis.set_repl).
type Targets uint8

const (
	ToAOF Targets = 1 << iota
	ToReplicas
	ToAll = ToAOF | ToReplicas
)

// A Feed consumes the write stream. Feed runs with shards held: it must only buffer.
type Feed interface {
	// Feed receives the ops of one unit; MULTI/EXEC wrapping is already included.
	Feed(ops []PropOp)
}

// PropOp is one propagated command; Args are the feed's to keep.
type PropOp struct {
	DB      int
	Args    [][]byte
	Targets Targets
}

// writeStream fans units out to the feeds.
type writeStream struct {
	active atomic.Bool // any feed: units are gathered only then
	mu     sync.Mutex  // serializes units and guards feeds
	feeds  []Feed
}

// addFeed starts sending units to f; the returned function stops it.
func (s *Server) addFeed(f Feed) (remove func()) {
	ws := &s.writes
	ws.mu.Lock()
	ws.feeds = append(ws.feeds, f)
	ws.active.Store(true)
	ws.mu.Unlock()
	return func() {
		ws.mu.Lock()
		for i, g := range ws.feeds {
			if g == f {
				ws.feeds = append(ws.feeds[:i:i], ws.feeds[i+1:]...)
				break
			}
		}
		ws.active.Store(len(ws.feeds) > 0)
		ws.mu.Unlock()
	}
}

// unit gathers the ops of one execution unit: a client's call, with the commands EXEC
// or a script runs inside it.
type unit struct {
	ops     []PropOp
	depth   int    // open runs: EXEC and scripts run calls inside a call
	claimed uint64 // shards whose lazy expiries belong to this unit
	fed     bool   // a unit was sent: its client's reply waits for the AOF (aof.go)
}

var (
	argMulti = [][]byte{[]byte("MULTI")}
	argExec  = [][]byte{[]byte("EXEC")}
	argDel   = []byte("DEL")
)

// beginRun opens (or joins) u for a run holding the shards in mask, and returns the
// keyspace's write count to compare with after the run.
func (s *Server) beginRun(u *unit, mask uint64) int64 {
	u.depth++
	for m := mask &^ u.claimed; m != 0; m &= m - 1 {
		s.shardUnits[bits.TrailingZeros64(m)].Store(u)
	}
	u.claimed |= mask
	return s.ks.Writes(mask)
}

// endRun adds what the finished run propagates to u, if it wrote or forced propagation:
// the handler's rewrite, or else the call itself. It sends u when its outermost run
// ends.
func (s *Server) endRun(u *unit, ctx *command.Ctx, db int, args [][]byte, mask uint64, before int64, to Targets) {
	p := ctx.TakePropagation()
	if p.ReplicasOnly {
		to &= ToReplicas
	}
	if to != 0 && (p.Forced || s.ks.Writes(mask) != before) {
		rewrite := p.Rewrite
		if !p.Rewritten {
			rewrite = [][][]byte{args}
		}
		for _, a := range rewrite {
			u.ops = append(u.ops, PropOp{DB: db, Args: copyArgs(a), Targets: to})
		}
	}
	if u.depth--; u.depth > 0 {
		return
	}
	for m := u.claimed; m != 0; m &= m - 1 {
		s.shardUnits[bits.TrailingZeros64(m)].CompareAndSwap(u, nil)
	}
	u.claimed = 0
	if len(u.ops) == 0 {
		return
	}
	ops := u.ops
	if len(ops) > 1 {
		wrapped := make([]PropOp, 0, len(ops)+2)
		wrapped = append(wrapped, PropOp{DB: ops[0].DB, Args: argMulti, Targets: ToAll})
		wrapped = append(wrapped, ops...)
		ops = append(wrapped, PropOp{DB: ops[0].DB, Args: argExec, Targets: ToAll})
	}
	s.feed(ops)
	u.ops = u.ops[:0]
	u.fed = true
}

func (s *Server) feed(ops []PropOp) {
	s.writes.mu.Lock()
	for _, f := range s.writes.feeds {
		f.Feed(ops)
	}
	s.writes.mu.Unlock()
}

// propagateDeletion sends the DEL of a key that expired or was evicted. A lazy expiry
// met by a command joins the command's unit (Redis 7.0 wraps the two in MULTI/EXEC);
// otherwise (the active cycle, eviction) it is a unit of its own. The caller holds the
// key's shard.
func (s *Server) propagateDeletion(db int, key []byte) {
	op := PropOp{DB: db, Args: [][]byte{argDel, append([]byte(nil), key...)}, Targets: ToAll}
	if u := s.shardUnits[s.ks.ShardOf(key)].Load(); u != nil {
		u.ops = append(u.ops, op)
		return
	}
	s.feed([]PropOp{op})
}

func copyArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a):]
	}
	return out
}

// streamWriter renders units as the command stream replicas and the AOF read: RESP
// arrays of bulk strings, with a SELECT before an op whose database differs from the
// previous one's (the first op always gets one).
type streamWriter struct {
	db int
}

func newStreamWriter() *streamWriter { return &streamWriter{db: -1} }

// forTargets reports whether any of ops is meant for to.
func forTargets(ops []PropOp, to Targets) bool {
	return slices.ContainsFunc(ops, func(op PropOp) bool { return op.Targets&to != 0 })
}

// appendOps renders the ops meant for to onto b.
func (w *streamWriter) appendOps(b []byte, ops []PropOp, to Targets) []byte {
	for _, op := range ops {
		if op.Targets&to == 0 {
			continue
		}
		if op.DB >= 0 && op.DB != w.db { // DB -1: a command of no database (PING)
			b = resp.AppendCommand(b, []byte("SELECT"), strconv.AppendInt(nil, int64(op.DB), 10))
			w.db = op.DB
		}
		b = resp.AppendCommand(b, op.Args...)
	}
	return b
}
