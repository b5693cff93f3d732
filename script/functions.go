package script

import (
	"context"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/cinnabar-db/cinnabar/glob"
	"github.com/cinnabar-db/cinnabar/resp"
)

// Redis functions: libraries of Lua code that register named functions.
//
// All libraries live in one Lua state of their own (the function set's sandbox). A
// library's top level runs once, at FUNCTION LOAD, in a restricted environment whose
// only global is a redis table with register_function, log, the LOG_* constants and
// the version; the callbacks it registers keep that library's environment proxy, which
// is switched to the full function environment once the load succeeds. A library whose
// top level runs longer than loadTimeout is rejected.

const loadTimeout = 500 * time.Millisecond

// Library is a loaded function library.
type Library struct {
	Name  string
	Code  string
	Funcs []*Function // sorted by name
	env   *lua.LTable
}

// Function is one registered function.
type Function struct {
	Name        string
	Description string
	HasDesc     bool
	Flags       Flags
	Library     *Library
	fn          *lua.LFunction
}

// functionSet is the state behind FUNCTION: the libraries, their functions and the Lua
// state that holds their code.
type functionSet struct {
	sb    *sandbox
	libs  map[string]*Library
	funcs map[string]*Function // by lower-case name: FCALL is case-insensitive
	// loadGlobals is the environment of a library's top level.
	loadGlobals *lua.LTable
	// pending collects redis.register_function calls during a load.
	pending []*Function
}

func (e *Engine) newFunctionSet() *functionSet {
	fs := &functionSet{sb: newSandbox(e, true), libs: map[string]*Library{}, funcs: map[string]*Function{}}
	fs.loadGlobals = fs.buildLoadGlobals()
	return fs
}

// buildLoadGlobals makes the load-time environment: only redis, with only
// register_function, log and constants; anything else is a nonexistent global.
func (fs *functionSet) buildLoadGlobals() *lua.LTable {
	sb := fs.sb
	L := sb.L
	r := L.NewTable()
	r.RawSetString("register_function", L.NewFunction(fs.registerFunction))
	r.RawSetString("log", L.NewFunction(sb.redisLog))
	sb.setRedisConstants(r)
	r.Metatable = sb.missingGlobalMeta()
	g := L.NewTable()
	g.RawSetString("redis", sb.protect(r))
	g.Metatable = sb.missingGlobalMeta()
	return g
}

// LibraryInfo describes a library for FUNCTION LIST.
type LibraryInfo struct {
	Name  string
	Code  string
	Funcs []*Function
}

// parseLibraryHeader reads "#!lua name=<lib>" and returns the library name.
func parseLibraryHeader(code string) (string, error) {
	if !strings.HasPrefix(code, "#!") {
		return "", Error("ERR Missing library metadata")
	}
	nl := strings.IndexByte(code, '\n')
	if nl < 0 {
		return "", Error("ERR Invalid library metadata")
	}
	parts := strings.Fields(code[2:nl])
	engine := ""
	if len(parts) > 0 && !strings.HasPrefix(code, "#! ") {
		engine, parts = parts[0], parts[1:]
	}
	name, named := "", false
	for _, p := range parts {
		v, ok := strings.CutPrefix(p, "name=")
		if !ok {
			return "", Error("ERR Invalid metadata value given: " + p)
		}
		if named {
			return "", Error("ERR Invalid metadata value, name argument was given multiple times")
		}
		name, named = v, true
	}
	if !named {
		return "", Error("ERR Library name was not given")
	}
	if !validName(name) {
		return "", Error("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	}
	if !strings.EqualFold(engine, "lua") {
		return "", Error("ERR Engine '" + engine + "' not found")
	}
	return name, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}

// FunctionLoad loads a library (FUNCTION LOAD [REPLACE]) and returns its name.
func (e *Engine) FunctionLoad(code string, replace bool) (string, error) {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	name, err := parseLibraryHeader(code)
	if err != nil {
		return "", err
	}
	fs := e.funcs
	if fs.libs[name] != nil && !replace {
		return "", Error("ERR Library '" + name + "' already exists")
	}
	lib, err := fs.load(name, code)
	if err != nil {
		return "", err
	}
	if err := fs.install([]*Library{lib}, map[string]bool{name: true}); err != nil {
		return "", err
	}
	return name, nil
}

// load runs a library's top level and returns it with its functions, not yet installed.
func (fs *functionSet) load(name, code string) (*Library, error) {
	nl := strings.IndexByte(code, '\n')
	proto, err := compile(code[nl:], chunkFunction)
	if err != nil {
		return nil, Error("ERR Error compiling function: " + err.Error())
	}
	sb := fs.sb
	L := sb.L
	lib := &Library{Name: name, Code: code}
	lib.env = sb.protect(fs.loadGlobals)
	fn := L.NewFunctionFromProto(proto)
	fn.Env = lib.env
	fs.pending = nil
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	st := &runState{Run: &Run{Ctx: ctx}, loading: true}
	var discard resp.Writer
	err = sb.execute(st, fn, &discard)
	sb.run = nil
	L.SetTop(0)
	funcs := fs.pending
	fs.pending = nil
	if err != nil {
		delete(sb.proxies, lib.env)
		return nil, Error("ERR Error registering functions: " + err.Error())
	}
	if len(funcs) == 0 {
		delete(sb.proxies, lib.env)
		return nil, Error("ERR No functions registered")
	}
	// From now on the library's code sees the full function environment.
	lib.env.Metatable.(*lua.LTable).RawSetString("__index", sb.globals)
	sb.proxies[lib.env] = sb.globals
	sort.Slice(funcs, func(i, j int) bool { return funcs[i].Name < funcs[j].Name })
	for _, f := range funcs {
		f.Library = lib
	}
	lib.Funcs = funcs
	return lib, nil
}

// install adds libraries, replacing those named in replaced; it fails without changes
// if a function name is already taken by another library.
func (fs *functionSet) install(libs []*Library, replaced map[string]bool) error {
	for _, lib := range libs {
		for _, f := range lib.Funcs {
			if old := fs.funcs[strings.ToLower(f.Name)]; old != nil && !replaced[old.Library.Name] {
				return Error("ERR Function " + f.Name + " already exists")
			}
		}
	}
	for name := range replaced {
		fs.remove(name)
	}
	for _, lib := range libs {
		fs.libs[lib.Name] = lib
		for _, f := range lib.Funcs {
			fs.funcs[strings.ToLower(f.Name)] = f
		}
	}
	return nil
}

func (fs *functionSet) remove(name string) bool {
	lib := fs.libs[name]
	if lib == nil {
		return false
	}
	for _, f := range lib.Funcs {
		delete(fs.funcs, strings.ToLower(f.Name))
	}
	delete(fs.libs, name)
	delete(fs.sb.proxies, lib.env)
	return true
}

// registerFunction is redis.register_function, available only while a library loads.
func (fs *functionSet) registerFunction(L *lua.LState) int {
	st := fs.sb.run
	if st == nil || !st.loading {
		raiseTable(L, "ERR redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &Function{}
	var callback lua.LValue
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raiseTable(L, "ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		var name lua.LValue = lua.LNil
		for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
			key, _ := k.(lua.LString)
			switch string(key) {
			case "function_name":
				s, ok := luaToLString(v)
				if !ok {
					raiseTable(L, "ERR function_name argument given to redis.register_function must be a string")
				}
				name = lua.LString(s)
			case "description":
				s, ok := luaToLString(v)
				if !ok {
					raiseTable(L, "ERR description argument given to redis.register_function must be a string")
				}
				f.Description, f.HasDesc = s, true
			case "callback":
				if v.Type() != lua.LTFunction {
					raiseTable(L, "ERR callback argument given to redis.register_function must be a function")
				}
				callback = v
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					raiseTable(L, "ERR flags argument to redis.register_function must be a table representing function flags")
				}
				for i := 1; ; i++ {
					fv := ft.RawGetInt(i)
					if fv == lua.LNil {
						break
					}
					s, ok := fv.(lua.LString)
					flag, known := parseFlag(string(s))
					if !ok || !known {
						raiseTable(L, "ERR unknown flag given")
					}
					f.Flags |= flag
				}
			default:
				raiseTable(L, "ERR unknown argument given to redis.register_function")
			}
		}
		if name == lua.LNil {
			raiseTable(L, "ERR redis.register_function must get a function name argument")
		}
		if callback == nil {
			raiseTable(L, "ERR redis.register_function must get a callback argument")
		}
		f.Name = string(name.(lua.LString))
	case 2:
		s, ok := luaToLString(L.Get(1))
		if !ok {
			raiseTable(L, "ERR first argument to redis.register_function must be a string")
		}
		if L.Get(2).Type() != lua.LTFunction {
			raiseTable(L, "ERR second argument to redis.register_function must be a function")
		}
		f.Name, callback = s, L.Get(2)
	default:
		raiseTable(L, "ERR wrong number of arguments to redis.register_function")
	}
	if !validName(f.Name) {
		raiseTable(L, "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	}
	for _, p := range fs.pending {
		if strings.EqualFold(p.Name, f.Name) {
			raiseTable(L, "ERR Function already exists in the library")
		}
	}
	f.fn = callback.(*lua.LFunction)
	fs.pending = append(fs.pending, f)
	return 0
}

// Function returns the function called name (any case), or nil.
func (e *Engine) Function(name string) *Function {
	e.fmu.RLock()
	defer e.fmu.RUnlock()
	return e.funcs.funcs[strings.ToLower(name)]
}

// FCall runs a function and writes its result to w, or returns its error reply.
func (e *Engine) FCall(f *Function, r *Run, w *resp.Writer) error {
	e.fmu.RLock()
	sb := e.funcs.sb
	e.fmu.RUnlock()
	L := sb.L
	st := &runState{Run: r, name: f.Name}
	s, _ := joinStrings(r.Keys, r.Args)
	keys, s := stringArray(L, nil, r.Keys, s)
	args, _ := stringArray(L, nil, r.Args, s)
	err := sb.execute(st, f.fn, w, keys, args)
	sb.run = nil
	L.SetTop(0)
	return err
}

// FunctionDelete removes a library (case-sensitive name).
func (e *Engine) FunctionDelete(name string) error {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	if !e.funcs.remove(name) {
		return Error("ERR Library not found")
	}
	return nil
}

// FunctionFlush removes every library.
func (e *Engine) FunctionFlush() {
	fresh := e.newFunctionSet()
	e.fmu.Lock()
	old := e.funcs
	e.funcs = fresh
	e.fmu.Unlock()
	old.sb.L.Close()
}

// FunctionList describes the libraries whose name matches pattern ("" for all), sorted
// by name.
func (e *Engine) FunctionList(pattern string) []LibraryInfo {
	e.fmu.RLock()
	defer e.fmu.RUnlock()
	var out []LibraryInfo
	for _, lib := range e.funcs.libs {
		if pattern != "" && !glob.Match(pattern, lib.Name, true) {
			continue
		}
		out = append(out, LibraryInfo{Name: lib.Name, Code: lib.Code, Funcs: lib.Funcs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FunctionCounts returns the number of libraries and functions (FUNCTION STATS).
func (e *Engine) FunctionCounts() (libs, funcs int) {
	e.fmu.RLock()
	defer e.fmu.RUnlock()
	return len(e.funcs.libs), len(e.funcs.funcs)
}

// RestorePolicy is FUNCTION RESTORE's way with existing libraries.
type RestorePolicy int

// Restore policies.
const (
	RestoreAppend RestorePolicy = iota
	RestoreReplace
	RestoreFlush
)

// FunctionRestore loads the libraries of a FUNCTION DUMP payload. It changes nothing
// if any library fails to load or collides under the policy.
func (e *Engine) FunctionRestore(payload []byte, policy RestorePolicy) error {
	codes, err := decodeFunctionDump(payload)
	if err != nil {
		return err
	}
	e.fmu.Lock()
	defer e.fmu.Unlock()
	old := e.funcs
	// Rebuild the whole set in a fresh state: the kept libraries, then the restored.
	var keep []*Library
	restored := map[string]bool{}
	for _, c := range codes {
		name, err := parseLibraryHeader(c)
		if err != nil {
			return err
		}
		if restored[name] {
			return Error("ERR Library '" + name + "' already exists")
		}
		restored[name] = true
	}
	if policy != RestoreFlush {
		names := make([]string, 0, len(old.libs))
		for name := range old.libs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			lib := old.libs[name]
			if restored[lib.Name] {
				if policy == RestoreAppend {
					return Error("ERR Library " + lib.Name + " already exists")
				}
				continue
			}
			keep = append(keep, lib)
		}
	}
	fresh := e.newFunctionSet()
	all := make([]string, 0, len(keep)+len(codes))
	for _, lib := range keep {
		all = append(all, lib.Code)
	}
	all = append(all, codes...)
	for _, c := range all {
		name, _ := parseLibraryHeader(c)
		lib, err := fresh.load(name, c)
		if err == nil {
			err = fresh.install([]*Library{lib}, nil)
		}
		if err != nil {
			fresh.sb.L.Close()
			return err
		}
	}
	e.funcs = fresh
	old.sb.L.Close()
	return nil
}

// FunctionDump serializes every library (FUNCTION DUMP); compress is rdbcompression.
func (e *Engine) FunctionDump(compress bool) []byte {
	e.fmu.RLock()
	var codes []string
	for _, lib := range e.funcs.libs {
		codes = append(codes, lib.Code)
	}
	e.fmu.RUnlock()
	sort.Strings(codes)
	return encodeFunctionDump(codes, compress)
}
