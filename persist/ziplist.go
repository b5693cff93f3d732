package persist

import "encoding/binary"

// Ziplists and zipmaps: the compact encodings of RDB versions before 10, which Redis
// 7.0 still loads (and converts). Only readers are needed.
//
// A ziplist is
//
//	<total bytes: uint32 LE> <tail offset: uint32 LE> <entries: uint16 LE> <entry>... 0xFF
//	entry: <previous entry's size: 1 byte, or 0xFE and uint32 LE> <encoding> <data>
//
// with strings of 6-bit, 14-bit (big-endian) or 32-bit (big-endian) length, and
// integers of 8, 16, 24, 32 or 64 bits (little-endian) or 0 to 12 inside the encoding
// byte.

const zlHeaderSize = 10

// parseZiplist validates zl as Redis's deep integrity check does (sizes, every entry's
// back-link, the tail offset, the count) and returns its elements.
func parseZiplist(zl []byte) ([]lpElem, error) {
	if len(zl) < zlHeaderSize+1 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xff {
		return nil, badf("ziplist header")
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	count := int(binary.LittleEndian.Uint16(zl[8:]))
	var out []lpElem
	last := len(zl) - 1
	p, prevSize, lastStart := zlHeaderSize, 0, zlHeaderSize
	for p < last {
		e, size, prev, ok := zlDecode(zl[p:last])
		if !ok || prev != prevSize {
			return nil, badf("ziplist entry at %d", p)
		}
		out = append(out, e)
		lastStart = p
		prevSize = size
		p += size
	}
	if tail != lastStart || (count != 0xffff && count != len(out)) {
		return nil, badf("ziplist tail or count")
	}
	return out, nil
}

// zlDecode decodes the entry at the start of b: the element, the entry's total size
// and the previous entry's size it records.
func zlDecode(b []byte) (e lpElem, size, prev int, ok bool) {
	p := 1
	prev = int(b[0])
	if b[0] == 0xfe {
		if len(b) < 5 {
			return e, 0, 0, false
		}
		prev = int(binary.LittleEndian.Uint32(b[1:]))
		p = 5
	} else if b[0] == 0xff {
		return e, 0, 0, false
	}
	if p >= len(b) {
		return e, 0, 0, false
	}
	c := b[p]
	str := func(hdr, n int) (lpElem, int, int, bool) {
		s := p + hdr
		if n < 0 || s+n > len(b) {
			return e, 0, 0, false
		}
		return lpElem{s: b[s : s+n : s+n]}, s + n, prev, true
	}
	num := func(width int) (lpElem, int, int, bool) {
		if p+1+width > len(b) {
			return e, 0, 0, false
		}
		var u uint64
		for k := width; k >= 1; k-- {
			u = u<<8 | uint64(b[p+k])
		}
		shift := 64 - 8*width
		return lpElem{i: int64(u<<shift) >> shift, isInt: true}, p + 1 + width, prev, true
	}
	switch {
	case c>>6 == 0:
		return str(1, int(c&0x3f))
	case c>>6 == 1:
		if p+2 > len(b) {
			return e, 0, 0, false
		}
		return str(2, int(c&0x3f)<<8|int(b[p+1]))
	case c>>6 == 2:
		if p+5 > len(b) {
			return e, 0, 0, false
		}
		return str(5, int(binary.BigEndian.Uint32(b[p+1:])))
	case c == 0xc0:
		return num(2)
	case c == 0xd0:
		return num(4)
	case c == 0xe0:
		return num(8)
	case c == 0xf0:
		return num(3)
	case c == 0xfe:
		return num(1)
	case c >= 0xf1 && c <= 0xfd:
		return lpElem{i: int64(c&0x0f) - 1, isInt: true}, p + 1, prev, true
	}
	return e, 0, 0, false
}

// parseZipmap validates a zipmap (the hash encoding of RDB before version 4) and
// returns its fields and values, alternating:
//
//	<count: 1 byte, 254 = unknown> (<len> field <len> <free: 1 byte> value <free bytes>)... 0xFF
//
// where a length is one byte below 254, or 254 and a uint32 LE.
func parseZipmap(zm []byte) ([][]byte, error) {
	if len(zm) < 2 {
		return nil, badf("zipmap size")
	}
	last := len(zm) - 1
	p := 1
	readLen := func() (int, bool) {
		if p >= last {
			return 0, false
		}
		if zm[p] < 254 {
			p++
			return int(zm[p-1]), true
		}
		if zm[p] == 255 || p+5 > last {
			return 0, false
		}
		n := int(binary.LittleEndian.Uint32(zm[p+1:]))
		p += 5
		return n, true
	}
	var out [][]byte
	for p < last && zm[p] != 0xff {
		kl, ok := readLen()
		if !ok || kl > last-p {
			return nil, badf("zipmap key at %d", p)
		}
		key := zm[p : p+kl : p+kl]
		p += kl
		vl, ok := readLen()
		if !ok || p >= last {
			return nil, badf("zipmap value at %d", p)
		}
		free := int(zm[p])
		p++
		if vl > last-p || free > last-p-vl {
			return nil, badf("zipmap value at %d", p)
		}
		out = append(out, key, zm[p:p+vl:p+vl])
		p += vl + free
	}
	if p != last || zm[last] != 0xff || (zm[0] < 254 && int(zm[0]) != len(out)/2) {
		return nil, badf("zipmap end or count")
	}
	return out, nil
}
