package store

import (
	"math"
	"strconv"
	"unsafe"
)

// Type is a value's Redis type.
type Type uint8

// The Redis types. HyperLogLogs are strings, as in Redis.
const (
	TypeString Type = iota
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
)

var typeNames = [...]string{"string", "list", "set", "zset", "hash", "stream"}

// String returns the name TYPE replies with.
func (t Type) String() string { return typeNames[t] }

// ParseType maps a TYPE name (as SCAN's TYPE option takes it) to a Type.
func ParseType(name string) (Type, bool) {
	for i, n := range typeNames {
		if n == name {
			return Type(i), true
		}
	}
	return 0, false
}

// valueOps are what the keyspace needs of a non-string type; each type's file fills its
// row of typeOps from an init function, so a type's encodings stay in its own file.
type valueOps struct {
	encoding func(p unsafe.Pointer) string         // OBJECT ENCODING's name
	clone    func(p unsafe.Pointer) unsafe.Pointer // a deep copy (COPY)
}

var typeOps [TypeStream + 1]valueOps

// newObject wraps a non-string value in an entry.
func newObject(t Type, p unsafe.Pointer) *Entry { return &Entry{typ: t, ptr: p} }

// Entry flags.
const (
	flagRawString uint8 = 1 << iota // string mutated in place: OBJECT ENCODING says raw
	flagNoInt                       // string written as text (INCRBYFLOAT): never "int"
)

// Entry is one key's value and metadata. Only the type's own accessors read the value.
// An Entry is 32 bytes: strings keep their bytes behind ptr (len n, capacity c), other
// types keep a pointer to their object there.
type Entry struct {
	ptr      unsafe.Pointer
	n, c     uint32
	expireAt int64  // unix milliseconds; 0 means no expiry
	lru      uint32 // LRU clock (seconds) or LFU data, as maxmemory-policy says
	typ      Type
	flags    uint8
	refs     uint8 // keys the entry is stored under (see shard.dropped)
}

// Type reports the value's type.
func (e *Entry) Type() Type { return e.typ }

// ExpireAt returns the expiry deadline in unix milliseconds, 0 if the key persists.
func (e *Entry) ExpireAt() int64 { return e.expireAt }

// LRU returns the access clock (or LFU data) kept for eviction.
func (e *Entry) LRU() uint32 { return e.lru }

// NewString returns a string entry holding a copy of b.
func NewString(b []byte) *Entry {
	e := &Entry{typ: TypeString}
	e.setBytes(b)
	return e
}

// NewStringText returns a string entry that OBJECT ENCODING never reports as "int"
// (as Redis does for INCRBYFLOAT results).
func NewStringText(b []byte) *Entry {
	e := NewString(b)
	e.flags |= flagNoInt
	return e
}

func (e *Entry) setBytes(b []byte) {
	if len(b) == 0 {
		e.ptr, e.n, e.c = nil, 0, 0
		return
	}
	buf := make([]byte, len(b))
	copy(buf, b)
	e.ptr, e.n, e.c = unsafe.Pointer(&buf[0]), uint32(len(b)), uint32(len(b))
}

// Bytes returns a string value. The slice is the stored value: callers must not keep
// it past the shard lock nor modify it (use Grow to change it in place).
func (e *Entry) Bytes() []byte {
	if e.ptr == nil {
		return nil
	}
	return unsafe.Slice((*byte)(e.ptr), e.c)[:e.n]
}

// Grow makes a string value n bytes long, zero-filling new bytes, and returns it for
// in-place modification; the caller then reports the change with DB.Changed.
// Growth is amortised like Redis's sds (double, or 1 MB more past 1 MB, then all of
// the allocation's size class), so APPEND loops stay linear and the capacity, which
// MEMORY USAGE reports, is Redis's.
func (e *Entry) Grow(n int) []byte {
	e.flags |= flagRawString
	if n <= int(e.c) {
		b := unsafe.Slice((*byte)(e.ptr), e.c)[:n]
		clear(b[e.n:])
		e.n = uint32(n)
		return b
	}
	newCap := n
	switch {
	case e.n == 0: // a new value is sized exactly; only growth of existing data is amortised
	case n < 1<<20:
		newCap = sdsGrowCap(n * 2)
	default:
		newCap = sdsGrowCap(n + 1<<20)
	}
	buf := make([]byte, n, newCap)
	copy(buf, e.Bytes())
	e.ptr, e.n, e.c = unsafe.Pointer(&buf[0]), uint32(n), uint32(newCap)
	return buf
}

// Overwrite replaces a string value in place, reusing its storage when it fits; the
// value then reads as freshly set (OBJECT ENCODING may say "int" again). The caller
// reports the change with DB.Changed.
func (e *Entry) Overwrite(b []byte) {
	e.flags = 0
	if len(b) > int(e.c) || len(b) == 0 {
		e.setBytes(b)
		return
	}
	copy(unsafe.Slice((*byte)(e.ptr), e.c), b)
	e.n = uint32(len(b))
}

// SetExpireAt sets the deadline of an entry that is not stored yet (before DB.Set);
// stored entries change deadline through DB.SetExpire.
func (e *Entry) SetExpireAt(at int64) { e.expireAt = at }

// Encoding reports the name OBJECT ENCODING gives this value.
func (e *Entry) Encoding() string {
	switch e.typ {
	default:
		return typeOps[e.typ].encoding(e.ptr)
	case TypeString:
		if e.flags&flagRawString != 0 {
			return "raw"
		}
		b := e.Bytes()
		if _, isInt := ParseInt(b); e.flags&flagNoInt == 0 && isInt {
			return "int"
		}
		if len(b) <= 44 {
			return "embstr"
		}
		return "raw"
	}
}

// ParseInt parses b the way Redis's string2ll does: optional minus, no plus sign, no
// leading zeros, no spaces, within int64. A string it accepts is exactly the canonical
// form of its value, which is when Redis stores a string as an integer.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] >= '0' && b[0] <= '9' {
		return int64(b[0] - '0'), true
	}
	neg := b[0] == '-'
	d := b
	if neg {
		d = b[1:]
	}
	if len(d) == 0 || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	var u uint64
	for _, ch := range d {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(ch-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// Clone returns a deep copy of the value with the same expiry (COPY).
func (e *Entry) Clone() *Entry {
	c := &Entry{typ: e.typ, expireAt: e.expireAt, flags: e.flags}
	if e.typ == TypeString {
		c.setBytes(e.Bytes())
	} else {
		c.ptr = typeOps[e.typ].clone(e.ptr)
	}
	return c
}

// RefCount is what OBJECT REFCOUNT reports: Redis shares the integers 0..9999, which
// report INT_MAX; every other value has one reference.
func (e *Entry) RefCount() int64 {
	if e.typ == TypeString && e.Encoding() == "int" {
		if n, err := strconv.Atoi(string(e.Bytes())); err == nil && n >= 0 && n < 10000 {
			return 2147483647
		}
	}
	return 1
}

// IdleSeconds is the time since the key was last accessed, at LRU clock resolution.
func (e *Entry) IdleSeconds(nowMs int64) int64 {
	now := lruClock(nowMs)
	if now >= e.lru {
		return int64(now - e.lru)
	}
	return int64(now + (lruClockMax - e.lru)) // Redis's wrap: one short of a full period
}
