package persist

import (
	"math"
	"sync"
)

// LZF, the compression RDB uses for long strings (and Redis's compressed quicklist
// nodes). The format is a sequence of runs:
//
//	000LLLLL <L+1 literal bytes>              a literal run of 1 to 32 bytes
//	LLLooooo oooooooo                          a back-reference: L (1-6) + 2 bytes
//	111ooooo LLLLLLLL oooooooo                 ... or L + 9 bytes (9 to 264)
//
// where the 13-bit offset o reaches o+1 bytes back into the output.
//
// The compressor makes the same choices as liblzf 3.6 as Redis builds it (a 2^16
// entry hash table of the last position of each 3-byte sequence, "very fast" mode:
// only the last two positions of a match are hashed), so a DUMP of a compressible
// string is byte-identical to Redis's. Its output bound checks are liblzf's too: they
// decide whether a string is written compressed or raw.

const (
	lzfHashBits = 16
	lzfMaxLit   = 1 << 5
	lzfMaxOff   = 1 << 13
	lzfMaxRef   = (1 << 8) + (1 << 3)
)

// lzfTable is a compressor's hash table. Clearing 256 KB per string would cost more
// than compressing most strings, so tables are pooled and a slot holds base+position+1
// of the call that wrote it: slots at or below the current call's base are empty.
type lzfTable struct {
	slots [1 << lzfHashBits]uint32
	base  uint32
}

var lzfTables = sync.Pool{New: func() any { return new(lzfTable) }}

func lzfHash(p []byte) int {
	h := uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2])
	return int(((h >> (24 - lzfHashBits)) - h*5) & (1<<lzfHashBits - 1))
}

// lzfCompress compresses in into at most outLen bytes; it returns nil when the result
// would not fit (liblzf's conservative checks included).
func lzfCompress(in []byte, outLen int) []byte {
	if len(in) < 3 {
		return nil
	}
	t := lzfTables.Get().(*lzfTable)
	defer lzfTables.Put(t)
	if uint64(t.base)+uint64(len(in))+1 > math.MaxUint32 {
		clear(t.slots[:])
		t.base = 0
	}
	base := t.base
	t.base += uint32(len(in)) + 1
	htab := &t.slots
	set := func(slot, pos int) { htab[slot] = base + uint32(pos) + 1 }
	out := make([]byte, outLen+1) // room for the run byte reserved past a full buffer
	op, lit, ip := 1, 0, 0        // op: next output byte; out[op-lit-1] heads the literal run
	end := len(in)
	// literal copies one byte into the current run, closing the run when it is full.
	literal := func(b byte) {
		out[op] = b
		op++
		lit++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	for ip < end-2 {
		slot := lzfHash(in[ip:])
		ref := -1 // the last position with the same hash, if any
		if v := htab[slot]; v > base {
			ref = int(v-base) - 1
		}
		set(slot, ip)
		if off := ip - ref - 1; ref > 0 && off < lzfMaxOff && in[ref] == in[ip] &&
			in[ref+1] == in[ip+1] && in[ref+2] == in[ip+2] {
			if op+4 >= outLen {
				noLit := 0
				if lit == 0 {
					noLit = 1
				}
				if op-noLit+4 >= outLen {
					return nil
				}
			}
			maxLen := min(end-ip-2, lzfMaxRef)
			n := lzfMatchLen(in, ref, ip, maxLen)
			out[op-lit-1] = byte(lit - 1) // close the literal run
			if lit == 0 {
				op-- // no literals: reuse the reserved run byte
			}
			l := n - 2
			if l < 7 {
				out[op] = byte(off>>8 + l<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(l - 7)
				op += 2
			}
			out[op] = byte(off)
			op += 2 // the offset's low byte, and the next literal run's header
			lit = 0
			ip += n
			if ip >= end-2 {
				break
			}
			// Hash the match's last two positions.
			set(lzfHash(in[ip-2:]), ip-2)
			set(lzfHash(in[ip-1:]), ip-1)
			continue
		}
		if op >= outLen {
			return nil
		}
		literal(in[ip])
		ip++
	}
	if op+3 > outLen {
		return nil
	}
	for ; ip < end; ip++ {
		literal(in[ip])
	}
	out[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return out[:op]
}

// lzfMatchLen returns the length of the match between in[ref:] and in[ip:], whose first
// three bytes are known equal. It follows liblzf: with more than 16 bytes to go, the
// first 16 bytes after the known three are compared without the maxLen bound (so a
// match can reach two bytes further than maxLen), then byte by byte up to maxLen.
func lzfMatchLen(in []byte, ref, ip, maxLen int) int {
	n := 2
	if maxLen > 16 {
		for k := 0; k < 16; k++ {
			n++
			if in[ref+n] != in[ip+n] {
				return n
			}
		}
	}
	for {
		n++
		if n >= maxLen || in[ref+n] != in[ip+n] {
			return n
		}
	}
}

var errLZF = &FormatError{"invalid LZF compressed string"}

// lzfDecompress expands in, which must decode to exactly rawLen bytes. Zero bytes are
// expected of any input: Redis's check (liblzf's result against the expected length)
// cannot tell liblzf's failure, a result of 0, from success then.
func lzfDecompress(in []byte, rawLen uint64) ([]byte, error) {
	if rawLen == 0 {
		return []byte{}, nil
	}
	// A back-reference expands at most 3 input bytes into 264 output bytes.
	if rawLen > uint64(len(in))*(lzfMaxRef+2) {
		return nil, errLZF
	}
	outLen := int(rawLen)
	out := make([]byte, 0, outLen)
	for ip := 0; ip < len(in); {
		ctrl := int(in[ip])
		ip++
		if ctrl < lzfMaxLit {
			n := ctrl + 1
			if ip+n > len(in) || len(out)+n > outLen {
				return nil, errLZF
			}
			out = append(out, in[ip:ip+n]...)
			ip += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if ip >= len(in) {
				return nil, errLZF
			}
			n += int(in[ip])
			ip++
		}
		n += 2
		if ip >= len(in) {
			return nil, errLZF
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[ip]) - 1
		ip++
		if ref < 0 || len(out)+n > outLen {
			return nil, errLZF
		}
		for k := 0; k < n; k++ { // byte by byte: the source may overlap the output
			out = append(out, out[ref+k])
		}
	}
	if len(out) != outLen {
		return nil, errLZF
	}
	return out, nil
}
