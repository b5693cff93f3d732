package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/command"
)

// CLIENT PAUSE: while a pause is in effect, the commands it covers wait (they are not
// refused) until CLIENT UNPAUSE or the deadline. ALL covers every command; WRITE covers
// commands that may write or propagate: write commands, EXEC of a transaction holding
// one, and, as Redis 7.0 does, PUBLISH, SPUBLISH, PFCOUNT, EVAL, EVALSHA and FCALL. The
// check runs before MULTI queueing, as in Redis, so queueing a write waits too. The
// active expiry cycle is suspended during a pause, so keys do not disappear from under
// a paused writer (a replica promotion, in Redis's use case).

const (
	pauseNone int32 = iota
	pauseWrite
	pauseAll
)

type pauseState struct {
	mode    atomic.Int32 // fast path: pauseNone when nothing is paused
	mu      sync.Mutex
	end     time.Time
	ended   chan struct{} // closed when the current pause ends
	waiting atomic.Int64  // clients waiting (counted in blocked_clients)
}

// pausedByWrite are commands WRITE pauses although they are not write commands.
var pausedByWrite = map[string]bool{"publish": true, "spublish": true, "pfcount": true,
	"eval": true, "evalsha": true, "fcall": true}

func mayWrite(spec *command.Spec) bool {
	return spec.Flags&(command.Write|command.MayReplicate) != 0 || pausedByWrite[spec.Name]
}

// pauseClients starts or extends a pause: the stricter mode and the later deadline win.
func (s *Server) pauseClients(mode int32, end time.Time) {
	p := &s.diag.pause
	p.mu.Lock()
	if cur := p.mode.Load(); cur != pauseNone && time.Now().Before(p.end) {
		mode = max(mode, cur)
		if p.end.After(end) {
			end = p.end
		}
	}
	if p.ended == nil {
		p.ended = make(chan struct{})
	}
	p.end = end
	p.mode.Store(mode)
	p.mu.Unlock()
	s.syncActiveExpire()
}

// unpauseClients ends the pause and lets the waiting clients run.
func (s *Server) unpauseClients() {
	p := &s.diag.pause
	p.mu.Lock()
	s.endPauseLocked()
	p.mu.Unlock()
	s.syncActiveExpire()
}

func (s *Server) endPauseLocked() {
	p := &s.diag.pause
	p.mode.Store(pauseNone)
	if p.ended != nil {
		close(p.ended)
		p.ended = nil
	}
}

// checkPauseExpired ends a pause whose deadline passed (the cron calls it).
func (s *Server) checkPauseExpired() {
	p := &s.diag.pause
	if p.mode.Load() == pauseNone {
		return
	}
	p.mu.Lock()
	expired := p.mode.Load() != pauseNone && !time.Now().Before(p.end)
	if expired {
		s.endPauseLocked()
	}
	p.mu.Unlock()
	if expired {
		s.syncActiveExpire()
	}
}

// syncActiveExpire runs the active expiry cycle unless DEBUG SET-ACTIVE-EXPIRE 0, a
// pause or being a replica stops it; a replica also keeps the expired keys its
// lookups meet (the master's DELs remove them). Callers change those conditions
// first, from several goroutines: one sync at a time, so the last to run reads the
// latest of them rather than overwriting it with what it read before.
func (s *Server) syncActiveExpire() {
	s.diag.expireSync.Lock()
	defer s.diag.expireSync.Unlock()
	replica := s.link.active.Load()
	s.ks.KeepExpired.Store(replica)
	s.expirer.SetEnabled(s.diag.activeExpireOn.Load() && s.diag.pause.mode.Load() == pauseNone && !replica)
}

// waitPause makes the client wait while a pause covers spec. It returns false if the
// client was killed meanwhile.
func (s *Server) waitPause(c *Client, spec *command.Spec) bool {
	p := &s.diag.pause
	for {
		p.mu.Lock()
		mode := p.mode.Load()
		if mode == pauseNone {
			p.mu.Unlock()
			return true
		}
		now := time.Now()
		if !now.Before(p.end) {
			s.endPauseLocked()
			p.mu.Unlock()
			s.syncActiveExpire()
			return true
		}
		if mode == pauseWrite && !s.writesUnderPause(c, spec) {
			p.mu.Unlock()
			return true
		}
		ended, wait := p.ended, p.end.Sub(now)
		p.mu.Unlock()

		c.wakes.wake() // what its batch published so far is delivered meanwhile, as in Redis
		c.diag.pausedWait.Store(true)
		p.waiting.Add(1)
		timer := time.NewTimer(wait)
		killed := false
		select {
		case <-ended:
		case <-timer.C:
		case <-c.killed:
			killed = true
		}
		timer.Stop()
		p.waiting.Add(-1)
		c.diag.pausedWait.Store(false)
		if killed || c.closing.Load() {
			return false
		}
	}
}

// writesUnderPause reports whether a WRITE pause covers the call: a command that may
// write, or EXEC of a transaction that queued one.
func (s *Server) writesUnderPause(c *Client, spec *command.Spec) bool {
	if mayWrite(spec) {
		return true
	}
	if spec.Name == "exec" && c.multi != nil {
		for _, q := range c.multi.cmds {
			if mayWrite(q.spec) {
				return true
			}
		}
	}
	return false
}
