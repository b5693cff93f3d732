package bench

import (
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/resp"
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

// BenchmarkTransaction sends the rate-limiter transaction of compare.sh's multi row
// (MULTI, INCR, EXPIRE 60, EXEC) pipelined, from one connection or several at once (as
// compare.sh, whose loader uses 50): an op is one transaction. The counters start at
// 10^9 so every reply has the same length for the whole run.
func BenchmarkTransaction(b *testing.B) {
	keys := keyNames(1024)
	start := []byte("1000000000")
	for _, c := range []struct{ conns, depth int }{{1, 1}, {1, 16}, {16, 1}} {
		b.Run(fmt.Sprintf("conns=%d/P=%d", c.conns, c.depth), func(b *testing.B) {
			srv := startServer(b, 0)
			addr := srv.Addr().String()
			fill(b, addr, keys, start)
			reqs := make([][]byte, len(keys))
			for i, k := range keys {
				r := resp.AppendCommand(nil, []byte("MULTI"))
				r = resp.AppendCommand(r, []byte("INCR"), k)
				r = resp.AppendCommand(r, []byte("EXPIRE"), k, []byte("60"))
				reqs[i] = resp.AppendCommand(r, []byte("EXEC"))
			}
			replyN := len("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1000000001\r\n:1\r\n")
			conns := make([]*pipeline, c.conns)
			for i := range conns {
				conns[i] = newRequestPipeline(b, addr, reqs, c.depth, replyN, '+')
				if err := conns[i].do(c.depth); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			if err := runConns(conns, b.N, c.depth); err != nil {
				b.Fatal(err)
			}
			cpu.report(b)
		})
	}
}

// runConns runs n ops over the pipelines at once, depth at a time.
func runConns(conns []*pipeline, n, depth int) error {
	var left atomic.Int64
	left.Store(int64(n))
	errs := make(chan error, len(conns))
	for _, p := range conns {
		go func() {
			for {
				k := int(min(int64(depth), left.Add(-int64(depth))+int64(depth)))
				if k <= 0 {
					errs <- nil
					return
				}
				if err := p.do(k); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var first error
	for range conns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// BenchmarkPublish sends PUBLISH of a 64-byte message, pipelined, from one or several
// connections at once (as compare.sh's publish rows, whose redis-benchmark uses 50), to
// a channel with 1 or 100 subscriber connections; an op is one PUBLISH. The clock stops
// when every subscriber has received every message, so the delivery through the
// subscribers' output goroutines is measured too.
func BenchmarkPublish(b *testing.B) {
	channel := []byte("bench:channel")
	payload := value(64)
	for _, c := range []struct{ subs, pubs, depth int }{{1, 1, 16}, {1, 16, 1}, {100, 16, 1}, {100, 1, 16}} {
		b.Run(fmt.Sprintf("subs=%d/pubs=%d/P=%d", c.subs, c.pubs, c.depth), func(b *testing.B) {
			srv := startServer(b, 0)
			addr := srv.Addr().String()
			msgLen := len(resp.AppendCommand(nil, []byte("message"), channel, payload))
			received := make([]atomic.Int64, c.subs)
			for i := range c.subs {
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { conn.Close() })
				if _, err := conn.Write(resp.AppendCommand(nil, []byte("SUBSCRIBE"), channel)); err != nil {
					b.Fatal(err)
				}
				confirm := make([]byte, len(resp.AppendCommand(nil, []byte("subscribe"), channel, []byte("1")))-len("$1\r\n1\r\n")+len(":1\r\n"))
				if _, err := io.ReadFull(conn, confirm); err != nil {
					b.Fatal(err)
				}
				go func() {
					buf := make([]byte, 64<<10)
					for {
						n, err := conn.Read(buf)
						received[i].Add(int64(n))
						if err != nil {
							return
						}
					}
				}()
			}
			cmds := make([][][]byte, 64) // copies, so that a batch leaves in one write
			for i := range cmds {
				cmds[i] = [][]byte{[]byte("PUBLISH"), channel, payload}
			}
			pubs := make([]*pipeline, c.pubs)
			for i := range pubs {
				pubs[i] = newPipeline(b, addr, cmds, c.depth, len(fmt.Sprintf(":%d\r\n", c.subs)), ':')
				if err := pubs[i].do(c.depth); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			if err := runConns(pubs, b.N, c.depth); err != nil {
				b.Fatal(err)
			}
			want := int64(b.N+c.pubs*c.depth) * int64(msgLen)
			deadline := time.Now().Add(30 * time.Second)
			for i := range received {
				for received[i].Load() < want {
					if time.Now().After(deadline) {
						b.Fatalf("subscriber %d received %d of %d bytes", i, received[i].Load(), want)
					}
					time.Sleep(50 * time.Microsecond)
				}
			}
			cpu.report(b)
		})
	}
}
