package server_test

import "testing"

// A key evicted because CONFIG SET lowered maxmemory reaches replicas as a DEL, as the
// reference server propagates it.
func TestPropagationOfEviction(t *testing.T) {
	diffPropagation(t, `
		set k v
		set k2 v
		config set maxmemory-policy volatile-lru
		expire k 100
		config set maxmemory 1
		ping
		config set maxmemory 0
	`)
}
