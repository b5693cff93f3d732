package server_test

import "testing"

// RESTORE propagates with an absolute deadline (the TTL replaced, ABSTTL appended), as
// DEL when its deadline had passed and REPLACE removed a key, and not at all when it
// changed nothing. Its payloads come from DUMP inside the scripts: a step cannot carry
// binary.
func TestPropagationOfRestore(t *testing.T) {
	const restore = `"return redis.call('restore', KEYS[1], ARGV[1], redis.call('dump', KEYS[2]), unpack(ARGV, 2))"`
	diffPropagation(t, `
		set src v
		eval `+restore+` 2 r1 src 0
		eval `+restore+` 2 r2 src 100000
		eval `+restore+` 2 r2 src 100000 replace idletime 5
		eval `+restore+` 2 r3 src 99999999999999 absttl
		eval `+restore+` 2 r2 src 1 absttl replace
		eval `+restore+` 2 r4 src 1 absttl replace
		eval `+restore+` 2 r1 src 0
	`)
}
