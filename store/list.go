package store

import (
	"bytes"
	"encoding/binary"
	"unsafe"
)

// The list type.
//
// A List is a deque of nodes, each node one byte buffer of packed elements, in the
// spirit of Redis's quicklist of listpacks (but its own format). An element is
//
//	uvarint(len) | bytes | rvarint(len)
//
// where rvarint is the same length written so that it reads from right to left (the
// low 7 bits in the last byte, a continuation bit on every byte but the leftmost), so
// a node can be walked from either end. An element of up to 127 bytes costs 2 bytes of
// framing, as in a listpack.
//
//	List.nodes: [ . . | node | node | node | . . ]     (live nodes in nodes[lo:hi])
//	node.buf:   [ . . | e0 | e1 | ... | en | . . ]     (live bytes in buf[lo:hi])
//
// Both the node deque and each node's buffer keep their free space on either side,
// so pushes and pops at both ends are amortised O(1) and only touch the end nodes.
// A node grows until list-max-listpack-size says it is full (a negative size is a
// byte limit of 4 KB to 64 KB, a positive one an element count within an 8 KB safety
// limit, as Redis 7.0 decides quicklist node fill); when a push opens a new node, the
// full one is trimmed to its exact size, so a long list costs little more than its
// packed bytes. Index access walks the (contiguous) node array by counts, then one
// node, from whichever end is nearer. Deletions in the middle merge neighbouring
// nodes that fit together again.
//
// Redis 7.0 reports every list as "quicklist" (the listpack encoding of small lists
// came in 7.2), so OBJECT ENCODING does too.
type List struct {
	nodes  []lnode // live nodes are nodes[lo:hi]
	lo, hi int
	length int
	fill   int // list-max-listpack-size at creation, clamped to [-5, 32767]
}

type lnode struct {
	buf    []byte // len(buf) == cap(buf); live bytes are buf[lo:hi]
	lo, hi int
	n      int // elements
}

const (
	listSafetyLimit = 8192 // node byte limit when the fill is an element count
	listFillMax     = 1<<15 - 1
	listFirstNode   = 16 // smallest buffer of a fresh node (bytes)
)

func init() {
	typeOps[TypeList] = valueOps{
		encoding: func(unsafe.Pointer) string { return "quicklist" },
		clone:    func(p unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer((*List)(p).Clone()) },
	}
}

// NewList returns an empty list whose nodes are filled as list-max-listpack-size fill
// says (the value of Limits.ListMaxListpackSize when the key is created).
func NewList(fill int64) *List {
	switch {
	case fill < -5:
		fill = -5
	case fill > listFillMax:
		fill = listFillMax
	}
	return &List{fill: int(fill)}
}

// NewListEntry wraps l in an entry, ready for DB.Set. An empty list must not be stored.
func NewListEntry(l *List) *Entry { return newObject(TypeList, unsafe.Pointer(l)) }

// List returns a list value, or nil if the entry holds another type.
func (e *Entry) List() *List {
	if e.typ != TypeList {
		return nil
	}
	return (*List)(e.ptr)
}

// Len returns the number of elements.
func (l *List) Len() int { return l.length }

// --- element framing ---

func uvarintLen(n int) int {
	k := 1
	for n >= 0x80 {
		n >>= 7
		k++
	}
	return k
}

// elemSize is the bytes an element of n bytes takes in a node.
func elemSize(n int) int { return n + 2*uvarintLen(n) }

// putElem writes v framed at dst, which has exactly elemSize(len(v)) bytes.
func putElem(dst, v []byte) {
	n := len(v)
	k := binary.PutUvarint(dst, uint64(n))
	copy(dst[k:], v)
	tail := dst[k+n : k+n+k]
	for j := k - 1; j >= 0; j-- {
		b := byte(n & 0x7f)
		n >>= 7
		if j > 0 {
			b |= 0x80
		}
		tail[j] = b
	}
}

// at decodes the element starting at off; it returns its bytes and the next offset.
func (nd *lnode) at(off int) ([]byte, int) {
	var n, k int
	if b := nd.buf[off]; b < 0x80 {
		n, k = int(b), 1
	} else {
		u, kk := binary.Uvarint(nd.buf[off:])
		n, k = int(u), kk
	}
	s := off + k
	return nd.buf[s : s+n : s+n], s + n + k
}

// before decodes the element ending at end; it returns its bytes and its start offset.
func (nd *lnode) before(end int) ([]byte, int) {
	n, k := 0, 0
	for shift := 0; ; shift += 7 {
		k++
		b := nd.buf[end-k]
		n |= int(b&0x7f) << shift
		if b&0x80 == 0 {
			break
		}
	}
	e := end - k
	s := e - n
	return nd.buf[s:e:e], s - k
}

func (nd *lnode) size() int { return nd.hi - nd.lo }

// offsetOf returns the start of element i of the node (i == n gives hi).
func (nd *lnode) offsetOf(i int) int {
	if i <= nd.n/2 {
		off := nd.lo
		for ; i > 0; i-- {
			_, off = nd.at(off)
		}
		return off
	}
	off := nd.hi
	for j := nd.n; j > i; j-- {
		_, off = nd.before(off)
	}
	return off
}

// --- node buffer management ---

// allocBuf returns a zeroed buffer of at least n bytes, using all of the allocation.
func allocBuf(n int) []byte {
	b := append([]byte(nil), make([]byte, n)...)
	return b[:cap(b)]
}

// makeGap opens need bytes at offset at (lo <= at <= hi) and returns the gap's start;
// the node's other bytes may move. limit caps the growth of the buffer.
func (nd *lnode) makeGap(at, need, limit int) int {
	switch {
	case at == nd.hi && len(nd.buf)-nd.hi >= need:
		nd.hi += need
		return at
	case at == nd.lo && nd.lo >= need:
		nd.lo -= need
		return nd.lo
	}
	used := nd.size()
	free := len(nd.buf) - used
	if free < need {
		want := used + need
		c := want + want/2
		if want <= limit && c > limit {
			c = limit
		}
		if c < listFirstNode {
			c = listFirstNode
		}
		nb := allocBuf(c)
		extra := len(nb) - want
		front := extra / 2
		switch at {
		case nd.hi:
			front = 0
		case nd.lo:
			front = extra
		}
		copy(nb[front:], nd.buf[nd.lo:at])
		gap := front + at - nd.lo
		copy(nb[gap+need:], nd.buf[at:nd.hi])
		nd.buf, nd.lo, nd.hi = nb, front, front+want
		return gap
	}
	// Room enough in the buffer: re-centre the bytes around the gap.
	extra := free - need
	front := extra / 2
	switch at {
	case nd.hi:
		front = extra / 4
	case nd.lo:
		front = extra - extra/4
	}
	dl := front - nd.lo // shift of the bytes left of the gap; the right part moves dl+need
	left, right := nd.buf[nd.lo:at], nd.buf[at:nd.hi]
	if dl > 0 {
		copy(nd.buf[at+dl+need:], right)
		copy(nd.buf[front:], left)
	} else {
		copy(nd.buf[front:], left)
		copy(nd.buf[at+dl+need:], right)
	}
	nd.lo, nd.hi = front, front+used+need
	return at + dl
}

// closeGap removes the bytes [at, at+size) and returns the offset where the bytes that
// followed them now start.
func (nd *lnode) closeGap(at, size int) int {
	if at-nd.lo < nd.hi-at-size {
		copy(nd.buf[nd.lo+size:], nd.buf[nd.lo:at])
		nd.lo += size
		return at + size
	}
	copy(nd.buf[at:], nd.buf[at+size:nd.hi])
	nd.hi -= size
	return at
}

// trim gives back a buffer's free space once the node is unlikely to grow further.
func (nd *lnode) trim() {
	used := nd.size()
	if len(nd.buf)-used <= used/16+16 {
		return
	}
	nb := allocBuf(used)
	copy(nb, nd.buf[nd.lo:nd.hi])
	nd.buf, nd.lo, nd.hi = nb, 0, used
}

// --- fill rules ---

// fillMargin makes a node's byte limit Redis's: Redis admits an element while the
// listpack's bytes (its 7-byte header included), the element's length and 8 bytes of
// margin stay within the limit. Our framing of a short element costs what listpack's
// does, so that is our size plus 13.
const fillMargin = lpOverhead + 8 - 2

// fits reports whether a node of size bytes and n elements is within the fill rule.
// A node always takes its first element, however big.
func (l *List) fits(size, n int) bool {
	if n <= 1 {
		return true
	}
	if l.fill < 0 {
		return size+fillMargin <= 4096<<(-l.fill-1)
	}
	return n <= l.fill && size+fillMargin <= listSafetyLimit
}

// byteLimit is the largest node the fill rule allows, for sizing buffers.
func (l *List) byteLimit() int {
	if l.fill < 0 {
		return 4096 << (-l.fill - 1)
	}
	return listSafetyLimit
}

// --- node deque ---

// insertNode puts nd at position at (lo <= at <= hi) and returns where it ended up.
func (l *List) insertNode(at int, nd lnode) int {
	count := l.hi - l.lo
	full := (at == l.hi && l.hi == len(l.nodes)) || (at == l.lo && l.lo == 0) ||
		(l.lo == 0 && l.hi == len(l.nodes))
	if full {
		// Re-centre into a new array (twice the size when it is half full), leaving
		// free slots at both ends so that end insertions stay amortised O(1).
		size := len(l.nodes)
		switch {
		case size == 0:
			size = 1 // most lists have one node: start with exactly that
		case count+1 > size/2:
			size = 2*(count+1) + 2
		}
		nn := make([]lnode, size)
		front := (size - count - 1) / 2
		copy(nn[front:], l.nodes[l.lo:at])
		pos := front + at - l.lo
		nn[pos] = nd
		copy(nn[pos+1:], l.nodes[at:l.hi])
		l.nodes, l.lo, l.hi = nn, front, front+count+1
		return pos
	}
	switch {
	case at == l.hi:
		l.nodes[l.hi] = nd
		l.hi++
		return at
	case at == l.lo:
		l.lo--
		l.nodes[l.lo] = nd
		return l.lo
	case l.hi < len(l.nodes) && (at-l.lo >= l.hi-at || l.lo == 0):
		copy(l.nodes[at+1:], l.nodes[at:l.hi])
		l.hi++
		l.nodes[at] = nd
		return at
	}
	copy(l.nodes[l.lo-1:], l.nodes[l.lo:at])
	l.lo--
	l.nodes[at-1] = nd
	return at - 1
}

// removeNodes drops the nodes [a, b) and returns the index of the node that followed
// them (hi if none did).
func (l *List) removeNodes(a, b int) int {
	if a == b {
		return a
	}
	next := a
	if a == l.lo {
		clear(l.nodes[a:b])
		l.lo = b
		next = b
	} else {
		copy(l.nodes[a:], l.nodes[b:l.hi])
		clear(l.nodes[l.hi-(b-a) : l.hi])
		l.hi -= b - a
	}
	if l.lo == l.hi {
		l.nodes, l.lo, l.hi = nil, 0, 0
		return 0
	}
	if count := l.hi - l.lo; len(l.nodes) > 16 && count < len(l.nodes)/4 {
		nn := make([]lnode, 2*count+2)
		front := (len(nn) - count) / 2
		copy(nn[front:], l.nodes[l.lo:l.hi])
		next += front - l.lo
		l.nodes, l.lo, l.hi = nn, front, front+count
	}
	return next
}

// nodeAt returns the node holding element i (0 <= i < Len) and i's index within it,
// walking the node array from the nearer end.
func (l *List) nodeAt(i int) (ni, idx int) {
	if i < l.length/2 {
		ni = l.lo
		for i >= l.nodes[ni].n {
			i -= l.nodes[ni].n
			ni++
		}
		return ni, i
	}
	j := l.length - 1 - i
	ni = l.hi - 1
	for j >= l.nodes[ni].n {
		j -= l.nodes[ni].n
		ni--
	}
	return ni, l.nodes[ni].n - 1 - j
}

// locate returns the node and byte offset of element i (0 <= i < Len).
func (l *List) locate(i int) (ni, off int) {
	ni, idx := l.nodeAt(i)
	return ni, l.nodes[ni].offsetOf(idx)
}

// --- ends ---

// PushFront adds a copy of v at the head.
func (l *List) PushFront(v []byte) { l.push(v, true) }

// PushBack adds a copy of v at the tail.
func (l *List) PushBack(v []byte) { l.push(v, false) }

func (l *List) push(v []byte, front bool) {
	need := elemSize(len(v))
	end := l.hi - 1
	if front {
		end = l.lo
	}
	if l.lo == l.hi || !l.fits(l.nodes[end].size()+need, l.nodes[end].n+1) {
		if l.lo != l.hi {
			l.nodes[end].trim() // full: it will not grow again
		}
		nd := lnode{buf: allocBuf(max(need, listFirstNode))}
		if front {
			nd.lo, nd.hi = len(nd.buf), len(nd.buf)
			end = l.insertNode(l.lo, nd)
		} else {
			end = l.insertNode(l.hi, nd)
		}
	}
	nd := &l.nodes[end]
	pos := nd.hi
	if front {
		pos = nd.lo
	}
	at := nd.makeGap(pos, need, l.byteLimit())
	putElem(nd.buf[at:at+need], v)
	nd.n++
	l.length++
}

// Push adds a copy of v at the head (front) or the tail.
func (l *List) Push(v []byte, front bool) {
	if front {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

// PopFront removes the head element and returns a copy of it.
func (l *List) PopFront() ([]byte, bool) {
	if l.length == 0 {
		return nil, false
	}
	nd := &l.nodes[l.lo]
	v, next := nd.at(nd.lo)
	out := bytes.Clone(v)
	nd.lo = next
	nd.n--
	l.length--
	if nd.n == 0 {
		l.removeNodes(l.lo, l.lo+1)
	}
	return out, true
}

// PopBack removes the tail element and returns a copy of it.
func (l *List) PopBack() ([]byte, bool) {
	if l.length == 0 {
		return nil, false
	}
	nd := &l.nodes[l.hi-1]
	v, start := nd.before(nd.hi)
	out := bytes.Clone(v)
	nd.hi = start
	nd.n--
	l.length--
	if nd.n == 0 {
		l.removeNodes(l.hi-1, l.hi)
	}
	return out, true
}

// Pop removes the head (front) or tail element and returns a copy of it.
func (l *List) Pop(front bool) ([]byte, bool) {
	if front {
		return l.PopFront()
	}
	return l.PopBack()
}

// --- random access ---

// Index returns element i, counting from the tail when i is negative. The bytes are
// the stored ones: valid until the list next changes, and not to be modified.
func (l *List) Index(i int) ([]byte, bool) {
	if i < 0 {
		i += l.length
	}
	if i < 0 || i >= l.length {
		return nil, false
	}
	ni, off := l.locate(i)
	v, _ := l.nodes[ni].at(off)
	return v, true
}

// Set replaces element i (negative counts from the tail) with a copy of v; it reports
// false when i is out of range.
func (l *List) Set(i int, v []byte) bool {
	if i < 0 {
		i += l.length
	}
	if i < 0 || i >= l.length {
		return false
	}
	ni, off := l.locate(i)
	nd := &l.nodes[ni]
	_, next := nd.at(off)
	old, need := next-off, elemSize(len(v))
	if old == need {
		putElem(nd.buf[off:next], v)
		return true
	}
	if l.fits(nd.size()-old+need, nd.n) {
		off = nd.closeGap(off, old)
		at := nd.makeGap(off, need, l.byteLimit())
		putElem(nd.buf[at:at+need], v)
		return true
	}
	// Too big for this node: take the element out and insert the new one in its place.
	off = nd.closeGap(off, old)
	nd.n--
	l.length--
	l.insertAt(ni, off, v)
	return true
}

// insertAt inserts v before the element at offset off of node ni (off == hi appends
// to the node), splitting the node when the fill rule requires.
func (l *List) insertAt(ni, off int, v []byte) {
	need := elemSize(len(v))
	limit := l.byteLimit()
	nd := &l.nodes[ni]
	l.length++
	if l.fits(nd.size()+need, nd.n+1) {
		at := nd.makeGap(off, need, limit)
		putElem(nd.buf[at:at+need], v)
		nd.n++
		return
	}
	put := func(ni int, front bool) {
		nd := &l.nodes[ni]
		pos := nd.hi
		if front {
			pos = nd.lo
		}
		at := nd.makeGap(pos, need, limit)
		putElem(nd.buf[at:at+need], v)
		nd.n++
	}
	switch {
	case off == nd.lo && ni > l.lo && l.fits(l.nodes[ni-1].size()+need, l.nodes[ni-1].n+1):
		put(ni-1, false)
	case off == nd.hi && ni+1 < l.hi && l.fits(l.nodes[ni+1].size()+need, l.nodes[ni+1].n+1):
		put(ni+1, true)
	case off == nd.lo:
		put(l.insertNode(ni, lnode{}), true)
	case off == nd.hi:
		put(l.insertNode(ni+1, lnode{}), true)
	default:
		// Split the node at off: the elements from off move to a new node after it.
		tail := nd.buf[off:nd.hi]
		moved := 0
		for p := off; p < nd.hi; moved++ {
			_, p = nd.at(p)
		}
		nn := lnode{buf: allocBuf(len(tail))}
		copy(nn.buf, tail)
		nn.hi, nn.n = len(tail), moved
		nd.hi = off
		nd.n -= moved
		nd.trim()
		ni2 := l.insertNode(ni+1, nn)
		ni = ni2 - 1
		switch {
		case l.fits(l.nodes[ni].size()+need, l.nodes[ni].n+1):
			put(ni, false)
		case l.fits(l.nodes[ni2].size()+need, l.nodes[ni2].n+1):
			put(ni2, true)
		default:
			put(l.insertNode(ni2, lnode{}), true)
		}
	}
}

// Insert puts a copy of v before (or after) the first element equal to pivot, as
// LINSERT does; it reports whether pivot was found.
func (l *List) Insert(pivot, v []byte, after bool) bool {
	for ni := l.lo; ni < l.hi; ni++ {
		nd := &l.nodes[ni]
		for off := nd.lo; off < nd.hi; {
			e, next := nd.at(off)
			if bytes.Equal(e, pivot) {
				if after {
					off = next
				}
				l.insertAt(ni, off, v)
				return true
			}
			off = next
		}
	}
	return false
}

// Remove deletes elements equal to v, as LREM does: the first count from the head when
// count > 0, the last -count from the tail when count < 0, all when count == 0. It
// returns how many it removed.
func (l *List) Remove(v []byte, count int) int {
	max := count
	if count < 0 {
		max = -count
	}
	removed := 0
	if count >= 0 {
		for ni := l.lo; ni < l.hi && (max == 0 || removed < max); ni++ {
			nd := &l.nodes[ni]
			w := nd.lo
			for r := nd.lo; r < nd.hi; {
				if max != 0 && removed == max {
					w += copy(nd.buf[w:], nd.buf[r:nd.hi])
					break
				}
				e, next := nd.at(r)
				if bytes.Equal(e, v) {
					removed++
					nd.n--
				} else {
					if w != r {
						copy(nd.buf[w:], nd.buf[r:next])
					}
					w += next - r
				}
				r = next
			}
			nd.hi = w
		}
	} else {
		for ni := l.hi - 1; ni >= l.lo && removed < max; ni-- {
			nd := &l.nodes[ni]
			w := nd.hi
			for r := nd.hi; r > nd.lo; {
				if removed == max {
					w -= r - nd.lo
					copy(nd.buf[w:], nd.buf[nd.lo:r])
					break
				}
				e, start := nd.before(r)
				if bytes.Equal(e, v) {
					removed++
					nd.n--
				} else {
					if w != r {
						copy(nd.buf[w-(r-start):], nd.buf[start:r])
					}
					w -= r - start
				}
				r = start
			}
			nd.lo = w
		}
	}
	if removed > 0 {
		l.length -= removed
		l.compact()
	}
	return removed
}

// compact drops empty nodes and merges neighbours that fit together.
func (l *List) compact() {
	limit := l.byteLimit()
	w := l.lo
	for r := l.lo; r < l.hi; r++ {
		nd := l.nodes[r]
		if nd.n == 0 {
			continue
		}
		if w > l.lo {
			prev := &l.nodes[w-1]
			if l.fits(prev.size()+nd.size(), prev.n+nd.n) {
				at := prev.makeGap(prev.hi, nd.size(), limit)
				copy(prev.buf[at:], nd.buf[nd.lo:nd.hi])
				prev.n += nd.n
				continue
			}
			prev.trim()
		}
		l.nodes[w] = nd
		w++
	}
	clear(l.nodes[w:l.hi])
	l.hi = w
	if l.lo == l.hi {
		l.nodes, l.lo, l.hi = nil, 0, 0
	} else if count := l.hi - l.lo; len(l.nodes) > 16 && count < len(l.nodes)/4 {
		nn := make([]lnode, 2*count+2)
		front := (len(nn) - count) / 2
		copy(nn[front:], l.nodes[l.lo:l.hi])
		l.nodes, l.lo, l.hi = nn, front, front+count
	}
}

// Trim keeps the elements from start to stop inclusive (0 <= start <= stop < Len) and
// deletes the rest, as LTRIM does once it has normalised its range.
func (l *List) Trim(start, stop int) {
	if stop+1 < l.length {
		l.DeleteRange(stop+1, l.length-stop-1)
	}
	if start > 0 {
		l.DeleteRange(0, start)
	}
}

// DeleteRange deletes n elements from index from (0 <= from, from+n <= Len).
func (l *List) DeleteRange(from, n int) {
	if n <= 0 {
		return
	}
	if from == 0 && n == l.length {
		l.nodes, l.lo, l.hi, l.length = nil, 0, 0, 0
		return
	}
	ni, idx := l.nodeAt(from)
	l.length -= n
	cutHead := idx > 0
	if cutHead {
		// The range starts inside node ni: cut from there.
		nd := &l.nodes[ni]
		k := min(n, nd.n-idx)
		s := nd.offsetOf(idx)
		e := s
		for j := 0; j < k; j++ {
			_, e = nd.at(e)
		}
		nd.closeGap(s, e-s)
		nd.n -= k
		n -= k
		ni++
	}
	j := ni
	for n > 0 && n >= l.nodes[j].n {
		n -= l.nodes[j].n
		j++
	}
	next := l.removeNodes(ni, j)
	if n > 0 {
		// The range ends inside the node that now follows.
		nd := &l.nodes[next]
		nd.lo = nd.offsetOf(n)
		nd.n -= n
	}
	if cutHead || n > 0 {
		l.mergeAt(next - 1)
	}
}

// mergeAt merges node i with node i+1 when both fit in one.
func (l *List) mergeAt(i int) {
	if i < l.lo || i+1 >= l.hi {
		return
	}
	a, b := &l.nodes[i], &l.nodes[i+1]
	if !l.fits(a.size()+b.size(), a.n+b.n) {
		return
	}
	limit := l.byteLimit()
	if a.size() >= b.size() {
		at := a.makeGap(a.hi, b.size(), limit)
		copy(a.buf[at:], b.buf[b.lo:b.hi])
		a.n += b.n
		l.removeNodes(i+1, i+2)
	} else {
		at := b.makeGap(b.lo, a.size(), limit)
		copy(b.buf[at:], a.buf[a.lo:a.hi])
		b.n += a.n
		l.removeNodes(i, i+1)
	}
}

// --- iteration ---

// ListIter walks a list from a given index towards the tail or the head. The list must
// not change while an iterator is in use.
type ListIter struct {
	l   *List
	ni  int // node, or -1 when done
	off int // forward: start of the next element; reverse: its end
	rev bool
}

// Iter returns an iterator positioned at element i (0 <= i < Len; otherwise it yields
// nothing), moving towards the head when reverse is set.
func (l *List) Iter(i int, reverse bool) ListIter {
	if i < 0 || i >= l.length {
		return ListIter{l: l, ni: -1}
	}
	ni, off := l.locate(i)
	if reverse {
		_, off = l.nodes[ni].at(off)
	}
	return ListIter{l: l, ni: ni, off: off, rev: reverse}
}

// Next returns the next element's bytes (valid until the list changes) or false at the
// end.
func (it *ListIter) Next() ([]byte, bool) {
	l := it.l
	if it.ni < l.lo || it.ni >= l.hi {
		return nil, false
	}
	nd := &l.nodes[it.ni]
	if !it.rev {
		v, next := nd.at(it.off)
		it.off = next
		if next == nd.hi {
			it.ni++
			if it.ni < l.hi {
				it.off = l.nodes[it.ni].lo
			}
		}
		return v, true
	}
	v, start := nd.before(it.off)
	it.off = start
	if start == nd.lo {
		it.ni--
		if it.ni >= l.lo {
			it.off = l.nodes[it.ni].hi
		} else {
			it.ni = -1
		}
	}
	return v, true
}

// --- whole-list ---

// Clone returns a deep copy with compact buffers.
func (l *List) Clone() *List {
	c := &List{fill: l.fill, length: l.length}
	count := l.hi - l.lo
	if count == 0 {
		return c
	}
	c.nodes = make([]lnode, count)
	c.hi = count
	for i := range c.nodes {
		src := &l.nodes[l.lo+i]
		buf := allocBuf(src.size())
		copy(buf, src.buf[src.lo:src.hi])
		c.nodes[i] = lnode{buf: buf, hi: src.size(), n: src.n}
	}
	return c
}
