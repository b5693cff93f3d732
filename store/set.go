package store

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"unsafe"
)

// Set encodings. A set whose members are all integers in canonical form (as Redis's
// string2ll accepts them) and that has at most set-max-intset-entries members is an
// "intset": a sorted []int64. Any other member, or one member too many, converts it to
// a "hashtable" (the ordered table of hash.go, with empty values), and it never converts
// back. Redis 7.0 has no listpack sets.

// Set is a set value. Members passed to callbacks are valid during the call only.
type Set struct {
	ints []int64 // intset encoding, sorted, when t is nil
	t    *htable // hashtable encoding
}

func init() {
	typeOps[TypeSet] = valueOps{
		encoding: func(p unsafe.Pointer) string { return (*Set)(p).Encoding() },
		clone:    func(p unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer((*Set)(p).clone()) },
	}
}

// NewSet returns an entry holding an empty set (intset encoded), for the caller to fill
// through Entry.SetValue before storing it with DB.Set.
func NewSet() *Entry { return newObject(TypeSet, unsafe.Pointer(&Set{})) }

// SetValue returns the value of a set entry; the caller has checked Type() == TypeSet.
// (It is not called Set, which reads like DB.Set: a store, not a getter.)
func (e *Entry) SetValue() *Set { return (*Set)(e.ptr) }

// Encoding is OBJECT ENCODING's name for the set: "intset" or "hashtable".
func (s *Set) Encoding() string {
	if s.t != nil {
		return "hashtable"
	}
	return "intset"
}

// Len returns the number of members.
func (s *Set) Len() int {
	if s.t != nil {
		return s.t.n
	}
	return len(s.ints)
}

func (s *Set) clone() *Set {
	if s.t != nil {
		return &Set{t: s.t.clone()}
	}
	return &Set{ints: slices.Clone(s.ints)}
}

// setMemberInt parses a member the way Redis decides whether it fits an intset (string2ll):
// optional minus, no plus sign, no leading zeros, no "-0", within int64.
func setMemberInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] >= '0' && b[0] <= '9' {
		return int64(b[0] - '0'), true
	}
	d := b
	if b[0] == '-' {
		d = b[1:]
	}
	if len(d) == 0 || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(unsafe.String(unsafe.SliceData(b), len(b)), 10, 64)
	return n, err == nil
}

// Contains reports whether member is in the set.
func (s *Set) Contains(member []byte) bool {
	if s.t != nil {
		return s.t.find(s.t.hash(member), member) >= 0
	}
	v, ok := setMemberInt(member)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.ints, v)
	return found
}

// Add adds member and reports whether it is new, converting an intset to a hashtable
// when member is not an integer or the set outgrows lim's set-max-intset-entries.
func (s *Set) Add(member []byte, lim *Limits) bool {
	if s.t == nil {
		v, ok := setMemberInt(member)
		if ok {
			i, found := slices.BinarySearch(s.ints, v)
			if found {
				return false
			}
			s.ints = slices.Insert(s.ints, i, v)
			if int64(len(s.ints)) > min(lim.SetMaxIntsetEntries.Load(), 1<<30) {
				s.convert()
			}
			return true
		}
		s.convert()
	}
	return s.t.set(member, nil)
}

// Remove removes member and reports whether it was there.
func (s *Set) Remove(member []byte) bool {
	if s.t != nil {
		i := s.t.find(s.t.hash(member), member)
		if i < 0 {
			return false
		}
		s.t.deleteAt(i)
		return true
	}
	v, ok := setMemberInt(member)
	if !ok {
		return false
	}
	i, found := slices.BinarySearch(s.ints, v)
	if found {
		s.ints = slices.Delete(s.ints, i, i+1)
	}
	return found
}

func (s *Set) convert() {
	t := newHTable(len(s.ints))
	var buf [20]byte
	for _, v := range s.ints {
		t.set(strconv.AppendInt(buf[:0], v, 10), nil)
	}
	s.ints, s.t = nil, t
}

// Range calls fn for every member until fn returns false: in ascending order for an
// intset, in hash order for a hashtable.
func (s *Set) Range(fn func(member []byte) bool) {
	if s.t != nil {
		for _, sl := range s.t.slots {
			if sl.p != nil && !fn(htKey(sl.p)) {
				return
			}
		}
		return
	}
	var buf [20]byte
	for _, v := range s.ints {
		if !fn(strconv.AppendInt(buf[:0], v, 10)) {
			return
		}
	}
}

// Scan calls fn for up to count members at or after cursor and returns the cursor to
// continue from, 0 when done. An intset returns every member in one call, as Redis does.
func (s *Set) Scan(cursor uint64, count int, fn func(member []byte)) uint64 {
	if s.t != nil {
		return s.t.scan(cursor, count, func(p unsafe.Pointer) { fn(htKey(p)) })
	}
	s.Range(func(m []byte) bool { fn(m); return true })
	return 0
}

func setIntMember(v int64) []byte { return strconv.AppendInt(nil, v, 10) }

// Random returns a member chosen uniformly at random; the set must not be empty. The
// slice is the caller's for an intset and aliases the set otherwise.
func (s *Set) Random() []byte {
	if s.t != nil {
		return htKey(s.t.slots[s.t.randomIndex()].p)
	}
	return setIntMember(s.ints[rand.IntN(len(s.ints))])
}

// RandomRepeat calls fn count times with a member chosen uniformly at random each time
// (SRANDMEMBER with a negative count). The set must not be empty.
func (s *Set) RandomRepeat(count int, fn func(member []byte)) {
	var buf [20]byte
	for ; count > 0; count-- {
		if s.t != nil {
			fn(htKey(s.t.slots[s.t.randomIndex()].p))
		} else {
			fn(strconv.AppendInt(buf[:0], s.ints[rand.IntN(len(s.ints))], 10))
		}
	}
}

// RandomDistinct calls fn with count distinct members chosen at random, in random
// order; count must be less than Len.
func (s *Set) RandomDistinct(count int, fn func(member []byte)) {
	if s.t != nil {
		s.t.randomDistinct(count, func(p unsafe.Pointer) { fn(htKey(p)) })
		return
	}
	idx := make([]int, len(s.ints))
	for i := range idx {
		idx[i] = i
	}
	var buf [20]byte
	for i := 0; i < count; i++ {
		j := i + rand.IntN(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
		fn(strconv.AppendInt(buf[:0], s.ints[idx[i]], 10))
	}
}

// Pop removes a member chosen uniformly at random and returns it; the set must not be
// empty. The slice is the caller's.
func (s *Set) Pop() []byte {
	if s.t != nil {
		i := s.t.randomIndex()
		m := htKey(s.t.slots[i].p) // blobs are immutable: m outlives the slot
		s.t.deleteAt(i)
		return m
	}
	i := rand.IntN(len(s.ints))
	m := setIntMember(s.ints[i])
	s.ints = slices.Delete(s.ints, i, i+1)
	return m
}
