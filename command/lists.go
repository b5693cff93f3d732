package command

import (
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

var (
	evLPush   = store.Event{Class: store.ClassList, Name: "lpush"}
	evRPush   = store.Event{Class: store.ClassList, Name: "rpush"}
	evLPop    = store.Event{Class: store.ClassList, Name: "lpop"}
	evRPop    = store.Event{Class: store.ClassList, Name: "rpop"}
	evLInsert = store.Event{Class: store.ClassList, Name: "linsert"}
	evLSet    = store.Event{Class: store.ClassList, Name: "lset"}
	evLRem    = store.Event{Class: store.ClassList, Name: "lrem"}
	evLTrim   = store.Event{Class: store.ClassList, Name: "ltrim"}
)

var (
	errListCountRange error = Err("ERR value is out of range, must be positive")
	errListIndex      error = Err("ERR index out of range")
	errListNoKey      error = Err(resp.ErrNoSuchKey)
	errLPosRank       error = Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
	errLPosCount      error = Err("ERR COUNT can't be negative")
	errLPosMaxLen     error = Err("ERR MAXLEN can't be negative")
	listPushFlags           = Write | DenyOOM | Fast
	listBlockingMove        = Write | DenyOOM | NoScript | Blocking
)

// ListCommands are the list family's rows.
var ListCommands = []*Spec{
	{Name: "lpush", Arity: -3, Flags: listPushFlags, Cat: CatList, Do: cmdListPush},
	{Name: "rpush", Arity: -3, Flags: listPushFlags, Cat: CatList, Do: cmdListPush},
	{Name: "lpushx", Arity: -3, Flags: listPushFlags, Cat: CatList, Do: cmdListPush},
	{Name: "rpushx", Arity: -3, Flags: listPushFlags, Cat: CatList, Do: cmdListPush},
	{Name: "lpop", Arity: -2, Flags: Write | Fast, Cat: CatList, Do: cmdListPop},
	{Name: "rpop", Arity: -2, Flags: Write | Fast, Cat: CatList, Do: cmdListPop},
	{Name: "llen", Arity: 2, Flags: ReadOnly | Fast, Cat: CatList, Do: cmdLen},
	{Name: "lrange", Arity: 4, Flags: ReadOnly, Cat: CatList, Do: cmdLRange},
	{Name: "lindex", Arity: 3, Flags: ReadOnly, Cat: CatList, Do: cmdLIndex},
	{Name: "lset", Arity: 4, Flags: Write | DenyOOM, Cat: CatList, Do: cmdLSet},
	{Name: "linsert", Arity: 5, Flags: Write | DenyOOM, Cat: CatList, Do: cmdLInsert},
	{Name: "lrem", Arity: 4, Flags: Write, Cat: CatList, Do: cmdLRem},
	{Name: "ltrim", Arity: 4, Flags: Write, Cat: CatList, Do: cmdLTrim},
	{Name: "lpos", Arity: -3, Flags: ReadOnly, Cat: CatList, Do: cmdLPos},
	{Name: "lmove", Arity: 5, Flags: Write | DenyOOM, Cat: CatList, Do: cmdLMove},
	{Name: "rpoplpush", Arity: 3, Flags: Write | DenyOOM, Cat: CatList, Do: cmdLMove},
	{Name: "lmpop", Arity: -4, Flags: Write, Cat: CatList, Do: cmdLMPop},
	{Name: "blpop", Arity: -3, Flags: Write | NoScript | Blocking, Cat: CatList, Do: cmdBListPop},
	{Name: "brpop", Arity: -3, Flags: Write | NoScript | Blocking, Cat: CatList, Do: cmdBListPop},
	{Name: "blmove", Arity: 6, Flags: listBlockingMove, Cat: CatList, Do: cmdBLMove},
	{Name: "brpoplpush", Arity: 4, Flags: listBlockingMove, Cat: CatList, Do: cmdBLMove},
	{Name: "blmpop", Arity: -5, Flags: Write | Blocking, Cat: CatList, Do: cmdLMPop},
}

// lookupList finds a list key for reading: nil if missing, WRONGTYPE if not a list.
func lookupList(db *store.DB, key []byte) (*store.List, error) {
	return valueOf(db.Lookup(key), store.TypeList, (*store.Entry).List)
}

// writeList finds a list key the caller will change.
func writeList(db *store.DB, key []byte) (*store.List, error) {
	return valueOf(db.LookupWrite(key), store.TypeList, (*store.Entry).List)
}

// newList returns an empty list shaped by the current list-max-listpack-size.
func newList(db *store.DB) *store.List {
	return store.NewList(db.Limits().ListMaxListpackSize.Load())
}

func listPushEvent(front bool) store.Event {
	if front {
		return evLPush
	}
	return evRPush
}

func listPopEvent(front bool) store.Event {
	if front {
		return evLPop
	}
	return evRPop
}

// parseListSide reads LEFT or RIGHT: true for LEFT (the head).
func parseListSide(c *Ctx, i int) (bool, error) {
	switch {
	case c.Is(i, "left"):
		return true, nil
	case c.Is(i, "right"):
		return false, nil
	}
	return false, ErrSyntax
}

// servedPop is the count of changes of the one element BLPOP, BRPOP, BLMOVE or
// BRPOPLPUSH pops (and LMOVE, RPOPLPUSH): one, but none when the pop serves a client
// that was blocked, as Redis counts it.
func servedPop(c *Ctx) int64 {
	if c.ReadyKey != nil {
		return 0
	}
	return 1
}

// listPopped reports n elements popped from the front or back of the list at key, and
// deletes the key when the list became empty.
func listPopped(c *Ctx, key []byte, l *store.List, front bool, n int64) {
	c.DB.ChangedN(key, listPopEvent(front), n)
	if l.Len() == 0 {
		c.DB.DeleteN(key, store.EvDel, 0)
	}
}

// LPUSH, RPUSH, LPUSHX, RPUSHX key element [element ...]
func cmdListPush(c *Ctx) error {
	name := c.Spec.Name
	front, onlyExisting := name[0] == 'l', name[len(name)-1] == 'x'
	key := c.Args[1]
	l, err := writeList(c.DB, key)
	if err != nil {
		return err
	}
	if l == nil {
		if onlyExisting {
			c.W.Int(0)
			return nil
		}
		l = newList(c.DB)
		for _, v := range c.Args[2:] {
			l.Push(v, front)
		}
		c.DB.SetN(key, store.NewListEntry(l), listPushEvent(front), int64(len(c.Args)-2))
	} else {
		for _, v := range c.Args[2:] {
			l.Push(v, front)
		}
		c.DB.ChangedN(key, listPushEvent(front), int64(len(c.Args)-2))
	}
	c.W.Int(int64(l.Len()))
	return nil
}

// LPOP, RPOP key [count]
func cmdListPop(c *Ctx) error {
	if len(c.Args) > 3 {
		return arityError(c.Spec)
	}
	front := c.Spec.Name[0] == 'l'
	withCount := len(c.Args) == 3
	var count int64
	if withCount {
		n, ok := ParseInt(c.Args[2])
		if !ok || n < 0 {
			return errListCountRange
		}
		count = n
	}
	key := c.Args[1]
	l, err := writeList(c.DB, key)
	if err != nil {
		return err
	}
	switch {
	case l == nil && withCount:
		c.W.NullArray()
		return nil
	case l == nil:
		c.W.Null()
		return nil
	case withCount && count == 0:
		c.W.Array(0)
		return nil
	case !withCount:
		v, _ := l.Pop(front)
		c.W.Bulk(v)
		count = 1
	default:
		n := int(min(count, int64(l.Len())))
		c.W.Array(n)
		for i := 0; i < n; i++ {
			v, _ := l.Pop(front)
			c.W.Bulk(v)
		}
		count = int64(n)
	}
	listPopped(c, key, l, front, count)
	return nil
}

// listRange normalises a LRANGE/LTRIM range to [start, end] within a list of n
// elements; ok is false when the range is empty.
func listRange(start, end int64, n int) (int, int, bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= ln {
		return 0, 0, false
	}
	if end >= ln {
		end = ln - 1
	}
	return int(start), int(end), true
}

// LRANGE key start stop
func cmdLRange(c *Ctx) error {
	start, end, err := c.IntPair(2)
	if err != nil {
		return err
	}
	l, err := lookupList(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if l == nil {
		c.W.Array(0)
		return nil
	}
	s, e, ok := listRange(start, end, l.Len())
	if !ok {
		c.W.Array(0)
		return nil
	}
	c.W.Array(e - s + 1)
	it := l.Iter(s, false)
	for i := s; i <= e; i++ {
		v, _ := it.Next()
		c.W.Bulk(v)
	}
	return nil
}

// LINDEX key index
func cmdLIndex(c *Ctx) error {
	l, err := lookupList(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if l == nil {
		c.W.Null()
		return nil
	}
	i, err := c.Int(2)
	if err != nil {
		return err
	}
	v, ok := listIndex(l, i)
	if !ok {
		c.W.Null()
		return nil
	}
	c.W.Bulk(v)
	return nil
}

// listIndex is List.Index for an index of any size.
func listIndex(l *store.List, i int64) ([]byte, bool) {
	if i < -int64(l.Len()) || i >= int64(l.Len()) {
		return nil, false
	}
	return l.Index(int(i))
}

// LSET key index element
func cmdLSet(c *Ctx) error {
	key := c.Args[1]
	l, err := writeList(c.DB, key)
	if err != nil {
		return err
	}
	if l == nil {
		return errListNoKey
	}
	i, err := c.Int(2)
	if err != nil {
		return err
	}
	if i < -int64(l.Len()) || i >= int64(l.Len()) || !l.Set(int(i), c.Args[3]) {
		return errListIndex
	}
	c.DB.Changed(key, evLSet)
	c.W.OK()
	return nil
}

// LINSERT key BEFORE|AFTER pivot element
func cmdLInsert(c *Ctx) error {
	var after bool
	switch {
	case c.Is(2, "after"):
		after = true
	case c.Is(2, "before"):
	default:
		return ErrSyntax
	}
	key := c.Args[1]
	l, err := writeList(c.DB, key)
	if err != nil {
		return err
	}
	if l == nil {
		c.W.Int(0)
		return nil
	}
	if !l.Insert(c.Args[3], c.Args[4], after) {
		c.W.Int(-1)
		return nil
	}
	c.DB.Changed(key, evLInsert)
	c.W.Int(int64(l.Len()))
	return nil
}

// LREM key count element
func cmdLRem(c *Ctx) error {
	count, err := c.Int(2)
	if err != nil {
		return err
	}
	key := c.Args[1]
	l, err := writeList(c.DB, key)
	if err != nil {
		return err
	}
	if l == nil {
		c.W.Int(0)
		return nil
	}
	// Clamp count to the length: that removes the same elements and fits an int.
	if n := int64(l.Len()); count > n {
		count = n
	} else if count < -n {
		count = -n
	}
	removed := l.Remove(c.Args[3], int(count))
	if removed > 0 {
		c.DB.ChangedN(key, evLRem, int64(removed))
		if l.Len() == 0 {
			c.DB.DeleteN(key, store.EvDel, 0)
		}
	}
	c.W.Int(int64(removed))
	return nil
}

// LTRIM key start stop
func cmdLTrim(c *Ctx) error {
	start, end, err := c.IntPair(2)
	if err != nil {
		return err
	}
	key := c.Args[1]
	l, err := writeList(c.DB, key)
	if err != nil {
		return err
	}
	if l == nil {
		c.W.OK()
		return nil
	}
	before := l.Len()
	if s, e, ok := listRange(start, end, l.Len()); ok {
		l.Trim(s, e)
	} else {
		l.DeleteRange(0, l.Len())
	}
	c.DB.ChangedN(key, evLTrim, int64(before-l.Len()))
	if l.Len() == 0 {
		c.DB.DeleteN(key, store.EvDel, 0)
	}
	c.W.OK()
	return nil
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLPos(c *Ctx) error {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for i := 3; i < len(c.Args); i++ {
		more := i+1 < len(c.Args)
		switch {
		case c.Is(i, "rank") && more:
			i++
			n, err := c.Int(i)
			if err != nil {
				return err
			}
			if n == 0 {
				return errLPosRank
			}
			rank = n
		case c.Is(i, "count") && more:
			i++
			n, ok := ParseInt(c.Args[i])
			if !ok || n < 0 {
				return errLPosCount
			}
			count = n
		case c.Is(i, "maxlen") && more:
			i++
			n, ok := ParseInt(c.Args[i])
			if !ok || n < 0 {
				return errLPosMaxLen
			}
			maxlen = n
		default:
			return ErrSyntax
		}
	}
	// A negative rank searches from the tail. Redis negates it in a C long, so
	// LLONG_MIN stays negative (and then every match qualifies): int64 wraps the same.
	reverse := rank < 0
	if reverse {
		rank = -rank
	}
	l, err := lookupList(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if l == nil {
		if count != -1 {
			c.W.Array(0)
		} else {
			c.W.Null()
		}
		return nil
	}
	n := int64(l.Len())
	start := 0
	if reverse {
		start = int(n - 1)
	}
	it := l.Iter(start, reverse)
	var matches []int64
	var matched, index int64
	found := int64(-1)
	elem := c.Args[2]
	for v, ok := it.Next(); ok && (maxlen == 0 || index < maxlen); v, ok = it.Next() {
		if string(v) == string(elem) {
			matched++
			pos := index
			if reverse {
				pos = n - index - 1
			}
			if matched >= rank {
				if count == -1 {
					found = pos
					break
				}
				matches = append(matches, pos)
				if count != 0 && matched-rank+1 >= count {
					break
				}
			}
		}
		index++
	}
	if count != -1 {
		c.W.Array(len(matches))
		for _, m := range matches {
			c.W.Int(m)
		}
		return nil
	}
	if found < 0 {
		c.W.Null()
		return nil
	}
	c.W.Int(found)
	return nil
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT, RPOPLPUSH source destination
func cmdLMove(c *Ctx) error {
	from, to, err := parseMoveSides(c, c.Spec.Name == "lmove")
	if err != nil {
		return err
	}
	return listMove(c, from, to)
}

// parseMoveSides reads the LEFT|RIGHT LEFT|RIGHT of LMOVE and BLMOVE (explicit) at
// arguments 3 and 4; RPOPLPUSH and BRPOPLPUSH move from the tail to the head.
func parseMoveSides(c *Ctx, explicit bool) (from, to bool, err error) {
	if !explicit {
		return false, true, nil
	}
	if from, err = parseListSide(c, 3); err != nil {
		return false, false, err
	}
	to, err = parseListSide(c, 4)
	return from, to, err
}

// listMove pops from the source's head (from) or tail and pushes onto the destination's
// head (to) or tail, replying with the element; a missing source replies null.
func listMove(c *Ctx, from, to bool) error {
	src, dst := c.Args[1], c.Args[2]
	sl, err := writeList(c.DB, src)
	if err != nil {
		return err
	}
	if sl == nil {
		c.W.Null()
		return nil
	}
	dl, err := writeList(c.DB, dst)
	if err != nil {
		return err
	}
	v, _ := sl.Pop(from)
	// Redis counts the move as one change: the pop's.
	if dl == nil {
		dl = newList(c.DB)
		dl.Push(v, to)
		c.DB.SetN(dst, store.NewListEntry(dl), listPushEvent(to), 0)
	} else {
		dl.Push(v, to)
		c.DB.ChangedN(dst, listPushEvent(to), 0)
	}
	c.W.Bulk(v)
	listPopped(c, src, sl, from, servedPop(c))
	return nil
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout,
// BRPOPLPUSH source destination timeout
func cmdBLMove(c *Ctx) error {
	from, to, err := parseMoveSides(c, c.Spec.Name == "blmove")
	if err != nil {
		return err
	}
	deadline, err := c.Deadline(len(c.Args) - 1)
	if err != nil {
		return err
	}
	sl, err := writeList(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if sl == nil {
		// Redis answers a BLMOVE that cannot block (MULTI) with a null bulk string, but
		// one that timed out (or was unblocked) with a null array, as every list pop.
		if c.NoBlock {
			c.W.Null()
			return nil
		}
		return c.Block(c.Args[1:2], deadline, NullArrayReply)
	}
	if len(c.Args) == 6 { // replays as the command that does not block
		c.Propagate(wordLMove, c.Args[1], c.Args[2], c.Args[3], c.Args[4])
	} else {
		c.Propagate(wordRPopLPush, c.Args[1], c.Args[2])
	}
	return listMove(c, from, to)
}

// listPopWord is the command that pops from the head (front) or the tail.
func listPopWord(front bool) []byte {
	if front {
		return wordLPop
	}
	return wordRPop
}

// BLPOP, BRPOP key [key ...] timeout
func cmdBListPop(c *Ctx) error {
	front := c.Spec.Name[1] == 'l'
	last := len(c.Args) - 1
	deadline, err := c.Deadline(last)
	if err != nil {
		return err
	}
	return c.popFirst(c.Args[1:last], true, deadline, func(key []byte) (bool, error) {
		l, err := writeList(c.DB, key)
		if l == nil {
			return false, err
		}
		v, _ := l.Pop(front)
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Bulk(v)
		listPopped(c, key, l, front, servedPop(c))
		c.Propagate(listPopWord(front), key)
		return true, nil
	})
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count],
// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func cmdLMPop(c *Ctx) error {
	a, err := parseMPop(c, c.Spec.Name == "blmpop", "left", "right")
	if err != nil {
		return err
	}
	front := !a.second
	return c.popFirst(a.keys, a.blocking, a.deadline, func(key []byte) (bool, error) {
		l, err := writeList(c.DB, key)
		if l == nil {
			return false, err
		}
		n := int(min(a.count, int64(l.Len())))
		c.W.Array(2)
		c.W.Bulk(key)
		c.W.Array(n)
		for i := 0; i < n; i++ {
			v, _ := l.Pop(front)
			c.W.Bulk(v)
		}
		listPopped(c, key, l, front, int64(n))
		if c.Propagating {
			c.Propagate(listPopWord(front), key, AppendInt(nil, int64(n)))
		}
		return true, nil
	})
}
