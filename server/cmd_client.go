package server

import (
	"net"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/store"
)

func (s *Server) clientCommands() []*Spec {
	const conn = NoScript | Loading | Stale
	return []*Spec{
		{Name: "client", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "client|id", Arity: 2, Flags: conn, Cat: CatConnection, Do: cmdClientID},
			{Name: "client|info", Arity: 2, Flags: conn, Cat: CatConnection, Do: s.cmdClientInfo},
			{Name: "client|list", Arity: -2, Flags: Admin | conn, Cat: CatConnection, Do: s.cmdClientList},
			{Name: "client|kill", Arity: -3, Flags: Admin | conn, Cat: CatConnection, Do: s.cmdClientKill},
			{Name: "client|setname", Arity: 3, Flags: conn, Cat: CatConnection, Do: cmdClientSetName},
			{Name: "client|getname", Arity: 2, Flags: conn, Cat: CatConnection, Do: cmdClientGetName},
			{Name: "client|setinfo", Arity: 4, Flags: conn, Cat: CatConnection, Do: cmdClientSetInfo},
			{Name: "client|reply", Arity: 3, Flags: conn, Cat: CatConnection, Do: cmdClientReply},
			{Name: "client|no-evict", Arity: 3, Flags: Admin | conn, Cat: CatConnection, Do: cmdClientNoEvict},
			{Name: "client|no-touch", Arity: 3, Flags: conn, Cat: CatConnection, Do: cmdClientNoTouch},
			{Name: "client|pause", Arity: -3, Flags: Admin | conn, Cat: CatConnection, Do: s.cmdClientPause},
			{Name: "client|unpause", Arity: 2, Flags: Admin | conn, Cat: CatConnection, Do: s.cmdClientUnpause},
			{Name: "client|unblock", Arity: -3, Flags: Admin | conn, Cat: CatConnection, Do: s.cmdClientUnblock},
			{Name: "client|tracking", Arity: -3, Flags: conn, Cat: CatConnection, Do: s.cmdClientTracking},
			{Name: "client|trackinginfo", Arity: 2, Flags: conn, Cat: CatConnection, Do: s.cmdClientTrackingInfo},
			{Name: "client|getredir", Arity: 2, Flags: conn, Cat: CatConnection, Do: s.cmdClientGetRedir},
			{Name: "client|caching", Arity: 3, Flags: conn, Cat: CatConnection, Do: s.cmdClientCaching},
			{Name: "client|help", Arity: 2, Flags: Loading | Stale, Cat: CatConnection, Do: cmdClientHelp},
		}},
	}
}

func subcommandSyntaxError(sub, cmd string) error {
	return Errorf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.", sub, cmd)
}

func cmdClientID(c *Ctx) error {
	c.W.Int(client(c).id)
	return nil
}

// socketFD returns the client's file descriptor (looked up once), or -1.
func (cl *Client) socketFD() int {
	if fd := cl.diag.fd.Load(); fd != 0 {
		return int(fd)
	}
	fd := -1
	if sc, ok := cl.conn.NetConn().(syscall.Conn); ok { // guardConn: the socket, under TLS too
		if raw, err := sc.SyscallConn(); err == nil {
			_ = raw.Control(func(f uintptr) { fd = int(f) })
		}
	}
	cl.diag.fd.Store(int32(fd))
	return fd
}

// clientType classifies a client as CLIENT LIST/KILL TYPE do: "replica" for an
// attached replica, "pubsub" while it has subscriptions, else "normal" (monitors too;
// a replica's master link is no listed client: CLIENT KILL TYPE master drops it apart).
// The caller holds the pub/sub registry's read lock.
func (cl *Client) clientType() string {
	switch {
	case cl.diag.replica.Load():
		return "replica"
	case cl.subscriptions() > 0:
		return "pubsub"
	}
	return "normal"
}

func validClientType(t string) (string, bool) {
	switch t = strings.ToLower(t); t {
	case "normal", "master", "pubsub":
		return t, true
	case "replica", "slave":
		return "replica", true
	}
	return t, false
}

// describe renders the client as one CLIENT LIST line, without the newline, with Redis
// 7.0's fields in Redis's order plus lib-name and lib-ver (Redis 7.2's). self is true
// when the client describes itself, on its own goroutine, where its live state may be
// read. The caller holds the pub/sub registry's read lock.
func (cl *Client) describe(now time.Time, self bool) string {
	cl.mu.Lock()
	name, lib, ver := cl.name, cl.libName, cl.libVer
	cl.mu.Unlock()
	lastCmd := "NULL"
	if spec := cl.lastCmd.Load(); spec != nil {
		lastCmd = spec.Name
	}
	db, proto, multi := int(cl.diag.db.Load()), int(cl.diag.proto.Load()), int(cl.diag.multi.Load())
	if self {
		db, proto, multi = cl.db, cl.w.Proto, -1
		if cl.multi != nil {
			multi = len(cl.multi.cmds)
		}
	}
	if proto == 0 {
		proto = 2
	}
	blocked := cl.waiter.Load() != nil || cl.diag.pausedWait.Load()
	var idle time.Duration // a running command is not idle; a parked one is
	if !cl.diag.busy.Load() || blocked {
		idle = cl.idle()
	}
	var flags []byte
	switch {
	case cl.diag.monitor.Load():
		flags = append(flags, 'O')
	case cl.diag.replica.Load():
		flags = append(flags, 'S')
	}
	if cl.subscriptions() > 0 {
		flags = append(flags, 'P')
	}
	if multi >= 0 {
		flags = append(flags, 'x')
	}
	if blocked {
		flags = append(flags, 'b')
	}
	flags = append(flags, cl.trackingLetters()...)
	if cl.dirtyCAS.Load() {
		flags = append(flags, 'd')
	}
	if self && cl.closeAfterReply {
		flags = append(flags, 'c')
	}
	if cl.closing.Load() {
		flags = append(flags, 'A')
	}
	if cl.diag.noEvict.Load() {
		flags = append(flags, 'e')
	}
	if cl.diag.noTouch.Load() {
		flags = append(flags, 'T')
	}
	if len(flags) == 0 {
		flags = append(flags, 'N')
	}
	omem := int(cl.diag.replyBuf.Load())
	if out := cl.diag.out.Load(); out != nil {
		omem += out.pending()
	}
	events := "r"
	if omem > 0 {
		events = "rw"
	}
	b := make([]byte, 0, 320)
	field := func(k string, v string) {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, k...)
		b = append(b, '=')
		b = append(b, v...)
	}
	num := func(k string, v int64) { field(k, strconv.FormatInt(v, 10)) }
	num("id", cl.id)
	field("addr", cl.addr)
	field("laddr", cl.laddr)
	num("fd", int64(cl.socketFD()))
	field("name", name)
	num("age", int64(now.Sub(cl.since)/time.Second))
	num("idle", int64(idle/time.Second))
	field("flags", string(flags))
	num("db", int64(db))
	num("sub", int64(len(cl.subChannels)))
	num("psub", int64(len(cl.subPatterns)))
	num("ssub", int64(len(cl.subShard)))
	num("multi", int64(multi))
	num("qbuf", 0)
	num("qbuf-free", 0)
	num("argv-mem", 0)
	num("multi-mem", cl.diag.multiMem.Load())
	num("rbs", 16384)
	num("rbp", 0)
	num("obl", 0)
	num("oll", 0)
	num("omem", int64(omem))
	num("tot-mem", cl.memUsage())
	field("events", events)
	field("cmd", lastCmd)
	field("user", cl.user.Load().Load().Name)
	num("redir", cl.redirectID())
	num("resp", int64(proto))
	field("lib-name", lib)
	field("lib-ver", ver)
	return string(b)
}

func (s *Server) cmdClientInfo(c *Ctx) error {
	s.pubsub.mu.RLock()
	line := client(c).describe(time.Now(), true)
	s.pubsub.mu.RUnlock()
	c.W.Verbatim(line + "\n")
	return nil
}

// clientsSorted returns the connected clients in id order, leaving out those already
// killed whose connections are still closing.
func (s *Server) clientsSorted() []*Client {
	s.clientsMu.Lock()
	out := make([]*Client, 0, len(s.clients))
	for _, c := range s.clients {
		if !c.closing.Load() {
			out = append(out, c)
		}
	}
	s.clientsMu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (s *Server) cmdClientList(c *Ctx) error {
	var ids map[int64]bool
	typ := ""
	switch {
	case len(c.Args) == 2:
	case len(c.Args) == 4 && c.Is(2, "type"):
		t, ok := validClientType(c.Arg(3))
		if !ok {
			return Errorf("ERR Unknown client type '%s'", c.Arg(3))
		}
		typ = t
	case len(c.Args) >= 4 && c.Is(2, "id"):
		ids = map[int64]bool{}
		for i := 3; i < len(c.Args); i++ {
			id, ok := ParseInt(c.Args[i])
			if !ok {
				return Err("ERR Invalid client ID")
			}
			ids[id] = true
		}
	default:
		return ErrSyntax
	}
	self := client(c)
	now := time.Now()
	var b strings.Builder
	s.pubsub.mu.RLock()
	for _, cl := range s.clientsSorted() {
		if (ids != nil && !ids[cl.id]) || (typ != "" && cl.clientType() != typ) {
			continue
		}
		b.WriteString(cl.describe(now, cl == self))
		b.WriteByte('\n')
	}
	s.pubsub.mu.RUnlock()
	c.W.Verbatim(b.String())
	return nil
}

func (s *Server) cmdClientKill(c *Ctx) error {
	self := client(c)
	if len(c.Args) == 3 { // the old form: CLIENT KILL addr:port
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
	var addr, laddr, user, typ string
	skipMe := true
	if len(c.Args)%2 != 0 {
		return ErrSyntax
	}
	for i := 2; i < len(c.Args); i += 2 {
		v := c.Arg(i + 1)
		switch {
		case c.Is(i, "id"):
			n, ok := ParseInt(c.Args[i+1])
			if !ok || n <= 0 {
				return Err("ERR client-id should be greater than 0")
			}
			id = n
		case c.Is(i, "addr"):
			addr = v
		case c.Is(i, "laddr"):
			laddr = v
		case c.Is(i, "user"):
			if s.acl.Get(v) == nil {
				return Errorf("ERR No such user '%s'", v)
			}
			user = v
		case c.Is(i, "type"):
			t, ok := validClientType(v)
			if !ok {
				return Errorf("ERR Unknown client type '%s'", v)
			}
			typ = t
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
	var victims []*Client
	s.pubsub.mu.RLock()
	for _, cl := range s.clientsSorted() {
		if (id != 0 && cl.id != id) || (addr != "" && cl.addr != addr) || (laddr != "" && cl.laddr != laddr) ||
			(typ != "" && cl.clientType() != typ) || (user != "" && cl.user.Load().Load().Name != user) || (skipMe && cl == self) {
			continue
		}
		victims = append(victims, cl)
	}
	s.pubsub.mu.RUnlock()
	for _, cl := range victims {
		s.killClient(cl, self)
	}
	n := int64(len(victims))
	if typ == "master" && id == 0 && addr == "" && laddr == "" && user == "" && s.dropMasterConn() {
		n++ // the master's pseudo-client is in no client list: its link is dropped (replica.go)
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
		cl.replyOff, cl.skipNext = false, false
		c.W.OK()
	case c.Is(2, "off"):
		cl.replyOff = true
	case c.Is(2, "skip"):
		cl.skipNext = !cl.replyOff // SKIP means nothing while replies are off
	default:
		return ErrSyntax
	}
	return nil
}

func onOff(c *Ctx, i int) (bool, error) {
	switch {
	case c.Is(i, "on"):
		return true, nil
	case c.Is(i, "off"):
		return false, nil
	}
	return false, ErrSyntax
}

// cmdClientNoEvict records the flag; client eviction (maxmemory-clients) is not
// implemented, so no client is ever evicted anyway.
func cmdClientNoEvict(c *Ctx) error {
	on, err := onOff(c, 2)
	if err != nil {
		return err
	}
	client(c).diag.noEvict.Store(on)
	c.W.OK()
	return nil
}

// cmdClientNoTouch (Redis 7.2) sets the flag CLIENT LIST shows as T and clientDB obeys.
func cmdClientNoTouch(c *Ctx) error {
	on, err := onOff(c, 2)
	if err != nil {
		return err
	}
	client(c).diag.noTouch.Store(on)
	c.W.OK()
	return nil
}

// clientDB is the view of database db that client c runs spec against: a NO-TOUCH
// client's commands leave the keys' LRU/LFU data alone, except TOUCH, whose purpose
// that is.
func (s *Server) clientDB(c *Client, db int, spec *Spec) *store.DB {
	if c.diag.noTouch.Load() && spec.Name != "touch" {
		return s.ks.DB(db).NoTouch()
	}
	return s.ks.DB(db)
}

func (s *Server) cmdClientPause(c *Ctx) error {
	if len(c.Args) > 4 {
		return subcommandSyntaxError(c.Arg(1), "CLIENT")
	}
	ms, ok := ParseInt(c.Args[2])
	if !ok {
		return Err("ERR timeout is not an integer or out of range")
	}
	if ms < 0 {
		return Err("ERR timeout is negative")
	}
	mode := pauseAll
	if len(c.Args) == 4 {
		switch {
		case c.Is(3, "write"):
			mode = pauseWrite
		case c.Is(3, "all"):
		default:
			return Err("ERR CLIENT PAUSE mode must be WRITE or ALL")
		}
	}
	end := time.Now().Add(time.Duration(min(ms, int64(1<<62)/int64(time.Millisecond))) * time.Millisecond)
	s.pauseClients(mode, end)
	c.W.OK()
	return nil
}

func (s *Server) cmdClientUnpause(c *Ctx) error {
	s.unpauseClients()
	c.W.OK()
	return nil
}

func cmdClientHelp(c *Ctx) error {
	ReplyHelp(c.W, "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
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
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"SETINFO <option> <value>",
		"    Set client meta attr. Options are:",
		"    * LIB-NAME: the client lib name.",
		"    * LIB-VER: the client lib version.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
		"NO-TOUCH (ON|OFF)",
		"    Will not touch LRU/LFU stats when this mode is on.")
	return nil
}

// isLocalAddr reports whether a client address is on the loopback interface (or a
// unix socket), for enable-debug-command "local".
func isLocalAddr(addr string) bool {
	if strings.HasPrefix(addr, "unix:") || strings.HasPrefix(addr, "/") {
		return true
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
