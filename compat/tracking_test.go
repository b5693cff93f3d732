package compat

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// Client-side caching (CLIENT TRACKING): the same multi-connection scripts against
// the reference and Cinnabar, pushes included. Connection 1 tracks (RESP3 unless
// said), connection 2 writes.
func TestTrackingDifferential(t *testing.T) {
	t.Run("options and errors", func(t *testing.T) {
		mcDiff(t, `
			1 CLIENT TRACKINGINFO
			1 CLIENT GETREDIR
			1 CLIENT TRACKING on optin optout
			1 CLIENT TRACKING on prefix a
			1 CLIENT TRACKING on redirect 999999
			1 CLIENT TRACKING on redirect x
			1 CLIENT TRACKING foo
			1 CLIENT TRACKING on bogus
			1 CLIENT TRACKING on prefix
			1 CLIENT TRACKING on bcast optin
			1 CLIENT CACHING yes
			1 CLIENT TRACKING on bcast prefix ab prefix a
			1 CLIENT TRACKING on bcast prefix a prefix ab
			1 CLIENT TRACKING on bcast prefix a prefix a
			1 CLIENT TRACKING on bcast prefix a noloop
			1 CLIENT TRACKINGINFO
			1 CLIENT GETREDIR
			1 CLIENT TRACKING on bcast prefix a
			1 CLIENT TRACKING on bcast prefix abc
			1 CLIENT TRACKING on
			1 CLIENT TRACKING on optin
			1 CLIENT TRACKING on bcast prefix b
			1 CLIENT TRACKING on bcast
			1 CLIENT TRACKINGINFO
			1 CLIENT TRACKING off
			1 CLIENT TRACKINGINFO
			1 CLIENT TRACKING on optin
			1 CLIENT CACHING maybe
			1 CLIENT CACHING no
			1 CLIENT CACHING yes
			1 CLIENT TRACKINGINFO
			1 CLIENT TRACKINGINFO
			1 PING
			1 CLIENT TRACKINGINFO
			1 CLIENT TRACKING on optout
			1 CLIENT TRACKING on noloop
			1 CLIENT TRACKINGINFO
			1 CLIENT CACHING no
			1 CLIENT TRACKING off
			1 CLIENT TRACKING on optout
			1 CLIENT CACHING yes
			1 CLIENT CACHING no
			1 CLIENT TRACKINGINFO
			1 CLIENT TRACKING off bcast
			1 CLIENT TRACKINGINFO
			1 CLIENT GETREDIR
			1 CLIENT CACHING no
		`)
	})

	t.Run("default mode", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1 CLIENT TRACKING on
			1 GET k1
			1 MGET k2 k3
			1 HGET h f
			1 EXISTS e
			2 SET k1 v
			1! PING
			2 MSET k2 x k3 y
			1! PING
			2 SET k1 v2
			1! PING
			1 GET k1
			2 SELECT 5
			2 SET k1 otherdb
			1! PING
			1 GET k1
			1! SET k1 mine
			2 HSET h f v
			2 SET e 1
			1! PING
			1 STRLEN k1
			2 APPEND k1 more
			2 DEL k1
			1! PING
		`)
	})

	t.Run("noloop, flush and own writes", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1 CLIENT TRACKING on noloop
			1 GET a
			1! SET a 1
			2 SET a 2
			1! PING
			1 CLIENT TRACKING on
			1 GET a
			1! INCR a
			1 GET a
			1 MULTI
			1 SET a 5
			1 GET a
			1 EXEC
			1! PING
			2 FLUSHALL
			1! PING
			1! FLUSHDB
			1 GET b
			2 SET b 1 PX 30
			1! PING
			1 GET b
			sleep 200
			1! PING
			1 CLIENT TRACKING off
			2 SET b 1
			1! PING
		`)
	})

	t.Run("optin and optout", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1 CLIENT TRACKING on optin
			1 GET o1
			1 CLIENT CACHING yes
			1 GET o2
			1 GET o3
			2 MSET o1 1 o2 2 o3 3
			1! PING
			1 CLIENT CACHING yes
			1 MULTI
			1 GET m1
			1 GET m2
			1 EXEC
			1 GET m3
			2 MSET m1 1 m2 2 m3 3
			1! PING
			1 CLIENT CACHING yes
			1 CLIENT TRACKINGINFO
			1 GET c1
			2 SET c1 1
			1! PING
			1 CLIENT TRACKING off
			1 CLIENT TRACKING on optout
			1 GET p1
			1 CLIENT CACHING no
			1 GET p2
			1 GET p3
			2 MSET p1 1 p2 2 p3 3
			1! PING
		`)
	})

	t.Run("broadcast", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1 CLIENT TRACKING on bcast prefix user: prefix obj:
			2 MSET user:2 a user:1 b other c obj:9 d
			1! PING
			2 SET nouser 1
			1! PING
			1! SET user:3 x
			2| SET user:5 1 ; SET user:4 2 ; DEL user:5
			1! PING
			1 CLIENT TRACKING off
			1 CLIENT TRACKING on bcast noloop
			1! SET selfkey x
			2 SET selfkey y
			1! PING
			1! MSET s1 1 s2 2
			2 SET s2 3
			1! PING
		`)
	})

	t.Run("scripts", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1 CLIENT TRACKING on
			1 EVAL "return redis.call('get', KEYS[1])" 1 sk
			1 EVAL_RO "return 1" 1 sk2
			1 EVAL "return redis.call('exists', 'sk3')" 0
			2 MSET sk 1 sk2 2 sk3 3
			1! PING
			1 GET own
			1! EVAL "return redis.call('set', KEYS[1], 'v')" 1 own
		`)
	})

	t.Run("RESP2 without redirect gets nothing", func(t *testing.T) {
		mcDiff(t, `
			1 CLIENT TRACKING on
			1 GET a
			2 SET a 1
			1! PING
			1 CLIENT TRACKINGINFO
		`)
	})
}

// The redirect scripts need client IDs, which differ between the servers: this
// transcript runs on raw connections and writes IDs as names.
func trackingRedirectTranscript(t *testing.T, addr string) []string {
	var out []string
	dial := func() (*rawConn, string) {
		c := dialRaw(t, addr)
		id := strings.TrimSuffix(strings.TrimPrefix(c.Do(t, "CLIENT", "ID"), ":"), "\r\n")
		return c, id
	}
	names := map[string]string{}
	record := func(step, reply string) {
		for id, name := range names {
			reply = strings.ReplaceAll(reply, ":"+id+"\r\n", ":<"+name+">\r\n")
			reply = strings.ReplaceAll(reply, "redir="+id+" ", "redir=<"+name+"> ")
		}
		out = append(out, fmt.Sprintf("%s -> %q", step, reply))
	}
	// pending reads what was pushed to c so far, up to a PING's reply.
	pending := func(c *rawConn) string {
		c.Send(t, encodeCommand([]string{"PING", mcSentinel}))
		var all string
		for {
			r := c.Read(t)
			if mcSentinelReplies[r] {
				return all
			}
			all += r
		}
	}
	w, _ := dial()
	w.Do(t, "FLUSHALL")

	sub, subID := dial() // RESP2 in pub/sub mode
	names[subID] = "sub"
	record("sub SUBSCRIBE", sub.Do(t, "SUBSCRIBE", "__redis__:invalidate"))
	tr, _ := dial()
	record("tr TRACKING redirect sub", tr.Do(t, "CLIENT", "TRACKING", "on", "redirect", subID))
	record("tr GETREDIR", tr.Do(t, "CLIENT", "GETREDIR"))
	record("tr TRACKINGINFO", tr.Do(t, "CLIENT", "TRACKINGINFO"))
	info := tr.Do(t, "CLIENT", "INFO")
	for _, f := range strings.Fields(info) {
		if strings.HasPrefix(f, "flags=") || strings.HasPrefix(f, "redir=") {
			record("tr CLIENT INFO "+f[:strings.Index(f, "=")], f+" ")
		}
	}
	tr.Do(t, "GET", "rk")
	w.Do(t, "SET", "rk", "1")
	record("sub after SET", pending(sub))
	record("tr after SET", pending(tr))
	tr.Do(t, "GET", "rk")
	w.Do(t, "FLUSHDB")
	record("sub after FLUSHDB", pending(sub))

	r3, r3ID := dial() // RESP3 target, itself tracking
	names[r3ID] = "r3"
	r3.Do(t, "HELLO", "3")
	r3.Do(t, "CLIENT", "TRACKING", "on", "bcast", "prefix", "zz")
	tr3, _ := dial()
	tr3.Do(t, "HELLO", "3")
	record("tr3 TRACKING redirect r3", tr3.Do(t, "CLIENT", "TRACKING", "on", "redirect", r3ID))
	tr3.Do(t, "GET", "k3")
	w.Do(t, "FLUSHALL")
	record("r3 after FLUSHALL", pending(r3))
	tr3.Do(t, "GET", "k3")
	w.Do(t, "SET", "k3", "1")
	record("r3 after SET", pending(r3))
	record("tr3 after SET", pending(tr3))

	// A RESP3 target that neither tracks nor subscribes gets the pushes unprompted.
	idle, idleID := dial()
	names[idleID] = "idle"
	idle.Do(t, "HELLO", "3")
	tr4, _ := dial()
	record("tr4 TRACKING redirect idle", tr4.Do(t, "CLIENT", "TRACKING", "on", "redirect", idleID))
	tr4.Do(t, "GET", "k4")
	tr4.Do(t, "GET", "k5")
	w.Do(t, "SET", "k4", "1")
	record("idle unprompted", idle.Read(t))
	w.Do(t, "SET", "k5", "1")
	record("idle unprompted again", idle.Read(t))
	record("idle GET", idle.Do(t, "GET", "k4"))

	// The targets go away: the redirect is broken.
	sub.c.Close()
	r3.c.Close()
	time.Sleep(200 * time.Millisecond)
	tr.Do(t, "GET", "b1")
	tr3.Do(t, "GET", "b3")
	w.Do(t, "MSET", "b1", "1", "b3", "3")
	record("tr after broken", pending(tr))
	record("tr3 after broken", pending(tr3))
	record("tr TRACKINGINFO broken", tr.Do(t, "CLIENT", "TRACKINGINFO"))
	record("tr3 TRACKINGINFO broken", tr3.Do(t, "CLIENT", "TRACKINGINFO"))
	info = tr.Do(t, "CLIENT", "INFO")
	for _, f := range strings.Fields(info) {
		if strings.HasPrefix(f, "flags=") {
			record("tr CLIENT INFO flags broken", f)
		}
	}
	return out
}

func TestTrackingRedirectDifferential(t *testing.T) {
	diffTranscripts(t, trackingRedirectTranscript)
}

// tracking-table-max-keys: past the limit, keys leave the table and their readers are
// told, as if the keys had changed.
func TestTrackingTableLimit(t *testing.T) {
	srv := startServer(t)
	c := dialRaw(t, srv.Addr())
	c.Do(t, "HELLO", "3")
	require.Equal(t, "+OK\r\n", c.Do(t, "CONFIG", "SET", "tracking-table-max-keys", "2"))
	require.Equal(t, "+OK\r\n", c.Do(t, "CLIENT", "TRACKING", "on"))
	for i := range 5 {
		c.Send(t, encodeCommand([]string{"GET", "key" + strconv.Itoa(i)}))
	}
	var pushes, replies int
	for pushes < 3 || replies < 5 {
		r := c.Read(t)
		if strings.HasPrefix(r, ">2\r\n$10\r\ninvalidate\r\n") {
			pushes++
		} else {
			require.Equal(t, "_\r\n", r)
			replies++
		}
	}
	info := c.Do(t, "INFO", "stats")
	require.Contains(t, info, "tracking_total_keys:2\r\n")
	require.Contains(t, info, "tracking_total_items:2\r\n")
}

// A key read by a tracking client and then removed by active expiry (nobody touches
// it) is invalidated, in default and broadcast mode.
func TestTrackingActiveExpiry(t *testing.T) {
	srv := startServer(t)
	w := dialRaw(t, srv.Addr())
	def := dialRaw(t, srv.Addr())
	bc := dialRaw(t, srv.Addr())
	for _, c := range []*rawConn{def, bc} {
		c.Do(t, "HELLO", "3")
	}
	require.Equal(t, "+OK\r\n", def.Do(t, "CLIENT", "TRACKING", "on"))
	require.Equal(t, "+OK\r\n", bc.Do(t, "CLIENT", "TRACKING", "on", "bcast", "prefix", "vol"))
	require.Equal(t, "+OK\r\n", w.Do(t, "SET", "vol", "1", "PX", "50"))
	require.Equal(t, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nvol\r\n", bc.Read(t)) // the SET
	require.Equal(t, "$1\r\n1\r\n", def.Do(t, "GET", "vol"))
	want := ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nvol\r\n"
	require.Equal(t, want, def.Read(t))
	require.Equal(t, want, bc.Read(t))
	require.Equal(t, ":0\r\n", w.Do(t, "EXISTS", "vol"))
}

// The RESP2 way with go-redis: invalidations redirected to a connection subscribed to
// __redis__:invalidate, received through go-redis's PubSub.
func TestTrackingGoRedisRedirect(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	subClient := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2, ClientName: "invalidations"})
	t.Cleanup(func() { subClient.Close() })
	ps := subClient.Subscribe(ctx, "__redis__:invalidate")
	t.Cleanup(func() { ps.Close() })
	_, err := ps.Receive(ctx) // the subscription's confirmation
	require.NoError(t, err)

	tracker := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2, PoolSize: 1})
	t.Cleanup(func() { tracker.Close() })
	list, err := tracker.ClientList(ctx).Result()
	require.NoError(t, err)
	var subID string
	for _, line := range strings.Split(list, "\n") {
		if strings.Contains(line, " name=invalidations ") {
			subID = strings.TrimPrefix(strings.Fields(line)[0], "id=")
		}
	}
	require.NotEmpty(t, subID)
	require.NoError(t, tracker.Do(ctx, "CLIENT", "TRACKING", "on", "REDIRECT", subID).Err())
	require.NoError(t, tracker.Set(ctx, "session:1", "alice", 0).Err())
	require.Equal(t, "alice", tracker.Get(ctx, "session:1").Val()) // cached by the client now

	writer := newClient(t, srv.Addr(), 3)
	require.NoError(t, writer.Set(ctx, "session:1", "bob", 0).Err())
	msg, err := ps.ReceiveTimeout(ctx, 5*time.Second)
	require.NoError(t, err)
	require.IsType(t, &redis.Message{}, msg)
	require.Equal(t, "__redis__:invalidate", msg.(*redis.Message).Channel)
	// The key arrives as the message's payload, an array of one key.
	require.Equal(t, []string{"session:1"}, msg.(*redis.Message).PayloadSlice)

	// (A flush's invalidation has a null payload, which go-redis refuses to parse, from
	// Redis as from Cinnabar: the differential tests cover it.)
	info := writer.Info(ctx, "clients").Val()
	require.Contains(t, info, "tracking_clients:1\r\n")
}
