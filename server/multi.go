package server

import (
	"unsafe"

	"github.com/cinnabar-db/cinnabar/acl"
	. "github.com/cinnabar-db/cinnabar/command"
)

// multiState is a transaction being queued. A client reuses its own (Client.txn):
// the queued commands' arguments are copied into two buffers that the next transaction
// overwrites, so queueing allocates nothing once they have grown.
type multiState struct {
	cmds    []queuedCommand
	args    [][]byte // the queued commands' arguments, back to back
	data    []byte   // their bytes
	aborted bool     // a queue-time error: EXEC answers EXECABORT
	mask    uint64   // set by the executor before EXEC runs: see transactionMask
}

type queuedCommand struct {
	spec *Spec
	args [][]byte
}

// Buffers past these sizes are dropped when a transaction ends, not kept for the next.
const (
	keepTxData = 64 << 10
	keepTxArgs = 1 << 10
)

// queue copies args into m. A buffer that grows moves, but the arguments already queued
// keep pointing into the old array, which nothing writes again.
func (m *multiState) queue(spec *Spec, args [][]byte) {
	first := len(m.args)
	for _, a := range args {
		m.data = append(m.data, a...)
		n := len(m.data)
		m.args = append(m.args, m.data[n-len(a):n:n])
	}
	n := len(m.args)
	m.cmds = append(m.cmds, queuedCommand{spec, m.args[first:n:n]})
}

// memory is what the queued commands hold, as CLIENT LIST's multi-mem and client
// eviction count it.
func (m *multiState) memory() int64 {
	return int64(cap(m.data)) + int64(unsafe.Sizeof([]byte(nil)))*int64(cap(m.args)) +
		int64(unsafe.Sizeof(queuedCommand{}))*int64(cap(m.cmds))
}

// reset empties m for the next transaction.
func (m *multiState) reset() {
	if raceEnabled {
		// As the read buffer (protoguard.go): a handler that kept a queued argument past
		// its call fails the race-enabled tests instead of seeing the next transaction's.
		for i := range m.data {
			m.data[i] = 0xAA
		}
	}
	clear(m.cmds)
	clear(m.args) // the arrays the data buffer outgrew can go
	m.cmds, m.args, m.data = m.cmds[:0], m.args[:0], m.data[:0]
	if cap(m.data) > keepTxData || cap(m.args) > keepTxArgs {
		m.cmds, m.args, m.data = nil, nil, nil
	}
	m.aborted, m.mask = false, 0
}

func (s *Server) transactionCommands() []*Spec {
	return []*Spec{
		{Name: "multi", Arity: 1, Flags: NoScript | Loading | Stale | Fast | AllowBusy, Cat: CatTransaction, Do: cmdMulti},
		{Name: "exec", Arity: 1, Flags: NoScript | Loading | Stale | SkipSlowlog, Cat: CatTransaction, Do: s.cmdExec},
		{Name: "discard", Arity: 1, Flags: NoScript | Loading | Stale | Fast | AllowBusy, Cat: CatTransaction, Do: s.cmdDiscard},
		{Name: "watch", Arity: -2, Flags: NoScript | Loading | Stale | Fast | AllowBusy, Cat: CatTransaction, Do: s.cmdWatch},
		{Name: "unwatch", Arity: 1, Flags: NoScript | Loading | Stale | Fast | AllowBusy, Cat: CatTransaction, Do: s.cmdUnwatch},
	}
}

func cmdMulti(c *Ctx) error {
	cl := client(c)
	if cl.multi != nil {
		return Err("ERR MULTI calls can not be nested")
	}
	cl.txn.reset()
	cl.multi = &cl.txn
	c.W.OK()
	return nil
}

func (s *Server) cmdDiscard(c *Ctx) error {
	cl := client(c)
	if cl.multi == nil {
		return Err("ERR DISCARD without MULTI")
	}
	cl.multi = nil
	cl.txn.reset()
	s.watches.unwatchAll(cl)
	c.W.OK()
	return nil
}

func (s *Server) cmdWatch(c *Ctx) error {
	cl := client(c)
	if cl.multi != nil {
		return Err("ERR WATCH inside MULTI is not allowed")
	}
	for i := 1; i < len(c.Args); i++ {
		s.watches.add(cl, cl.db, string(c.Args[i]), c.DB.ExpireAtOf(c.Args[i]), c.DB.Now())
	}
	c.W.OK()
	return nil
}

func (s *Server) cmdUnwatch(c *Ctx) error {
	s.watches.unwatchAll(client(c))
	c.W.OK()
	return nil
}

// cmdExec runs the queued commands atomically: it holds the shards of every queued
// command's keys and of the watched keys for the whole transaction. Clients blocked on
// keys the transaction fills are served only after it completes.
func (s *Server) cmdExec(c *Ctx) error {
	cl := client(c)
	m := cl.multi
	if m == nil {
		return Err("ERR EXEC without MULTI")
	}
	cl.multi = nil
	defer s.watches.unwatchAll(cl)
	defer m.reset()
	if m.aborted {
		return Err("EXECABORT Transaction discarded because of previous errors.")
	}
	if cl.dirtyCAS.Load() || len(cl.watched) > 0 && s.watches.expiredSinceWatch(cl, s.clock.UnixMilli()) {
		c.W.NullArray()
		return nil
	}
	c.W.Array(len(m.cmds))
	cl.ctx.NoBlock, cl.inExec = true, true
	start := monoNow()
	for _, q := range m.cmds {
		// The user's rules may have changed since the command was queued.
		if u := cl.user.Load().Load(); !u.Unrestricted {
			if d := s.checkACL(cl, "multi", u, q.spec, q.args); d != acl.Allowed {
				s.replyError(cl, execACLError(d))
				continue
			}
		}
		err := s.run(cl, q.spec, q.args, m.mask)
		start = s.record(cl, q.spec, start, err) // one clock reading ends a call and starts the next
	}
	cl.ctx.NoBlock, cl.inExec = false, false
	// Its commands propagated, in their unit's MULTI/EXEC; the commands ran with this
	// same context, so this is said after them.
	c.PropagateNothing()
	return nil
}

// transactionMask returns the shards EXEC holds for the whole transaction: those of
// every queued command's keys and of the watched keys. The executor locks them before
// EXEC runs, and serves the clients the transaction unblocked after it completes; it
// keeps the mask in m.mask, which cmdExec runs the queued commands under.
func (s *Server) transactionMask(m *multiState, watched []*watchedKey) uint64 {
	var mask uint64
	for _, q := range m.cmds {
		mask |= q.spec.ShardMask(q.args, s.ks)
	}
	for _, wk := range watched {
		mask |= 1 << s.ks.ShardOf([]byte(wk.key))
	}
	return mask
}
