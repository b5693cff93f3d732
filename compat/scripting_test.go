package compat

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// ev builds an EVAL call without keys.
func ev(src string, args ...string) []string { return append([]string{"EVAL", src, "0"}, args...) }

// diffCommands sends each command to the reference server and to a fresh Cinnabar, on
// one connection each speaking RESP proto, and requires identical raw replies. The
// reference starts without data, scripts or functions.
func diffCommands(t *testing.T, proto int, cmds ...[]string) {
	t.Helper()
	ref := dialRaw(t, referenceAddr(t))
	srv := startServer(t)
	ours := dialRaw(t, srv.Addr())
	for _, c := range []*rawConn{ref, ours} {
		if proto == 3 {
			c.Do(t, "HELLO", "3")
		}
	}
	ref.Do(t, "FLUSHALL")
	ref.Do(t, "SCRIPT", "FLUSH")
	ref.Do(t, "FUNCTION", "FLUSH")
	// The reference is shared by the whole test binary: leave its statistics clean.
	t.Cleanup(func() { ref.Do(t, "CONFIG", "RESETSTAT") })
	for _, args := range cmds {
		want, got := ref.Do(t, args...), ours.Do(t, args...)
		assert.Equal(t, want, got, "RESP%d %q", proto, args)
	}
}

func diffBothProtocols(t *testing.T, cmds ...[]string) {
	t.Helper()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) { diffCommands(t, proto, cmds...) })
	}
}

func TestScriptingGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		// redis.NewScript tries EVALSHA and falls back to EVAL on NOSCRIPT.
		incrBy := redis.NewScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`)
		exists, err := rdb.ScriptExists(ctx, incrBy.Hash()).Result()
		require.NoError(t, err)
		require.Equal(t, []bool{false}, exists)
		n, err := incrBy.Run(ctx, rdb, []string{"counter"}, 5).Int64()
		require.NoError(t, err)
		require.Equal(t, int64(5), n)
		exists, err = rdb.ScriptExists(ctx, incrBy.Hash()).Result()
		require.NoError(t, err)
		require.Equal(t, []bool{true}, exists)
		n, err = incrBy.EvalSha(ctx, rdb, []string{"counter"}, 2).Int64()
		require.NoError(t, err)
		require.Equal(t, int64(7), n)

		sha, err := rdb.ScriptLoad(ctx, "return {KEYS[1], ARGV[1], 42, {ok='fine'}}").Result()
		require.NoError(t, err)
		v, err := rdb.EvalSha(ctx, sha, []string{"k"}, "a").Result()
		require.NoError(t, err)
		require.Equal(t, []any{"k", "a", int64(42), "fine"}, v)
		require.NoError(t, rdb.ScriptFlush(ctx).Err())
		err = rdb.EvalSha(ctx, sha, []string{"k"}, "a").Err()
		require.True(t, strings.HasPrefix(err.Error(), "NOSCRIPT"), err)

		ro, err := rdb.EvalRO(ctx, "return redis.call('GET', KEYS[1])", []string{"counter"}).Result()
		require.NoError(t, err)
		require.Equal(t, "7", ro)
		err = rdb.EvalRO(ctx, "return redis.call('SET', KEYS[1], 1)", []string{"counter"}).Err()
		require.ErrorContains(t, err, "Write commands are not allowed from read-only scripts.")

		// Errors come back as Redis errors with the script's location.
		require.NoError(t, rdb.Set(ctx, "str", "x", 0).Err())
		err = rdb.Eval(ctx, "return redis.call('INCR', KEYS[1])", []string{"str"}).Err()
		require.ErrorContains(t, err, "ERR value is not an integer or out of range script: ")
		require.Equal(t, redis.Nil, rdb.Eval(ctx, "return nil", nil).Err())
	})
}

// A sliding-window rate limiter: at most limit calls per window milliseconds per key.
const slidingWindow = `
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  return 0
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 1`

// A fixed-window limiter on strings, for servers without sorted sets.
const fixedWindow = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then return 0 end
return 1`

func TestScriptingRateLimiter(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	if err := rdb.ZAdd(ctx, "probe", redis.Z{Score: 1, Member: "m"}).Err(); err != nil {
		t.Log("sorted sets unavailable, testing the string limiter only:", err)
	} else {
		limiter := redis.NewScript(slidingWindow)
		allowed := 0
		for i := 0; i < 10; i++ {
			ok, err := limiter.Run(ctx, rdb, []string{"rl:user"}, 1000+i, 100, 5, "req"+strconv.Itoa(i)).Int()
			require.NoError(t, err)
			allowed += ok
		}
		require.Equal(t, 5, allowed)
		// Later, the first calls left the window.
		ok, err := limiter.Run(ctx, rdb, []string{"rl:user"}, 1102, 100, 5, "late").Int()
		require.NoError(t, err)
		require.Equal(t, 1, ok)
		require.Equal(t, int64(3), rdb.ZCard(ctx, "rl:user").Val())
		require.Greater(t, rdb.PTTL(ctx, "rl:user").Val(), time.Duration(0))
	}
	limiter := redis.NewScript(fixedWindow)
	allowed := 0
	for i := 0; i < 8; i++ {
		ok, err := limiter.Run(ctx, rdb, []string{"fw:user"}, 60000, 3).Int()
		require.NoError(t, err)
		allowed += ok
	}
	require.Equal(t, 3, allowed)
}

func TestScriptingLockRelease(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 3)
	release := redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)
	require.True(t, rdb.SetNX(ctx, "lock", "token-a", time.Minute).Val())
	n, err := release.Run(ctx, rdb, []string{"lock"}, "token-b").Int()
	require.NoError(t, err)
	require.Equal(t, 0, n)
	require.Equal(t, "token-a", rdb.Get(ctx, "lock").Val())
	n, err = release.Run(ctx, rdb, []string{"lock"}, "token-a").Int()
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, int64(0), rdb.Exists(ctx, "lock").Val())
}

// TestScriptingPatternsUnderContention runs the two script patterns people rely on
// from many clients at once: a sliding-window limiter (exactly limit calls admitted
// per window, whatever the interleaving) and a lock taken with SET NX PX and released
// with a compare-and-delete script (the counter it guards, updated by a non-atomic
// GET then SET, loses no update).
func TestScriptingPatternsUnderContention(t *testing.T) {
	srv := startServer(t)
	limiter := redis.NewScript(slidingWindow)
	release := redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)
	const workers, calls, limit = 8, 40, 25
	var admitted, increments atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2 + w%2})
			defer rdb.Close()
			for i := 0; i < calls; i++ {
				// All calls fall in one window (now is fixed), so exactly limit pass.
				ok, err := limiter.Run(ctx, rdb, []string{"rl:shared"}, 5000, 60000, limit, fmt.Sprintf("w%d-%d", w, i)).Int()
				if err != nil {
					errs <- err
					return
				}
				admitted.Add(int64(ok))
				token := fmt.Sprintf("token-%d-%d", w, i)
				for !rdb.SetNX(ctx, "lock:counter", token, 10*time.Second).Val() {
					runtime.Gosched()
				}
				v, _ := rdb.Get(ctx, "guarded").Int()
				if err := rdb.Set(ctx, "guarded", v+1, 0).Err(); err != nil {
					errs <- err
					return
				}
				increments.Add(1)
				if n, err := release.Run(ctx, rdb, []string{"lock:counter"}, token).Int(); err != nil || n != 1 {
					errs <- fmt.Errorf("release: %d, %v", n, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	rdb := newClient(t, srv.Addr(), 2)
	require.Equal(t, int64(limit), admitted.Load())
	require.Equal(t, int64(limit), rdb.ZCard(ctx, "rl:shared").Val())
	require.Equal(t, strconv.FormatInt(increments.Load(), 10), rdb.Get(ctx, "guarded").Val())
	require.Equal(t, int64(workers*calls), increments.Load())
	require.Zero(t, rdb.Exists(ctx, "lock:counter").Val())
}

func TestScriptingAtomicity(t *testing.T) {
	srv := startServer(t)
	// A read-modify-write that loses updates unless the script runs atomically, racing
	// with plain INCRs on other keys and on the same key.
	rmw := redis.NewScript(`
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SET', KEYS[1], v + 1)
return v + 1`)
	incr := redis.NewScript(`return redis.call('INCR', KEYS[1])`)
	const workers, each = 8, 100
	var wg sync.WaitGroup
	var failures atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2 + w%2})
			defer rdb.Close()
			for i := 0; i < each; i++ {
				if err := rmw.Run(ctx, rdb, []string{"rmw"}).Err(); err != nil {
					failures.Add(1)
				}
				if err := incr.Run(ctx, rdb, []string{"incr"}).Err(); err != nil {
					failures.Add(1)
				}
				if err := rdb.Incr(ctx, "plain:"+strconv.Itoa(w%4)).Err(); err != nil {
					failures.Add(1)
				}
			}
		}(w)
	}
	wg.Wait()
	require.Zero(t, failures.Load())
	rdb := newClient(t, srv.Addr(), 2)
	require.Equal(t, strconv.Itoa(workers*each), rdb.Get(ctx, "rmw").Val())
	require.Equal(t, strconv.Itoa(workers*each), rdb.Get(ctx, "incr").Val())
}

func TestScriptingEffects(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	// A client blocked on a list is served by a script's push.
	blocked := newClient(t, srv.Addr(), 2)
	res := make(chan []string, 1)
	go func() { res <- blocked.BLPop(ctx, 5*time.Second, "queue").Val() }()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, rdb.Eval(ctx, "redis.call('RPUSH', KEYS[1], 'a', 'b') return 1", []string{"queue"}).Err())
	select {
	case got := <-res:
		require.Equal(t, []string{"queue", "a"}, got)
	case <-time.After(5 * time.Second):
		t.Fatal("BLPOP was not served by the script's RPUSH")
	}
	// A script's write invalidates WATCH.
	watcher := newClient(t, srv.Addr(), 2)
	err := watcher.Watch(ctx, func(tx *redis.Tx) error {
		require.NoError(t, rdb.Eval(ctx, "return redis.call('SET', KEYS[1], 'x')", []string{"watched"}).Err())
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error { return p.Set(ctx, "watched", "y", 0).Err() })
		return err
	}, "watched")
	require.ErrorIs(t, err, redis.TxFailedErr)
	// SELECT inside a script changes only the script's database.
	require.Equal(t, "in9", rdb.Eval(ctx, "redis.call('SELECT', 9) redis.call('SET', 'k', 'in9') return redis.call('GET', 'k')", nil).Val())
	require.Equal(t, redis.Nil, rdb.Get(ctx, "k").Err())
	// Scripts run inside MULTI.
	pipe := rdb.TxPipeline()
	pipe.Eval(ctx, "return redis.call('INCR', KEYS[1])", []string{"m"})
	pipe.Eval(ctx, "return redis.call('INCR', KEYS[1])", []string{"m"})
	cmds, err := pipe.Exec(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), cmds[1].(*redis.Cmd).Val())
	// Blocking commands are refused inside scripts.
	require.ErrorContains(t, rdb.Eval(ctx, "return redis.call('BLPOP', 'none', 0)", nil).Err(),
		"ERR This Redis command is not allowed from script script: ")
}

// patientClient is a client that waits long for replies, to run long scripts.
func patientClient(t *testing.T, addr string, proto int) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, MaxRetries: -1, ReadTimeout: 20 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Commands sent while a script runs wait for it until busy-reply-threshold has passed;
// from then on they get -BUSY. The tests wait past the threshold before sending any.

func TestScriptingBusyAndKill(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("busy-reply-threshold", "100"))
	rdb := patientClient(t, srv.Addr(), 2)
	other := newClient(t, srv.Addr(), 2)
	require.Equal(t, "NOTBUSY No scripts in execution right now.", other.ScriptKill(ctx).Err().Error())

	done := make(chan error, 1)
	go func() { done <- rdb.Eval(ctx, "local i = 0 while true do i = i + 1 end", nil).Err() }()
	time.Sleep(300 * time.Millisecond)
	require.Eventually(t, func() bool {
		err := other.Get(ctx, "x").Err()
		return err != nil && strings.HasPrefix(err.Error(), "BUSY ")
	}, 5*time.Second, 20*time.Millisecond)
	require.Equal(t, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", other.Ping(ctx).Err().Error())
	require.Equal(t, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", other.Do(ctx, "FUNCTION", "KILL").Err().Error())
	require.NoError(t, other.ScriptKill(ctx).Err())
	select {
	case err := <-done:
		require.ErrorContains(t, err, "ERR Script killed by user with SCRIPT KILL... script: ")
	case <-time.After(5 * time.Second):
		t.Fatal("the script was not killed")
	}
	require.Equal(t, "PONG", other.Ping(ctx).Val())

	// A script that wrote cannot be killed.
	stop := make(chan error, 1)
	go func() {
		stop <- rdb.Eval(ctx, "redis.call('SET', 'w', '1') while true do end", nil).Err()
	}()
	time.Sleep(300 * time.Millisecond)
	require.Eventually(t, func() bool {
		err := other.ScriptKill(ctx).Err()
		return err != nil && strings.HasPrefix(err.Error(), "UNKILLABLE ")
	}, 5*time.Second, 20*time.Millisecond)
	select {
	case err := <-stop:
		t.Fatalf("the script ended: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestFunctionKillAndStats(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("busy-reply-threshold", "100"))
	rdb := patientClient(t, srv.Addr(), 3)
	other := newClient(t, srv.Addr(), 3)
	require.NoError(t, rdb.FunctionLoad(ctx, "#!lua name=spin\nredis.register_function('spin', function() while true do end end)").Err())
	done := make(chan error, 1)
	go func() { done <- rdb.FCall(ctx, "spin", nil).Err() }()
	time.Sleep(300 * time.Millisecond)
	require.Eventually(t, func() bool {
		err := other.Get(ctx, "x").Err()
		return err != nil && err.Error() == "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	}, 5*time.Second, 20*time.Millisecond)
	stats, err := other.FunctionStats(ctx).Result()
	require.NoError(t, err)
	running, ok := stats.RunningScript()
	require.True(t, ok)
	require.Equal(t, "spin", running.Name)
	require.Equal(t, []string{"fcall", "spin", "0"}, running.Command)
	require.Equal(t, "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.", other.ScriptKill(ctx).Err().Error())
	require.NoError(t, other.FunctionKill(ctx).Err())
	select {
	case err := <-done:
		require.ErrorContains(t, err, "ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.")
	case <-time.After(5 * time.Second):
		t.Fatal("the function was not killed")
	}
	stats, err = other.FunctionStats(ctx).Result()
	require.NoError(t, err)
	require.False(t, stats.Running())
}

func TestScriptingServerCloseStopsScript(t *testing.T) {
	// Closed past busy-reply-threshold, or before it: the script stops at the threshold.
	for _, wait := range []time.Duration{150 * time.Millisecond, 10 * time.Millisecond} {
		srv, err := cinnabartest.New(cinnabartest.WithConfig("busy-reply-threshold", "50"))
		require.NoError(t, err)
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
		defer rdb.Close()
		go func() { _ = rdb.Eval(context.Background(), "redis.call('SET', 'w', 1) while true do end", nil).Err() }()
		time.Sleep(wait)
		closed := make(chan struct{})
		go func() { srv.Close(); close(closed) }()
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			t.Fatalf("Close %v after the call waited for the running script", wait)
		}
	}
}

func TestScriptingDifferentialReplies(t *testing.T) {
	diffBothProtocols(t,
		ev(`return 3.99`), ev(`return -3.99`), ev(`return {1,2,nil,3}`), ev(`return {ok='fine'}`),
		ev(`return {err='bad thing'}`), ev(`return {err='MYCODE bad'}`), ev(`return true`), ev(`return false`),
		ev(`return nil`), ev(`return 'x'`), ev(`return {1,'a',{2,{3}},true,false}`), ev(`return 1e20`),
		ev(`return -1e20`), ev(`return 0/0`), ev(`return 1/0`), ev(`return 9007199254740993`), ev(`return {a=1}`),
		ev(`return {1,{err='x'},{ok='y'}}`), ev(`return {ok='a',err='b'}`), ev(`return {ok=1}`), ev(`return {err=1}`),
		ev(`return {double=1.5}`), ev(`return {double=0.1}`), ev(`return {double=1/0}`), ev(`return {double=0/0}`),
		ev(`return {map={a=1}}`), ev(`return {map={a={1,2}}}`), ev(`return {map={}}`), ev(`return {set={a=true}}`),
		ev(`return {big_number='123'}`), ev(`return {verbatim_string={format='txt',string='hi'}}`),
		ev(`return {verbatim_string={format='markdown',string='hi'}}`), ev(`return {1,2,n=3}`),
		ev(`return function() end`), ev(`return 'a\0b'`), ev(`return {ok='a\r\nb'}`),
		ev(`redis.setresp(3) return true`), ev(`redis.setresp(3) return false`), ev(`redis.setresp(3) return nil`),
		ev(`return KEYS`), []string{"EVAL", "return {KEYS, ARGV}", "2", "a", "b", "c", "d"},
		ev(`return #ARGV`, "x", "y"),
	)
}

func TestScriptingDifferentialRedisCall(t *testing.T) {
	diffBothProtocols(t,
		[]string{"HSET", "h", "f", "v"}, []string{"SADD", "st", "m"}, []string{"ZADD", "z", "1.5", "m"}, []string{"RPUSH", "l", "a", "b"},
		ev(`redis.setresp(3) local r = redis.call('hgetall','h') return {type(r), type(r.map), r.map.f}`),
		ev(`redis.setresp(3) local r = redis.call('smembers','st') return {type(r.set), tostring(r.set.m)}`),
		ev(`redis.setresp(3) local r = redis.call('zscore','z','m') return {type(r), type(r.double), tostring(r.double)}`),
		ev(`redis.setresp(3) local r = redis.call('get','nokey') return {type(r), tostring(r)}`),
		ev(`redis.setresp(3) return redis.call('hgetall','h')`), ev(`redis.setresp(3) return redis.call('smembers','st')`),
		ev(`redis.setresp(3) return redis.call('zscore','z','m')`), ev(`redis.setresp(3) return redis.call('lpop','nolist')`),
		ev(`local r = redis.call('get','nokey') return {type(r), tostring(r)}`), ev(`return redis.call('hgetall','h')`),
		ev(`return redis.call('lrange','l',0,-1)`), ev(`return redis.call('type','l')`), ev(`return redis.call('ping')`),
		ev(`return redis.call('lpop','nolist')`), ev(`return redis.call('zscore','z','m')`),
		ev(`redis.call('set','a',1.5) return redis.call('get','a')`), ev(`redis.call('set','a',0.1) return redis.call('get','a')`),
		ev(`redis.call('set','a',1e20) return redis.call('get','a')`), ev(`redis.call('set','a',2^53) return redis.call('get','a')`),
		ev(`redis.call('set','a',2^63) return redis.call('get','a')`), ev(`redis.call('set','a',-0) return redis.call('get','a')`),
		ev(`redis.call('set','a',1/0) return redis.call('get','a')`), ev(`redis.call('set','a',0/0) return redis.call('get','a')`),
		ev(`return redis.call('incrbyfloat','fl',0.1)`),
		ev(`redis.call('select', 9) redis.call('set','dbk','9') return redis.call('get','dbk')`), []string{"GET", "dbk"},
		ev(`return redis.call('select', 99)`), ev(`return redis.call('object','foo')`), ev(`return redis.call('object')`),
		ev(`return redis.call('blpop','x',0)`), ev(`return redis.call('subscribe','x')`), ev(`return redis.call('eval','return 1',0)`),
		ev(`return redis.call('multi')`), ev(`return redis.call('watch','x')`), ev(`return redis.call('publish','x','y')`),
		ev(`local t = {} for i = 1, 100 do t[i] = redis.call('incr', 'loop') end return #t`),
		[]string{"MULTI"}, ev(`return redis.call('incr','m')`), ev(`return redis.call('nosuch')`), []string{"EXEC"},
	)
}

func TestScriptingDifferentialErrors(t *testing.T) {
	diffBothProtocols(t,
		ev(`return redis.call('nosuch')`), ev(`return redis.call('incr','a','b')`),
		ev(`redis.call('set','s','x') return redis.call('incr','s')`), ev(`return redis.pcall('incr','s')`),
		ev(`return redis.pcall('nosuch')`), ev(`local t = redis.pcall('incr','s') return t.err`),
		ev(`return error('boom')`), ev(`error({err='X custom'})`), ev(`error({err='noprefix'})`), ev(`error()`), ev(`error(123)`),
		ev(`error(true)`), ev(`error('x', 0)`), ev(`error('WRONGTYPE x', 0)`), ev(`error(redis.error_reply('MY x'))`),
		ev(`error({err='MY x', source='s', line=9})`), ev(`error('a\nb')`),
		ev("local function f()\n  error('deep')\nend\nlocal x = 1\nreturn f()"),
		ev("local function f()\n  return redis.call('incr','s')\nend\nlocal x = 1\nreturn f()"),
		ev(`return redis.error_reply('My err')`), ev(`return redis.error_reply('-My err')`), ev(`return redis.error_reply('x')`),
		ev(`return redis.error_reply('')`), ev(`return redis.error_reply()`), ev(`return redis.error_reply(1)`),
		ev(`return redis.status_reply('FINE')`), ev(`return redis.status_reply()`), ev(`return {err='-My'}`), ev(`return {err=''}`),
		ev(`local t = redis.error_reply('x') return {t.err}`), ev(`local t = redis.status_reply('x') return {t.ok}`),
		ev(`return redis.call()`), ev(`return redis.call(1)`), ev(`return redis.call('get',{})`), ev(`return redis.call('set','k',true)`),
		ev(`return redis.pcall('get',{})`), ev(`return redis.pcall()`), ev(`return {redis.pcall('set')}`),
		ev(`local ok, e = pcall(redis.call, 'incr', 's') return {tostring(ok), type(e), e}`),
		ev(`local ok, e = pcall(error, {err='x'}) return e`),
		ev(`local ok, e = pcall(function() error({1,2}) end) return {type(e)}`),
		ev(`local ok, e = xpcall(function() error({err='y'}) end, function(x) return x end) return {type(e), e.err}`),
		ev(`local ok, e = pcall(redis.call, 'incr', 's') error(e)`), ev(`return {pcall(error)}`),
		ev(`return (`), ev(`return y`), ev(`return math.random(0)`), ev(`return math.random(1,2,3)`), ev(`return math.random(3,1)`),
		ev(`return redis.sha1hex()`), ev(`return redis.log(99, 'x')`), ev(`return redis.log(1)`), ev(`return redis.log('a','b')`),
		ev(`return redis.set_repl(99)`), ev(`return redis.set_repl()`), ev(`redis.setresp(4)`), ev(`redis.setresp()`),
		ev(`return redis.acl_check_cmd('nosuch')`), ev(`return redis.acl_check_cmd()`),
		ev(`return cjson.encode()`), ev(`return cjson.decode('[1,')`), ev(`return cmsgpack.unpack('\193')`),
		ev(`return bit.band('x')`), ev(`return struct.pack('y', 1)`), ev(`return unpack({}, 1, 1e7)`),
		[]string{"EVAL", "return 1", "-1"}, []string{"EVAL", "return 1", "1"}, []string{"EVAL", "return 1", "abc"},
		[]string{"EVAL", "return (", "-1"}, []string{"EVAL"}, []string{"EVAL", "x"},
	)
}

func TestScriptingDifferentialSandbox(t *testing.T) {
	cmds := [][]string{
		ev(`x = 1`), ev(`redis.x = 1`), ev(`string.x = 1`), ev(`rawset(_G, 'x', 1) return x`), ev(`setmetatable(_G, nil) return 1`),
		ev(`getmetatable('').__index = {} return 1`), ev(`table.insert(_G, 1) return 1`), ev(`return type(getmetatable(''))`),
		ev(`return type(getmetatable('').__index)`), ev(`return rawget(_G, 'redis') ~= nil`), ev(`return string.x`), ev(`return redis.x`),
		ev(`return tostring(_G._G == _G)`), ev(`return loadstring('return 1+1')()`), ev(`return ('x'):rep(3)`),
		ev(`local t = setmetatable({}, {__metatable='locked'}) return getmetatable(t)`),
		ev(`local t = {} setmetatable(t, {__index=function(t,k) return k..'!' end}) return t.a`),
		ev(`local t={} for k,v in pairs(_G) do t[#t+1]=k..':'..type(v) end table.sort(t) return t`),
		ev(`local t={} for k,v in pairs(redis) do t[#t+1]=k..':'..tostring(type(v)=='function' and 'f' or v) end table.sort(t) return t`),
		ev(`local r={} for _,lib in ipairs({'string','table','math','cjson','cmsgpack','bit','struct','coroutine'}) do for k in pairs(_G[lib]) do r[#r+1]=lib..'.'..k end end table.sort(r) return r`),
		ev(`return _VERSION`), ev(`return type(arg)`), ev(`local function f(...) return arg.n end return f(1,2)`),
		ev(`return tostring(1/3)`), ev(`return tostring(1e100)`), ev(`return tostring(12345678901234567)`), ev(`return tostring(-0)`),
		ev(`return tostring(0/0)`), ev(`return tostring(1/0)`), ev(`return tostring(2^53)`), ev(`return tonumber('0x10')`),
		ev(`return tonumber(' 10 ')`), ev(`return tonumber('1e2')`), ev(`return tonumber('z', 36)`), ev(`return '10' + 1`),
		ev(`math.randomseed(42) return {math.random(1000), tostring(math.random()), math.random(5, 10)}`),
		ev(`return string.format('%.3f %d %s %q %5.1s %x', 1.23456, 42, 'hi', 'a"b', 'xyz', 255)`),
		ev(`return redis.sha1hex('')`), ev(`return redis.sha1hex(123)`), ev(`return redis.sha1hex({})`),
		ev(`return redis.log(redis.LOG_WARNING, 'from a script')`), ev(`return redis.set_repl(redis.REPL_ALL)`), ev(`return redis.set_repl('1')`),
		ev(`return redis.replicate_commands()`), ev(`return redis.breakpoint()`), ev(`return redis.debug('x')`),
		ev(`return redis.acl_check_cmd('get','x')`), ev(`return redis.setresp(3)`), ev(`redis.setresp('3') return 1`),
		ev(`local co = coroutine.create(function(a) local b = coroutine.yield(a+1) return b*2 end) local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) return {x, y}`),
		ev(`return {select('#', 1, 2, 3), select(2, 'a', 'b', 'c')}`), ev(`local t = {3,1,2} table.sort(t) return t`),
		ev(`return table.concat({1, 2, 'x'}, '-')`), ev(`return {string.find('hello world', 'o w')}`), ev(`return string.gsub('abc', 'b', 'X')`),
		// Scripts that assign no global run in a copy of the globals (sandbox.go).
		ev(`return nosuch`), ev(`return nosuch()`), ev(`local function f() y = 1 end return 1`), ev(`local function f() y = 1 end f() return 1`),
		ev(`local ok, e = pcall(loadstring('x = 1')) return {tostring(ok), rawget(_G, 'x') == nil}`), ev(`local _, t = pairs(_G) rawset(t, 'x', 1) return x`),
		ev(`local n = 0 for _ in ipairs(_G) do n = n + 1 end return n`), ev(`local f = function() return redis.call('ping') end return f()`),
		[]string{"EVAL", "return {loadstring('return KEYS[2]')(), ARGV[1], #KEYS}", "2", "a", "b", "c"},
		[]string{"EVAL", "local t = {} for i, k in ipairs(KEYS) do t[i] = k .. ARGV[i] end return t", "2", "a", "b", "1", "2"},
	}
	diffBothProtocols(t, cmds...)
}

func TestScriptingDifferentialShebangAndCache(t *testing.T) {
	diffBothProtocols(t,
		[]string{"EVAL_RO", "return redis.call('set','a','1')", "0"}, []string{"EVAL_RO", "return redis.call('get','a')", "0"},
		ev("#!lua flags=no-writes\nreturn redis.call('set','a','1')"),
		ev("#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1"),
		ev("#!lua flags=bad-flag\nreturn 1"), ev("#!lua\nreturn 1"), ev("#!lua flags=\nreturn 1"), ev("#!lua name=x\nreturn 1"),
		ev("#!python\nreturn 1"), ev("#!lua flags=no-writes"), ev("#!lua  flags=no-writes\nreturn 1"), ev("#! lua\nreturn 1"),
		ev("#!lua flags=no-writes flags=allow-oom\nreturn 1"), ev("#!luax\nreturn 1"), ev("#!lua flags=,no-writes\nreturn 2"),
		[]string{"EVAL_RO", "#!lua\nreturn redis.call('set','a','1')", "0"}, ev("#!lua\nreturn redis.call('set','a','1')"),
		ev(`return redis.pcall('set','a','1')`), []string{"EVAL_RO", "return redis.pcall('set','a','1')", "0"},
		ev("#!lua flags=no-writes\nreturn redis.pcall('set','a','1')"), ev("#!lua flags=no-writes\nreturn redis.call('publish','a','1')"),
		ev("#!lua\nerror('x')"), ev("#!lua\n\nreturn y"), ev("#!lua flags=no-writes\nreturn redis.call('get','a')"),
		[]string{"EVAL", "#!lua flags=bad\nreturn (", "0"}, []string{"EVAL_RO", "#!lua\nreturn (", "0"},
		[]string{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"}, []string{"EVALSHA", "abc", "0"},
		[]string{"EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", "0"},
		[]string{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "-1"}, []string{"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "5"},
		[]string{"SCRIPT", "LOAD", "return 1"}, []string{"SCRIPT", "LOAD", "return ("},
		[]string{"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "ffffffffffffffffffffffffffffffffffffffff"},
		[]string{"SCRIPT", "EXISTS", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"},
		[]string{"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"}, []string{"EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
		[]string{"EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8dbx", "0"}, []string{"SCRIPT", "HELP"},
		[]string{"SCRIPT", "FLUSH", "ASYNC"}, []string{"SCRIPT", "FLUSH", "SYNC"}, []string{"SCRIPT", "FLUSH", "FOO"},
		[]string{"SCRIPT", "FLUSH", "SYNC", "ASYNC"}, []string{"SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"},
		[]string{"SCRIPT", "KILL"}, []string{"SCRIPT", "FOO"}, []string{"SCRIPT", "DEBUG", "NO"}, []string{"SCRIPT", "DEBUG", "FOO"},
		[]string{"SCRIPT", "EXISTS"}, []string{"SCRIPT"}, []string{"EVAL", "return 1", "9999999999999999999999"},
		[]string{"COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"}, []string{"COMMAND", "GETKEYS", "FCALL", "f", "1", "a"},
		[]string{"FUNCTION", "KILL"},
	)
}

func TestScriptingDifferentialLibraries(t *testing.T) {
	var cmds [][]string
	for _, s := range []string{
		`return cjson.encode({1,2,3})`, `return cjson.encode({a=1})`, `return cjson.encode({})`,
		`return cjson.encode({1.5, 0.1, 1/3, 1e20, -0, 2^53, 123456789012345})`,
		`return cjson.encode('a"b\\c/d\n\t\1\127\128\233')`, `return cjson.encode(cjson.null)`, `return cjson.encode(true)`,
		`return cjson.encode(nil)`, `return cjson.encode({1,nil,3})`, `return cjson.encode({[1]=1,[2]=2,[4]=4})`,
		`return cjson.encode({[1]=1,[20]=2})`, `return cjson.encode({[2]=1})`, `return cjson.encode({[1.5]=1})`,
		`return cjson.encode({[true]=1})`, `return cjson.encode(function() end)`, `return cjson.encode(1/0)`,
		`return cjson.encode(1,2)`, `return cjson.encode({[0]=1})`, `return cjson.encode({{},{{}}})`, `return cjson.encode(-12.25)`,
		`return cjson.encode(1e-7)`, `return cjson.encode(100000000000000)`, `return cjson.encode({['a/b']={1,{c='d'}}})`,
		`local t = {} t[1] = t return cjson.encode(t)`,
		`local t = cjson.decode('[1,2.5,"x",true,false,null,{"a":[]}]') return {t[1], tostring(t[2]), t[3], tostring(t[4]), tostring(t[5]), tostring(t[6]), type(t[7]), type(t[7].a), #t}`,
		`return tostring(cjson.decode('null') == cjson.null)`, `return cjson.decode('"\\u00e9\\ud83d\\ude00\\/"')`,
		`return cjson.decode('{"a":1,}')`, `return cjson.decode('[1] x')`, `return cjson.decode('{1:2}')`, `return cjson.decode('"abc')`,
		`return cjson.decode('nul')`, `return cjson.decode('1e400')`, `return tostring(cjson.decode('0x10'))`,
		`return cjson.decode('"\\x"')`, `return cjson.decode(string.rep('[', 1001))`, `return cjson.decode()`, `return cjson.decode('\0\0')`,
		`return cjson.decode('{"a":{"b":[1,2,{"c":null}]}}').a.b[3].c == cjson.null`, `return tostring(cjson.null)`,
		`return {cjson.encode_sparse_array()}`, `return {cjson.encode_max_depth()}`,
		`return cmsgpack.pack(nil, true, false, 0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296)`,
		`return cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, 1.5, 0.1, 1e20, 2^63, 2^64, 1/0, 0/0, 3.0)`,
		`return cmsgpack.pack('a', string.rep('x',31), string.rep('x',32), string.rep('x',256))`,
		`return cmsgpack.pack({}, {1,2}, {a=1}, {1,nil,3}, {[2]=1}, {[1.5]=1}, {[true]=1}, function() end)`,
		`return cmsgpack.pack({{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}})`,
		`local a,b,c = cmsgpack.unpack(cmsgpack.pack(1,'x',{1,2})) return {a,b,c}`, `return {cmsgpack.unpack('')}`,
		`return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3))}`, `return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), 1)}`,
		`return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2)}`, `return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2, 1)}`,
		`return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), 3)}`, `return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), 4)}`,
		`return cmsgpack.pack()`, `return cmsgpack.unpack()`, `return {cmsgpack.unpack('\205\1')}`,
		`local t = cmsgpack.unpack('\130\161a\1\161b\192') return {t.a, tostring(t.b)}`, `return {cmsgpack.unpack('\196\2ab')}`,
		`return tostring(cmsgpack.unpack('\207\255\255\255\255\255\255\255\255'))`, `return {cmsgpack.unpack_limit('\1\2\3', 0, 1)}`,
		`return {cmsgpack.unpack('\220\0\2\1\2')}`, `local t = cmsgpack.unpack(cmsgpack.pack({a={1,2,{b='c'}}})) return t.a[3].b`,
		`return {bit.tobit(0xffffffff), bit.tobit(2^32+5), bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5), bit.tobit(2^31), bit.tobit(2^53 + 2), bit.tobit(1e300)}`,
		`return {bit.tohex(255), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -4), bit.tohex(0x12345678, 20), bit.tohex(1, 0), bit.tohex(3.5)}`,
		`return {bit.bnot(0), bit.band(0xff, 0x0f, 0x3), bit.bor(1,2,4), bit.bxor(3,5), bit.lshift(1, 31), bit.lshift(1, 32), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.bswap(0x12345678), bit.lshift(1, -1)}`,
		`return bit.band()`, `return bit.band('12', 15)`,
		`return struct.pack('>I2', 258)`, `return struct.pack('<i4', -2)`, `return struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 4, 5)`,
		`return struct.pack('>d', 1.5)`, `return struct.pack('<f', 1.5)`, `return struct.pack('s', 'ab')`, `return struct.pack('c3', 'abcdef')`,
		`return struct.pack('c0', 'abcdef')`, `return struct.pack('c5', 'ab')`, `return struct.pack('!4 b i4', 1, 2)`, `return struct.pack('!i3 i', 1, 2)`,
		`return {struct.unpack('>I2', 'ab')}`, `return {struct.unpack('<i4 b', struct.pack('<i4 b', -5, 7))}`, `return {struct.unpack('s', 'ab\0cd')}`,
		`return {struct.unpack('B c0', '\3abcde')}`, `return {struct.unpack('c2', 'abcd', 2)}`, `return struct.size('>I2 i4 d c5 !8 d')`,
		`return struct.size('s')`, `return struct.pack('i33', 1)`, `return {struct.unpack('>i2', 'a')}`, `return struct.pack('i')`,
		`return {struct.unpack('i9', string.rep('\255', 9))}`, `return struct.pack('<I8', 2^64)`, `return struct.pack('<i8', -2^63)`,
		`return struct.pack('!3 b h', 1, 2)`, `return {struct.unpack('c0', 'abc')}`, `return {struct.unpack('s', 'abc')}`,
		`return {struct.unpack('b', 'abc', 0)}`, `return {struct.unpack('b', 'abc', 4)}`,
	} {
		cmds = append(cmds, ev(s))
	}
	for _, j := range []string{"nan", "inf", "-inf", "Infinity", "+1", ".5", "1.", "-", "1e", "[-]", "1.5e3", "-0.0", "[1 2]",
		`{"a" 1}`, `{"a":1 "b"}`, "[1,]", "{,}", ":", "true x", `"\u12"`, `"\ud800"`, `"\u0000"`, "12abc", "[", `{"a":`, "tru"} {
		cmds = append(cmds, ev(`local v = cjson.decode(ARGV[1]) return {type(v), tostring(v)}`, j))
	}
	diffCommands(t, 2, cmds...)
}

func TestScriptingKeysFunc(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	keys, err := rdb.CommandGetKeys(ctx, "EVAL", "return 1", 2, "a", "b", "c").Result()
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, keys)
	keys, err = rdb.CommandGetKeys(ctx, "FCALL", "f", 1, "k", "arg").Result()
	require.NoError(t, err)
	require.Equal(t, []string{"k"}, keys)
}
