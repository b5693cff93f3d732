package compat

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// clientFields returns the field names of a CLIENT LIST line, in order.
func clientFields(line string) []string {
	var names []string
	for _, kv := range strings.Fields(line) {
		k, _, _ := strings.Cut(kv, "=")
		names = append(names, k)
	}
	return names
}

// clientLine parses a CLIENT LIST line into its fields.
func clientLine(line string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Fields(line) {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

// clientByName finds a client's CLIENT LIST line by name.
func clientByName(t *testing.T, rdb *redis.Client, name string) map[string]string {
	t.Helper()
	for _, line := range strings.Split(rdb.ClientList(ctx).Val(), "\n") {
		if f := clientLine(line); f["name"] == name {
			return f
		}
	}
	t.Fatalf("no client named %s", name)
	return nil
}

func TestClientListFieldsMatchReference(t *testing.T) {
	srv := startServer(t)
	var fields [2][]string
	for i, addr := range []string{referenceAddr(t), srv.Addr()} {
		raw := dialRaw(t, addr)
		reply := raw.Do(t, "CLIENT", "INFO")
		_, body, _ := strings.Cut(reply, "\r\n")
		fields[i] = clientFields(strings.TrimSpace(body))
	}
	// Cinnabar adds Redis 7.2's lib-name and lib-ver at the end.
	require.Equal(t, append(fields[0], "lib-name", "lib-ver"), fields[1])
}

func TestClientDifferential(t *testing.T) {
	diffScript(t, `
		CLIENT LIST TYPE foo
		CLIENT LIST ID x
		CLIENT LIST ID -1
		CLIENT LIST ID 99999999 99999998
		CLIENT LIST foo
		CLIENT LIST TYPE
		CLIENT LIST ID
		CLIENT LIST TYPE normal ID 1
		CLIENT LIST TYPE master
		CLIENT LIST TYPE replica
		CLIENT LIST TYPE slave
		CLIENT KILL 1.2.3.4:5
		CLIENT KILL 1.2.3.4:5 x
		CLIENT KILL ID x
		CLIENT KILL ID 0
		CLIENT KILL ID -5
		CLIENT KILL ID 99999999
		CLIENT KILL foo bar
		CLIENT KILL TYPE foo
		CLIENT KILL TYPE master
		CLIENT KILL SKIPME maybe
		CLIENT KILL ADDR
		CLIENT KILL ADDR 1.2.3.4:5 LADDR 1.2.3.4:6
		CLIENT KILL USER nosuch
		CLIENT KILL LADDR 127.0.0.1:1
		CLIENT KILL MAXAGE 1
		CLIENT KILL
		CLIENT SETNAME ""
		CLIENT GETNAME
		CLIENT GETNAME x
		CLIENT SETNAME a\sb
		CLIENT SETNAME x
		CLIENT GETNAME
		CLIENT REPLY foo
		CLIENT PAUSE x
		CLIENT PAUSE -1
		CLIENT PAUSE 10 foo
		CLIENT PAUSE 10 all x
		CLIENT PAUSE
		CLIENT PAUSE 0
		CLIENT PAUSE 0 WRITE
		CLIENT UNPAUSE x
		CLIENT UNPAUSE
		CLIENT NO-EVICT x
		CLIENT NO-EVICT on
		CLIENT NO-EVICT OFF
		CLIENT NO-EVICT
		CLIENT GETREDIR
		CLIENT TRACKINGINFO
		CLIENT CACHING yes
		CLIENT CACHING no
		CLIENT CACHING foo
		CLIENT TRACKING off
		CLIENT TRACKING foo
		CLIENT TRACKING
		CLIENT UNBLOCK 99999999
		CLIENT UNBLOCK x
		CLIENT UNBLOCK 1 x
		CLIENT ID x
		CLIENT INFO x
		CLIENT NOSUCH
	`)
}

func TestClientList(t *testing.T) {
	srv := startServer(t)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 3, ClientName: "admin"})
	t.Cleanup(func() { _ = admin.Close() })

	self := clientByName(t, admin, "admin")
	require.Equal(t, "N", self["flags"])
	require.Equal(t, "client|list", self["cmd"])
	require.Equal(t, "3", self["resp"])
	require.Equal(t, "go-redis", strings.SplitN(self["lib-name"], "(", 2)[0])
	require.Equal(t, "-1", self["multi"])
	require.Regexp(t, `^127\.0\.0\.1:\d+$`, self["addr"])
	require.Equal(t, srv.Addr(), self["laddr"])
	fd, err := strconv.Atoi(self["fd"])
	require.NoError(t, err)
	require.Positive(t, fd)
	id := admin.ClientID(ctx).Val()
	require.Equal(t, strconv.FormatInt(id, 10), self["id"])
	info := admin.Do(ctx, "CLIENT", "INFO").Val().(string)
	require.Equal(t, "client|info", clientLine(info)["cmd"])
	require.True(t, strings.HasSuffix(info, "\n"))

	// Another connection's state as others see it.
	other := dialRaw(t, srv.Addr())
	other.Do(t, "CLIENT", "SETNAME", "other")
	other.Do(t, "SELECT", "2")
	other.Do(t, "MULTI")
	other.Do(t, "SET", "a", "1")
	other.Do(t, "GET", "a")
	f := clientByName(t, admin, "other")
	require.Equal(t, "2", f["db"])
	require.Equal(t, "x", f["flags"])
	require.Equal(t, "2", f["multi"])
	require.Equal(t, "get", f["cmd"])
	require.Equal(t, "2", f["resp"])
	other.Do(t, "DISCARD")
	other.Do(t, "WATCH", "w")
	admin.Do(ctx, "SELECT", "0")
	redis.NewClient(&redis.Options{Addr: srv.Addr(), DB: 2}).Set(ctx, "w", "changed", 0)
	require.Equal(t, "d", clientByName(t, admin, "other")["flags"])
	other.Do(t, "UNWATCH")
	require.Equal(t, "N", clientByName(t, admin, "other")["flags"])

	sub := dialRaw(t, srv.Addr())
	sub.Do(t, "CLIENT", "SETNAME", "sub")
	sub.Do(t, "SUBSCRIBE", "a")
	sub.Send(t, encodeCommand([]string{"PSUBSCRIBE", "x*", "y*"}))
	sub.Read(t)
	sub.Read(t)
	f = clientByName(t, admin, "sub")
	require.Equal(t, "P", f["flags"])
	require.Equal(t, "1", f["sub"])
	require.Equal(t, "2", f["psub"])
	require.Equal(t, "0", f["ssub"])

	blocked := dialRaw(t, srv.Addr())
	blocked.Do(t, "CLIENT", "SETNAME", "blocked")
	blocked.Send(t, encodeCommand([]string{"BLPOP", "q", "0"}))
	require.Eventually(t, func() bool { return clientByName(t, admin, "blocked")["flags"] == "b" }, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, "blpop", clientByName(t, admin, "blocked")["cmd"])

	// Filters.
	require.Equal(t, 1, strings.Count(admin.ClientList(ctx).Val(), "name=sub "))
	pubsub := admin.Do(ctx, "CLIENT", "LIST", "TYPE", "pubsub").Val().(string)
	require.Equal(t, 1, strings.Count(pubsub, "\n"))
	require.Contains(t, pubsub, "name=sub ")
	normal := admin.Do(ctx, "CLIENT", "LIST", "TYPE", "normal").Val().(string)
	require.NotContains(t, normal, "name=sub ")
	require.Contains(t, normal, "name=blocked ")
	byID := admin.Do(ctx, "CLIENT", "LIST", "ID", strconv.FormatInt(id, 10), "99999").Val().(string)
	require.Equal(t, 1, strings.Count(byID, "\n"))
	require.Contains(t, byID, "name=admin ")
	require.Equal(t, "", admin.Do(ctx, "CLIENT", "LIST", "TYPE", "master").Val())

	// idle and age count seconds.
	time.Sleep(1100 * time.Millisecond)
	f = clientByName(t, admin, "sub")
	require.Equal(t, "1", f["idle"])
	require.Equal(t, "1", f["age"])
}

func TestClientKill(t *testing.T) {
	srv := startServer(t)
	admin := newClient(t, srv.Addr(), 2)

	// Killing one's own connection: the reply comes, then the connection closes.
	self := dialRaw(t, srv.Addr())
	id := strings.TrimSpace(strings.TrimPrefix(self.Do(t, "CLIENT", "ID"), ":"))
	require.Equal(t, ":0\r\n", self.Do(t, "CLIENT", "KILL", "ID", id))
	require.Equal(t, ":1\r\n", self.Do(t, "CLIENT", "KILL", "ID", id, "SKIPME", "no"))
	_ = self.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := self.r.ReadByte()
	require.Error(t, err)

	// The old form, by address, on itself.
	old := dialRaw(t, srv.Addr())
	addr := clientLine(strings.SplitN(old.Do(t, "CLIENT", "INFO"), "\r\n", 2)[1])["addr"]
	require.Equal(t, "+OK\r\n", old.Do(t, "CLIENT", "KILL", addr))
	_ = old.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = old.r.ReadByte()
	require.Error(t, err)

	// Others, by id, address, type and user.
	victims := make([]*rawConn, 4)
	for i := range victims {
		victims[i] = dialRaw(t, srv.Addr())
		victims[i].Do(t, "CLIENT", "SETNAME", fmt.Sprintf("v%d", i))
	}
	victims[3].Do(t, "SUBSCRIBE", "ch")
	closed := func(r *rawConn) bool {
		_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := r.r.ReadByte()
		return err != nil
	}
	require.Equal(t, int64(1), admin.Do(ctx, "CLIENT", "KILL", "ID", clientByName(t, admin, "v0")["id"]).Val())
	require.True(t, closed(victims[0]))
	require.Equal(t, int64(1), admin.Do(ctx, "CLIENT", "KILL", "ADDR", clientByName(t, admin, "v1")["addr"]).Val())
	require.True(t, closed(victims[1]))
	require.Equal(t, int64(1), admin.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub").Val())
	require.True(t, closed(victims[3]))
	require.Equal(t, int64(1), admin.Do(ctx, "CLIENT", "KILL", "USER", "default", "SKIPME", "yes").Val())
	require.True(t, closed(victims[2]))
	require.Equal(t, int64(0), admin.Do(ctx, "CLIENT", "KILL", "LADDR", srv.Addr()).Val())
	require.Equal(t, "1", infoValues(t, admin, "clients")["connected_clients"])

	// A client killed while blocked.
	blocked := dialRaw(t, srv.Addr())
	blocked.Do(t, "CLIENT", "SETNAME", "blocked")
	blocked.Send(t, encodeCommand([]string{"BLPOP", "q", "0"}))
	require.Eventually(t, func() bool { return infoInt(t, admin, "blocked_clients") == 1 }, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, int64(1), admin.Do(ctx, "CLIENT", "KILL", "ID", clientByName(t, admin, "blocked")["id"]).Val())
	require.True(t, closed(blocked))
	require.Eventually(t, func() bool { return infoInt(t, admin, "blocked_clients") == 0 }, 5*time.Second, 5*time.Millisecond)
}

func TestClientPause(t *testing.T) {
	srv := startServer(t)
	admin := newClient(t, srv.Addr(), 2)
	admin.Set(ctx, "k", "v", 0)
	worker := newClient(t, srv.Addr(), 2)

	// WRITE: reads run, writes wait for UNPAUSE.
	require.NoError(t, admin.Do(ctx, "CLIENT", "PAUSE", "10000", "WRITE").Err())
	require.Equal(t, "v", worker.Get(ctx, "k").Val())
	done := make(chan time.Time, 1)
	go func() { worker.Set(ctx, "k", "v2", 0); done <- time.Now() }()
	require.Eventually(t, func() bool { return infoInt(t, admin, "blocked_clients") == 1 }, 5*time.Second, 5*time.Millisecond)
	require.Regexp(t, `flags=b .* cmd=set `, admin.ClientList(ctx).Val())
	for _, cmd := range [][]any{{"PUBLISH", "c", "m"}, {"EVAL", "return 1", "0"}, {"PFCOUNT", "h"}} {
		other := newClient(t, srv.Addr(), 2)
		res := make(chan error, 1)
		go func() { res <- other.Do(ctx, cmd...).Err() }()
		select {
		case <-res:
			t.Fatalf("%v ran during a WRITE pause", cmd)
		case <-time.After(30 * time.Millisecond):
		}
	}
	paused := time.Now()
	require.NoError(t, admin.Do(ctx, "CLIENT", "UNPAUSE").Err())
	select {
	case at := <-done:
		require.True(t, at.After(paused))
	case <-time.After(5 * time.Second):
		t.Fatal("SET still paused after UNPAUSE")
	}
	require.Equal(t, "v2", admin.Get(ctx, "k").Val())

	// ALL: every command waits, until the deadline passes.
	start := time.Now()
	require.NoError(t, admin.Do(ctx, "CLIENT", "PAUSE", "200").Err())
	require.Equal(t, "PONG", worker.Ping(ctx).Val())
	require.GreaterOrEqual(t, time.Since(start), 190*time.Millisecond)

	// The stricter mode and the later deadline win: a WRITE pause of 300 ms then an
	// ALL pause of 10 ms pause everything for 300 ms.
	require.NoError(t, admin.Do(ctx, "CLIENT", "PAUSE", "300", "WRITE").Err())
	require.NoError(t, admin.Do(ctx, "CLIENT", "PAUSE", "10", "ALL").Err())
	start = time.Now()
	require.Equal(t, "v2", worker.Get(ctx, "k").Val())
	require.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)

	// MULTI: queueing a write waits under a WRITE pause.
	raw := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", raw.Do(t, "MULTI"))
	require.NoError(t, admin.Do(ctx, "CLIENT", "PAUSE", "10000", "WRITE").Err())
	raw.Send(t, encodeCommand([]string{"SET", "k", "v3"}))
	time.Sleep(50 * time.Millisecond)
	require.Equal(t, int64(1), infoInt(t, admin, "blocked_clients"))
	require.NoError(t, admin.Do(ctx, "CLIENT", "UNPAUSE").Err())
	require.Equal(t, "+QUEUED\r\n", raw.Read(t))
	require.Equal(t, "*1\r\n+OK\r\n", raw.Do(t, "EXEC"))

	// A paused client can still be killed.
	require.NoError(t, admin.Do(ctx, "CLIENT", "PAUSE", "10000", "WRITE").Err())
	victim := dialRaw(t, srv.Addr())
	victim.Do(t, "CLIENT", "SETNAME", "victim")
	victim.Send(t, encodeCommand([]string{"SET", "k", "never"}))
	require.Eventually(t, func() bool { return clientByName(t, admin, "victim")["flags"] == "b" }, 5*time.Second, 5*time.Millisecond)
	require.Equal(t, int64(1), admin.Do(ctx, "CLIENT", "KILL", "ID", clientByName(t, admin, "victim")["id"]).Val())
	require.NoError(t, admin.Do(ctx, "CLIENT", "UNPAUSE").Err())
	require.Equal(t, "v3", admin.Get(ctx, "k").Val())
	require.Equal(t, int64(0), infoInt(t, admin, "blocked_clients"))
}

func TestClientReplyModes(t *testing.T) {
	srv := startServer(t)
	raw := dialRaw(t, srv.Addr())
	raw.Send(t, encodeCommand([]string{"CLIENT", "REPLY", "OFF"}))
	raw.Send(t, encodeCommand([]string{"SET", "a", "1"}))
	raw.Send(t, encodeCommand([]string{"CLIENT", "REPLY", "SKIP"})) // ignored while OFF
	require.Equal(t, "+OK\r\n", raw.Do(t, "CLIENT", "REPLY", "ON"))
	raw.Send(t, encodeCommand([]string{"CLIENT", "REPLY", "SKIP"}))
	raw.Send(t, encodeCommand([]string{"GET", "a"}))
	require.Equal(t, "$1\r\n1\r\n", raw.Do(t, "GET", "a"))
}

func TestClientFlagsNoEvictNoTouch(t *testing.T) {
	srv := startServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), ClientName: "me", PoolSize: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	require.Equal(t, "OK", rdb.Do(ctx, "CLIENT", "NO-EVICT", "on").Val())
	require.Equal(t, "e", clientByName(t, rdb, "me")["flags"])
	require.Equal(t, "OK", rdb.Do(ctx, "CLIENT", "NO-TOUCH", "on").Val())
	require.Equal(t, "eT", clientByName(t, rdb, "me")["flags"])
	require.EqualError(t, rdb.Do(ctx, "CLIENT", "NO-TOUCH", "maybe").Err(), "ERR syntax error")
	require.Equal(t, "OK", rdb.Do(ctx, "CLIENT", "NO-EVICT", "off").Val())
	require.Equal(t, "OK", rdb.Do(ctx, "CLIENT", "NO-TOUCH", "off").Val())
	require.Equal(t, "N", clientByName(t, rdb, "me")["flags"])
	// RESET clears them.
	rdb.Do(ctx, "CLIENT", "NO-EVICT", "on")
	rdb.Do(ctx, "RESET")
	rdb.Do(ctx, "CLIENT", "SETNAME", "me")
	require.Equal(t, "N", clientByName(t, rdb, "me")["flags"])
}

// TestClientNoTouch: with NO-TOUCH on, a client's reads and writes leave the keys'
// LRU idle time and LFU counter alone, in plain calls, MULTI, scripts and when a blocked
// command is served; its TOUCH still touches, and other clients still do.
func TestClientNoTouch(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("enable-debug-command", "yes"), cinnabartest.WithFrozenClock())
	other := newClient(t, srv.Addr(), 2)
	quiet := newClient(t, srv.Addr(), 2).Conn() // one connection, also for MULTI
	t.Cleanup(func() { _ = quiet.Close() })
	require.Equal(t, "OK", quiet.Do(ctx, "CLIENT", "NO-TOUCH", "on").Val())
	advance := func() { require.NoError(t, other.Do(ctx, "DEBUG", "CLOCK", "ADVANCE", "10000").Err()) }
	idle := func(key string) time.Duration { return other.ObjectIdleTime(ctx, key).Val() }

	other.Set(ctx, "s", "v", 0)
	other.RPush(ctx, "l", "a", "b")
	advance()
	quiet.Get(ctx, "s")
	quiet.Append(ctx, "s", "w")
	quiet.LRange(ctx, "l", 0, -1)
	_, err := quiet.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, "s")
		p.LIndex(ctx, "l", 0)
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, quiet.Eval(ctx, "return redis.call('get', KEYS[1])", []string{"s"}).Err())
	require.Equal(t, 10*time.Second, idle("s"))
	require.Equal(t, 10*time.Second, idle("l"))
	require.Equal(t, int64(1), quiet.Touch(ctx, "s").Val())
	require.Zero(t, idle("s"), "TOUCH touches")
	require.NoError(t, quiet.Eval(ctx, "return redis.call('touch', KEYS[1])", []string{"l"}).Err())
	require.Zero(t, idle("l"), "TOUCH from a script touches")

	// A blocked no-touch client served by another client's push reads without touching.
	other.RPush(ctx, "q", "x", "y")
	advance()
	done := make(chan error, 1)
	go func() { done <- quiet.BLMove(ctx, "empty", "q", "left", "right", 5*time.Second).Err() }()
	require.Eventually(t, func() bool { return infoInt(t, other, "blocked_clients") == 1 }, 5*time.Second, 5*time.Millisecond)
	other.RPush(ctx, "empty", "z")
	require.NoError(t, <-done)
	require.Equal(t, 10*time.Second, idle("q"))

	// Other clients, and the same client after NO-TOUCH off, touch.
	other.Get(ctx, "s")
	advance()
	other.Get(ctx, "s")
	require.Zero(t, idle("s"))
	advance()
	require.Equal(t, "OK", quiet.Do(ctx, "CLIENT", "NO-TOUCH", "off").Val())
	quiet.Get(ctx, "s")
	require.Zero(t, idle("s"))

	// Under an LFU policy the counter does not move for a no-touch client (log factor 0:
	// every counted access increments it).
	require.NoError(t, other.ConfigSet(ctx, "maxmemory-policy", "allkeys-lfu").Err())
	require.NoError(t, other.ConfigSet(ctx, "lfu-log-factor", "0").Err())
	other.Set(ctx, "f", "v", 0)
	before := other.ObjectFreq(ctx, "f").Val()
	quiet.Do(ctx, "CLIENT", "NO-TOUCH", "on")
	for i := 0; i < 5; i++ {
		quiet.Get(ctx, "f")
	}
	require.Equal(t, before, other.ObjectFreq(ctx, "f").Val())
	quiet.Touch(ctx, "f")
	require.Equal(t, before+1, other.ObjectFreq(ctx, "f").Val())
	other.Get(ctx, "f")
	require.Equal(t, before+2, other.ObjectFreq(ctx, "f").Val())
}

// TestClientTrackingShapes: CLIENT TRACKING's replies through go-redis, and
// TRACKINGINFO's shape in RESP2 and RESP3 (tracking_test.go has the behaviour).
func TestClientTrackingShapes(t *testing.T) {
	srv := startServer(t)
	for _, proto := range []int{2, 3} {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, PoolSize: 1})
		t.Cleanup(func() { rdb.Close() })
		require.Equal(t, "OK", rdb.Do(ctx, "CLIENT", "TRACKING", "OFF").Val())
		require.Equal(t, int64(-1), rdb.Do(ctx, "CLIENT", "GETREDIR").Val())
		require.Equal(t, "OK", rdb.Do(ctx, "CLIENT", "TRACKING", "ON").Val())
		require.Equal(t, int64(0), rdb.Do(ctx, "CLIENT", "GETREDIR").Val())
		require.Equal(t, "OK", rdb.Do(ctx, "CLIENT", "TRACKING", "OFF").Val())
		info, err := rdb.Do(ctx, "CLIENT", "TRACKINGINFO").Result()
		require.NoError(t, err)
		require.NotNil(t, info)
	}
	// TRACKINGINFO's shape, RESP2 and RESP3, as the reference's.
	ref, ours := dialRaw(t, referenceAddr(t)), dialRaw(t, srv.Addr())
	for _, proto := range []string{"2", "3"} {
		ref.Do(t, "HELLO", proto)
		ours.Do(t, "HELLO", proto)
		require.Equal(t, ref.Do(t, "CLIENT", "TRACKINGINFO"), ours.Do(t, "CLIENT", "TRACKINGINFO"))
		require.Equal(t, ref.Do(t, "CLIENT", "GETNAME"), ours.Do(t, "CLIENT", "GETNAME"))
	}
	help := newClient(t, srv.Addr(), 2).Do(ctx, "CLIENT", "HELP").Val().([]any)
	text := fmt.Sprint(help...)
	for _, sub := range []string{"PAUSE <timeout> [WRITE|ALL]", "UNPAUSE", "NO-EVICT (ON|OFF)", "NO-TOUCH (ON|OFF)",
		"SETINFO <option> <value>", "TRACKING (ON|OFF)", "UNBLOCK <clientid>"} {
		require.Contains(t, text, sub)
	}
}

// TestClientGoroutines checks that the server's per-connection goroutines end when
// clients disconnect, whatever state they were in.
func TestClientGoroutines(t *testing.T) {
	srv := startServer(t)
	admin := newClient(t, srv.Addr(), 2)
	admin.Ping(ctx)
	count := make(chan int)
	goroutines := func() int {
		go func() { count <- runtime.NumGoroutine() }()
		return <-count
	}
	base := goroutines()
	var conns []*rawConn
	for i := 0; i < 40; i++ {
		c := dialRaw(t, srv.Addr())
		switch i % 4 {
		case 0:
			c.Do(t, "PING")
		case 1:
			c.Do(t, "SUBSCRIBE", "ch")
		case 2:
			c.Send(t, encodeCommand([]string{"BLPOP", "q", "0"}))
		case 3:
			c.Do(t, "MONITOR")
		}
		conns = append(conns, c)
	}
	require.Eventually(t, func() bool { return infoInt(t, admin, "connected_clients") == 41 }, 5*time.Second, 5*time.Millisecond)
	require.Greater(t, goroutines(), base+40)
	// The blocked clients are served first: a client parked in BLPOP does not notice
	// its peer closing yet (see the report on watchDisconnect and the protocol guard).
	require.Eventually(t, func() bool { return infoInt(t, admin, "blocked_clients") == 10 }, 5*time.Second, 5*time.Millisecond)
	for i := 0; i < 10; i++ {
		admin.RPush(ctx, "q", i)
	}
	for _, c := range conns {
		_ = c.c.Close()
	}
	require.Eventually(t, func() bool { return infoInt(t, admin, "connected_clients") == 1 }, 5*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return goroutines() <= base+2 }, 5*time.Second, 10*time.Millisecond,
		"goroutines: %d at the start, %d now", base, goroutines())
}
