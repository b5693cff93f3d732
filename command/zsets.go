package command

import (
	"math"
	"slices"
	"strings"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/store"
)

var (
	evZAdd              = store.Event{Class: store.ClassZSet, Name: "zadd"}
	evZIncr             = store.Event{Class: store.ClassZSet, Name: "zincr"}
	evZRem              = store.Event{Class: store.ClassZSet, Name: "zrem"}
	evZRemRangeByRank   = store.Event{Class: store.ClassZSet, Name: "zremrangebyrank"}
	evZRemRangeByScore  = store.Event{Class: store.ClassZSet, Name: "zremrangebyscore"}
	evZRemRangeByLex    = store.Event{Class: store.ClassZSet, Name: "zremrangebylex"}
	evZPopMin           = store.Event{Class: store.ClassZSet, Name: "zpopmin"}
	evZPopMax           = store.Event{Class: store.ClassZSet, Name: "zpopmax"}
	evZUnionStore       = store.Event{Class: store.ClassZSet, Name: "zunionstore"}
	evZInterStore       = store.Event{Class: store.ClassZSet, Name: "zinterstore"}
	evZDiffStore        = store.Event{Class: store.ClassZSet, Name: "zdiffstore"}
	evZRangeStore       = store.Event{Class: store.ClassZSet, Name: "zrangestore"}
	errZMinMaxFloat     = Err("ERR min or max is not a float")
	errZLexRange        = Err("ERR min or max not valid string range item")
	errZNaN             = Err("ERR resulting score is not a number (NaN)")
	errZXXNX            = Err("ERR XX and NX options at the same time are not compatible")
	errZGTLTNX          = Err("ERR GT, LT, and/or NX options at the same time are not compatible")
	errZIncrPair        = Err("ERR INCR option supports a single increment-element pair")
	errZPositive        = Err("ERR value is out of range, must be positive")
	errZWeight          = Err("ERR weight value is not a float")
	errZLimitNeg        = Err("ERR LIMIT can't be negative")
	errZRangeLimit      = Err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
	errZRangeLexScores  = Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
	errZRandRange       = Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	errZRandRangeScores = Err("ERR value is out of range")
)

// ZSetCommands are the sorted-set family's rows.
var ZSetCommands = []*Spec{
	{Name: "zadd", Arity: -4, Flags: Write | DenyOOM | Fast, Cat: CatSortedSet, Do: cmdZAdd},
	{Name: "zincrby", Arity: 4, Flags: Write | DenyOOM | Fast, Cat: CatSortedSet, Do: cmdZIncrBy},
	{Name: "zrem", Arity: -3, Flags: Write | Fast, Cat: CatSortedSet, Do: cmdZRem},
	{Name: "zcard", Arity: 2, Flags: ReadOnly | Fast, Cat: CatSortedSet, Do: cmdLen},
	{Name: "zcount", Arity: 4, Flags: ReadOnly | Fast, Cat: CatSortedSet, Do: cmdZCount},
	{Name: "zlexcount", Arity: 4, Flags: ReadOnly | Fast, Cat: CatSortedSet, Do: cmdZCount},
	{Name: "zscore", Arity: 3, Flags: ReadOnly | Fast, Cat: CatSortedSet, Do: cmdZScore},
	{Name: "zmscore", Arity: -3, Flags: ReadOnly | Fast, Cat: CatSortedSet, Do: cmdZScore},
	{Name: "zrank", Arity: 3, Flags: ReadOnly | Fast, Cat: CatSortedSet, Do: cmdZRank},
	{Name: "zrevrank", Arity: 3, Flags: ReadOnly | Fast, Cat: CatSortedSet, Do: cmdZRank},
	{Name: "zrange", Arity: -4, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZRange},
	{Name: "zrangestore", Arity: -5, Flags: Write | DenyOOM, Cat: CatSortedSet, Do: cmdZRange},
	{Name: "zrangebyscore", Arity: -4, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZRange},
	{Name: "zrevrangebyscore", Arity: -4, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZRange},
	{Name: "zrangebylex", Arity: -4, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZRange},
	{Name: "zrevrangebylex", Arity: -4, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZRange},
	{Name: "zrevrange", Arity: -4, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZRange},
	{Name: "zremrangebyrank", Arity: 4, Flags: Write, Cat: CatSortedSet, Do: cmdZRemRange},
	{Name: "zremrangebyscore", Arity: 4, Flags: Write, Cat: CatSortedSet, Do: cmdZRemRange},
	{Name: "zremrangebylex", Arity: 4, Flags: Write, Cat: CatSortedSet, Do: cmdZRemRange},
	{Name: "zpopmin", Arity: -2, Flags: Write | Fast, Cat: CatSortedSet, Do: cmdZPop},
	{Name: "zpopmax", Arity: -2, Flags: Write | Fast, Cat: CatSortedSet, Do: cmdZPop},
	{Name: "zmpop", Arity: -4, Flags: Write, Cat: CatSortedSet, Do: cmdZMPop},
	{Name: "zrandmember", Arity: -2, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZRandMember},
	{Name: "zunion", Arity: -3, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZSetOp},
	{Name: "zinter", Arity: -3, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZSetOp},
	{Name: "zdiff", Arity: -3, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZSetOp},
	{Name: "zunionstore", Arity: -4, Flags: Write | DenyOOM, Cat: CatSortedSet, Do: cmdZSetOp},
	{Name: "zinterstore", Arity: -4, Flags: Write | DenyOOM, Cat: CatSortedSet, Do: cmdZSetOp},
	{Name: "zdiffstore", Arity: -4, Flags: Write | DenyOOM, Cat: CatSortedSet, Do: cmdZSetOp},
	{Name: "zintercard", Arity: -3, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdZSetOp},
	{Name: "zscan", Arity: -3, Flags: ReadOnly, Cat: CatSortedSet, Do: cmdTypeScan},
	{Name: "bzpopmin", Arity: -3, Flags: Write | NoScript | Blocking | Fast, Cat: CatSortedSet, Do: cmdBZPop},
	{Name: "bzpopmax", Arity: -3, Flags: Write | NoScript | Blocking | Fast, Cat: CatSortedSet, Do: cmdBZPop},
	{Name: "bzmpop", Arity: -5, Flags: Write | Blocking, Cat: CatSortedSet, Do: cmdZMPop},
}

// zsetOf checks that a looked-up entry (nil when missing) is a sorted set.
func zsetOf(e *store.Entry) (*store.ZSet, error) {
	return valueOf(e, store.TypeZSet, (*store.Entry).ZSet)
}

// readZSet finds a sorted set for reading: nil when missing.
func readZSet(c *Ctx, key []byte) (*store.ZSet, error) { return zsetOf(c.DB.Lookup(key)) }

// writeZSet finds the sorted set a write command changes: nil when missing.
func writeZSet(c *Ctx, key []byte) (*store.Entry, error) {
	return ofType(c.DB.LookupWrite(key), store.TypeZSet)
}

// zChanged reports an in-place change of n members with ev, deleting the key when it
// became empty.
func zChanged(c *Ctx, key []byte, z *store.ZSet, ev store.Event, n int64) {
	c.DB.ChangedN(key, ev, n)
	if z.Len() == 0 {
		c.DB.DeleteN(key, store.EvDel, 0)
	}
}

// zStore replaces dst with the given members (deleting it when there are none), reports
// ev and replies with the new cardinality, as the *STORE commands do. Storing counts n
// changes (Redis counts one for ZUNIONSTORE and the like, a member for GEO*STORE).
func zStore(c *Ctx, dst []byte, pairs []store.ZPair, ev store.Event, n int64) {
	if len(pairs) == 0 {
		c.DB.Delete(dst, store.EvDel)
		c.W.Int(0)
		return
	}
	c.DB.SetN(dst, store.NewZSetFrom(pairs, c.DB.Limits()), ev, n)
	c.W.Int(int64(len(pairs)))
}

func zParseScoreRange(min, max []byte) (store.ScoreRange, error) {
	var r store.ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = parseScoreBound(min); !ok {
		return r, errZMinMaxFloat
	}
	if r.Max, r.MaxEx, ok = parseScoreBound(max); !ok {
		return r, errZMinMaxFloat
	}
	return r, nil
}

func zParseLexBound(b []byte) (store.LexBound, bool) {
	if len(b) == 0 {
		return store.LexBound{}, false
	}
	switch b[0] {
	case '+':
		return store.LexBound{Inf: 1}, len(b) == 1
	case '-':
		return store.LexBound{Inf: -1}, len(b) == 1
	case '(':
		return store.LexBound{Value: b[1:], Ex: true}, true
	case '[':
		return store.LexBound{Value: b[1:]}, true
	}
	return store.LexBound{}, false
}

func zParseLexRange(min, max []byte) (store.LexRange, error) {
	var r store.LexRange
	var ok1, ok2 bool
	r.Min, ok1 = zParseLexBound(min)
	r.Max, ok2 = zParseLexBound(max)
	if !ok1 || !ok2 {
		return r, errZLexRange
	}
	return r, nil
}

// zRankRange turns Redis's start/stop rank arguments into ranks [a, b) of an n-member set.
func zRankRange(start, stop int64, n int) (int, int) {
	l := int64(n)
	if start < 0 {
		start += l
	}
	if stop < 0 {
		stop += l
	}
	start = max(start, 0)
	if start > stop || start >= l {
		return 0, 0
	}
	stop = min(stop, l-1)
	return int(start), int(stop + 1)
}

// --- replies ---

// zHeader starts a reply of n members, flat with scores in RESP2 and as [member, score]
// pairs in RESP3 (Redis 7.0's shape for the ZRANGE family).
func zHeader(c *Ctx, n int, withScores bool) {
	if withScores && c.W.Proto != 3 {
		c.W.Array(2 * n)
	} else {
		c.W.Array(n)
	}
}

func zItem(c *Ctx, m []byte, s float64, withScores bool) {
	if withScores && c.W.Proto == 3 {
		c.W.Array(2)
	}
	c.W.Bulk(m)
	if withScores {
		c.W.Double(s)
	}
}

// zReplyRange replies with ranks [a, b) of z, descending when rev.
func zReplyRange(c *Ctx, z *store.ZSet, a, b int, rev, withScores bool) {
	zHeader(c, max(b-a, 0), withScores)
	if z != nil {
		z.Range(a, b, rev, func(m []byte, s float64) bool {
			zItem(c, m, s, withScores)
			return true
		})
	}
}

// --- ZADD and friends ---

type zaddFlags struct{ nx, xx, gt, lt, ch, incr bool }

// parseZAddFlags reads ZADD's flags from argument 2 on (with geo, GEOADD's: NX, XX and
// CH) and returns the index of the first argument that is not one.
func parseZAddFlags(c *Ctx, geo bool) (zaddFlags, int) {
	var f zaddFlags
	i := 2
	for ; i < len(c.Args); i++ {
		switch {
		case c.Is(i, "nx"):
			f.nx = true
		case c.Is(i, "xx"):
			f.xx = true
		case c.Is(i, "ch"):
			f.ch = true
		case !geo && c.Is(i, "gt"):
			f.gt = true
		case !geo && c.Is(i, "lt"):
			f.lt = true
		case !geo && c.Is(i, "incr"):
			f.incr = true
		default:
			return f, i
		}
	}
	return f, i
}

func cmdZAdd(c *Ctx) error {
	f, i := parseZAddFlags(c, false)
	rest := c.Args[i:]
	if len(rest) == 0 || len(rest)%2 != 0 {
		return ErrSyntax
	}
	switch {
	case f.nx && f.xx:
		return errZXXNX
	case f.gt && f.nx || f.lt && f.nx || f.gt && f.lt:
		return errZGTLTNX
	case f.incr && len(rest) > 2:
		return errZIncrPair
	}
	scores := make([]float64, len(rest)/2)
	for j := range scores {
		s, ok := ParseFloat(rest[2*j])
		if !ok {
			return ErrNotFloat
		}
		scores[j] = s
	}
	return zadd(c, f, scores, rest)
}

func cmdZIncrBy(c *Ctx) error {
	s, err := c.Float(2)
	if err != nil {
		return err
	}
	return zadd(c, zaddFlags{incr: true}, []float64{s}, c.Args[2:])
}

// zadd applies scores[j] to the members at pairs[2j+1] under the flags f.
func zadd(c *Ctx, f zaddFlags, scores []float64, pairs [][]byte) error {
	key := c.Args[1]
	e, err := writeZSet(c, key)
	if err != nil {
		return err
	}
	created := e == nil
	if created {
		if f.xx {
			if f.incr {
				c.W.Null()
			} else {
				c.W.Int(0)
			}
			return nil
		}
		e = store.NewZSet()
	}
	z, lim := e.ZSet(), c.DB.Limits()
	var added, updated, processed int64
	var last float64
	for j, score := range scores {
		m := pairs[2*j+1]
		cur, exists := z.Score(m)
		switch {
		case exists:
			if f.nx {
				continue
			}
			if f.incr {
				if score += cur; math.IsNaN(score) {
					return errZNaN
				}
			}
			if f.lt && score >= cur || f.gt && score <= cur {
				continue
			}
			if score != cur {
				z.Add(m, score, lim)
				updated++
			}
		case f.xx:
			continue
		default:
			z.Add(m, score, lim)
			added++
		}
		processed++
		last = score
	}
	if added+updated > 0 {
		ev := evZAdd
		if f.incr {
			ev = evZIncr
		}
		if created {
			c.DB.SetN(key, e, ev, added+updated)
		} else {
			c.DB.ChangedN(key, ev, added+updated)
		}
	}
	switch {
	case f.incr && processed > 0:
		c.W.Double(last)
	case f.incr:
		c.W.Null()
	case f.ch:
		c.W.Int(added + updated)
	default:
		c.W.Int(added)
	}
	return nil
}

func cmdZRem(c *Ctx) error {
	key := c.Args[1]
	e, err := writeZSet(c, key)
	if err != nil {
		return err
	}
	var removed int64
	if e != nil {
		z := e.ZSet()
		for _, m := range c.Args[2:] {
			if z.Remove(m) {
				removed++
			}
		}
		if removed > 0 {
			zChanged(c, key, z, evZRem, removed)
		}
	}
	c.W.Int(removed)
	return nil
}

// --- reads ---

// ZCOUNT key min max, ZLEXCOUNT key min max
func cmdZCount(c *Ctx) error {
	kind := zrScore
	if c.Spec.Name == "zlexcount" {
		kind = zrLex
	}
	r, err := parseZInterval(c, kind, 2, 3)
	if err != nil {
		return err
	}
	z, err := readZSet(c, c.Args[1])
	if err != nil {
		return err
	}
	var n int
	if z != nil {
		lo, hi := r.ranks(z)
		n = hi - lo
	}
	c.W.Int(int64(n))
	return nil
}

// ZSCORE key member, ZMSCORE key member [member ...]
func cmdZScore(c *Ctx) error {
	z, err := readZSet(c, c.Args[1])
	if err != nil {
		return err
	}
	if c.Spec.Name == "zmscore" {
		c.W.Array(len(c.Args) - 2)
	}
	for _, m := range c.Args[2:] {
		if z != nil {
			if s, ok := z.Score(m); ok {
				c.W.Double(s)
				continue
			}
		}
		c.W.Null()
	}
	return nil
}

func cmdZRank(c *Ctx) error {
	z, err := readZSet(c, c.Args[1])
	if err != nil {
		return err
	}
	if z != nil {
		if r, _, ok := z.Rank(c.Args[2]); ok {
			if c.Spec.Name == "zrevrank" {
				r = z.Len() - 1 - r
			}
			c.W.Int(int64(r))
			return nil
		}
	}
	c.W.Null()
	return nil
}

// --- the ZRANGE family ---

type zrangeKind uint8

const (
	zrAuto zrangeKind = iota
	zrRank
	zrScore
	zrLex
)

// zInterval is an interval of a sorted set by rank, score or lex.
type zInterval struct {
	kind        zrangeKind
	start, stop int64
	score       store.ScoreRange
	lex         store.LexRange
}

// parseZInterval reads an interval of the given kind (not zrAuto) from the arguments at
// lo and hi; a rank interval is always start, stop (hi = lo+1), a reverse range only
// swaps score and lex bounds.
func parseZInterval(c *Ctx, kind zrangeKind, lo, hi int) (zInterval, error) {
	r := zInterval{kind: kind}
	var err error
	switch kind {
	case zrRank:
		r.start, r.stop, err = c.IntPair(lo)
	case zrScore:
		r.score, err = zParseScoreRange(c.Args[lo], c.Args[hi])
	case zrLex:
		r.lex, err = zParseLexRange(c.Args[lo], c.Args[hi])
	}
	return r, err
}

// ranks returns the ranks [lo, hi) the interval covers in z, in ascending order.
func (r *zInterval) ranks(z *store.ZSet) (int, int) {
	switch r.kind {
	case zrRank:
		return zRankRange(r.start, r.stop, z.Len())
	case zrScore:
		return z.ScoreRange(r.score)
	}
	return z.LexRange(r.lex)
}

// zrangeArgs is a parsed ZRANGE-family call.
type zrangeArgs struct {
	zInterval
	rev           bool
	withScores    bool
	offset, limit int64 // a negative limit is no limit
}

// parseZRange parses the arguments from the key at index src: key min max [options],
// with kind and direction preset by the legacy commands (ZRANGEBYSCORE, ZREVRANGE, ...).
func parseZRange(c *Ctx, src int, kind zrangeKind, rev, dirSet, store bool) (zrangeArgs, error) {
	a := zrangeArgs{zInterval: zInterval{kind: kind}, rev: rev, limit: -1}
	for j := src + 3; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		switch {
		case c.Is(j, "withscores") && !store:
			a.withScores = true
		case c.Is(j, "limit") && left >= 2:
			var err error
			if a.offset, err = c.Int(j + 1); err != nil {
				return a, err
			}
			if a.limit, err = c.Int(j + 2); err != nil {
				return a, err
			}
			j += 2
		case !dirSet && c.Is(j, "rev"):
			a.rev, dirSet = true, true
		case a.kind == zrAuto && c.Is(j, "bylex"):
			a.kind = zrLex
		case a.kind == zrAuto && c.Is(j, "byscore"):
			a.kind = zrScore
		default:
			return a, ErrSyntax
		}
	}
	if a.kind == zrAuto {
		a.kind = zrRank
	}
	if a.limit != -1 && a.kind == zrRank {
		return a, errZRangeLimit
	}
	if a.withScores && a.kind == zrLex {
		return a, errZRangeLexScores
	}
	lo, hi := src+1, src+2
	if a.rev && a.kind != zrRank {
		lo, hi = hi, lo
	}
	var err error
	a.zInterval, err = parseZInterval(c, a.kind, lo, hi)
	return a, err
}

// ranks returns the ranks [lo, hi) of z that the call selects, to be walked downwards
// when a.rev is set.
func (a *zrangeArgs) ranks(z *store.ZSet) (int, int) {
	lo, hi := a.zInterval.ranks(z)
	if a.kind == zrRank {
		if a.rev {
			n := z.Len()
			lo, hi = n-hi, n-lo
		}
		return lo, hi
	}
	if a.offset < 0 {
		return 0, 0
	}
	count := int64(hi - lo)
	off := min(a.offset, count)
	take := count - off
	if a.limit >= 0 {
		take = min(take, a.limit)
	}
	if a.rev {
		hi -= int(off)
		return hi - int(take), hi
	}
	lo += int(off)
	return lo, lo + int(take)
}

func cmdZRange(c *Ctx) error {
	var (
		kind         = zrAuto
		rev, dirSet  bool
		src          = 1
		storeResults bool
	)
	switch c.Spec.Name {
	case "zrangestore":
		src, storeResults = 2, true
	case "zrangebyscore":
		kind, dirSet = zrScore, true
	case "zrevrangebyscore":
		kind, rev, dirSet = zrScore, true, true
	case "zrangebylex":
		kind, dirSet = zrLex, true
	case "zrevrangebylex":
		kind, rev, dirSet = zrLex, true, true
	case "zrevrange":
		kind, rev, dirSet = zrRank, true, true
	}
	a, err := parseZRange(c, src, kind, rev, dirSet, storeResults)
	if err != nil {
		return err
	}
	z, err := readZSet(c, c.Args[src])
	if err != nil {
		return err
	}
	var lo, hi int
	if z != nil {
		lo, hi = a.ranks(z)
	}
	if !storeResults {
		zReplyRange(c, z, lo, hi, a.rev, a.withScores)
		return nil
	}
	// Redis adds the results one by one, in reply order, to a new set: a skiplist when
	// a rank range is known to be too long for a listpack, else a listpack that converts
	// as it grows (which shows in what happens to negative zeros).
	var pairs []store.ZPair
	if z != nil && hi > lo {
		pairs = make([]store.ZPair, 0, hi-lo)
		z.Range(lo, hi, a.rev, func(m []byte, s float64) bool {
			pairs = append(pairs, store.ZPair{Member: string(m), Score: s})
			return true
		})
	}
	dst := c.Args[1]
	if len(pairs) == 0 {
		c.DB.Delete(dst, store.EvDel)
		c.W.Int(0)
		return nil
	}
	lim := c.DB.Limits()
	if a.kind == zrRank && int64(len(pairs)) > lim.ZSetMaxListpackEntries.Load() {
		c.DB.Set(dst, store.NewZSetFrom(pairs, lim), evZRangeStore)
	} else {
		c.DB.Set(dst, store.NewZSetAdded(pairs, lim), evZRangeStore)
	}
	c.W.Int(int64(len(pairs)))
	return nil
}

// --- range deletion ---

func cmdZRemRange(c *Ctx) error {
	kind, ev := zrRank, evZRemRangeByRank
	switch c.Spec.Name {
	case "zremrangebyscore":
		kind, ev = zrScore, evZRemRangeByScore
	case "zremrangebylex":
		kind, ev = zrLex, evZRemRangeByLex
	}
	r, err := parseZInterval(c, kind, 2, 3)
	if err != nil {
		return err
	}
	key := c.Args[1]
	e, err := writeZSet(c, key)
	if err != nil {
		return err
	}
	var removed int
	if e != nil {
		z := e.ZSet()
		if removed = z.RemoveRange(r.ranks(z)); removed > 0 {
			zChanged(c, key, z, ev, int64(removed))
		}
	}
	c.W.Int(int64(removed))
	return nil
}

// --- pops ---

// zpopShape is the reply shape of the pop commands.
type zpopShape uint8

const (
	zpopOne   zpopShape = iota // ZPOPMIN key: [member, score]
	zpopCount                  // ZPOPMIN key count: flat in RESP2, pairs in RESP3
	zpopBlock                  // BZPOPMIN: [key, member, score]
	zpopMulti                  // [B]ZMPOP: [key, [[member, score], ...]]
)

// zpop pops up to count members from the low (or high, with max) end of the set at key
// and writes the reply in the given shape.
func zpop(c *Ctx, key []byte, z *store.ZSet, count int, max bool, shape zpopShape) {
	n := min(count, z.Len())
	lo, hi := 0, n
	if max {
		lo, hi = z.Len()-n, z.Len()
	}
	switch shape {
	case zpopOne:
		c.W.Array(2 * n)
	case zpopCount:
		zHeader(c, n, true)
	case zpopBlock:
		c.W.Array(3)
		c.W.Bulk(key)
	case zpopMulti:
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Array(n)
	}
	z.Range(lo, hi, max, func(m []byte, s float64) bool {
		if shape == zpopMulti {
			c.W.Array(2)
			c.W.Bulk(m)
			c.W.Double(s)
		} else if shape == zpopCount {
			zItem(c, m, s, true)
		} else {
			c.W.Bulk(m)
			c.W.Double(s)
		}
		return true
	})
	z.RemoveRange(lo, hi)
	ev := evZPopMin
	if max {
		ev = evZPopMax
	}
	zChanged(c, key, z, ev, int64(n))
}

func cmdZPop(c *Ctx) error {
	if len(c.Args) > 3 {
		return ErrSyntax
	}
	count, shape := 1, zpopOne
	if len(c.Args) == 3 {
		n, ok := ParseInt(c.Args[2])
		if !ok || n < 0 {
			return errZPositive
		}
		count, shape = int(min(n, math.MaxInt32)), zpopCount
	}
	key := c.Args[1]
	e, err := writeZSet(c, key)
	if err != nil {
		return err
	}
	if e == nil || count == 0 {
		c.W.Array(0)
		return nil
	}
	zpop(c, key, e.ZSet(), count, c.Spec.Name == "zpopmax", shape)
	return nil
}

// BZPOPMIN key [key ...] timeout
func cmdBZPop(c *Ctx) error {
	last := len(c.Args) - 1
	deadline, err := c.Deadline(last)
	if err != nil {
		return err
	}
	return c.popFirst(c.Args[1:last], true, deadline, func(key []byte) (bool, error) {
		e, err := writeZSet(c, key)
		if e == nil {
			return false, err
		}
		max := c.Spec.Name == "bzpopmax"
		zpop(c, key, e.ZSet(), 1, max, zpopBlock)
		c.Propagate(zpopWord(max), key) // replays as the command that does not block
		return true, nil
	})
}

// zpopWord is the command that pops the lowest (or highest, max) scores.
func zpopWord(max bool) []byte {
	if max {
		return wordZPopMax
	}
	return wordZPopMin
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count],
// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
func cmdZMPop(c *Ctx) error {
	a, err := parseMPop(c, c.Spec.Name == "bzmpop", "min", "max")
	if err != nil {
		return err
	}
	return c.popFirst(a.keys, a.blocking, a.deadline, func(key []byte) (bool, error) {
		e, err := writeZSet(c, key)
		if e == nil {
			return false, err
		}
		n := int(min(a.count, int64(e.ZSet().Len())))
		zpop(c, key, e.ZSet(), n, a.second, zpopMulti)
		if c.Propagating {
			c.Propagate(zpopWord(a.second), key, AppendInt(nil, int64(n)))
		}
		return true, nil
	})
}

// --- ZRANDMEMBER ---

func cmdZRandMember(c *Ctx) error {
	if len(c.Args) == 2 {
		z, err := readZSet(c, c.Args[1])
		if err != nil {
			return err
		}
		if z == nil {
			c.W.Null()
			return nil
		}
		z.RandomRepeat(1, func(m []byte, _ float64) { c.W.Bulk(m) })
		return nil
	}
	n, err := c.Int(2)
	if err != nil {
		return err
	}
	if n == math.MinInt64 {
		return errZRandRange
	}
	withScores := false
	if len(c.Args) > 4 || len(c.Args) == 4 && !c.Is(3, "withscores") {
		return ErrSyntax
	}
	if len(c.Args) == 4 {
		withScores = true
		if n < -math.MaxInt64/2 {
			return errZRandRangeScores
		}
	}
	z, err := readZSet(c, c.Args[1])
	if err != nil {
		return err
	}
	if z == nil || n == 0 {
		c.W.Array(0)
		return nil
	}
	emit := func(m []byte, s float64) { zItem(c, m, s, withScores) }
	switch size := int64(z.Len()); {
	case n < 0 || n == 1:
		count := n
		if n < 0 {
			count = -n
		}
		zHeader(c, int(count), withScores)
		z.RandomRepeat(int(count), emit)
	case n >= size:
		// The whole set, from the highest score down, as Redis 7.0 replies.
		zReplyRange(c, z, 0, int(size), true, withScores)
	default:
		zHeader(c, int(n), withScores)
		z.RandomDistinct(int(n), emit)
	}
	return nil
}

// --- ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD ---

type zsrc struct {
	z      *store.ZSet
	s      *store.Set
	weight float64
}

func (s *zsrc) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.s != nil:
		return s.s.Len()
	}
	return 0
}

// score returns member's score in the source, before weighting.
func (s *zsrc) score(m []byte) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.s != nil:
		return 1, s.s.Contains(m)
	}
	return 0, false
}

// each calls fn for every member of the source with its score, before weighting.
func (s *zsrc) each(fn func(m []byte, score float64) bool) {
	switch {
	case s.z != nil:
		s.z.Range(0, s.z.Len(), false, fn)
	case s.s != nil:
		s.s.Range(func(m []byte) bool { return fn(m, 1) })
	}
}

type zaggregate uint8

const (
	zaggSum zaggregate = iota
	zaggMin
	zaggMax
)

func (a zaggregate) apply(acc, v float64) float64 {
	// Plain comparisons, not min and max: they keep acc on ties, -0 against 0 included.
	switch a {
	case zaggMin:
		if v < acc {
			return v
		}
		return acc
	case zaggMax:
		if v > acc {
			return v
		}
		return acc
	}
	if acc += v; math.IsNaN(acc) {
		return 0 // inf + -inf, as Redis
	}
	return acc
}

func zweighted(w, s float64) float64 {
	if v := w * s; !math.IsNaN(v) {
		return v
	}
	return 0
}

// cmdZSetOp serves ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD.
func cmdZSetOp(c *Ctx) error {
	name := c.Spec.Name
	storeTo := strings.HasSuffix(name, "store")
	cardOnly := name == "zintercard"
	op := name[1:5] // "unio", "inte", "diff"
	at := 1
	if storeTo {
		at = 2
	}
	numkeys, err := c.Int(at)
	if err != nil {
		return err
	}
	if numkeys < 1 {
		return Errorf("ERR at least 1 input key is needed for '%s' command", name)
	}
	if numkeys > int64(len(c.Args)-at-1) {
		return ErrSyntax
	}
	srcs := make([]zsrc, numkeys)
	for i := range srcs {
		srcs[i].weight = 1
		e := c.DB.Lookup(c.Args[at+1+i])
		if e == nil {
			continue
		}
		switch e.Type() {
		case store.TypeZSet:
			srcs[i].z = e.ZSet()
		case store.TypeSet:
			srcs[i].s = e.SetValue()
		default:
			return ErrWrongType
		}
	}
	agg, withScores, limit := zaggSum, false, int64(0)
	for j := at + 1 + int(numkeys); j < len(c.Args); {
		left := len(c.Args) - j
		switch {
		case op != "diff" && !cardOnly && left >= len(srcs)+1 && c.Is(j, "weights"):
			j++
			for i := range srcs {
				w, ok := ParseFloat(c.Args[j])
				if !ok {
					return errZWeight
				}
				srcs[i].weight = w
				j++
			}
		case op != "diff" && !cardOnly && left >= 2 && c.Is(j, "aggregate"):
			switch {
			case c.Is(j+1, "sum"):
				agg = zaggSum
			case c.Is(j+1, "min"):
				agg = zaggMin
			case c.Is(j+1, "max"):
				agg = zaggMax
			default:
				return ErrSyntax
			}
			j += 2
		case !storeTo && !cardOnly && c.Is(j, "withscores"):
			withScores = true
			j++
		case cardOnly && left >= 2 && c.Is(j, "limit"):
			n, ok := ParseInt(c.Args[j+1])
			if !ok || n < 0 {
				return errZLimitNeg
			}
			limit = n
			j += 2
		default:
			return ErrSyntax
		}
	}

	var pairs []store.ZPair
	switch op {
	case "unio":
		pairs = zunion(srcs, agg)
	case "inte":
		if cardOnly {
			c.W.Int(zinterCard(srcs, limit))
			return nil
		}
		pairs = zinter(srcs, agg)
	default:
		pairs = zdiff(srcs)
	}
	if storeTo {
		ev := map[string]store.Event{"unio": evZUnionStore, "inte": evZInterStore, "diff": evZDiffStore}[op]
		zStore(c, c.Args[1], pairs, ev, 1)
		return nil
	}
	slices.SortFunc(pairs, zpairCmp)
	zHeader(c, len(pairs), withScores)
	for _, p := range pairs {
		zItem(c, unsafe.Slice(unsafe.StringData(p.Member), len(p.Member)), p.Score, withScores)
	}
	return nil
}

func zpairCmp(a, b store.ZPair) int {
	switch {
	case a.Score < b.Score:
		return -1
	case a.Score > b.Score:
		return 1
	}
	return strings.Compare(a.Member, b.Member)
}

// bySize returns the sources ordered by cardinality, smallest first (stable), the order
// Redis folds them in.
func bySize(srcs []zsrc) []zsrc {
	out := slices.Clone(srcs)
	slices.SortStableFunc(out, func(a, b zsrc) int { return a.len() - b.len() })
	return out
}

func zunion(srcs []zsrc, agg zaggregate) []store.ZPair {
	acc := map[string]float64{}
	var order []string
	for _, s := range bySize(srcs) {
		s.each(func(m []byte, score float64) bool {
			v := zweighted(s.weight, score)
			if old, ok := acc[unsafe.String(unsafe.SliceData(m), len(m))]; ok {
				acc[unsafe.String(unsafe.SliceData(m), len(m))] = agg.apply(old, v)
				return true
			}
			k := string(m)
			acc[k] = v
			order = append(order, k)
			return true
		})
	}
	pairs := make([]store.ZPair, len(order))
	for i, k := range order {
		pairs[i] = store.ZPair{Member: k, Score: acc[k]}
	}
	return pairs
}

func zinter(srcs []zsrc, agg zaggregate) []store.ZPair {
	sorted := bySize(srcs)
	if sorted[0].len() == 0 {
		return nil
	}
	var pairs []store.ZPair
	sorted[0].each(func(m []byte, score float64) bool {
		v := zweighted(sorted[0].weight, score)
		for _, o := range sorted[1:] {
			s, ok := o.score(m)
			if !ok {
				return true
			}
			// Only the first set's weighted score turns NaN (inf * 0) into 0; a NaN from
			// another set reaches the aggregate (a sum then reads 0, MIN and MAX skip it).
			v = agg.apply(v, o.weight*s)
		}
		pairs = append(pairs, store.ZPair{Member: string(m), Score: v})
		return true
	})
	return pairs
}

func zinterCard(srcs []zsrc, limit int64) int64 {
	sorted := bySize(srcs)
	var n int64
	if sorted[0].len() == 0 {
		return 0
	}
	sorted[0].each(func(m []byte, _ float64) bool {
		for _, o := range sorted[1:] {
			if _, ok := o.score(m); !ok {
				return true
			}
		}
		n++
		return limit == 0 || n < limit
	})
	return n
}

func zdiff(srcs []zsrc) []store.ZPair {
	var pairs []store.ZPair
	srcs[0].each(func(m []byte, score float64) bool {
		for _, o := range srcs[1:] {
			if _, ok := o.score(m); ok {
				return true
			}
		}
		pairs = append(pairs, store.ZPair{Member: string(m), Score: score})
		return true
	})
	return pairs
}
