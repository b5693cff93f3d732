package server

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
)

func (s *Server) clientCommands() []*Spec {
	return []*Spec{
		{Name: "client", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "client|id", Arity: 2, Flags: NoScript | Loading | Stale, Cat: CatConnection, Do: cmdClientID},
			{Name: "client|info", Arity: 2, Flags: NoScript | Loading | Stale, Cat: CatConnection, Do: cmdClientInfo},
			{Name: "client|list", Arity: -2, Flags: Admin | NoScript | Loading | Stale, Cat: CatConnection, Do: s.cmdClientList},
			{Name: "client|kill", Arity: -3, Flags: Admin | NoScript | Loading | Stale, Cat: CatConnection, Do: s.cmdClientKill},
			{Name: "client|setname", Arity: 3, Flags: NoScript | Loading | Stale, Cat: CatConnection, Do: cmdClientSetName},
			{Name: "client|getname", Arity: 2, Flags: NoScript | Loading | Stale, Cat: CatConnection, Do: cmdClientGetName},
			{Name: "client|setinfo", Arity: 4, Flags: NoScript | Loading | Stale, Cat: CatConnection, Do: cmdClientSetInfo},
			{Name: "client|reply", Arity: 3, Flags: NoScript | Loading | Stale, Cat: CatConnection, Do: cmdClientReply},
			{Name: "client|no-evict", Arity: 3, Flags: Admin | NoScript | Loading | Stale, Cat: CatConnection, Do: cmdClientOnOff},
			{Name: "client|unblock", Arity: -3, Flags: Admin | NoScript | Loading | Stale, Cat: CatConnection, Do: s.cmdClientUnblock},
			{Name: "client|help", Arity: 2, Flags: Loading | Stale, Cat: CatConnection, Do: cmdClientHelp},
		}},
	}
}

func cmdClientID(c *Ctx) error {
	c.W.Int(client(c).id)
	return nil
}

// describe renders the client as one CLIENT LIST line (without the newline).
func (cl *Client) describe(now time.Time, current bool) string {
	cl.mu.Lock()
	name, lastCmd, lib, ver := cl.name, cl.lastCmd, cl.libName, cl.libVer
	cl.mu.Unlock()
	if lastCmd == "" {
		lastCmd = "NULL"
	}
	idle := now.Sub(time.Unix(0, cl.lastAt.Load()))
	db, proto := 0, 2
	if current {
		db, proto = cl.db, cl.w.Proto
	}
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=8 name=%s age=%d idle=%d flags=N db=%d sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=%s user=default redir=-1 resp=%d lib-name=%s lib-ver=%s",
		cl.id, cl.addr, cl.laddr, name, int64(now.Sub(cl.since)/time.Second), int64(idle/time.Second), db, lastCmd, proto, lib, ver)
}

func cmdClientInfo(c *Ctx) error {
	c.W.Verbatim(client(c).describe(time.Now(), true) + "\n")
	return nil
}

// clientsSorted returns the connected clients in id order.
func (s *Server) clientsSorted() []*Client {
	s.clientsMu.Lock()
	out := make([]*Client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	s.clientsMu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (s *Server) cmdClientList(c *Ctx) error {
	var ids map[int64]bool
	for i := 2; i < len(c.Args); i++ {
		switch {
		case c.Is(i, "type") && i+1 < len(c.Args):
			t := strings.ToLower(c.Arg(i + 1))
			if t != "normal" && t != "master" && t != "replica" && t != "slave" && t != "pubsub" {
				return Errorf("ERR Unknown client type '%s'", c.Arg(i+1))
			}
			if t != "normal" {
				ids = map[int64]bool{}
			}
			i++
		case c.Is(i, "id") && i+1 < len(c.Args):
			ids = map[int64]bool{}
			for i++; i < len(c.Args); i++ {
				id, err := strconv.ParseInt(c.Arg(i), 10, 64)
				if err != nil || id <= 0 {
					return Err("ERR Invalid client ID")
				}
				ids[id] = true
			}
		default:
			return ErrSyntax
		}
	}
	self := client(c)
	now := time.Now()
	var b strings.Builder
	for _, cl := range s.clientsSorted() {
		if ids != nil && !ids[cl.id] {
			continue
		}
		b.WriteString(cl.describe(now, cl == self))
		b.WriteByte('\n')
	}
	c.W.Verbatim(b.String())
	return nil
}

func (s *Server) cmdClientKill(c *Ctx) error {
	self := client(c)
	if len(c.Args) == 3 {
		for _, cl := range s.clientsSorted() {
			if cl.addr == c.Arg(2) {
				s.killClient(cl, self)
				c.W.OK()
				return nil
			}
		}
		return Err("ERR No such client")
	}
	var id int64
	var addr, laddr, user string
	skipMe := true
	if len(c.Args)%2 != 0 {
		return ErrSyntax
	}
	for i := 2; i < len(c.Args); i += 2 {
		v := c.Arg(i + 1)
		switch {
		case c.Is(i, "id"):
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return Err("ERR client-id should be greater than 0")
			}
			id = n
		case c.Is(i, "addr"):
			addr = v
		case c.Is(i, "laddr"):
			laddr = v
		case c.Is(i, "user"):
			user = v
		case c.Is(i, "type"):
			t := strings.ToLower(v)
			if t != "normal" && t != "master" && t != "replica" && t != "slave" && t != "pubsub" {
				return Errorf("ERR Unknown client type '%s'", v)
			}
		case c.Is(i, "skipme"):
			switch strings.ToLower(v) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				return ErrSyntax
			}
		default:
			return ErrSyntax
		}
	}
	var n int64
	for _, cl := range s.clientsSorted() {
		if (id != 0 && cl.id != id) || (addr != "" && cl.addr != addr) || (laddr != "" && cl.laddr != laddr) ||
			(user != "" && user != "default") || (skipMe && cl == self) {
			continue
		}
		s.killClient(cl, self)
		n++
	}
	c.W.Int(n)
	return nil
}

// killClient disconnects cl; the calling client itself is closed after its reply.
func (s *Server) killClient(cl, self *Client) {
	if cl == self {
		self.closeAfterReply = true
		return
	}
	cl.kill()
}

func (s *Server) cmdClientUnblock(c *Ctx) error {
	id, err := strconv.ParseInt(c.Arg(2), 10, 64)
	if err != nil {
		return ErrNotInt
	}
	reason := unblockTimeout
	if len(c.Args) == 4 {
		switch {
		case c.Is(3, "timeout"):
		case c.Is(3, "error"):
			reason = unblockError
		default:
			return Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
		}
	} else if len(c.Args) > 4 {
		return ErrSyntax
	}
	s.clientsMu.Lock()
	target := s.clients[id]
	s.clientsMu.Unlock()
	if target == nil || target.waiter.Load() == nil {
		c.W.Int(0)
		return nil
	}
	select {
	case target.unblock <- reason:
		c.W.Int(1)
	default:
		c.W.Int(0)
	}
	return nil
}

func cmdClientSetName(c *Ctx) error {
	name := c.Arg(2)
	if err := validClientName(name); err != nil {
		return err
	}
	client(c).setName(strings.Clone(name))
	c.W.OK()
	return nil
}

func cmdClientGetName(c *Ctx) error {
	cl := client(c)
	cl.mu.Lock()
	name := cl.name
	cl.mu.Unlock()
	if name == "" {
		c.W.Null()
		return nil
	}
	c.W.BulkString(name)
	return nil
}

func cmdClientSetInfo(c *Ctx) error {
	v := c.Arg(3)
	attr := strings.ToLower(c.Arg(2))
	if attr != "lib-name" && attr != "lib-ver" {
		return Errorf("ERR Unrecognized option '%s'", c.Arg(2))
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '!' || v[i] > '~' {
			return Errorf("ERR %s cannot contain spaces, newlines or special characters.", attr)
		}
	}
	cl := client(c)
	cl.mu.Lock()
	if attr == "lib-name" {
		cl.libName = strings.Clone(v)
	} else {
		cl.libVer = strings.Clone(v)
	}
	cl.mu.Unlock()
	c.W.OK()
	return nil
}

func cmdClientReply(c *Ctx) error {
	cl := client(c)
	switch {
	case c.Is(2, "on"):
		cl.replyOff = false
		c.W.OK()
	case c.Is(2, "off"):
		cl.replyOff = true
	case c.Is(2, "skip"):
		cl.skipNext = true
	default:
		return ErrSyntax
	}
	return nil
}

func cmdClientOnOff(c *Ctx) error {
	if !c.Is(2, "on") && !c.Is(2, "off") {
		return ErrSyntax
	}
	c.W.OK()
	return nil
}

func cmdClientHelp(c *Ctx) error {
	ReplyHelp(c.W, "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"SETINFO <LIB-NAME|LIB-VER> <value>",
		"    Set client library name or version.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.")
	return nil
}
