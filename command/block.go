package command

import (
	"errors"
	"math"
	"math/big"

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
	var ms int64
	if n, ok := ParseInt(c.Args[i]); ok && n >= 0 && n <= math.MaxInt64/1000 {
		ms = n * 1000 // whole seconds, the usual case, need no long double
	} else {
		sec, ok := parseLongDouble(c.Args[i])
		if !ok {
			return 0, Err(resp.ErrTimeoutInvalid)
		}
		ms = longDoubleMillis(sec)
	}
	if ms < 0 {
		return 0, Err(resp.ErrTimeoutNeg)
	}
	return c.deadlineAfter(ms), nil
}

// longDoubleMillis converts seconds to milliseconds as Redis 7.0 does: multiplied in
// long double precision, rounded up, then converted to a 64-bit integer, where x86
// turns a value out of range (an infinity too) into the most negative integer. So a
// tiny positive timeout waits 1 ms and a tiny negative one (-0.0001) waits forever.
func longDoubleMillis(sec *big.Float) int64 {
	ms := new(big.Float).SetPrec(longDoublePrec).Mul(sec, big.NewFloat(1000))
	if ms.IsInf() || ms.Cmp(big.NewFloat(0x1p63)) >= 0 {
		return math.MinInt64
	}
	n, acc := ms.Int64() // truncated toward zero; below the int64 range: MinInt64
	if acc == big.Below {
		if n == math.MaxInt64 {
			return math.MinInt64
		}
		n++
	}
	return n
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
	return c.deadlineAfter(n), nil
}

// deadlineAfter returns the deadline ms milliseconds from now, 0 (forever) for 0. A
// deadline past the int64 range also waits forever: Redis 7.0 lets it wrap negative,
// which its timeout table, ordered as unsigned, never reaches.
func (c *Ctx) deadlineAfter(ms int64) int64 {
	now := c.KS.Clock.UnixMilli()
	if ms == 0 || ms > math.MaxInt64-now {
		return 0
	}
	return now + ms
}

// NullArrayReply writes a null array: the timeout reply of most blocking commands.
func NullArrayReply(w *resp.Writer) { w.NullArray() }

// NullReply writes a null bulk string: the timeout reply of BLMOVE and BRPOPLPUSH.
func NullReply(w *resp.Writer) { w.Null() }

// popFirst serves the pops over several keys (BLPOP, BZPOPMIN, LMPOP, ZMPOP and the
// blocking forms): pop is tried on each key in turn, the key that became ready first
// when a blocked call runs again, and reports whether the key held a value it popped
// and replied with. A key of another type is an error, except in such a rerun, where
// Redis passes over it. When no key holds a value the call blocks until deadline, or,
// where it may not block (blocking false), replies a null array.
func (c *Ctx) popFirst(keys [][]byte, blocking bool, deadline int64, pop func(key []byte) (bool, error)) error {
	for _, key := range c.KeysReadyFirst(keys) {
		popped, err := pop(key)
		if err != nil {
			if c.ReadyKey == nil {
				return err
			}
			continue
		}
		if popped {
			return nil
		}
	}
	if blocking {
		return c.Block(keys, deadline, NullArrayReply)
	}
	c.W.NullArray()
	return nil
}

// mpopArgs are the arguments of LMPOP, ZMPOP and their blocking forms.
type mpopArgs struct {
	blocking bool
	deadline int64 // blocking forms only; 0 waits forever
	keys     [][]byte
	second   bool // the second end word was given (RIGHT, MAX)
	count    int64
}

var (
	errMPopNumKeys = Err("ERR numkeys should be greater than 0")
	errMPopCount   = Err("ERR count should be greater than 0")
)

// parseMPop reads "[timeout] numkeys key [key ...] first|second [COUNT count]", the
// timeout present in the blocking form; first and second are the end words
// (LEFT/RIGHT, MIN/MAX). Errors come in Redis's order: numkeys, the end word, the
// options, then the timeout.
func parseMPop(c *Ctx, blocking bool, first, second string) (mpopArgs, error) {
	a := mpopArgs{blocking: blocking, count: 1}
	at := 1 // numkeys
	if blocking {
		at = 2
	}
	numkeys, ok := ParseInt(c.Args[at])
	if !ok || numkeys < 1 {
		return a, errMPopNumKeys
	}
	where := at + 1 + int(min(numkeys, int64(len(c.Args))))
	if where >= len(c.Args) {
		return a, ErrSyntax
	}
	switch {
	case c.Is(where, first):
	case c.Is(where, second):
		a.second = true
	default:
		return a, ErrSyntax
	}
	countGiven := false
	for j := where + 1; j < len(c.Args); j++ {
		if countGiven || !c.Is(j, "count") || j+1 == len(c.Args) {
			return a, ErrSyntax
		}
		j++
		n, ok := ParseInt(c.Args[j])
		if !ok || n < 1 {
			return a, errMPopCount
		}
		a.count, countGiven = n, true
	}
	if blocking {
		var err error
		if a.deadline, err = c.Deadline(1); err != nil {
			return a, err
		}
	}
	a.keys = c.Args[at+1 : where]
	return a, nil
}
