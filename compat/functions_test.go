package compat

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

const counterLib = `#!lua name=counters
local function incr(keys, args)
  return redis.call('INCRBY', keys[1], args[1] or 1)
end
local function peek(keys, args)
  return redis.call('GET', keys[1])
end
redis.register_function('counter_incr', incr)
redis.register_function{function_name='counter_peek', callback=peek, flags={'no-writes'}, description='reads a counter'}`

func TestFunctionsGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		name, err := rdb.FunctionLoad(ctx, counterLib).Result()
		require.NoError(t, err)
		require.Equal(t, "counters", name)
		require.ErrorContains(t, rdb.FunctionLoad(ctx, counterLib).Err(), "ERR Library 'counters' already exists")
		_, err = rdb.FunctionLoadReplace(ctx, counterLib).Result()
		require.NoError(t, err)

		n, err := rdb.FCall(ctx, "counter_incr", []string{"c"}, 5).Int64()
		require.NoError(t, err)
		require.Equal(t, int64(5), n)
		n, err = rdb.FCall(ctx, "COUNTER_INCR", []string{"c"}).Int64()
		require.NoError(t, err)
		require.Equal(t, int64(6), n)
		v, err := rdb.FCallRo(ctx, "counter_peek", []string{"c"}).Text()
		require.NoError(t, err)
		require.Equal(t, "6", v)
		require.ErrorContains(t, rdb.FCallRo(ctx, "counter_incr", []string{"c"}).Err(), "ERR Can not execute a script with write flag using *_ro command.")
		require.ErrorContains(t, rdb.FCall(ctx, "nosuch", nil).Err(), "ERR Function not found")

		libs, err := rdb.FunctionList(ctx, redis.FunctionListQuery{LibraryNamePattern: "count*", WithCode: true}).Result()
		require.NoError(t, err)
		require.Len(t, libs, 1)
		require.Equal(t, "counters", libs[0].Name)
		require.Equal(t, "LUA", libs[0].Engine)
		require.Equal(t, counterLib, libs[0].Code)
		require.Len(t, libs[0].Functions, 2)
		byName := map[string]redis.Function{}
		for _, f := range libs[0].Functions {
			byName[f.Name] = f
		}
		require.Equal(t, []string{"no-writes"}, byName["counter_peek"].Flags)
		require.Equal(t, "reads a counter", byName["counter_peek"].Description)

		stats, err := rdb.FunctionStats(ctx).Result()
		require.NoError(t, err)
		require.False(t, stats.Running())
		require.Equal(t, "LUA", stats.Engines[0].Language)
		require.Equal(t, int64(1), stats.Engines[0].LibrariesCount)
		require.Equal(t, int64(2), stats.Engines[0].FunctionsCount)

		dump, err := rdb.FunctionDump(ctx).Result()
		require.NoError(t, err)
		require.NoError(t, rdb.FunctionDelete(ctx, "counters").Err())
		require.ErrorContains(t, rdb.FunctionDelete(ctx, "counters").Err(), "ERR Library not found")
		require.ErrorContains(t, rdb.FCall(ctx, "counter_incr", []string{"c"}).Err(), "ERR Function not found")
		require.NoError(t, rdb.FunctionRestore(ctx, dump).Err())
		require.Equal(t, int64(7), rdb.FCall(ctx, "counter_incr", []string{"c"}).Val())
		require.ErrorContains(t, rdb.FunctionRestore(ctx, dump).Err(), "ERR Library counters already exists")
		require.NoError(t, rdb.Do(ctx, "FUNCTION", "RESTORE", dump, "REPLACE").Err())
		require.NoError(t, rdb.FunctionFlush(ctx).Err())
		require.NoError(t, rdb.Do(ctx, "FUNCTION", "RESTORE", dump, "FLUSH").Err())
		require.NoError(t, rdb.FunctionFlushAsync(ctx).Err())
		libs, err = rdb.FunctionList(ctx, redis.FunctionListQuery{}).Result()
		require.NoError(t, err)
		require.Empty(t, libs)
	})
}

func TestFunctionsInMultiAndKeys(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	require.NoError(t, rdb.FunctionLoad(ctx, counterLib).Err())
	pipe := rdb.TxPipeline()
	pipe.FCall(ctx, "counter_incr", []string{"m"}, 2)
	pipe.FCall(ctx, "counter_incr", []string{"m"}, 3)
	cmds, err := pipe.Exec(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(5), cmds[1].(*redis.Cmd).Val())
	keys, err := rdb.CommandGetKeys(ctx, "FCALL", "counter_incr", 2, "a", "b", "arg").Result()
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, keys)
}

const differentialLib = "#!lua name=mylib\n" +
	"redis.register_function('myfunc', function(keys, args) return args[1] end)\n" +
	"redis.register_function{function_name='ro', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='a reader'}"

func fload(code string, opts ...string) []string {
	return append(append([]string{"FUNCTION", "LOAD"}, opts...), code)
}

func TestFunctionsDifferential(t *testing.T) {
	cmds := [][]string{
		fload(differentialLib), fload("#!lua name=mylib\nreturn 1"),
		{"FUNCTION", "LIST", "LIBRARYNAME", "zz"}, {"FCALL", "myfunc", "0", "hello"}, {"FCALL", "MYFUNC", "0", "hello"},
		{"FCALL", "ro", "1", "k"}, {"FCALL_RO", "ro", "1", "k"}, {"FCALL_RO", "myfunc", "0", "a"}, {"FCALL", "nosuch", "0"},
		{"FCALL", "nosuch", "-1"}, {"FCALL", "myfunc", "x"}, {"FCALL", "myfunc", "-1"}, {"FCALL", "myfunc", "5", "k"},
		{"FUNCTION", "STATS"}, {"FUNCTION", "HELP"}, {"FUNCTION", "KILL"}, {"SCRIPT", "KILL"},
		fload("return 1"), fload("#!lua\nreturn 1"), fload("#!lua name=\nreturn 1"), fload("#!lua name=a-b\nreturn 1"),
		fload("#!lua name=lib2 foo=bar\nreturn 1"), fload("#!lua name=lib2\nreturn 1"),
		fload("#!lua name=lib2\nredis.register_function('myfunc', function() return 1 end)"),
		fload("#!lua name=lib2\nredis.register_function('f2', function() return 1 end)\nredis.register_function('f2', function() return 1 end)"),
		fload("#!lua name=lib2\nredis.register_function('bad name', function() return 1 end)"),
		fload("#!lua name=lib2\nredis.register_function('f2')"), fload("#!lua name=lib2\nredis.register_function('f2', 1)"),
		fload("#!lua name=lib2\nredis.register_function{function_name='f2', callback=function() end, flags={'bad'}}"),
		fload("#!lua name=lib2\nredis.register_function{function_name='f2', callback=function() end, foo=1}"),
		fload("#!lua name=lib2\nredis.register_function{callback=function() end}"),
		fload("#!lua name=lib2\nredis.register_function{function_name='x'}"),
		fload("#!lua name=lib2\nredis.register_function{function_name='x', callback=1}"),
		fload("#!lua name=lib2\nredis.register_function{function_name='x', callback=function() end, description={}}"),
		fload("#!lua name=lib2\nredis.register_function()"), fload("#!lua name=lib2\nredis.register_function{[1]=2}"),
		fload("#!lua name=lib2\nredis.call('ping')"), fload("#!lua name=lib2\nerror('x')"), fload("#!lua name=lib2\nreturn ("),
		fload("#!lua name=lib2\nx = 1"), fload("#!lua name=lib2\nlocal t = y"),
		fload("#!lua name=lib2\nredis.register_function('f2', function() return 1 end, 'extra')"),
		fload("#!lua name=lib2\nredis.register_function{function_name='f2', callback=function() end, flags='no-writes'}"),
		fload("#!lua name=lib2\nredis.register_function{function_name='f2', callback=function() end, description=1}"),
		fload("#!lua name=lib3\nredis.register_function{function_name='f3', callback=function() end, flags={'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}}"),
		{"FUNCTION", "LIST", "LIBRARYNAME", "lib2"}, {"FUNCTION", "LIST", "LIBRARYNAME", "LIB3", "WITHCODE"},
		{"FUNCTION", "LIST", "withcode", "libraryname", "lib2"},
	}
	for _, g := range []string{"_G", "string", "table", "math", "cjson", "bit", "struct", "cmsgpack", "tostring", "pcall", "KEYS", "ARGV"} {
		cmds = append(cmds, fload("#!lua name=lib9\nlocal x = "+g))
	}
	for _, r := range []string{"register_function", "log", "setresp", "call", "pcall", "error_reply", "sha1hex", "set_repl", "breakpoint", "LOG_DEBUG", "REDIS_VERSION", "REPL_ALL"} {
		cmds = append(cmds, fload("#!lua name=lib9\nlocal x = redis."+r+"; if x == nil then local y = nonexist_"+r+" end"))
	}
	cmds = append(cmds,
		fload("#!lua name=lib4\n"+
			"redis.register_function('g', function(keys, args) local t={} for k,v in pairs(_G) do t[#t+1]=k..':'..type(v) end table.sort(t) return t end)\n"+
			"redis.register_function('r', function(keys, args) local t={} for k,v in pairs(redis) do t[#t+1]=k end table.sort(t) return t end)\n"+
			"redis.register_function('e', function(keys, args) return redis.call('incr', 's') end)\n"+
			"redis.register_function('e2', function(keys, args) error('boom') end)\n"+
			"redis.register_function('e3', function(keys, args) return y end)\n"+
			"redis.register_function('e4', function(keys, args) x = 1 end)\n"+
			"redis.register_function('w', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"+
			"redis.register_function{function_name='nw', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end, flags={'no-writes'}}"),
		[]string{"SET", "s", "x"}, []string{"FCALL", "g", "0"}, []string{"FCALL", "r", "0"}, []string{"FCALL", "e", "0"},
		[]string{"FCALL", "e2", "0"}, []string{"FCALL", "e3", "0"}, []string{"FCALL", "e4", "0"}, []string{"FCALL_RO", "w", "1", "k", "v"},
		[]string{"FCALL", "nw", "1", "k", "v"}, []string{"FCALL", "w", "1", "k", "v"}, []string{"GET", "k"},
		[]string{"FUNCTION", "DELETE", "nosuch"}, []string{"FUNCTION", "DELETE", "lib4"}, []string{"FUNCTION", "FLUSH", "FOO"},
		[]string{"FUNCTION", "FLUSH", "ASYNC"}, []string{"FUNCTION", "FLUSH", "SYNC"}, []string{"FUNCTION", "FLUSH", "SYNC", "ASYNC"},
		[]string{"FUNCTION", "LIST", "FOO"}, []string{"FUNCTION", "LIST", "LIBRARYNAME"}, []string{"FUNCTION", "LIST", "WITHCODE", "WITHCODE"},
		[]string{"FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"}, []string{"FUNCTION", "RESTORE", "garbage"},
		[]string{"FUNCTION", "RESTORE", ""}, []string{"FUNCTION", "DUMP"}, []string{"FUNCTION", "RESTORE", "x", "FOO"},
		[]string{"FUNCTION", "LOAD", "REPLACE"},
		fload("#!lua name=q\nredis.register_function('q', function() return 1 end)", "FOO"),
		fload("#!lua name=q\nredis.register_function('q', function() return 1 end)", "REPLACE", "REPLACE"),
		fload("#!lua name=q\nredis.register_function('q', function() return 1 end)"),
		fload("#!lua name=q\nredis.register_function('q2', function() return 2 end)", "REPLACE"),
		[]string{"FCALL", "q", "0"}, []string{"FCALL", "q2", "0"}, []string{"FUNCTION", "DUMP"},
		fload("#!python name=x\nreturn 1"), fload("#!lua name=x"), fload("#!lua name=x name=y\nredis.register_function('fy', function() return 1 end)"),
		fload("#! lua name=x\nreturn 1"), fload("#!lua  name=z\nredis.register_function('fz', function() return 1 end)"),
		fload("#!lua name=x flags=no-writes\nreturn 1"), fload("#!luax name=x\nreturn 1"), fload("#!LUA name=t2\nredis.register_function('t2', function() end)"),
		fload("#!python name=\nreturn 1"), fload("#!lua name=z2 \nredis.register_function('FZ2', function() return 1 end)"),
		[]string{"FCALL", "fz2", "0"}, fload("#!lua name=Z2\nredis.register_function('fz3', function() return 1 end)"),
		fload("#!lua name=z2\nredis.register_function('fz3', function() return 1 end)"),
		[]string{"FUNCTION", "DELETE", "Z2"}, []string{"FUNCTION", "DELETE", "z2"},
		fload("#!lua name=t1\nredis.register_function(1, function() end)"),
		fload("#!lua name=t1\nredis.register_function('x', function() end) redis.log(redis.LOG_WARNING, 'loaded') return 5", "REPLACE"),
		fload("#!lua name=t1\nredis.register_function('x', function() end) local s = ('abc'):upper()", "REPLACE"),
		fload("#!lua name=ret\nredis.register_function('rt', function(k, a) return {1, {ok='s'}, {err='E x'}, redis.call('ping')} end)"),
		[]string{"FCALL", "rt", "0"},
		fload("#!lua name=ret3\nredis.register_function('rt3', function(k, a) return redis.register_function end)"), []string{"FCALL", "rt3", "0"},
		fload("#!lua name=inf\nlocal i = 0 while true do i = i + 1 end"),
		[]string{"FUNCTION", "STATS"},
	)
	diffBothProtocols(t, cmds...)
}

// TestFunctionsDumpCrossRestore moves FUNCTION DUMP payloads between Redis and Cinnabar in
// both directions, with a library long enough for Redis to compress.
func TestFunctionsDumpCrossRestore(t *testing.T) {
	long := "#!lua name=longlib\n"
	for i := 0; i < 10; i++ {
		long += "redis.register_function('lf" + string(rune('0'+i)) + "', function(keys, args) return 'value of a fairly long library " + string(rune('0'+i)) + "' end)\n"
	}
	short := "#!lua name=a\nredis.register_function('fa2', function() return 'a2' end)"
	ref := newClient(t, referenceAddr(t), 2)
	t.Cleanup(func() { ref.ConfigResetStat(ctx); ref.FunctionFlush(ctx) })
	srv := startServer(t)
	ours := newClient(t, srv.Addr(), 2)
	for _, c := range []*redis.Client{ref, ours} {
		require.NoError(t, c.FunctionFlush(ctx).Err())
		require.NoError(t, c.FunctionLoad(ctx, long).Err())
		require.NoError(t, c.FunctionLoad(ctx, short).Err())
	}
	refDump, err := ref.FunctionDump(ctx).Result()
	require.NoError(t, err)
	ourDump, err := ours.FunctionDump(ctx).Result()
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		dst     *redis.Client
		payload string
	}{{"redis to cinnabar", ours, refDump}, {"cinnabar to redis", ref, ourDump}} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.dst.Do(ctx, "FUNCTION", "RESTORE", tc.payload, "FLUSH").Err())
			require.Equal(t, "value of a fairly long library 7", tc.dst.FCall(ctx, "lf7", nil).Val())
			require.Equal(t, "a2", tc.dst.FCall(ctx, "fa2", nil).Val())
			require.ErrorContains(t, tc.dst.FunctionRestore(ctx, tc.payload).Err(), "already exists")
		})
	}
	// A library dumps byte for byte alike, compressed or not. (With several libraries,
	// Redis's order is its dictionary's.)
	for _, lib := range []string{long, short} {
		for _, c := range []*redis.Client{ref, ours} {
			require.NoError(t, c.FunctionFlush(ctx).Err())
			require.NoError(t, c.FunctionLoad(ctx, lib).Err())
		}
		require.Equal(t, ref.FunctionDump(ctx).Val(), ours.FunctionDump(ctx).Val())
	}
	// A corrupted payload is refused by both.
	bad := refDump[:len(refDump)-1] + string(refDump[len(refDump)-1]^1)
	for _, c := range []*redis.Client{ref, ours} {
		require.Equal(t, "ERR DUMP payload version or checksum are wrong", c.FunctionRestore(ctx, bad).Err().Error())
	}
	require.True(t, strings.HasPrefix(refDump, "\xf5"))
}
