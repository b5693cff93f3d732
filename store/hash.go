package store

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"slices"
	"unsafe"
)

// This file holds the hash type and, below it, the ordered hash table that backs both
// large hashes and large sets.
//
// # Encodings
//
// A small hash is "listpack": one []byte of (uvarint len, field, uvarint len, value)
// records in insertion order, searched linearly, as Redis's listpack is. It converts to
// "hashtable" (and never back) when a field or value longer than hash-max-listpack-value
// is written, or when it grows past hash-max-listpack-entries fields, exactly when
// Redis converts.
//
// A "hashtable" is an ordered linear-probing table (see htable): each field/value pair is
// one immutable byte blob, and the slots are kept sorted by the 64-bit hash of the field.
// That order gives HSCAN a cursor with SCAN's guarantee (the cursor is the hash of the
// next field to return, so a field present for the whole scan is returned whatever the
// table does in between), and fair random picks by rejection sampling. Slots are 16
// bytes at a load between 0.4 and 0.8 (20 to 40 bytes of table per field), and a blob
// is one small noscan allocation: a 1M-field hash of short fields and values costs about
// 66 bytes a field, against Redis 7.0's 72 (TestHashMemory reports it).

// Hash is a hash value. Slices it returns alias its storage: they are valid until the
// hash is next modified and must not be changed.
type Hash struct {
	lp []byte  // listpack encoding, when t is nil
	n  int     // fields in lp
	t  *htable // hashtable encoding
}

func init() {
	typeOps[TypeHash] = valueOps{
		encoding: func(p unsafe.Pointer) string { return (*Hash)(p).Encoding() },
		clone:    func(p unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer((*Hash)(p).clone()) },
	}
}

// NewHash returns an entry holding an empty hash (listpack encoded), for the caller to
// fill through Entry.Hash before storing it with DB.Set.
func NewHash() *Entry { return newObject(TypeHash, unsafe.Pointer(&Hash{})) }

// Hash returns the value of a hash entry; the caller has checked Type() == TypeHash.
func (e *Entry) Hash() *Hash { return (*Hash)(e.ptr) }

// Encoding is OBJECT ENCODING's name for the hash: "listpack" or "hashtable".
func (h *Hash) Encoding() string {
	if h.t != nil {
		return "hashtable"
	}
	return "listpack"
}

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.t != nil {
		return h.t.n
	}
	return h.n
}

func (h *Hash) clone() *Hash {
	if h.t != nil {
		return &Hash{t: h.t.clone()}
	}
	return &Hash{lp: slices.Clone(h.lp), n: h.n}
}

// hashRecord decodes the record of lp starting at off: its field and value and the offset of
// the next record.
func hashRecord(lp []byte, off int) (field, value []byte, valOff, next int) {
	fl, k := binary.Uvarint(lp[off:])
	off += k
	field = lp[off : off+int(fl)]
	off += int(fl)
	valOff = off
	vl, k := binary.Uvarint(lp[off:])
	off += k
	value = lp[off : off+int(vl)]
	return field, value, valOff, off + int(vl)
}

// lpFind returns the offset of field's record and of its value part, or -1.
func (h *Hash) lpFind(field []byte) (rec, valOff, end int) {
	for off := 0; off < len(h.lp); {
		f, _, vo, next := hashRecord(h.lp, off)
		if bytes.Equal(f, field) {
			return off, vo, next
		}
		off = next
	}
	return -1, -1, -1
}

func hashAppendLen(b []byte, data []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

// hashGrow makes room for extra more bytes in a listpack. It grows by a quarter rather
// than append's doubling: small hashes are numerous, and Redis's listpacks are sized
// exactly.
func hashGrow(lp []byte, extra int) []byte {
	need := len(lp) + extra
	if need <= cap(lp) {
		return lp
	}
	b := make([]byte, len(lp), need+need/4)
	copy(b, lp)
	return b
}

// Get returns a field's value.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.t != nil {
		i := h.t.find(h.t.hash(field), field)
		if i < 0 {
			return nil, false
		}
		_, v := htKV(h.t.slots[i].p)
		return v, true
	}
	_, vo, end := h.lpFind(field)
	if vo < 0 {
		return nil, false
	}
	vl, k := binary.Uvarint(h.lp[vo:])
	return h.lp[vo+k : vo+k+int(vl) : end], true
}

// Exists reports whether the hash has field.
func (h *Hash) Exists(field []byte) bool {
	_, ok := h.Get(field)
	return ok
}

// Set sets field to value and reports whether the field is new. It converts the hash to
// a hashtable first when field or value is longer than lim's hash-max-listpack-value, and
// after adding when the hash has more fields than hash-max-listpack-entries.
func (h *Hash) Set(field, value []byte, lim *Limits) bool {
	if h.t == nil {
		maxValue := lim.HashMaxListpackValue.Load()
		if int64(len(field)) > maxValue || int64(len(value)) > maxValue {
			h.convert()
		}
	}
	if h.t != nil {
		return h.t.set(field, value)
	}
	rec, vo, end := h.lpFind(field)
	if rec >= 0 {
		vl, k := binary.Uvarint(h.lp[vo:])
		if int(vl) == len(value) {
			copy(h.lp[vo+k:end], value)
		} else {
			enc := hashAppendLen(make([]byte, 0, binary.MaxVarintLen32+len(value)), value)
			h.lp = slices.Replace(h.lp, vo, end, enc...)
		}
		return false
	}
	h.lp = hashGrow(h.lp, htUvarintLen(len(field))+len(field)+htUvarintLen(len(value))+len(value))
	h.lp = hashAppendLen(hashAppendLen(h.lp, field), value)
	h.n++
	if int64(h.n) > lim.HashMaxListpackEntries.Load() {
		h.convert()
	}
	return true
}

// Delete removes field and reports whether it was there.
func (h *Hash) Delete(field []byte) bool {
	if h.t != nil {
		i := h.t.find(h.t.hash(field), field)
		if i < 0 {
			return false
		}
		h.t.deleteAt(i)
		return true
	}
	rec, _, end := h.lpFind(field)
	if rec < 0 {
		return false
	}
	h.lp = slices.Delete(h.lp, rec, end)
	h.n--
	return true
}

// convert turns a listpack hash into a hashtable.
func (h *Hash) convert() {
	t := newHTable(h.n)
	for off := 0; off < len(h.lp); {
		f, v, _, next := hashRecord(h.lp, off)
		t.set(f, v)
		off = next
	}
	h.lp, h.n, h.t = nil, 0, t
}

// Range calls fn for every field and value until fn returns false: in insertion order
// for a listpack, in hash order for a hashtable.
func (h *Hash) Range(fn func(field, value []byte) bool) {
	if h.t != nil {
		for _, s := range h.t.slots {
			if s.p != nil {
				if !fn(htKV(s.p)) {
					return
				}
			}
		}
		return
	}
	for off := 0; off < len(h.lp); {
		f, v, _, next := hashRecord(h.lp, off)
		if !fn(f, v) {
			return
		}
		off = next
	}
}

// Scan calls fn for up to count fields whose position is at or after cursor and returns
// the cursor to continue from, 0 when done. A listpack returns every field in one call,
// as Redis does; a hashtable walks fields in hash order (see htable.scan).
func (h *Hash) Scan(cursor uint64, count int, fn func(field, value []byte)) uint64 {
	if h.t != nil {
		return h.t.scan(cursor, count, func(p unsafe.Pointer) { fn(htKV(p)) })
	}
	h.Range(func(f, v []byte) bool { fn(f, v); return true })
	return 0
}

// lpOffsets returns the offsets of the records of a listpack.
func (h *Hash) lpOffsets() []int {
	offs := make([]int, 0, h.n)
	for off := 0; off < len(h.lp); {
		offs = append(offs, off)
		_, _, _, off = hashRecord(h.lp, off)
	}
	return offs
}

// Random returns a field chosen uniformly at random; the hash must not be empty.
func (h *Hash) Random() (field, value []byte) {
	if h.t != nil {
		return htKV(h.t.slots[h.t.randomIndex()].p)
	}
	i := rand.IntN(h.n)
	off := 0
	for ; i > 0; i-- {
		_, _, _, off = hashRecord(h.lp, off)
	}
	f, v, _, _ := hashRecord(h.lp, off)
	return f, v
}

// RandomRepeat calls fn count times with a field chosen uniformly at random each time
// (repetitions allowed: HRANDFIELD with a negative count). The hash must not be empty.
func (h *Hash) RandomRepeat(count int, fn func(field, value []byte)) {
	if h.t != nil {
		for ; count > 0; count-- {
			fn(htKV(h.t.slots[h.t.randomIndex()].p))
		}
		return
	}
	offs := h.lpOffsets()
	for ; count > 0; count-- {
		f, v, _, _ := hashRecord(h.lp, offs[rand.IntN(len(offs))])
		fn(f, v)
	}
}

// RandomDistinct calls fn with count distinct fields chosen at random, in random order;
// count must be less than Len.
func (h *Hash) RandomDistinct(count int, fn func(field, value []byte)) {
	if h.t != nil {
		h.t.randomDistinct(count, func(p unsafe.Pointer) { fn(htKV(p)) })
		return
	}
	offs := h.lpOffsets()
	for i := 0; i < count; i++ {
		j := i + rand.IntN(len(offs)-i)
		offs[i], offs[j] = offs[j], offs[i]
		f, v, _, _ := hashRecord(h.lp, offs[i])
		fn(f, v)
	}
}

// ---- the ordered hash table ----

// htable is a linear-probing hash table whose slots stay sorted by hash (Amble and
// Knuth's ordered hash table): an item's home slot is a monotone function of its hash
// (the top bits, scaled to the table size), an insertion shifts the rest of its run one
// slot right, and a deletion shifts the displaced items after it one slot left. There is
// no wraparound: slack slots after the last home absorb the runs that overflow, and a
// table whose run would reach the end grows. So:
//
//   - an item lives at or after its home, with no empty slot in between, and every
//     item before position home(h) has a hash below h: a lookup starts at home(h) and
//     stops at the first empty slot or larger hash;
//   - walking the slots in order visits items in hash order, so a scan cursor is just
//     the hash of the next item to return;
//   - items are pointers to immutable blobs ((uvarint key len)(uvarint value len) key
//     value), so a clone shares them and a GC pass does not scan their bytes.
type htable struct {
	slots []htSlot
	size  uint64 // number of home positions; len(slots) is size plus slack
	n     int
	// seed is the table's own: with one seed for all, copying a table in iteration
	// order (hash order) into another (SUNIONSTORE, RESTORE) would insert in ascending
	// home order, piling every early item into one run at the start: quadratic.
	seed maphash.Seed
}

type htSlot struct {
	h uint64         // htHash of the item's key
	p unsafe.Pointer // the item's blob; nil for an empty slot
}

const htMinSize = 8

// hash hashes a field or member. The low bit is always set, so no item has hash 0,
// the cursor value that means "start" and "done".
func (t *htable) hash(k []byte) uint64 { return maphash.Bytes(t.seed, k) | 1 }

func newHTable(capacity int) *htable {
	t := &htable{seed: maphash.MakeSeed()}
	t.alloc(max(htMinSize, uint64(capacity)*2))
	return t
}

func (t *htable) alloc(size uint64) {
	t.size = size
	t.slots = make([]htSlot, size+8+size/32)
}

func (t *htable) home(h uint64) int {
	hi, _ := bits.Mul64(h, t.size)
	return int(hi)
}

func (t *htable) clone() *htable {
	return &htable{slots: slices.Clone(t.slots), size: t.size, n: t.n, seed: t.seed}
}

// htBlob packs a key and a value into one allocation.
func htBlob(k, v []byte) unsafe.Pointer {
	n := htUvarintLen(len(k)) + htUvarintLen(len(v)) + len(k) + len(v)
	b := make([]byte, n)
	i := binary.PutUvarint(b, uint64(len(k)))
	i += binary.PutUvarint(b[i:], uint64(len(v)))
	copy(b[i:], k)
	copy(b[i+len(k):], v)
	return unsafe.Pointer(&b[0])
}

func htUvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// htUvarint decodes the uvarint at offset i of a blob.
func htUvarint(p unsafe.Pointer, i int) (int, int) {
	var x, s uint
	for {
		b := *(*byte)(unsafe.Add(p, i))
		i++
		if b < 0x80 {
			return int(x | uint(b)<<s), i
		}
		x |= uint(b&0x7f) << s
		s += 7
	}
}

// htKV returns a blob's key and value. Zero-length parts are empty slices that do not
// point into the blob (a pointer just past an allocation is not valid in Go).
func htKV(p unsafe.Pointer) (k, v []byte) {
	kl, i := htUvarint(p, 0)
	vl, i := htUvarint(p, i)
	k, v = []byte{}, []byte{}
	if kl > 0 {
		k = unsafe.Slice((*byte)(unsafe.Add(p, i)), kl)
	}
	if vl > 0 {
		v = unsafe.Slice((*byte)(unsafe.Add(p, i+kl)), vl)
	}
	return k, v
}

func htKey(p unsafe.Pointer) []byte {
	kl, i := htUvarint(p, 0)
	_, i = htUvarint(p, i)
	if kl == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Add(p, i)), kl)
}

// locate returns the slot of key (hash h), or -1 and the slot where it would be
// inserted.
func (t *htable) locate(h uint64, key []byte) (found, ins int) {
	i := t.home(h)
	for ; i < len(t.slots); i++ {
		s := &t.slots[i]
		if s.p == nil || s.h > h {
			break
		}
		if s.h == h && bytes.Equal(htKey(s.p), key) {
			return i, i
		}
	}
	return -1, i
}

// find returns the slot holding key, or -1.
func (t *htable) find(h uint64, key []byte) int {
	i, _ := t.locate(h, key)
	return i
}

// set stores key with value v and reports whether the key is new.
func (t *htable) set(key, v []byte) bool {
	h := t.hash(key)
	i, ins := t.locate(h, key)
	if i >= 0 {
		t.slots[i].p = htBlob(key, v)
		return false
	}
	t.insert(ins, h, htBlob(key, v))
	return true
}

// insert puts a new item at slot i (from locate), growing the table when it is too
// full or the run would reach the end.
func (t *htable) insert(i int, h uint64, p unsafe.Pointer) {
	for {
		if uint64(t.n+1)*5 <= t.size*4 {
			e := i
			for e < len(t.slots) && t.slots[e].p != nil {
				e++
			}
			if e < len(t.slots) {
				copy(t.slots[i+1:e+1], t.slots[i:e])
				t.slots[i] = htSlot{h, p}
				t.n++
				return
			}
		}
		t.resize(t.size * 2)
		i = t.home(h)
		for i < len(t.slots) && t.slots[i].p != nil && t.slots[i].h <= h {
			i++
		}
	}
}

// deleteAt removes the item at slot i, shrinking a table that became sparse.
func (t *htable) deleteAt(i int) {
	j := i + 1
	for j < len(t.slots) && t.slots[j].p != nil && t.home(t.slots[j].h) < j {
		j++
	}
	copy(t.slots[i:j-1], t.slots[i+1:j])
	t.slots[j-1] = htSlot{}
	t.n--
	if t.size > htMinSize && uint64(t.n)*5 < t.size {
		t.resize(max(htMinSize, uint64(t.n)*2))
	}
}

// resize moves the items to a table of the given number of homes (or more, should the
// last run not fit), keeping their order.
func (t *htable) resize(size uint64) {
	old := t.slots
	for {
		t.alloc(size)
		pos, ok := 0, true
		for _, s := range old {
			if s.p == nil {
				continue
			}
			pos = max(pos, t.home(s.h))
			if pos >= len(t.slots) {
				ok = false
				break
			}
			t.slots[pos] = s
			pos++
		}
		if ok {
			return
		}
		size *= 2
	}
}

// randomIndex returns a uniformly random occupied slot (rejection sampling: the load
// never drops below about 1/5); the table must not be empty.
func (t *htable) randomIndex() int {
	for {
		if i := rand.IntN(len(t.slots)); t.slots[i].p != nil {
			return i
		}
	}
}

// randomDistinct calls fn with count distinct random items (count < t.n).
func (t *htable) randomDistinct(count int, fn func(p unsafe.Pointer)) {
	if count*3 > t.n {
		// Many of them: a partial shuffle of all items.
		all := make([]unsafe.Pointer, 0, t.n)
		for _, s := range t.slots {
			if s.p != nil {
				all = append(all, s.p)
			}
		}
		for i := 0; i < count; i++ {
			j := i + rand.IntN(len(all)-i)
			all[i], all[j] = all[j], all[i]
			fn(all[i])
		}
		return
	}
	seen := make(map[int]struct{}, count)
	for len(seen) < count {
		i := t.randomIndex()
		if _, dup := seen[i]; dup {
			continue
		}
		seen[i] = struct{}{}
		fn(t.slots[i].p)
	}
}

// scan calls fn for up to count items whose hash is at least cursor, in hash order, and
// returns the hash of the next item (0 when there is none). Items present for a whole
// scan are returned at least once whatever is inserted or deleted meanwhile, since
// neither changes the order of the others.
func (t *htable) scan(cursor uint64, count int, fn func(p unsafe.Pointer)) uint64 {
	i := t.home(cursor)
	for i < len(t.slots) && (t.slots[i].p == nil || t.slots[i].h < cursor) {
		i++
	}
	for ; i < len(t.slots); i++ {
		s := t.slots[i]
		if s.p == nil {
			continue
		}
		if count == 0 {
			return s.h
		}
		count--
		fn(s.p)
	}
	return 0
}
