package script

import (
	"bytes"

	"github.com/cinnabar-db/cinnabar/persist"
)

// FUNCTION DUMP payloads use Redis's format, so payloads move between Cinnabar and Redis
// 7.0 in both directions:
//
//	payload  = library* version crc
//	library  = 0xF5 (RDB_OPCODE_FUNCTION2) rdb-string(library code)
//
// closed by the RDB version and CRC64 as a DUMP payload is (persist.Payload). Library
// code is written as RDB strings are, LZF-compressed as Redis compresses it, so a
// library dumps byte for byte as Redis's does.

const rdbOpcodeFunction2 = 0xF5

var errBadPayload = Error("ERR DUMP payload version or checksum are wrong")

// encodeFunctionDump writes the libraries' code; compress is rdbcompression.
func encodeFunctionDump(codes []string, compress bool) []byte {
	return persist.Payload(compress, func(e *persist.Encoder) {
		for _, c := range codes {
			e.WriteOpcode(rdbOpcodeFunction2)
			e.WriteString([]byte(c))
		}
	})
}

func decodeFunctionDump(p []byte) ([]string, error) {
	if persist.VerifyPayload(p) != nil {
		return nil, errBadPayload
	}
	// Like Redis, read libraries from the payload until the footer is reached (a
	// library cut short reads on into it).
	r := bytes.NewReader(p)
	d := persist.NewDecoder(r)
	var codes []string
	for r.Len() > 10 { // the footer: 2 bytes of version, 8 of checksum
		if op, _ := d.ReadOpcode(); op != rdbOpcodeFunction2 {
			return nil, Error("ERR given type is not a function")
		}
		code, err := d.ReadString()
		if err != nil {
			return nil, Error("ERR payload did not contain a valid function")
		}
		codes = append(codes, string(code))
	}
	return codes, nil
}
