package command

import (
	"math"
	"math/big"
	"strconv"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

var (
	evHSet         = store.Event{Class: store.ClassHash, Name: "hset"}
	evHDel         = store.Event{Class: store.ClassHash, Name: "hdel"}
	evHIncrBy      = store.Event{Class: store.ClassHash, Name: "hincrby"}
	evHIncrByFloat = store.Event{Class: store.ClassHash, Name: "hincrbyfloat"}
)

// HashCommands are the hash family's rows.
var HashCommands = []*Spec{
	{Name: "hset", Arity: -4, Flags: Write | DenyOOM | Fast, Cat: CatHash, Do: cmdHSet},
	{Name: "hmset", Arity: -4, Flags: Write | DenyOOM | Fast, Cat: CatHash, Do: cmdHSet},
	{Name: "hsetnx", Arity: 4, Flags: Write | DenyOOM | Fast, Cat: CatHash, Do: cmdHSetNX},
	{Name: "hget", Arity: 3, Flags: ReadOnly | Fast, Cat: CatHash, Do: cmdHGet},
	{Name: "hmget", Arity: -3, Flags: ReadOnly | Fast, Cat: CatHash, Do: cmdHMGet},
	{Name: "hgetall", Arity: 2, Flags: ReadOnly, Cat: CatHash, Do: cmdHGetAll},
	{Name: "hkeys", Arity: 2, Flags: ReadOnly, Cat: CatHash, Do: cmdHGetAll},
	{Name: "hvals", Arity: 2, Flags: ReadOnly, Cat: CatHash, Do: cmdHGetAll},
	{Name: "hdel", Arity: -3, Flags: Write | Fast, Cat: CatHash, Do: cmdHDel},
	{Name: "hexists", Arity: 3, Flags: ReadOnly | Fast, Cat: CatHash, Do: cmdHExists},
	{Name: "hlen", Arity: 2, Flags: ReadOnly | Fast, Cat: CatHash, Do: cmdLen},
	{Name: "hstrlen", Arity: 3, Flags: ReadOnly | Fast, Cat: CatHash, Do: cmdHStrlen},
	{Name: "hincrby", Arity: 4, Flags: Write | DenyOOM | Fast, Cat: CatHash, Do: cmdHIncrBy},
	{Name: "hincrbyfloat", Arity: 4, Flags: Write | DenyOOM | Fast, Cat: CatHash, Do: cmdHIncrByFloat},
	{Name: "hrandfield", Arity: -2, Flags: ReadOnly, Cat: CatHash, Do: cmdHRandField},
	{Name: "hscan", Arity: -3, Flags: ReadOnly, Cat: CatHash, Do: cmdTypeScan},
}

// readHash finds a hash for reading: nil when the key is missing, WRONGTYPE when it
// holds another type.
func readHash(c *Ctx, key []byte) (*store.Hash, error) {
	return valueOf(c.DB.Lookup(key), store.TypeHash, (*store.Entry).Hash)
}

// writeHash finds the hash a write command changes, or a new empty one (created says
// so: the caller stores it with DB.Set once it is filled).
func writeHash(c *Ctx, key []byte) (e *store.Entry, created bool, err error) {
	e, err = ofType(c.DB.LookupWrite(key), store.TypeHash)
	if e == nil && err == nil {
		return store.NewHash(), true, nil
	}
	return e, false, err
}

// saveHash reports a write of n fields to key: a new hash is stored (emitting "new" and
// ev), an existing one is reported changed.
func saveHash(c *Ctx, key []byte, e *store.Entry, created bool, ev store.Event, n int64) {
	if created {
		c.DB.SetN(key, e, ev, n)
	} else {
		c.DB.ChangedN(key, ev, n)
	}
}

// cmdHSet serves HSET (the number of new fields) and HMSET (OK).
func cmdHSet(c *Ctx) error {
	if len(c.Args)%2 != 0 {
		return arityError(c.Spec)
	}
	key := c.Args[1]
	e, created, err := writeHash(c, key)
	if err != nil {
		return err
	}
	h, lim := e.Hash(), c.DB.Limits()
	var added int64
	for i := 2; i < len(c.Args); i += 2 {
		if h.Set(c.Args[i], c.Args[i+1], lim) {
			added++
		}
	}
	// Redis counts every field written, new or not.
	saveHash(c, key, e, created, evHSet, int64(len(c.Args)-2)/2)
	if c.Spec.Name == "hmset" {
		c.W.OK()
	} else {
		c.W.Int(added)
	}
	return nil
}

func cmdHSetNX(c *Ctx) error {
	key := c.Args[1]
	e, created, err := writeHash(c, key)
	if err != nil {
		return err
	}
	h := e.Hash()
	if h.Exists(c.Args[2]) {
		c.W.Int(0)
		return nil
	}
	h.Set(c.Args[2], c.Args[3], c.DB.Limits())
	saveHash(c, key, e, created, evHSet, 1)
	c.W.Int(1)
	return nil
}

func cmdHGet(c *Ctx) error {
	h, err := readHash(c, c.Args[1])
	if err != nil {
		return err
	}
	if h != nil {
		if v, ok := h.Get(c.Args[2]); ok {
			c.W.Bulk(v)
			return nil
		}
	}
	c.W.Null()
	return nil
}

func cmdHMGet(c *Ctx) error {
	h, err := readHash(c, c.Args[1])
	if err != nil {
		return err
	}
	c.W.Array(len(c.Args) - 2)
	for _, f := range c.Args[2:] {
		var v []byte
		ok := false
		if h != nil {
			v, ok = h.Get(f)
		}
		if ok {
			c.W.Bulk(v)
		} else {
			c.W.Null()
		}
	}
	return nil
}

// cmdHGetAll serves HGETALL (a map), HKEYS and HVALS.
func cmdHGetAll(c *Ctx) error {
	h, err := readHash(c, c.Args[1])
	if err != nil {
		return err
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	keys, vals := true, true
	switch c.Spec.Name {
	case "hgetall":
		c.W.Map(n)
	case "hkeys":
		c.W.Array(n)
		vals = false
	default:
		c.W.Array(n)
		keys = false
	}
	if h == nil {
		return nil
	}
	h.Range(func(f, v []byte) bool {
		if keys {
			c.W.Bulk(f)
		}
		if vals {
			c.W.Bulk(v)
		}
		return true
	})
	return nil
}

func cmdHDel(c *Ctx) error {
	key := c.Args[1]
	h, err := valueOf(c.DB.LookupWrite(key), store.TypeHash, (*store.Entry).Hash)
	if err != nil {
		return err
	}
	if h == nil {
		c.W.Int(0)
		return nil
	}
	var deleted int64
	for _, f := range c.Args[2:] {
		if h.Delete(f) {
			deleted++
		}
	}
	if deleted > 0 {
		c.DB.ChangedN(key, evHDel, deleted)
		if h.Len() == 0 {
			c.DB.DeleteN(key, store.EvDel, 0)
		}
	}
	c.W.Int(deleted)
	return nil
}

func cmdHExists(c *Ctx) error {
	h, err := readHash(c, c.Args[1])
	if err != nil {
		return err
	}
	if h != nil && h.Exists(c.Args[2]) {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
	return nil
}

func cmdHStrlen(c *Ctx) error {
	h, err := readHash(c, c.Args[1])
	if err != nil {
		return err
	}
	var v []byte
	if h != nil {
		v, _ = h.Get(c.Args[2])
	}
	c.W.Int(int64(len(v)))
	return nil
}

func cmdHIncrBy(c *Ctx) error {
	incr, err := c.Int(3)
	if err != nil {
		return err
	}
	key, field := c.Args[1], c.Args[2]
	e, created, err := writeHash(c, key)
	if err != nil {
		return err
	}
	h := e.Hash()
	var cur int64
	if v, ok := h.Get(field); ok {
		if cur, ok = ParseInt(v); !ok {
			return Err("ERR hash value is not an integer")
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) || (incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		return Err(resp.ErrOverflow)
	}
	cur += incr
	var buf [20]byte
	h.Set(field, strconv.AppendInt(buf[:0], cur, 10), c.DB.Limits())
	saveHash(c, key, e, created, evHIncrBy, 1)
	c.W.Int(cur)
	return nil
}

// cmdHIncrByFloat adds in long double precision, as Redis does (see addLongDouble).
func cmdHIncrByFloat(c *Ctx) error {
	incr, ok := parseLongDouble(c.Args[3])
	if !ok {
		return ErrNotFloat
	}
	if incr.IsInf() {
		return Err("ERR value is NaN or Infinity")
	}
	key, field := c.Args[1], c.Args[2]
	e, created, err := writeHash(c, key)
	if err != nil {
		return err
	}
	h := e.Hash()
	cur := new(big.Float)
	if v, ok := h.Get(field); ok {
		if cur, ok = parseLongDouble(v); !ok {
			return Err("ERR hash value is not a float")
		}
	}
	val, ok := addLongDouble(cur, incr)
	if !ok {
		return Err(resp.ErrNaNOrInf)
	}
	h.Set(field, val, c.DB.Limits())
	saveHash(c, key, e, created, evHIncrByFloat, 1)
	if c.Propagating { // the sum a replay computes could round differently
		c.Propagate(wordHSet, key, field, val)
	}
	c.W.Bulk(val)
	return nil
}

// ParseRandomCount reads the count of HRANDFIELD, SRANDMEMBER (and ZRANDMEMBER, which
// has the same rule): any integer but the smallest.
func ParseRandomCount(c *Ctx, i int) (int64, error) {
	n, err := c.Int(i)
	if err != nil {
		return 0, err
	}
	if n == math.MinInt64 {
		return 0, Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	}
	return n, nil
}

func cmdHRandField(c *Ctx) error {
	if len(c.Args) == 2 {
		h, err := readHash(c, c.Args[1])
		if err != nil {
			return err
		}
		if h == nil {
			c.W.Null()
			return nil
		}
		f, _ := h.Random()
		c.W.Bulk(f)
		return nil
	}
	n, err := ParseRandomCount(c, 2)
	if err != nil {
		return err
	}
	withValues := false
	if len(c.Args) > 4 || (len(c.Args) == 4 && !c.Is(3, "withvalues")) {
		return ErrSyntax
	}
	if len(c.Args) == 4 {
		withValues = true
		if n < -math.MaxInt64/2 || n > math.MaxInt64/2 {
			return Err("ERR value is out of range")
		}
	}
	h, err := readHash(c, c.Args[1])
	if err != nil {
		return err
	}
	if h == nil || n == 0 {
		c.W.Array(0)
		return nil
	}
	resp3 := c.W.Proto == 3
	emit := func(f, v []byte) {
		if withValues && resp3 {
			c.W.Array(2)
		}
		c.W.Bulk(f)
		if withValues {
			c.W.Bulk(v)
		}
	}
	header := func(count int) {
		if withValues && !resp3 {
			c.W.Array(2 * count)
		} else {
			c.W.Array(count)
		}
	}
	size := int64(h.Len())
	switch {
	case n < 0:
		header(int(-n))
		h.RandomRepeat(int(-n), emit)
	case n >= size:
		header(int(size))
		h.Range(func(f, v []byte) bool { emit(f, v); return true })
	default:
		header(int(n))
		h.RandomDistinct(int(n), emit)
	}
	return nil
}
