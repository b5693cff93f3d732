package bench

import (
	"fmt"
	"testing"
)

// BenchmarkCommandPath sends GET, SET, PING or a ten-key MSET through one real connection to an in-process
// server, pipelined, and reports allocations per command. The client side allocates
// nothing per command (prebuilt requests, fixed-size replies read into one buffer), so
// allocs/op is the server's command path: redcon's parsing, the executor, the handler,
// the store and the reply. Profile it with
//
//	go test -run '^$' -bench CommandPath -benchmem -memprofile mem.out -memprofilerate 1 ./bench/
//	go tool pprof -top -sample_index=alloc_objects bench.test mem.out
func BenchmarkCommandPath(b *testing.B) {
	keys := keyNames(1024)
	val := value(valueSize)
	for _, depth := range []int{1, 64} {
		for _, op := range []string{"get", "set", "ping", "mset"} {
			b.Run(fmt.Sprintf("%s/P=%d", op, depth), func(b *testing.B) {
				srv := startServer(b, 0)
				addr := srv.Addr().String()
				fill(b, addr, keys, val)
				cmds := make([][][]byte, len(keys))
				replyN, first := getReplyLen(valueSize), byte('$')
				for i, k := range keys {
					switch op {
					case "get":
						cmds[i] = [][]byte{[]byte("GET"), k}
					case "set":
						cmds[i] = [][]byte{[]byte("SET"), k, val}
						replyN, first = len("+OK\r\n"), '+'
					case "ping":
						cmds[i] = [][]byte{[]byte("PING")}
						replyN, first = len("+PONG\r\n"), '+'
					case "mset": // ten keys, as redis-benchmark's MSET
						args := [][]byte{[]byte("MSET")}
						for j := 0; j < 10; j++ {
							args = append(args, keys[(i+j*97)%len(keys)], val)
						}
						cmds[i] = args
						replyN, first = len("+OK\r\n"), '+'
					}
				}
				newPipeline(b, addr, cmds, depth, replyN, first).measure(b, depth)
			})
		}
	}
}
