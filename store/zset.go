package store

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"unsafe"
)

// This file holds the sorted-set type API; zset_btree.go and zset_dict.go hold the two
// halves of its large encoding.
//
// # Encodings
//
// A small sorted set is "listpack": one []byte of (8-byte score, uvarint length, member)
// records sorted by score then member, searched linearly as Redis's listpack is. It
// converts to "skiplist" (and never back) when a member longer than
// zset-max-listpack-value is added or it grows past zset-max-listpack-entries members,
// exactly when Redis converts. Sets built whole (ZUNIONSTORE, ZRANGESTORE, ...) take the
// encoding their final contents call for, as Redis's do.
//
// The "skiplist" encoding is not a skiplist: it is an order-statistic B+tree of
// (score, member) items for everything positional (rank, score and lex ranges, range
// deletion, random picks, all O(log N)), plus a chained hash table from member to score
// whose hash-ordered buckets give ZSCAN a cursor that never misses a member present for
// the whole scan. Both share each member's bytes. For 1M members like "member:123456"
// with random scores it takes about 93 bytes per member (TestZSetMemory, and the server's
// used_memory delta) where Redis 7.0's skiplist + dict take about 110.
//
// A listpack keeps scores exactly except negative zero, which it stores as 0: Redis's
// listpack keeps scores as text, where "-0" reads back as the integer 0. Sets built by
// ZRANGESTORE mimic Redis's member-by-member inserts (NewZSetAdded) for the same reason.

// ZSet is a sorted-set value. Members passed to callbacks and returned by At alias the
// set's storage: they are valid until the set is next modified and must not be changed.
type ZSet struct {
	lp  []byte // listpack encoding, when big is nil
	n   int    // members in lp
	big *zbig
}

type zbig struct {
	tree btree
	dict *zdict
}

// ZPair is a member and its score, for building a set whole.
type ZPair struct {
	Member string
	Score  float64
}

// ScoreRange is a score interval; MinEx and MaxEx make its ends exclusive.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// LexBound is one end of a lexicographic range: Inf is -1 for "-" (below everything),
// +1 for "+" (above everything), 0 for Value (exclusive when Ex).
type LexBound struct {
	Value []byte
	Ex    bool
	Inf   int
}

// LexRange is a lexicographic interval of members.
type LexRange struct{ Min, Max LexBound }

func init() {
	typeOps[TypeZSet] = valueOps{
		encoding: func(p unsafe.Pointer) string { return (*ZSet)(p).Encoding() },
		clone:    func(p unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer((*ZSet)(p).clone()) },
	}
}

// NewZSet returns an entry holding an empty sorted set (listpack encoded), for the
// caller to fill through Entry.ZSet before storing it with DB.Set.
func NewZSet() *Entry { return newObject(TypeZSet, unsafe.Pointer(&ZSet{})) }

// NewZSetFrom returns an entry holding the given members, which must be distinct. The
// set takes the encoding its contents call for under lim and keeps the member strings:
// they must not alias memory that will change.
func NewZSetFrom(pairs []ZPair, lim *Limits) *Entry {
	z := &ZSet{}
	slices.SortFunc(pairs, func(a, b ZPair) int {
		if zless(zitem{a.Score, a.Member}, zitem{b.Score, b.Member}) {
			return -1
		}
		return 1
	})
	compact := len(pairs) <= int(lim.ZSetMaxListpackEntries.Load())
	maxLen := int(lim.ZSetMaxListpackValue.Load())
	for i := 0; compact && i < len(pairs); i++ {
		compact = len(pairs[i].Member) <= maxLen
	}
	if compact {
		for _, p := range pairs {
			z.lp = lpAppendEntry(z.lp, sbytes(p.Member), p.Score)
		}
		z.n = len(pairs)
	} else {
		items := make([]zitem, len(pairs))
		d := newZDict(len(pairs))
		for i, p := range pairs {
			items[i] = zitem{p.Score, p.Member}
			d.set(p.Member, p.Score)
		}
		z.big = &zbig{tree: buildBTree(items), dict: d}
	}
	return newObject(TypeZSet, unsafe.Pointer(z))
}

// NewZSetAdded is NewZSetFrom for members added one by one, in the given order, to a new
// listpack set: the result is the same except that the members added before the set
// converted lose a negative zero score, as they would in Redis.
func NewZSetAdded(pairs []ZPair, lim *Limits) *Entry {
	entries, value := int(lim.ZSetMaxListpackEntries.Load()), int(lim.ZSetMaxListpackValue.Load())
	for i := range pairs {
		if i+1 > entries || len(pairs[i].Member) > value {
			break
		}
		pairs[i].Score = lpScore(pairs[i].Score)
	}
	return NewZSetFrom(pairs, lim)
}

// ZSet returns the value of a sorted-set entry; the caller has checked Type() == TypeZSet.
func (e *Entry) ZSet() *ZSet { return (*ZSet)(e.ptr) }

// Encoding is OBJECT ENCODING's name for the set: "listpack" or "skiplist".
func (z *ZSet) Encoding() string {
	if z.big != nil {
		return "skiplist"
	}
	return "listpack"
}

// Len returns the number of members.
func (z *ZSet) Len() int {
	if z.big != nil {
		return z.big.dict.live
	}
	return z.n
}

func (z *ZSet) clone() *ZSet {
	if z.big == nil {
		return &ZSet{lp: slices.Clone(z.lp), n: z.n}
	}
	// Member strings are immutable, so the copy shares them.
	d := &zdict{
		buckets: slices.Clone(z.big.dict.buckets),
		entries: slices.Clone(z.big.dict.entries),
		free:    z.big.dict.free,
		live:    z.big.dict.live,
		bits:    z.big.dict.bits,
	}
	return &ZSet{big: &zbig{tree: buildBTree(z.big.tree.all()), dict: d}}
}

func str2(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func sbytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// --- listpack encoding ---

// lpRecord decodes the record of lp at off: its member, score and the next offset.
func lpRecord(lp []byte, off int) (member []byte, score float64, next int) {
	score = math.Float64frombits(binary.LittleEndian.Uint64(lp[off:]))
	s, e := off+9, off+9+int(lp[off+8])
	if lp[off+8] >= 0x80 { // members of 128 bytes or more: a longer length
		l, k := binary.Uvarint(lp[off+8:])
		s = off + 8 + k
		e = s + int(l)
	}
	return lp[s:e:e], score, e
}

// lpScore is how a listpack keeps a score: Redis's listpack stores it as text, where
// "-0" reads back as the integer 0, so negative zero does not survive (a skiplist keeps it).
func lpScore(s float64) float64 {
	if s == 0 {
		return 0
	}
	return s
}

func lpAppendEntry(lp []byte, member []byte, score float64) []byte {
	score = lpScore(score)
	lp = binary.LittleEndian.AppendUint64(lp, math.Float64bits(score))
	lp = binary.AppendUvarint(lp, uint64(len(member)))
	return append(lp, member...)
}

// lpFind locates member: its record's offsets, score and rank.
func (z *ZSet) lpFind(member []byte) (off, next int, score float64, rank int, ok bool) {
	for off, rank = 0, 0; off < len(z.lp); off, rank = next, rank+1 {
		var m []byte
		m, score, next = lpRecord(z.lp, off)
		if bytes.Equal(m, member) {
			return off, next, score, rank, true
		}
	}
	return 0, 0, 0, 0, false
}

// lpOffsets appends the offset of every record, and len(lp), to buf.
func (z *ZSet) lpOffsets(buf []int) []int {
	for off := 0; off < len(z.lp); {
		buf = append(buf, off)
		_, _, off = lpRecord(z.lp, off)
	}
	return append(buf, len(z.lp))
}

func (z *ZSet) lpInsert(member []byte, score float64) {
	score = lpScore(score)
	it := zitem{score, str2(member)}
	off := 0
	for off < len(z.lp) {
		m, s, next := lpRecord(z.lp, off)
		if zless(it, zitem{s, str2(m)}) {
			break
		}
		off = next
	}
	var rec [8 + binary.MaxVarintLen64]byte
	binary.LittleEndian.PutUint64(rec[:8], math.Float64bits(score))
	head := rec[:8+binary.PutUvarint(rec[8:], uint64(len(member)))]
	need := len(head) + len(member)
	if len(z.lp)+need > cap(z.lp) {
		grown := make([]byte, len(z.lp), len(z.lp)+need+len(z.lp)/4)
		copy(grown, z.lp)
		z.lp = grown
	}
	z.lp = z.lp[:len(z.lp)+need]
	copy(z.lp[off+need:], z.lp[off:])
	copy(z.lp[off:], head)
	copy(z.lp[off+len(head):], member)
	z.n++
}

// lpCut removes the bytes [from, to) holding k records.
func (z *ZSet) lpCut(from, to, k int) {
	z.lp = append(z.lp[:from], z.lp[to:]...)
	z.n -= k
	if z.n == 0 {
		z.lp = nil
	} else if cap(z.lp) > 2*len(z.lp)+64 {
		z.lp = slices.Clip(slices.Clone(z.lp))
	}
}

func (z *ZSet) toBig() {
	items := make([]zitem, 0, z.n)
	d := newZDict(z.n + 1)
	for off := 0; off < len(z.lp); {
		m, s, next := lpRecord(z.lp, off)
		member := string(m)
		items = append(items, zitem{s, member})
		d.set(member, s)
		off = next
	}
	z.big = &zbig{tree: buildBTree(items), dict: d}
	z.lp, z.n = nil, 0
}

// --- the type API ---

// Score returns member's score.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.big != nil {
		return z.big.dict.get(str2(member))
	}
	_, _, s, _, ok := z.lpFind(member)
	return s, ok
}

// Add sets member's score, adding it if new (and then reporting true). A new member
// converts a listpack past lim's thresholds first.
func (z *ZSet) Add(member []byte, score float64, lim *Limits) bool {
	if z.big == nil {
		off, next, old, _, ok := z.lpFind(member)
		if ok {
			if old != score {
				z.lpCut(off, next, 1)
				z.lpInsert(member, score)
			}
			return false
		}
		if z.n+1 <= int(lim.ZSetMaxListpackEntries.Load()) && len(member) <= int(lim.ZSetMaxListpackValue.Load()) {
			z.lpInsert(member, score)
			return true
		}
		z.toBig()
	}
	d := z.big.dict
	h := zhash(str2(member))
	if i := d.find(str2(member), h); i >= 0 {
		e := &d.entries[i]
		if e.score != score {
			z.big.tree.remove(zitem{e.score, e.member})
			z.big.tree.insert(zitem{score, e.member})
			e.score = score
		}
		return false
	}
	m := string(member)
	d.add(m, h, score)
	z.big.tree.insert(zitem{score, m})
	return true
}

// Remove deletes member and reports whether it was there.
func (z *ZSet) Remove(member []byte) bool {
	if z.big == nil {
		off, next, _, _, ok := z.lpFind(member)
		if ok {
			z.lpCut(off, next, 1)
		}
		return ok
	}
	d := z.big.dict
	i := d.find(str2(member), zhash(str2(member)))
	if i < 0 {
		return false
	}
	e := d.entries[i]
	z.big.tree.remove(zitem{e.score, e.member})
	d.del(e.member)
	return true
}

// Rank returns member's 0-based position in ascending order, and its score.
func (z *ZSet) Rank(member []byte) (rank int, score float64, ok bool) {
	if z.big == nil {
		_, _, score, rank, ok = z.lpFind(member)
		return
	}
	score, ok = z.big.dict.get(str2(member))
	if !ok {
		return 0, 0, false
	}
	return z.big.tree.rank(zitem{score, str2(member)}), score, true
}

// search returns the rank of the first member for which pred holds (Len if none);
// pred must be false, then true, along the set's order.
func (z *ZSet) search(pred func(member []byte, score float64) bool) int {
	if z.big != nil {
		return z.big.tree.search(func(it zitem) bool { return pred(sbytes(it.member), it.score) })
	}
	rank := 0
	for off := 0; off < len(z.lp); rank++ {
		m, s, next := lpRecord(z.lp, off)
		if pred(m, s) {
			break
		}
		off = next
	}
	return rank
}

// ScoreRange returns the ranks [start, end) of the members whose score is in r.
func (z *ZSet) ScoreRange(r ScoreRange) (start, end int) {
	start = z.search(func(_ []byte, s float64) bool { return s > r.Min || (!r.MinEx && s == r.Min) })
	end = z.search(func(_ []byte, s float64) bool { return s > r.Max || (r.MaxEx && s == r.Max) })
	return start, max(start, end)
}

// lexAbove reports whether m is past bound b seen as a lower bound (true: m is in the
// range as far as b is concerned).
func lexGEMin(m []byte, b LexBound) bool {
	switch b.Inf {
	case -1:
		return true
	case 1:
		return false
	}
	c := bytes.Compare(m, b.Value)
	return c > 0 || (c == 0 && !b.Ex)
}

// lexAboveMax reports whether m is beyond upper bound b.
func lexAboveMax(m []byte, b LexBound) bool {
	switch b.Inf {
	case -1:
		return true
	case 1:
		return false
	}
	c := bytes.Compare(m, b.Value)
	return c > 0 || (c == 0 && b.Ex)
}

// LexRange returns the ranks [start, end) of the members in r. As in Redis, the answer
// is only meaningful when all members have the same score.
func (z *ZSet) LexRange(r LexRange) (start, end int) {
	start = z.search(func(m []byte, _ float64) bool { return lexGEMin(m, r.Min) })
	end = z.search(func(m []byte, _ float64) bool { return lexAboveMax(m, r.Max) })
	return start, max(start, end)
}

// Range calls fn for the members of rank start to end-1, from start upwards, or from
// end-1 downwards when rev is set, until fn returns false.
func (z *ZSet) Range(start, end int, rev bool, fn func(member []byte, score float64) bool) {
	start, end = max(start, 0), min(end, z.Len())
	if start >= end {
		return
	}
	if z.big != nil {
		k := end - start
		visit := func(it zitem) bool {
			k--
			return fn(sbytes(it.member), it.score) && k > 0
		}
		if rev {
			z.big.tree.descend(end-1, visit)
		} else {
			z.big.tree.ascend(start, visit)
		}
		return
	}
	if !rev {
		rank := 0
		for off := 0; off < len(z.lp) && rank < end; rank++ {
			m, s, next := lpRecord(z.lp, off)
			if rank >= start && !fn(m, s) {
				return
			}
			off = next
		}
		return
	}
	var buf [130]int
	offs := z.lpOffsets(buf[:0])
	for i := end - 1; i >= start; i-- {
		m, s, _ := lpRecord(z.lp, offs[i])
		if !fn(m, s) {
			return
		}
	}
}

// At returns the member of the given rank (0 <= rank < Len) and its score.
func (z *ZSet) At(rank int) ([]byte, float64) {
	if z.big != nil {
		n, i := z.big.tree.at(rank)
		return sbytes(n.items[i].member), n.items[i].score
	}
	var m []byte
	var s float64
	z.Range(rank, rank+1, false, func(member []byte, score float64) bool {
		m, s = member, score
		return false
	})
	return m, s
}

// RemoveRange deletes the members of rank start to end-1 and returns how many it removed.
func (z *ZSet) RemoveRange(start, end int) int {
	start, end = max(start, 0), min(end, z.Len())
	if start >= end {
		return 0
	}
	k := end - start
	if z.big == nil {
		var buf [130]int
		offs := z.lpOffsets(buf[:0])
		z.lpCut(offs[start], offs[end], k)
		return k
	}
	b := z.big
	if k*4 > b.tree.len() {
		all := b.tree.all()
		for _, it := range all[start:end] {
			b.dict.del(it.member)
		}
		all = append(all[:start], all[end:]...)
		b.tree = buildBTree(all)
		return k
	}
	gone := make([]zitem, 0, k)
	b.tree.ascend(start, func(it zitem) bool {
		gone = append(gone, it)
		return len(gone) < k
	})
	for _, it := range gone {
		b.tree.remove(it)
		b.dict.del(it.member)
	}
	return k
}

// RandomRepeat calls fn count times with a member picked uniformly at random each time
// (ZRANDMEMBER with a negative count). The set must not be empty.
func (z *ZSet) RandomRepeat(count int, fn func(member []byte, score float64)) {
	if z.big != nil {
		for range count {
			fn(z.At(rand.IntN(z.Len())))
		}
		return
	}
	var buf [130]int
	offs := z.lpOffsets(buf[:0])
	for range count {
		m, s, _ := lpRecord(z.lp, offs[rand.IntN(z.n)])
		fn(m, s)
	}
}

// RandomDistinct calls fn with count distinct members picked at random, in random
// order; count must be less than Len.
func (z *ZSet) RandomDistinct(count int, fn func(member []byte, score float64)) {
	n := z.Len()
	if count*3 > n {
		// Most of the set: shuffle a list of all ranks and take a prefix.
		ranks := make([]int32, n)
		for i := range ranks {
			ranks[i] = int32(i)
		}
		for i := range count {
			j := i + rand.IntN(n-i)
			ranks[i], ranks[j] = ranks[j], ranks[i]
		}
		if z.big == nil {
			offs := z.lpOffsets(make([]int, 0, n+1))
			for _, r := range ranks[:count] {
				m, s, _ := lpRecord(z.lp, offs[r])
				fn(m, s)
			}
			return
		}
		for _, r := range ranks[:count] {
			fn(z.At(int(r)))
		}
		return
	}
	seen := make(map[int]struct{}, count)
	for len(seen) < count {
		r := rand.IntN(n)
		if _, dup := seen[r]; dup {
			continue
		}
		seen[r] = struct{}{}
		fn(z.At(r))
	}
}

// Scan calls fn for about count members at or after cursor and returns the cursor to
// continue from, 0 when done. A listpack returns every member in one call, as Redis does.
func (z *ZSet) Scan(cursor uint64, count int, fn func(member []byte, score float64)) uint64 {
	if z.big == nil {
		z.Range(0, z.n, false, func(m []byte, s float64) bool {
			fn(m, s)
			return true
		})
		return 0
	}
	return z.big.dict.scan(cursor, count, func(m string, s float64) { fn(sbytes(m), s) })
}
