package persist

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/cinnabar-db/cinnabar/store"
)

// Version is the RDB version of Redis 7.0, which DUMP payloads carry and RESTORE
// accepts up to.
const Version = 10

// dumpFooterSize is the 2-byte RDB version and the 8-byte CRC64 closing a payload.
const dumpFooterSize = 10

// ErrPayload reports a DUMP payload whose version is newer than Version or whose
// checksum does not match.
var ErrPayload = errors.New("DUMP payload version or checksum are wrong")

// Dump returns the DUMP payload of a value: its type and encoding, the RDB version
// (2 bytes, little-endian) and the CRC64 of all that (8 bytes, little-endian).
// compress is rdbcompression.
func Dump(v *store.Entry, compress bool) []byte {
	return Payload(compress, func(e *Encoder) { e.WriteValue(v) })
}

// Payload returns what write writes, closed as a DUMP payload is: the RDB version and
// the CRC64. FUNCTION DUMP frames its libraries this way too.
func Payload(compress bool, write func(e *Encoder)) []byte {
	var b bytes.Buffer
	e := NewEncoder(&b, compress)
	write(e)
	var version [2]byte
	binary.LittleEndian.PutUint16(version[:], Version)
	e.WriteRaw(version[:])
	_ = e.Flush() // a bytes.Buffer does not fail
	return binary.LittleEndian.AppendUint64(b.Bytes(), e.CRC())
}

// VerifyPayload checks a DUMP payload's footer: a version Redis 7.0 can read and the
// checksum.
func VerifyPayload(p []byte) error {
	if len(p) < dumpFooterSize {
		return ErrPayload
	}
	footer := p[len(p)-dumpFooterSize:]
	if binary.LittleEndian.Uint16(footer) > Version ||
		binary.LittleEndian.Uint64(footer[2:]) != CRC64(0, p[:len(p)-8]) {
		return ErrPayload
	}
	return nil
}

// ReadPayload decodes the value of a verified DUMP payload under the encoding limits
// lim. Like Redis, it reads from the whole payload: a value cut short runs into the
// footer rather than failing at its edge, and bytes left before the footer are
// ignored.
func ReadPayload(p []byte, lim *store.Limits) (*store.Entry, error) {
	d := NewDecoder(bytes.NewReader(p))
	typ, err := d.ReadOpcode()
	if err != nil {
		return nil, err
	}
	return d.ReadValue(typ, lim)
}
