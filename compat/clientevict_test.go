package compat

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestClientEvictionDifferential runs the same client-eviction scenarios on both
// servers (maxmemory-clients 1mb): a client sending an oversized request is dropped
// unless it said CLIENT NO-EVICT ON, so is a client queueing a big transaction and a
// subscriber that does not read its messages, and evicted_clients counts them.
func TestClientEvictionDifferential(t *testing.T) {
	srv := startServer(t)
	type outcome struct {
		bigRequestClosed, noEvictClosed, subscriberClosed, transactionClosed, readerClosed bool
		evicted                                                              int64
	}
	run := func(addr string) outcome {
		admin := newClient(t, addr, 2)
		require.NoError(t, admin.ConfigSet(ctx, "maxmemory-clients", "1mb").Err())
		defer admin.ConfigSet(ctx, "maxmemory-clients", "0")
		require.NoError(t, admin.ConfigResetStat(ctx).Err())
		var o outcome

		// A request whose 3 MB argument is half there.
		partial := func(noEvict bool) bool {
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			if noEvict {
				_, err = c.Write([]byte("CLIENT NO-EVICT on\r\n"))
				require.NoError(t, err)
				buf := make([]byte, 5)
				_, err = c.Read(buf)
				require.NoError(t, err)
			}
			_, _ = c.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n" + strings.Repeat("x", 1500000)))
			return closedWithin(c, 2*time.Second)
		}
		o.bigRequestClosed = partial(false)
		o.noEvictClosed = partial(true)
		require.Eventually(t, func() bool { // the server has let the big clients go
			return strings.Count(admin.ClientList(ctx).Val(), "\n") == 1
		}, 2*time.Second, 10*time.Millisecond)

		// A transaction queueing 2 MB.
		tx, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer tx.Close()
		big := strings.Repeat("v", 100000)
		var req strings.Builder
		req.WriteString("MULTI\r\n")
		for i := 0; i < 20; i++ {
			req.WriteString("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + big + "\r\n")
		}
		_, _ = tx.Write([]byte(req.String()))
		o.transactionClosed = closedWithin(tx, 2*time.Second)
		require.Eventually(t, func() bool { return strings.Count(admin.ClientList(ctx).Val(), "\n") == 1 }, 2*time.Second, 10*time.Millisecond)

		// A client that pipelines 20 MB of replies and reads none of them.
		require.NoError(t, admin.Set(ctx, "big", strings.Repeat("b", 100000), 0).Err())
		reader, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer reader.Close()
		_, _ = reader.Write([]byte(strings.Repeat("GET big\r\n", 200)))
		time.Sleep(500 * time.Millisecond) // the replies pile up while nothing is read
		o.readerClosed = closedWithin(reader, 2*time.Second)
		require.Eventually(t, func() bool { return strings.Count(admin.ClientList(ctx).Val(), "\n") == 1 }, 2*time.Second, 10*time.Millisecond)

		// A subscriber that reads nothing while 20 MB of messages arrive.
		sub, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer sub.Close()
		_, err = sub.Write([]byte("SUBSCRIBE ch\r\n"))
		require.NoError(t, err)
		require.Eventually(t, func() bool { return admin.PubSubNumSub(ctx, "ch").Val()["ch"] == 1 }, 2*time.Second, 10*time.Millisecond)
		payload := strings.Repeat("m", 500000) // 20 MB: more than the sockets' buffers hold
		for i := 0; i < 40; i++ {
			admin.Publish(ctx, "ch", payload)
		}
		// The subscriber's socket buffers absorb part of the messages; reading them
		// slowly (once eviction had its chance) tells whether the server closed it.
		o.subscriberClosed = closedWithin(sub, 3*time.Second)
		o.evicted = infoInt(t, admin, "evicted_clients")
		return o
	}
	want := run(referenceAddr(t))
	got := run(srv.Addr())
	// While the NO-EVICT client is over the limit on its own, the others go: the admin
	// connections are evicted too (go-redis reconnects), how many depends on timing.
	require.GreaterOrEqual(t, want.evicted, int64(3))
	require.GreaterOrEqual(t, got.evicted, int64(3))
	want.evicted, got.evicted = 0, 0
	require.Equal(t, want, got)
	require.True(t, got.bigRequestClosed && !got.noEvictClosed && got.subscriberClosed && got.transactionClosed && got.readerClosed, "%+v", got)
}

// closedWithin drains c until the server closes it or d passes without that.
func closedWithin(c net.Conn, d time.Duration) bool {
	deadline := time.Now().Add(d)
	buf := make([]byte, 64<<10)
	for time.Now().Before(deadline) {
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return true
		}
	}
	return false
}
