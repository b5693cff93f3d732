package compat

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

func TestPubSubDifferential(t *testing.T) {
	t.Run("without subscriptions", func(t *testing.T) {
		mcDiff(t, `
			1! UNSUBSCRIBE
			1! PUNSUBSCRIBE
			1! SUNSUBSCRIBE
			1! UNSUBSCRIBE a b
			1! PUNSUBSCRIBE a* b*
			1! SUNSUBSCRIBE a
			1 GET x
			1 SUBSCRIBE
			1 PSUBSCRIBE
			1 SSUBSCRIBE
			1 PUBLISH a
			1 PUBLISH a b c
			1 SPUBLISH a
			1 PUBLISH a b
			1 SPUBLISH a b
			1 PUBSUB
			1 PUBSUB NUMPAT
			1 PUBSUB NUMPAT x
			1 PUBSUB NUMSUB
			1 PUBSUB NUMSUB a b
			1 PUBSUB CHANNELS
			1 PUBSUB CHANNELS *
			1 PUBSUB SHARDCHANNELS
			1 PUBSUB SHARDNUMSUB
			1 PUBSUB SHARDNUMSUB x
			1 PUBSUB FOO
			1 PUBSUB HELP
		`)
	})

	// PUBSUB CHANNELS and SHARDCHANNELS take at most one pattern; Redis answers more
	// with its subcommand syntax error.
	t.Run("PUBSUB CHANNELS arity", func(t *testing.T) {
		mcDiff(t, `
			1 PUBSUB CHANNELS a b
			1 PUBSUB SHARDCHANNELS a b
		`)
	})

	t.Run("subscribed mode in RESP2", func(t *testing.T) {
		mcDiff(t, `
			1! SUBSCRIBE a b a
			1 PING
			1 PING hello
			1 PING a b
			1 GET x
			1 SET x 1
			1 MULTI
			1 DISCARD
			1 WATCH x
			1 UNWATCH
			1 SELECT 0
			1 HELLO 2
			1 CLIENT ID
			1 CLIENT SETNAME x
			1 PUBLISH a x
			1 SPUBLISH a x
			1 PUBSUB NUMSUB a
			1 AUTH x
			1 ECHO x
			1 CONFIG GET maxmemory
			1 INFO
			1 NOSUCHCOMMAND
			1 GET
			1! SUBSCRIBE c
			1! PSUBSCRIBE p* q? a
			1! SSUBSCRIBE s1 s2
			1 GET x
			1! UNSUBSCRIBE a b c
			1 GET x
			1! PUNSUBSCRIBE p* q?
			1 GET x
			1! PUNSUBSCRIBE a
			1 GET x
			1! SUNSUBSCRIBE s1
			1 GET x
			1! UNSUBSCRIBE
			1! PUNSUBSCRIBE
			1 GET x
			1! SUNSUBSCRIBE
			1 GET x
			1 PING
		`)
	})

	// Redis rejects a rejected EXEC with EXECABORT, as it does in MULTI: in subscribed
	// mode the reply is "-EXECABORT Transaction discarded because of: Can't execute...".
	t.Run("EXEC in subscribed mode", func(t *testing.T) {
		mcDiff(t, `
			1! SUBSCRIBE a
			1 EXEC
			1 RESET
		`)
	})

	// Redis delivers a message to the subscribers of the channel first, then to those
	// of matching patterns, patterns in an unspecified order: a subscriber with
	// several matching patterns reads them sorted ("*").
	t.Run("messages", func(t *testing.T) {
		mcDiff(t, `
			1! SUBSCRIBE news chat
			1! PSUBSCRIBE n* *s
			2~ PUBSUB CHANNELS
			2~ PUBSUB CHANNELS n*
			2 PUBSUB CHANNELS zz*
			2 PUBSUB NUMSUB news chat other
			2 PUBSUB NUMPAT
			2 PUBLISH news hello
			1* PING
			2 PUBLISH chat hi
			2 PUBLISH nothing x
			2 PUBLISH other x
			2 PUBLISH s ""
			1! PING
			3! SUBSCRIBE news
			3! PSUBSCRIBE n*
			2 PUBSUB NUMSUB news
			2 PUBSUB NUMPAT
			2 PUBLISH news again
			1* PING
			3! PING
			1! UNSUBSCRIBE news
			2 PUBLISH news more
			1* PING
			3! PING
			1! PUNSUBSCRIBE n*
			2 PUBLISH news last
			1! PING
			3! PING
			2 PUBSUB NUMPAT
			1! UNSUBSCRIBE chat
			1! PUNSUBSCRIBE *s
			1 GET x
		`)
	})

	t.Run("glob patterns", func(t *testing.T) {
		mcDiff(t, `
			1! PSUBSCRIBE h?llo h[ae]llo h[^e]llo h*llo h\*llo *
			2 PUBLISH hello 1
			1* PING
			2 PUBLISH hallo 2
			1* PING
			2 PUBLISH hxllo 3
			1* PING
			2 PUBLISH h*llo 4
			1* PING
			2 PUBLISH heeeello 5
			1* PING
			2 PUBLISH a\sb 6
			2 PUBLISH "" 7
			1! PING
			2 PUBSUB NUMPAT
		`)
	})

	// QUIT answers +OK before closing, in subscribed mode too.
	t.Run("QUIT in subscribed mode", func(t *testing.T) {
		mcDiff(t, `
			1! SUBSCRIBE q
			1 QUIT
			1<
			3! SUBSCRIBE q
			3! UNSUBSCRIBE q
			3 QUIT
			3<
			4- HELLO 3
			4! SUBSCRIBE q
			4 QUIT
			4<
			sleep 20
			2 PUBSUB NUMSUB q
		`)
	})

	t.Run("binary-safe names and payloads", func(t *testing.T) {
		mcDiff(t, `
			1! SUBSCRIBE a\sb ""
			1! PSUBSCRIBE \s*
			2 PUBLISH a\sb x\sy
			2 PUBLISH "" ""
			2 PUBLISH \sz \r\n
			1! PING
			2 PUBSUB NUMSUB a\sb ""
		`)
	})

	t.Run("RESET leaves subscribed mode", func(t *testing.T) {
		mcDiff(t, `
			1! SUBSCRIBE a
			1! PSUBSCRIBE b*
			1! SSUBSCRIBE c
			1 RESET
			1 GET x
			2 PUBLISH a x
			2 PUBLISH bb x
			2 SPUBLISH c x
			2 PUBSUB NUMSUB a
			2 PUBSUB NUMPAT
			2 PUBSUB SHARDNUMSUB c
			1 PING
		`)
	})

	// Replies keep their order when commands before and after a subscription arrive in
	// one pipeline, and a client receives what it publishes to itself before the
	// PUBLISH reply.
	t.Run("pipelined", func(t *testing.T) {
		mcDiff(t, `
			1| SET a 1 ; GET a ; SUBSCRIBE c ; PING ; PSUBSCRIBE d* ; UNSUBSCRIBE c ; PUNSUBSCRIBE ; GET a ; INCR a
			1| SUBSCRIBE c ; UNSUBSCRIBE ; SUBSCRIBE c ; GET a ; RESET ; GET a
			2- HELLO 3
			2| SUBSCRIBE self ; PUBLISH self m ; GET a ; PUBLISH self n ; UNSUBSCRIBE self ; PUBLISH self o
		`)
	})

	// Without arguments UNSUBSCRIBE leaves every channel, in an unspecified order.
	t.Run("unsubscribe from all", func(t *testing.T) {
		mcDiff(t, `
			1! SUBSCRIBE a b c
			1! PSUBSCRIBE x* y*
			1* UNSUBSCRIBE
			1 GET k
			1* PUNSUBSCRIBE
			1 GET k
			2 PUBLISH a m
		`)
	})

	// Pub/sub commands may be queued in MULTI; once subscribed, the rest of the
	// transaction still runs.
	t.Run("subscribe inside MULTI", func(t *testing.T) {
		mcDiff(t, `
			1 MULTI
			1 SUBSCRIBE a
			1 GET x
			1 SET x 1
			1 PSUBSCRIBE b*
			1 EXEC
			1 GET x
			2 PUBLISH a m
			2 PUBLISH bz m
			1! PING
			1 RESET
		`)
	})

	// Redis 7.0 refuses SSUBSCRIBE inside a transaction.
	t.Run("SSUBSCRIBE inside MULTI", func(t *testing.T) {
		mcDiff(t, `
			1 MULTI
			1 SSUBSCRIBE s
			1 SET x 1
			1 EXEC
			1 GET x
			2 SPUBLISH s m
		`)
	})
}

func TestPubSubShardDifferential(t *testing.T) {
	mcDiff(t, `
		1! SSUBSCRIBE s1 s2 s1
		1! SUBSCRIBE c
		1! PSUBSCRIBE s*
		2~ PUBSUB SHARDCHANNELS
		2 PUBSUB SHARDCHANNELS s1
		2 PUBSUB SHARDCHANNELS x*
		2 PUBSUB SHARDNUMSUB s1 s2 s3
		2 PUBSUB CHANNELS
		2 PUBSUB NUMSUB s1
		2 SPUBLISH s1 a
		2 PUBLISH s1 b
		2 SPUBLISH c d
		2 SPUBLISH s3 e
		1! PING
		1! SUNSUBSCRIBE s2 nope
		2 SPUBLISH s2 x
		1! UNSUBSCRIBE
		1! PUNSUBSCRIBE
		1 GET x
		1! SUNSUBSCRIBE
		1 GET x
		2 PUBSUB SHARDNUMSUB s1
	`)
}

func TestPubSubRESP3Differential(t *testing.T) {
	t.Run("pushes", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1! UNSUBSCRIBE
			1! PUNSUBSCRIBE
			1! SUNSUBSCRIBE
			1! UNSUBSCRIBE a
			1! SUBSCRIBE a b
			1 PING
			1 PING x
			1 GET x
			1 SET x 1
			1 CLIENT SETNAME sub
			1! PSUBSCRIBE a*
			1! SSUBSCRIBE s
			2 PUBLISH a hello
			2 SPUBLISH s m
			1! GET x
			1! UNSUBSCRIBE a b
			1! PUNSUBSCRIBE
			1! SUNSUBSCRIBE
			1 GET x
		`)
	})

	// In RESP3 Redis 7.0 still answers NUMSUB and SHARDNUMSUB with a flat array.
	t.Run("NUMSUB shape", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1 PUBSUB NUMSUB a b
			1 PUBSUB SHARDNUMSUB a
			1 PUBSUB NUMSUB
		`)
	})

	t.Run("RESP2 and RESP3 subscribers together", func(t *testing.T) {
		mcDiff(t, `
			1! SUBSCRIBE ch
			1! PSUBSCRIBE c*
			3- HELLO 3
			3! SUBSCRIBE ch
			3! PSUBSCRIBE c*
			2 PUBLISH ch one
			2 PUBLISH cx two
			1! PING
			3! PING
			3! UNSUBSCRIBE ch
			2 PUBLISH ch three
			1! PING
			3! PING
		`)
	})

	// A RESP3 subscriber may switch to RESP2: later messages come in RESP2 shapes, and
	// the RESP2 subscribed-mode rules apply.
	t.Run("protocol switch while subscribed", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1! SUBSCRIBE a
			2 PUBLISH a one
			1! PING
			1- HELLO 2
			2 PUBLISH a two
			1! PING
			1 GET x
			1 HELLO 3
			1! UNSUBSCRIBE
			1- HELLO 3
			1 GET x
		`)
	})

	// In RESP3 a subscriber may block; messages reach it while it waits.
	t.Run("blocked subscriber", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1! SUBSCRIBE a
			1> BLPOP q 0
			sleep 50
			2 PUBLISH a while-blocked
			1<
			2 RPUSH q x
			1<
			1 BLPOP q 0.05
			1> BRPOP q 0
			sleep 50
			2 RPUSH q y
			2 PUBLISH a after
			1<
			1<
			1 GET x
		`)
	})

	t.Run("subscribe inside MULTI", func(t *testing.T) {
		mcDiff(t, `
			1- HELLO 3
			1 MULTI
			1 SUBSCRIBE z
			1 GET x
			1 EXEC
			2 PUBLISH z inside
			1! GET x
			1 RESET
		`)
	})
}

func TestPubSubGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		ps := rdb.Subscribe(ctx, "news")
		defer ps.Close()
		msg, err := ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Subscription{Kind: "subscribe", Channel: "news", Count: 1}, msg)
		require.NoError(t, ps.PSubscribe(ctx, "n*"))
		msg, err = ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Subscription{Kind: "psubscribe", Channel: "n*", Count: 2}, msg)

		require.Equal(t, []string{"news"}, rdb.PubSubChannels(ctx, "*").Val())
		require.Equal(t, map[string]int64{"news": 1, "other": 0}, rdb.PubSubNumSub(ctx, "news", "other").Val())
		require.Equal(t, int64(1), rdb.PubSubNumPat(ctx).Val())

		// A subscriber of the channel and of a matching pattern gets it twice: first as
		// a message, then as a pmessage.
		require.Equal(t, int64(2), rdb.Publish(ctx, "news", "hello").Val())
		require.Equal(t, int64(1), rdb.Publish(ctx, "nope", "p").Val())
		require.Equal(t, int64(0), rdb.Publish(ctx, "other", "x").Val())
		m1, err := ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Message{Channel: "news", Payload: "hello"}, m1)
		m2, err := ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Message{Channel: "news", Pattern: "n*", Payload: "hello"}, m2)
		m3, err := ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Message{Channel: "nope", Pattern: "n*", Payload: "p"}, m3)

		// PING inside subscribed mode.
		require.NoError(t, ps.Ping(ctx, "hb"))
		pong, err := ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Pong{Payload: "hb"}, pong)

		// After the confirmation of an unsubscription, nothing more arrives.
		require.NoError(t, ps.Unsubscribe(ctx, "news"))
		msg, err = ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Subscription{Kind: "unsubscribe", Channel: "news", Count: 1}, msg)
		require.Equal(t, int64(1), rdb.Publish(ctx, "news", "only-pattern").Val())
		m4, err := ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Message{Channel: "news", Pattern: "n*", Payload: "only-pattern"}, m4)

		// Sharded channels.
		sps := rdb.SSubscribe(ctx, "shard")
		defer sps.Close()
		msg, err = sps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Subscription{Kind: "ssubscribe", Channel: "shard", Count: 1}, msg)
		require.Equal(t, []string{"shard"}, rdb.PubSubShardChannels(ctx, "*").Val())
		require.Equal(t, map[string]int64{"shard": 1}, rdb.PubSubShardNumSub(ctx, "shard").Val())
		require.Equal(t, int64(1), rdb.SPublish(ctx, "shard", "s").Val())
		msg, err = sps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Message{Channel: "shard", Payload: "s"}, msg)

		// Channel() delivers 1000 messages in the order they were published.
		require.NoError(t, ps.Subscribe(ctx, "seq"))
		msg, err = ps.ReceiveTimeout(ctx, 2*time.Second)
		require.NoError(t, err)
		require.Equal(t, &redis.Subscription{Kind: "subscribe", Channel: "seq", Count: 2}, msg)
		ch := ps.Channel()
		const n = 1000
		go func() {
			pub := redis.NewClient(&redis.Options{Addr: srv.Addr()})
			defer pub.Close()
			for i := 0; i < n; i++ {
				pub.Publish(ctx, "seq", strconv.Itoa(i))
			}
		}()
		timeout := time.After(20 * time.Second)
		for i := 0; i < n; {
			select {
			case m := <-ch:
				if m.Channel != "seq" {
					continue // the pattern does not match "seq"; nothing else is expected
				}
				require.Equal(t, strconv.Itoa(i), m.Payload)
				i++
			case <-timeout:
				t.Fatalf("only %d of %d messages arrived", i, n)
			}
		}
	})
}

// TestPubSubOrdering publishes from several clients at once: the subscriber must get
// every message, and each publisher's in the order it sent them.
func TestPubSubOrdering(t *testing.T) {
	srv := startServer(t)
	sub := dialRaw(t, srv.Addr())
	sub.Send(t, encodeCommand([]string{"SUBSCRIBE", "ord"}))
	require.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$3\r\nord\r\n:1\r\n", sub.Read(t))
	sub.Send(t, encodeCommand([]string{"PSUBSCRIBE", "o*"}))
	require.Equal(t, "*3\r\n$10\r\npsubscribe\r\n$2\r\no*\r\n:2\r\n", sub.Read(t))
	const publishers, each = 4, 1000
	var wg sync.WaitGroup
	errs := make(chan error, publishers)
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pub := redis.NewClient(&redis.Options{Addr: srv.Addr()})
			defer pub.Close()
			for i := 0; i < each; i++ {
				n, err := pub.Publish(ctx, "ord", fmt.Sprintf("%d:%d", p, i)).Result()
				if err != nil || n != 2 {
					errs <- fmt.Errorf("publish %d:%d: %d receivers, %v", p, i, n, err)
					return
				}
			}
		}()
	}
	next := make([]int, publishers)
	nextP := make([]int, publishers)
	for got := 0; got < 2*publishers*each; got++ {
		_ = sub.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var sb strings.Builder
		require.NoError(t, readReply(sub.r, &sb), "after %d messages", got)
		_, items := splitReplyItems(sb.String())
		require.True(t, len(items) == 3 || len(items) == 4, sb.String())
		payload := items[len(items)-1]
		payload = payload[strings.Index(payload, "\r\n")+2 : len(payload)-2]
		var p, i int
		_, err := fmt.Sscanf(payload, "%d:%d", &p, &i)
		require.NoError(t, err)
		counters := next
		if len(items) == 4 {
			counters = nextP
		}
		require.Equal(t, counters[p], i, "publisher %d out of order", p)
		counters[p]++
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// TestPubSubUnsubscribeFence checks that once a client has read the confirmation of an
// unsubscription, no message of that channel follows, while a publisher is busy.
func TestPubSubUnsubscribeFence(t *testing.T) {
	srv := startServer(t)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		pub := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		defer pub.Close()
		for {
			select {
			case <-stop:
				return
			default:
				pub.Publish(ctx, "fence", "m")
			}
		}
	}()
	defer func() { close(stop); <-done }()
	sub := dialRaw(t, srv.Addr())
	const message = "*3\r\n$7\r\nmessage\r\n$5\r\nfence\r\n$1\r\nm\r\n"
	for round := 0; round < 200; round++ {
		sub.Send(t, encodeCommand([]string{"SUBSCRIBE", "fence"}))
		require.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$5\r\nfence\r\n:1\r\n", sub.Read(t), "round %d", round)
		sub.Send(t, encodeCommand([]string{"UNSUBSCRIBE", "fence"}))
		for {
			r := sub.Read(t)
			if r == message {
				continue
			}
			require.Equal(t, "*3\r\n$11\r\nunsubscribe\r\n$5\r\nfence\r\n:0\r\n", r, "round %d", round)
			break
		}
		require.Equal(t, "+PONG\r\n", sub.Do(t, "PING"), "round %d: a message after the unsubscription", round)
	}
}

// slowSubscriber subscribes a connection that never reads, then publishes 32 MB to it
// in 64 KB messages. The publisher must not stall (each PUBLISH must answer within the
// client's 5 s read timeout, the whole run within 60 s: it takes about 1 s, 15 s under
// the race detector); the subscriber must be disconnected for overcoming the pubsub
// output buffer limit, set here to 1 MB hard, 512 KB soft for 1 s.
func slowSubscriber(t *testing.T, addr string) {
	admin := redis.NewClient(&redis.Options{Addr: addr})
	defer admin.Close()
	require.NoError(t, admin.ConfigSet(ctx, "client-output-buffer-limit", "pubsub 1mb 512kb 1").Err())

	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	require.NoError(t, err)
	defer nc.Close()
	r := bufio.NewReader(nc)
	_, err = nc.Write(encodeCommand([]string{"SUBSCRIBE", "slow"}))
	require.NoError(t, err)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	var sb strings.Builder
	require.NoError(t, readReply(r, &sb))
	require.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$4\r\nslow\r\n:1\r\n", sb.String())

	payload := strings.Repeat("x", 64<<10)
	pub := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second})
	defer pub.Close()
	start := time.Now()
	var received int64
	const messages = 512
	for i := 0; i < messages; i++ {
		n, err := pub.Publish(ctx, "slow", payload).Result()
		require.NoError(t, err, "publish %d after %v", i, time.Since(start))
		received += n
		require.Less(t, time.Since(start), 60*time.Second, "the publisher stalled (message %d)", i)
	}
	t.Logf("32 MB published in %v; %d messages were counted as delivered", time.Since(start), received)
	require.Less(t, received, int64(messages), "the subscriber was never disconnected")

	require.Eventually(t, func() bool {
		return admin.PubSubNumSub(ctx, "slow").Val()["slow"] == 0
	}, 10*time.Second, 10*time.Millisecond, "the slow subscriber is still subscribed")
	require.NotContains(t, admin.ClientList(ctx).Val(), "cmd=subscribe")
	// The subscriber's connection is closed: reading drains at most what was in flight,
	// then ends.
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, r)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the subscriber's connection stayed open (read %d bytes)", n)
	}
	require.Less(t, n, int64(16<<20), "the server kept far more than its limit for the subscriber")
	require.Equal(t, "PONG", admin.Ping(ctx).Val())
}

func TestPubSubSlowSubscriber(t *testing.T) {
	t.Run("reference", func(t *testing.T) {
		ref := referenceAddr(t)
		mcReset(t, ref)
		t.Cleanup(func() { mcReset(t, ref) })
		slowSubscriber(t, ref)
	})
	t.Run("cinnabar", func(t *testing.T) {
		srv := startServer(t)
		slowSubscriber(t, srv.Addr())
	})
}

// settledGoroutines waits until the number of goroutines stops changing and returns it.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		time.Sleep(20 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

// TestPubSubGoroutinesReleased checks that subscribers leave no goroutine behind once
// they disconnect, whether they leave by themselves, by RESET or are dropped for their
// output buffer.
func TestPubSubGoroutinesReleased(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("client-output-buffer-limit", "pubsub", "256kb", "128kb", "1"))
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 1})
	defer admin.Close()
	require.Equal(t, "PONG", admin.Ping(ctx).Val())
	base := settledGoroutines()

	var conns []*rawConn
	for i := 0; i < 50; i++ {
		c := dialRaw(t, srv.Addr())
		c.Send(t, encodeCommand([]string{"SUBSCRIBE", "g", fmt.Sprintf("own%d", i)}))
		c.Read(t)
		c.Read(t)
		c.Send(t, encodeCommand([]string{"PSUBSCRIBE", "g*"}))
		c.Read(t)
		conns = append(conns, c)
	}
	require.Equal(t, int64(100), admin.Publish(ctx, "g", "m").Val())
	for _, c := range conns[:25] {
		c.Read(t)
		c.c.Close()
	}
	for _, c := range conns[25:] {
		c.Read(t)
		c.Read(t)
		require.Equal(t, "+RESET\r\n", c.Do(t, "RESET"))
	}
	// A subscriber that never reads, dropped by the output buffer limit.
	slow := dialRaw(t, srv.Addr())
	slow.Send(t, encodeCommand([]string{"SUBSCRIBE", "slow"}))
	slow.Read(t)
	big := strings.Repeat("x", 32<<10)
	for i := 0; i < 200; i++ {
		require.NoError(t, admin.Publish(ctx, "slow", big).Err())
	}
	require.Eventually(t, func() bool { return admin.PubSubNumSub(ctx, "slow").Val()["slow"] == 0 },
		5*time.Second, 10*time.Millisecond)
	for _, c := range conns[25:] {
		c.c.Close()
	}
	slow.c.Close()

	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= base+2 }, 10*time.Second, 20*time.Millisecond,
		"goroutines: %d at the start, %d now", base, runtime.NumGoroutine())
	require.Empty(t, admin.PubSubChannels(ctx, "*").Val())
	require.Equal(t, int64(0), admin.PubSubNumPat(ctx).Val())
}

// TestPubSubPublishFromTransaction checks PUBLISH inside MULTI and the delivery order of
// messages published by one transaction.
func TestPubSubPublishFromTransaction(t *testing.T) {
	mcDiff(t, `
		1! SUBSCRIBE t
		2 MULTI
		2 PUBLISH t 1
		2 PUBLISH t 2
		2 SET k v
		2 PUBLISH t 3
		2 EXEC
		1! PING
	`)
}

// TestPubSubPipelineBlocks checks that the messages a pipeline published are delivered
// when the publisher then blocks, not only when its pipeline is done: the server
// delivers a batch's messages at its end, and Redis writes them while the publisher
// waits.
func TestPubSubPipelineBlocks(t *testing.T) {
	srv := startServer(t)
	sub := dialRaw(t, srv.Addr())
	require.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$1\r\nw\r\n:1\r\n", sub.Do(t, "SUBSCRIBE", "w"))
	message := func(m string) string { return "*3\r\n$7\r\nmessage\r\n$1\r\nw\r\n$1\r\n" + m + "\r\n" }

	pub := dialRaw(t, srv.Addr())
	pub.Send(t, append(encodeCommand([]string{"PUBLISH", "w", "1"}), encodeCommand([]string{"BLPOP", "q", "0"})...))
	require.Equal(t, message("1"), sub.Read(t), "delivered while the publisher is blocked")
	require.Equal(t, ":1\r\n", pub.Read(t))
	admin := dialRaw(t, srv.Addr())
	require.Equal(t, ":1\r\n", admin.Do(t, "RPUSH", "q", "x"))
	require.Equal(t, "*2\r\n$1\r\nq\r\n$1\r\nx\r\n", pub.Read(t))
}

// TestPubSubProtocolSwitchRace switches a subscriber from RESP3 to RESP2 while another
// client publishes to it without pause: every frame must be well formed, pushes before
// the HELLO reply and RESP2 arrays after it. Run with -race, it also checks that the
// publisher does not read the subscriber's protocol unsynchronized.
func TestPubSubProtocolSwitchRace(t *testing.T) {
	srv := startServer(t)
	for round := 0; round < 30; round++ {
		protocolSwitchRound(t, srv.Addr(), round)
	}
}

func protocolSwitchRound(t *testing.T, addr string, round int) {
	sub := dialRaw(t, addr)
	defer sub.c.Close()
	require.True(t, strings.HasPrefix(sub.Do(t, "HELLO", "3"), "%7"))
	sub.Send(t, encodeCommand([]string{"SUBSCRIBE", "sw"}))
	require.Equal(t, ">3\r\n$9\r\nsubscribe\r\n$2\r\nsw\r\n:1\r\n", sub.Read(t))
	stop := make(chan struct{})
	var pubs sync.WaitGroup
	defer func() { close(stop); pubs.Wait() }() // also when an assertion ends the test
	for p := 0; p < 4; p++ {
		pubs.Add(1)
		go func() {
			defer pubs.Done()
			pub := redis.NewClient(&redis.Options{Addr: addr})
			defer pub.Close()
			for {
				select {
				case <-stop:
					return
				default:
					pub.Publish(ctx, "sw", "m")
				}
			}
		}()
	}
	time.Sleep(2 * time.Millisecond)
	sub.Send(t, encodeCommand([]string{"HELLO", "2"}))
	const push3 = ">3\r\n$7\r\nmessage\r\n$2\r\nsw\r\n$1\r\nm\r\n"
	const push2 = "*3\r\n$7\r\nmessage\r\n$2\r\nsw\r\n$1\r\nm\r\n"
	for {
		r := sub.Read(t)
		if r == push3 {
			continue
		}
		require.True(t, strings.HasPrefix(r, "*14\r\n$6\r\nserver\r\n"), "round %d: %q", round, r)
		break
	}
	for i := 0; i < 20; i++ {
		require.Equal(t, push2, sub.Read(t), "round %d", round)
	}
}
