// Package hll implements HyperLogLogs in Redis's exact byte representation, so a value
// written by PFADD here is byte-for-byte what Redis 7.0 writes for the same elements,
// a value copied from Redis (GET, then SET here) counts the same, and PFCOUNT returns
// the same number for the same registers.
//
// The package works on plain byte slices (the string value of a key); it knows nothing
// of keys, clients or RESP. The command layer (command/hyperloglog.go) owns lookups,
// events and replies.
//
// # Layout
//
//	+------+---+-----+----------+------------------------------------+
//	| HYLL | E | 0 0 0| card (8) | registers                          |
//	+------+---+-----+----------+------------------------------------+
//	  magic  encoding   cached cardinality, little endian; the most
//	         0 dense    significant bit of its last byte set means
//	         1 sparse   "invalid, recompute"
//
// There are 16384 registers (P = 14); an element's 64-bit MurmurHash64A (seed
// 0xadc83b19) selects the register with its low 14 bits, and the register keeps the
// largest "position of the first 1 bit" seen in the remaining 50 bits (1..51).
//
// Dense: 16384 registers of 6 bits, packed least significant bit first (register i
// starts at bit 6*i), 12288 bytes, 12304 with the header.
//
// Sparse: a run-length code of opcodes covering exactly 16384 registers:
//
//	00xxxxxx           ZERO:  xxxxxx+1 (1..64) registers set to 0
//	01xxxxxx yyyyyyyy  XZERO: xxxxxxyyyyyyyy+1 (1..16384) registers set to 0
//	1vvvvvxx           VAL:   xx+1 (1..4) registers set to vvvvv+1 (1..32)
//
// An empty HLL is sparse: the header and one XZERO of 16384. A sparse value turns dense
// when a register needs a value above 32 or when an update would grow it beyond
// hll-sparse-max-bytes (header included). The in-place update (split one opcode into
// at most three, then merge equal adjacent VALs in a small window) follows Redis's
// documented algorithm step for step, because the bytes it leaves behind are part of
// the observable value (GET, DUMP, replication).
//
// # Estimator
//
// The cardinality is Otmar Ertl's improved raw estimator ("New cardinality estimation
// algorithms for HyperLogLog sketches", 2017), which Redis uses since 5.0: a histogram of
// register values is folded with the tau and sigma series and alpha_inf = 1/(2 ln 2).
// The arithmetic is written so Go rounds every step as C's doubles do (explicit
// float64 conversions forbid fused multiply-adds), which the differential tests check
// against a real redis-server.
//
// # Using it
//
// Functions take and return the value; a change is made in place where it fits, may
// use the spare capacity of the slice passed in (so pass only storage the caller owns),
// and otherwise returns a new slice (see Add). hll-sparse-max-bytes is a process-wide
// setting (SetSparseMaxBytes), which the server keeps equal to its configuration; the
// functions that may grow a value also take it as an argument.
//
// # Where we differ from Redis
//
// Only on corrupt values: a truncated XZERO at the very end of a sparse value reads its
// missing second byte as 0 (Redis reads the string's terminator), and an update that
// would need to split such a truncated opcode reports corruption instead of writing.
package hll
