package command

import (
	"math"
	"math/big"
	"strconv"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// MaxStringLen is Redis's default proto-max-bulk-len: the largest string a command may build.
const MaxStringLen = 512 << 20

var errStringTooLong error = Err(resp.ErrStringTooLong)

var (
	evSet         = store.Event{Class: store.ClassString, Name: "set"}
	evAppend      = store.Event{Class: store.ClassString, Name: "append"}
	evSetRange    = store.Event{Class: store.ClassString, Name: "setrange"}
	evIncrBy      = store.Event{Class: store.ClassString, Name: "incrby"}
	evIncrByFloat = store.Event{Class: store.ClassString, Name: "incrbyfloat"}
)

// StringCommands are the string family's rows.
var StringCommands = []*Spec{
	{Name: "get", Arity: 2, Flags: ReadOnly | Fast, Cat: CatString, Do: cmdGet},
	{Name: "set", Arity: -3, Flags: Write | DenyOOM, KeysFunc: setKeys, Cat: CatString, Do: cmdSet},
	{Name: "setnx", Arity: 3, Flags: Write | DenyOOM | Fast, Cat: CatString, Do: cmdSetNX},
	{Name: "setex", Arity: 4, Flags: Write | DenyOOM, Cat: CatString, Do: cmdSetEX},
	{Name: "psetex", Arity: 4, Flags: Write | DenyOOM, Cat: CatString, Do: cmdSetEX},
	{Name: "getset", Arity: 3, Flags: Write | DenyOOM | Fast, Cat: CatString, Do: cmdGetSet},
	{Name: "getdel", Arity: 2, Flags: Write | Fast, Cat: CatString, Do: cmdGetDel},
	{Name: "getex", Arity: -2, Flags: Write | Fast, Cat: CatString, Do: cmdGetEx},
	{Name: "mget", Arity: -2, Flags: ReadOnly | Fast, Cat: CatString, Do: cmdMGet},
	{Name: "mset", Arity: -3, Flags: Write | DenyOOM, Cat: CatString, Do: cmdMSet},
	{Name: "msetnx", Arity: -3, Flags: Write | DenyOOM, Cat: CatString, Do: cmdMSet},
	{Name: "append", Arity: 3, Flags: Write | DenyOOM | Fast, Cat: CatString, Do: cmdAppend},
	{Name: "strlen", Arity: 2, Flags: ReadOnly | Fast, Cat: CatString, Do: cmdLen},
	{Name: "incr", Arity: 2, Flags: Write | DenyOOM | Fast, Cat: CatString, Do: cmdIncr},
	{Name: "decr", Arity: 2, Flags: Write | DenyOOM | Fast, Cat: CatString, Do: cmdIncr},
	{Name: "incrby", Arity: 3, Flags: Write | DenyOOM | Fast, Cat: CatString, Do: cmdIncr},
	{Name: "decrby", Arity: 3, Flags: Write | DenyOOM | Fast, Cat: CatString, Do: cmdIncr},
	{Name: "incrbyfloat", Arity: 3, Flags: Write | DenyOOM | Fast, Cat: CatString, Do: cmdIncrByFloat},
	{Name: "getrange", Arity: 4, Flags: ReadOnly, Cat: CatString, Do: cmdGetRange},
	{Name: "substr", Arity: 4, Flags: ReadOnly, Cat: CatString, Do: cmdGetRange},
	{Name: "setrange", Arity: 4, Flags: Write | DenyOOM, Cat: CatString, Do: cmdSetRange},
}

// lookupString finds a string key for reading: nil if missing, WRONGTYPE if not a string.
func lookupString(db *store.DB, key []byte) (*store.Entry, error) {
	return ofType(db.Lookup(key), store.TypeString)
}

// writeString finds a string key the caller will change.
func writeString(db *store.DB, key []byte) (*store.Entry, error) {
	return ofType(db.LookupWrite(key), store.TypeString)
}

func cmdGet(c *Ctx) error {
	e, err := lookupString(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if e == nil {
		c.W.Null()
		return nil
	}
	c.W.Bulk(e.Bytes())
	return nil
}

// expiry is a parsed EX/PX/EXAT/PXAT/KEEPTTL/PERSIST option.
type expiry struct {
	at      int64 // absolute unix ms; 0 when none was given
	keepTTL bool
	persist bool
}

// invalidExpire is the error of an out-of-range TTL, built only when it happens: the
// formatting would cost every call.
func invalidExpire(cmd string) error { return Errorf(resp.ErrInvalidExpire, cmd) }

// parseExpiryOption reads the option at args[i] (EX/PX/EXAT/PXAT with its value) into x
// and says how many arguments it used; 0 when args[i] is no such option.
func parseExpiryOption(c *Ctx, i int, x *expiry, seen *bool) (int, error) {
	var unit int64
	abs := false
	switch {
	case c.Is(i, "ex"):
		unit = 1000
	case c.Is(i, "px"):
		unit = 1
	case c.Is(i, "exat"):
		unit, abs = 1000, true
	case c.Is(i, "pxat"):
		unit, abs = 1, true
	default:
		return 0, nil
	}
	if *seen || i+1 >= len(c.Args) {
		return 0, ErrSyntax
	}
	*seen = true
	n, err := c.Int(i + 1)
	if err != nil {
		return 0, err
	}
	if n <= 0 || n > math.MaxInt64/unit {
		return 0, invalidExpire(c.Spec.Name)
	}
	ms := n * unit
	if !abs {
		now := c.DB.Now()
		if ms > math.MaxInt64-now {
			return 0, invalidExpire(c.Spec.Name)
		}
		ms += now
	}
	x.at = ms
	return 2, nil
}

func cmdSet(c *Ctx) error {
	var x expiry
	var nx, xx, get, seenExpiry bool
	for i := 3; i < len(c.Args); i++ {
		n, err := parseExpiryOption(c, i, &x, &seenExpiry)
		if err != nil {
			return err
		}
		if n > 0 {
			if x.keepTTL {
				return ErrSyntax
			}
			i += n - 1
			continue
		}
		switch {
		case c.Is(i, "nx") && !xx:
			nx = true
		case c.Is(i, "xx") && !nx:
			xx = true
		case c.Is(i, "get"):
			get = true
		case c.Is(i, "keepttl") && !seenExpiry:
			x.keepTTL, seenExpiry = true, true
		default:
			return ErrSyntax
		}
	}
	key := c.Args[1]
	var old *store.Entry
	if get {
		old = c.DB.Lookup(key) // GET reads: a keyspace hit or miss, as GET's own
	} else {
		old = c.DB.LookupWrite(key)
	}
	if get {
		if old != nil && old.Type() != store.TypeString {
			return ErrWrongType
		}
		if old != nil {
			c.W.Bulk(old.Bytes())
		} else {
			c.W.Null()
		}
	}
	if (nx && old != nil) || (xx && old == nil) {
		if !get {
			c.W.Null()
		}
		return nil
	}
	setString(c, key, old, c.Args[2], x)
	if x.at != 0 {
		c.propagateSetAt(key, c.Args[2], x.at)
	}
	if !get {
		c.W.OK()
	}
	return nil
}

// setString stores val at key (old is the live entry or nil), applying x's expiry. An
// existing string is overwritten in place, reusing its storage.
func setString(c *Ctx, key []byte, old *store.Entry, val []byte, x expiry) {
	if old != nil && old.Type() == store.TypeString {
		old.Overwrite(val)
		if !x.keepTTL {
			c.DB.SetExpire(key, old, x.at)
		}
		c.DB.Changed(key, evSet)
	} else {
		e := store.NewString(val)
		switch {
		case x.at != 0:
			e.SetExpireAt(x.at)
		case x.keepTTL && old != nil:
			e.SetExpireAt(old.ExpireAt())
		}
		c.DB.Set(key, e, evSet)
	}
	if x.at != 0 {
		c.DB.ChangedN(key, evExpire, 0) // part of the write counted above
	}
}

func cmdSetNX(c *Ctx) error {
	if c.DB.LookupWrite(c.Args[1]) != nil {
		c.W.Int(0)
		return nil
	}
	c.DB.Set(c.Args[1], store.NewString(c.Args[2]), evSet)
	c.W.Int(1)
	return nil
}

func cmdSetEX(c *Ctx) error {
	unit := int64(1000)
	if c.Spec.Name == "psetex" {
		unit = 1
	}
	n, err := c.Int(2)
	if err != nil {
		return err
	}
	now := c.DB.Now()
	if n <= 0 || n > math.MaxInt64/unit || n*unit > math.MaxInt64-now {
		return invalidExpire(c.Spec.Name)
	}
	setString(c, c.Args[1], c.DB.LookupWrite(c.Args[1]), c.Args[3], expiry{at: now + n*unit})
	c.propagateSetAt(c.Args[1], c.Args[3], now+n*unit)
	c.W.OK()
	return nil
}

func cmdGetSet(c *Ctx) error {
	old, err := lookupString(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if old != nil {
		c.W.Bulk(old.Bytes())
	} else {
		c.W.Null()
	}
	c.DB.Set(c.Args[1], store.NewString(c.Args[2]), evSet)
	return nil
}

func cmdGetDel(c *Ctx) error {
	e, err := lookupString(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if e == nil {
		c.W.Null()
		return nil
	}
	c.W.Bulk(e.Bytes())
	c.DB.Delete(c.Args[1], store.EvDel)
	c.Propagate(wordDel, c.Args[1])
	return nil
}

func cmdGetEx(c *Ctx) error {
	var x expiry
	var seen bool
	for i := 2; i < len(c.Args); i++ {
		n, err := parseExpiryOption(c, i, &x, &seen)
		if err != nil {
			return err
		}
		if n > 0 {
			i += n - 1
			continue
		}
		if c.Is(i, "persist") && !seen {
			x.persist, seen = true, true
			continue
		}
		return ErrSyntax
	}
	key := c.Args[1]
	e, err := lookupString(c.DB, key)
	if err != nil {
		return err
	}
	if e == nil {
		c.W.Null()
		return nil
	}
	c.W.Bulk(e.Bytes())
	switch {
	case x.at != 0 && x.at <= c.DB.Now():
		c.DB.Delete(key, store.EvDel)
		c.Propagate(wordDel, key)
	case x.at != 0:
		c.DB.SetExpire(key, e, x.at)
		c.DB.Changed(key, evExpire)
		if c.Propagating {
			c.Propagate(wordPExpireAt, key, AppendInt(nil, x.at))
		}
	case x.persist && e.ExpireAt() != 0:
		c.DB.SetExpire(key, e, 0)
		c.DB.Changed(key, evPersist)
		c.Propagate(wordPersist, key)
	}
	return nil
}

func cmdMGet(c *Ctx) error {
	c.W.Array(len(c.Args) - 1)
	for _, k := range c.Args[1:] {
		e := c.DB.Lookup(k)
		if e == nil || e.Type() != store.TypeString {
			c.W.Null()
			continue
		}
		c.W.Bulk(e.Bytes())
	}
	return nil
}

func cmdMSet(c *Ctx) error {
	if len(c.Args)%2 == 0 {
		return arityError(c.Spec)
	}
	nx := c.Spec.Name == "msetnx"
	if nx {
		for i := 1; i < len(c.Args); i += 2 {
			if c.DB.LookupWrite(c.Args[i]) != nil {
				c.W.Int(0)
				return nil
			}
		}
	}
	for i := 1; i < len(c.Args); i += 2 {
		setString(c, c.Args[i], c.DB.LookupWrite(c.Args[i]), c.Args[i+1], expiry{})
	}
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
	return nil
}

func cmdAppend(c *Ctx) error {
	key, add := c.Args[1], c.Args[2]
	e, err := writeString(c.DB, key)
	if err != nil {
		return err
	}
	if e == nil {
		c.DB.Set(key, store.NewString(add), evAppend)
		c.W.Int(int64(len(add)))
		return nil
	}
	n := len(e.Bytes())
	if n+len(add) > MaxStringLen {
		return errStringTooLong
	}
	copy(e.Grow(n + len(add))[n:], add)
	c.DB.Changed(key, evAppend)
	c.W.Int(int64(n + len(add)))
	return nil
}

func cmdIncr(c *Ctx) error {
	delta := int64(1)
	if len(c.Args) == 3 {
		var err error
		if delta, err = c.Int(2); err != nil {
			return err
		}
	}
	if c.Spec.Name[0] == 'd' {
		if delta == math.MinInt64 {
			return Err("ERR decrement would overflow")
		}
		delta = -delta
	}
	ev := evIncrBy // Redis names DECR and DECRBY "incrby" too
	key := c.Args[1]
	e, err := writeString(c.DB, key)
	if err != nil {
		return err
	}
	var cur int64
	if e != nil {
		var ok bool
		if cur, ok = ParseInt(e.Bytes()); !ok {
			return ErrNotInt
		}
	}
	if (delta > 0 && cur > math.MaxInt64-delta) || (delta < 0 && cur < math.MinInt64-delta) {
		return Err(resp.ErrOverflow)
	}
	cur += delta
	var buf [20]byte
	val := strconv.AppendInt(buf[:0], cur, 10)
	if e != nil {
		e.Overwrite(val)
		c.DB.Changed(key, ev)
	} else {
		c.DB.Set(key, store.NewString(val), ev)
	}
	c.W.Int(cur)
	return nil
}

// cmdIncrByFloat adds in long double precision, as Redis does (see addLongDouble).
func cmdIncrByFloat(c *Ctx) error {
	key := c.Args[1]
	e, err := writeString(c.DB, key)
	if err != nil {
		return err
	}
	cur := new(big.Float)
	if e != nil {
		var ok bool
		if cur, ok = parseLongDouble(e.Bytes()); !ok {
			return ErrNotFloat
		}
	}
	incr, ok := parseLongDouble(c.Args[2])
	if !ok {
		return ErrNotFloat
	}
	val, ok := addLongDouble(cur, incr)
	if !ok {
		return Err(resp.ErrNaNOrInf)
	}
	c.DB.Set(key, keepTTL(store.NewStringText(val), e), evIncrByFloat)
	if c.Propagating { // the sum a replay computes could round differently
		c.Propagate(wordSet, key, []byte(val), wordKeepTTL)
	}
	c.W.Bulk(val)
	return nil
}

// keepTTL gives e the expiry of old, if any, and returns e.
func keepTTL(e, old *store.Entry) *store.Entry {
	if old != nil {
		e.SetExpireAt(old.ExpireAt())
	}
	return e
}

// addLongDouble adds incr to cur as x87 long doubles (a 64-bit mantissa, so 0.1+0.2
// reads 0.3 and 1e400 is in range) and formats the sum as Redis stores it; ok is false
// when the sum is not finite.
func addLongDouble(cur, incr *big.Float) (val []byte, ok bool) {
	if cur.IsInf() || incr.IsInf() { // inf + -inf would be NaN, which big.Float refuses
		return nil, false
	}
	sum := new(big.Float).SetPrec(longDoublePrec).Add(cur, incr)
	if sum.Sign() != 0 && sum.MantExp(nil) > longDoubleMaxExp {
		return nil, false
	}
	return formatLongDouble(sum), true
}

// formatLongDouble prints f like Redis's ld2string in human mode: %.17Lf with
// trailing zeros (and a trailing point) removed.
func formatLongDouble(f *big.Float) []byte {
	b := f.Append(nil, 'f', 17)
	for len(b) > 0 && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if len(b) > 0 && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if string(b) == "-0" {
		b = b[1:]
	}
	return b
}

func cmdGetRange(c *Ctx) error {
	start, end, err := c.IntPair(2)
	if err != nil {
		return err
	}
	e, err := lookupString(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	var s []byte
	if e != nil {
		s = e.Bytes()
	}
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		c.W.BulkString("")
		return nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.W.BulkString("")
		return nil
	}
	c.W.Bulk(s[start : end+1])
	return nil
}

func cmdSetRange(c *Ctx) error {
	off, err := c.Int(2)
	if err != nil {
		return err
	}
	if off < 0 {
		return Err(resp.ErrOffsetRange)
	}
	key, val := c.Args[1], c.Args[3]
	e, err := writeString(c.DB, key)
	if err != nil {
		return err
	}
	if len(val) == 0 {
		if e == nil {
			c.W.Int(0)
		} else {
			c.W.Int(int64(len(e.Bytes())))
		}
		return nil
	}
	if off+int64(len(val)) > MaxStringLen {
		return errStringTooLong
	}
	if e == nil {
		e = store.NewString(nil)
		copy(e.Grow(int(off) + len(val))[off:], val)
		c.DB.Set(key, e, evSetRange)
		c.W.Int(off + int64(len(val)))
		return nil
	}
	n := max(len(e.Bytes()), int(off)+len(val))
	copy(e.Grow(n)[off:], val)
	c.DB.Changed(key, evSetRange)
	c.W.Int(int64(n))
	return nil
}
