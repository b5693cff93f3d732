package command

// Documentation of the string, bitmap and HyperLogLog commands, in the format docs.go describes.
func init() {
	addDocs("string", `
APPEND key value
	Appends a value to a string.
	since 2.0.0; O(1) amortized

DECR key
	Subtracts one from the integer in a key.
	since 1.0.0; O(1)

DECRBY key decrement:int
	Subtracts an integer from the integer in a key.
	since 1.0.0; O(1)

GET key
	Returns the string in a key.
	since 1.0.0; O(1)

GETDEL key
	Returns the string in a key and deletes the key.
	since 6.2.0; O(1)

GETEX key
    [expiration: EX seconds:int | PX milliseconds:int | EXAT unix-time-seconds:unix-time | PXAT
    unix-time-milliseconds:unix-time | PERSIST]
	Returns the string in a key and changes or removes its expiry.
	since 6.2.0; O(1)

GETRANGE key start:int end:int
	Returns a substring of the string in a key.
	since 2.4.0; O(N), N = length returned

GETSET key value
	Sets a key to a string and returns its old string.
	since 1.0.0; O(1)
	deprecated 6.2.0; SET with the !GET argument

INCR key
	Adds one to the integer in a key.
	since 1.0.0; O(1)

INCRBY key increment:int
	Adds an integer to the integer in a key.
	since 1.0.0; O(1)

INCRBYFLOAT key increment:double
	Adds a floating-point number to the number in a key.
	since 2.6.0; O(1)

LCS key1:key key2:key=0 [LEN] [IDX] [MINMATCHLEN len:int] [WITHMATCHLEN]
	Finds the longest common subsequence of two strings.
	since 7.0.0; O(N*M), N and M = the strings' lengths

MGET key...
	Returns the strings of several keys.
	since 1.0.0; O(N), N = keys given

MSET (key value)...
	Sets several keys to strings.
	since 1.0.1; O(N), N = keys given

MSETNX (key value)...
	Sets several keys to strings, only if none of them exists.
	since 1.0.1; O(N), N = keys given

PSETEX key milliseconds:int value
	Sets a key to a string with a time to live in milliseconds.
	since 2.6.0; O(1)

SET key value [condition: NX | XX]@2.6.12 [GET]@6.2.0
    [expiration: EX seconds:int@2.6.12 | PX milliseconds:int@2.6.12 | EXAT
    unix-time-seconds:unix-time@6.2.0 | PXAT unix-time-milliseconds:unix-time@6.2.0 | KEEPTTL@6.0.0]
	Sets a key to a string, with an optional condition and expiry.
	since 1.0.0; O(1)
	2.6.12: EX, PX, NX and XX.
	6.0.0: KEEPTTL.
	6.2.0: GET, EXAT and PXAT.
	7.0.0: NX together with GET.

SETEX key seconds:int value
	Sets a key to a string with a time to live in seconds.
	since 2.0.0; O(1)

SETNX key value
	Sets a key to a string only if the key does not exist.
	since 1.0.0; O(1)

SETRANGE key offset:int value
	Overwrites part of a string from an offset on.
	since 2.2.0; O(1) amortized, or O(M) to copy a long value, M = its length

STRLEN key
	Returns the length of the string in a key.
	since 2.2.0; O(1)

SUBSTR key start:int end:int
	Returns a substring of the string in a key (old name of GETRANGE).
	since 1.0.0; O(N), N = length returned
	deprecated 2.0.0; GETRANGE
`)
	addDocs("bitmap", `
BITCOUNT key [index: start:int end:int [index_unit: BYTE | BIT]@7.0.0]
	Counts the bits set to 1 in a string, optionally within a range.
	since 2.6.0; O(N), N = bytes examined
	7.0.0: BYTE and BIT range units.

BITFIELD key
    [operation: GET (encoding offset:int) | (write: [OVERFLOW (WRAP | SAT | FAIL)]
    (write_operation: SET (encoding offset:int value:int) | INCRBY (encoding offset:int
    increment:int)))]...
	Reads, writes and increments integer fields of arbitrary width inside a string.
	since 3.2.0; O(1) per operation given

BITFIELD_RO key [GET (encoding offset:int)]...
	Reads integer fields of arbitrary width inside a string (read-only BITFIELD).
	since 6.0.0; O(1) per GET given

BITOP operation destkey:key key...
	Combines strings bit by bit (AND, OR, XOR, NOT) and stores the result.
	since 2.6.0; O(N), N = length of the longest input

BITPOS key bit:int [index: start:int [end_index: end:int [index_unit: BYTE | BIT]@7.0.0]]
	Finds the first bit set to 0 or 1 in a string, optionally within a range.
	since 2.8.7; O(N), N = bytes examined
	7.0.0: BYTE and BIT range units.

GETBIT key offset:int
	Returns the bit at an offset of a string.
	since 2.2.0; O(1)

SETBIT key offset:int value:int
	Sets or clears the bit at an offset of a string, returning the old bit.
	since 2.2.0; O(1)
`)
	addDocs("hyperloglog", `
PFADD key [element...]
	Adds elements to a HyperLogLog.
	since 2.8.9; O(1) per element

PFCOUNT key...
	Estimates the number of distinct elements seen by one or more HyperLogLogs.
	since 2.8.9; O(1) for one key, with a small constant; O(N) for N keys, with a large one

PFDEBUG subcommand key
	Inspects a HyperLogLog's internals (for testing).
	since 2.8.9; Not applicable
	syscmd

PFMERGE destkey:key sourcekey:key...
	Merges HyperLogLogs into one.
	since 2.8.9; O(N), N = HyperLogLogs, with a large constant

PFSELFTEST
	Runs the HyperLogLog self-test (for testing).
	since 2.8.9; Not applicable
	syscmd
`)
}
