package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/resp"
)

// The workloads of "loader run": the ones redis-benchmark cannot express, because a
// request is several commands sent as a unit (MULTI … EXEC), depends on an earlier
// reply (XACK of what XREADGROUP returned), or has readers on other connections
// (PUBLISH with subscribers).
var workloads = map[string]func(*runOpts) (runResult, error){
	"multi":      runMulti,
	"pubsub":     runPubSub,
	"xreadgroup": runXReadGroup,
}

type runOpts struct {
	addr        string
	conns       int           // client connections (publishers, consumers)
	pipeline    int           // requests per write
	n           int           // requests in all
	duration    time.Duration // stop early after this long
	timeout     time.Duration // deadline of every network operation
	keyspace    int           // multi: distinct users
	size        int           // pubsub: payload bytes
	subscribers int           // pubsub
	count       int           // xreadgroup: COUNT
	key, group  string        // pubsub: the channel; xreadgroup: the stream and group
}

// keyOr is -key, or def when it was not given.
func (o *runOpts) keyOr(def string) string {
	if o.key == "" {
		return def
	}
	return o.key
}

type runResult struct {
	requests int64
	elapsed  time.Duration
	detail   string // what a request is, for the summary on stderr
}

func runCmd(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	o := &runOpts{}
	workload := fs.String("workload", "", "multi | pubsub | xreadgroup")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:6379", "server address")
	fs.IntVar(&o.conns, "c", 50, "connections (publishers for pubsub, consumers for xreadgroup)")
	fs.IntVar(&o.pipeline, "P", 1, "requests per write (pipelining)")
	fs.IntVar(&o.n, "n", 100000, "requests in all (transactions, publishes, stream entries)")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "stop after this long even if -n is not reached")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "deadline of every network operation; also how long subscribers may lag")
	fs.IntVar(&o.keyspace, "r", 1000, "multi: distinct rate-limited users")
	fs.IntVar(&o.size, "d", 64, "pubsub: message payload bytes")
	fs.IntVar(&o.subscribers, "subscribers", 1, "pubsub: subscriber connections")
	fs.IntVar(&o.count, "count", 10, "xreadgroup: entries per XREADGROUP (COUNT)")
	fs.StringVar(&o.key, "key", "", "pubsub: channel (default bench:channel); xreadgroup: stream, prefilled (default bench:stream)")
	fs.StringVar(&o.group, "group", "bench", "xreadgroup: consumer group, created before the run")
	_ = fs.Parse(args)
	run, ok := workloads[*workload]
	if !ok || fs.NArg() > 0 {
		return fmt.Errorf("run: -workload must be multi, pubsub or xreadgroup (got %q, extra args %q)", *workload, fs.Args())
	}
	if o.conns < 1 || o.pipeline < 1 || o.n < 1 || o.keyspace < 1 || o.subscribers < 1 || o.count < 1 || o.size < 0 {
		return errors.New("run: -c, -P, -n, -r, -subscribers and -count must be positive")
	}
	res, err := run(o)
	if err != nil {
		return fmt.Errorf("%s: %w", *workload, err)
	}
	rps := float64(res.requests) / res.elapsed.Seconds()
	fmt.Fprintf(os.Stderr, "loader: %s: %d %s in %v over %d connections, P=%d: %.0f/s\n",
		*workload, res.requests, res.detail, res.elapsed.Round(time.Millisecond), o.conns, o.pipeline, rps)
	if res.requests < int64(o.n) {
		fmt.Fprintf(os.Stderr, "loader: %s: stopped by -duration %v after %d of %d\n", *workload, o.duration, res.requests, o.n)
	}
	// The same "test rps" shape compare.sh makes of redis-benchmark's CSV.
	fmt.Printf("%s %.2f\n", *workload, rps)
	return nil
}

// budget hands out the run's requests to the connections until they are all claimed or
// the run's time is up.
type budget struct {
	left atomic.Int64
	stop time.Time
}

func newBudget(o *runOpts) *budget {
	b := &budget{stop: time.Now().Add(o.duration)}
	b.left.Store(int64(o.n))
	return b
}

// take claims up to want requests; 0 means stop.
func (b *budget) take(want int) int {
	if time.Now().After(b.stop) {
		return 0
	}
	left := b.left.Add(-int64(want)) + int64(want) // what was left before this claim
	return int(max(0, min(int64(want), left)))
}

func dialAll(o *runOpts, n int) ([]*client, error) {
	cs := make([]*client, 0, n)
	for range n {
		c, err := dial(o.addr, o.timeout)
		if err != nil {
			closeAll(cs)
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func closeAll(cs []*client) {
	for _, c := range cs {
		_ = c.conn.Close()
	}
}

// onConns dials -c connections and runs fn on each in its own goroutine, sharing one
// budget of -n requests; it returns when every fn has, with when the first started and
// the first error.
func onConns(o *runOpts, fn func(i int, c *client, b *budget) error) (time.Time, error) {
	cs, err := dialAll(o, o.conns)
	if err != nil {
		return time.Time{}, err
	}
	defer closeAll(cs)
	b := newBudget(o)
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i, c, b)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return start, fmt.Errorf("connection %d: %w", i, err)
		}
	}
	return start, nil
}

// runMulti is a fixed-window rate limiter as applications write it: per request one
// transaction MULTI, INCR rl:<user>:<minute>, EXPIRE … 60, EXEC, sent in one write (a
// client library's transaction pipeline). A request is one transaction; -P sends that
// many per write.
func runMulti(o *runOpts) (runResult, error) {
	var done atomic.Int64
	start, err := onConns(o, func(_ int, c *client, b *budget) error {
		var key []byte
		for {
			k := b.take(o.pipeline)
			if k == 0 {
				return nil
			}
			minute := time.Now().Unix() / 60
			for range k {
				key = append(key[:0], "rl:"...)
				key = strconv.AppendInt(key, int64(rand.IntN(o.keyspace)), 10)
				key = append(key, ':')
				key = strconv.AppendInt(key, minute, 10)
				c.out = resp.AppendCommand(c.out, "MULTI")
				c.out = resp.AppendCommand(c.out, []byte("INCR"), key)
				c.out = resp.AppendCommand(c.out, []byte("EXPIRE"), key, []byte("60"))
				c.out = resp.AppendCommand(c.out, "EXEC")
			}
			if err := c.flush(); err != nil {
				return err
			}
			for range k {
				if err := readTransaction(c.r); err != nil {
					return err
				}
			}
			done.Add(int64(k))
		}
	})
	return runResult{done.Load(), time.Since(start), "transactions (MULTI INCR EXPIRE EXEC)"}, err
}

// readTransaction checks the four replies of one rate-limit transaction.
func readTransaction(r *bufio.Reader) error {
	for _, want := range []string{"OK", "QUEUED", "QUEUED"} {
		if err := readStatus(r, want); err != nil {
			return err
		}
	}
	if n, err := readInt(r, '*'); err != nil || n != 2 {
		return fmt.Errorf("EXEC: %d replies, %v", n, err)
	}
	count, err := readInt(r, ':')
	if err == nil && count < 1 {
		err = fmt.Errorf("INCR in EXEC returned %d", count)
	}
	if err != nil {
		return err
	}
	if set, err := readInt(r, ':'); err != nil || set != 1 {
		return fmt.Errorf("EXPIRE in EXEC returned %d, %v", set, err)
	}
	return nil
}

// runPubSub publishes to one channel from -c connections while -subscribers connections
// subscribed to it read every message. A request is one PUBLISH; the clock stops when
// the last subscriber has received the last message, so a server that acknowledges
// PUBLISH faster than it delivers is not credited for the backlog. Every PUBLISH must
// reach every subscriber (its reply) and every subscriber must receive every message.
func runPubSub(o *runOpts) (runResult, error) {
	channel := o.keyOr("bench:channel")
	subs, err := dialAll(o, o.subscribers)
	if err != nil {
		return runResult{}, err
	}
	defer closeAll(subs)
	for _, s := range subs {
		s.out = resp.AppendCommand(s.out, "SUBSCRIBE", channel)
		if err := s.flush(); err != nil {
			return runResult{}, err
		}
		if err := readReply(s.r, nil); err != nil {
			return runResult{}, fmt.Errorf("SUBSCRIBE: %w", err)
		}
	}
	received := make([]atomic.Int64, len(subs))
	var closing atomic.Bool
	readErrs := make(chan error, len(subs))
	var readers sync.WaitGroup
	for i, s := range subs {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				if err := readMessage(s.r); err != nil {
					if !closing.Load() {
						readErrs <- fmt.Errorf("subscriber %d after %d messages: %w", i, received[i].Load(), err)
					}
					return
				}
				received[i].Add(1)
			}
		}()
	}
	stopReaders := func() {
		closing.Store(true)
		closeAll(subs)
		readers.Wait()
	}
	defer stopReaders()

	payload := strings.Repeat("x", o.size)
	var published atomic.Int64
	start, err := onConns(o, func(_ int, c *client, b *budget) error {
		for {
			k := b.take(o.pipeline)
			if k == 0 {
				return nil
			}
			for range k {
				c.out = resp.AppendCommand(c.out, "PUBLISH", channel, payload)
			}
			if err := c.flush(); err != nil {
				return err
			}
			for range k {
				n, err := readInt(c.r, ':')
				if err != nil {
					return err
				}
				if n != int64(len(subs)) {
					return fmt.Errorf("PUBLISH reached %d subscribers, want %d", n, len(subs))
				}
			}
			published.Add(int64(k))
		}
	})
	end := time.Now()
	if err != nil {
		return runResult{}, err
	}
	// Wait for the subscribers to drain; they may lag by at most -timeout.
	want := published.Load()
	for deadline := time.Now().Add(o.timeout); ; time.Sleep(time.Millisecond) {
		select {
		case err := <-readErrs:
			return runResult{}, err
		default:
		}
		short := 0
		for i := range received {
			if received[i].Load() < want {
				short++
			}
		}
		if short == 0 {
			break
		}
		if time.Now().After(deadline) {
			return runResult{}, fmt.Errorf("%d of %d subscribers did not receive all %d messages within %v", short, len(subs), want, o.timeout)
		}
	}
	for _, s := range subs {
		if t := time.Unix(0, s.conn.lastRead.Load()); t.After(end) {
			end = t
		}
	}
	for i := range received {
		if got := received[i].Load(); got != want {
			return runResult{}, fmt.Errorf("subscriber %d received %d messages, %d were published", i, got, want)
		}
	}
	detail := fmt.Sprintf("publishes of %d bytes to %d subscribers, all delivered (%d messages)", o.size, len(subs), want*int64(len(subs)))
	return runResult{want, end.Sub(start), detail}, nil
}

// readMessage reads one RESP2 pub/sub message push without allocating.
func readMessage(r *bufio.Reader) error {
	if n, err := readInt(r, '*'); err != nil || n != 3 {
		return fmt.Errorf("message push of %d elements, %v", n, err)
	}
	kind, _, err := readHeader(r)
	if err != nil {
		return err
	}
	head, err := r.Peek(len("message\r\n"))
	if err != nil || kind != '$' || !bytes.Equal(head, []byte("message\r\n")) {
		return fmt.Errorf("push is not a message (%q, %v)", head, err)
	}
	if _, err := r.Discard(len(head)); err != nil {
		return err
	}
	if err := readReply(r, nil); err != nil { // the channel
		return err
	}
	return readReply(r, nil) // the payload
}

// runXReadGroup is a consumer group draining a prefilled stream: every connection is a
// consumer that reads with XREADGROUP … COUNT -count STREAMS key > and acknowledges what
// it read with one XACK, sent with its next reads (-P reads per write). A request is
// one entry read and acknowledged. The stream must hold at least -n entries not yet
// delivered to the group.
func runXReadGroup(o *runOpts) (runResult, error) {
	stream := o.keyOr("bench:stream")
	var acked atomic.Int64
	start, err := onConns(o, func(i int, c *client, b *budget) error {
		consumer := "consumer-" + strconv.Itoa(i)
		var ids [][]byte // read in the last round trip, to acknowledge in the next
		ack := [][]byte{[]byte("XACK"), []byte(stream), []byte(o.group)}
		var idBuf []byte
		claims := make([]int, 0, o.pipeline)
		for {
			claims = claims[:0]
			for range o.pipeline {
				if k := b.take(o.count); k > 0 {
					claims = append(claims, k)
				}
			}
			if len(ids) == 0 && len(claims) == 0 {
				return nil
			}
			if len(ids) > 0 {
				ack = append(ack[:3], ids...)
				c.out = resp.AppendCommand(c.out, ack...)
			}
			for _, k := range claims {
				c.out = resp.AppendCommand(c.out, "XREADGROUP", "GROUP", o.group, consumer,
					"COUNT", strconv.Itoa(k), "STREAMS", stream, ">")
			}
			if err := c.flush(); err != nil {
				return err
			}
			if len(ids) > 0 {
				n, err := readInt(c.r, ':')
				if err != nil {
					return fmt.Errorf("XACK: %w", err)
				}
				if n != int64(len(ids)) {
					return fmt.Errorf("XACK acknowledged %d of %d entries", n, len(ids))
				}
				acked.Add(n)
			}
			ids, idBuf = ids[:0], idBuf[:0]
			for _, k := range claims {
				before := len(ids)
				var err error
				if ids, idBuf, err = readEntryIDs(c.r, ids, idBuf); err != nil {
					return fmt.Errorf("XREADGROUP: %w", err)
				}
				if got := len(ids) - before; got != k {
					return fmt.Errorf("XREADGROUP COUNT %d returned %d entries: the stream has fewer than -n %d new entries", k, got, o.n)
				}
			}
		}
	})
	elapsed := time.Since(start)
	if err != nil {
		return runResult{}, err
	}
	// Nothing may stay pending: XPENDING's summary starts with the pending count.
	if reply, err := oneCommand(o.addr, o.timeout, "XPENDING", stream, o.group); err != nil || !strings.HasPrefix(reply, "*4\r\n:0\r\n") {
		return runResult{}, fmt.Errorf("after the run XPENDING %s %s = %q, %v; want 0 pending", stream, o.group, reply, err)
	}
	detail := fmt.Sprintf("stream entries read (COUNT %d) and acknowledged", o.count)
	return runResult{acked.Load(), elapsed, detail}, nil
}

// readEntryIDs reads an XREADGROUP reply for one stream and appends the IDs of its
// entries to ids, their bytes to buf.
func readEntryIDs(r *bufio.Reader, ids [][]byte, buf []byte) ([][]byte, []byte, error) {
	streams, err := readInt(r, '*')
	if err != nil || streams <= 0 { // a null array: nothing new
		return ids, buf, err
	}
	if streams != 1 {
		return ids, buf, fmt.Errorf("reply for %d streams, want 1", streams)
	}
	if n, err := readInt(r, '*'); err != nil || n != 2 {
		return ids, buf, fmt.Errorf("stream reply of %d elements, %v", n, err)
	}
	if err := readReply(r, nil); err != nil { // the stream's name
		return ids, buf, err
	}
	entries, err := readInt(r, '*')
	for range entries {
		if n, err := readInt(r, '*'); err != nil || n != 2 {
			return ids, buf, fmt.Errorf("entry of %d elements, %v", n, err)
		}
		start := len(buf)
		if buf, err = readBulk(r, buf); err != nil {
			return ids, buf, err
		}
		// buf may move as it grows; the IDs already taken keep the old, unchanged copy.
		ids = append(ids, buf[start:len(buf):len(buf)])
		if err := readReply(r, nil); err != nil { // the fields
			return ids, buf, err
		}
	}
	return ids, buf, err
}
