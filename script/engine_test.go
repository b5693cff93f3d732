package script

import (
	"context"
	"encoding/hex"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/resp"
)

// The expected replies below were taken from Redis 7.0.15.

func TestReturnConversion(t *testing.T) {
	e := New(Options{})
	cases := []struct{ src, resp2, resp3 string }{
		{"return 3.99", ":3\r\n", ""},
		{"return -3.99", ":-3\r\n", ""},
		{"return 1e20", ":-9223372036854775808\r\n", ""},
		{"return 0/0", ":-9223372036854775808\r\n", ""},
		{"return 'x'", "$1\r\nx\r\n", ""},
		{"return 'a\\0b'", "$3\r\na\x00b\r\n", ""},
		{"return true", ":1\r\n", ""},
		{"return false", "$-1\r\n", "_\r\n"},
		{"return nil", "$-1\r\n", "_\r\n"},
		{"return {1,2,nil,3}", "*2\r\n:1\r\n:2\r\n", ""},
		{"return {1,'a',{2,{3}},true,false}", "*5\r\n:1\r\n$1\r\na\r\n*2\r\n:2\r\n*1\r\n:3\r\n:1\r\n$-1\r\n", "*5\r\n:1\r\n$1\r\na\r\n*2\r\n:2\r\n*1\r\n:3\r\n:1\r\n_\r\n"},
		{"return {a=1}", "*0\r\n", ""},
		{"return {ok='fine'}", "+fine\r\n", ""},
		{"return {ok='a\\r\\nb'}", "+a  b\r\n", ""},
		{"return {err='MYCODE bad'}", "-MYCODE bad\r\n", ""},
		{"return {ok='a',err='b'}", "-b\r\n", ""},
		{"return {ok=1}", "*0\r\n", ""},
		{"return {1,{err='x'},{ok='y'}}", "*3\r\n:1\r\n-x\r\n+y\r\n", ""},
		{"return {double=1.5}", "$3\r\n1.5\r\n", ",1.5\r\n"},
		{"return {double=0.1}", "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"},
		{"return {double=1/0}", "$3\r\ninf\r\n", ",inf\r\n"},
		{"return {double=0/0}", "$4\r\n-nan\r\n", ",-nan\r\n"},
		{"return {map={a=1}}", "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n$1\r\na\r\n:1\r\n"},
		{"return {map={a={1,2}}}", "*2\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n", "%1\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n"},
		{"return {set={a=true}}", "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"},
		{"return {big_number='123'}", "$3\r\n123\r\n", "(123\r\n"},
		{"return {verbatim_string={format='txt',string='hi'}}", "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"},
		{"return {verbatim_string={format='markdown',string='hi'}}", "$2\r\nhi\r\n", "=6\r\nmar:hi\r\n"},
		{"return function() end", "$-1\r\n", "_\r\n"},
		{"redis.setresp(3) return true", ":1\r\n", "#t\r\n"},
		{"redis.setresp(3) return false", ":0\r\n", "#f\r\n"},
	}
	for _, c := range cases {
		require.Equal(t, c.resp2, eval(t, e, 2, c.src, nil), c.src)
		want3 := c.resp3
		if want3 == "" {
			want3 = c.resp2
		}
		require.Equal(t, want3, eval(t, e, 3, c.src, nil), "RESP3 "+c.src)
	}
}

func TestReplyToLua(t *testing.T) {
	e := New(Options{})
	cases := []struct{ src, want string }{
		{"return redis.call('ping')", "+PONG\r\n"},
		{"return redis.call('get','nokey')", "$-1\r\n"},
		{"local r = redis.call('get','nokey') return {type(r), tostring(r)}", "*2\r\n$7\r\nboolean\r\n$5\r\nfalse\r\n"},
		{"redis.setresp(3) local r = redis.call('get','nokey') return {type(r)}", "*1\r\n$3\r\nnil\r\n"},
		{"redis.setresp(3) local r = redis.call('hgetall','h') return {type(r.map), r.map.f}", "*2\r\n$5\r\ntable\r\n$1\r\nv\r\n"},
		{"redis.setresp(3) local r = redis.call('smembers','s') return {tostring(r.set.m)}", "*1\r\n$4\r\ntrue\r\n"},
		{"redis.setresp(3) local r = redis.call('zscore','z','m') return {type(r.double), tostring(r.double)}", "*2\r\n$6\r\nnumber\r\n$3\r\n1.5\r\n"},
		{"local r = redis.call('mixed') return {r[1], r[2].ok, r[3].err, tostring(r[4])}", "*4\r\n:1\r\n$2\r\nok\r\n$9\r\nERR inner\r\n$5\r\nfalse\r\n"},
		{"redis.call('set','a',1.5) return redis.call('get','a')", "$3\r\n1.5\r\n"},
		{"redis.call('set','a',0.1) return redis.call('get','a')", "$19\r\n0.10000000000000001\r\n"},
		{"redis.call('set','a',2^53) return redis.call('get','a')", "$16\r\n9007199254740992\r\n"},
		{"redis.call('set','a',-0) return redis.call('get','a')", "$2\r\n-0\r\n"},
		{"redis.call('set','a',1/0) return redis.call('get','a')", "$3\r\ninf\r\n"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, eval(t, e, 2, c.src, nil), c.src)
	}
}

func TestErrors(t *testing.T) {
	e := New(Options{})
	suffix := func(src string, line int) string {
		return " script: " + sha(src) + ", on @user_script:" + itoa(line) + ".\r\n"
	}
	cases := []struct{ src, want string }{
		{"return redis.call('nosuch')", "-ERR Unknown Redis command called from script"},
		{"redis.call('set','s','x') return redis.call('incr','s')", "-ERR value is not an integer or out of range"},
		{"return error('boom')", "-ERR user_script:1: boom"},
		{"error({err='X custom'})", "-X custom"},
		{"error({err='noprefix'})", "-noprefix"},
		{"error()", "-ERR nil"},
		{"error(123)", "-ERR user_script:1: 123"},
		{"error(true)", "-ERR true"},
		{"error('x', 0)", "-ERR x"},
		{"error(redis.error_reply('MY x'))", "-MY x"},
		{"x = 1", "-ERR user_script:1: Attempt to modify a readonly table"},
		{"redis.x = 1", "-ERR user_script:1: Attempt to modify a readonly table"},
		{"string.x = 1", "-ERR user_script:1: Attempt to modify a readonly table"},
		{"rawset(_G, 'x', 1)", "-ERR Attempt to modify a readonly table"},
		{"setmetatable(_G, nil)", "-ERR Attempt to modify a readonly table"},
		{"table.insert(_G, 1)", "-ERR Attempt to modify a readonly table"},
		{"getmetatable('').__index = {}", "-ERR user_script:1: Attempt to modify a readonly table"},
		{"return y", "-ERR user_script:1: Script attempted to access nonexistent global variable 'y'"},
		{"return os", "-ERR user_script:1: Script attempted to access nonexistent global variable 'os'"},
		{"return redis.call()", "-ERR Please specify at least one argument for this redis lib call"},
		{"return redis.call('get',{})", "-ERR Lua redis lib command arguments must be strings or integers"},
		{"return redis.sha1hex()", "-ERR wrong number of arguments"},
		{"redis.setresp(4)", "-ERR RESP version must be 2 or 3."},
		{"redis.log(1)", "-ERR redis.log() requires two arguments or more."},
		{"return math.random(0)", "-ERR user_script:1: bad argument #1 to 'random' (interval is empty)"},
		{"return cjson.encode()", "-ERR user_script:1: bad argument #1 to 'encode' (expected 1 argument)"},
		{"local function f()\n  error('deep')\nend\nlocal x = 1\nreturn f()", "-ERR user_script:2: deep"},
		{"local function f()\n  return redis.call('nosuch')\nend\nlocal x = 1\nreturn f()", "-ERR Unknown Redis command called from script"},
	}
	for _, c := range cases {
		line := 1
		if strings.HasPrefix(c.src, "local function") {
			line = 2
		}
		require.Equal(t, c.want+suffix(c.src, line), eval(t, e, 2, c.src, nil), c.src)
	}
	// Errors that are returned rather than raised carry no position.
	for src, want := range map[string]string{
		"return redis.pcall('nosuch')":                             "-ERR Unknown Redis command called from script\r\n",
		"return redis.pcall()":                                     "-ERR Please specify at least one argument for this redis lib call\r\n",
		"return redis.error_reply('My err')":                       "-My err\r\n",
		"return redis.error_reply('x')":                            "-ERR x\r\n",
		"return redis.error_reply('-My')":                          "-ERR My\r\n",
		"return redis.error_reply()":                               "-ERR wrong number or type of arguments\r\n",
		"return {err=''}":                                          "-\r\n",
		"return (":                                                 "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n",
		"local ok, e = pcall(redis.call, 'nosuch') return e":       "$44\r\nERR Unknown Redis command called from script\r\n",
		"local ok, e = pcall(error, {err='x'}) return e":           "$1\r\nx\r\n",
		"local ok, e = pcall(error, 'x') return {tostring(ok), e}": "*2\r\n$5\r\nfalse\r\n$1\r\nx\r\n",
	} {
		require.Equal(t, want, eval(t, e, 2, src, nil), src)
	}
}

func TestSandbox(t *testing.T) {
	e := New(Options{})
	globals := "local t={} for k,v in pairs(_G) do t[#t+1]=k end table.sort(t) return table.concat(t, ' ')"
	require.Equal(t, "$271\r\nARGV KEYS _G _VERSION __redis__err__handler assert bit cjson cmsgpack collectgarbage coroutine error gcinfo getmetatable ipairs load loadstring math next pairs pcall rawequal rawget rawset redis select setmetatable string struct table tonumber tostring type unpack xpcall\r\n",
		eval(t, e, 2, globals, nil))
	for src, want := range map[string]string{
		"return _VERSION":                               "$7\r\nLua 5.1\r\n",
		"return rawget(_G, 'redis') ~= nil":             ":1\r\n",
		"return tostring(_G._G == _G)":                  "$4\r\ntrue\r\n",
		"return type(getmetatable('').__index)":         "$5\r\ntable\r\n",
		"return ('x'):rep(3)":                           "$3\r\nxxx\r\n",
		"return loadstring('return 1+1')()":             ":2\r\n",
		"return tostring(1/3)":                          "$16\r\n0.33333333333333\r\n",
		"return tostring(2^53)":                         "$18\r\n9.007199254741e+15\r\n",
		"return tostring(0/0)":                          "$4\r\n-nan\r\n",
		"return tonumber('1e2')":                        ":100\r\n",
		"return tonumber('0x10')":                       ":16\r\n",
		"return tonumber('z', 36)":                      ":35\r\n",
		"return redis.sha1hex('')":                      "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n",
		"return redis.REDIS_VERSION":                    "$6\r\n7.0.15\r\n",
		"return redis.REDIS_VERSION_NUM":                ":458767\r\n",
		"return redis.REPL_ALL":                         ":3\r\n",
		"return redis.replicate_commands()":             ":1\r\n",
		"return redis.acl_check_cmd('get','x')":         ":1\r\n",
		"return type(redis.breakpoint)":                 "$8\r\nfunction\r\n",
		"return {math.random(1000), math.random(1000)}": "", // checked below
	} {
		if want != "" {
			require.Equal(t, want, eval(t, e, 2, src, nil), src)
		}
	}
	// A state whose proxies were written to through rawset-like paths is not reused.
	sb := e.acquire()
	sb.proxies[sb.env] = sb.globals
	sb.env.RawSetString("leak", sb.globals) // simulate a write that slipped through
	e.release(sb)
	require.Equal(t, "-ERR user_script:1: Script attempted to access nonexistent global variable 'leak' script: "+sha("return leak")+", on @user_script:1.\r\n",
		eval(t, e, 2, "return leak", nil))
}

func TestRandomMatchesRedis(t *testing.T) {
	// Redis 7.0 starts the generator at drand48's default state and never reseeds it.
	e := New(Options{})
	require.Equal(t, "*3\r\n:397\r\n:841\r\n$16\r\n0.35333609737146\r\n",
		eval(t, e, 2, "return {math.random(1000), math.random(1000), tostring(math.random())}", nil))
	require.Equal(t, "*1\r\n:447\r\n", eval(t, e, 2, "return {math.random(1000)}", nil))
	require.Equal(t, "*2\r\n:745\r\n$16\r\n0.34270147855519\r\n",
		eval(t, e, 2, "math.randomseed(42); return {math.random(1000), tostring(math.random())}", nil))
}

func TestKeysArgvAndLog(t *testing.T) {
	e := New(Options{})
	h := newFakeHost()
	require.Equal(t, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", evalHost(t, e, h, 2, "return KEYS", []string{"a", "b"}, "c"))
	require.Equal(t, "*1\r\n$1\r\nc\r\n", evalHost(t, e, h, 2, "return ARGV", []string{"a", "b"}, "c"))
	require.Equal(t, "$-1\r\n", evalHost(t, e, h, 2, "redis.log(redis.LOG_WARNING, 'hello', 'world', 3)", nil))
	require.Equal(t, []string{"3 hello world 3"}, h.logs)
}

// A state refills the KEYS and ARGV tables of its last run: whatever a script did to
// them must not show in the next run.
func TestKeysArgvFreshEachRun(t *testing.T) {
	e := New(Options{})
	show := "return {#KEYS, #ARGV, KEYS[1] or '-', KEYS[3] or '-', ARGV[1] or '-', tostring(KEYS.x), tostring(rawget(KEYS, 0)), tostring(getmetatable(ARGV))}"
	fresh := func(keys []string, args ...string) {
		t.Helper()
		want := eval(t, New(Options{}), 2, show, keys, args...)
		require.Equal(t, want, eval(t, e, 2, show, keys, args...))
	}
	fresh([]string{"a", "b", "c"}, "1")
	for _, spoil := range []string{
		"KEYS.x = 1 KEYS[0] = 2", "KEYS[7] = 'z' ARGV[3] = 'y'", "table.insert(KEYS, 'k') table.insert(ARGV, 1, 'v')",
		"setmetatable(ARGV, {__index = function() return 'm' end})", "KEYS[1] = nil KEYS[2] = nil",
		"KEYS.x = 1 KEYS.x = nil", "for i = 1, 2000 do KEYS[i] = i end",
	} {
		require.Equal(t, "$-1\r\n", eval(t, e, 2, spoil, []string{"a", "b", "c"}, "1", "2"), spoil)
		fresh([]string{"d"})
		fresh([]string{"e", "f", "g", "h"}, "x", "y")
	}
}

func TestShebang(t *testing.T) {
	for body, want := range map[string]string{
		"#!lua flags=bad-flag\nreturn 1":   "ERR Unexpected flag in script shebang: bad-flag",
		"#!lua name=x\nreturn 1":           "ERR Unknown lua shebang option: name=x",
		"#!python\nreturn 1":               "ERR Unexpected engine in script shebang: #!python",
		"#!lua flags=no-writes":            "ERR Invalid script shebang",
		"#! lua\nreturn 1":                 "ERR Unexpected engine in script shebang: #!",
		"#!lua flags=,no-writes\nreturn 2": "ERR Unexpected flag in script shebang: ",
	} {
		_, err := New(Options{}).Load([]byte(body))
		require.EqualError(t, err, want, body)
	}
	sc, err := New(Options{}).Load([]byte("#!lua flags=no-writes,allow-oom\nreturn y"))
	require.NoError(t, err)
	require.True(t, sc.Shebang)
	require.Equal(t, FlagNoWrites|FlagAllowOOM, sc.Flags)
	// The shebang line keeps its line number.
	require.Contains(t, eval(t, New(Options{}), 2, "#!lua\n\nreturn y", nil), "user_script:3:")
}

func TestKill(t *testing.T) {
	e := New(Options{})
	sc, err := e.Load([]byte("local i = 0 while true do i = i + 1 end"))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	var w resp.Writer
	err = e.Eval(sc, &Run{Host: newFakeHost(), Ctx: ctx}, &w)
	require.EqualError(t, err, "ERR Script killed by user with SCRIPT KILL... script: "+sc.SHA+", on @user_script:1.")
	// pcall cannot swallow the kill.
	sc, _ = e.Load([]byte("while true do pcall(function() while true do end end) end"))
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err = e.Eval(sc, &Run{Host: newFakeHost(), Ctx: ctx}, &w)
	require.ErrorContains(t, err, "ERR Script killed by user with SCRIPT KILL...")
	// The state is still good.
	require.Equal(t, ":1\r\n", eval(t, e, 2, "return 1", nil))
}

func TestStackOverflowLeavesEngineUsable(t *testing.T) {
	e := New(Options{})
	out := eval(t, e, 2, "local function f(n) return 1 + f(n+1) end return f(1)", nil)
	require.True(t, strings.HasPrefix(out, "-ERR "), out)
	require.Equal(t, ":2\r\n", eval(t, e, 2, "return 1 + 1", nil))
}

func TestScriptCache(t *testing.T) {
	e := New(Options{})
	sc, err := e.Load([]byte("return 1"))
	require.NoError(t, err)
	require.Equal(t, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", sc.SHA)
	require.Same(t, sc, e.Lookup([]byte("E0E1F9FABFC9D4800C877A703B823AC0578FF8DB")))
	require.Nil(t, e.Lookup([]byte("e0e1")))
	bodies, _ := e.EvalMemory()
	require.Len(t, bodies, 1)
	e.Flush()
	require.Nil(t, e.Lookup([]byte(sc.SHA)))
}

func fcall(t *testing.T, e *Engine, name string, keys []string, args ...string) string {
	t.Helper()
	f := e.Function(name)
	if f == nil {
		return "-" + string(ErrFuncNotFound) + "\r\n"
	}
	var w resp.Writer
	if err := e.FCall(f, &Run{Host: newFakeHost(), Keys: toBytes(keys), Args: toBytes(args)}, &w); err != nil {
		w.Error(err.Error())
	}
	return string(w.Bytes())
}

func TestFunctions(t *testing.T) {
	e := New(Options{})
	name, err := e.FunctionLoad("#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)\n"+
		"redis.register_function{function_name='ro', callback=function(keys, args) return keys[1] end, flags={'no-writes'}, description='a reader'}", false)
	require.NoError(t, err)
	require.Equal(t, "mylib", name)
	require.Equal(t, "$5\r\nhello\r\n", fcall(t, e, "MYFUNC", nil, "hello"))
	require.Equal(t, "$1\r\nk\r\n", fcall(t, e, "ro", []string{"k"}))
	libs := e.FunctionList("")
	require.Len(t, libs, 1)
	require.Equal(t, "myfunc", libs[0].Funcs[0].Name)
	require.Equal(t, "a reader", libs[0].Funcs[1].Description)
	require.Equal(t, []string{"no-writes"}, libs[0].Funcs[1].Flags.Names())

	_, err = e.FunctionLoad("#!lua name=mylib\nreturn 1", false)
	require.EqualError(t, err, "ERR Library 'mylib' already exists")
	_, err = e.FunctionLoad("#!lua name=other\nredis.register_function('myfunc', function() end)", false)
	require.EqualError(t, err, "ERR Function myfunc already exists")
	_, err = e.FunctionLoad("#!lua name=other\nlocal x = string", false)
	require.EqualError(t, err, "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'string'")
	_, err = e.FunctionLoad("#!lua name=other\nreturn (", false)
	require.EqualError(t, err, "ERR Error compiling function: user_function:2: unexpected symbol near '<eof>'")
	_, err = e.FunctionLoad("#!lua name=inf\nwhile true do end", false)
	require.EqualError(t, err, "ERR Error registering functions: ERR FUNCTION LOAD timeout")

	// Runtime environment: no KEYS/ARGV, no register_function.
	_, err = e.FunctionLoad("#!lua name=rt\nredis.register_function('rt', function() return KEYS end)\n"+
		"redis.register_function('boom', function() error('boom') end)", false)
	require.NoError(t, err)
	require.Equal(t, "-ERR user_function:2: Script attempted to access nonexistent global variable 'KEYS' script: rt, on @user_function:2.\r\n", fcall(t, e, "rt", nil))
	require.Equal(t, "-ERR user_function:3: boom script: boom, on @user_function:3.\r\n", fcall(t, e, "boom", nil))

	// DUMP / RESTORE.
	dump := e.FunctionDump(true)
	e.FunctionFlush()
	require.Nil(t, e.Function("myfunc"))
	require.NoError(t, e.FunctionRestore(dump, RestoreAppend))
	require.Equal(t, "$1\r\nx\r\n", fcall(t, e, "myfunc", nil, "x"))
	require.EqualError(t, e.FunctionRestore(dump, RestoreAppend), "ERR Library mylib already exists")
	require.NoError(t, e.FunctionRestore(dump, RestoreReplace))
	require.NoError(t, e.FunctionRestore(dump, RestoreFlush))
	require.EqualError(t, e.FunctionRestore([]byte("junk"), RestoreFlush), string(errBadPayload))
	require.EqualError(t, e.FunctionDelete("nosuch"), "ERR Library not found")
	require.NoError(t, e.FunctionDelete("mylib"))
	libsN, funcsN := e.FunctionCounts()
	require.Equal(t, 1, libsN)
	require.Equal(t, 2, funcsN)
}

func TestRestoreRedisPayload(t *testing.T) {
	// FUNCTION DUMP from Redis 7.0.15: the library code is LZF-compressed.
	payload, err := hex.DecodeString("f5c3406740e51f23216c7561206e616d653d7061636b65640a72656469732e72656769737465720a5f66756e6374696f6e2827801f045f61272c20e00014126b6579732c2061726773292072657475726e20a0270020802ee00c06052720656e6429e018690062e03d690164290a006923f0de4054ba42")
	require.NoError(t, err)
	e := New(Options{})
	require.NoError(t, e.FunctionRestore(payload, RestoreAppend))
	require.Equal(t, "$34\r\npacked packed packed packed packed\r\n", fcall(t, e, "packed_b", nil))
	require.Equal(t, payload, e.FunctionDump(true), "compressed as Redis compresses it")
	// A library Redis does not compress dumps byte for byte as Redis does.
	e.FunctionFlush()
	_, err = e.FunctionLoad("#!lua name=a\nredis.register_function('fa2', function() return 'a2' end)", false)
	require.NoError(t, err)
	require.Equal(t, "\xf5\x40\x47", string(e.FunctionDump(true)[:3]))
}

// TestStateMemory keeps StateMemory honest: the live heap of freshly built states,
// measured, is within a factor of two of it.
func TestStateMemory(t *testing.T) {
	e := New(Options{})
	const n = 20
	states := make([]*sandbox, 0, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		states = append(states, newSandbox(e, false))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	runtime.KeepAlive(states)
	t.Logf("a Lua state takes %d bytes of heap", per)
	require.Greater(t, per, int64(StateMemory/2))
	require.Less(t, per, int64(StateMemory*2))
}

// TestEvalMemory: the cache reports its scripts' bodies and the states EVAL keeps,
// which SCRIPT FLUSH drops.
func TestEvalMemory(t *testing.T) {
	e := New(Options{})
	bodies, states := e.EvalMemory()
	require.Empty(t, bodies)
	require.Zero(t, states)
	require.Equal(t, ":1\r\n", eval(t, e, 2, "return 1", nil))
	_, err := e.Load([]byte("return 'a longer body'"))
	require.NoError(t, err)
	bodies, states = e.EvalMemory()
	require.ElementsMatch(t, []int{8, 22}, bodies)
	require.Equal(t, 1, states)
	e.Flush()
	bodies, states = e.EvalMemory()
	require.Empty(t, bodies)
	require.Zero(t, states)
}
