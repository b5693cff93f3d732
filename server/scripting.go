package server

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/acl"
	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/script"
	"github.com/cinnabar-db/cinnabar/store"
)

// Scripting: EVAL/EVALSHA(_RO), SCRIPT, FCALL(_RO) and FUNCTION.
//
// A script runs atomically: EVAL and FCALL are flagged AllKeys, so the executor holds
// every keyspace shard for the whole run, and the commands the script calls run through
// Server.run on a pseudo-client (the caller's database, NoBlock set, RESP2 or RESP3 as
// redis.setresp chose) without taking locks again. FUNCTION LOAD, DELETE, FLUSH and
// RESTORE also hold every shard, so they never overlap a running function.
//
// While a script runs, the executor answers other clients' commands with -BUSY once it
// has run for busy-reply-threshold milliseconds (see scriptBusy, called from execute);
// commands flagged allow_busy still run, among them SCRIPT KILL and FUNCTION KILL,
// which stop a script that has not written by cancelling its context.
//
// Propagation: a script's effects will reach the AOF and replicas as the write commands
// it called (Redis 7.0 replicates effects, not scripts), wrapped in MULTI/EXEC when
// there is more than one; scriptHost.Call is where each executed write is known, and
// script.Run.ReplFlags carries redis.set_repl's choice of targets.

// scripting is the server's scripting state.
type scripting struct {
	eng     *script.Engine
	running atomic.Pointer[runningScript]
	calls   sync.Pool // *scriptCall
}

// runningScript is the script or function being run now. It is also the run's
// context (script.Run.Ctx): closing stop interrupts the script.
type runningScript struct {
	start    time.Duration // monoNow() when it started: one clock reading, not time.Now's two
	function bool
	name     string
	args     [][]byte // the FCALL call, for FUNCTION STATS
	caller   *Client
	done     chan struct{} // closed when the run has ended
	stop     chan struct{}

	mu      sync.Mutex
	wrote   bool // it ran a write command: it cannot be killed
	killed  bool
	stopped bool // stop is closed
}

func (r *runningScript) Deadline() (time.Time, bool) { return time.Time{}, false }
func (r *runningScript) Done() <-chan struct{}       { return r.stop }
func (r *runningScript) Value(any) any               { return nil }

func (r *runningScript) Err() error {
	select {
	case <-r.stop:
		return context.Canceled
	default:
		return nil
	}
}

func (r *runningScript) elapsed() time.Duration { return monoNow() - r.start }

// interrupt stops the script at its next Lua instruction.
func (r *runningScript) interrupt() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.interruptLocked()
}

func (r *runningScript) interruptLocked() {
	if !r.stopped {
		r.stopped = true
		close(r.stop)
	}
}

// markWrite records that the script is about to run a write command; it fails if the
// script was killed meanwhile.
func (r *runningScript) markWrite() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed {
		return false
	}
	r.wrote = true
	return true
}

// hasWritten reports whether the script ran a write command.
func (r *runningScript) hasWritten() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.wrote
}

// kill stops the script unless it wrote; it reports whether it did.
func (r *runningScript) kill() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wrote {
		return false
	}
	r.killed = true
	r.interruptLocked()
	return true
}

const (
	errBusyScript   = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errBusyFunction = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	errNotBusy      = "NOTBUSY No scripts in execution right now."
	errUnkillable   = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
)

func busyError(function bool) error {
	if function {
		return Err(errBusyFunction)
	}
	return Err(errBusyScript)
}

func (s *Server) busyThreshold() time.Duration {
	return time.Duration(s.cfg.Int("busy-reply-threshold")) * time.Millisecond
}

// scriptBusy is the executor's busy-script check: once a script has run longer than
// busy-reply-threshold, commands not flagged allow_busy get -BUSY. It costs one atomic
// load when no script runs.
func (s *Server) scriptBusy(spec *Spec) error {
	r := s.scripts.running.Load()
	if r == nil || spec.Has(AllowBusy) || r.elapsed() < s.busyThreshold() {
		return nil
	}
	return busyError(r.function)
}

// awaitBusy waits until the running script r has run for busy-reply-threshold or has
// ended, and reports whether it still runs: allow_busy commands about the running
// script (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS) are answered at the moment Redis,
// which serves nobody before the threshold, would answer them.
func (s *Server) awaitBusy(r *runningScript) bool {
	if d := s.busyThreshold() - r.elapsed(); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-r.done:
			return false
		case <-t.C:
		}
	}
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

func (s *Server) scriptingCommands() []*Spec {
	s.scripts = &scripting{eng: script.New(script.Options{RedisVersion: RedisVersion})}
	const evalFlags = NoScript | Stale | SkipMonitor | NoMandatoryKeys | AllKeys
	// A script may do anything with its keys: Redis declares them read-write.
	return []*Spec{
		{Name: "eval", Arity: -3, Flags: evalFlags, Cat: CatScripting, Do: s.cmdEval},
		{Name: "evalsha", Arity: -3, Flags: evalFlags, Cat: CatScripting, Do: s.cmdEval},
		{Name: "eval_ro", Arity: -3, Flags: evalFlags | ReadOnly, Cat: CatScripting, Do: s.cmdEval},
		{Name: "evalsha_ro", Arity: -3, Flags: evalFlags | ReadOnly, Cat: CatScripting, Do: s.cmdEval},
		{Name: "fcall", Arity: -3, Flags: evalFlags, Cat: CatScripting, Do: s.cmdFCall},
		{Name: "fcall_ro", Arity: -3, Flags: evalFlags | ReadOnly, Cat: CatScripting, Do: s.cmdFCall},
		{Name: "script", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "script|load", Arity: 3, Flags: NoScript | Stale, Cat: CatScripting, Do: s.cmdScriptLoad},
			{Name: "script|exists", Arity: -3, Flags: NoScript, Cat: CatScripting, Do: s.cmdScriptExists},
			{Name: "script|flush", Arity: -2, Flags: NoScript, Cat: CatScripting, Do: s.cmdScriptFlush},
			{Name: "script|kill", Arity: 2, Flags: NoScript | AllowBusy, Cat: CatScripting, Do: s.cmdScriptKill},
			{Name: "script|debug", Arity: 3, Flags: NoScript, Cat: CatScripting, Do: cmdScriptDebug},
			{Name: "script|help", Arity: 2, Flags: Loading | Stale, Cat: CatScripting, Do: cmdScriptHelp},
		}},
		{Name: "function", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "function|load", Arity: -3, Flags: Write | DenyOOM | NoScript | AllKeys, Cat: CatScripting, Do: s.cmdFunctionLoad},
			{Name: "function|delete", Arity: 3, Flags: Write | NoScript | AllKeys, Cat: CatScripting, Do: s.cmdFunctionDelete},
			{Name: "function|flush", Arity: -2, Flags: Write | NoScript | AllKeys, Cat: CatScripting, Do: s.cmdFunctionFlush},
			{Name: "function|restore", Arity: -3, Flags: Write | DenyOOM | NoScript | AllKeys, Cat: CatScripting, Do: s.cmdFunctionRestore},
			{Name: "function|dump", Arity: 2, Flags: NoScript, Cat: CatScripting, Do: s.cmdFunctionDump},
			{Name: "function|list", Arity: -2, Flags: NoScript, Cat: CatScripting, Do: s.cmdFunctionList},
			{Name: "function|stats", Arity: 2, Flags: NoScript | AllowBusy, Cat: CatScripting, Do: s.cmdFunctionStats},
			{Name: "function|kill", Arity: 2, Flags: NoScript | AllowBusy, Cat: CatScripting, Do: s.cmdFunctionKill},
			{Name: "function|help", Arity: 2, Flags: Loading | Stale, Cat: CatScripting, Do: cmdFunctionHelp},
		}},
	}
}

// numKeys validates the numkeys argument and splits the keys from the arguments.
func numKeys(c *Ctx, notInt error) (keys, argv [][]byte, err error) {
	n, ok := ParseInt(c.Args[2])
	if !ok {
		return nil, nil, notInt
	}
	if n < 0 {
		return nil, nil, Err("ERR Number of keys can't be negative")
	}
	if n > int64(len(c.Args)-3) {
		return nil, nil, Err("ERR Number of keys can't be greater than number of args")
	}
	return c.Args[3 : 3+n], c.Args[3+n:], nil
}

func scriptErr(err error) error {
	if err == nil {
		return nil
	}
	return Err(err.Error())
}

// cmdEval serves EVAL, EVALSHA, EVAL_RO and EVALSHA_RO.
func (s *Server) cmdEval(c *Ctx) error {
	keys, argv, err := numKeys(c, ErrNotInt)
	if err != nil {
		return err
	}
	eng := s.scripts.eng
	var sc *script.Script
	if strings.HasPrefix(c.Spec.Name, "evalsha") {
		if sc = eng.Lookup(c.Args[1]); sc == nil {
			return Err(script.ErrNoScript)
		}
	} else if sc, err = eng.Load(c.Args[1]); err != nil {
		return scriptErr(err)
	}
	ro := c.Spec.Has(ReadOnly)
	if ro && sc.Shebang && sc.Flags&script.FlagNoWrites == 0 {
		return Err(script.ErrWriteFlagRO)
	}
	noWrites := ro || sc.Flags&script.FlagNoWrites != 0
	return s.runScript(c, false, sc.SHA, keys, argv, noWrites, sc.Flags&script.FlagAllowOOM != 0, func(r *script.Run) error {
		return eng.Eval(sc, r, c.W)
	})
}

// cmdFCall serves FCALL and FCALL_RO.
func (s *Server) cmdFCall(c *Ctx) error {
	eng := s.scripts.eng
	f := eng.Function(c.Arg(1))
	if f == nil {
		return Err(script.ErrFuncNotFound)
	}
	keys, argv, err := numKeys(c, Err("ERR Bad number of keys provided"))
	if err != nil {
		return err
	}
	ro := c.Spec.Has(ReadOnly)
	if ro && f.Flags&script.FlagNoWrites == 0 {
		return Err(script.ErrWriteFlagRO)
	}
	noWrites := ro || f.Flags&script.FlagNoWrites != 0
	return s.runScript(c, true, f.Name, keys, argv, noWrites, f.Flags&script.FlagAllowOOM != 0, func(r *script.Run) error {
		return eng.FCall(f, r, c.W)
	})
}

// runScript runs a script or function for the calling client, publishing it as the
// running script for BUSY replies and the KILL commands.
func (s *Server) runScript(c *Ctx, function bool, name string, keys, argv [][]byte, noWrites, allowOOM bool, exec func(*script.Run) error) error {
	caller := client(c)
	c.PropagateNothing()                                       // its effects propagate, each command it ran, not the script
	s.FeedMonitorsFrom(caller.addr, caller.db, c.Spec, c.Args) // EVAL is skip_monitor: shown before its commands
	rs := &runningScript{start: monoNow(), function: function, name: name, caller: caller,
		done: make(chan struct{}), stop: make(chan struct{})}
	if function { // FUNCTION STATS shows the call from another connection: copy it
		rs.args = make([][]byte, len(c.Args))
		for i, a := range c.Args {
			rs.args[i] = append([]byte(nil), a...)
		}
	}
	call := s.scripts.newCall(s, caller)
	call.run = script.Run{Host: &call.host, Keys: keys, Args: argv, Ctx: rs}
	call.host = scriptHost{s: s, pc: call.pc, rs: rs, run: &call.run, noWrites: noWrites,
		overMemory: caller.overMemory && !allowOOM}
	s.scripts.running.Store(rs)
	select {
	case <-caller.killed: // killed before callerKilled could see rs
		s.stopScriptOf(rs)
	default:
	}
	err := exec(&call.run)
	s.scripts.running.Store(nil)
	close(rs.done)
	// The commands the script ran count in its caller's total_commands_processed.
	caller.count(&caller.stats.commands, call.pc.stats.commands.Swap(0))
	call.run, call.host = script.Run{}, scriptHost{} // keep nothing of this run alive
	call.pc.caller = nil
	call.pc.user.Store(nil)
	s.scripts.calls.Put(call)
	return scriptErr(err)
}

// callerKilled is called when c is killed (CLIENT KILL, SHUTDOWN, output limits): a
// script its command runs is stopped once it has run for busy-reply-threshold, written
// or not, so that the server can exit.
func (s *Server) callerKilled(c *Client) {
	if r := s.scripts.running.Load(); r != nil && r.caller == c {
		s.stopScriptOf(r)
	}
}

func (s *Server) stopScriptOf(r *runningScript) {
	if d := s.busyThreshold() - r.elapsed(); d > 0 {
		time.AfterFunc(d, r.interrupt) // a no-op if the run has ended by then
		return
	}
	r.interrupt()
}

// scriptCall is what a run needs besides its runningScript, pooled with the
// pseudo-client that runs the script's commands.
type scriptCall struct {
	pc   *Client
	host scriptHost
	run  script.Run
}

// newCall returns a scriptCall whose pseudo-client is authenticated, never blocks, is
// in the caller's db and, like the caller, touches keys or not (NO-TOUCH); its
// commands' effects are one unit with the caller's call.
func (sc *scripting) newCall(s *Server, caller *Client) *scriptCall {
	call, _ := sc.calls.Get().(*scriptCall)
	if call == nil {
		call = &scriptCall{pc: newPseudoClient(s, "lua")}
	}
	pc := call.pc
	pc.db = caller.db
	pc.user.Store(caller.user.Load())
	pc.caller = caller
	pc.diag.noTouch.Store(caller.diag.noTouch.Load())
	pc.w.Reset()
	pc.unit = caller.unit
	return call
}

// scriptHost runs redis.call for one script run.
type scriptHost struct {
	s        *Server
	pc       *Client
	rs       *runningScript
	run      *script.Run
	noWrites bool // EVAL_RO, FCALL_RO or a no-writes script
	// overMemory: the call started over maxmemory and the script did not declare
	// allow-oom, so it may not run denyoom commands before it has written.
	overMemory bool
}

func errorReply(msg string) []byte { return []byte("-" + msg + "\r\n") }

// Call implements script.Host: the checks Redis applies to commands called from
// scripts, then the command itself through the executor's run.
func (h *scriptHost) Call(args [][]byte, resp3 bool) []byte {
	s := h.s
	spec, err := s.table.Lookup(args)
	if err != nil {
		if strings.HasPrefix(err.Error(), "ERR wrong number") {
			return errorReply("ERR Wrong number of args calling Redis command from script")
		}
		return errorReply("ERR Unknown Redis command called from script")
	}
	if spec.Has(NoScript) && !s.diag.scriptsRunAnything.Load() {
		return errorReply("ERR This Redis command is not allowed from script")
	}
	if u := h.pc.user.Load().Load(); !u.Unrestricted {
		if d := s.checkACL(h.pc, "lua", u, spec, args); d != acl.Allowed {
			return errorReply(scriptACLError(d))
		}
	}
	if h.noWrites && mayWrite(spec) { // write or may-replicate (PUBLISH, PFCOUNT): pause.go
		return errorReply("ERR Write commands are not allowed from read-only scripts.")
	}
	if h.overMemory && spec.Has(DenyOOM) && !h.rs.hasWritten() {
		return errorReply(resp.ErrOOM)
	}
	if spec.Has(Write) && s.replicaDenied(h.pc.caller, spec) == errReadOnlyReplica {
		return errorReply(errReadOnlyReplica.Error())
	}
	if spec.Has(Write) {
		if !h.rs.markWrite() {
			return errorReply("ERR Script killed by user with SCRIPT KILL...")
		}
	}
	pc := h.pc
	pc.w.Reset()
	pc.w.Proto = 2
	if resp3 {
		pc.w.Proto = 3
	}
	start := monoNow()
	pc.replTargets = replTargets(h.run.ReplFlags)
	err = s.run(pc, spec, args, s.ks.AllShards()) // EVAL holds every shard
	// Statistics and MONITOR, but not the slowlog or latency monitor: those see the
	// EVAL or FCALL as a whole, as in Redis.
	s.countCall(pc, spec, monoNow()-start, err)
	if spec.Flags&(Admin|SkipMonitor) == 0 {
		s.FeedMonitorsFrom("lua", pc.db, spec, args)
	}
	return pc.w.Bytes() // valid until the next call resets pc.w
}

// replTargets maps redis.set_repl's flags onto the write stream's targets.
func replTargets(flags int) Targets {
	var t Targets
	if flags&script.ReplAOF != 0 {
		t |= ToAOF
	}
	if flags&script.ReplReplica != 0 {
		t |= ToReplicas
	}
	return t
}

// CheckCommand implements script.Host for redis.acl_check_cmd. A call with the wrong
// number of arguments is known; only its command is checked, as it has no keys to
// find.
func (h *scriptHost) CheckCommand(args [][]byte) (known, allowed bool) {
	u := h.pc.user.Load().Load()
	spec, err := h.s.table.Lookup(args)
	switch {
	case err == nil:
		d, _ := u.Check(spec, args)
		return true, d == acl.Allowed
	case strings.HasPrefix(err.Error(), "ERR wrong number"):
		spec = h.s.table.Get(strings.ToLower(string(args[0])))
		if len(args) > 1 && len(spec.Subs) > 0 {
			if sub := spec.Sub(string(args[1])); sub != nil {
				spec = sub
			}
		}
		return true, u.CanRun(spec, args)
	}
	return false, false
}

// Log implements script.Host for redis.log.
func (h *scriptHost) Log(level int, msg string) {
	h.s.log.logf(int32(level), "%s", msg)
}

func (s *Server) cmdScriptLoad(c *Ctx) error {
	sc, err := s.scripts.eng.Load(c.Args[2])
	if err != nil {
		return scriptErr(err)
	}
	c.W.BulkString(sc.SHA)
	return nil
}

func (s *Server) cmdScriptExists(c *Ctx) error {
	c.W.Array(len(c.Args) - 2)
	for i := 2; i < len(c.Args); i++ {
		if s.scripts.eng.Lookup(c.Args[i]) != nil {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
	return nil
}

func (s *Server) cmdScriptFlush(c *Ctx) error {
	if len(c.Args) > 3 || (len(c.Args) == 3 && !c.Is(2, "sync") && !c.Is(2, "async")) {
		return Err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
	}
	s.scripts.eng.Flush()
	c.W.OK()
	return nil
}

// cmdScriptKill and cmdFunctionKill stop the running script or function.
func (s *Server) cmdScriptKill(c *Ctx) error { return s.killScript(c, false) }

func (s *Server) cmdFunctionKill(c *Ctx) error { return s.killScript(c, true) }

func (s *Server) killScript(c *Ctx, function bool) error {
	r := s.scripts.running.Load()
	if r == nil || !s.awaitBusy(r) {
		return Err(errNotBusy)
	}
	if r.function != function {
		return busyError(r.function)
	}
	if !r.kill() {
		return Err(errUnkillable)
	}
	c.W.OK()
	return nil
}

func cmdScriptDebug(c *Ctx) error {
	switch {
	case c.Is(2, "no"):
		c.W.OK()
		return nil
	case c.Is(2, "yes"), c.Is(2, "sync"):
		return Err("ERR SCRIPT DEBUG is not supported by this server")
	}
	return Err("ERR Use SCRIPT DEBUG YES/SYNC/NO")
}

func cmdScriptHelp(c *Ctx) error {
	ReplyHelp(c.W, "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.")
	return nil
}

func (s *Server) cmdFunctionLoad(c *Ctx) error {
	replace := false
	i := 2
	for ; i < len(c.Args)-1; i++ {
		if !c.Is(i, "replace") {
			return Errorf("ERR Unknown option given: %s", c.Arg(i))
		}
		replace = true
	}
	name, err := s.scripts.eng.FunctionLoad(string(c.Args[i]), replace)
	if err != nil {
		return scriptErr(err)
	}
	c.ForcePropagation() // the library is data replicas and the AOF keep
	c.W.BulkString(name)
	return nil
}

func (s *Server) cmdFunctionDelete(c *Ctx) error {
	if err := s.scripts.eng.FunctionDelete(c.Arg(2)); err != nil {
		return scriptErr(err)
	}
	c.ForcePropagation()
	c.W.OK()
	return nil
}

func (s *Server) cmdFunctionFlush(c *Ctx) error {
	switch {
	case len(c.Args) > 3:
		return Err("ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION HELP.")
	case len(c.Args) == 3 && !c.Is(2, "sync") && !c.Is(2, "async"):
		return Err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
	}
	s.scripts.eng.FunctionFlush()
	c.ForcePropagation()
	c.W.OK()
	return nil
}

func (s *Server) cmdFunctionRestore(c *Ctx) error {
	policy := script.RestoreAppend
	if len(c.Args) > 4 {
		return Err("ERR unknown subcommand or wrong number of arguments for 'RESTORE'. Try FUNCTION HELP.")
	}
	if len(c.Args) == 4 {
		switch {
		case c.Is(3, "flush"):
			policy = script.RestoreFlush
		case c.Is(3, "append"):
			policy = script.RestoreAppend
		case c.Is(3, "replace"):
			policy = script.RestoreReplace
		default:
			return Err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
		}
	}
	if err := s.scripts.eng.FunctionRestore(c.Args[2], policy); err != nil {
		return scriptErr(err)
	}
	c.ForcePropagation()
	c.W.OK()
	return nil
}

func (s *Server) cmdFunctionDump(c *Ctx) error {
	c.W.Bulk(s.scripts.eng.FunctionDump(s.cfg.Bool("rdbcompression")))
	return nil
}

func (s *Server) cmdFunctionList(c *Ctx) error {
	withCode, pattern, named := false, "", false
	for i := 2; i < len(c.Args); i++ {
		switch {
		case c.Is(i, "withcode") && !withCode:
			withCode = true
		case c.Is(i, "libraryname") && !named:
			if i+1 >= len(c.Args) {
				return Err("ERR library name argument was not given")
			}
			pattern, named = c.Arg(i+1), true
			i++
		default:
			return Errorf("ERR Unknown argument %s", c.Arg(i))
		}
	}
	libs := s.scripts.eng.FunctionList(pattern)
	if named && pattern == "" {
		libs = nil
	}
	w := c.W
	w.Array(len(libs))
	for _, lib := range libs {
		n := 3
		if withCode {
			n = 4
		}
		w.Map(n)
		w.BulkString("library_name")
		w.BulkString(lib.Name)
		w.BulkString("engine")
		w.BulkString("LUA")
		w.BulkString("functions")
		w.Array(len(lib.Funcs))
		for _, f := range lib.Funcs {
			w.Map(3)
			w.BulkString("name")
			w.BulkString(f.Name)
			w.BulkString("description")
			if f.HasDesc {
				w.BulkString(f.Description)
			} else {
				w.Null()
			}
			w.BulkString("flags")
			flags := f.Flags.Names()
			w.SimpleSet(flags)
		}
		if withCode {
			w.BulkString("library_code")
			w.BulkString(lib.Code)
		}
	}
	return nil
}

func (s *Server) cmdFunctionStats(c *Ctx) error {
	r := s.scripts.running.Load()
	if r != nil && s.awaitBusy(r) && !r.function {
		return busyError(false)
	}
	if r != nil {
		select {
		case <-r.done:
			r = nil
		default:
		}
	}
	w := c.W
	w.Map(2)
	w.BulkString("running_script")
	if r == nil {
		w.Null()
	} else {
		w.Map(3)
		w.BulkString("name")
		w.BulkString(r.name)
		w.BulkString("command")
		w.Array(len(r.args))
		for _, a := range r.args {
			w.Bulk(a)
		}
		w.BulkString("duration_ms")
		w.Int(r.elapsed().Milliseconds())
	}
	libs, funcs := s.scripts.eng.FunctionCounts()
	w.BulkString("engines")
	w.Map(1)
	w.BulkString("LUA")
	w.Map(2)
	w.BulkString("libraries_count")
	w.Int(int64(libs))
	w.BulkString("functions_count")
	w.Int(int64(funcs))
	return nil
}

func cmdFunctionHelp(c *Ctx) error {
	ReplyHelp(c.W, "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).")
	return nil
}

// scriptMemory is what INFO memory and MEMORY STATS report about scripting.
type scriptMemory struct {
	cachedScripts, functions, libraries int
	// evalCache (used_memory_scripts_eval, lua.caches) and functionsCache
	// (used_memory_functions, functions.caches) are the scripts' and libraries' own
	// structures in Redis 7.0's accounting; vmEval and vmFunctions are the Lua states.
	evalCache, functionsCache int
	vmEval, vmFunctions       int
}

// Redis 7.0's accounting of scripting structures, as the reference reports them: a
// cached script costs its SHA and body strings, a dict entry and an object header, and
// the scripts' dict its buckets; the function engine starts at 200 bytes, and adds the
// buckets of its libraries' dict, each library's name and code strings and the buckets
// of its functions' dict, and each function 80 bytes and its name and description.
const (
	scriptEntryCost   = 24 + 16 // dict entry and object header
	shaStringLen      = 40
	functionsBaseCost = 200
	functionCost      = 80
)

func (s *Server) scriptMemory() scriptMemory {
	eng := s.scripts.eng
	bodies, states := eng.EvalMemory()
	m := scriptMemory{cachedScripts: len(bodies), vmEval: states * script.StateMemory, vmFunctions: script.StateMemory,
		functionsCache: functionsBaseCost}
	for _, n := range bodies {
		m.evalCache += scriptEntryCost + store.StringAllocSize(shaStringLen) + store.StringAllocSize(n)
	}
	m.evalCache += store.DictBucketsSize(len(bodies))
	libs := eng.FunctionList("")
	m.functionsCache += store.DictBucketsSize(len(libs))
	for _, lib := range libs {
		m.libraries++
		m.functionsCache += store.StringAllocSize(len(lib.Name)) + store.StringAllocSize(len(lib.Code)) +
			store.DictBucketsSize(len(lib.Funcs))
		for _, f := range lib.Funcs {
			m.functions++
			m.functionsCache += functionCost + store.StringAllocSize(len(f.Name))
			if f.HasDesc {
				m.functionsCache += store.StringAllocSize(len(f.Description))
			}
		}
	}
	return m
}
