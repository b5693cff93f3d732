package bench

import (
	_ "embed"
	"fmt"
	"testing"
)

// rateLimitLua is compare.sh's evalsha row: the sorted-set sliding-window limiter.
//
//go:embed ratelimit.lua
var rateLimitLua string

// BenchmarkEvalSHA runs the limiter with EVALSHA over 1000 keys through one real
// connection, as compare.sh's evalsha row does; every reply is ":1" or ":0". Profile
// the script path with
//
//	go test -run '^$' -bench EvalSHA -benchmem -cpuprofile cpu.out ./bench/
func BenchmarkEvalSHA(b *testing.B) {
	for _, depth := range []int{1, 16} {
		b.Run(fmt.Sprintf("P=%d", depth), func(b *testing.B) {
			srv := startServer(b, 0)
			addr := srv.Addr().String()
			load := newPipeline(b, addr, [][][]byte{{[]byte("SCRIPT"), []byte("LOAD"), []byte(rateLimitLua)}},
				1, len("$40\r\n")+40+2, '$')
			if err := load.do(1); err != nil {
				b.Fatal(err)
			}
			sha := load.reply[len("$40\r\n") : len("$40\r\n")+40]
			cmds := make([][][]byte, 1000)
			for i := range cmds {
				cmds[i] = [][]byte{[]byte("EVALSHA"), sha, []byte("1"), fmt.Appendf(nil, "rl:%012d", i),
					[]byte("1000"), []byte("1000"), fmt.Appendf(nil, "%012d", i*7919%1000)}
			}
			newPipeline(b, addr, cmds, depth, len(":1\r\n"), ':').measure(b, depth)
		})
	}
}
