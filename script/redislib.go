package script

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Replication flags of redis.set_repl: where a script's effects propagate.
const (
	ReplNone    = 0
	ReplAOF     = 1
	ReplReplica = 2
	ReplAll     = ReplAOF | ReplReplica
)

// Log levels of redis.log.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// redisTable builds the redis library of a state. Functions get neither the debugger
// hooks nor replicate_commands, as in Redis.
func (sb *sandbox) redisTable(forFunctions bool) *lua.LTable {
	L := sb.L
	t := L.NewTable()
	set := func(name string, fn lua.LGFunction) { t.RawSetString(name, L.NewFunction(fn)) }
	set("call", sb.redisCall(true))
	set("pcall", sb.redisCall(false))
	set("error_reply", redisErrorReply)
	set("status_reply", redisStatusReply)
	set("sha1hex", redisSHA1Hex)
	set("log", sb.redisLog)
	set("setresp", sb.redisSetResp)
	set("set_repl", sb.redisSetRepl)
	set("acl_check_cmd", sb.redisACLCheck)
	if !forFunctions {
		set("replicate_commands", func(L *lua.LState) int {
			L.Push(lua.LTrue)
			return 1
		})
		set("breakpoint", func(L *lua.LState) int {
			L.Push(lua.LFalse)
			return 1
		})
		set("debug", func(L *lua.LState) int { return 0 })
	}
	sb.setRedisConstants(t)
	return t
}

func (sb *sandbox) setRedisConstants(t *lua.LTable) {
	for name, v := range map[string]int{"LOG_DEBUG": LogDebug, "LOG_VERBOSE": LogVerbose,
		"LOG_NOTICE": LogNotice, "LOG_WARNING": LogWarning} {
		t.RawSetString(name, lua.LNumber(v))
	}
	if t.RawGetString("set_repl") != lua.LNil {
		for name, v := range map[string]int{"REPL_NONE": ReplNone, "REPL_AOF": ReplAOF,
			"REPL_SLAVE": ReplReplica, "REPL_REPLICA": ReplReplica, "REPL_ALL": ReplAll} {
			t.RawSetString(name, lua.LNumber(v))
		}
	}
	t.RawSetString("REDIS_VERSION", lua.LString(sb.eng.opts.RedisVersion))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(sb.eng.versionNum))
}

// raiseTable raises an {err=msg} error: a Redis error without a Lua position.
func raiseTable(L *lua.LState, msg string) {
	L.Error(errTable(L, msg), 0)
}

func errTable(L *lua.LState, msg string) *lua.LTable {
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(msg))
	return t
}

// redisCall is redis.call (raise) and redis.pcall: an error reply is raised as an
// {err=...} table by the first and returned as one by the second.
func (sb *sandbox) redisCall(raise bool) lua.LGFunction {
	fail := func(L *lua.LState, msg string) int {
		if raise {
			raiseTable(L, msg)
		}
		L.Push(errTable(L, msg))
		return 1
	}
	return func(L *lua.LState) int {
		st := sb.run
		argc := L.GetTop()
		if argc == 0 {
			return fail(L, "ERR Please specify at least one argument for this redis lib call")
		}
		av := sb.takeArgs()
		if !av.fill(L, argc) {
			sb.args = av
			return fail(L, "ERR Lua redis lib command arguments must be strings or integers")
		}
		if st == nil || st.Host == nil {
			sb.args = av
			return fail(L, "ERR redis.call is not available here")
		}
		if st.Ctx.Err() != nil {
			sb.args = av
			L.RaiseError("script interrupted")
		}
		reply := st.Host.Call(av.args, st.resp3)
		sb.args = av
		v, msg, isErr := parseReply(L, reply)
		if isErr {
			return fail(L, msg)
		}
		L.Push(v)
		return 1
	}
}

// redisErrorReply is redis.error_reply: {err=msg}, with "ERR " added to a message that
// has no error code.
func redisErrorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errTable(L, "ERR wrong number or type of arguments"))
		return 1
	}
	msg := strings.TrimPrefix(string(s), "-")
	if !strings.Contains(msg, " ") {
		msg = "ERR " + msg
	}
	L.Push(errTable(L, msg))
	return 1
}

func redisStatusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		L.Push(errTable(L, "ERR wrong number or type of arguments"))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", s)
	L.Push(t)
	return 1
}

// luaToLString is lua_tolstring: strings and numbers, "" for anything else.
func luaToLString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return fmtNumber(float64(x)), true
	}
	return "", false
}

func redisSHA1Hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseTable(L, "ERR wrong number of arguments")
	}
	s, _ := luaToLString(L.Get(1))
	L.Push(lua.LString(SHA1Hex([]byte(s))))
	return 1
}

func (sb *sandbox) redisLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		raiseTable(L, "ERR redis.log() requires two arguments or more.")
	}
	lv, ok := L.Get(1).(lua.LNumber)
	if !ok {
		raiseTable(L, "ERR First argument must be a number (log level).")
	}
	level := int(lv)
	if level < LogDebug || level > LogWarning {
		raiseTable(L, "ERR Invalid debug level.")
	}
	var parts []string
	for i := 2; i <= argc; i++ {
		if s, ok := luaToLString(L.Get(i)); ok {
			parts = append(parts, s)
		}
	}
	if st := sb.run; st != nil && st.Host != nil {
		st.Host.Log(level, strings.Join(parts, " "))
	}
	return 0
}

func (sb *sandbox) redisSetResp(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseTable(L, "ERR redis.setresp() requires one argument.")
	}
	n, _ := toNumber(L.Get(1))
	if n != 2 && n != 3 {
		raiseTable(L, "ERR RESP version must be 2 or 3.")
	}
	if st := sb.run; st != nil {
		st.resp3 = n == 3
	}
	return 0
}

func (sb *sandbox) redisSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseTable(L, "ERR redis.set_repl() requires two arguments.")
	}
	n, _ := toNumber(L.Get(1))
	flags := int(n)
	if flags&^ReplAll != 0 {
		raiseTable(L, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	if st := sb.run; st != nil {
		st.ReplFlags = flags
	}
	return 0
}

// redisACLCheck is redis.acl_check_cmd: whether the script's user may run the call.
func (sb *sandbox) redisACLCheck(L *lua.LState) int {
	argc := L.GetTop()
	if argc == 0 {
		raiseTable(L, "ERR Please specify at least one argument for this redis lib call")
	}
	av := sb.takeArgs()
	ok := av.fill(L, argc)
	st := sb.run
	var exists, allowed bool
	if ok && st != nil && st.Host != nil {
		exists, allowed = st.Host.CheckCommand(av.args)
	}
	sb.args = av
	if !ok {
		raiseTable(L, "ERR Lua redis lib command arguments must be strings or integers")
	}
	if !exists {
		raiseTable(L, "ERR Invalid command passed to redis.acl_check_cmd()")
	}
	L.Push(lua.LBool(allowed))
	return 1
}

// takeArgs hands out the sandbox's argument vector until the caller puts it back in
// sb.args. A redis.call nested in another (a script that runs EVAL or FCALL, which
// DEBUG SET-DISABLE-DENY-SCRIPTS allows) finds none and gets a new one, so it never
// overwrites the arguments of the call still running.
func (sb *sandbox) takeArgs() *argVector {
	av := sb.args
	sb.args = nil
	if av == nil {
		av = &argVector{}
	}
	return av
}
