package script

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/cinnabar-db/cinnabar/resp"
)

// Error is an error reply produced by a script or by loading one; its text starts with
// the error code ("ERR ...", "NOSCRIPT ...").
type Error string

func (e Error) Error() string { return string(e) }

// Common errors.
const (
	ErrNoScript      Error = "NOSCRIPT No matching script. Please use EVAL."
	ErrWriteFlagRO   Error = "ERR Can not execute a script with write flag using *_ro command."
	ErrFuncNotFound  Error = "ERR Function not found"
	killedMessage          = "ERR Script killed by user with SCRIPT KILL..."
	loadTimeoutError       = "ERR FUNCTION LOAD timeout"
)

// Host is what a running script needs from the server.
type Host interface {
	// Call runs one command for redis.call / redis.pcall and returns its reply in RESP
	// (RESP3 when resp3 is set), error replies included. The host applies the rules
	// for commands called from scripts (unknown commands, noscript, read-only scripts).
	// args are the engine's buffers, valid only until Call returns (the host copies
	// what it keeps, as it does with a connection's read buffer); the reply needs to
	// stay valid only until the next Call.
	Call(args [][]byte, resp3 bool) []byte
	// CheckCommand reports whether args name a command and whether the script's user
	// may run that call (redis.acl_check_cmd).
	CheckCommand(args [][]byte) (known, allowed bool)
	// Log writes a redis.log line; level is 0 (debug) to 3 (warning).
	Log(level int, msg string)
}

// Run is one execution of a script or function.
type Run struct {
	Host       Host
	Keys, Args [][]byte
	// Ctx stops the script when cancelled (SCRIPT KILL, FUNCTION KILL); nil means never.
	Ctx context.Context
	// ReplFlags is what redis.set_repl last set (REPL_ALL by default); the propagation
	// of the script's effects will read it.
	ReplFlags int
}

// runState is what the redis.* functions see during a run.
type runState struct {
	*Run
	name    string // the SHA or the function name, for error messages
	resp3   bool   // redis.setresp(3)
	loading bool   // running a library's top level (FUNCTION LOAD)
}

// Options configure an engine.
type Options struct {
	// RedisVersion is what redis.REDIS_VERSION reports ("7.0.15").
	RedisVersion string
}

// Engine runs Lua scripts and functions. Runs are serialized by the caller (the server
// runs every script with all keyspace shards locked); the engine's own locks only guard
// its caches against the commands that do not take those locks (SCRIPT LOAD, EXISTS,
// FUNCTION LIST, ...).
type Engine struct {
	opts       Options
	versionNum int
	rand       *prng
	cjson      *cjsonConfig

	mu         sync.Mutex
	scripts    map[string]*Script
	pool       []*sandbox
	evalStates int // EVAL's Lua states, pooled or running

	fmu   sync.RWMutex
	funcs *functionSet
}

// New returns an engine with empty caches.
func New(opts Options) *Engine {
	if opts.RedisVersion == "" {
		opts.RedisVersion = "7.0.15"
	}
	e := &Engine{opts: opts, rand: newPRNG(), cjson: newCJSONConfig(), scripts: map[string]*Script{}}
	e.versionNum = versionNumber(opts.RedisVersion)
	e.funcs = e.newFunctionSet()
	return e
}

func versionNumber(v string) int {
	var a, b, c int
	_, _ = fmt.Sscanf(v, "%d.%d.%d", &a, &b, &c)
	return a<<16 | b<<8 | c
}

// Flags are the script flags a shebang line declares.
type Flags uint8

// Script and function flags, as shebangs and redis.register_function name them.
const (
	FlagNoWrites Flags = 1 << iota
	FlagAllowOOM
	FlagAllowStale
	FlagNoCluster
	FlagAllowCrossSlot
)

var flagNames = []struct {
	name string
	flag Flags
}{
	{"no-writes", FlagNoWrites}, {"allow-oom", FlagAllowOOM}, {"allow-stale", FlagAllowStale},
	{"no-cluster", FlagNoCluster}, {"allow-cross-slot-keys", FlagAllowCrossSlot},
}

func parseFlag(name string) (Flags, bool) {
	for _, f := range flagNames {
		if f.name == name {
			return f.flag, true
		}
	}
	return 0, false
}

// Names lists the flags as FUNCTION LIST shows them.
func (f Flags) Names() []string {
	var out []string
	for _, n := range flagNames {
		if f&n.flag != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// Script is a compiled EVAL script.
type Script struct {
	SHA     string
	Body    string
	Flags   Flags
	Shebang bool // declared with "#!lua": its flags replace the legacy defaults
	proto   *lua.FunctionProto
	// setsGlobal: some function of the script assigns a global, so it runs in the
	// protected environment (see sandbox.go) to get Redis's error.
	setsGlobal bool
}

// SHA1Hex returns the lower-case hex SHA1 of b, as EVALSHA names scripts.
func SHA1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// Load compiles body (unless cached) and caches it: EVAL and SCRIPT LOAD.
func (e *Engine) Load(body []byte) (*Script, error) {
	sha := SHA1Hex(body)
	e.mu.Lock()
	sc := e.scripts[sha]
	e.mu.Unlock()
	if sc != nil {
		return sc, nil
	}
	flags, shebang, code, err := parseScriptShebang(string(body))
	if err != nil {
		return nil, err
	}
	proto, err := compile(code, chunkScript)
	if err != nil {
		return nil, Error("ERR Error compiling script (new function): " + err.Error())
	}
	sc = &Script{SHA: sha, Body: string(body), Flags: flags, Shebang: shebang, proto: proto,
		setsGlobal: setsGlobal(proto)}
	e.mu.Lock()
	if old := e.scripts[sha]; old != nil {
		sc = old
	} else {
		e.scripts[sha] = sc
	}
	e.mu.Unlock()
	return sc, nil
}

// Lookup returns the cached script with this SHA (any case), or nil.
func (e *Engine) Lookup(sha []byte) *Script {
	if len(sha) != 40 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if sc := e.scripts[string(sha)]; sc != nil { // lower case, as SCRIPT LOAD returns it
		return sc
	}
	return e.scripts[strings.ToLower(string(sha))]
}

// Flush empties the script cache (SCRIPT FLUSH) and drops the idle Lua states.
func (e *Engine) Flush() {
	e.mu.Lock()
	e.scripts = map[string]*Script{}
	pool := e.pool
	e.pool = nil
	e.evalStates -= len(pool)
	e.mu.Unlock()
	for _, sb := range pool {
		sb.L.Close()
	}
}

// ShebangFlags reads the flags an EVAL script's shebang declares, without compiling the
// script; shebang is false for a script without a valid one.
func ShebangFlags(body []byte) (flags Flags, shebang bool) {
	flags, shebang, _, err := parseScriptShebang(string(body))
	return flags, shebang && err == nil
}

// StateMemory approximates the heap one Lua state takes (TestStateMemory measures it):
// Go's collector owns the interpreters' memory, so INFO's used_memory_vm_* figures are
// this times the number of states.
const StateMemory = 288 << 10

// EvalMemory reports, for INFO memory, the body lengths of the cached scripts and the
// number of Lua states EVAL holds.
func (e *Engine) EvalMemory() (bodyLens []int, states int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	bodyLens = make([]int, 0, len(e.scripts))
	for _, sc := range e.scripts {
		bodyLens = append(bodyLens, len(sc.Body))
	}
	return bodyLens, e.evalStates
}

// parseScriptShebang reads an EVAL script's "#!lua flags=..." line. It returns the code
// to compile: the shebang line is blanked so that line numbers stay those of the body.
func parseScriptShebang(body string) (Flags, bool, string, error) {
	if !strings.HasPrefix(body, "#!") {
		return 0, false, body, nil
	}
	nl := strings.IndexByte(body, '\n')
	if nl < 0 {
		return 0, false, "", Error("ERR Invalid script shebang")
	}
	parts := strings.Fields(body[:nl])
	if len(parts) == 0 || parts[0] != "#!lua" {
		first := "#!"
		if len(parts) > 0 {
			first = parts[0]
		}
		return 0, false, "", Error("ERR Unexpected engine in script shebang: " + first)
	}
	var flags Flags
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, false, "", Error("ERR Unknown lua shebang option: " + p)
		}
		if list == "" {
			continue
		}
		for _, name := range strings.Split(list, ",") {
			f, ok := parseFlag(name)
			if !ok {
				return 0, false, "", Error("ERR Unexpected flag in script shebang: " + name)
			}
			flags |= f
		}
	}
	return flags, true, body[nl:], nil
}

// compile parses and compiles Lua source under a chunk name.
func compile(code, chunk string) (*lua.FunctionProto, error) {
	tree, err := parse.Parse(strings.NewReader(code), chunk)
	if err != nil {
		return nil, errors.New(parseErrorText(err, code, chunk))
	}
	proto, err := lua.Compile(tree, chunk)
	if err != nil {
		return nil, errors.New(chunk + ": " + err.Error())
	}
	// A chunk cannot name Lua 5.0's implicit "arg" table (the name is a global there,
	// as in Redis), so skip building it on every call.
	proto.IsVarArg &^= lua.VarArgNeedsArg
	return proto, nil
}

// setsGlobal reports whether proto or a function nested in it has a SETGLOBAL
// instruction.
func setsGlobal(proto *lua.FunctionProto) bool {
	for _, inst := range proto.Code {
		if int(inst>>26) == lua.OP_SETGLOBAL {
			return true
		}
	}
	for _, p := range proto.FunctionPrototypes {
		if setsGlobal(p) {
			return true
		}
	}
	return false
}

// parseErrorText renders gopher-lua's syntax errors the way Lua 5.1 shapes them:
// "user_script:1: unexpected symbol near 'x'".
func parseErrorText(err error, code, chunk string) string {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return chunk + ": " + strings.TrimSpace(err.Error())
	}
	msg := pe.Message
	if msg == "syntax error" || msg == "parse error" {
		msg = "unexpected symbol"
	}
	line, tok := pe.Pos.Line, pe.Token
	if line == parse.EOF || line <= 0 {
		line, tok = strings.Count(code, "\n")+1, "<eof>"
	}
	if tok == "" {
		return fmt.Sprintf("%s:%d: %s", chunk, line, msg)
	}
	return fmt.Sprintf("%s:%d: %s near '%s'", chunk, line, msg, tok)
}

// acquire takes an idle EVAL state from the pool or builds one.
func (e *Engine) acquire() *sandbox {
	e.mu.Lock()
	if n := len(e.pool); n > 0 {
		sb := e.pool[n-1]
		e.pool = e.pool[:n-1]
		e.mu.Unlock()
		return sb
	}
	e.evalStates++ // counted now, built outside the lock
	e.mu.Unlock()
	return newSandbox(e, false)
}

// closeState drops an EVAL state.
func (e *Engine) closeState(sb *sandbox) {
	sb.L.Close()
	e.mu.Lock()
	e.evalStates--
	e.mu.Unlock()
}

// release returns a state to the pool after clearing the run's traces; a state whose
// protected tables were tampered with is closed instead. Small KEYS and ARGV are left
// for the next run to refill (see argTables).
func (e *Engine) release(sb *sandbox) {
	sb.run = nil
	sb.evalRun = runState{}
	sb.L.SetTop(0)
	if sb.argBytes > maxIdleArgBytes {
		sb.setArgs(lua.LNil, lua.LNil)
		sb.keys, sb.argv = nil, nil
	}
	if sb.broken || !sb.clean() {
		e.closeState(sb)
		return
	}
	e.mu.Lock()
	if len(e.pool) < 4 {
		e.pool = append(e.pool, sb)
		sb = nil
	}
	e.mu.Unlock()
	if sb != nil {
		e.closeState(sb)
	}
}

// Eval runs a script and writes its result to w, or returns its error reply.
func (e *Engine) Eval(sc *Script, r *Run, w *resp.Writer) error {
	sb := e.acquire()
	defer e.release(sb)
	st := &sb.evalRun
	*st = runState{Run: r, name: sc.SHA}
	sb.argTables(r.Keys, r.Args)
	return sb.execute(st, sb.function(sc), w)
}

// argTables fills KEYS and ARGV for a run. The last run's tables are refilled when
// the script left them plain arrays (no other key, no metatable), which saves building
// them and setting them in the environments: no table of an EVAL run outlives it
// (globals and libraries are read-only and the state keeps no Lua closure), so no
// script can see a refilled table change.
func (sb *sandbox) argTables(keys, args [][]byte) {
	s, n := joinStrings(keys, args)
	kt, s := stringArray(sb.L, sb.keys, keys, s)
	at, _ := stringArray(sb.L, sb.argv, args, s)
	if kt != sb.keys || at != sb.argv {
		sb.setArgs(kt, at)
		sb.keys, sb.argv = kt, at
	}
	sb.argBytes = n
}

// setArgs sets KEYS and ARGV in both environments.
func (sb *sandbox) setArgs(keys, args lua.LValue) {
	for _, env := range []*lua.LTable{sb.globals, sb.fastEnv} {
		env.RawSetString("KEYS", keys)
		env.RawSetString("ARGV", args)
	}
}

// function returns the closure that runs sc in this state. A script's main chunk has
// no upvalues and nothing in the sandbox can change a closure's environment (setfenv
// is gone), so the closure of the last script run is kept for the next run, which is
// usually the same script.
func (sb *sandbox) function(sc *Script) *lua.LFunction {
	if sb.lastFn == nil || sb.lastFn.Proto != sc.proto {
		sb.lastFn = sb.L.NewFunctionFromProto(sc.proto)
		sb.lastFn.Env = sb.fastEnv
		if sc.setsGlobal {
			sb.lastFn.Env = sb.env
		}
	}
	return sb.lastFn
}

// execute calls fn with args under the run's context and writes its result to w.
func (sb *sandbox) execute(st *runState, fn *lua.LFunction, w *resp.Writer, args ...lua.LValue) error {
	L := sb.L
	sb.run = st
	if st.Ctx == nil {
		st.Ctx = context.Background()
	}
	if st.ReplFlags == 0 {
		st.ReplFlags = ReplAll
	}
	L.SetContext(st.Ctx)
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	sb.handled = false
	err := L.PCall(len(args), 1, sb.handler)
	L.RemoveContext()
	if err != nil {
		if !sb.handled {
			// The handler could not run (the Lua call stack overflowed): the state may
			// be unusable, so it is not reused.
			sb.broken = true
			return Error("ERR " + strings.TrimPrefix(errorObjectText(err), "ERR "))
		}
		return Error(errorObjectText(err))
	}
	ret := L.Get(-1)
	L.Pop(1)
	if t, ok := ret.(*lua.LTable); ok {
		if e, ok := t.RawGetString("err").(lua.LString); ok {
			return Error(string(e))
		}
	}
	rw := replyWriter{w: w, resp3: st.resp3}
	rw.write(ret, 0)
	return nil
}

func errorObjectText(err error) string {
	var aerr *lua.ApiError
	if errors.As(err, &aerr) {
		if s, ok := aerr.Object.(lua.LString); ok {
			return string(s)
		}
		return "ERR " + aerr.Object.String()
	}
	return "ERR " + err.Error()
}

// errorHandler turns the error object of a failed run into Redis's message: the error
// text (an {err=...} table's field, or "ERR " and the message) followed by
// " script: <name>, on <source>:<line>." for the Lua line where it was raised.
func (sb *sandbox) errorHandler(L *lua.LState) int {
	sb.handled = true
	st := sb.run
	obj := L.Get(1)
	interrupted := st != nil && st.Ctx != nil && st.Ctx.Err() != nil
	var msg string
	switch {
	case interrupted && st.loading:
		L.Push(lua.LString(loadTimeoutError))
		return 1
	case interrupted:
		msg = killedMessage
	default:
		msg = errorText(L, obj)
	}
	if st == nil || st.loading {
		L.Push(lua.LString(msg))
		return 1
	}
	level := 1
	dbg, ok := L.GetStack(level)
	if ok {
		_, _ = L.GetInfo("Sl", dbg, lua.LNil)
		if dbg.CurrentLine < 0 {
			level = 2
			if dbg, ok = L.GetStack(level); ok {
				_, _ = L.GetInfo("Sl", dbg, lua.LNil)
			}
		}
	}
	if ok && dbg.CurrentLine >= 0 {
		source := dbg.Source
		if source == chunkScript || source == chunkFunction {
			source = "@" + source
		}
		msg = fmt.Sprintf("%s script: %s, on %s:%d.", msg, st.name, source, dbg.CurrentLine)
	}
	L.Push(lua.LString(msg))
	return 1
}

// errorText is the reply text for an error object: an {err=...} table gives its field,
// anything else "ERR " and the value as text.
func errorText(L *lua.LState, obj lua.LValue) string {
	switch x := obj.(type) {
	case *lua.LTable:
		if e, ok := x.RawGetString("err").(lua.LString); ok {
			return string(e)
		}
	case lua.LString:
		return "ERR " + fixArgErrors(string(x))
	}
	return "ERR " + toStringMeta(L, obj)
}

// maxIdleArgBytes is the size of the KEYS and ARGV strings an idle state may keep.
const maxIdleArgBytes = 64 << 10

// joinStrings concatenates the items of KEYS and ARGV into one string of n bytes, so
// that their Lua strings share one allocation.
func joinStrings(keys, args [][]byte) (s string, n int) {
	for _, b := range keys {
		n += len(b)
	}
	for _, b := range args {
		n += len(b)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, b := range keys {
		sb.Write(b)
	}
	for _, b := range args {
		sb.Write(b)
	}
	return sb.String(), n
}

// stringArray fills t, or a new table unless t is a plain array, with the items, which
// are the first bytes of s; it returns the table and the rest of s.
func stringArray(L *lua.LState, t *lua.LTable, items [][]byte, s string) (*lua.LTable, string) {
	if t == nil || !plainArray(t) {
		t = L.CreateTable(len(items), 0)
	}
	old := t.MaxN()
	for i, b := range items {
		t.RawSetInt(i+1, lua.LString(s[:len(b)]))
		s = s[len(b):]
	}
	for i := len(items) + 1; i <= old; i++ {
		t.RawSetInt(i, lua.LNil)
	}
	return t, s
}

// plainArray reports whether t has no metatable and no key beyond its array items.
func plainArray(t *lua.LTable) bool {
	if t.Metatable != lua.LNil {
		return false
	}
	var last lua.LValue = lua.LNil
	if n := t.MaxN(); n > 0 {
		last = intValue(int64(n))
	}
	k, _ := t.Next(last)
	return k == lua.LNil
}
