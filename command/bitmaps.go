package command

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// Bitmaps are strings read as bit arrays, most significant bit of each byte first.
// Writes grow the string with zero bytes; reads past the end see zeros.

var (
	evSetBit = store.Event{Class: store.ClassString, Name: "setbit"}

	errBitOffset     error = Err(resp.ErrBitOffset)
	errBitValue      error = Err(resp.ErrBitValue)
	errBitArg        error = Err("ERR The bit argument must be 1 or 0.")
	errBitopNot      error = Err("ERR BITOP NOT must be called with a single source key.")
	errBitfieldType  error = Err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
	errBitfieldOflow error = Err("ERR Invalid OVERFLOW type specified")
	errBitfieldRO    error = Err("ERR BITFIELD_RO only supports the GET subcommand")
)

// maxBitOffset bounds bit offsets: a bitmap addresses at most proto-max-bulk-len bytes.
const maxBitOffset = MaxStringLen*8 - 1

// BitmapCommands are the bitmap family's rows.
var BitmapCommands = []*Spec{
	{Name: "setbit", Arity: 4, Flags: Write | DenyOOM, Cat: CatBitmap, Do: cmdSetBit},
	{Name: "getbit", Arity: 3, Flags: ReadOnly | Fast, Cat: CatBitmap, Do: cmdGetBit},
	{Name: "bitcount", Arity: -2, Flags: ReadOnly, Cat: CatBitmap, Do: cmdBitCount},
	{Name: "bitpos", Arity: -3, Flags: ReadOnly, Cat: CatBitmap, Do: cmdBitPos},
	{Name: "bitop", Arity: -4, Flags: Write | DenyOOM, Cat: CatBitmap, Do: cmdBitOp},
	{Name: "bitfield", Arity: -2, Flags: Write | DenyOOM, KeysFunc: bitfieldKeys, Cat: CatBitmap, Do: cmdBitField},
	{Name: "bitfield_ro", Arity: -2, Flags: ReadOnly | Fast, Cat: CatBitmap, Do: cmdBitField},
}

// parseBitOffset reads a SETBIT/GETBIT offset: 0 to 2^32-1.
func parseBitOffset(arg []byte) (uint64, error) {
	n, ok := ParseInt(arg)
	if !ok || n < 0 || n > maxBitOffset {
		return 0, errBitOffset
	}
	return uint64(n), nil
}

func cmdSetBit(c *Ctx) error {
	off, err := parseBitOffset(c.Args[2])
	if err != nil {
		return err
	}
	v, ok := ParseInt(c.Args[3])
	if !ok || v&^1 != 0 {
		return errBitValue
	}
	key := c.Args[1]
	e, err := writeString(c.DB, key)
	if err != nil {
		return err
	}
	i, shift := int(off>>3), 7-uint(off&7)
	created := e == nil
	if created {
		e = store.NewString(nil)
	}
	n := len(e.Bytes())
	grown := i >= n
	// Grow also when the length stays: the value is then edited in place (raw), as
	// Redis unshares it before looking at the bit.
	b := e.Grow(max(n, i+1))
	old := int64(b[i] >> shift & 1)
	b[i] = b[i]&^(1<<shift) | byte(v)<<shift
	switch {
	case created:
		c.DB.Set(key, e, evSetBit)
	case grown || old != v:
		c.DB.Changed(key, evSetBit)
	}
	c.W.Int(old)
	return nil
}

func cmdGetBit(c *Ctx) error {
	off, err := parseBitOffset(c.Args[2])
	if err != nil {
		return err
	}
	e, err := lookupString(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	var bit int64
	if e != nil {
		if b, i := e.Bytes(), off>>3; i < uint64(len(b)) {
			bit = int64(b[i] >> (7 - off&7) & 1)
		}
	}
	c.W.Int(bit)
	return nil
}

// parseBitUnit reads the BYTE|BIT argument of BITCOUNT and BITPOS.
func parseBitUnit(c *Ctx, i int) (isBit bool, err error) {
	switch {
	case c.Is(i, "bit"):
		return true, nil
	case c.Is(i, "byte"):
		return false, nil
	}
	return false, ErrSyntax
}

// clampRange resolves start and end (negative counts from the end) against total
// units; ok is false when the range is empty.
func clampRange(start, end, total int64) (int64, int64, bool) {
	if start < 0 {
		start = max(start+total, 0)
	}
	if end < 0 {
		end = max(end+total, 0)
	}
	end = min(end, total-1)
	return start, end, start <= end
}

func cmdBitCount(c *Ctx) error {
	e, err := lookupString(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if e == nil {
		c.W.Int(0)
		return nil
	}
	b := e.Bytes()
	var start, end int64
	isBit := false
	switch len(c.Args) {
	case 2:
		c.W.Int(popcount(b))
		return nil
	case 4, 5:
		if start, err = c.Int(2); err != nil {
			return err
		}
		if end, err = c.Int(3); err != nil {
			return err
		}
		if len(c.Args) == 5 {
			if isBit, err = parseBitUnit(c, 4); err != nil {
				return err
			}
		}
	default:
		return ErrSyntax
	}
	if start < 0 && end < 0 && start > end {
		c.W.Int(0)
		return nil
	}
	total := int64(len(b))
	if isBit {
		total *= 8
	}
	start, end, ok := clampRange(start, end, total)
	if !ok {
		c.W.Int(0)
		return nil
	}
	if !isBit {
		c.W.Int(popcount(b[start : end+1]))
		return nil
	}
	first, last := start>>3, end>>3
	n := popcount(b[first : last+1])
	n -= int64(bits.OnesCount8(b[first] &^ (0xff >> (start & 7))))
	n -= int64(bits.OnesCount8(b[last] & (0xff >> (end&7 + 1))))
	c.W.Int(n)
	return nil
}

// popcount counts the set bits of b, a word at a time.
func popcount(b []byte) int64 {
	var n int
	for len(b) >= 32 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b)) +
			bits.OnesCount64(binary.LittleEndian.Uint64(b[8:])) +
			bits.OnesCount64(binary.LittleEndian.Uint64(b[16:])) +
			bits.OnesCount64(binary.LittleEndian.Uint64(b[24:]))
		b = b[32:]
	}
	for len(b) >= 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return int64(n)
}

func cmdBitPos(c *Ctx) error {
	want, err := c.Int(2)
	if err != nil {
		return err
	}
	if want&^1 != 0 {
		return errBitArg
	}
	e, err := lookupString(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	if e == nil {
		// A missing key is an endless run of zeros.
		if want == 1 {
			c.W.Int(-1)
		} else {
			c.W.Int(0)
		}
		return nil
	}
	b := e.Bytes()
	var start, end int64
	endGiven, isBit := false, false
	switch n := len(c.Args); {
	case n > 6:
		return ErrSyntax
	case n >= 4:
		if start, err = c.Int(3); err != nil {
			return err
		}
		if n == 6 {
			if isBit, err = parseBitUnit(c, 5); err != nil {
				return err
			}
		}
		if n >= 5 {
			if end, err = c.Int(4); err != nil {
				return err
			}
			endGiven = true
		}
	}
	total := int64(len(b))
	if isBit {
		total *= 8
	}
	if !endGiven {
		end = total - 1
	}
	start, end, ok := clampRange(start, end, total)
	if !ok {
		c.W.Int(-1)
		return nil
	}
	first, last := start, end
	firstMask, lastMask := byte(0xff), byte(0xff)
	if isBit {
		first, last = start>>3, end>>3
		firstMask = 0xff >> (start & 7)
		lastMask = 0xff << (7 - end&7)
	}
	pos := findBit(b[first:last+1], byte(want), firstMask, lastMask)
	switch {
	case pos >= 0:
		c.W.Int(first*8 + pos)
	case want == 0 && !endGiven:
		// Searching for a clear bit past the end of the string finds the padding.
		c.W.Int((last + 1) * 8)
	default:
		c.W.Int(-1)
	}
	return nil
}

// findBit returns the index of the first bit equal to want in b, looking only at the
// bits firstMask keeps in b[0] and lastMask keeps in the last byte; -1 if none.
func findBit(b []byte, want, firstMask, lastMask byte) int64 {
	flip := want - 1 // 0xff when searching for a clear bit: look for a set bit in ^x
	at := func(i int) byte {
		x := b[i] ^ flip
		if i == 0 {
			x &= firstMask
		}
		if i == len(b)-1 {
			x &= lastMask
		}
		return x
	}
	if x := at(0); x != 0 {
		return int64(bits.LeadingZeros8(x))
	}
	skip := uint64(flip) * 0x0101010101010101
	i := 1
	for ; i+8 < len(b) && binary.LittleEndian.Uint64(b[i:]) == skip; i += 8 {
	}
	for ; i < len(b); i++ {
		if x := at(i); x != 0 {
			return int64(i)*8 + int64(bits.LeadingZeros8(x))
		}
	}
	return -1
}

const (
	bitopAnd = iota
	bitopOr
	bitopXor
	bitopNot
)

func cmdBitOp(c *Ctx) error {
	var op int
	switch {
	case c.Is(1, "and"):
		op = bitopAnd
	case c.Is(1, "or"):
		op = bitopOr
	case c.Is(1, "xor"):
		op = bitopXor
	case c.Is(1, "not"):
		op = bitopNot
	default:
		return ErrSyntax
	}
	dest, keys := c.Args[2], c.Args[3:]
	if op == bitopNot && len(keys) != 1 {
		return errBitopNot
	}
	var small [8][]byte
	srcs := small[:0]
	maxLen := 0
	for _, k := range keys {
		e, err := lookupString(c.DB, k)
		if err != nil {
			return err
		}
		var v []byte
		if e != nil {
			v = e.Bytes()
		}
		srcs = append(srcs, v)
		maxLen = max(maxLen, len(v))
	}
	if maxLen == 0 {
		c.DB.Delete(dest, store.EvDel)
		c.W.Int(0)
		return nil
	}
	// The sources may include dest: build the result in a fresh entry.
	e := store.NewString(nil)
	res := e.Grow(maxLen)
	copy(res, srcs[0])
	if op == bitopNot {
		for i := range res {
			res[i] = ^res[i]
		}
	}
	for _, src := range srcs[1:] {
		n := len(src)
		i := 0
		for ; i+8 <= n; i += 8 {
			r, s := binary.LittleEndian.Uint64(res[i:]), binary.LittleEndian.Uint64(src[i:])
			switch op {
			case bitopAnd:
				r &= s
			case bitopOr:
				r |= s
			case bitopXor:
				r ^= s
			}
			binary.LittleEndian.PutUint64(res[i:], r)
		}
		for ; i < n; i++ {
			switch op {
			case bitopAnd:
				res[i] &= src[i]
			case bitopOr:
				res[i] |= src[i]
			case bitopXor:
				res[i] ^= src[i]
			}
		}
		if op == bitopAnd {
			clear(res[n:]) // a shorter source is padded with zeros
		}
	}
	c.DB.Set(dest, e, evSet)
	c.W.Int(int64(maxLen))
	return nil
}

// BITFIELD

const (
	bfGet = iota
	bfSet
	bfIncrBy
)

const (
	overflowWrap = iota
	overflowSat
	overflowFail
)

type bitfieldOp struct {
	kind     uint8
	overflow uint8
	signed   bool
	bits     uint8
	off      uint64
	val      int64
}

// parseBitfieldType reads i1..i64 or u1..u63.
func parseBitfieldType(arg []byte) (signed bool, width uint8, err error) {
	if len(arg) < 2 || (arg[0] != 'i' && arg[0] != 'u') {
		return false, 0, errBitfieldType
	}
	signed = arg[0] == 'i'
	n, ok := ParseInt(arg[1:])
	if !ok || n < 1 || n > 64 || (!signed && n == 64) {
		return false, 0, errBitfieldType
	}
	return signed, uint8(n), nil
}

// parseBitfieldOffset reads a plain bit offset or "#n", which counts fields of width
// bits. Like Redis, the multiplication wraps silently and only the product is checked.
func parseBitfieldOffset(arg []byte, width uint8) (uint64, error) {
	mul := false
	if len(arg) > 0 && arg[0] == '#' {
		arg, mul = arg[1:], true
	}
	n, ok := ParseInt(arg)
	if mul {
		n *= int64(width)
	}
	if !ok || n < 0 || n > maxBitOffset {
		return 0, errBitOffset
	}
	return uint64(n), nil
}

func cmdBitField(c *Ctx) error {
	readOnly := c.Spec.Flags&ReadOnly != 0
	var small [8]bitfieldOp
	ops := small[:0]
	overflow := uint8(overflowWrap)
	writes := false
	var need int // bytes the writes need
	for i := 2; i < len(c.Args); {
		var op bitfieldOp
		left := len(c.Args) - i - 1
		switch {
		case c.Is(i, "get") && left >= 2:
			op.kind = bfGet
		case c.Is(i, "set") && left >= 3:
			op.kind = bfSet
		case c.Is(i, "incrby") && left >= 3:
			op.kind = bfIncrBy
		case c.Is(i, "overflow") && left >= 1:
			switch {
			case c.Is(i+1, "wrap"):
				overflow = overflowWrap
			case c.Is(i+1, "sat"):
				overflow = overflowSat
			case c.Is(i+1, "fail"):
				overflow = overflowFail
			default:
				return errBitfieldOflow
			}
			i += 2
			continue
		default:
			return ErrSyntax
		}
		var err error
		if op.signed, op.bits, err = parseBitfieldType(c.Args[i+1]); err != nil {
			return err
		}
		if op.off, err = parseBitfieldOffset(c.Args[i+2], op.bits); err != nil {
			return err
		}
		i += 3
		if op.kind != bfGet {
			if op.val, err = c.Int(i); err != nil {
				return err
			}
			i++
			writes = true
			need = max(need, int((op.off+uint64(op.bits)-1)>>3)+1)
		}
		op.overflow = overflow
		ops = append(ops, op)
	}
	if readOnly && writes {
		return errBitfieldRO
	}

	key := c.Args[1]
	var e *store.Entry
	var b []byte
	var err error
	created := false
	if writes {
		if e, err = writeString(c.DB, key); err != nil {
			return err
		}
		if e == nil {
			e, created = store.NewString(nil), true
		}
		b = e.Grow(max(len(e.Bytes()), need))
	} else {
		if e, err = lookupString(c.DB, key); err != nil {
			return err
		}
		if e != nil {
			b = e.Bytes()
		}
	}

	changes := 0
	c.W.Array(len(ops))
	for i := range ops {
		op := &ops[i]
		old := getField(b, op.off, op.bits)
		if op.signed {
			old = signExtend(old, op.bits)
		}
		if op.kind == bfGet {
			c.W.Int(int64(old))
			continue
		}
		var v uint64
		var ok bool
		switch {
		case op.signed && op.kind == bfSet:
			v, ok = signedField(op.val, 0, op.bits, op.overflow)
		case op.signed:
			v, ok = signedField(int64(old), op.val, op.bits, op.overflow)
		case op.kind == bfSet:
			v, ok = unsignedField(uint64(op.val), 0, op.bits, op.overflow)
		default:
			v, ok = unsignedField(old, op.val, op.bits, op.overflow)
		}
		if !ok {
			c.W.Null()
			continue
		}
		setField(b, op.off, op.bits, v)
		changes++
		if op.kind == bfSet {
			c.W.Int(int64(old))
		} else if op.signed {
			c.W.Int(int64(signExtend(v, op.bits)))
		} else {
			c.W.Int(int64(v))
		}
	}
	// Redis counts each field written.
	switch {
	case created && changes > 0:
		c.DB.SetN(key, e, evSetBit, int64(changes))
	case created:
		// Redis creates the zero-filled key even when every write failed, and
		// reports no event or change for it.
		c.DB.SetN(key, e, store.Event{}, 0)
	case changes > 0:
		c.DB.ChangedN(key, evSetBit, int64(changes))
	}
	return nil
}

// getField reads width bits at bit offset off as an unsigned number; bits past the
// end of b read as zero.
func getField(b []byte, off uint64, width uint8) uint64 {
	var v uint64
	for i := uint64(0); i < uint64(width); i++ {
		p := off + i
		v <<= 1
		if j := p >> 3; j < uint64(len(b)) {
			v |= uint64(b[j]>>(7-p&7)) & 1
		}
	}
	return v
}

// setField writes the low width bits of v at bit offset off; b covers them.
func setField(b []byte, off uint64, width uint8, v uint64) {
	for i := uint64(0); i < uint64(width); i++ {
		p := off + i
		bit := byte(v>>(uint64(width)-1-i)) & 1
		shift := 7 - p&7
		b[p>>3] = b[p>>3]&^(1<<shift) | bit<<shift
	}
}

// signExtend reads the low width bits of v as a two's complement number.
func signExtend(v uint64, width uint8) uint64 {
	if width == 64 {
		return v
	}
	if v>>(width-1)&1 != 0 {
		return v | ^uint64(0)<<width
	}
	return v &^ (^uint64(0) << width)
}

// signedField computes val+incr as a signed width-bit field under the overflow
// policy; ok is false when the policy is FAIL and the result does not fit. The
// result is returned as raw bits (only the low width bits matter).
func signedField(val, incr int64, width uint8, overflow uint8) (uint64, bool) {
	hi := int64(math.MaxInt64)
	if width < 64 {
		hi = 1<<(width-1) - 1
	}
	lo := -hi - 1
	var over, under bool
	if width == 64 {
		over = val >= 0 && incr > 0 && incr > hi-val
		under = val < 0 && incr < 0 && incr < lo-val
	} else {
		// The margins wrap like Redis's: a SET of a value below hi-MaxInt64 finds a
		// negative margin and counts as an overflow, so SAT stores the maximum.
		over = val > hi || incr > hi-val
		under = !over && (val < lo || incr < lo-val)
	}
	switch {
	case !over && !under:
		return uint64(val + incr), true
	case overflow == overflowFail:
		return 0, false
	case overflow == overflowSat && over:
		return uint64(hi), true
	case overflow == overflowSat:
		return uint64(lo), true
	}
	return uint64(val) + uint64(incr), true
}

// unsignedField is signedField for unsigned fields (width at most 63). A SET of a
// negative value reads it as a huge unsigned number, so it saturates to the maximum.
func unsignedField(val uint64, incr int64, width uint8, overflow uint8) (uint64, bool) {
	hi := uint64(1)<<width - 1
	over := val > hi || (incr > 0 && uint64(incr) > hi-val)
	under := !over && incr < 0 && uint64(-incr) > val
	switch {
	case !over && !under:
		return (val + uint64(incr)) & hi, true
	case overflow == overflowFail:
		return 0, false
	case overflow == overflowSat && over:
		return hi, true
	case overflow == overflowSat:
		return 0, true
	}
	return (val + uint64(incr)) & hi, true
}
