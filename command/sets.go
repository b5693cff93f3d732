package command

import (
	"math"
	"slices"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/store"
)

var (
	evSAdd        = store.Event{Class: store.ClassSet, Name: "sadd"}
	evSRem        = store.Event{Class: store.ClassSet, Name: "srem"}
	evSPop        = store.Event{Class: store.ClassSet, Name: "spop"}
	evSInterStore = store.Event{Class: store.ClassSet, Name: "sinterstore"}
	evSUnionStore = store.Event{Class: store.ClassSet, Name: "sunionstore"}
	evSDiffStore  = store.Event{Class: store.ClassSet, Name: "sdiffstore"}
)

// SetCommands are the set family's rows.
var SetCommands = []*Spec{
	{Name: "sadd", Arity: -3, Flags: Write | DenyOOM | Fast, Cat: CatSet, Do: cmdSAdd},
	{Name: "srem", Arity: -3, Flags: Write | Fast, Cat: CatSet, Do: cmdSRem},
	{Name: "smembers", Arity: 2, Flags: ReadOnly, Cat: CatSet, Do: cmdSMembers},
	{Name: "sismember", Arity: 3, Flags: ReadOnly | Fast, Cat: CatSet, Do: cmdSIsMember},
	{Name: "smismember", Arity: -3, Flags: ReadOnly | Fast, Cat: CatSet, Do: cmdSIsMember},
	{Name: "scard", Arity: 2, Flags: ReadOnly | Fast, Cat: CatSet, Do: cmdLen},
	{Name: "spop", Arity: -2, Flags: Write | Fast, Cat: CatSet, Do: cmdSPop},
	{Name: "srandmember", Arity: -2, Flags: ReadOnly, Cat: CatSet, Do: cmdSRandMember},
	{Name: "smove", Arity: 4, Flags: Write | Fast, Cat: CatSet, Do: cmdSMove},
	{Name: "sinter", Arity: -2, Flags: ReadOnly, Cat: CatSet, Do: cmdSInter},
	{Name: "sintercard", Arity: -3, Flags: ReadOnly, Cat: CatSet, Do: cmdSInterCard},
	{Name: "sinterstore", Arity: -3, Flags: Write | DenyOOM, Cat: CatSet, Do: cmdSInter},
	{Name: "sunion", Arity: -2, Flags: ReadOnly, Cat: CatSet, Do: cmdSUnionDiff},
	{Name: "sunionstore", Arity: -3, Flags: Write | DenyOOM, Cat: CatSet, Do: cmdSUnionDiff},
	{Name: "sdiff", Arity: -2, Flags: ReadOnly, Cat: CatSet, Do: cmdSUnionDiff},
	{Name: "sdiffstore", Arity: -3, Flags: Write | DenyOOM, Cat: CatSet, Do: cmdSUnionDiff},
	{Name: "sscan", Arity: -3, Flags: ReadOnly, Cat: CatSet, Do: cmdTypeScan},
}

// readSet finds a set for reading: nil when the key is missing, WRONGTYPE when it holds
// another type.
func readSet(c *Ctx, key []byte) (*store.Set, error) {
	return setOfEntry(c.DB.Lookup(key))
}

// setOfEntry checks that a looked-up entry (nil when missing) is a set.
func setOfEntry(e *store.Entry) (*store.Set, error) {
	return valueOf(e, store.TypeSet, (*store.Entry).SetValue)
}

// writeSet finds the set a write command changes: nil when missing.
func writeSet(c *Ctx, key []byte) (*store.Entry, error) {
	return ofType(c.DB.LookupWrite(key), store.TypeSet)
}

// setMemberString views b as a string for the duration of a call.
func setMemberString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func cmdSAdd(c *Ctx) error {
	key := c.Args[1]
	e, err := writeSet(c, key)
	if err != nil {
		return err
	}
	created := e == nil
	if created {
		e = store.NewSet()
	}
	s, lim := e.SetValue(), c.DB.Limits()
	var added int64
	for _, m := range c.Args[2:] {
		if s.Add(m, lim) {
			added++
		}
	}
	switch {
	case created:
		c.DB.SetN(key, e, evSAdd, added)
	case added > 0:
		c.DB.ChangedN(key, evSAdd, added)
	}
	c.W.Int(added)
	return nil
}

func cmdSRem(c *Ctx) error {
	key := c.Args[1]
	e, err := writeSet(c, key)
	if err != nil || e == nil {
		if err == nil {
			c.W.Int(0)
		}
		return err
	}
	s := e.SetValue()
	var removed int64
	for _, m := range c.Args[2:] {
		if s.Remove(m) {
			removed++
		}
	}
	if removed > 0 {
		c.DB.ChangedN(key, evSRem, removed)
		if s.Len() == 0 {
			c.DB.DeleteN(key, store.EvDel, 0)
		}
	}
	c.W.Int(removed)
	return nil
}

func cmdSMembers(c *Ctx) error {
	s, err := readSet(c, c.Args[1])
	if err != nil {
		return err
	}
	if s == nil {
		c.W.Set(0)
		return nil
	}
	c.W.Set(s.Len())
	s.Range(func(m []byte) bool { c.W.Bulk(m); return true })
	return nil
}

// SISMEMBER key member, SMISMEMBER key member [member ...]
func cmdSIsMember(c *Ctx) error {
	s, err := readSet(c, c.Args[1])
	if err != nil {
		return err
	}
	if c.Spec.Name == "smismember" {
		c.W.Array(len(c.Args) - 2)
	}
	for _, m := range c.Args[2:] {
		if s != nil && s.Contains(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
	}
	return nil
}

func cmdSPop(c *Ctx) error {
	if len(c.Args) > 3 {
		return ErrSyntax
	}
	key := c.Args[1]
	count := int64(-1) // no count: pop one and reply a bulk string
	if len(c.Args) == 3 {
		n, ok := ParseInt(c.Args[2])
		if !ok || n < 0 {
			return Err("ERR value is out of range, must be positive")
		}
		count = n
	}
	e, err := writeSet(c, key)
	if err != nil {
		return err
	}
	if e == nil || count == 0 {
		if count < 0 {
			c.W.Null()
		} else {
			c.W.Set(0)
		}
		return nil
	}
	s := e.SetValue()
	// Chance picks the members: the write stream gets what was removed.
	popOne := func() {
		m := s.Pop()
		c.W.Bulk(m)
		if c.Propagating {
			c.Propagate(wordSRem, key, slices.Clone(m))
		}
	}
	switch {
	case count < 0:
		popOne()
		count = 1
	case count >= int64(s.Len()):
		// Redis replies here as SUNION does, with its read lookup: a keyspace hit.
		c.DB.Lookup(key)
		c.W.Set(s.Len())
		s.Range(func(m []byte) bool { c.W.Bulk(m); return true })
		c.DB.ChangedN(key, evSPop, int64(s.Len()))
		c.DB.DeleteN(key, store.EvDel, 0)
		c.Propagate(wordDel, key)
		return nil
	default:
		c.W.Set(int(count))
		for i := count; i > 0; i-- {
			popOne()
		}
	}
	c.DB.ChangedN(key, evSPop, count)
	if s.Len() == 0 {
		c.DB.DeleteN(key, store.EvDel, 0)
	}
	return nil
}

func cmdSRandMember(c *Ctx) error {
	if len(c.Args) > 3 {
		return ErrSyntax
	}
	if len(c.Args) == 2 {
		s, err := readSet(c, c.Args[1])
		if err != nil {
			return err
		}
		if s == nil {
			c.W.Null()
			return nil
		}
		c.W.Bulk(s.Random())
		return nil
	}
	n, err := ParseRandomCount(c, 2)
	if err != nil {
		return err
	}
	s, err := readSet(c, c.Args[1])
	if err != nil {
		return err
	}
	if s == nil || n == 0 {
		c.W.Array(0)
		return nil
	}
	emit := func(m []byte) { c.W.Bulk(m) }
	size := int64(s.Len())
	switch {
	case n < 0:
		c.W.Array(int(-n))
		s.RandomRepeat(int(-n), emit)
	case n >= size:
		c.W.Array(int(size))
		s.Range(func(m []byte) bool { emit(m); return true })
	default:
		c.W.Array(int(n))
		s.RandomDistinct(int(n), emit)
	}
	return nil
}

func cmdSMove(c *Ctx) error {
	src, dst, m := c.Args[1], c.Args[2], c.Args[3]
	se := c.DB.LookupWrite(src)
	de := c.DB.LookupWrite(dst)
	if se == nil {
		c.W.Int(0)
		return nil
	}
	ss, err := setOfEntry(se)
	if err != nil {
		return err
	}
	if _, err := setOfEntry(de); err != nil {
		return err
	}
	if se == de {
		if ss.Contains(m) {
			c.W.Int(1)
		} else {
			c.W.Int(0)
		}
		return nil
	}
	if !ss.Remove(m) {
		c.W.Int(0)
		return nil
	}
	c.DB.Changed(src, evSRem)
	if ss.Len() == 0 {
		c.DB.DeleteN(src, store.EvDel, 0)
	}
	if de == nil {
		de = store.NewSet()
		de.SetValue().Add(m, c.DB.Limits())
		c.DB.Set(dst, de, evSAdd)
	} else if de.SetValue().Add(m, c.DB.Limits()) {
		c.DB.Changed(dst, evSAdd)
	}
	c.W.Int(1)
	return nil
}

// setOperands loads the sets a set operation reads: its keys from argument 1, or from 2
// in the STORE forms (isStore), whose argument 1 is the destination.
func setOperands(c *Ctx, isStore bool) ([]*store.Set, error) {
	if isStore {
		return setLoadAll(c, c.Args[2:])
	}
	return setLoadAll(c, c.Args[1:])
}

// setLoadAll looks up the sets at keys as reads, as Redis does for the STORE variants
// too (missing ones are nil), and fails with WRONGTYPE if any holds another type.
func setLoadAll(c *Ctx, keys [][]byte) ([]*store.Set, error) {
	sets := make([]*store.Set, len(keys))
	for i, k := range keys {
		s, err := setOfEntry(c.DB.Lookup(k))
		if err != nil {
			return nil, err
		}
		sets[i] = s
	}
	return sets, nil
}

// setIntersect calls fn for each member of the intersection of sets (none nil), up to
// limit members (0 for all), iterating the smallest set.
func setIntersect(sets []*store.Set, limit int, fn func(m []byte)) {
	sets = slices.Clone(sets)
	slices.SortStableFunc(sets, func(a, b *store.Set) int { return a.Len() - b.Len() })
	n := 0
	sets[0].Range(func(m []byte) bool {
		for _, o := range sets[1:] {
			if o != sets[0] && !o.Contains(m) {
				return true
			}
		}
		fn(m)
		n++
		return limit == 0 || n < limit
	})
}

// setStoreResult stores a STORE command's result at dst, or deletes dst when the
// result is empty, and replies with its size.
func setStoreResult(c *Ctx, dst []byte, res *store.Entry, ev store.Event) {
	n := res.SetValue().Len()
	if n == 0 {
		c.DB.Delete(dst, store.EvDel)
	} else {
		c.DB.Set(dst, res, ev)
	}
	c.W.Int(int64(n))
}

// setMemberList collects members in one buffer, for replies whose length comes first.
type setMemberList struct {
	buf  []byte
	ends []int
}

func (l *setMemberList) add(m []byte) {
	l.buf = append(l.buf, m...)
	l.ends = append(l.ends, len(l.buf))
}

func (l *setMemberList) slices() [][]byte {
	out := make([][]byte, len(l.ends))
	start := 0
	for i, end := range l.ends {
		out[i] = l.buf[start:end:end]
		start = end
	}
	return out
}

// reply writes the members as a set.
func (l *setMemberList) reply(c *Ctx) {
	c.W.Set(len(l.ends))
	start := 0
	for _, end := range l.ends {
		c.W.Bulk(l.buf[start:end])
		start = end
	}
}

// cmdSInter serves SINTER and SINTERSTORE.
func cmdSInter(c *Ctx) error {
	isStore := c.Spec.Name == "sinterstore"
	sets, err := setOperands(c, isStore)
	if err != nil {
		return err
	}
	empty := slices.Contains(sets, nil)
	if isStore {
		res := store.NewSet()
		if !empty {
			rs, lim := res.SetValue(), c.DB.Limits()
			setIntersect(sets, 0, func(m []byte) { rs.Add(m, lim) })
		}
		setStoreResult(c, c.Args[1], res, evSInterStore)
		return nil
	}
	var out setMemberList
	if !empty {
		setIntersect(sets, 0, out.add)
	}
	out.reply(c)
	return nil
}

func cmdSInterCard(c *Ctx) error {
	n, ok := ParseInt(c.Args[1])
	if !ok || n < 1 {
		return Err("ERR numkeys should be greater than 0")
	}
	if n > int64(len(c.Args)-2) {
		return Err("ERR Number of keys can't be greater than number of args")
	}
	var limit int64
	for i := 2 + int(n); i < len(c.Args); i++ {
		if !c.Is(i, "limit") || i+1 >= len(c.Args) {
			return ErrSyntax
		}
		l, ok := ParseInt(c.Args[i+1])
		if !ok || l < 0 {
			return Err("ERR LIMIT can't be negative")
		}
		limit = l
		i++
	}
	sets, err := setLoadAll(c, c.Args[2:2+n])
	if err != nil {
		return err
	}
	var count int64
	if !slices.Contains(sets, nil) {
		setIntersect(sets, int(min(limit, math.MaxInt32)), func([]byte) { count++ })
	}
	c.W.Int(count)
	return nil
}

// cmdSUnionDiff serves SUNION, SDIFF and their STORE forms. The result is built as a
// set, as Redis does, so an all-integer result comes out in intset order.
func cmdSUnionDiff(c *Ctx) error {
	name := c.Spec.Name
	isStore := name == "sunionstore" || name == "sdiffstore"
	diff := name == "sdiff" || name == "sdiffstore"
	sets, err := setOperands(c, isStore)
	if err != nil {
		return err
	}
	res := store.NewSet()
	rs, lim := res.SetValue(), c.DB.Limits()
	switch {
	case diff && sets[0] != nil:
		sets[0].Range(func(m []byte) bool {
			for _, o := range sets[1:] {
				if o != nil && o.Contains(m) {
					return true
				}
			}
			rs.Add(m, lim)
			return true
		})
	case !diff:
		for _, s := range sets {
			if s != nil {
				s.Range(func(m []byte) bool { rs.Add(m, lim); return true })
			}
		}
	}
	if isStore {
		ev := evSUnionStore
		if diff {
			ev = evSDiffStore
		}
		setStoreResult(c, c.Args[1], res, ev)
		return nil
	}
	c.W.Set(rs.Len())
	rs.Range(func(m []byte) bool { c.W.Bulk(m); return true })
	return nil
}
