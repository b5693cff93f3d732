package compat

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// The multi-connection scripts used by the transaction, pub/sub and notification tests.
// A script is one step per line; a step names a connection (a digit) followed by an
// operation and a command:
//
//	1 SET k v     send on connection 1 and read one reply
//	1> BLPOP q 0  send only (the reply is read later with "1<")
//	1<            read one reply
//	1! SUBSCRIBE a b
//	              send, then PING a sentinel and read every reply up to the sentinel's:
//	              the confirmations and every message pushed so far
//	1* UNSUBSCRIBE
//	              as "!", for replies in an order Redis leaves unspecified: they are
//	              sorted, and the counts of (un)subscribe confirmations dropped
//	1@ PING       as "!", recording the replies compactly: a push as its type and its
//	              elements, e.g. "*pmessage __key*__:* __keyspace@0__:k set"
//	1% expired    read (for up to 5 s) until a reply containing "expired", recording
//	              the replies compactly; nothing is sent
//	1~ PUBSUB CHANNELS
//	              send and read one reply whose element order Redis leaves unspecified
//	1.            read one reply if one comes within 100 ms, else record that none came
//	              (a client that must still be blocked)
//	1- HELLO 3    send and read one reply without recording it (it has client ids)
//	1| SET a 1 ; SUBSCRIBE c ; PING
//	              send the commands (separated by " ; ") in one write, as a pipeline,
//	              then read every reply as "!" does
//	sleep 20      pause 20 ms
//
// Arguments are split on spaces: \s is a space inside an argument, "" an empty one.

const mcSentinel = "__mc_sentinel__"

var mcSentinelReplies = map[string]bool{
	"$15\r\n" + mcSentinel + "\r\n":                     true,
	"*2\r\n$4\r\npong\r\n$15\r\n" + mcSentinel + "\r\n": true,
}

type mcConn struct {
	c net.Conn
	r *bufio.Reader
}

func (m *mcConn) read(timeout time.Duration) (string, error) {
	_ = m.c.SetReadDeadline(time.Now().Add(timeout))
	var sb strings.Builder
	err := readReply(m.r, &sb)
	return sb.String(), err
}

func mcArgs(s string) []string {
	var args []string
	for _, a := range strings.Fields(s) {
		if a == `""` {
			a = ""
		}
		args = append(args, strings.ReplaceAll(a, `\s`, " "))
	}
	return args
}

func mcReadErr(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "<timeout>"
	}
	return "<closed>"
}

// mcRun runs script against addr on fresh connections and returns the transcript.
func mcRun(t *testing.T, addr, script string) []string {
	t.Helper()
	conns := map[byte]*mcConn{}
	defer func() {
		for _, c := range conns {
			c.c.Close()
		}
	}()
	get := func(id byte) *mcConn {
		if c := conns[id]; c != nil {
			return c
		}
		nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
		require.NoError(t, err)
		c := &mcConn{c: nc, r: bufio.NewReader(nc)}
		conns[id] = c
		return c
	}
	var out []string
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "sleep "); ok {
			ms, err := strconv.Atoi(rest)
			require.NoError(t, err)
			time.Sleep(time.Duration(ms) * time.Millisecond)
			continue
		}
		head, rest, _ := strings.Cut(line, " ")
		require.True(t, len(head) >= 1 && head[0] >= '1' && head[0] <= '9', "bad step %q", line)
		c := get(head[0])
		op := head[1:]
		args := mcArgs(rest)
		if op == "%" {
			args = nil
		}
		if len(args) > 0 {
			b := encodeCommand(args)
			if op == "|" {
				b = nil
				for _, part := range strings.Split(rest, " ; ") {
					b = append(b, encodeCommand(mcArgs(part))...)
				}
			}
			if op == "!" || op == "@" || op == "*" || op == "|" {
				b = append(b, encodeCommand([]string{"PING", mcSentinel})...)
			}
			_ = c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			_, err := c.c.Write(b)
			require.NoError(t, err, "step %q", line)
		}
		record := func(reply string) { out = append(out, fmt.Sprintf("%s -> %q", line, reply)) }
		switch op {
		case "", "<", "~", "-":
			reply, err := c.read(5 * time.Second)
			if err != nil {
				reply = mcReadErr(err)
			}
			if op == "~" {
				reply = sortedReply(reply)
			}
			if op != "-" {
				record(reply)
			}
		case ".":
			reply, err := c.read(100 * time.Millisecond)
			if err != nil {
				reply = mcReadErr(err)
			}
			record(reply)
		case ">":
		case "%":
			var replies []string
			for {
				reply, err := c.read(5 * time.Second)
				if err != nil {
					replies = append(replies, mcReadErr(err))
					break
				}
				replies = append(replies, mcCompact(reply))
				if strings.Contains(reply, rest) {
					break
				}
			}
			for _, r := range replies {
				out = append(out, fmt.Sprintf("%s => %q", line, r))
			}
		case "!", "*", "@", "|":
			var replies []string
			for {
				reply, err := c.read(5 * time.Second)
				if err != nil {
					replies = append(replies, mcReadErr(err))
					break
				}
				if mcSentinelReplies[reply] {
					break
				}
				replies = append(replies, reply)
			}
			if op == "*" {
				for i, r := range replies {
					if strings.Contains(r, "subscribe\r\n") {
						replies[i] = r[:strings.LastIndex(r[:len(r)-2], "\r\n")+2]
					}
				}
				sort.Strings(replies)
			}
			if op == "@" { // one line each, so that a diff points at the notification
				for _, r := range replies {
					out = append(out, fmt.Sprintf("%s => %q", line, mcCompact(r)))
				}
				break
			}
			out = append(out, fmt.Sprintf("%s -> %q", line, replies))
		default:
			t.Fatalf("bad step %q", line)
		}
	}
	return out
}

// mcCompact renders a raw aggregate reply as its type and its elements separated by
// spaces ("*pmessage pattern channel payload"); other replies are left raw.
func mcCompact(raw string) string {
	if raw == "" || !strings.ContainsRune("*>", rune(raw[0])) {
		return raw
	}
	r := bufio.NewReader(strings.NewReader(raw))
	header, _ := r.ReadString('\n')
	n, _ := strconv.Atoi(strings.TrimSpace(header[1:]))
	parts := []string{}
	for i := 0; i < n; i++ {
		var sb strings.Builder
		if readReply(r, &sb) != nil {
			return raw
		}
		item := sb.String()
		switch item[0] {
		case '$':
			item = item[strings.Index(item, "\r\n")+2 : len(item)-2]
		case ':', '+':
			item = strings.TrimSuffix(item[1:], "\r\n")
		}
		parts = append(parts, item)
	}
	return header[:1] + strings.Join(parts, " ")
}

// mcReset returns the shared reference server to a clean state: empty, with the
// settings these tests change (notifications, maxmemory and its policy, pub/sub buffer
// limits) back at their defaults, and (when waitSubs) with no
// subscriptions left over from closed connections.
func mcReset(t *testing.T, addr string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, MaxRetries: -1})
	defer c.Close()
	require.NoError(t, c.FlushAll(ctx).Err())
	require.NoError(t, c.ConfigSet(ctx, "notify-keyspace-events", "").Err())
	require.NoError(t, c.ConfigSet(ctx, "maxmemory", "0").Err())
	require.NoError(t, c.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err())
	require.NoError(t, c.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "1").Err())
	require.NoError(t, c.ConfigSet(ctx, "client-output-buffer-limit", "pubsub 33554432 8388608 60").Err())
	require.Eventually(t, func() bool {
		chans := c.PubSubChannels(ctx, "*").Val()
		shard := c.PubSubShardChannels(ctx, "*").Val()
		return len(chans) == 0 && len(shard) == 0 && c.PubSubNumPat(ctx).Val() == 0
	}, 5*time.Second, 10*time.Millisecond, "subscriptions left on the reference server")
}

// mcDiff runs script on the reference server and on a fresh Cinnabar and requires the
// same transcript.
func mcDiff(t *testing.T, script string, opts ...cinnabartest.Option) {
	t.Helper()
	ref := referenceAddr(t)
	mcReset(t, ref)
	t.Cleanup(func() { mcReset(t, ref) })
	want := mcRun(t, ref, script)
	srv := startServer(t, opts...)
	got := mcRun(t, srv.Addr(), script)
	if !slices.Equal(want, got) {
		t.Logf("reference transcript:\n%s\n\nCinnabar transcript:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	require.Equal(t, want, got)
}

// diffTranscripts runs transcript against the reference and against a fresh Cinnabar
// and compares what it recorded.
func diffTranscripts[T any](t *testing.T, transcript func(t *testing.T, addr string) T) {
	t.Helper()
	ref := referenceAddr(t)
	mcReset(t, ref)
	t.Cleanup(func() { mcReset(t, ref) })
	want := transcript(t, ref)
	require.Equal(t, want, transcript(t, startServer(t).Addr()))
}

func TestTransactionsDifferential(t *testing.T) {
	t.Run("queue-time errors abort EXEC", func(t *testing.T) {
		diffScript(t, `
			MULTI
			SET a 1
			NOSUCHCOMMAND x
			SET b 2
			EXEC
			EXISTS a b
			MULTI
			SET a
			SET b 2
			EXEC
			EXISTS a b
			MULTI
			GET a b
			DISCARD
			EXISTS a b
			MULTI
			CLIENT NOSUCH
			EXEC
			MULTI
			OBJECT nosuch
			SET a 1
			EXEC
			EXISTS a
			MULTI
			SHUTDOWN NOSAVE
			SET a 1
			EXEC
			EXISTS a
			MULTI
			EXEC
			MULTI
			WATCH
			EXEC
		`)
	})

	t.Run("run-time errors stay per command", func(t *testing.T) {
		diffScript(t, `
			MULTI
			SET s notanumber
			INCR s
			GET s
			LPUSH s a
			INCRBYFLOAT s 1
			SET n 10
			INCR n
			RPUSH l a b
			LPOP s
			LRANGE l 0 -1
			EXEC
			GET n
			MULTI
			CONFIG SET nosuch 1
			SET ok 1
			EXEC
			GET ok
			MULTI
			SELECT 1
			SET k db1
			SELECT 9999
			GET k
			EXEC
			GET k
			SELECT 1
			GET k
			SELECT 0
		`)
	})

	t.Run("misuse", func(t *testing.T) {
		diffScript(t, `
			EXEC
			DISCARD
			UNWATCH
			MULTI
			MULTI
			WATCH x
			SET a 1
			EXEC
			MULTI
			DISCARD
			EXEC
			MULTI
			UNWATCH
			PING
			ECHO hi
			EXEC
			MULTI
			GET a
			RESET
			EXEC
			WATCH a b
			WATCH a
			UNWATCH
			MULTI extra
			DISCARD extra
			UNWATCH extra
		`)
	})

	t.Run("replies of every type inside EXEC", func(t *testing.T) {
		diffScript(t, `
			MULTI
			SET s v
			GET s
			GET nokey
			RPUSH l a b
			LRANGE l 0 -1
			HSET h f v
			HGETALL h
			SADD set x
			SMEMBERS set
			INCRBYFLOAT f 1.5
			TTL s
			EXEC
			MULTI
			BLPOP nolist 0
			BLPOP l 0
			BLMOVE nolist dst LEFT LEFT 0
			EXEC
		`)
	})

	// Redis answers any rejected EXEC (here: wrong arity) with EXECABORT and leaves
	// MULTI, so the next command runs at once.
	t.Run("EXEC rejected by arity aborts the transaction", func(t *testing.T) {
		diffScript(t, `
			MULTI
			SET k v
			EXEC extra
			SET k2 v2
			EXEC
			EXISTS k k2
		`)
	})

	// Over maxmemory, Redis refuses at queue time every command but EXEC, DISCARD,
	// QUIT and RESET (not only the denyoom ones: queueing itself takes memory), and an
	// EXEC whose queue holds a denyoom command is refused with EXECABORT.
	t.Run("OOM at queue time", func(t *testing.T) {
		t.Cleanup(func() { mcReset(t, referenceAddr(t)) })
		diffScript(t, `
			SET a 1
			MULTI
			SET x 1
			CONFIG SET maxmemory 1
			EXEC
			MULTI
			GET a
			EXEC
			MULTI
			PING
			DISCARD
			SET b 1
			GET a
			CONFIG SET maxmemory 0
		`)
	})

	// SAVE, SYNC and PSYNC carry the no-multi flag in Redis 7.0, as SHUTDOWN does.
	t.Run("no-multi commands", func(t *testing.T) {
		diffScript(t, `
			MULTI
			SAVE
			SET a 1
			EXEC
			EXISTS a
			MULTI
			SHUTDOWN
			DISCARD
		`)
	})
	t.Run("no-multi replication commands", func(t *testing.T) {
		diffScript(t, `
			MULTI
			SYNC
			PSYNC ? -1
			EXEC
			EXISTS a
		`)
	})
}

func TestTransactionsRESP3(t *testing.T) {
	mcDiff(t, `
		1- HELLO 3
		1 MULTI
		1 SET k 1
		1 HSET h a 1
		1 HGETALL h
		1 SADD s x
		1 SMEMBERS s
		1 GET nokey
		1 INCRBYFLOAT f 2.5
		1 EXEC
		1 WATCH k
		2 SET k 2
		1 MULTI
		1 GET k
		1 EXEC
		1 MULTI
		1 SET
		1 EXEC
		1 EXEC
	`)
}

// TestWatchTranscript checks what invalidates a WATCH and what does not, comparing the
// transcripts of two connections with the reference server's.
func TestWatchTranscript(t *testing.T) {
	scenarios := []struct{ name, script string }{
		{"another client's SET", `
			1 SET k 1
			1 WATCH k
			2 SET k 2
			1 MULTI
			1 GET k
			1 EXEC
			1 GET k`},
		{"SET of the same value", `
			1 SET k 1
			1 WATCH k
			2 SET k 1
			1 MULTI
			1 GET k
			1 EXEC`},
		{"DEL of an existing key", `
			1 SET k 1
			1 WATCH k
			2 DEL k
			1 MULTI
			1 SET k new
			1 EXEC
			1 GET k`},
		{"DEL of a missing key changes nothing", `
			1 WATCH k
			2 DEL k
			1 MULTI
			1 SET k new
			1 EXEC
			1 GET k`},
		{"EXPIRE", `
			1 SET k 1
			1 WATCH k
			2 EXPIRE k 100
			1 MULTI
			1 TTL k
			1 EXEC`},
		{"PERSIST", `
			1 SET k 1 EX 100
			1 WATCH k
			2 PERSIST k
			1 MULTI
			1 TTL k
			1 EXEC`},
		{"INCR", `
			1 SET k 1
			1 WATCH k
			2 INCR k
			1 MULTI
			1 GET k
			1 EXEC`},
		{"creation of a missing key", `
			1 WATCH k
			2 SET k created
			1 MULTI
			1 GET k
			1 EXEC`},
		{"own write before MULTI", `
			1 SET k 1
			1 WATCH k
			1 SET k 2
			1 MULTI
			1 GET k
			1 EXEC`},
		{"other keys and reads do not invalidate", `
			1 SET k 1
			1 WATCH k
			2 SET other 1
			2 GET k
			2 EXISTS k
			2 TTL k
			2 TYPE k
			2 STRLEN k
			1 MULTI
			1 INCR k
			1 EXEC`},
		{"same name in another database", `
			1 SET k 1
			1 WATCH k
			2 SELECT 1
			2 SET k other
			2 DEL k
			1 MULTI
			1 GET k
			1 EXEC`},
		{"watch in database 1", `
			1 SELECT 1
			1 SET w 1
			1 WATCH w
			2 SELECT 1
			2 SET w 2
			1 MULTI
			1 GET w
			1 EXEC`},
		{"the database of the WATCH counts, not of the EXEC", `
			1 SET k 1
			1 WATCH k
			1 SELECT 3
			2 SET k 2
			1 MULTI
			1 GET k
			1 EXEC`},
		{"FLUSHDB with the key", `
			1 SET k 1
			1 WATCH k
			2 FLUSHDB
			1 MULTI
			1 GET k
			1 EXEC`},
		{"FLUSHDB without the key", `
			1 WATCH k
			2 SET x 1
			2 FLUSHDB
			1 MULTI
			1 GET k
			1 EXEC`},
		{"FLUSHDB ASYNC with the key", `
			1 SET k 1
			1 WATCH k
			2 FLUSHDB ASYNC
			1 MULTI
			1 GET k
			1 EXEC`},
		{"FLUSHALL with the key", `
			1 SET k 1
			1 WATCH k
			2 FLUSHALL
			1 MULTI
			1 GET k
			1 EXEC`},
		{"FLUSHALL without the key", `
			1 WATCH k
			2 SELECT 1
			2 SET k 1
			2 FLUSHALL
			1 MULTI
			1 GET k
			1 EXEC`},
		{"FLUSHALL with the key in database 1", `
			1 SELECT 1
			1 SET k 1
			1 WATCH k
			2 FLUSHALL
			1 MULTI
			1 GET k
			1 EXEC`},
		{"FLUSHDB of another database", `
			1 SET k 1
			1 WATCH k
			2 SELECT 1
			2 SET k 1
			2 FLUSHDB
			1 MULTI
			1 GET k
			1 EXEC`},
		{"SWAPDB of other databases", `
			1 SET k 1
			1 WATCH k
			2 SELECT 1
			2 SET k 1
			2 SWAPDB 1 2
			1 MULTI
			1 GET k
			1 EXEC`},
		{"SWAPDB bringing the key", `
			2 SELECT 1
			2 SET k db1
			1 WATCH k
			2 SWAPDB 0 1
			1 MULTI
			1 GET k
			1 EXEC`},
		{"SWAPDB taking the key away", `
			1 SET k db0
			1 WATCH k
			2 SWAPDB 1 0
			1 MULTI
			1 GET k
			1 EXEC`},
		{"SWAPDB without the key", `
			2 SET other 1
			1 WATCH k
			2 SWAPDB 0 1
			1 MULTI
			1 GET k
			1 EXEC`},
		{"RENAME onto the key", `
			2 SET src v
			1 WATCH k
			2 RENAME src k
			1 MULTI
			1 GET k
			1 EXEC`},
		{"RENAME from the key", `
			1 SET k v
			1 WATCH k
			2 RENAME k dst
			1 MULTI
			1 GET dst
			1 EXEC`},
		{"MOVE", `
			1 SET k v
			1 WATCH k
			2 MOVE k 2
			1 MULTI
			1 GET k
			1 EXEC`},
		{"COPY onto the key", `
			1 SET src v
			1 WATCH k
			2 COPY src k
			1 MULTI
			1 GET k
			1 EXEC`},
		{"UNWATCH", `
			1 SET k 1
			1 WATCH k
			1 UNWATCH
			2 SET k 2
			1 MULTI
			1 GET k
			1 EXEC`},
		{"EXEC ends the watches", `
			1 SET k 1
			1 WATCH k
			1 MULTI
			1 EXEC
			2 SET k 2
			1 MULTI
			1 GET k
			1 EXEC`},
		{"an aborted EXEC ends the watches", `
			1 SET k 1
			1 WATCH k
			2 SET k 2
			1 MULTI
			1 EXEC
			2 SET k 3
			1 MULTI
			1 GET k
			1 EXEC`},
		{"EXECABORT ends the watches", `
			1 SET k 1
			1 WATCH k
			1 MULTI
			1 NOSUCH
			1 EXEC
			2 SET k 2
			1 MULTI
			1 GET k
			1 EXEC`},
		{"DISCARD ends the watches", `
			1 WATCH k
			1 MULTI
			1 DISCARD
			2 SET k 3
			1 MULTI
			1 GET k
			1 EXEC`},
		{"RESET ends the watches", `
			1 WATCH k
			1 RESET
			2 SET k 3
			1 MULTI
			1 GET k
			1 EXEC`},
		{"one of several keys", `
			1 WATCH a b k
			2 SET b 1
			1 MULTI
			1 GET k
			1 EXEC`},
		{"the same key watched twice", `
			1 WATCH k
			1 WATCH k
			2 SET k y
			1 MULTI
			1 GET k
			1 EXEC`},
		{"a later WATCH adds keys", `
			1 WATCH a
			1 WATCH b
			2 SET a 1
			1 MULTI
			1 GET b
			1 EXEC`},
		{"writes that change nothing", `
			1 SET k 1
			1 WATCH nokey k
			2 SET nokey v XX
			2 EXPIRE nokey 10
			2 DEL nokey
			2 PERSIST k
			2 LPUSHX nokey a
			2 SETNX k zz
			2 RENAME nokey k
			2 GETEX k
			2 LPOP nokey
			2 HSETNX nokey f v
			2 SREM nokey a
			2 SETRANGE k 0 ""
			1 MULTI
			1 GET k
			1 EXEC`},
		{"writes that change something", `
			1 SET k 1
			1 WATCH k
			2 APPEND k ""
			1 MULTI
			1 EXEC
			1 WATCH k
			2 GETEX k PX 100000
			1 MULTI
			1 EXEC
			1 WATCH k
			2 GETDEL k
			1 MULTI
			1 EXEC
			1 WATCH l
			2 LPUSH l a
			1 MULTI
			1 EXEC
			1 WATCH l
			2 LPOP l
			1 MULTI
			1 EXEC
			1 WATCH h
			2 HSET h f v
			1 MULTI
			1 EXEC
			1 WATCH s
			2 SADD s a
			1 MULTI
			1 EXEC
			1 WATCH s
			2 SADD s a
			2 SREM s nope
			1 MULTI
			1 EXEC
			1 WATCH s
			2 SINTERSTORE s none1 none2
			1 MULTI
			1 EXEC
			1 WATCH s
			2 SINTERSTORE s none1 none2
			1 MULTI
			1 EXEC
			1 WATCH k
			2 SET k v
			2 PEXPIRE k -1
			1 MULTI
			1 EXISTS k
			1 EXEC`},
		{"a transaction of another client", `
			1 SET k 1
			1 WATCH k
			2 MULTI
			2 INCR k
			1 GET k
			2 EXEC
			1 MULTI
			1 GET k
			1 EXEC`},
		{"a queued but discarded transaction of another client", `
			1 SET k 1
			1 WATCH k
			2 MULTI
			2 INCR k
			2 DISCARD
			1 MULTI
			1 GET k
			1 EXEC`},
		{"a blocked pop served from the key", `
			1 WATCH q
			3> BLPOP q 0
			sleep 50
			2 RPUSH q a
			3<
			1 MULTI
			1 LLEN q
			1 EXEC`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { mcDiff(t, sc.script) })
	}
}

// TestWatchExpiry covers keys that expire around a WATCH. Whether the active expiry
// cycle or a lookup deletes the key first is left to chance on both servers; each
// scenario has one answer either way.
func TestWatchExpiry(t *testing.T) {
	scenarios := []struct{ name, script string }{
		// The key expires while watched: EXEC fails, whether the key was deleted by the
		// active cycle or is still in memory.
		{"expires while watched", `
			1 SET k v
			1 WATCH k
			2 PEXPIRE k 1
			sleep 5
			1 MULTI
			1 PING
			1 EXEC`},
		{"expires while watched, without another client", `
			1 SET k v PX 20
			1 WATCH k
			sleep 40
			1 MULTI
			1 PING
			1 EXEC`},
		{"expires while watched, then read by another client", `
			1 SET k v PX 20
			1 WATCH k
			sleep 40
			2 GET k
			1 MULTI
			1 PING
			1 EXEC`},
		// A key already expired when watched is a missing key: its deletion changes
		// nothing logically, so EXEC runs.
		{"already expired when watched", `
			1 SET k v PX 1
			sleep 5
			1 WATCH k
			1 MULTI
			1 PING
			1 EXEC`},
		{"already expired when watched, then read by another client", `
			1 SET k v PX 1
			sleep 5
			1 WATCH k
			2 GET k
			1 MULTI
			1 PING
			1 EXEC`},
		{"already expired when watched, then set by another client", `
			1 SET k v PX 1
			sleep 5
			1 WATCH k
			2 SET k new
			1 MULTI
			1 PING
			1 EXEC`},
		{"long TTL", `
			1 SET k v EX 100
			1 WATCH k
			1 MULTI
			1 PING
			1 EXEC`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { mcDiff(t, sc.script) })
	}
}

// TestTransactionsBlocking checks that clients blocked on keys a transaction fills are
// served after EXEC, with what the whole transaction left, and that the blocking
// commands inside MULTI do not block.
func TestTransactionsBlocking(t *testing.T) {
	t.Run("served after EXEC", func(t *testing.T) {
		mcDiff(t, `
			1> BLPOP q 0
			sleep 50
			2 MULTI
			2 RPUSH q a
			2 LLEN q
			1.
			2 RPUSH q b
			2 EXEC
			1<
			2 LRANGE q 0 -1`)
	})
	t.Run("pushed and popped inside the transaction", func(t *testing.T) {
		mcDiff(t, `
			1> BLPOP q 0
			sleep 50
			2 MULTI
			2 RPUSH q a
			2 LPOP q
			2 EXEC
			1.
			2 RPUSH q later
			1<
			2 EXISTS q`)
	})
	t.Run("two blocked clients and two lists", func(t *testing.T) {
		mcDiff(t, `
			1> BRPOP a b 0
			sleep 50
			3> BLPOP b 0
			sleep 50
			2 MULTI
			2 RPUSH b 1 2
			2 RPUSH a 3
			2 EXEC
			1<
			3<
			2 LRANGE a 0 -1
			2 LRANGE b 0 -1`)
	})
	t.Run("BLMOVE served by a transaction", func(t *testing.T) {
		mcDiff(t, `
			1> BLMOVE src dst LEFT RIGHT 0
			sleep 50
			2 MULTI
			2 RPUSH src x y
			2 RPUSH dst z
			2 EXEC
			1<
			2 LRANGE src 0 -1
			2 LRANGE dst 0 -1`)
	})
	t.Run("no blocking inside MULTI", func(t *testing.T) {
		mcDiff(t, `
			1 RPUSH full a b c
			1 MULTI
			1 BLPOP none 0
			1 BLPOP full 0
			1 BRPOP none full 0
			1 BLMOVE none dst LEFT LEFT 0
			1 BLMOVE full dst LEFT LEFT 0
			1 BRPOPLPUSH none dst 0
			1 BLMPOP 0 2 none full RIGHT COUNT 5
			1 BLMPOP 0 1 none LEFT
			1 EXEC
			1 LRANGE dst 0 -1`)
	})
}

func TestTransactionsGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		// TxPipelined wraps the commands in MULTI/EXEC.
		var incr *redis.IntCmd
		var get *redis.StringCmd
		cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "k", "1", 0)
			incr = p.Incr(ctx, "k")
			get = p.Get(ctx, "k")
			p.Get(ctx, "nokey")
			return nil
		})
		require.ErrorIs(t, err, redis.Nil)
		require.Len(t, cmds, 4)
		require.Equal(t, int64(2), incr.Val())
		require.Equal(t, "2", get.Val())

		// A run-time error is reported by its command; the others ran.
		rdb.Set(ctx, "s", "str", 0)
		var bad *redis.IntCmd
		var after *redis.StatusCmd
		_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			bad = p.Incr(ctx, "s")
			after = p.Set(ctx, "after", "ok", 0)
			return nil
		})
		require.EqualError(t, err, "ERR value is not an integer or out of range")
		require.EqualError(t, bad.Err(), "ERR value is not an integer or out of range")
		require.Equal(t, "OK", after.Val())

		// A queue-time error aborts everything.
		_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, "never", "1", 0)
			p.Do(ctx, "nosuchcommand")
			return nil
		})
		require.ErrorContains(t, err, "EXECABORT")
		require.Equal(t, int64(0), rdb.Exists(ctx, "never").Val())

		// A long transaction: 1000 queued commands answer in order.
		var incrs []*redis.IntCmd
		_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < 1000; i++ {
				incrs = append(incrs, p.Incr(ctx, "long"))
			}
			return nil
		})
		require.NoError(t, err)
		for i, c := range incrs {
			require.Equal(t, int64(i+1), c.Val())
		}

		// Queued arguments are copied into buffers a client reuses: they must survive
		// the buffers' growth during a transaction, and what a transaction stored must
		// survive the next one overwriting them (the last round outgrows what is kept).
		value := func(round, i int) string { return strings.Repeat(string(rune('a'+round)), i*[]int{37, 37, 97}[round]) }
		for round := 0; round < 3; round++ {
			_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				for i := 0; i < 50; i++ {
					p.Set(ctx, fmt.Sprintf("grow:%d:%d", round, i), value(round, i), 0)
				}
				return nil
			})
			require.NoError(t, err)
		}
		for round := 0; round < 3; round++ {
			for i := 0; i < 50; i++ {
				require.Equal(t, value(round, i), rdb.Get(ctx, fmt.Sprintf("grow:%d:%d", round, i)).Val())
			}
		}

		// Watch fails with TxFailedErr when the key changes under it.
		other := newClient(t, srv.Addr(), 2)
		err = rdb.Watch(ctx, func(tx *redis.Tx) error {
			n, err := tx.Get(ctx, "k").Int()
			if err != nil {
				return err
			}
			require.NoError(t, other.Set(ctx, "k", "100", 0).Err())
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "k", n+1, 0)
				return nil
			})
			return err
		}, "k")
		require.ErrorIs(t, err, redis.TxFailedErr)
		require.Equal(t, "100", rdb.Get(ctx, "k").Val())
	})
}

// TestTransactionsWatchRetries is the classic optimistic increment: many goroutines
// read a counter under WATCH and write it back in MULTI, retrying when EXEC fails. No
// increment may be lost or doubled.
func TestTransactionsWatchRetries(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		const workers, perWorker = 20, 50
		rdb = redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: rdb.Options().Protocol, PoolSize: workers})
		defer rdb.Close()
		deadline := time.Now().Add(60 * time.Second)
		var retries atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perWorker; i++ {
					for {
						if time.Now().After(deadline) {
							errs <- fmt.Errorf("out of time")
							return
						}
						err := rdb.Watch(ctx, func(tx *redis.Tx) error {
							n, err := tx.Get(ctx, "counter").Int()
							if err != nil && err != redis.Nil {
								return err
							}
							_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
								p.Set(ctx, "counter", n+1, 0)
								return nil
							})
							return err
						}, "counter")
						if err == redis.TxFailedErr {
							retries.Add(1)
							continue
						}
						if err != nil {
							errs <- err
							return
						}
						break
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, strconv.Itoa(workers*perWorker), rdb.Get(ctx, "counter").Val())
		t.Logf("%d retries", retries.Load())
	})
}

// TestTransactionsWatchTransfers moves amounts between ten accounts (keys spread over
// the shards) from many goroutines, each transfer a WATCH of both accounts, two GETs
// and a MULTI of two SETs, retried when EXEC fails: the total must not change and the
// number of transfers applied must be exact.
func TestTransactionsWatchTransfers(t *testing.T) {
	srv := startServer(t)
	const accounts, workers, perWorker = 10, 20, 50
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: workers})
	defer rdb.Close()
	for i := 0; i < accounts; i++ {
		require.NoError(t, rdb.Set(ctx, fmt.Sprintf("acct:{%d}", i), 1000, 0).Err())
	}
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				from := fmt.Sprintf("acct:{%d}", (w+i)%accounts)
				to := fmt.Sprintf("acct:{%d}", (w+3*i+1)%accounts)
				if from == to {
					to = fmt.Sprintf("acct:{%d}", (w+3*i+2)%accounts)
				}
				for {
					if time.Now().After(deadline) {
						errs <- fmt.Errorf("out of time")
						return
					}
					err := rdb.Watch(ctx, func(tx *redis.Tx) error {
						a, err := tx.Get(ctx, from).Int()
						if err != nil {
							return err
						}
						b, err := tx.Get(ctx, to).Int()
						if err != nil {
							return err
						}
						_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
							p.Set(ctx, from, a-1, 0)
							p.Set(ctx, to, b+1, 0)
							p.Incr(ctx, "transfers")
							return nil
						})
						return err
					}, from, to)
					if err == redis.TxFailedErr {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	total := 0
	for i := 0; i < accounts; i++ {
		n, err := rdb.Get(ctx, fmt.Sprintf("acct:{%d}", i)).Int()
		require.NoError(t, err)
		total += n
	}
	require.Equal(t, accounts*1000, total)
	require.Equal(t, strconv.Itoa(workers*perWorker), rdb.Get(ctx, "transfers").Val())
}

// TestTransactionsRateLimit is a fixed-window rate limiter: INCR and EXPIRE NX in one
// MULTI from many goroutines; exactly limit requests are allowed in the window.
func TestTransactionsRateLimit(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		const workers, perWorker, limit = 20, 50, 300
		rdb = redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: rdb.Options().Protocol, PoolSize: workers})
		defer rdb.Close()
		var allowed, denied atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perWorker; i++ {
					var incr *redis.IntCmd
					var expire *redis.BoolCmd
					_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
						incr = p.Incr(ctx, "rate:window")
						expire = p.ExpireNX(ctx, "rate:window", time.Minute)
						return nil
					})
					if err != nil {
						errs <- err
						return
					}
					if incr.Val() == 1 && !expire.Val() {
						errs <- fmt.Errorf("the first request of the window did not set the TTL")
						return
					}
					if incr.Val() > 1 && expire.Val() {
						errs <- fmt.Errorf("request %d set the TTL again", incr.Val())
						return
					}
					if incr.Val() <= limit {
						allowed.Add(1)
					} else {
						denied.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, int64(limit), allowed.Load())
		require.Equal(t, int64(workers*perWorker-limit), denied.Load())
		require.Equal(t, strconv.Itoa(workers*perWorker), rdb.Get(ctx, "rate:window").Val())
		ttl := rdb.TTL(ctx, "rate:window").Val()
		require.True(t, ttl > 0 && ttl <= time.Minute, "ttl %v", ttl)
	})
}

// TestTransactionsAtomic checks that no other client sees a transaction half done:
// a transfer between two keys inside MULTI keeps their sum constant for readers that
// read both keys in one MGET.
func TestTransactionsAtomic(t *testing.T) {
	srv := startServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 10})
	defer rdb.Close()
	require.NoError(t, rdb.MSet(ctx, "acct:a", 1000, "acct:b", 1000).Err())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for w := 0; w < 5; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
					p.DecrBy(ctx, "acct:a", 7)
					p.IncrBy(ctx, "acct:b", 7)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var readers sync.WaitGroup
	for r := 0; r < 3; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				vals, err := rdb.MGet(ctx, "acct:a", "acct:b").Result()
				if err != nil {
					errs <- err
					return
				}
				a, _ := strconv.Atoi(vals[0].(string))
				b, _ := strconv.Atoi(vals[1].(string))
				if a+b != 2000 {
					errs <- fmt.Errorf("saw a half-done transfer: a=%d b=%d", a, b)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, "-6000", rdb.Get(ctx, "acct:a").Val())
	require.Equal(t, "8000", rdb.Get(ctx, "acct:b").Val())
}

// clientListFields runs a scenario on addr and returns, for each named client, the
// CLIENT LIST fields that describe transactions and subscriptions.
func clientListFields(t *testing.T, addr string) map[string]string {
	t.Helper()
	script := `
		2 CLIENT SETNAME sub
		2! SUBSCRIBE a b
		2! PSUBSCRIBE c*
		2! SSUBSCRIBE s
		3 CLIENT SETNAME tx
		3 WATCH k
		3 MULTI
		3 SET k 1
		3 GET k
		4 CLIENT SETNAME watcher
		4 WATCH k
		5 CLIENT SETNAME dirty
		5 WATCH k
		1 SET k 2
		6 CLIENT SETNAME plain
		6 MULTI
		6 EXEC
		7 CLIENT SETNAME aborted
		7 MULTI
		7 SET x
		1 CLIENT LIST
	`
	out := mcRun(t, addr, script)
	last := out[len(out)-1]
	_, quoted, _ := strings.Cut(last, " -> ")
	raw, err := strconv.Unquote(quoted)
	require.NoError(t, err)
	fields := map[string]string{}
	for _, line := range strings.Split(raw, "\n") {
		kv := map[string]string{}
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			kv[k] = v
		}
		if kv["name"] == "" {
			continue
		}
		var sb strings.Builder
		for _, k := range []string{"flags", "db", "sub", "psub", "ssub", "multi", "cmd", "resp"} {
			fmt.Fprintf(&sb, "%s=%s ", k, kv[k])
		}
		fields[kv["name"]] = sb.String()
	}
	return fields
}

// TestTransactionsClientList compares the CLIENT LIST fields of clients in MULTI, with
// dirty watches and in subscribed mode: flags x (MULTI), d (a watched key changed),
// P (pub/sub), the multi= queue length and the sub=, psub=, ssub= counts.
func TestTransactionsClientList(t *testing.T) {
	diffTranscripts(t, clientListFields)
}

// TestTransactionsConcurrentMixed runs transactions that lock every shard (KEYS,
// DBSIZE, SCAN, FLUSHDB, SWAPDB) alongside transactions and plain commands on single
// keys, blocking pops and WATCHes, from many clients at once. Nothing may deadlock or
// fail; every goroutine finishes within the time limit.
func TestTransactionsConcurrentMixed(t *testing.T) {
	srv := startServer(t)
	const workers, perWorker = 12, 60
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: workers * 2, ReadTimeout: 10 * time.Second})
	defer rdb.Close()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	finished := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				k := fmt.Sprintf("k%d", (w*7+i)%20)
				var err error
				switch (w + i) % 6 {
				case 0:
					_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Set(ctx, k, i, 0)
						p.Keys(ctx, "*")
						p.DBSize(ctx)
						p.Scan(ctx, 0, "", 100)
						p.RPush(ctx, "list"+k, "x")
						return nil
					})
				case 1:
					_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Incr(ctx, k+"n")
						if i%10 == 0 {
							p.FlushDB(ctx)
						}
						if i%15 == 0 {
							p.SwapDB(ctx, 0, 1)
						}
						return nil
					})
				case 2:
					err = rdb.Watch(ctx, func(tx *redis.Tx) error {
						_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
							p.MSet(ctx, k, "v", "other"+k, "w")
							p.LPush(ctx, "list"+k, "y")
							return nil
						})
						return err
					}, k, "other"+k)
					if err == redis.TxFailedErr {
						err = nil
					}
				case 3:
					err = rdb.Do(ctx, "BLPOP", "list"+k, "list"+k+"b", "0.02").Err() // go-redis rounds a Duration up to 1s
					if err == redis.Nil {
						err = nil
					}
				case 4:
					err = rdb.MSet(ctx, k, "1", "k"+k, "2").Err()
				case 5:
					_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.RPush(ctx, "list"+k+"b", "z")
						p.LMove(ctx, "list"+k+"b", "list"+k, "LEFT", "RIGHT")
						p.Publish(ctx, "chan", k)
						return nil
					})
				}
				if err != nil && !strings.HasPrefix(err.Error(), "WRONGTYPE") && !strings.HasPrefix(err.Error(), "ERR value is not") {
					errs <- fmt.Errorf("worker %d op %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		t.Fatal("transactions did not finish in 60 s: deadlock?")
	}
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, "PONG", rdb.Ping(ctx).Val())
}

// TestExpiryFrozenInTransactionsAndScripts checks Redis 7.0's rule that a transaction or
// a script judges key expiry by the time it began: a key whose deadline passes while it
// runs is still there (PTTL, from the real clock, says 0) until it ends.
func TestExpiryFrozenInTransactionsAndScripts(t *testing.T) {
	busy := `local s = redis.call('TIME') local t0 = s[1] * 1000000 + s[2]
		repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] - t0 > 150000
		return {redis.call('EXISTS', KEYS[1]), redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1]), redis.call('TYPE', KEYS[1])}`
	srv := startServer(t, cinnabartest.WithConfig("enable-debug-command", "yes"))
	var got [2][]string
	for i, addr := range []string{referenceAddr(t), srv.Addr()} {
		c := dialRaw(t, addr)
		run := func(args ...string) { got[i] = append(got[i], c.Do(t, args...)) }
		run("SET", "k", "v", "PX", "50")
		run("EVAL", busy, "1", "k")
		run("EXISTS", "k")
		run("SET", "k", "v", "PX", "50")
		run("MULTI")
		run("DEBUG", "SLEEP", "0.15")
		run("EXISTS", "k")
		run("PTTL", "k")
		run("GET", "k")
		run("KEYS", "k")
		run("EXEC")
		run("EXISTS", "k")
	}
	require.Equal(t, got[0], got[1])
	require.Contains(t, got[1][1], ":1\r\n:0\r\n$1\r\nv\r\n+string") // the proof that it was frozen
}
