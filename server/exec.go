package server

import (
	"errors"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cinnabar-db/cinnabar/acl"
	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/resp"
)

// multiControl reports the commands that run even while a transaction is being queued.
// (A switch: a map lookup per queued command cost more.)
func multiControl(name string) bool {
	switch name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// subscribedAllowed reports the commands a RESP2 client may send while subscribed.
func subscribedAllowed(name string) bool {
	switch name {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// execute runs one call for client c, writing its reply into c.w.
func (s *Server) execute(c *Client, args [][]byte) {
	defer c.afterExecute()
	spec, err := s.table.LookupRecent(c.recentTops[:], args)
	if err != nil {
		if s.refusedHTTP(c, args[0]) { // POST and Host: are no commands: checked only here
			return
		}
		if spec = s.table.Get(strings.ToLower(string(args[0]))); spec != nil {
			spec.Stats().Rejected.Add(1)
			c.noteCommand(spec)
		}
		s.rejectInMulti(c, string(args[0]), err)
		return
	}
	c.noteCommand(spec)
	if !c.authenticated && !spec.Has(command.NoAuth) && s.authRequired() {
		s.reject(c, spec, command.Err(resp.ErrNoAuth))
		return
	}
	top := spec
	if p := spec.Parent(); p != nil {
		top = p
	}
	if c.multi != nil && spec.Has(command.NoMulti) && !multiControl(top.Name) { // before ACL, as in Redis
		s.reject(c, spec, command.Err("ERR Command not allowed inside a transaction"))
		return
	}
	if u := c.user.Load().Load(); !u.Unrestricted { // the default user: one test
		if d := s.checkACL(c, aclContext(c), u, spec, args); d != acl.Allowed {
			s.reject(c, spec, nopermError(d, spec))
			return
		}
	}
	c.rememberTop(top)
	if err := s.scriptBusy(spec); err != nil && !c.fromMaster { // -BUSY while a long script runs (scripting.go); the master's commands wait for its shards
		s.reject(c, spec, err)
		return
	}
	if !s.gate(c, spec, top) { // CLIENT PAUSE, MONITOR and DEBUG checks (diag.go)
		return
	}
	if err := s.checkMemory(c, spec, top, args); err != nil { // maxmemory (maxmemory.go)
		s.reject(c, spec, err)
		return
	}
	if err := s.aofWriteDenied(spec); err != nil { // a failed AOF write (aof.go)
		s.reject(c, spec, err)
		return
	}
	if err := s.replicaDenied(c, spec); err != nil { // READONLY, MASTERDOWN, LOADING (replica.go)
		s.reject(c, spec, err)
		return
	}
	if c.multi != nil && !multiControl(top.Name) {
		c.multi.queue(spec, args)
		c.w.Simple("QUEUED")
		return
	}
	if c.w.Proto == 2 && c.subscriptions() > 0 && !subscribedAllowed(top.Name) {
		s.reject(c, spec, command.Errorf("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", spec.Name))
		return
	}
	s.call(c, spec, args)
}

// refusedHTTP drops a client whose command is POST or Host:, as Redis does: the
// request of a browser or an HTTP client sent to the server by a web page (cross
// protocol scripting). The connection closes without a reply, not even to the commands
// before it, and the warning is logged at most once a minute.
func (s *Server) refusedHTTP(c *Client, name []byte) bool {
	if !strings.EqualFold(string(name), "post") && !strings.EqualFold(string(name), "host:") {
		return false
	}
	if now := time.Now().Unix(); now-s.httpWarnedAt.Load() > 60 {
		s.httpWarnedAt.Store(now)
		s.log.warning("Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.")
	}
	c.closing.Store(true)
	_ = c.conn.NetConn().Close() // not the redcon connection's Close, which sends what is buffered
	return true
}

// reject refuses a call before it runs; inside MULTI it also dooms the transaction.
func (s *Server) reject(c *Client, spec *command.Spec, err error) {
	spec.Stats().Rejected.Add(1)
	s.rejectInMulti(c, spec.Name, err)
}

// rejectInMulti writes a rejection. Inside MULTI it dooms the transaction, and a
// rejected EXEC (in MULTI or not) answers EXECABORT and ends any transaction, as Redis
// does.
func (s *Server) rejectInMulti(c *Client, name string, err error) {
	if c.multi != nil {
		c.multi.aborted = true
	}
	if !strings.EqualFold(name, "exec") {
		s.replyError(c, err)
		return
	}
	c.multi = nil
	s.watches.unwatchAll(c)
	s.replyError(c, command.Err("EXECABORT Transaction discarded because of: "+strings.TrimPrefix(err.Error(), "ERR ")))
}

// call runs spec under the locks of its keys, serves clients its writes unblocked,
// parks the client if the command blocks, and records statistics.
func (s *Server) call(c *Client, spec *command.Spec, args [][]byte) {
	start := monoNow()
	mask := spec.ShardMask(args, s.ks)
	if spec == s.execSpec && c.multi != nil {
		c.multi.mask = s.transactionMask(c.multi, c.watched)
		mask |= c.multi.mask
	}
	s.ks.Lock(mask)
	tracked := s.tracking.active()
	if tracked {
		s.tracking.own(mask, c)
	}
	freeze := spec == s.execSpec || spec.Cat&command.CatScripting != 0 || c.fromMaster
	if freeze {
		// Redis 7.0 judges expiry in a transaction or script by its start time; on a
		// replica only the master's DELs remove keys (replica.go), so its stream runs
		// with the clock at the epoch's first millisecond.
		at := int64(1)
		if !c.fromMaster {
			at = s.clock.UnixMilli()
		}
		s.ks.Freeze(mask, at)
	}
	err := s.run(c, spec, args, mask)
	if freeze {
		s.ks.Thaw(mask)
	}
	if s.blocking.count.Load() > 0 {
		s.serveReady(mask)
	}
	if tracked {
		s.flushEnded(c)
		s.tracking.own(mask, nil)
	}
	s.ks.Unlock(mask)
	if errors.Is(err, command.ErrBlock) {
		req := c.ctx.Blocked
		c.ctx.Blocked = nil
		parked := monoNow()
		s.block(c, spec, args, mask, req)
		start += monoNow() - parked // the wait is not execution time
		err = nil
	}
	c.ctx.Args = args // EXEC ran other commands with this context: record sees EXEC's own
	s.record(c, spec, start, err)
}

// run invokes the handler; the caller holds the shards in mask, those of its keys. A
// handler that panics fails its call with an error instead of taking the server down.
// While the write stream has consumers, what the call changed is propagated.
//
// total_commands_processed counts here, as Redis's call() does: every command run,
// from a client, EXEC or a script, but not those rejected before they run, nor those
// MULTI queues until EXEC runs them, nor a blocked command run again to serve it
// (counted when it blocked; and the run may be on another client's goroutine).
func (s *Server) run(c *Client, spec *command.Spec, args [][]byte, mask uint64) (err error) {
	ctx := &c.ctx
	if ctx.ReadyKey == nil {
		c.count(&c.stats.commands, 1)
	}
	db := c.db
	propagating := s.writes.active.Load()
	var before int64
	if propagating {
		before = s.beginRun(c.unit, mask)
	}
	defer func() {
		ctx.DB = nil
		if r := recover(); r != nil {
			s.log.warning("panic in %s: %v\n%s", spec.Name, r, debug.Stack())
			err = command.Errorf("ERR internal error running '%s'", spec.Name)
		}
		if propagating {
			s.endRun(c.unit, ctx, db, args, mask, before, s.targetsOf(c))
		}
	}()
	ctx.Args, ctx.Spec, ctx.Propagating = args, spec, propagating
	if mask != 0 {
		ctx.DB = s.clientDB(c, db, spec)
	}
	err = spec.Do(ctx)
	// After the command, as Redis does: a read that deleted an expired key is still
	// remembered. EVAL_RO and FCALL_RO count only through the commands they run.
	if spec.Flags&command.ReadOnly != 0 && s.tracking.active() && spec.Cat&command.CatScripting == 0 {
		reader := c
		if c.caller != nil {
			reader = c.caller
		}
		s.rememberRead(reader, spec, args)
	}
	return err
}

// record updates the command's statistics and writes a failed call's error.
// start is the monoNow reading when the call began; it returns the reading it ended at.
func (s *Server) record(c *Client, spec *command.Spec, start time.Duration, err error) time.Duration {
	now := monoNow()
	dur := now - start
	s.countCall(c, spec, dur, err)
	c.lastAt.Store(int64(now))
	s.observe(c, spec, dur) // slowlog, latency, MONITOR (diag.go)
	return now
}

// countCall adds a call that took dur to the command's statistics and writes its
// error, if it failed: what every call counts, from a client or from a script.
func (s *Server) countCall(c *Client, spec *command.Spec, dur time.Duration, err error) {
	st := spec.Stats()
	st.Calls.Add(1)
	st.Usec.Add(int64(dur / time.Microsecond))
	if err != nil {
		st.Failed.Add(1)
		s.replyError(c, err)
	}
}

// replyError writes err as an error reply and counts it in errorstats.
func (s *Server) replyError(c *Client, err error) {
	var e command.Err
	msg := err.Error()
	if !errors.As(err, &e) {
		msg = "ERR " + msg
	}
	c.w.Error(msg)
	s.stats.errors.count(msg, s.log.warning)
}
