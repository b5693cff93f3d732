package command

import (
	"slices"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

const (
	bmWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	bmNotInt    = "-ERR value is not an integer or out of range\r\n"
	bmSyntax    = "-ERR syntax error\r\n"
	bmBitOff    = "-ERR bit offset is not an integer or out of range\r\n"
	bmBitVal    = "-ERR bit is not an integer or out of range\r\n"
	bmFieldType = "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"
	bmFieldRO   = "-ERR BITFIELD_RO only supports the GET subcommand\r\n"
	bmBitArg    = "-ERR The bit argument must be 1 or 0.\r\n"
	bmBitopNot  = "-ERR BITOP NOT must be called with a single source key.\r\n"
)

// Every reply below was checked against Redis 7.0.15.
var bitmapScenarios = []scenario{
	{"setbit-getbit", [][]string{
		{"setbit", "bm:a", "7", "1", ":0\r\n"},
		{"get", "bm:a", "$1\r\n\x01\r\n"},
		{"setbit", "bm:a", "7", "1", ":1\r\n"},
		{"setbit", "bm:a", "7", "0", ":1\r\n"},
		{"setbit", "bm:a", "7", "0", ":0\r\n"},
		{"setbit", "bm:a", "17", "1", ":0\r\n"},
		{"get", "bm:a", "$3\r\n\x00\x00\x40\r\n"},
		{"getbit", "bm:a", "17", ":1\r\n"},
		{"getbit", "bm:a", "16", ":0\r\n"},
		{"getbit", "bm:a", "4294967295", ":0\r\n"},
		{"getbit", "bm:missing", "3", ":0\r\n"},
		{"strlen", "bm:a", ":3\r\n"},
	}},
	{"setbit-errors", [][]string{
		{"setbit", "bm:a", "-1", "1", bmBitOff},
		{"setbit", "bm:a", "4294967296", "1", bmBitOff},
		{"setbit", "bm:a", "x", "1", bmBitOff},
		{"setbit", "bm:a", "+5", "1", bmBitOff},
		{"setbit", "bm:a", "05", "1", bmBitOff},
		{"setbit", "bm:a", " 5", "1", bmBitOff},
		{"setbit", "bm:a", "-0", "1", bmBitOff},
		{"setbit", "bm:a", "1", "2", bmBitVal},
		{"setbit", "bm:a", "1", "-1", bmBitVal},
		{"setbit", "bm:a", "1", "01", bmBitVal},
		{"setbit", "bm:a", "x", "x", bmBitOff},
		{"getbit", "bm:a", "4294967296", bmBitOff},
		{"getbit", "bm:a", "-1", bmBitOff},
		{"exists", "bm:a", ":0\r\n"},
		{"setbit", "bm:a", "1", "1", "1", "-ERR wrong number of arguments for 'setbit' command\r\n"},
		{"getbit", "bm:a", "-ERR wrong number of arguments for 'getbit' command\r\n"},
	}},
	{"setbit-int-value", [][]string{
		{"setbit", "bm:i", "0", "1", ":0\r\n"},
		{"set", "bm:i", "12", "+OK\r\n"},
		{"getbit", "bm:i", "2", ":1\r\n"},
		{"getbit", "bm:i", "x", bmBitOff},
		{"setbit", "bm:i", "x", "1", bmBitOff},
		{"setbit", "bm:i", "1", "x", bmBitVal},
		{"object", "encoding", "bm:i", "$3\r\nint\r\n"},
		// Even an unchanged bit leaves the value raw, as Redis unshares it first.
		{"setbit", "bm:i", "0", "0", ":0\r\n"},
		{"object", "encoding", "bm:i", "$3\r\nraw\r\n"},
		{"get", "bm:i", "$2\r\n12\r\n"},
	}},
	{"bitcount", [][]string{
		{"set", "bm:s", "foobar", "+OK\r\n"},
		{"bitcount", "bm:s", ":26\r\n"},
		{"bitcount", "bm:s", "0", "0", ":4\r\n"},
		{"bitcount", "bm:s", "1", "1", ":6\r\n"},
		{"bitcount", "bm:s", "1", "1", "byte", ":6\r\n"},
		{"bitcount", "bm:s", "5", "30", "bit", ":17\r\n"},
		{"bitcount", "bm:s", "5", "30", "BIT", ":17\r\n"},
		{"bitcount", "bm:s", "-1", "-1", ":4\r\n"},
		{"bitcount", "bm:s", "-100", "-1", ":26\r\n"},
		{"bitcount", "bm:s", "-1", "-100", ":0\r\n"},
		{"bitcount", "bm:s", "-100", "-200", ":0\r\n"},
		{"bitcount", "bm:s", "-100", "-200", "bit", ":0\r\n"},
		{"bitcount", "bm:s", "0", "100", ":26\r\n"},
		{"bitcount", "bm:s", "3", "2", ":0\r\n"},
		{"bitcount", "bm:s", "-2", "-1", "bit", ":1\r\n"},
		{"bitcount", "bm:s", "0", "-1", "bit", ":26\r\n"},
		{"bitcount", "bm:s", "0", "-9223372036854775808", ":4\r\n"},
		{"bitcount", "bm:s", "-9223372036854775808", "9223372036854775807", ":26\r\n"},
		{"bitcount", "bm:s", "-9223372036854775808", "9223372036854775807", "bit", ":26\r\n"},
		{"bitcount", "bm:s", "9223372036854775807", "9223372036854775807", "bit", ":0\r\n"},
		{"bitcount", "bm:s", "-9223372036854775808", "-9223372036854775808", "bit", ":0\r\n"},
		{"set", "bm:e", "", "+OK\r\n"},
		{"bitcount", "bm:e", ":0\r\n"},
		{"bitcount", "bm:e", "0", "-1", "bit", ":0\r\n"},
		{"set", "bm:long", strings.Repeat("\xff", 100) + "\x0f", "+OK\r\n"},
		{"bitcount", "bm:long", ":804\r\n"},
		{"bitcount", "bm:long", "3", "806", "bit", ":800\r\n"},
	}},
	{"bitcount-args", [][]string{
		{"set", "bm:s", "foobar", "+OK\r\n"},
		{"bitcount", "bm:s", "0", bmSyntax},
		{"bitcount", "bm:s", "0", "1", "2", bmSyntax},
		{"bitcount", "bm:s", "0", "1", "bit", "x", bmSyntax},
		{"bitcount", "bm:s", "a", "1", "foo", "bar", bmSyntax},
		{"bitcount", "bm:s", "a", "1", bmNotInt},
		{"bitcount", "bm:s", "0", "a", bmNotInt},
		{"bitcount", "bm:s", "a", "1", "foo", bmNotInt},
		{"bitcount", "bm:s", "0", "x", "foo", bmNotInt},
		// A missing key answers 0 before the arguments are looked at.
		{"bitcount", "bm:missing", "a", "b", ":0\r\n"},
		{"bitcount", "bm:missing", "0", ":0\r\n"},
	}},
	{"bitpos", [][]string{
		{"set", "bm:p", "\xff\xf0\x00", "+OK\r\n"},
		{"bitpos", "bm:p", "0", ":12\r\n"},
		{"bitpos", "bm:p", "1", ":0\r\n"},
		{"bitpos", "bm:p", "1", "2", ":-1\r\n"},
		{"bitpos", "bm:p", "0", "0", "0", ":-1\r\n"},
		{"bitpos", "bm:p", "0", "0", "1", ":12\r\n"},
		{"bitpos", "bm:p", "1", "7", "15", "bit", ":7\r\n"},
		{"bitpos", "bm:p", "0", "7", "15", "bit", ":12\r\n"},
		{"bitpos", "bm:p", "0", "0", "11", "bit", ":-1\r\n"},
		{"bitpos", "bm:p", "0", "0", "12", "bit", ":12\r\n"},
		{"bitpos", "bm:p", "1", "3", "2", ":-1\r\n"},
		{"bitpos", "bm:p", "0", "-100", "-50", ":-1\r\n"},
		{"bitpos", "bm:p", "0", "100", ":-1\r\n"},
		{"bitpos", "bm:p", "0", "-1", ":16\r\n"},
		{"bitpos", "bm:p", "1", "-2", "-2", ":8\r\n"},
		{"bitpos", "bm:p", "0", "-12", "-1", "bit", ":12\r\n"},
		{"bitpos", "bm:p", "1", "-12", "-1", "bit", ":-1\r\n"},
		{"bitpos", "bm:p", "1", "-9223372036854775808", "9223372036854775807", "bit", ":0\r\n"},
		{"bitpos", "bm:p", "1", "0", "1", "BYTE", ":0\r\n"},
	}},
	{"bitpos-clear-bit", [][]string{
		{"set", "bm:f", "\xff\xff\xff", "+OK\r\n"},
		// Without an end, the zeros past the string count...
		{"bitpos", "bm:f", "0", ":24\r\n"},
		{"bitpos", "bm:f", "0", "1", ":24\r\n"},
		{"bitpos", "bm:f", "0", "-9223372036854775808", ":24\r\n"},
		// ...with one, they do not.
		{"bitpos", "bm:f", "0", "0", "-1", ":-1\r\n"},
		{"bitpos", "bm:f", "0", "0", "100", "bit", ":-1\r\n"},
		{"bitpos", "bm:f", "0", "9223372036854775807", ":-1\r\n"},
		{"set", "bm:z", "", "+OK\r\n"},
		{"bitpos", "bm:z", "0", ":-1\r\n"},
		{"bitpos", "bm:z", "1", ":-1\r\n"},
		{"set", "bm:zz", "\x00\x00", "+OK\r\n"},
		{"bitpos", "bm:zz", "1", ":-1\r\n"},
		{"bitpos", "bm:zz", "0", "3", "-1", "bit", ":3\r\n"},
		{"bitpos", "bm:missing", "0", ":0\r\n"},
		{"bitpos", "bm:missing", "1", ":-1\r\n"},
		{"bitpos", "bm:missing", "0", "a", ":0\r\n"},
		{"set", "bm:long", strings.Repeat("\xff", 100) + "\xfe" + strings.Repeat("\x00", 40) + "\x01", "+OK\r\n"},
		{"bitpos", "bm:long", "0", ":807\r\n"},
		{"bitpos", "bm:long", "1", "101", ":1135\r\n"},
		{"bitpos", "bm:long", "1", "808", "1134", "bit", ":-1\r\n"},
	}},
	{"bitpos-args", [][]string{
		{"set", "bm:s", "foobar", "+OK\r\n"},
		{"bitpos", "bm:s", "2", bmBitArg},
		{"bitpos", "bm:s", "x", bmNotInt},
		{"bitpos", "bm:missing", "2", bmBitArg},
		{"bitpos", "bm:s", "1", "a", bmNotInt},
		{"bitpos", "bm:s", "1", "0", "1", "2", bmSyntax},
		{"bitpos", "bm:s", "1", "0", "1", "bit", "5", bmSyntax},
		{"bitpos", "bm:s", "1", "x", "0", "1", "2", bmSyntax},
		{"bitpos", "bm:s", "1", "0", "x", "foo", bmSyntax},
		{"bitpos", "bm:s", "1", "x", "0", "foo", bmNotInt},
		{"bitpos", "bm:s", "1", "0", "x", "bit", bmNotInt},
		{"bitpos", "bm:s", "0", "5", "bit", bmNotInt},
		{"bitpos", "bm:s", "1", "-100", "-200", ":1\r\n"},
	}},
	{"bitop", [][]string{
		{"set", "bm:x", "\xff\x0f", "+OK\r\n"},
		{"set", "bm:y", "\x0f", "+OK\r\n"},
		{"bitop", "and", "bm:d", "bm:x", "bm:y", ":2\r\n"},
		{"get", "bm:d", "$2\r\n\x0f\x00\r\n"},
		{"bitop", "or", "bm:d", "bm:x", "bm:y", ":2\r\n"},
		{"get", "bm:d", "$2\r\n\xff\x0f\r\n"},
		{"bitop", "XOR", "bm:d", "bm:x", "bm:y", ":2\r\n"},
		{"get", "bm:d", "$2\r\n\xf0\x0f\r\n"},
		{"bitop", "not", "bm:d", "bm:x", ":2\r\n"},
		{"get", "bm:d", "$2\r\n\x00\xf0\r\n"},
		{"object", "encoding", "bm:d", "$3\r\nraw\r\n"},
		{"bitop", "and", "bm:d", "bm:x", "bm:missing", ":2\r\n"},
		{"get", "bm:d", "$2\r\n\x00\x00\r\n"},
		{"bitop", "or", "bm:d", "bm:missing", "bm:y", ":1\r\n"},
		{"get", "bm:d", "$1\r\n\x0f\r\n"},
		{"bitop", "and", "bm:x", "bm:x", "bm:y", ":2\r\n"},
		{"get", "bm:x", "$2\r\n\x0f\x00\r\n"},
		{"bitop", "xor", "bm:x", "bm:x", "bm:x", ":2\r\n"},
		{"get", "bm:x", "$2\r\n\x00\x00\r\n"},
		{"set", "bm:d", "x", "EX", "100", "+OK\r\n"},
		{"bitop", "or", "bm:d", "bm:y", ":1\r\n"},
		{"ttl", "bm:d", ":-1\r\n"},
	}},
	{"bitop-long", [][]string{
		{"set", "bm:x", strings.Repeat("\x5a", 37), "+OK\r\n"},
		{"set", "bm:y", strings.Repeat("\xf0", 21), "+OK\r\n"},
		{"bitop", "and", "bm:d", "bm:x", "bm:y", ":37\r\n"},
		{"get", "bm:d", "$37\r\n" + strings.Repeat("\x50", 21) + strings.Repeat("\x00", 16) + "\r\n"},
		{"bitop", "or", "bm:d", "bm:x", "bm:y", ":37\r\n"},
		{"get", "bm:d", "$37\r\n" + strings.Repeat("\xfa", 21) + strings.Repeat("\x5a", 16) + "\r\n"},
		{"bitop", "xor", "bm:d", "bm:y", "bm:x", ":37\r\n"},
		{"get", "bm:d", "$37\r\n" + strings.Repeat("\xaa", 21) + strings.Repeat("\x5a", 16) + "\r\n"},
		{"bitop", "not", "bm:d", "bm:x", ":37\r\n"},
		{"get", "bm:d", "$37\r\n" + strings.Repeat("\xa5", 37) + "\r\n"},
	}},
	{"bitop-empty-and-errors", [][]string{
		{"bitop", "and", "bm:d", "bm:none1", "bm:none2", ":0\r\n"},
		{"exists", "bm:d", ":0\r\n"},
		{"set", "bm:d", "x", "+OK\r\n"},
		{"bitop", "or", "bm:d", "bm:none1", ":0\r\n"},
		{"exists", "bm:d", ":0\r\n"},
		{"set", "bm:d", "x", "+OK\r\n"},
		{"set", "bm:e", "", "+OK\r\n"},
		{"bitop", "not", "bm:d", "bm:e", ":0\r\n"},
		{"exists", "bm:d", ":0\r\n"},
		{"set", "bm:x", "a", "+OK\r\n"},
		{"bitop", "not", "bm:d", "bm:x", "bm:x", bmBitopNot},
		{"bitop", "NOT", "bm:d", "bm:x", "bm:x", bmBitopNot},
		{"bitop", "foo", "bm:d", "bm:x", bmSyntax},
		{"bitop", "and", "bm:d", "-ERR wrong number of arguments for 'bitop' command\r\n"},
		{"set", "bm:d", "keep", "+OK\r\n"},
		{"get", "bm:d", "$4\r\nkeep\r\n"},
	}},
	{"bitfield-basics", [][]string{
		{"bitfield", "bm:b", "*0\r\n"},
		{"bitfield", "bm:b", "set", "i8", "0", "-1", "get", "u8", "0", "get", "i8", "0", "get", "u4", "0", "get", "i4", "4", "get", "u1", "0", "get", "i1", "0",
			"*7\r\n:0\r\n:255\r\n:-1\r\n:15\r\n:-1\r\n:1\r\n:-1\r\n"},
		{"bitfield", "bm:b", "get", "u8", "4294967295", "*1\r\n:0\r\n"},
		{"bitfield", "bm:b", "get", "u8", "#3", "*1\r\n:0\r\n"},
		{"bitfield", "bm:b", "get", "u8", "#536870911", "*1\r\n:0\r\n"},
		{"bitfield", "bm:b", "get", "i64", "#67108863", "*1\r\n:0\r\n"},
		{"bitfield", "bm:b", "Get", "u8", "0", "OVERFLOW", "Sat", "INCRBY", "u8", "0", "1000", "*2\r\n:255\r\n:255\r\n"},
		{"bitfield", "bm:b", "set", "i64", "0", "-9223372036854775808", "get", "i64", "0", "get", "u63", "0", "get", "u63", "1",
			"*4\r\n:-72057594037927936\r\n:-9223372036854775808\r\n:4611686018427387904\r\n:0\r\n"},
		{"bitfield", "bm:b", "set", "u8", "0", "256", "*1\r\n:128\r\n"},
		{"bitfield", "bm:b", "set", "u8", "0", "-1", "*1\r\n:0\r\n"},
		{"bitfield", "bm:b", "set", "i8", "0", "200", "*1\r\n:-1\r\n"},
		{"bitfield", "bm:b", "get", "i8", "0", "*1\r\n:-56\r\n"},
		{"bitfield", "bm:b", "overflow", "wrap", "*0\r\n"},
		{"bitfield", "bm:b", "set", "u9", "100", "257", "get", "u9", "100", "*2\r\n:0\r\n:257\r\n"},
		{"strlen", "bm:b", ":14\r\n"},
		{"bitfield", "bm:missing", "get", "u8", "0", "*1\r\n:0\r\n"},
		{"bitfield", "bm:missing", "overflow", "wrap", "*0\r\n"},
		{"exists", "bm:missing", ":0\r\n"},
	}},
	{"bitfield-overflow", [][]string{
		{"bitfield", "bm:b", "incrby", "u2", "100", "1", "overflow", "sat", "incrby", "u2", "102", "1", "*2\r\n:1\r\n:1\r\n"},
		{"bitfield", "bm:b", "incrby", "u2", "100", "1", "overflow", "sat", "incrby", "u2", "102", "1", "*2\r\n:2\r\n:2\r\n"},
		{"bitfield", "bm:b", "incrby", "u2", "100", "1", "overflow", "sat", "incrby", "u2", "102", "1", "*2\r\n:3\r\n:3\r\n"},
		{"bitfield", "bm:b", "incrby", "u2", "100", "1", "overflow", "sat", "incrby", "u2", "102", "1", "*2\r\n:0\r\n:3\r\n"},
		{"bitfield", "bm:b", "overflow", "fail", "incrby", "u2", "100", "1", "incrby", "u2", "102", "1", "*2\r\n:1\r\n$-1\r\n"},
		{"del", "bm:b", ":1\r\n"},
		{"bitfield", "bm:b", "overflow", "sat", "set", "u8", "0", "-1", "get", "u8", "0", "*2\r\n:0\r\n:255\r\n"},
		{"bitfield", "bm:b", "overflow", "fail", "set", "u8", "0", "-1", "get", "u8", "0", "*2\r\n$-1\r\n:255\r\n"},
		{"bitfield", "bm:b", "overflow", "sat", "set", "u8", "0", "-1000", "get", "u8", "0", "*2\r\n:255\r\n:255\r\n"},
		{"bitfield", "bm:b", "overflow", "sat", "incrby", "u8", "0", "-1000", "*1\r\n:0\r\n"},
		{"bitfield", "bm:b", "overflow", "wrap", "incrby", "u8", "0", "-1", "*1\r\n:255\r\n"},
		{"bitfield", "bm:b", "overflow", "fail", "incrby", "u8", "0", "-256", "*1\r\n$-1\r\n"},
		{"bitfield", "bm:b", "overflow", "fail", "incrby", "u8", "0", "-255", "*1\r\n:0\r\n"},
		{"bitfield", "bm:b", "set", "i64", "0", "9223372036854775807", "overflow", "wrap", "incrby", "i64", "0", "1", "overflow", "sat", "incrby", "i64", "0", "-1", "incrby", "i64", "0", "-9223372036854775808", "overflow", "fail", "incrby", "i64", "0", "-1",
			"*5\r\n:0\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n$-1\r\n"},
		{"bitfield", "bm:b", "set", "u63", "0", "9223372036854775807", "incrby", "u63", "0", "1", "overflow", "sat", "incrby", "u63", "0", "9223372036854775807", "incrby", "u63", "0", "-9223372036854775808",
			"*4\r\n:4611686018427387904\r\n:0\r\n:9223372036854775807\r\n:0\r\n"},
		{"bitfield", "bm:b", "set", "i1", "0", "1", "get", "i1", "0", "overflow", "sat", "set", "i1", "0", "1", "get", "i1", "0", "incrby", "i1", "0", "-5",
			"*5\r\n:0\r\n:-1\r\n:-1\r\n:0\r\n:-1\r\n"},
		{"bitfield", "bm:b", "set", "u1", "5", "1", "get", "u1", "5", "incrby", "u1", "5", "1", "*3\r\n:0\r\n:1\r\n:0\r\n"},
		{"bitfield", "bm:b", "overflow", "fail", "set", "i3", "4", "-5", "set", "i3", "4", "-4", "get", "i3", "4", "set", "i3", "4", "3", "set", "i3", "4", "4",
			"*5\r\n$-1\r\n:0\r\n:-4\r\n:-4\r\n$-1\r\n"},
		{"bitfield", "bm:b", "overflow", "wrap", "set", "i3", "4", "-5", "get", "i3", "4", "incrby", "i3", "4", "100", "get", "u3", "4", "set", "u5", "3", "1000",
			"*5\r\n:3\r\n:3\r\n:-1\r\n:7\r\n:14\r\n"},
		// Redis's overflow margin wraps: values far below an iN's range saturate high.
		{"bitfield", "bm:b", "overflow", "sat", "set", "i8", "0", "-9223372036854775808", "get", "i8", "0", "set", "i8", "0", "-9223372036854775681", "get", "i8", "0",
			"set", "i8", "0", "-9223372036854775680", "get", "i8", "0", "overflow", "fail", "set", "i8", "0", "-9223372036854775808",
			"*7\r\n:-120\r\n:127\r\n:127\r\n:127\r\n:127\r\n:-128\r\n$-1\r\n"},
	}},
	{"bitfield-errors", [][]string{
		{"set", "bm:b", "\x81", "+OK\r\n"},
		{"bitfield", "bm:b", "get", "u64", "0", bmFieldType},
		{"bitfield", "bm:b", "get", "i65", "0", bmFieldType},
		{"bitfield", "bm:b", "get", "i0", "0", bmFieldType},
		{"bitfield", "bm:b", "get", "x8", "0", bmFieldType},
		{"bitfield", "bm:b", "get", "U8", "0", bmFieldType},
		{"bitfield", "bm:b", "get", "u08", "0", bmFieldType},
		{"bitfield", "bm:b", "get", "i", "0", bmFieldType},
		{"bitfield", "bm:b", "get", "u8", "-1", bmBitOff},
		{"bitfield", "bm:b", "get", "u8", "4294967296", bmBitOff},
		{"bitfield", "bm:b", "get", "u8", "#-1", bmBitOff},
		{"bitfield", "bm:b", "get", "u8", "#536870912", bmBitOff},
		{"bitfield", "bm:b", "get", "i64", "#67108864", bmBitOff},
		{"bitfield", "bm:b", "get", "u8", "#x", bmBitOff},
		{"bitfield", "bm:b", "get", "u8", "#", bmBitOff},
		{"bitfield", "bm:b", "get", "u8", "##1", bmBitOff},
		// "#n" multiplies with wrap-around, as Redis does.
		{"bitfield", "bm:b", "get", "u8", "#2305843009213693952", "*1\r\n:129\r\n"},
		{"bitfield", "bm:b", "get", "u8", "#1152921504606846976", bmBitOff},
		{"bitfield", "bm:b", "foo", bmSyntax},
		{"bitfield", "bm:b", "get", "u8", bmSyntax},
		{"bitfield", "bm:b", "set", "u8", "0", bmSyntax},
		{"bitfield", "bm:b", "incrby", "u8", "0", bmSyntax},
		{"bitfield", "bm:b", "overflow", bmSyntax},
		{"bitfield", "bm:b", "overflow", "foo", "-ERR Invalid OVERFLOW type specified\r\n"},
		{"bitfield", "bm:b", "overflow", "foo", "get", "u64", "0", "-ERR Invalid OVERFLOW type specified\r\n"},
		{"bitfield", "bm:b", "get", "u64", "0", "overflow", "foo", bmFieldType},
		{"bitfield", "bm:b", "set", "u8", "0", "x", bmNotInt},
		{"bitfield", "bm:b", "set", "u8", "0", "-0", bmNotInt},
		{"bitfield", "bm:b", "set", "u8", "0", "99999999999999999999", bmNotInt},
		{"bitfield", "bm:b", "set", "u8", "0", "x", "get", "u64", "0", bmNotInt},
		// Nothing runs when a later operation is bad.
		{"bitfield", "bm:b", "incrby", "u8", "0", "1", "get", "u8", "0", "set", "u8", "0", "x", bmNotInt},
		{"get", "bm:b", "$1\r\n\x81\r\n"},
	}},
	{"bitfield_ro", [][]string{
		{"set", "bm:b", "\x81", "+OK\r\n"},
		{"bitfield_ro", "bm:b", "get", "u8", "0", "get", "i8", "0", "*2\r\n:129\r\n:-127\r\n"},
		{"bitfield_ro", "bm:b", "*0\r\n"},
		{"bitfield_ro", "bm:b", "overflow", "sat", "get", "u8", "0", "*1\r\n:129\r\n"},
		{"bitfield_ro", "bm:b", "set", "u8", "0", "1", bmFieldRO},
		{"bitfield_ro", "bm:b", "SET", "u8", "0", "1", bmFieldRO},
		{"bitfield_ro", "bm:b", "incrby", "u8", "0", "1", bmFieldRO},
		{"bitfield_ro", "bm:b", "get", "u8", "0", "set", "u8", "0", "1", bmFieldRO},
		// The whole line is parsed before BITFIELD_RO looks for writes.
		{"bitfield_ro", "bm:b", "set", "u8", bmSyntax},
		{"bitfield_ro", "bm:b", "set", "u8", "0", "1", "foo", bmSyntax},
		{"bitfield_ro", "bm:b", "set", "u64", "0", "1", bmFieldType},
		{"bitfield_ro", "bm:b", "set", "u8", "0", "x", bmNotInt},
		{"bitfield_ro", "bm:b", "set", "u8", "0", "1", "get", "u64", "0", bmFieldType},
		{"bitfield_ro", "bm:b", "overflow", "foo", "-ERR Invalid OVERFLOW type specified\r\n"},
		{"bitfield_ro", "bm:missing", "get", "u8", "0", "*1\r\n:0\r\n"},
		{"get", "bm:b", "$1\r\n\x81\r\n"},
	}},
	{"bitfield-fail-creates-key", [][]string{
		{"bitfield", "bm:n", "overflow", "fail", "incrby", "u8", "100", "1000", "get", "u8", "0", "*2\r\n$-1\r\n:0\r\n"},
		{"strlen", "bm:n", ":14\r\n"},
	}},
}

// bitmapWrongTypeScenarios need a non-string key; they run once the list rows are
// in the test table.
var bitmapWrongTypeScenarios = []scenario{
	{"wrongtype", [][]string{
		{"rpush", "bm:l", "x", ":1\r\n"},
		{"set", "bm:x", "a", "+OK\r\n"},
		{"setbit", "bm:l", "1", "1", bmWrongType},
		{"setbit", "bm:l", "x", "1", bmBitOff},
		{"setbit", "bm:l", "1", "x", bmBitVal},
		{"getbit", "bm:l", "1", bmWrongType},
		{"getbit", "bm:l", "x", bmBitOff},
		{"bitcount", "bm:l", bmWrongType},
		{"bitcount", "bm:l", "a", "b", bmWrongType},
		{"bitpos", "bm:l", "1", bmWrongType},
		{"bitpos", "bm:l", "2", bmBitArg},
		{"bitpos", "bm:l", "x", bmNotInt},
		{"set", "bm:d", "keep", "+OK\r\n"},
		{"bitop", "and", "bm:d", "bm:x", "bm:l", bmWrongType},
		{"bitop", "foo", "bm:d", "bm:l", bmSyntax},
		{"bitop", "not", "bm:d", "bm:l", "bm:x", bmBitopNot},
		{"get", "bm:d", "$4\r\nkeep\r\n"},
		{"bitfield", "bm:l", "get", "u8", "0", bmWrongType},
		{"bitfield", "bm:l", "set", "u8", "0", "1", bmWrongType},
		{"bitfield", "bm:l", "overflow", "wrap", bmWrongType},
		{"bitfield", "bm:l", bmWrongType},
		{"bitfield", "bm:l", "get", "u8", "x", bmBitOff},
		{"bitfield_ro", "bm:l", "get", "u8", "0", bmWrongType},
		{"bitfield_ro", "bm:l", "set", "u8", "0", "1", bmFieldRO},
		{"lcs", "bm:x", "bm:l", "-ERR The specified keys must contain string values\r\n"},
		{"lcs", "bm:l", "bm:x", "foo", "-ERR The specified keys must contain string values\r\n"},
		// BITOP overwrites a destination of any type.
		{"bitop", "or", "bm:l", "bm:x", ":1\r\n"},
		{"get", "bm:l", "$1\r\na\r\n"},
	}},
}

func TestBitmapScenarios(t *testing.T) { runScenarios(t, bitmapScenarios) }

func TestBitmapWrongType(t *testing.T) {
	if table().Get("rpush") == nil {
		t.Skip("no list commands in the test table yet")
	}
	runScenarios(t, bitmapWrongTypeScenarios)
}

func TestBitfieldRESP3(t *testing.T) {
	ks := newKS()
	got := run3(t, ks, "bitfield", "bm:b", "overflow", "fail", "set", "u8", "0", "-1", "get", "u8", "0")
	if want := "*2\r\n_\r\n:0\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestBitmapRows checks the rows against Redis 7.0.15's COMMAND INFO.
func TestBitmapRows(t *testing.T) {
	want := map[string]struct {
		arity             int
		flags, cats       string
		first, last, step int
	}{
		"setbit":      {4, "write denyoom", "@write @bitmap @slow", 1, 1, 1},
		"getbit":      {3, "readonly fast", "@read @bitmap @fast", 1, 1, 1},
		"bitcount":    {-2, "readonly", "@read @bitmap @slow", 1, 1, 1},
		"bitpos":      {-3, "readonly", "@read @bitmap @slow", 1, 1, 1},
		"bitop":       {-4, "write denyoom", "@write @bitmap @slow", 2, -1, 1},
		"bitfield":    {-2, "write denyoom", "@write @bitmap @slow", 1, 1, 1},
		"bitfield_ro": {-2, "readonly fast", "@read @bitmap @fast", 1, 1, 1},
		"lcs":         {-3, "readonly", "@read @string @slow", 1, 2, 1},
	}
	rows := slices.Concat(BitmapCommands, LCSCommands)
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for _, s := range rows {
		w, ok := want[s.Name]
		if !ok {
			t.Errorf("unexpected row %q", s.Name)
			continue
		}
		flags, cats := strings.Join(s.FlagNames(), " "), strings.Join(s.CategoryNames(), " ")
		if s.Arity != w.arity || flags != w.flags || cats != w.cats || s.First != w.first || s.Last != w.last || s.Step != w.step {
			t.Errorf("%s: arity %d flags %q cats %q keys %d,%d,%d; want %+v", s.Name, s.Arity, flags, cats, s.First, s.Last, s.Step, w)
		}
	}
}

// bmEventLog records keyspace events.
type bmEventLog struct{ events []string }

func (l *bmEventLog) KeyChanged(db int, key []byte, ev store.Event) {
	l.events = append(l.events, ev.Name+" "+string(key))
}
func (l *bmEventLog) DBReplacing(int, int) {}

// TestBitmapEvents checks which calls report a change, as Redis's keyspace
// notifications and WATCH show them.
func TestBitmapEvents(t *testing.T) {
	cases := []struct {
		setup, call []string
		want        []string
	}{
		{nil, []string{"setbit", "k", "3", "0"}, []string{"new k", "setbit k"}},
		// An unchanged bit within the string is no write.
		{[]string{"set", "k", "\x01"}, []string{"setbit", "k", "7", "1"}, nil},
		{[]string{"set", "k", "\x01"}, []string{"setbit", "k", "7", "0"}, []string{"setbit k"}},
		// Growing the string is, even when the bit was already clear.
		{[]string{"set", "k", "\x01"}, []string{"setbit", "k", "20", "0"}, []string{"setbit k"}},
		{[]string{"set", "k", "\x01"}, []string{"getbit", "k", "7"}, nil},
		{[]string{"set", "k", "\x01"}, []string{"bitop", "not", "d", "k"}, []string{"new d", "set d"}},
		{[]string{"set", "d", "x"}, []string{"bitop", "and", "d", "none"}, []string{"del d"}},
		{nil, []string{"bitop", "and", "d", "none"}, nil},
		{[]string{"set", "k", "\x01"}, []string{"bitfield", "k", "get", "u8", "0"}, nil},
		{nil, []string{"bitfield", "k", "get", "u8", "0"}, nil},
		{[]string{"set", "k", "\x01"}, []string{"bitfield", "k", "set", "u8", "0", "1", "incrby", "u8", "0", "1"}, []string{"setbit k"}},
		{[]string{"set", "k", "\x01"}, []string{"bitfield", "k", "overflow", "fail", "incrby", "u8", "0", "1000"}, nil},
		// A failed write still creates the key, without a setbit event.
		{nil, []string{"bitfield", "k", "overflow", "fail", "incrby", "u8", "0", "1000"}, []string{"new k"}},
		{nil, []string{"bitfield", "k", "set", "u8", "0", "1"}, []string{"new k", "setbit k"}},
	}
	for _, c := range cases {
		ks := newKS()
		if c.setup != nil {
			run(t, ks, c.setup...)
		}
		log := &bmEventLog{}
		ks.SetHooks(log)
		run(t, ks, c.call...)
		var got []string
		for _, e := range log.events {
			if !strings.HasPrefix(e, "keymiss ") {
				got = append(got, e)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q after %q: events %q, want %q", c.call, c.setup, got, c.want)
		}
	}
}

// TestBitmapHotPathAllocs checks that SETBIT, GETBIT and BITCOUNT on an existing key
// allocate nothing.
func TestBitmapHotPathAllocs(t *testing.T) {
	ks := newKS()
	run(t, ks, "setbit", "k", "100000", "1")
	w := &resp.Writer{}
	for _, args := range [][]string{
		{"setbit", "k", "777", "1"},
		{"setbit", "k", "777", "0"},
		{"getbit", "k", "777"},
		{"bitcount", "k"},
		{"bitcount", "k", "3", "-3", "bit"},
		{"bitpos", "k", "1", "1"},
	} {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		spec, err := table().Lookup(argv)
		if err != nil {
			t.Fatal(err)
		}
		c := &Ctx{Args: argv, Spec: spec, W: w, KS: ks, DB: ks.DB(0)}
		allocs := testing.AllocsPerRun(100, func() {
			w.Reset()
			if err := spec.Do(c); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%q: %v allocations per call", args, allocs)
		}
	}
}

func BenchmarkBitmaps(b *testing.B) {
	ks := newKS()
	run(b, ks, "setbit", "k", "8000000", "1")
	w := &resp.Writer{}
	for _, args := range [][]string{
		{"setbit", "k", "777", "1"},
		{"getbit", "k", "777"},
		{"bitcount", "k"},
		{"bitpos", "k", "1"},
	} {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		spec, _ := table().Lookup(argv)
		c := &Ctx{Args: argv, Spec: spec, W: w, KS: ks, DB: ks.DB(0)}
		b.Run(args[0], func(b *testing.B) {
			for b.Loop() {
				w.Reset()
				_ = spec.Do(c)
			}
		})
	}
}
