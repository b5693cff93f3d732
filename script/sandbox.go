package script

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The sandbox: a gopher-lua state prepared as Redis 7.0 prepares its interpreter.
//
// Redis marks its global table and library tables read-only inside the VM. gopher-lua
// has no such flag, so every protected table is reached through an empty proxy:
//
//	script env ──► proxy {} ──metatable──► __index    = real table
//	                                       __newindex = "Attempt to modify a readonly table"
//	                                       __metatable = a read-only placeholder
//
// For the globals, the real table itself has an __index that raises "Script attempted
// to access nonexistent global variable". Reads of existing names cost two table
// lookups and no Go call. The functions that could write through or around a proxy
// (rawset, setmetatable, table.insert/remove/sort) refuse proxies, and those that read
// raw (rawget, next, pairs, ipairs) see the real table behind it without handing it
// out. A state whose proxies were written to anyway is not reused.
//
// An EVAL script whose code never assigns a global (no SETGLOBAL instruction in any of
// its functions, the usual case) runs in the fast environment instead: a copy of the
// real globals, so that reading a global costs one lookup. No
// script can reach that table (getfenv and setfenv are gone, _G is the proxy, and
// loadstring compiles into the proxy environment), so nothing can write to it.

const (
	errReadonly      = "Attempt to modify a readonly table"
	chunkScript      = "user_script"
	chunkFunction    = "user_function"
	maxUnpackResults = 8000
)

type sandbox struct {
	L       *lua.LState
	eng     *Engine
	globals *lua.LTable // the real globals
	env     *lua.LTable // their read-only proxy: the environment scripts run in
	redis   *lua.LTable // the real redis table
	proxies map[*lua.LTable]*lua.LTable
	// fastEnv is the fast environment of EVAL scripts that assign no global; nil in
	// the state of functions.
	fastEnv *lua.LTable
	// fixed lists the proxies made when the state was built, for the check between runs.
	fixed   []*lua.LTable
	ph      *lua.LTable // the shared metatable placeholder
	run     *runState   // the run in progress, nil between runs
	handler *lua.LFunction
	handled bool // the error handler ran for the last failed run
	broken  bool // a run failed in a way that may have left the state inconsistent
	// keys and argv are the last EVAL run's KEYS and ARGV (see argTables), argBytes
	// the size of their strings.
	keys, argv *lua.LTable
	argBytes   int
	// lastFn is the closure of the last EVAL script run here (see function).
	lastFn *lua.LFunction
	// args is redis.call's reusable argument vector (see takeArgs).
	args *argVector
	// evalRun is the run state of an EVAL on this pooled state, reused from run to run
	// (release clears it).
	evalRun runState
}

// libOpeners are the standard libraries Redis loads (no io, os, package or debug).
var libOpeners = []struct {
	name string
	open lua.LGFunction
}{
	{lua.BaseLibName, lua.OpenBase},
	{lua.TabLibName, lua.OpenTable},
	{lua.StringLibName, lua.OpenString},
	{lua.MathLibName, lua.OpenMath},
	{lua.CoroutineLibName, lua.OpenCoroutine},
}

// removedGlobals are what gopher-lua's base library has and Redis's sandbox does not.
var removedGlobals = []string{"dofile", "loadfile", "print", "module", "require", "getfenv",
	"setfenv", "newproxy", "_printregs", "_GOPHER_LUA_VERSION"}

func newLState() *lua.LState {
	return lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       20000, // LUAI_MAXCALLS
		RegistrySize:        1024 * 8,
		RegistryMaxSize:     1024 * 1024,
		MinimizeStackMemory: true,
	})
}

// newSandbox builds a state. forFunctions selects the environment of FUNCTION
// libraries (no KEYS/ARGV, no redis.breakpoint/debug/replicate_commands).
func newSandbox(e *Engine, forFunctions bool) *sandbox {
	L := newLState()
	sb := &sandbox{L: L, eng: e, proxies: map[*lua.LTable]*lua.LTable{}}
	for _, lib := range libOpeners {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	sb.globals = g
	for _, name := range removedGlobals {
		g.RawSetString(name, lua.LNil)
	}
	sb.patchBase(g)
	sb.patchLibs(g)
	g.RawSetString("cjson", e.cjsonModule(L))
	g.RawSetString("cmsgpack", openCmsgpack(L))
	g.RawSetString("bit", openBit(L))
	g.RawSetString("struct", openStruct(L))
	sb.redis = sb.redisTable(forFunctions)
	g.RawSetString("redis", sb.redis)
	if !forFunctions {
		g.RawSetString("__redis__err__handler", L.NewFunction(func(L *lua.LState) int { return 1 }))
	}

	// Protect the library tables, then the globals themselves.
	for _, name := range []string{"string", "table", "math", "coroutine", "cjson", "cmsgpack", "bit", "struct", "redis"} {
		if t, ok := g.RawGetString(name).(*lua.LTable); ok {
			g.RawSetString(name, sb.protect(t))
		}
	}
	sb.protectStrings(g)
	g.Metatable = sb.missingGlobalMeta()
	sb.env = sb.protect(g)
	g.RawSetString("_G", sb.env)
	L.Env = sb.env
	if !forFunctions {
		sb.fastEnv = L.NewTable()
		g.ForEach(func(k, v lua.LValue) { sb.fastEnv.RawSet(k, v) })
		// The proxy's metatable: a missing name is looked up in the real globals,
		// which raise the missing-global error.
		sb.fastEnv.Metatable = sb.env.Metatable
	}
	sb.handler = L.NewFunction(sb.errorHandler)
	for p := range sb.proxies {
		sb.fixed = append(sb.fixed, p)
	}
	return sb
}

// protect returns a read-only proxy of t.
func (sb *sandbox) protect(t *lua.LTable) *lua.LTable {
	L := sb.L
	proxy := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(raiseReadonly))
	mt.RawSetString("__metatable", sb.placeholder())
	proxy.Metatable = mt
	sb.proxies[proxy] = t
	return proxy
}

// placeholder is what getmetatable returns for a protected table: an empty table that
// cannot be written to (one per state).
func (sb *sandbox) placeholder() *lua.LTable {
	if sb.ph != nil {
		return sb.ph
	}
	L := sb.L
	ph := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__newindex", L.NewFunction(raiseReadonly))
	mt.RawSetString("__metatable", lua.LFalse)
	ph.Metatable = mt
	sb.proxies[ph] = L.NewTable()
	sb.ph = ph
	return ph
}

func raiseReadonly(L *lua.LState) int {
	L.RaiseError(errReadonly)
	return 0
}

// missingGlobalMeta makes reading an undefined global an error.
func (sb *sandbox) missingGlobalMeta() *lua.LTable {
	mt := sb.L.NewTable()
	mt.RawSetString("__index", sb.L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(L.Get(2)))
		return 0
	}))
	return mt
}

// protectStrings gives strings a metatable of their own whose __index is the protected
// string library; gopher-lua uses the library table itself as the metatable.
func (sb *sandbox) protectStrings(g *lua.LTable) {
	L := sb.L
	realString := sb.proxies[g.RawGetString("string").(*lua.LTable)]
	realString.RawSetString("__index", lua.LNil)
	mt := L.NewTable()
	mt.RawSetString("__index", g.RawGetString("string"))
	view := L.NewTable()
	vmt := L.NewTable()
	vmt.RawSetString("__index", mt)
	vmt.RawSetString("__newindex", L.NewFunction(raiseReadonly))
	vmt.RawSetString("__metatable", lua.LFalse)
	view.Metatable = vmt
	sb.proxies[view] = mt
	mt.RawSetString("__metatable", view)
	L.SetMetatable(lua.LString(""), mt)
}

// real returns the table behind a proxy, or t itself.
func (sb *sandbox) real(t *lua.LTable) *lua.LTable {
	if r, ok := sb.proxies[t]; ok {
		return r
	}
	return t
}

// clean reports whether no proxy was written to (through rawset-like paths that the
// sandbox cannot intercept), so the state can serve another run.
func (sb *sandbox) clean() bool {
	for _, p := range sb.fixed {
		if k, _ := p.Next(lua.LNil); k != lua.LNil {
			return false
		}
	}
	return true
}

func (sb *sandbox) patchBase(g *lua.LTable) {
	L := sb.L
	set := func(name string, fn lua.LGFunction) { g.RawSetString(name, L.NewFunction(fn)) }
	next := L.NewFunction(sb.next)
	g.RawSetString("next", next)
	// pairs and ipairs return the table they were given, as Lua's do: next and the
	// iterator look behind a proxy themselves, and the real table stays out of reach.
	g.RawSetString("pairs", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		L.Push(next)
		L.Push(t)
		L.Push(lua.LNil)
		return 3
	}))
	ipairsIter := L.NewFunction(func(L *lua.LState) int {
		t := sb.real(L.CheckTable(1))
		i := L.CheckInt(2) + 1
		v := t.RawGetInt(i)
		if v == lua.LNil {
			return 0
		}
		L.Push(lua.LNumber(i))
		L.Push(v)
		return 2
	})
	g.RawSetString("ipairs", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		L.Push(ipairsIter)
		L.Push(t)
		L.Push(lua.LNumber(0))
		return 3
	}))
	set("rawget", func(L *lua.LState) int {
		t := L.CheckTable(1)
		L.Push(sb.real(t).RawGet(L.CheckAny(2)))
		return 1
	})
	set("rawset", func(L *lua.LState) int {
		t := L.CheckTable(1)
		k, v := L.CheckAny(2), L.CheckAny(3)
		if _, ok := sb.proxies[t]; ok {
			L.Error(lua.LString(errReadonly), 0)
		}
		if k == lua.LNil {
			L.RaiseError("table index is nil")
		}
		t.RawSet(k, v)
		L.SetTop(1)
		return 1
	})
	set("setmetatable", func(L *lua.LState) int {
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			typeError(L, 1, "setmetatable", "table")
		}
		mt := L.Get(2)
		if mt != lua.LNil && mt.Type() != lua.LTTable {
			argError(L, 2, "setmetatable", "nil or table expected")
		}
		if _, ok := sb.proxies[t]; ok {
			L.Error(lua.LString(errReadonly), 0)
		}
		if old, ok := t.Metatable.(*lua.LTable); ok && old.RawGetString("__metatable") != lua.LNil {
			L.RaiseError("cannot change a protected metatable")
		}
		t.Metatable = mt
		L.SetTop(1)
		return 1
	})
	set("tostring", luaToString)
	set("tonumber", luaToNumber)
	set("error", luaErrorFn)
	set("pcall", luaPCall)
	set("unpack", luaUnpack)
	set("gcinfo", func(L *lua.LState) int {
		L.Push(lua.LNumber(memoryKB(L)))
		return 1
	})
	set("collectgarbage", func(L *lua.LState) int {
		opt := "collect"
		if L.GetTop() >= 1 {
			opt = checkString(L, 1, "collectgarbage")
		}
		switch opt {
		case "count":
			L.Push(lua.LNumber(memoryKB(L)))
		case "collect", "stop", "restart", "step", "setpause", "setstepmul":
			L.Push(lua.LNumber(0))
		default:
			argError(L, 1, "collectgarbage", "invalid option '"+opt+"'")
		}
		return 1
	})
}

// memoryKB is a rough size of the interpreter for gcinfo and collectgarbage("count");
// Go's collector owns the memory, so the figure is indicative only.
func memoryKB(L *lua.LState) int { return 32 + L.GetTop()/64 }

func (sb *sandbox) next(L *lua.LState) int {
	t := sb.real(L.CheckTable(1))
	k, v := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

// patchLibs adjusts the standard libraries to Redis's Lua 5.1 set.
func (sb *sandbox) patchLibs(g *lua.LTable) {
	L := sb.L
	tbl := g.RawGetString("table").(*lua.LTable)
	for _, name := range []string{"insert", "remove", "sort"} {
		orig := tbl.RawGetString(name).(*lua.LFunction)
		fname := name
		tbl.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if t, ok := L.Get(1).(*lua.LTable); ok {
				if _, ok := sb.proxies[t]; ok {
					L.Error(lua.LString(errReadonly), 0)
				}
			} else {
				typeError(L, 1, fname, "table")
			}
			top := L.GetTop()
			L.Push(orig)
			for i := 1; i <= top; i++ {
				L.Push(L.Get(i))
			}
			L.Call(top, lua.MultRet)
			return L.GetTop() - top
		}))
	}
	tbl.RawSetString("foreach", L.NewFunction(func(L *lua.LState) int {
		t := sb.real(L.CheckTable(1))
		fn := L.CheckFunction(2)
		for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
			L.Push(fn)
			L.Push(k)
			L.Push(v)
			L.Call(2, 1)
			if r := L.Get(-1); r != lua.LNil {
				return 1
			}
			L.Pop(1)
		}
		return 0
	}))
	tbl.RawSetString("foreachi", L.NewFunction(func(L *lua.LState) int {
		t := sb.real(L.CheckTable(1))
		fn := L.CheckFunction(2)
		n := t.Len()
		for i := 1; i <= n; i++ {
			L.Push(fn)
			L.Push(lua.LNumber(i))
			L.Push(t.RawGetInt(i))
			L.Call(2, 1)
			if r := L.Get(-1); r != lua.LNil {
				return 1
			}
			L.Pop(1)
		}
		return 0
	}))
	tbl.RawSetString("setn", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("'setn' is obsolete")
		return 0
	}))
	m := g.RawGetString("math").(*lua.LTable)
	m.RawSetString("random", L.NewFunction(sb.eng.rand.random))
	m.RawSetString("randomseed", L.NewFunction(sb.eng.rand.randomseed))
	m.RawSetString("huge", lua.LNumber(math.Inf(1)))
}

// luaToString is tostring with Lua 5.1's number format ("%.14g").
func luaToString(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "tostring", "value expected")
	}
	L.Push(lua.LString(toStringMeta(L, L.Get(1))))
	return 1
}

func toStringMeta(L *lua.LState, v lua.LValue) string {
	switch x := v.(type) {
	case lua.LNumber:
		return fmtNumber(float64(x))
	case lua.LString:
		return string(x)
	case *lua.LUserData:
		if x == cjsonNull {
			return "userdata: (nil)"
		}
	}
	return L.ToStringMeta(v).String()
}

// luaToNumber is Lua 5.1's tonumber: strtod (or a hex integer) for base 10, strtoul
// digits for other bases.
func luaToNumber(L *lua.LState) int {
	base := 10
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		base = int(checkNumber(L, 2, "tonumber"))
	}
	if L.GetTop() < 1 {
		argError(L, 1, "tonumber", "value expected")
	}
	v := L.Get(1)
	if base == 10 {
		if f, ok := toNumber(v); ok {
			L.Push(numberValue(f))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}
	if base < 2 || base > 36 {
		argError(L, 2, "tonumber", "base out of range")
	}
	s := strings.TrimLeftFunc(checkString(L, 1, "tonumber"), isCSpace)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n uint64
	i := 0
	for ; i < len(s); i++ {
		d := 99
		switch c := s[i]; {
		case isDigit(c):
			d = int(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			d = int(c|0x20-'a') + 10
		}
		if d >= base {
			break
		}
		n = n*uint64(base) + uint64(d)
	}
	if i == 0 || strings.TrimFunc(s[i:], isCSpace) != "" {
		L.Push(lua.LNil)
		return 1
	}
	f := float64(n)
	if neg {
		f = -f
	}
	L.Push(lua.LNumber(f))
	return 1
}

// luaErrorFn is error(): string and number messages get the position of the given
// level, as in Lua 5.1.
func luaErrorFn(L *lua.LState) int {
	obj := L.Get(1)
	level := 1
	if L.GetTop() >= 2 {
		level = int(checkNumber(L, 2, "error"))
	}
	switch x := obj.(type) {
	case lua.LString, lua.LNumber:
		msg := toStringMeta(L, x)
		if level > 0 {
			msg = where(L, level) + msg
		}
		obj = lua.LString(msg)
	}
	L.Error(obj, 0)
	return 0
}

// where is luaL_where: "chunk:line: " of the Lua function at level, or "".
func where(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine <= 0 {
		return ""
	}
	return dbg.Source + ":" + itoa(dbg.CurrentLine) + ": "
}

// luaPCall is Redis's pcall: an error raised as a table with an err field (what
// redis.call raises) is returned as that field's string.
func luaPCall(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "pcall", "value expected")
	}
	nargs := L.GetTop() - 1
	if err := L.PCall(nargs, lua.MultRet, nil); err != nil {
		obj := lua.LValue(lua.LString(err.Error()))
		if aerr, ok := err.(*lua.ApiError); ok {
			obj = aerr.Object
		}
		if t, ok := obj.(*lua.LTable); ok {
			if e, ok := t.RawGetString("err").(lua.LString); ok {
				obj = e
			}
		}
		L.Push(lua.LFalse)
		L.Push(obj)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

func luaUnpack(L *lua.LState) int {
	t := L.CheckTable(1)
	start := int(optNumber(L, 2, "unpack", 1))
	end := int(optNumber(L, 3, "unpack", float64(t.Len())))
	if start > end {
		return 0
	}
	if end-start >= maxUnpackResults {
		L.RaiseError("too many results to unpack")
	}
	for i := start; i <= end; i++ {
		L.Push(t.RawGetInt(i))
	}
	return end - start + 1
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// fixArgErrors quotes the function name in gopher-lua's argument errors ("bad argument
// #1 to rep (...)") the way Lua 5.1 writes them ("to 'rep'").
func fixArgErrors(msg string) string {
	const marker = "bad argument #"
	i := strings.Index(msg, marker)
	if i < 0 {
		return msg
	}
	j := strings.Index(msg[i:], " to ")
	if j < 0 {
		return msg
	}
	start := i + j + 4
	if start >= len(msg) || msg[start] == '\'' {
		return msg
	}
	end := strings.IndexByte(msg[start:], ' ')
	if end < 0 {
		return msg
	}
	return msg[:start] + "'" + msg[start:start+end] + "'" + msg[start+end:]
}
