package command

import (
	"errors"
	"math"

	"github.com/cinnabar-db/cinnabar/resp"
)

// ErrBlock is what a handler returns after Ctx.Block: the executor parks the client.
var ErrBlock = errors.New("command: client blocked")

// BlockRequest says what a parked client waits for.
type BlockRequest struct {
	Keys     [][]byte // wake up when one of these keys (in the client's database) changes
	Deadline int64    // unix milliseconds on the server clock; 0 waits forever
	// OnTimeout writes the reply given when the deadline passes (a null array for BLPOP).
	OnTimeout func(w *resp.Writer)
}

// Block parks the client until one of keys changes, then the executor runs the same
// command again; it is how BLPOP and friends wait. Where blocking is not allowed (inside
// MULTI or a script) the timeout reply is written at once, as Redis does.
// The handler must return Block's result.
func (c *Ctx) Block(keys [][]byte, deadline int64, onTimeout func(w *resp.Writer)) error {
	if c.NoBlock {
		onTimeout(c.W)
		return nil
	}
	c.Blocked = &BlockRequest{Keys: keys, Deadline: deadline, OnTimeout: onTimeout}
	return ErrBlock
}

// Deadline parses a blocking timeout in seconds (a float, 0 meaning forever) at argument
// i and returns the absolute deadline in unix milliseconds, 0 for forever. Like Redis,
// a timeout too large for a 64-bit millisecond count reads as negative.
func (c *Ctx) Deadline(i int) (int64, error) {
	f, ok := ParseFloat(c.Args[i])
	if !ok && !isInfWord(c.Arg(i)) {
		return 0, Err(resp.ErrTimeoutInvalid)
	}
	ms := f * 1000
	if ms < 0 || ms >= math.MaxInt64 || math.IsInf(ms, 0) {
		return 0, Err(resp.ErrTimeoutNeg)
	}
	return c.deadlineAfter(int64(ms))
}

// DeadlineMillis parses a blocking timeout in whole milliseconds (XREAD's BLOCK).
func (c *Ctx) DeadlineMillis(i int) (int64, error) {
	n, ok := ParseInt(c.Args[i])
	if !ok {
		return 0, Err("ERR timeout is not an integer or out of range")
	}
	if n < 0 {
		return 0, Err(resp.ErrTimeoutNeg)
	}
	return c.deadlineAfter(n)
}

func (c *Ctx) deadlineAfter(ms int64) (int64, error) {
	if ms == 0 {
		return 0, nil
	}
	now := c.KS.Clock.UnixMilli()
	if ms > math.MaxInt64-now {
		return 0, Err("ERR timeout is out of range")
	}
	return now + ms, nil
}

// NullArrayReply writes a null array: the timeout reply of most blocking commands.
func NullArrayReply(w *resp.Writer) { w.NullArray() }

// NullReply writes a null bulk string: the timeout reply of BLMOVE and BRPOPLPUSH.
func NullReply(w *resp.Writer) { w.Null() }
