package server

import (
	"strconv"
	"sync"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
)

// The slow log keeps the last slowlog-max-len commands that ran for at least
// slowlog-log-slower-than microseconds (0 logs everything, a negative value nothing).
// The time is the command's execution only: a blocking command's wait is not counted.
// Entries keep at most 32 arguments (the 32nd says how many more there were) and 128
// bytes of each (followed by how many more bytes there were), with passwords redacted,
// as Redis does.

const (
	slowlogMaxArgs  = 32
	slowlogMaxBytes = 128
)

type slowEntry struct {
	id         int64
	at         int64 // unix seconds
	usec       int64
	args       []string
	addr, name string
}

type slowlog struct {
	mu      sync.Mutex
	entries []slowEntry // oldest first
	nextID  int64
}

func (l *slowlog) trim(max int) {
	l.mu.Lock()
	if n := len(l.entries); n > max {
		l.entries = append(l.entries[:0:0], l.entries[n-max:]...)
	}
	l.mu.Unlock()
}

// slowlogArgs copies args the way a slowlog entry keeps them.
func slowlogArgs(spec *Spec, args [][]byte) []string {
	hide := redacted(spec, args)
	n := min(len(args), slowlogMaxArgs)
	out := make([]string, n)
	for i := 0; i < n; i++ {
		switch {
		case i == slowlogMaxArgs-1 && len(args) > slowlogMaxArgs:
			out[i] = "... (" + strconv.Itoa(len(args)-slowlogMaxArgs+1) + " more arguments)"
		case hide[i]:
			out[i] = "(redacted)"
		case len(args[i]) > slowlogMaxBytes:
			out[i] = string(args[i][:slowlogMaxBytes]) + "... (" + strconv.Itoa(len(args[i])-slowlogMaxBytes) + " more bytes)"
		default:
			out[i] = string(args[i])
		}
	}
	return out
}

func (s *Server) slowlogPush(c *Client, spec *Spec, args [][]byte, dur time.Duration) {
	max := int(s.diag.slowlogMaxLen.Load())
	if max <= 0 || len(args) == 0 {
		return
	}
	c.mu.Lock()
	name := c.name
	c.mu.Unlock()
	e := slowEntry{at: time.Now().Unix(), usec: int64(dur / time.Microsecond),
		args: slowlogArgs(spec, args), addr: c.addr, name: name}
	l := &s.diag.slowlog
	l.mu.Lock()
	e.id = l.nextID
	l.nextID++
	l.entries = append(l.entries, e)
	if len(l.entries) > max {
		l.entries = append(l.entries[:0:0], l.entries[len(l.entries)-max:]...)
	}
	l.mu.Unlock()
}

func (s *Server) slowlogCommands() *Spec {
	return &Spec{Name: "slowlog", Arity: -2, Cat: CatSlow, Subs: []*Spec{
		{Name: "slowlog|get", Arity: -2, Flags: Admin | Loading | Stale, Do: s.cmdSlowlogGet},
		{Name: "slowlog|len", Arity: 2, Flags: Admin | Loading | Stale, Do: s.cmdSlowlogLen},
		{Name: "slowlog|reset", Arity: 2, Flags: Admin | Loading | Stale, Do: s.cmdSlowlogReset},
		{Name: "slowlog|help", Arity: 2, Flags: Loading | Stale, Do: cmdSlowlogHelp},
	}}
}

func (s *Server) cmdSlowlogGet(c *Ctx) error {
	if len(c.Args) > 3 {
		return subcommandSyntaxError(c.Arg(1), "SLOWLOG")
	}
	count := int64(10)
	if len(c.Args) == 3 {
		n, ok := ParseInt(c.Args[2])
		if !ok || n < -1 {
			return Err("ERR count should be greater than or equal to -1")
		}
		count = n
	}
	l := &s.diag.slowlog
	l.mu.Lock()
	entries := l.entries
	if count >= 0 && int64(len(entries)) > count {
		entries = entries[int64(len(entries))-count:]
	}
	entries = append([]slowEntry(nil), entries...)
	l.mu.Unlock()
	c.W.Array(len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		e := &entries[i]
		c.W.Array(6)
		c.W.Int(e.id)
		c.W.Int(e.at)
		c.W.Int(e.usec)
		c.W.BulkStrings(e.args)
		c.W.BulkString(e.addr)
		c.W.BulkString(e.name)
	}
	return nil
}

func (s *Server) cmdSlowlogLen(c *Ctx) error {
	l := &s.diag.slowlog
	l.mu.Lock()
	n := len(l.entries)
	l.mu.Unlock()
	c.W.Int(int64(n))
	return nil
}

func (s *Server) cmdSlowlogReset(c *Ctx) error {
	l := &s.diag.slowlog
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
	c.W.OK()
	return nil
}

func cmdSlowlogHelp(c *Ctx) error {
	ReplyHelp(c.W, "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.")
	return nil
}
