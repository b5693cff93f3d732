package hll

import (
	"strconv"
	"strings"
)

// Sparse opcodes (see the package documentation).
const (
	opXZero = 0x40 // 01xxxxxx yyyyyyyy
	opVal   = 0x80 // 1vvvvvxx
)

// opcode is one decoded sparse opcode: run registers of value val, size bytes long.
type opcode struct {
	run  int
	val  uint8
	size int
}

// decodeOp decodes the opcode at b[p]. A truncated XZERO reads its missing byte as 0.
func decodeOp(b []byte, p int) opcode {
	op := b[p]
	switch {
	case op&opVal != 0:
		return opcode{run: int(op&3) + 1, val: (op>>2)&0x1f + 1, size: 1}
	case op&opXZero != 0:
		var lo byte
		if p+1 < len(b) {
			lo = b[p+1]
		}
		return opcode{run: (int(op&0x3f)<<8 | int(lo)) + 1, size: 2}
	default:
		return opcode{run: int(op) + 1, size: 1}
	}
}

func valOp(v uint8, run int) byte { return opVal | (v-1)<<2 | byte(run-1) }

func putXZero(b []byte, run int) {
	b[0] = opXZero | byte((run-1)>>8)
	b[1] = byte(run - 1)
}

// putZero writes the shortest zero opcode for run registers and returns its size.
func putZero(b []byte, run int) int {
	if run > zeroMaxLen {
		putXZero(b, run)
		return 2
	}
	b[0] = byte(run - 1)
	return 1
}

// walkSparse calls f with each opcode of a sparse HLL until f returns false.
func walkSparse(b []byte, f func(op opcode) bool) bool {
	for p := HeaderSize; p < len(b); {
		op := decodeOp(b, p)
		if !f(op) {
			return false
		}
		p += op.size
	}
	return true
}

// sparseHisto counts a sparse HLL's registers by value; false if the runs do not cover
// exactly the registers.
func sparseHisto(b []byte, h *histogram) bool {
	idx := 0
	for p := HeaderSize; p < len(b); {
		op := decodeOp(b, p)
		h[op.val] += op.run
		idx += op.run
		p += op.size
	}
	return idx == Registers
}

// sparseSet raises register index of a sparse HLL to val if it is lower, in Redis's
// steps, so the bytes left behind are Redis's:
//
//  1. find the opcode covering the register (and the one before it);
//  2. a VAL already >= val needs nothing; a VAL or ZERO of run 1 is rewritten in place;
//     anything else is split into up to three opcodes (zeros or old value before, the
//     new VAL, zeros or old value after), each zero run as ZERO if it fits, else XZERO;
//  3. if the split grows the value beyond sparseMax bytes, or val is above 32, the HLL
//     turns dense instead;
//  4. starting at the opcode before the changed one, up to five opcodes are visited and
//     adjacent VALs of equal value whose runs fit one VAL are merged.
func sparseSet(b []byte, index int, val uint8, sparseMax int) ([]byte, bool, error) {
	if val > valMax {
		return promote(b, index, val)
	}
	// Step 1: the hottest loop of the sparse encoding, hence decoded inline.
	end := len(b)
	p, prev, first := HeaderSize, -1, 0
	var op opcode
	for p < end {
		c := b[p]
		switch {
		case c&opVal != 0:
			op = opcode{run: int(c&3) + 1, val: (c>>2)&0x1f + 1, size: 1}
		case c&opXZero == 0:
			op = opcode{run: int(c) + 1, size: 1}
		default:
			op = decodeOp(b, p)
		}
		if index < first+op.run {
			break
		}
		prev = p
		p += op.size
		first += op.run
	}
	if p >= end || p+op.size > end {
		return b, false, ErrCorrupt
	}
	// Step 2.
	switch {
	case op.val >= val:
		return b, false, nil
	case op.run == 1 && op.size == 1: // a VAL or a ZERO covering just this register
		b[p] = valOp(val, 1)
	default:
		var seq [5]byte
		n := 0
		last := first + op.run - 1
		if op.val == 0 {
			if index != first {
				n += putZero(seq[n:], index-first)
			}
			seq[n] = valOp(val, 1)
			n++
			if index != last {
				n += putZero(seq[n:], last-index)
			}
		} else {
			if index != first {
				seq[n] = valOp(op.val, index-first)
				n++
			}
			seq[n] = valOp(val, 1)
			n++
			if index != last {
				seq[n] = valOp(op.val, last-index)
				n++
			}
		}
		// Step 3.
		delta := n - op.size
		if delta > 0 && end+delta > sparseMax {
			return promote(b, index, val)
		}
		next := p + op.size
		if delta > 0 {
			old := b
			if end+delta <= cap(b) {
				b = b[:end+delta]
			} else { // grow like an sds: double
				b = make([]byte, end+delta, 2*(end+delta))
				copy(b, old[:next])
			}
			copy(b[next+delta:], old[next:end])
		} else if delta < 0 {
			copy(b[next+delta:], b[next:end])
			b = b[:end+delta]
		}
		copy(b[p:], seq[:n])
		end += delta
	}
	// Step 4.
	p = prev
	if p < 0 {
		p = HeaderSize
	}
	for scan := 5; p < end && scan > 0; scan-- {
		c := b[p]
		switch {
		case c&opVal == 0 && c&opXZero != 0:
			p += 2
			continue
		case c&opVal == 0:
			p++
			continue
		}
		if p+1 < end && b[p+1]&opVal != 0 {
			v1, v2 := (c>>2)&0x1f, (b[p+1]>>2)&0x1f
			run := int(c&3) + int(b[p+1]&3) + 2
			if v1 == v2 && run <= valMaxLen {
				b[p+1] = valOp(v1+1, run)
				copy(b[p:], b[p+1:end])
				end--
				b = b[:end]
				continue // try merging the merged VAL with the next one
			}
		}
		p++
	}
	Invalidate(b)
	return b, true, nil
}

// promote turns a sparse HLL dense and then sets the register.
func promote(b []byte, index int, val uint8) ([]byte, bool, error) {
	d, err := ToDense(b)
	if err != nil {
		return b, false, err
	}
	denseSet(d[HeaderSize:], index, val)
	Invalidate(d)
	return d, true, nil
}

// Decode renders a sparse HLL's opcodes as PFDEBUG DECODE does: "Z:run" for XZERO,
// "z:run" for ZERO, "v:value,run" for VAL, separated by spaces.
func Decode(b []byte) string {
	var sb strings.Builder
	for p := HeaderSize; p < len(b); {
		op := decodeOp(b, p)
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		switch {
		case op.val != 0:
			sb.WriteString("v:")
			sb.WriteString(strconv.Itoa(int(op.val)))
			sb.WriteByte(',')
		case op.size == 2:
			sb.WriteString("Z:")
		default:
			sb.WriteString("z:")
		}
		sb.WriteString(strconv.Itoa(op.run))
		p += op.size
	}
	return sb.String()
}
