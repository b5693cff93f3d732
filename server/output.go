package server

import (
	"runtime"
	"sync"
	"time"
)

// asyncOutput is the output path of a client that receives pushes (pub/sub): every
// reply and message is appended to a buffer that a writer goroutine drains, so a
// publisher never waits on a slow subscriber's socket. The buffer is bounded by
// client-output-buffer-limit (pubsub class): past the hard limit, or past the soft
// limit for longer than its seconds, the client is disconnected, as Redis does.
type asyncOutput struct {
	c       *Client
	mu      sync.Mutex
	buf     []byte
	closed  bool
	proto   int   // the protocol of the last queued reply, which pushes follow
	exempt  int64 // queued bytes the limits do not count (a replica's snapshot)
	notify  chan struct{}
	done    chan struct{}
	softAt  time.Time // when the buffer first exceeded the soft limit; zero if under
	hard    int64
	soft    int64
	softDur time.Duration
}

func newAsyncOutput(c *Client, proto int, hard, soft int64, softDur time.Duration) *asyncOutput {
	o := &asyncOutput{c: c, proto: proto, notify: make(chan struct{}, 1), done: make(chan struct{}), hard: hard, soft: soft, softDur: softDur}
	go o.run()
	return o
}

// write queues b; it reports false if the limits closed the client.
func (o *asyncOutput) write(b []byte) bool {
	return o.queue(b, 0, false, nil)
}

// reply queues a command's reply, written in protocol proto: from then on pushes are
// built for proto. Switching under the same lock that orders the buffer is what makes
// a HELLO split the stream cleanly, every push before its reply in the old protocol and
// every push after it in the new one, as Redis's single thread does.
func (o *asyncOutput) reply(b []byte, proto int) bool {
	return o.queue(b, proto, false, nil)
}

// push queues a message rendered as a RESP2 array of bulk strings: a RESP3 client gets
// it as a push, which differs only in its first byte. When later is not nil the writer
// is not woken now but by later.wake, which the caller owes at the end of its batch of
// commands: the messages of a whole pipeline then leave in one write, as Redis writes a
// client's buffer once per event-loop pass.
func (o *asyncOutput) push(frame []byte, later *wakeList) bool {
	return o.queue(frame, 0, true, later)
}

// queue appends b, after switching to proto when it is not zero; push marks b as a
// RESP2 push frame (see push).
func (o *asyncOutput) queue(b []byte, proto int, push bool, later *wakeList) bool {
	return o.queueEither(b, b, proto, push, later)
}

// queueEither is queue of resp2 or resp3, whichever suits the protocol the client
// speaks when its turn comes (an invalidation's shape depends on it; nil: nothing).
func (o *asyncOutput) queueEither(resp2, resp3 []byte, proto int, push bool, later *wakeList) bool {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return false
	}
	if proto != 0 {
		o.proto = proto
	}
	b := resp2
	if o.proto == 3 {
		b = resp3
	}
	if len(b) == 0 {
		o.mu.Unlock()
		return true
	}
	// A buffer that is not empty already has its wake-up coming, from whoever queued
	// into it when it was: now, or at the end of their batch.
	idle := len(o.buf) == 0
	o.buf = append(o.buf, b...)
	if push && o.proto == 3 {
		o.buf[len(o.buf)-len(b)] = '>'
	}
	n := int64(len(o.buf)) - o.exempt
	over := o.hard > 0 && n > o.hard
	if o.soft > 0 && n > o.soft {
		if o.softAt.IsZero() {
			o.softAt = time.Now()
		} else if time.Since(o.softAt) > o.softDur {
			over = true
		}
	} else {
		o.softAt = time.Time{}
	}
	if over {
		o.closed = true
		o.buf = nil
	}
	o.mu.Unlock()
	if over {
		o.c.srv.log.warning("Client id=%d addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.", o.c.id, o.c.addr)
		o.c.kill()
		return false
	}
	switch {
	case later == nil:
		o.wake()
	case idle:
		*later = append(*later, o)
	}
	return true
}

// wake tells the writer there is something to write.
func (o *asyncOutput) wake() {
	select {
	case o.notify <- struct{}{}:
	default:
	}
}

// wakeList holds the outputs a client's batch of commands queued messages for.
type wakeList []*asyncOutput

// wake wakes their writers and empties the list.
func (l *wakeList) wake() {
	for i, o := range *l {
		o.wake()
		(*l)[i] = nil
	}
	*l = (*l)[:0]
}

func (o *asyncOutput) run() {
	defer close(o.done)
	var out []byte
	for range o.notify {
		// Let the publisher go on first: the messages it queues meanwhile leave in the
		// same write. A publish to 100 subscribers otherwise costs 100 system calls per
		// message, where Redis writes each buffer once per event-loop pass.
		runtime.Gosched()
		o.mu.Lock()
		out, o.buf = o.buf, out[:0]
		o.exempt -= min(o.exempt, int64(len(out)))
		closed := o.closed
		o.mu.Unlock()
		if len(out) > 0 {
			if _, err := o.c.conn.NetConn().Write(out); err != nil {
				o.c.kill()
				return
			}
		}
		if closed {
			return
		}
	}
}

// writeExempt queues b without counting it against the limits until it is sent.
func (o *asyncOutput) writeExempt(b []byte) {
	o.mu.Lock()
	o.exempt += int64(len(b))
	o.mu.Unlock()
	o.write(b)
}

// pending is the number of queued bytes (CLIENT LIST's omem).
func (o *asyncOutput) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.buf)
}

// close stops the writer after it has written what is queued.
func (o *asyncOutput) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.wake()
	<-o.done
}
