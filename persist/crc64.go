package persist

import "hash/crc64"

// jonesTable drives CRC64 with the polynomial Redis uses for RDB files and DUMP
// payloads: "Jones" (0xad93d23594c935a9), reflected input and output, initial value 0
// and no final xor. Go's crc64 takes the reflected form of the polynomial.
var jonesTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// CRC64 extends crc (0 to start) over p.
//
// The standard library's crc64 inverts the register before and after each update;
// Redis's variant does neither, so the inversions are undone around the call.
func CRC64(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, jonesTable, p)
}
