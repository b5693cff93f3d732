package store

import "sort"

// This file holds the ordered half of the "skiplist" sorted-set encoding: an
// order-statistic B+tree of (score, member) items.
//
// Leaves hold up to btLeafCap items in a fixed-capacity slice and are linked both ways,
// so a range walk costs O(log N) to find its start and O(1) per item after. Internal
// nodes hold their children, one separator per child boundary and, like every node, the
// number of items below them, which gives rank ↔ position in O(log N).
//
// Separators obey: every item of kids[i] < seps[i] <= every item of kids[i+1]. A
// separator is not necessarily an item still in the tree (deleting a leaf's first item
// leaves it in place), which keeps deletions local; the inequality is all searches rely on.
//
// Compared with Redis's skiplist (a node of ~40 bytes plus 16 per level, and a separate
// sds per member), a leaf item is 24 bytes and there is no per-item allocation; leaves
// stay at least a third full (appends at either end fill them completely).

const (
	btLeafCap = 128 // items per leaf: 128 * 24 bytes is exactly a 3 KiB size class
	btLeafMin = btLeafCap / 3
	btNodeCap = 64 // children per internal node
	btNodeMin = btNodeCap / 3
	// btFill is the share of a leaf's capacity a bulk build uses, leaving room to insert.
	btFill = btLeafCap * 7 / 8
)

// zitem is one member of a sorted set with its score.
type zitem struct {
	score  float64
	member string
}

// zless orders items by score, then member bytes, as Redis orders a sorted set.
func zless(a, b zitem) bool {
	return a.score < b.score || (a.score == b.score && a.member < b.member)
}

type btnode struct {
	items      []zitem   // leaf: the items, cap btLeafCap
	kids       []*btnode // internal: the children
	seps       []zitem   // internal: len(kids)-1 separators
	size       int       // items in this subtree
	prev, next *btnode   // leaf: neighbours in order
}

func (n *btnode) leaf() bool { return n.kids == nil }

func newLeaf() *btnode { return &btnode{items: make([]zitem, 0, btLeafCap)} }

func newInternal() *btnode {
	return &btnode{kids: make([]*btnode, 0, btNodeCap+1), seps: make([]zitem, 0, btNodeCap)}
}

// btree is the tree; the zero value is empty.
type btree struct{ root *btnode }

func (t *btree) len() int {
	if t.root == nil {
		return 0
	}
	return t.root.size
}

// child returns the index of the child of internal node n that it belongs in.
func (n *btnode) child(it zitem) int { return upper(n.seps, it) }

// upper returns the index of the first item of s greater than it.
func upper(s []zitem, it zitem) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x := s[m]; it.score < x.score || (it.score == x.score && it.member < x.member) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// lower returns the index of the first item of s not less than it.
func lower(s []zitem, it zitem) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x := s[m]; x.score < it.score || (x.score == it.score && x.member < it.member) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// insert adds it, which must not be in the tree.
func (t *btree) insert(it zitem) {
	if t.root == nil {
		t.root = newLeaf()
	}
	right, sep, split := t.root.insert(it)
	if split {
		r := newInternal()
		r.kids = append(r.kids, t.root, right)
		r.seps = append(r.seps, sep)
		r.size = t.root.size + right.size
		t.root = r
	}
}

func (n *btnode) insert(it zitem) (*btnode, zitem, bool) {
	n.size++
	if n.leaf() {
		i := upper(n.items, it)
		if len(n.items) < btLeafCap {
			n.items = n.items[:len(n.items)+1]
			copy(n.items[i+1:], n.items[i:])
			n.items[i] = it
			return nil, zitem{}, false
		}
		// Split. Appending past the last leaf (or before the first) keeps the full leaf
		// whole, so ascending or descending loads leave full leaves behind.
		full := len(n.items)
		mid := full / 2
		switch {
		case i == full && n.next == nil:
			mid = full
		case i == 0 && n.prev == nil:
			mid = 0
		}
		right := newLeaf()
		right.items = append(right.items, n.items[mid:]...)
		clear(n.items[mid:])
		n.items = n.items[:mid]
		if i < mid || (i == mid && mid < full) {
			n.items = n.items[:len(n.items)+1]
			copy(n.items[i+1:], n.items[i:])
			n.items[i] = it
		} else {
			j := i - mid
			right.items = right.items[:len(right.items)+1]
			copy(right.items[j+1:], right.items[j:])
			right.items[j] = it
		}
		n.size, right.size = len(n.items), len(right.items)
		right.next, right.prev = n.next, n
		if n.next != nil {
			n.next.prev = right
		}
		n.next = right
		return right, right.items[0], true
	}
	j := n.child(it)
	right, sep, split := n.kids[j].insert(it)
	if !split {
		return nil, zitem{}, false
	}
	n.kids = append(n.kids, nil)
	copy(n.kids[j+2:], n.kids[j+1:])
	n.kids[j+1] = right
	n.seps = append(n.seps, zitem{})
	copy(n.seps[j+1:], n.seps[j:])
	n.seps[j] = sep
	if len(n.kids) <= btNodeCap {
		return nil, zitem{}, false
	}
	mid := len(n.kids) / 2
	r := newInternal()
	r.kids = append(r.kids, n.kids[mid:]...)
	r.seps = append(r.seps, n.seps[mid:]...)
	up := n.seps[mid-1]
	clear(n.kids[mid:])
	clear(n.seps[mid-1:])
	n.kids, n.seps = n.kids[:mid], n.seps[:mid-1]
	n.size, r.size = sumSizes(n.kids), sumSizes(r.kids)
	return r, up, true
}

func sumSizes(kids []*btnode) int {
	s := 0
	for _, k := range kids {
		s += k.size
	}
	return s
}

// remove deletes it, which must be in the tree.
func (t *btree) remove(it zitem) {
	t.root.remove(it)
	t.shrinkRoot()
}

func (t *btree) shrinkRoot() {
	for t.root != nil && !t.root.leaf() && len(t.root.kids) == 1 {
		t.root = t.root.kids[0]
	}
	if t.root != nil && t.root.size == 0 {
		t.root = nil
	}
}

func (n *btnode) remove(it zitem) {
	n.size--
	if n.leaf() {
		i := lower(n.items, it)
		copy(n.items[i:], n.items[i+1:])
		n.items[len(n.items)-1] = zitem{}
		n.items = n.items[:len(n.items)-1]
		return
	}
	j := n.child(it)
	k := n.kids[j]
	k.remove(it)
	if (k.leaf() && len(k.items) < btLeafMin) || (!k.leaf() && len(k.kids) < btNodeMin) {
		n.rebalance(j)
	}
}

// rebalance fixes an underfull child j by merging it with a neighbour or by moving
// entries over from one.
func (n *btnode) rebalance(j int) {
	if len(n.kids) < 2 {
		return
	}
	a := j - 1
	if a < 0 {
		a = 0
	}
	l, r := n.kids[a], n.kids[a+1]
	if l.leaf() {
		total := len(l.items) + len(r.items)
		if total <= btLeafCap*3/4 || total <= btLeafCap && (len(l.items) == 0 || len(r.items) == 0) {
			l.items = append(l.items, r.items...)
			l.size = len(l.items)
			l.next = r.next
			if r.next != nil {
				r.next.prev = l
			}
			n.dropKid(a + 1)
			return
		}
		want := total / 2
		if len(l.items) < want { // move from r's front to l's back
			k := want - len(l.items)
			l.items = append(l.items, r.items[:k]...)
			copy(r.items, r.items[k:])
			clear(r.items[len(r.items)-k:])
			r.items = r.items[:len(r.items)-k]
		} else { // move from l's back to r's front
			k := len(l.items) - want
			r.items = r.items[:len(r.items)+k]
			copy(r.items[k:], r.items)
			copy(r.items, l.items[len(l.items)-k:])
			clear(l.items[len(l.items)-k:])
			l.items = l.items[:len(l.items)-k]
		}
		l.size, r.size = len(l.items), len(r.items)
		n.seps[a] = r.items[0]
		return
	}
	total := len(l.kids) + len(r.kids)
	if total <= btNodeCap {
		l.seps = append(l.seps, n.seps[a])
		l.seps = append(l.seps, r.seps...)
		l.kids = append(l.kids, r.kids...)
		l.size += r.size
		n.dropKid(a + 1)
		return
	}
	want := total / 2
	if len(l.kids) < want {
		k := want - len(l.kids)
		moved := sumSizes(r.kids[:k])
		l.seps = append(l.seps, n.seps[a])
		l.seps = append(l.seps, r.seps[:k-1]...)
		l.kids = append(l.kids, r.kids[:k]...)
		n.seps[a] = r.seps[k-1]
		copy(r.kids, r.kids[k:])
		clear(r.kids[len(r.kids)-k:])
		r.kids = r.kids[:len(r.kids)-k]
		copy(r.seps, r.seps[k:])
		clear(r.seps[len(r.seps)-k:])
		r.seps = r.seps[:len(r.seps)-k]
		l.size += moved
		r.size -= moved
	} else {
		k := len(l.kids) - want
		moved := sumSizes(l.kids[len(l.kids)-k:])
		r.kids = r.kids[:len(r.kids)+k]
		copy(r.kids[k:], r.kids)
		copy(r.kids, l.kids[len(l.kids)-k:])
		r.seps = r.seps[:len(r.seps)+k]
		copy(r.seps[k:], r.seps)
		r.seps[k-1] = n.seps[a]
		copy(r.seps, l.seps[len(l.seps)-k+1:])
		n.seps[a] = l.seps[len(l.seps)-k]
		clear(l.kids[len(l.kids)-k:])
		l.kids = l.kids[:len(l.kids)-k]
		clear(l.seps[len(l.seps)-k:])
		l.seps = l.seps[:len(l.seps)-k]
		l.size -= moved
		r.size += moved
	}
}

// dropKid removes child i and the separator before it.
func (n *btnode) dropKid(i int) {
	copy(n.kids[i:], n.kids[i+1:])
	n.kids[len(n.kids)-1] = nil
	n.kids = n.kids[:len(n.kids)-1]
	copy(n.seps[i-1:], n.seps[i:])
	n.seps[len(n.seps)-1] = zitem{}
	n.seps = n.seps[:len(n.seps)-1]
}

// rank returns the number of items less than it.
func (t *btree) rank(it zitem) int {
	return t.search(func(x zitem) bool { return !zless(x, it) })
}

// search returns the rank of the first item for which pred is true, or len when none
// is; pred must be false and then true along the order.
func (t *btree) search(pred func(zitem) bool) int {
	n := t.root
	if n == nil {
		return 0
	}
	rank := 0
	for !n.leaf() {
		j := sort.Search(len(n.seps), func(i int) bool { return pred(n.seps[i]) })
		for _, k := range n.kids[:j] {
			rank += k.size
		}
		n = n.kids[j]
	}
	return rank + sort.Search(len(n.items), func(i int) bool { return pred(n.items[i]) })
}

// at returns the leaf holding the item of the given rank (0 <= rank < len) and its index.
func (t *btree) at(rank int) (*btnode, int) {
	n := t.root
	for !n.leaf() {
		for _, k := range n.kids {
			if rank < k.size {
				n = k
				break
			}
			rank -= k.size
		}
	}
	return n, rank
}

// ascend calls fn for the items of rank start and up until fn returns false.
func (t *btree) ascend(start int, fn func(zitem) bool) {
	if start >= t.len() {
		return
	}
	n, i := t.at(start)
	for ; n != nil; n, i = n.next, 0 {
		for ; i < len(n.items); i++ {
			if !fn(n.items[i]) {
				return
			}
		}
	}
}

// descend calls fn for the items of rank start and down until fn returns false.
func (t *btree) descend(start int, fn func(zitem) bool) {
	if start < 0 || t.len() == 0 {
		return
	}
	n, i := t.at(start)
	for n != nil {
		for ; i >= 0; i-- {
			if !fn(n.items[i]) {
				return
			}
		}
		if n = n.prev; n != nil {
			i = len(n.items) - 1
		}
	}
}

// build returns a tree holding items, which are sorted and distinct.
func buildBTree(items []zitem) btree {
	if len(items) == 0 {
		return btree{}
	}
	nl := (len(items) + btFill - 1) / btFill
	level := make([]*btnode, nl)
	var prev *btnode
	for i := range level {
		lo, hi := i*len(items)/nl, (i+1)*len(items)/nl
		n := newLeaf()
		n.items = append(n.items, items[lo:hi]...)
		n.size = len(n.items)
		n.prev = prev
		if prev != nil {
			prev.next = n
		}
		prev = n
		level[i] = n
	}
	const fan = btNodeCap * 7 / 8
	for len(level) > 1 {
		np := (len(level) + fan - 1) / fan
		up := make([]*btnode, np)
		for i := range up {
			lo, hi := i*len(level)/np, (i+1)*len(level)/np
			n := newInternal()
			n.kids = append(n.kids, level[lo:hi]...)
			for _, k := range n.kids[1:] {
				n.seps = append(n.seps, k.first())
			}
			n.size = sumSizes(n.kids)
			up[i] = n
		}
		level = up
	}
	return btree{root: level[0]}
}

// first returns the smallest item of a non-empty subtree.
func (n *btnode) first() zitem {
	for !n.leaf() {
		n = n.kids[0]
	}
	return n.items[0]
}

// items returns every item in order.
func (t *btree) all() []zitem {
	out := make([]zitem, 0, t.len())
	t.ascend(0, func(it zitem) bool {
		out = append(out, it)
		return true
	})
	return out
}

// check verifies the tree's invariants, for tests; it returns a description of the
// first violation or "".
func (t *btree) check() string {
	if t.root == nil {
		return ""
	}
	var prevLeaf *btnode
	var last *zitem
	var walk func(n *btnode, lo, hi *zitem, root bool) string
	walk = func(n *btnode, lo, hi *zitem, root bool) string {
		if n.leaf() {
			if n.size != len(n.items) {
				return "leaf size"
			}
			if !root && len(n.items) == 0 {
				return "empty leaf"
			}
			if n.prev != prevLeaf || (prevLeaf != nil && prevLeaf.next != n) {
				return "leaf links"
			}
			prevLeaf = n
			for i := range n.items {
				it := n.items[i]
				if last != nil && !zless(*last, it) {
					return "leaf order"
				}
				if lo != nil && zless(it, *lo) {
					return "below separator"
				}
				if hi != nil && !zless(it, *hi) {
					return "above separator"
				}
				last = &n.items[i]
			}
			return ""
		}
		if len(n.seps) != len(n.kids)-1 || len(n.kids) > btNodeCap {
			return "internal shape"
		}
		if n.size != sumSizes(n.kids) {
			return "internal size"
		}
		for i, k := range n.kids {
			l, h := lo, hi
			if i > 0 {
				l = &n.seps[i-1]
			}
			if i < len(n.seps) {
				h = &n.seps[i]
			}
			if s := walk(k, l, h, false); s != "" {
				return s
			}
		}
		return ""
	}
	if s := walk(t.root, nil, nil, true); s != "" {
		return s
	}
	if prevLeaf.next != nil {
		return "last leaf link"
	}
	return ""
}
