package script

import (
	"encoding/binary"
	"errors"
)

// FUNCTION DUMP payloads use Redis's format, so payloads move between Cinnabar and Redis
// 7.0 in both directions:
//
//	payload  = library* version crc
//	library  = 0xF5 (RDB_OPCODE_FUNCTION2) rdb-string(library code)
//	version  = 2 bytes little endian: the RDB version, 10 for Redis 7.0
//	crc      = 8 bytes little endian: CRC-64/Jones of everything before it
//
// An rdb-string is a length-prefixed string in RDB's length encoding. Redis compresses
// strings longer than 20 bytes with LZF when that saves space; Cinnabar reads such
// strings but writes plain ones, so its payloads are byte-identical to Redis's only for
// libraries Redis does not compress.

const (
	rdbOpcodeFunction2 = 0xF5
	rdbVersion         = 10
)

var errBadPayload = Error("ERR DUMP payload version or checksum are wrong")

func encodeFunctionDump(codes []string) []byte {
	var b []byte
	for _, c := range codes {
		b = append(b, rdbOpcodeFunction2)
		b = appendRDBLength(b, uint64(len(c)))
		b = append(b, c...)
	}
	b = binary.LittleEndian.AppendUint16(b, rdbVersion)
	return binary.LittleEndian.AppendUint64(b, crc64Jones(0, b))
}

func decodeFunctionDump(p []byte) ([]string, error) {
	if len(p) < 10 {
		return nil, errBadPayload
	}
	body := p[:len(p)-10]
	if v := binary.LittleEndian.Uint16(p[len(p)-10:]); v > rdbVersion {
		return nil, errBadPayload
	}
	if crc64Jones(0, p[:len(p)-8]) != binary.LittleEndian.Uint64(p[len(p)-8:]) {
		return nil, errBadPayload
	}
	var codes []string
	for len(body) > 0 {
		if body[0] != rdbOpcodeFunction2 {
			return nil, Error("ERR given type is not a function")
		}
		s, rest, err := readRDBString(body[1:])
		if err != nil {
			return nil, Error("ERR payload did not contain a valid function")
		}
		codes = append(codes, s)
		body = rest
	}
	return codes, nil
}

func appendRDBLength(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|0x40, byte(n))
	case n <= 0xFFFFFFFF:
		b = append(b, 0x80)
		return binary.BigEndian.AppendUint32(b, uint32(n))
	default:
		b = append(b, 0x81)
		return binary.BigEndian.AppendUint64(b, n)
	}
}

var errTruncated = errors.New("truncated")

// readRDBLength decodes a length; encoded is set for the special string encodings,
// whose kind is then returned as the length.
func readRDBLength(b []byte) (n uint64, encoded bool, rest []byte, err error) {
	if len(b) == 0 {
		return 0, false, nil, errTruncated
	}
	switch b[0] >> 6 {
	case 0:
		return uint64(b[0] & 0x3F), false, b[1:], nil
	case 1:
		if len(b) < 2 {
			return 0, false, nil, errTruncated
		}
		return uint64(b[0]&0x3F)<<8 | uint64(b[1]), false, b[2:], nil
	case 2:
		switch b[0] {
		case 0x80:
			if len(b) < 5 {
				return 0, false, nil, errTruncated
			}
			return uint64(binary.BigEndian.Uint32(b[1:])), false, b[5:], nil
		case 0x81:
			if len(b) < 9 {
				return 0, false, nil, errTruncated
			}
			return binary.BigEndian.Uint64(b[1:]), false, b[9:], nil
		}
		return 0, false, nil, errors.New("bad length")
	}
	return uint64(b[0] & 0x3F), true, b[1:], nil
}

func readRDBString(b []byte) (string, []byte, error) {
	n, encoded, rest, err := readRDBLength(b)
	if err != nil {
		return "", nil, err
	}
	if !encoded {
		if uint64(len(rest)) < n {
			return "", nil, errTruncated
		}
		return string(rest[:n]), rest[n:], nil
	}
	switch n {
	case 0, 1, 2: // 8, 16, 32-bit integers
		size := 1 << n
		if len(rest) < size {
			return "", nil, errTruncated
		}
		var v int64
		switch size {
		case 1:
			v = int64(int8(rest[0]))
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(rest)))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(rest)))
		}
		return itoa(int(v)), rest[size:], nil
	case 3: // LZF
		clen, _, r2, err := readRDBLength(rest)
		if err != nil {
			return "", nil, err
		}
		ulen, _, r3, err := readRDBLength(r2)
		if err != nil {
			return "", nil, err
		}
		if uint64(len(r3)) < clen || ulen > 1<<32 {
			return "", nil, errTruncated
		}
		out, err := lzfDecompress(r3[:clen], int(ulen))
		if err != nil {
			return "", nil, err
		}
		return string(out), r3[clen:], nil
	}
	return "", nil, errors.New("unknown string encoding")
}

// lzfDecompress expands LZF data (liblzf's format: literal runs and back references).
func lzfDecompress(in []byte, size int) ([]byte, error) {
	out := make([]byte, 0, size)
	for i := 0; i < len(in); {
		ctrl := int(in[i])
		i++
		if ctrl < 32 {
			n := ctrl + 1
			if i+n > len(in) {
				return nil, errTruncated
			}
			out = append(out, in[i:i+n]...)
			i += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if i >= len(in) {
				return nil, errTruncated
			}
			n += int(in[i])
			i++
		}
		if i >= len(in) {
			return nil, errTruncated
		}
		ref := len(out) - (ctrl&0x1F)<<8 - int(in[i]) - 1
		i++
		if ref < 0 {
			return nil, errors.New("bad back reference")
		}
		for k := 0; k < n+2; k++ {
			out = append(out, out[ref+k])
		}
	}
	if len(out) != size {
		return nil, errors.New("size mismatch")
	}
	return out, nil
}

// crc64Table is CRC-64/Jones (polynomial 0xad93d23594c935a9, reflected, no final xor),
// the checksum of RDB files and DUMP payloads.
var crc64Table = func() (t [256]uint64) {
	const poly = 0x95AC9329AC4BC9B5 // 0xad93d23594c935a9 bit-reversed
	for i := range t {
		c := uint64(i)
		for k := 0; k < 8; k++ {
			if c&1 == 1 {
				c = c>>1 ^ poly
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return
}()

func crc64Jones(crc uint64, b []byte) uint64 {
	for _, c := range b {
		crc = crc64Table[byte(crc)^c] ^ crc>>8
	}
	return crc
}
