package persist

import (
	"encoding/binary"
	"math"
)

// Intsets, the SET_INTSET value: <width: uint32 LE, 2, 4 or 8> <count: uint32 LE>
// then count integers of that width, little-endian, strictly ascending.

const intsetHeaderSize = 8

// intsetWidth is the narrowest width holding every value of the sorted ints.
func intsetWidth(ints []int64) int {
	if len(ints) == 0 {
		return 2
	}
	lo, hi := ints[0], ints[len(ints)-1]
	switch {
	case lo >= math.MinInt16 && hi <= math.MaxInt16:
		return 2
	case lo >= math.MinInt32 && hi <= math.MaxInt32:
		return 4
	}
	return 8
}

// appendIntset encodes sorted ints at the narrowest width.
func appendIntset(b []byte, ints []int64) []byte {
	w := intsetWidth(ints)
	b = binary.LittleEndian.AppendUint32(b, uint32(w))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ints)))
	for _, v := range ints {
		switch w {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// parseIntset validates an intset (known width, size matching the count, values
// strictly ascending) and returns its values.
func parseIntset(b []byte) ([]int64, error) {
	if len(b) < intsetHeaderSize {
		return nil, badf("intset header")
	}
	w := int(binary.LittleEndian.Uint32(b))
	n := uint64(binary.LittleEndian.Uint32(b[4:]))
	if (w != 2 && w != 4 && w != 8) || uint64(len(b)-intsetHeaderSize) != n*uint64(w) {
		return nil, badf("intset width or size")
	}
	out := make([]int64, n)
	for i := range out {
		p := b[intsetHeaderSize+i*w:]
		switch w {
		case 2:
			out[i] = int64(int16(binary.LittleEndian.Uint16(p)))
		case 4:
			out[i] = int64(int32(binary.LittleEndian.Uint32(p)))
		default:
			out[i] = int64(binary.LittleEndian.Uint64(p))
		}
		if i > 0 && out[i] <= out[i-1] {
			return nil, badf("intset not strictly ascending")
		}
	}
	return out, nil
}
