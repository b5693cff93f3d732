// Package compat holds Cinnabar's black-box tests: go-redis v9 clients (RESP2 and RESP3)
// driving a real listening server, one file per command family, and the differential
// tests that send the same command scripts to Cinnabar and to a reference redis-server
// and compare the raw replies byte for byte.
//
// The reference server is started by the tests themselves from the redis-server binary
// on PATH (Debian's redis-server package, 7.0); where none exists the differential tests
// skip with a message saying so. CI installs it, so CI never skips.
package compat
