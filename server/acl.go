package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cinnabar-db/cinnabar/acl"
	"github.com/cinnabar-db/cinnabar/atomicfile"
	. "github.com/cinnabar-db/cinnabar/command"
)

// The ACL glue: the ACL commands, the executor's permission check, authentication and
// the ACL log. The model (users, rules, matching) is package acl.

const errNoACLFile = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."

func (s *Server) aclCommands() []*Spec {
	const adm = Admin | NoScript | Loading | Stale
	return []*Spec{
		{Name: "acl", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "acl|cat", Arity: -2, Flags: NoScript | Loading | Stale, Do: s.cmdACLCat},
			{Name: "acl|deluser", Arity: -3, Flags: adm, Do: s.cmdACLDelUser},
			{Name: "acl|dryrun", Arity: -4, Flags: adm, Do: s.cmdACLDryRun},
			{Name: "acl|genpass", Arity: -2, Flags: NoScript | Loading | Stale, Do: cmdACLGenPass},
			{Name: "acl|getuser", Arity: 3, Flags: adm, Do: s.cmdACLGetUser},
			{Name: "acl|help", Arity: 2, Flags: Loading | Stale, Do: cmdACLHelp},
			{Name: "acl|list", Arity: 2, Flags: adm, Do: s.cmdACLList},
			{Name: "acl|load", Arity: 2, Flags: adm, Do: s.cmdACLLoad},
			{Name: "acl|log", Arity: -2, Flags: adm, Do: s.cmdACLLog},
			{Name: "acl|save", Arity: 2, Flags: adm, Do: s.cmdACLSave},
			{Name: "acl|setuser", Arity: -3, Flags: adm, Do: s.cmdACLSetUser},
			{Name: "acl|users", Arity: 2, Flags: adm, Do: s.cmdACLUsers},
			{Name: "acl|whoami", Arity: 2, Flags: NoScript | Loading | Stale, Do: cmdACLWhoAmI},
		}},
	}
}

// initACL builds the users: the default user takes requirepass, then the config file's
// user lines or the aclfile define the others, as Redis loads them at startup.
func (s *Server) initACL() error {
	s.acl = acl.NewRegistry(acl.NewModel(s.table))
	s.acl.Model.AllChannels.Store(s.cfg.String("acl-pubsub-default") == "allchannels")
	s.setDefaultPassword(s.cfg.String("requirepass"))
	s.cfg.SetUserLines(func() []string {
		if s.cfg.String("aclfile") != "" {
			return []string{} // the users live in the aclfile: the config file has none
		}
		return s.acl.Lines()
	})
	s.cfg.OnChange(func(name string) {
		switch name {
		case "requirepass":
			s.setDefaultPassword(s.cfg.String("requirepass"))
		case "acl-pubsub-default":
			s.acl.Model.AllChannels.Store(s.cfg.String("acl-pubsub-default") == "allchannels")
		}
	})
	var lines [][]string // redis.conf's user lines, already split (quotes honoured)
	for _, args := range s.cfg.Extra("user") {
		lines = append(lines, append([]string{"user"}, args...))
	}
	source := "redis.conf"
	if file := s.cfg.String("aclfile"); file != "" {
		if len(lines) > 0 {
			return errors.New("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.")
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		lines, source = aclFileLines(data), file
	}
	if len(lines) == 0 {
		return nil
	}
	users, err := s.acl.ParseLines(source, lines)
	if err != nil {
		return err
	}
	if users["default"] == nil { // keep requirepass's password
		users["default"] = s.acl.Default().Load()
	}
	s.acl.Replace(users)
	return nil
}

// setDefaultPassword makes requirepass the default user's only password, or the user
// nopass when it is empty, as CONFIG SET requirepass does in Redis.
func (s *Server) setDefaultPassword(pass string) {
	rules := []string{"nopass"}
	if pass != "" {
		rules = []string{"resetpass", ">" + pass}
	}
	_, _ = s.acl.SetUser("default", rules)
}

// ReadsAllKeys implements command.AllKeysReader for SORT's BY and GET.
func (c *Client) ReadsAllKeys(spec *Spec, args [][]byte) bool {
	return c.user.Load().Load().ReadsAllKeys(spec, args)
}

// authRequired reports whether clients must authenticate: the default user has a
// password or is off.
func (s *Server) authRequired() bool {
	d := s.acl.Default().Load()
	return !d.NoPass || !d.Enabled
}

// authenticate logs the client in as user, or answers WRONGPASS and logs the failure
// (object: the command's name as sent).
func (s *Server) authenticate(c *Ctx, user, pass string) error {
	cl := client(c)
	ref := s.acl.Get(user)
	if ref == nil || !ref.Load().CheckPassword(pass) {
		s.logACL(cl, aclContext(cl), "auth", string(c.Args[0]), user)
		return Err("WRONGPASS invalid username-password pair or user is disabled.")
	}
	cl.user.Store(ref)
	cl.authenticated = true
	return nil
}

// checkACL is the permission check of a user who is not unrestricted, from the
// executor, EXEC or a script: it logs a refused call under the ACL LOG context given
// and returns why it was refused.
func (s *Server) checkACL(cl *Client, context string, u *acl.User, spec *Spec, args [][]byte) acl.Denial {
	d, pos := u.Check(spec, args)
	switch d {
	case acl.DeniedCommand:
		s.logACL(cl, context, "command", spec.Name, u.Name)
	case acl.DeniedKey:
		s.logACL(cl, context, "key", string(args[pos]), u.Name)
	case acl.DeniedChannel:
		s.logACL(cl, context, "channel", string(args[pos]), u.Name)
	}
	return d
}

// aclContext is the ACL LOG context of a client's call: a script's, one queued in a
// transaction, or the top level.
func aclContext(cl *Client) string {
	switch {
	case cl.caller != nil:
		return "lua"
	case cl.multi != nil:
		return "multi"
	}
	return "toplevel"
}

// nopermError is the executor's reply to a refused call.
func nopermError(d acl.Denial, spec *Spec) error {
	switch d {
	case acl.DeniedCommand:
		return Errorf("NOPERM this user has no permissions to run the '%s' command", spec.Name)
	case acl.DeniedKey:
		return Err("NOPERM this user has no permissions to access one of the keys used as arguments")
	}
	return Err("NOPERM this user has no permissions to access one of the channels used as arguments")
}

// execACLError is the error of a queued command that EXEC finds no longer allowed.
func execACLError(d acl.Denial) error {
	reason := "no permission to access one of the channels used as arguments"
	switch d {
	case acl.DeniedCommand:
		reason = "no permission to execute the command or subcommand"
	case acl.DeniedKey:
		reason = "no permission to touch the specified keys"
	}
	return Err("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + reason)
}

// scriptACLError is redis.call's error for a refused call.
func scriptACLError(d acl.Denial) string {
	switch d {
	case acl.DeniedCommand:
		return "ERR The user executing the script can't run this command or subcommand"
	case acl.DeniedKey:
		return "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments"
	}
	return "ERR The user executing the script can't publish to the channel mentioned in the command"
}

// aclLogEntry is one ACL LOG entry; equal denials within a minute share one.
type aclLogEntry struct {
	count                                  int64
	reason, context, object, user, cliInfo string
	updated                                time.Time
}

type aclLog struct {
	mu      sync.Mutex
	entries []*aclLogEntry // newest first
}

// logACL records a denial in the ACL log; a script's denial shows the client that
// runs the script.
func (s *Server) logACL(cl *Client, context, reason, object, user string) {
	info := cl
	if cl.caller != nil {
		info = cl.caller
	}
	s.pubsub.mu.RLock()
	line := info.describe(time.Now(), true)
	s.pubsub.mu.RUnlock()
	now := time.Now()
	l := &s.aclLogState
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, e := range l.entries[:min(len(l.entries), 10)] {
		if e.reason == reason && e.context == context && e.object == object && e.user == user && now.Sub(e.updated) < time.Minute {
			e.count++
			e.updated, e.cliInfo = now, line
			copy(l.entries[1:i+1], l.entries[:i])
			l.entries[0] = e
			return
		}
	}
	e := &aclLogEntry{1, reason, context, strings.Clone(object), strings.Clone(user), line, now}
	l.entries = append([]*aclLogEntry{e}, l.entries...)
	if max := int(s.cfg.Int("acllog-max-len")); len(l.entries) > max {
		l.entries = l.entries[:max]
	}
}

func (s *Server) cmdACLLog(c *Ctx) error {
	n := int64(10)
	if len(c.Args) == 3 {
		if c.Is(2, "reset") {
			s.aclLogState.mu.Lock()
			s.aclLogState.entries = nil
			s.aclLogState.mu.Unlock()
			c.W.OK()
			return nil
		}
		v, ok := ParseInt(c.Args[2])
		if !ok {
			return ErrNotInt
		}
		n = max(v, 0)
	} else if len(c.Args) > 3 {
		return ErrSyntax
	}
	l := &s.aclLogState
	l.mu.Lock()
	defer l.mu.Unlock()
	entries := l.entries[:min(int64(len(l.entries)), n)]
	now := time.Now()
	c.W.Array(len(entries))
	for _, e := range entries {
		c.W.Map(7)
		c.W.BulkString("count")
		c.W.Int(e.count)
		for _, kv := range [][2]string{{"reason", e.reason}, {"context", e.context}, {"object", e.object}, {"username", e.user}} {
			c.W.BulkString(kv[0])
			c.W.BulkString(kv[1])
		}
		c.W.BulkString("age-seconds")
		c.W.Double(float64(now.Sub(e.updated).Milliseconds()) / 1000)
		c.W.BulkString("client-info")
		c.W.BulkString(e.cliInfo)
	}
	return nil
}

func (s *Server) cmdACLSetUser(c *Ctx) error {
	rules, bad, err := acl.MergeSelectors(stringArgs(c.Args[3:]))
	if err != nil {
		return Errorf("ERR Unmatched parenthesis in acl selector starting at '%s'.", bad)
	}
	ref, err := s.acl.SetUser(c.Arg(2), rules)
	if err != nil {
		var re *acl.RuleError
		if errors.As(err, &re) {
			return Errorf("ERR Error in ACL SETUSER modifier '%s': %s", re.Rule, re.Reason)
		}
		return Err(err.Error())
	}
	s.killLostSubscribers(client(c), ref)
	c.W.OK()
	return nil
}

// killLostSubscribers disconnects the clients of a changed user that hold a
// subscription its channel permissions no longer allow, as Redis 7.0 does. Other
// changes (off, passwords) leave its clients connected.
func (s *Server) killLostSubscribers(self *Client, ref *acl.Ref) {
	u := ref.Load()
	var victims []*Client
	s.pubsub.mu.RLock()
	for _, cl := range s.clientsSorted() {
		if cl.user.Load() != ref {
			continue
		}
		lost := false
		for _, k := range []*subKind{kindChannel, kindPattern, kindShard} {
			for name := range k.clientSet(cl) {
				lost = lost || !u.CheckChannel(name, k == kindPattern)
			}
		}
		if lost {
			victims = append(victims, cl)
		}
	}
	s.pubsub.mu.RUnlock()
	for _, cl := range victims {
		s.killClient(cl, self)
	}
}

func stringArgs(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

func (s *Server) cmdACLDelUser(c *Ctx) error {
	names := stringArgs(c.Args[2:])
	for _, n := range names {
		if n == "default" {
			return Err("ERR The 'default' user cannot be removed")
		}
	}
	gone := s.acl.Delete(names...)
	s.killUsersClients(client(c), gone)
	c.W.Int(int64(len(gone)))
	return nil
}

// killUsersClients disconnects the clients authenticated as the users of refs, as Redis
// does when it deletes or reloads users; the calling client closes after its reply.
func (s *Server) killUsersClients(self *Client, refs []*acl.Ref) {
	if len(refs) == 0 {
		return
	}
	var victims []*Client
	s.pubsub.mu.RLock()
	for _, cl := range s.clientsSorted() {
		for _, r := range refs {
			if cl.user.Load() == r {
				victims = append(victims, cl)
			}
		}
	}
	s.pubsub.mu.RUnlock()
	for _, cl := range victims {
		s.killClient(cl, self)
	}
}

func (s *Server) cmdACLGetUser(c *Ctx) error {
	ref := s.acl.Get(c.Arg(2))
	if ref == nil {
		c.W.Null()
		return nil
	}
	u := ref.Load()
	flags, root, sels := u.Describe()
	c.W.Map(6)
	c.W.BulkString("flags")
	c.W.Set(len(flags))
	for _, f := range flags {
		c.W.BulkString(f)
	}
	c.W.BulkString("passwords")
	c.W.Array(len(u.Passwords()))
	for _, p := range u.Passwords() {
		c.W.BulkString(p)
	}
	writeSelector(c, root)
	c.W.BulkString("selectors")
	c.W.Array(len(sels))
	for _, d := range sels {
		c.W.Map(3)
		writeSelector(c, d)
	}
	return nil
}

func writeSelector(c *Ctx, d acl.Description) {
	for _, kv := range [][2]string{{"commands", d.Commands}, {"keys", d.Keys}, {"channels", d.Channels}} {
		c.W.BulkString(kv[0])
		c.W.BulkString(kv[1])
	}
}

func (s *Server) cmdACLList(c *Ctx) error {
	lines := s.acl.Lines()
	c.W.Array(len(lines))
	for _, l := range lines {
		c.W.BulkString(l)
	}
	return nil
}

func (s *Server) cmdACLUsers(c *Ctx) error {
	names := s.acl.Names()
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
	return nil
}

func cmdACLWhoAmI(c *Ctx) error {
	c.W.BulkString(client(c).user.Load().Load().Name)
	return nil
}

func (s *Server) cmdACLCat(c *Ctx) error {
	if len(c.Args) > 3 {
		return ErrSyntax
	}
	if len(c.Args) == 2 {
		names := CategoryList()
		c.W.Array(len(names))
		for _, n := range names {
			c.W.BulkString(n)
		}
		return nil
	}
	cat, ok := acl.CategoryByName(c.Arg(2))
	if !ok {
		return Errorf("ERR Unknown category '%s'", c.Arg(2))
	}
	var names []string
	for _, top := range s.table.Commands() {
		for _, sp := range append([]*Spec{top}, top.Subs...) {
			if sp.Categories()&cat != 0 {
				names = append(names, sp.Name)
			}
		}
	}
	c.W.Array(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
	return nil
}

func cmdACLGenPass(c *Ctx) error {
	bits := int64(256)
	if len(c.Args) == 3 {
		n, ok := ParseInt(c.Args[2])
		if !ok || n <= 0 || n > 4096 {
			return Err("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
		}
		bits = n
	} else if len(c.Args) > 3 {
		return ErrSyntax
	}
	chars := (bits + 3) / 4
	buf := make([]byte, (chars+1)/2)
	_, _ = rand.Read(buf)
	c.W.BulkString(hex.EncodeToString(buf)[:chars])
	return nil
}

func (s *Server) cmdACLDryRun(c *Ctx) error {
	ref := s.acl.Get(c.Arg(2))
	if ref == nil {
		return Errorf("ERR User '%s' not found", c.Arg(2))
	}
	args := c.Args[3:]
	spec, err := s.table.Lookup(args)
	if err != nil {
		if strings.HasPrefix(err.Error(), "ERR wrong number") {
			return err
		}
		return Errorf("ERR Command '%s' not found", c.Arg(3))
	}
	switch d, pos := ref.Load().Check(spec, args); d {
	case acl.DeniedCommand:
		c.W.BulkString("This user has no permissions to run the '" + spec.Name + "' command")
	case acl.DeniedKey:
		c.W.BulkString("This user has no permissions to access the '" + string(args[pos]) + "' key")
	case acl.DeniedChannel:
		c.W.BulkString("This user has no permissions to access the '" + string(args[pos]) + "' channel")
	default:
		c.W.OK()
	}
	return nil
}

func (s *Server) cmdACLSave(c *Ctx) error {
	file := s.cfg.String("aclfile")
	if file == "" {
		return Err(errNoACLFile)
	}
	data := strings.Join(s.acl.Lines(), "\n") + "\n"
	if err := atomicfile.Write(file, []byte(data), "temp-acl-*"); err != nil {
		s.log.warning("Failed to save the ACL file: %v", err)
		return Err("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
	}
	c.W.OK()
	return nil
}

// aclFileLines splits an aclfile into lines of arguments at blanks: Redis 7.0 honours
// no quotes there (it does in redis.conf's user directives).
func aclFileLines(data []byte) [][]string {
	var lines [][]string
	for _, line := range strings.Split(string(data), "\n") {
		lines = append(lines, strings.Fields(line))
	}
	return lines
}

func (s *Server) cmdACLLoad(c *Ctx) error {
	file := s.cfg.String("aclfile")
	if file == "" {
		return Err(errNoACLFile)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return Errorf("ERR Error loading ACLs, opening file '%s': %s", file, err)
	}
	users, err := s.acl.ParseLines(file, aclFileLines(data))
	if err != nil {
		return Err("ERR " + err.Error() + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
	}
	s.killUsersClients(client(c), s.acl.Replace(users))
	c.W.OK()
	return nil
}

func cmdACLHelp(c *Ctx) error {
	ReplyHelp(c.W, "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CAT [<category>]",
		"    List all commands that belong to <category>, or all command categories",
		"    when no category is specified.",
		"DELUSER <username> [<username> ...]",
		"    Delete a list of users.",
		"DRYRUN <username> <command> [<arg> ...]",
		"    Returns whether the user can execute the given command without executing the command.",
		"GETUSER <username>",
		"    Get the user's details.",
		"GENPASS [<bits>]",
		"    Generate a secure 256-bit user password. The optional `bits` argument can",
		"    be used to specify a different size.",
		"LIST",
		"    Show users details in config file format.",
		"LOAD",
		"    Reload users from the ACL file.",
		"LOG [<count> | RESET]",
		"    Show the ACL log entries.",
		"SAVE",
		"    Save the current config to the ACL file.",
		"SETUSER <username> <attribute> [<attribute> ...]",
		"    Create or modify a user with the specified attributes.",
		"USERS",
		"    List all the registered usernames.",
		"WHOAMI",
		"    Return the current connection username.")
	return nil
}
