package hll

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"sync/atomic"
)

// Representation constants (see the package documentation).
const (
	P          = 14                               // register index bits
	Registers  = 1 << P                           // 16384 registers
	HeaderSize = 16                               // "HYLL", encoding, 3 unused, 8-byte cache
	DenseSize  = HeaderSize + Registers*regBits/8 // 12304 bytes
	EncDense   = 0                                // encoding byte of a dense HLL
	EncSparse  = 1                                // encoding byte of a sparse HLL

	// DefaultSparseMaxBytes is hll-sparse-max-bytes' default.
	DefaultSparseMaxBytes = 3000

	q          = 64 - P         // hash bits that feed the run of zeros
	regBits    = 6              // bits per dense register
	regMask    = 1<<regBits - 1 // largest register value
	hashSeed   = 0xadc83b19     // MurmurHash64A seed
	cacheByte  = HeaderSize - 1 // last cache byte: bit 7 flags the cache invalid
	invalidBit = 0x80           //
	valMax     = 32             // largest value of a sparse VAL
	valMaxLen  = 4              // longest run of a VAL
	zeroMaxLen = 64             // longest run of a ZERO
	denseBytes = DenseSize - HeaderSize
)

// ErrCorrupt reports a value whose header is valid but whose registers are not (the
// command layer replies "INVALIDOBJ Corrupted HLL object detected").
var ErrCorrupt = errors.New("hll: corrupted HLL object")

var sparseMax atomic.Int64

func init() { sparseMax.Store(DefaultSparseMaxBytes) }

// SetSparseMaxBytes sets hll-sparse-max-bytes: the size (header included) beyond which
// a sparse HLL turns dense. The server calls it when the setting changes.
func SetSparseMaxBytes(n int64) { sparseMax.Store(n) }

// SparseMaxBytes returns the current hll-sparse-max-bytes.
func SparseMaxBytes() int { return int(sparseMax.Load()) }

// New returns an empty HLL: sparse, one XZERO over every register, cache 0.
func New() []byte {
	b := make([]byte, HeaderSize+2, 2*HeaderSize) // room for the first few registers
	copy(b, "HYLL")
	b[4] = EncSparse
	putXZero(b[HeaderSize:], Registers)
	return b
}

// Valid reports whether b passes Redis's header check: at least a header, the "HYLL"
// magic, a known encoding, and the exact size if dense. The sparse registers are checked
// only when used (ErrCorrupt).
func Valid(b []byte) bool {
	if len(b) < HeaderSize || string(b[:4]) != "HYLL" || b[4] > EncSparse {
		return false
	}
	return b[4] != EncDense || len(b) == DenseSize
}

// IsSparse reports whether a valid HLL is sparse.
func IsSparse(b []byte) bool { return b[4] == EncSparse }

// Cached returns the cardinality cached in the header, if it is marked valid.
func Cached(b []byte) (uint64, bool) {
	if b[cacheByte]&invalidBit != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:HeaderSize]), true
}

// SetCached stores a cardinality (below 2^63) in the header, marking the cache valid.
func SetCached(b []byte, n uint64) { binary.LittleEndian.PutUint64(b[8:HeaderSize], n) }

// Invalidate marks the cached cardinality stale, keeping its other bits as Redis does.
func Invalidate(b []byte) { b[cacheByte] |= invalidBit }

// hashElement returns the register an element selects and the value it offers: one
// more than the number of trailing zeros of the hash bits above the index, at most q+1.
func hashElement(ele []byte) (int, uint8) {
	h := murmur64A(ele, hashSeed)
	index := int(h & (Registers - 1))
	h = h>>P | 1<<q
	return index, uint8(bits.TrailingZeros64(h) + 1)
}

// Add adds an element to a valid HLL. It returns the value and whether a register
// changed; a change marks the cached cardinality stale. sparseMax is
// hll-sparse-max-bytes. The value returned is b itself (changed in place), a reslice of
// b (a sparse value that shrank, or grew into b's spare capacity, which Add may
// overwrite), or a new slice (a sparse value that outgrew cap(b), or turned dense).
func Add(b, ele []byte, sparseMax int) ([]byte, bool, error) {
	index, count := hashElement(ele)
	return SetRegister(b, index, count, sparseMax)
}

// SetRegister raises register index to val if it is lower, like Add.
func SetRegister(b []byte, index int, val uint8, sparseMax int) ([]byte, bool, error) {
	if b[4] == EncDense {
		if !denseSet(b[HeaderSize:], index, val) {
			return b, false, nil
		}
		Invalidate(b)
		return b, true, nil
	}
	return sparseSet(b, index, val, sparseMax)
}

// ToDense returns a valid HLL in the dense encoding: b itself if it is dense, else a new
// slice with b's header (cache included) and its registers.
func ToDense(b []byte) ([]byte, error) {
	if b[4] == EncDense {
		return b, nil
	}
	d := make([]byte, DenseSize)
	copy(d, b[:HeaderSize])
	d[4] = EncDense
	regs := d[HeaderSize:]
	idx := 0
	ok := walkSparse(b, func(op opcode) bool {
		if op.val != 0 {
			if idx+op.run > Registers {
				return false
			}
			for i := idx; i < idx+op.run; i++ {
				denseSet(regs, i, op.val)
			}
		}
		idx += op.run
		return true
	})
	if !ok || idx != Registers {
		return nil, ErrCorrupt
	}
	return d, nil
}

// Count estimates the cardinality from the registers, ignoring the cache.
func Count(b []byte) (uint64, error) {
	var h histogram
	if b[4] == EncDense {
		denseHisto(b[HeaderSize:], &h)
	} else if !sparseHisto(b, &h) {
		return 0, ErrCorrupt
	}
	return h.estimate(), nil
}

// DenseRegisters calls f with every register of a dense HLL, in order.
func DenseRegisters(b []byte, f func(i int, v uint8)) {
	regs := b[HeaderSize:]
	for i := 0; i < Registers; i++ {
		f(i, denseGet(regs, i))
	}
}

// Union accumulates the register-wise maximum of several HLLs (PFCOUNT of many keys,
// PFMERGE) in Redis's internal "raw" form: one byte per register.
type Union [Registers]uint8

// Merge folds a valid HLL into u.
func (u *Union) Merge(b []byte) error {
	if b[4] == EncDense {
		regs := (*[denseBytes]byte)(b[HeaderSize:])
		for g, r := 0, 0; g < denseBytes; g, r = g+3, r+4 {
			x0, x1, x2 := regs[g], regs[g+1], regs[g+2]
			u[r] = max(u[r], x0&regMask)
			u[r+1] = max(u[r+1], (x0>>6|x1<<2)&regMask)
			u[r+2] = max(u[r+2], (x1>>4|x2<<4)&regMask)
			u[r+3] = max(u[r+3], x2>>2)
		}
		return nil
	}
	idx := 0
	ok := walkSparse(b, func(op opcode) bool {
		if op.val != 0 {
			if idx+op.run > Registers {
				return false
			}
			for i := idx; i < idx+op.run; i++ {
				u[i] = max(u[i], op.val)
			}
		}
		idx += op.run
		return true
	})
	if !ok || idx != Registers {
		return ErrCorrupt
	}
	return nil
}

// Count estimates the cardinality of the union.
func (u *Union) Count() uint64 {
	// Four histograms break the dependency between increments of the same counter.
	var h [4]histogram
	for i := 0; i < Registers; i += 4 {
		h[0][u[i]&regMask]++
		h[1][u[i+1]&regMask]++
		h[2][u[i+2]&regMask]++
		h[3][u[i+3]&regMask]++
	}
	for v := range h[0] {
		h[0][v] += h[1][v] + h[2][v] + h[3][v]
	}
	return h[0].estimate()
}

// Apply raises every register of a valid HLL to u's value where that is higher, as
// PFMERGE writes its destination: a sparse value takes the registers in index order
// (and may turn dense on the way), exactly as one SetRegister per nonzero register. It
// returns the value as Add does.
func (u *Union) Apply(b []byte, sparseMax int) ([]byte, error) {
	for i := 0; i < Registers && b[4] == EncSparse; i++ {
		if u[i] != 0 {
			var err error
			if b, _, err = SetRegister(b, i, u[i], sparseMax); err != nil {
				return b, err
			}
		}
	}
	if b[4] != EncDense {
		return b, nil
	}
	// Dense: four registers (three bytes) at a time; the sparse pass above already set
	// the registers before its promotion, and max() makes setting them again harmless.
	regs := (*[denseBytes]byte)(b[HeaderSize:])
	for g, r := 0, 0; g < denseBytes; g, r = g+3, r+4 {
		x0, x1, x2 := regs[g], regs[g+1], regs[g+2]
		v0 := max(u[r], x0&regMask)
		v1 := max(u[r+1], (x0>>6|x1<<2)&regMask)
		v2 := max(u[r+2], (x1>>4|x2<<4)&regMask)
		v3 := max(u[r+3], x2>>2)
		regs[g] = v0 | v1<<6
		regs[g+1] = v1>>2 | v2<<4
		regs[g+2] = v2>>4 | v3<<2
	}
	return b, nil
}
