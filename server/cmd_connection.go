package server

import (
	"strings"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/resp"
)

func (s *Server) connectionCommands() []*Spec {
	return []*Spec{
		{Name: "ping", Arity: -1, Flags: Fast, Cat: CatConnection, Do: cmdPing},
		{Name: "echo", Arity: 2, Flags: Loading | Stale | Fast, Cat: CatConnection, Do: cmdEcho},
		{Name: "quit", Arity: -1, Flags: NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, Cat: CatConnection, Do: cmdQuit},
		{Name: "reset", Arity: 1, Flags: NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, Cat: CatConnection, Do: s.cmdReset},
		{Name: "select", Arity: 2, Flags: Loading | Stale | Fast, Cat: CatConnection, Do: cmdSelect},
		{Name: "auth", Arity: -2, Flags: NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, Cat: CatConnection, Do: s.cmdAuth},
		{Name: "hello", Arity: -1, Flags: NoScript | Loading | Stale | Fast | NoAuth | AllowBusy, Cat: CatConnection, Do: s.cmdHello},
	}
}

func client(c *Ctx) *Client { return c.Client.(*Client) }

func cmdPing(c *Ctx) error {
	if cl := client(c); cl.w.Proto == 2 && cl.subscriptions() > 0 {
		if len(c.Args) > 2 {
			return Errorf("ERR wrong number of arguments for '%s' command", c.Spec.Name)
		}
		c.W.Array(2)
		c.W.BulkString("pong")
		if len(c.Args) == 2 {
			c.W.Bulk(c.Args[1])
		} else {
			c.W.BulkString("")
		}
		return nil
	}
	switch len(c.Args) {
	case 1:
		c.W.Simple("PONG")
	case 2:
		c.W.Bulk(c.Args[1])
	default:
		return Errorf("ERR wrong number of arguments for '%s' command", c.Spec.Name)
	}
	return nil
}

func cmdEcho(c *Ctx) error {
	c.W.Bulk(c.Args[1])
	return nil
}

func cmdQuit(c *Ctx) error {
	client(c).closeAfterReply = true
	c.W.OK()
	return nil
}

func (s *Server) cmdReset(c *Ctx) error {
	cl := client(c)
	cl.multi = nil
	s.watches.unwatchAll(cl)
	s.unsubscribeAll(cl)
	s.disableTracking(cl)
	cl.db = 0
	cl.setProto(2)
	cl.replyOff = false
	cl.setName("")
	cl.user.Store(cl.srv.acl.Default())
	cl.authenticated = !cl.srv.authRequired()
	c.W.Simple("RESET")
	return nil
}

func cmdSelect(c *Ctx) error {
	n, err := c.Int(1)
	if err != nil || n != int64(int32(n)) {
		return ErrNotInt
	}
	if n < 0 || n >= int64(c.KS.Databases()) {
		return Err(resp.ErrDBIndex)
	}
	client(c).db = int(n)
	c.W.OK()
	return nil
}

func (s *Server) cmdAuth(c *Ctx) error {
	var user, pass string
	switch len(c.Args) {
	case 2:
		if s.acl.Default().Load().NoPass {
			return Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		}
		user, pass = "default", c.Arg(1)
	case 3:
		user, pass = c.Arg(1), c.Arg(2)
	default:
		return ErrSyntax
	}
	if err := s.authenticate(c, user, pass); err != nil {
		return err
	}
	c.W.OK()
	return nil
}

func (s *Server) cmdHello(c *Ctx) error {
	cl := client(c)
	proto := cl.w.Proto
	if len(c.Args) >= 2 {
		n, err := c.Int(1)
		if err != nil {
			return Err("ERR Protocol version is not an integer or out of range")
		}
		if n < 2 || n > 3 {
			return Err("NOPROTO unsupported protocol version")
		}
		proto = int(n)
	}
	var name *string
	for i := 2; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		switch {
		case c.Is(i, "auth") && more >= 2:
			if err := s.authenticate(c, c.Arg(i+1), c.Arg(i+2)); err != nil {
				return err
			}
			i += 2
		case c.Is(i, "setname") && more >= 1:
			n := c.Arg(i + 1)
			if err := validClientName(n); err != nil {
				return err
			}
			n = strings.Clone(n)
			name = &n
			i++
		default:
			return Errorf("ERR Syntax error in HELLO option '%s'", c.Arg(i))
		}
	}
	if !cl.authenticated && s.authRequired() { // HELLO AUTH has logged it in by now
		return Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
	}
	if name != nil {
		cl.setName(*name)
	}
	cl.setProto(proto)
	c.W.Map(7)
	c.W.BulkString("server")
	c.W.BulkString("redis")
	c.W.BulkString("version")
	c.W.BulkString(RedisVersion)
	c.W.BulkString("proto")
	c.W.Int(int64(proto))
	c.W.BulkString("id")
	c.W.Int(cl.id)
	c.W.BulkString("mode")
	c.W.BulkString("standalone")
	c.W.BulkString("role")
	c.W.BulkString("master")
	c.W.BulkString("modules")
	c.W.Array(0)
	return nil
}

// validClientName rejects names CLIENT LIST could not print.
func validClientName(name string) error {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			return Err("ERR Client names cannot contain spaces, newlines or special characters.")
		}
	}
	return nil
}
