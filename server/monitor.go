package server

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/config"

	"github.com/cinnabar-db/cinnabar/resp"
)

// MONITOR streams every command the server executes to the monitoring clients, one
// status line per command, after it ran (as Redis 7.0 does, so a transaction shows
// MULTI, its commands, then EXEC):
//
//	+1700000000.123456 [0 127.0.0.1:5555] "SET" "k" "v"
//
// with the database, the client's address ("lua" for commands run by scripts) and the
// arguments quoted and escaped. Administrative commands (flagged admin or
// skip_monitor) are not shown, and passwords are redacted. Lines reach monitors through
// their asynchronous output (the pub/sub path), so a slow monitor never slows the
// server; its output-buffer limits apply.
//
// A monitoring client may still run commands that do not touch the keyspace (PING,
// CLIENT, ...); RESET leaves monitor mode.

type monitorSet struct {
	mu      sync.RWMutex
	clients map[*Client]struct{}
	count   atomic.Int32
}

func (s *Server) monitorCommand() *Spec {
	return &Spec{Name: "monitor", Arity: 1, Flags: Admin | NoScript | Loading | Stale, Do: s.cmdMonitor}
}

func (s *Server) cmdMonitor(c *Ctx) error {
	cl := client(c)
	if cl.diag.monitor.Load() {
		return nil // already monitoring: Redis ignores it, without a reply
	}
	if c.NoBlock {
		return Err("ERR MONITOR isn't allowed for DENY BLOCKING client")
	}
	s.enterPushMode(cl, config.ClassNormal)
	m := &s.diag.monitor
	// The +OK and the registration happen together: a command another client sends once
	// it has seen the +OK must show, and no line may go ahead of the +OK.
	m.mu.Lock()
	cl.out.write([]byte("+OK\r\n"))
	m.clients[cl] = struct{}{}
	m.count.Store(int32(len(m.clients)))
	m.mu.Unlock()
	cl.diag.monitor.Store(true)
	return nil
}

func (s *Server) stopMonitor(c *Client) {
	m := &s.diag.monitor
	m.mu.Lock()
	delete(m.clients, c)
	m.count.Store(int32(len(m.clients)))
	m.mu.Unlock()
	c.diag.monitor.Store(false)
}

// feedMonitors shows a command executed by client c on database db. A monitor's own
// command shows after its reply, as in Redis: the line joins the reply still in its
// buffer rather than going ahead of it.
func (s *Server) feedMonitors(c *Client, db int, spec *Spec, args [][]byte) {
	if !c.diag.monitor.Load() {
		s.FeedMonitorsFrom(c.addr, db, spec, args)
		return
	}
	line := monitorLine(time.Now(), c.addr, db, spec, args)
	m := &s.diag.monitor
	m.mu.RLock()
	for mc := range m.clients {
		if mc == c {
			c.w.Raw(line)
		} else if mc.out != nil {
			mc.out.write(line)
		}
	}
	m.mu.RUnlock()
}

// FeedMonitorsFrom shows a command to the monitors; origin is the client address, or
// "lua" for a command run by a script (the scripting bridge calls it for each
// redis.call, as EVAL itself is flagged skip_monitor and fed before the script runs).
func (s *Server) FeedMonitorsFrom(origin string, db int, spec *Spec, args [][]byte) {
	m := &s.diag.monitor
	if m.count.Load() == 0 {
		return
	}
	line := monitorLine(time.Now(), origin, db, spec, args)
	m.mu.RLock()
	for mc := range m.clients {
		if mc.out != nil {
			mc.out.write(line)
		}
	}
	m.mu.RUnlock()
}

func monitorLine(now time.Time, origin string, db int, spec *Spec, args [][]byte) []byte {
	var hide map[int]bool
	if spec != nil {
		hide = redacted(spec, args)
	}
	b := make([]byte, 0, 64+16*len(args))
	b = append(b, '+')
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, '.')
	us := strconv.AppendInt(nil, int64(now.Nanosecond()/1000), 10)
	for i := len(us); i < 6; i++ {
		b = append(b, '0')
	}
	b = append(b, us...)
	b = append(b, " ["...)
	b = strconv.AppendInt(b, int64(db), 10)
	b = append(b, ' ')
	b = append(b, origin...)
	b = append(b, ']')
	for i, a := range args {
		b = append(b, ' ')
		if hide[i] {
			b = append(b, `"(redacted)"`...)
			continue
		}
		b = resp.AppendRepr(b, a)
	}
	return append(b, '\r', '\n')
}
