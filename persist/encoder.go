package persist

import (
	"encoding/binary"
	"io"
	"math"

	"github.com/cinnabar-db/cinnabar/store"
)

// Encoder writes RDB encodings to an io.Writer through a buffer, keeping the CRC64 of
// everything it has written. A DUMP payload and an RDB file are both written with one.
// Write errors are sticky: the first one is returned by Flush.
type Encoder struct {
	w        io.Writer
	buf      []byte
	crc      uint64
	err      error
	compress bool
	key      []byte // written right after the next value's type byte (RDB files)
}

// encoderFlushSize is how much the encoder buffers before writing through.
const encoderFlushSize = 64 << 10

// NewEncoder returns an encoder writing to w. compress is rdbcompression: whether
// strings longer than 20 bytes are LZF-compressed when that makes them shorter.
func NewEncoder(w io.Writer, compress bool) *Encoder {
	return &Encoder{w: w, compress: compress}
}

// CRC returns the CRC64 of the bytes written so far (flushed or not).
func (e *Encoder) CRC() uint64 { return CRC64(e.crc, e.buf) }

// Flush writes out the buffered bytes and returns the first write error.
func (e *Encoder) Flush() error {
	if e.err == nil && len(e.buf) > 0 {
		e.crc = CRC64(e.crc, e.buf)
		_, e.err = e.w.Write(e.buf)
		e.buf = e.buf[:0]
	}
	return e.err
}

func (e *Encoder) maybeFlush() {
	if len(e.buf) >= encoderFlushSize {
		_ = e.Flush()
	}
}

// WriteRaw writes bytes as they are (opcodes, the version, fixed-size fields).
func (e *Encoder) WriteRaw(p []byte) {
	e.buf = append(e.buf, p...)
	e.maybeFlush()
}

// WriteOpcode writes one byte: a value type or an RDB opcode.
func (e *Encoder) WriteOpcode(b byte) {
	e.buf = append(e.buf, b)
	e.maybeFlush()
}

// writeType writes a value's type byte, and the key it is stored under when the value
// is written as a key of an RDB file.
func (e *Encoder) writeType(t byte) {
	e.WriteOpcode(t)
	if e.key != nil {
		e.WriteString(e.key)
		e.key = nil
	}
}

// WriteLen writes an RDB length: 6 bits in one byte, 14 bits in two, then 32 or 64
// bits big-endian after a marker byte.
func (e *Encoder) WriteLen(n uint64) {
	switch {
	case n < 1<<6:
		e.buf = append(e.buf, byte(n))
	case n < 1<<14:
		e.buf = append(e.buf, byte(n>>8)|lenEnc14, byte(n))
	case n <= math.MaxUint32:
		e.buf = append(e.buf, lenEnc32)
		e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(n))
	default:
		e.buf = append(e.buf, lenEnc64)
		e.buf = binary.BigEndian.AppendUint64(e.buf, n)
	}
	e.maybeFlush()
}

// Length encodings: the top two bits of the first byte.
const (
	lenEnc14     = 0x40
	lenEnc32     = 0x80
	lenEnc64     = 0x81
	lenSpecial   = 0xc0 // the low 6 bits name a special string encoding
	encInt8      = 0
	encInt16     = 1
	encInt32     = 2
	encLZF       = 3
	maxIntEncLen = 11 // longest string tried as an integer ("-2147483648")
	minLZFLen    = 21 // shorter strings are never compressed
)

// appendIntEncoding appends v as an int8/16/32 special encoding; false if v does not
// fit 32 bits.
func appendIntEncoding(b []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(b, lenSpecial|encInt8, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return binary.LittleEndian.AppendUint16(append(b, lenSpecial|encInt16), uint16(v)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return binary.LittleEndian.AppendUint32(append(b, lenSpecial|encInt32), uint32(v)), true
	}
	return b, false
}

// WriteString writes a string as Redis does: as an integer encoding when it is the
// canonical form of an integer that fits 32 bits, LZF-compressed when compression is on,
// it is longer than 20 bytes and it compresses into 4 bytes less, raw otherwise.
func (e *Encoder) WriteString(s []byte) {
	if len(s) <= maxIntEncLen {
		if v, ok := store.ParseInt(s); ok {
			if b, ok := appendIntEncoding(e.buf, v); ok {
				e.buf = b
				e.maybeFlush()
				return
			}
		}
	}
	if e.compress && len(s) >= minLZFLen {
		if c := lzfCompress(s, len(s)-4); c != nil {
			e.writeLZF(c, len(s))
			return
		}
	}
	e.WriteLen(uint64(len(s)))
	e.WriteRaw(s)
}

// writeLZF writes an LZF-compressed string of rawLen bytes.
func (e *Encoder) writeLZF(compressed []byte, rawLen int) {
	e.buf = append(e.buf, lenSpecial|encLZF)
	e.WriteLen(uint64(len(compressed)))
	e.WriteLen(uint64(rawLen))
	e.WriteRaw(compressed)
}

// WriteDouble writes a binary double (little-endian IEEE 754), as ZSET_2 scores are.
func (e *Encoder) WriteDouble(f float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
	e.maybeFlush()
}

// WriteMillis writes a millisecond time as 8 bytes little-endian (stream PEL and
// consumer times, RDB expiry).
func (e *Encoder) WriteMillis(ms int64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(ms))
	e.maybeFlush()
}
