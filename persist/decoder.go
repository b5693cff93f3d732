package persist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/cinnabar-db/cinnabar/cnum"
)

// FormatError reports data that is not a valid RDB encoding. RESTORE answers any of
// them with "Bad data format"; the reason is for logs and tests.
type FormatError struct{ Reason string }

func (e *FormatError) Error() string { return "bad RDB data: " + e.Reason }

func badf(format string, a ...any) error { return &FormatError{fmt.Sprintf(format, a...)} }

// IsFormatError reports whether err says the data was malformed (rather than, say,
// that reading it failed).
func IsFormatError(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe)
}

var errTruncated = &FormatError{"unexpected end of data"}

// source is what a Decoder reads from: a bytes.Reader for payloads, a bufio.Reader for
// files.
type source interface {
	io.Reader
	io.ByteReader
}

// Decoder reads RDB encodings. Every length it reads is checked against what the
// source holds before anything is allocated for it, so hostile input cannot make it
// allocate much more than its own size.
type Decoder struct {
	r source
	// remaining reports the bytes left in the source, or -1 when unknown (a stream).
	remaining func() int
}

// NewDecoder returns a decoder reading r.
func NewDecoder(r source) *Decoder {
	d := &Decoder{r: r, remaining: func() int { return -1 }}
	if l, ok := r.(interface{ Len() int }); ok {
		d.remaining = l.Len
	}
	return d
}

func (d *Decoder) readByte() (byte, error) {
	b, err := d.r.ReadByte()
	if err == io.EOF {
		return 0, errTruncated
	}
	return b, err
}

// ReadOpcode reads one byte: a value type or an RDB opcode.
func (d *Decoder) ReadOpcode() (byte, error) { return d.readByte() }

// readChunk is the most a decoder allocates ahead of the data when the size of its
// source is unknown.
const readChunk = 1 << 20

// ReadRaw reads exactly n bytes into a new slice.
func (d *Decoder) ReadRaw(n uint64) ([]byte, error) {
	if rem := d.remaining(); rem >= 0 && n > uint64(rem) {
		return nil, errTruncated
	}
	if n > math.MaxInt32*4 {
		return nil, badf("length %d too large", n)
	}
	size := int(n)
	b := make([]byte, 0, min(size, readChunk))
	for len(b) < size {
		k := min(size-len(b), max(readChunk, len(b)))
		b = append(b, make([]byte, k)...)
		if _, err := io.ReadFull(d.r, b[len(b)-k:]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, errTruncated
			}
			return nil, err
		}
	}
	return b, nil
}

// readLen reads a length; special reports a special string encoding (the low 6 bits
// of the first byte, returned as the length).
func (d *Decoder) readLen() (n uint64, special bool, err error) {
	b, err := d.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b), false, nil
	case 1:
		b2, err := d.readByte()
		return uint64(b&0x3f)<<8 | uint64(b2), false, err
	case 3:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case lenEnc32:
		p, err := d.ReadRaw(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case lenEnc64:
		p, err := d.ReadRaw(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	// Redis reads an unknown length encoding as its error marker, the greatest
	// length: where it checks for the marker (counts, string lengths) that fails here
	// on the bounds; elsewhere (stream counters) the value is taken, as Redis does.
	return math.MaxUint64, false, nil
}

// ReadLen reads a length (a count or a plain number). A string-encoding marker there
// reads, as in Redis, as the 6-bit number it carries.
func (d *Decoder) ReadLen() (uint64, error) {
	n, _, err := d.readLen()
	return n, err
}

// readCount reads an element count and checks it against the data left, each element
// taking at least minBytes bytes, so a count cannot make a loop outlast the data or a
// preallocation outgrow it.
func (d *Decoder) readCount(minBytes int) (int, error) {
	n, err := d.ReadLen()
	if err != nil {
		return 0, err
	}
	if rem := d.remaining(); rem >= 0 && n > uint64(rem/minBytes) {
		return 0, errTruncated
	}
	if n > math.MaxInt32 {
		return 0, badf("count %d too large", n)
	}
	return int(n), nil
}

// readStrings reads a count, then that many strings, each multiple strings long
// (2 for field-value pairs), calling fn with each group.
func (d *Decoder) readStrings(multiple int, fn func(s ...[]byte) error) error {
	n, err := d.readCount(multiple)
	if err != nil {
		return err
	}
	group := make([][]byte, multiple)
	for ; n > 0; n-- {
		for k := range group {
			if group[k], err = d.ReadString(); err != nil {
				return err
			}
		}
		if err := fn(group...); err != nil {
			return err
		}
	}
	return nil
}

// ReadString reads a string in any of its encodings.
func (d *Decoder) ReadString() ([]byte, error) {
	n, special, err := d.readLen()
	if err != nil {
		return nil, err
	}
	if !special {
		return d.ReadRaw(n)
	}
	var v int64
	switch n {
	case encInt8:
		b, err := d.readByte()
		if err != nil {
			return nil, err
		}
		v = int64(int8(b))
	case encInt16:
		p, err := d.ReadRaw(2)
		if err != nil {
			return nil, err
		}
		v = int64(int16(binary.LittleEndian.Uint16(p)))
	case encInt32:
		p, err := d.ReadRaw(4)
		if err != nil {
			return nil, err
		}
		v = int64(int32(binary.LittleEndian.Uint32(p)))
	case encLZF:
		clen, err := d.ReadLen()
		if err != nil {
			return nil, err
		}
		rawLen, err := d.ReadLen()
		if err != nil {
			return nil, err
		}
		c, err := d.ReadRaw(clen)
		if err != nil {
			return nil, err
		}
		return lzfDecompress(c, rawLen)
	default:
		return nil, badf("unknown string encoding %d", n)
	}
	return strconv.AppendInt(nil, v, 10), nil
}

// ReadDouble reads a binary double (ZSET_2 scores).
func (d *Decoder) ReadDouble() (float64, error) {
	p, err := d.ReadRaw(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p)), nil
}

// ReadMillis reads an 8-byte little-endian millisecond time.
func (d *Decoder) ReadMillis() (int64, error) {
	p, err := d.ReadRaw(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(p)), nil
}

// readTextDouble reads a double of the old ZSET encoding: a length byte (253 NaN,
// 254 +inf, 255 -inf) then that many characters, parsed as C's sscanf("%lg") does.
func (d *Decoder) readTextDouble() (float64, error) {
	n, err := d.readByte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := d.ReadRaw(uint64(n))
	if err != nil {
		return 0, err
	}
	f, used := cnum.Strtod(string(p)) // sscanf's "%lg": what follows the number is ignored
	if used == 0 {
		return 0, badf("invalid double %q", p)
	}
	return f, nil
}
