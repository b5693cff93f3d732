package persist

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/cinnabar-db/cinnabar/store"
)

// Listpacks, the compact encoding inside RDB values of Redis 7 (hash, zset and stream
// nodes, quicklist nodes):
//
//	<total bytes: uint32 LE> <elements: uint16 LE, 65535 = unknown> <entry>... 0xFF
//	entry: <encoding and data> <backlen>
//
// An element that is the canonical form of an int64 is stored as an integer (7-bit
// unsigned, 13, 16, 24, 32 or 64-bit signed), any other as a string with a 6, 12 or
// 32-bit length. backlen is the size of the encoding and data, written to be read from
// right to left (7 bits a byte, the high bit set on all but the leftmost byte), so the
// list can be walked backwards.

const (
	lpHeaderSize   = 6
	lpEnd          = 0xff
	lpUnknownCount = 65535
)

// lpWriter builds a listpack.
type lpWriter struct {
	b []byte
	n int
}

func newLPWriter() *lpWriter {
	return &lpWriter{b: make([]byte, lpHeaderSize, 64)}
}

// lpBacklen appends the backlen of an entry of l bytes, with Redis's size thresholds.
func lpBacklen(b []byte, l int) []byte {
	switch {
	case l <= 127:
		return append(b, byte(l))
	case l < 16383:
		return append(b, byte(l>>7), byte(l&127)|128)
	case l < 2097151:
		return append(b, byte(l>>14), byte(l>>7&127)|128, byte(l&127)|128)
	case l < 268435455:
		return append(b, byte(l>>21), byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
	}
	return append(b, byte(l>>28), byte(l>>21&127)|128, byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
}

// Int appends an integer element.
func (w *lpWriter) Int(v int64) {
	start := len(w.b)
	switch {
	case v >= 0 && v <= 127:
		w.b = append(w.b, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint16(v) & 0x1fff
		w.b = append(w.b, 0xc0|byte(u>>8), byte(u))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		w.b = binary.LittleEndian.AppendUint16(append(w.b, 0xf1), uint16(v))
	case v >= -1<<23 && v < 1<<23:
		u := uint32(v)
		w.b = append(w.b, 0xf2, byte(u), byte(u>>8), byte(u>>16))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		w.b = binary.LittleEndian.AppendUint32(append(w.b, 0xf3), uint32(v))
	default:
		w.b = binary.LittleEndian.AppendUint64(append(w.b, 0xf4), uint64(v))
	}
	w.b = lpBacklen(w.b, len(w.b)-start)
	w.n++
}

// String appends an element, as an integer when it is an integer's canonical form.
func (w *lpWriter) String(s []byte) {
	if v, ok := store.ParseInt(s); ok {
		w.Int(v)
		return
	}
	start := len(w.b)
	switch n := len(s); {
	case n < 64:
		w.b = append(w.b, 0x80|byte(n))
	case n < 4096:
		w.b = append(w.b, 0xe0|byte(n>>8), byte(n))
	default:
		w.b = binary.LittleEndian.AppendUint32(append(w.b, 0xf0), uint32(n))
	}
	w.b = append(w.b, s...)
	w.b = lpBacklen(w.b, len(w.b)-start)
	w.n++
}

// Finish completes the header and the end byte and returns the listpack.
func (w *lpWriter) Finish() []byte {
	w.b = append(w.b, lpEnd)
	binary.LittleEndian.PutUint32(w.b, uint32(len(w.b)))
	binary.LittleEndian.PutUint16(w.b[4:], uint16(min(w.n, lpUnknownCount)))
	return w.b
}

// lpElem is a decoded element: an integer, or a string aliasing the listpack.
type lpElem struct {
	s     []byte
	i     int64
	isInt bool
}

// Bytes returns the element as a string (an integer in decimal).
func (e lpElem) Bytes() []byte {
	if e.isInt {
		return strconv.AppendInt(nil, e.i, 10)
	}
	return e.s
}

// Int returns the element as an integer: its value, or a string that parses as one.
func (e lpElem) Int() (int64, bool) {
	if e.isInt {
		return e.i, true
	}
	return store.ParseInt(e.s)
}

// parseListpack validates lp as Redis's deep integrity check does (header size and
// count, every entry's encoding, bounds and backlen, the end byte) and returns its
// elements.
func parseListpack(lp []byte) ([]lpElem, error) { return listpackElems(lp, true) }

// listpackElems is parseListpack, checking the header's element count only when
// checkCount is set: Redis walks a stream node's listpack with checks of its own,
// which skip the count.
func listpackElems(lp []byte, checkCount bool) ([]lpElem, error) {
	if len(lp) < lpHeaderSize+1 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != lpEnd {
		return nil, badf("listpack header")
	}
	count := int(binary.LittleEndian.Uint16(lp[4:]))
	var out []lpElem
	if count != lpUnknownCount {
		out = make([]lpElem, 0, min(count, len(lp)/2))
	}
	last := len(lp) - 1
	var backlen [5]byte
	for p := lpHeaderSize; p < last; {
		e, size, ok := lpDecode(lp[p:last])
		if !ok {
			return nil, badf("listpack entry at %d", p)
		}
		bl := lpBacklen(backlen[:0], size)
		if p+size+len(bl) > last || string(lp[p+size:p+size+len(bl)]) != string(bl) {
			return nil, badf("listpack backlen at %d", p)
		}
		out = append(out, e)
		p += size + len(bl)
	}
	if checkCount && count != lpUnknownCount && count != len(out) {
		return nil, badf("listpack count %d, %d elements", count, len(out))
	}
	return out, nil
}

// lpDecode decodes the entry at the start of b (which excludes the end byte) and
// returns it with the size of its encoding and data.
func lpDecode(b []byte) (lpElem, int, bool) {
	c := b[0]
	str := func(hdr, n int) (lpElem, int, bool) {
		if n < 0 || hdr+n > len(b) {
			return lpElem{}, 0, false
		}
		return lpElem{s: b[hdr : hdr+n : hdr+n]}, hdr + n, true
	}
	switch {
	case c < 0x80:
		return lpElem{i: int64(c), isInt: true}, 1, true
	case c < 0xc0:
		return str(1, int(c&0x3f))
	case c < 0xe0:
		if len(b) < 2 {
			return lpElem{}, 0, false
		}
		u := int64(c&0x1f)<<8 | int64(b[1])
		if u >= 1<<12 {
			u -= 1 << 13
		}
		return lpElem{i: u, isInt: true}, 2, true
	case c < 0xf0:
		if len(b) < 2 {
			return lpElem{}, 0, false
		}
		return str(2, int(c&0x0f)<<8|int(b[1]))
	}
	var width int
	switch c {
	case 0xf0:
		if len(b) < 5 {
			return lpElem{}, 0, false
		}
		return str(5, int(binary.LittleEndian.Uint32(b[1:])))
	case 0xf1:
		width = 2
	case 0xf2:
		width = 3
	case 0xf3:
		width = 4
	case 0xf4:
		width = 8
	default:
		return lpElem{}, 0, false
	}
	if len(b) < 1+width {
		return lpElem{}, 0, false
	}
	var u uint64
	for k := width; k >= 1; k-- {
		u = u<<8 | uint64(b[k])
	}
	shift := 64 - 8*width
	return lpElem{i: int64(u<<shift) >> shift, isInt: true}, 1 + width, true
}
