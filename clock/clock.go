// Package clock is the server's notion of time: the wall clock by default, and for
// tests a clock that can be moved forward, set, or frozen. Every TTL, expiry cycle
// and blocking timeout reads time through a Clock so tests never sleep.
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock reports the current time as real time plus an adjustable offset, or a fixed
// instant while frozen. The zero value is the wall clock. It is safe for concurrent use.
type Clock struct {
	offset atomic.Int64 // nanoseconds added to the wall clock
	frozen atomic.Int64 // when non-zero, the frozen instant in unix nanoseconds

	mu      sync.Mutex
	changed chan struct{} // closed (and replaced) whenever the clock is moved
}

// Changed returns a channel that is closed the next time the clock is moved by hand,
// so timers waiting on a deadline can recompute it.
func (c *Clock) Changed() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

func (c *Clock) moved() {
	c.mu.Lock()
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
	c.mu.Unlock()
}

// Now returns the current time.
func (c *Clock) Now() time.Time {
	if f := c.frozen.Load(); f != 0 {
		return time.Unix(0, f)
	}
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// UnixMilli returns the current time in milliseconds since the epoch.
func (c *Clock) UnixMilli() int64 {
	if f := c.frozen.Load(); f != 0 {
		return f / int64(time.Millisecond)
	}
	return time.Now().UnixMilli() + c.offset.Load()/int64(time.Millisecond)
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *Clock) Advance(d time.Duration) {
	defer c.moved()
	if f := c.frozen.Load(); f != 0 {
		c.frozen.Store(f + int64(d))
		return
	}
	c.offset.Add(int64(d))
}

// Set moves the clock to t, keeping it frozen if it was.
func (c *Clock) Set(t time.Time) {
	defer c.moved()
	if c.frozen.Load() != 0 {
		c.frozen.Store(t.UnixNano())
		return
	}
	c.offset.Store(int64(time.Until(t)))
}

// Freeze stops the clock at its current reading; Unfreeze lets it run again from there.
func (c *Clock) Freeze() { c.frozen.Store(c.Now().UnixNano()) }

// Unfreeze resumes the clock from the instant it was frozen at.
func (c *Clock) Unfreeze() {
	f := c.frozen.Load()
	if f == 0 {
		return
	}
	c.offset.Store(f - time.Now().UnixNano())
	c.frozen.Store(0)
}
