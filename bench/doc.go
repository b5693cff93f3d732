// Package bench holds Cinnabar's benchmarks. It has no code of its own: everything is in
// Benchmark functions (go test -run '^$' -bench . ./bench/), which plain `go test ./...`
// compiles but never runs, and in the side-by-side runner compare.sh with its helper
// command bench/loader. See README.md for how to run them and RESULTS.md for numbers.
package bench
