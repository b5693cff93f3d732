package bench

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// shardCounts are the configurations compared: one lock for the whole keyspace, and the
// maximum of 64 shards.
var shardCounts = []int{1, 64}

const (
	numKeys   = 1 << 14 // keys touched by the parallel benchmarks
	valueSize = 64
)

// BenchmarkKeyspaceLock measures the executor's locking discipline on the store alone:
// hash the key to its shard, lock that shard, read or replace the value, unlock; from
// every P at once (run with -cpu 1,2,4,... to vary the goroutines).
func BenchmarkKeyspaceLock(b *testing.B) {
	keys := keyNames(numKeys)
	val := value(valueSize)
	for _, shards := range shardCounts {
		for _, op := range []string{"get", "set", "get90set10"} {
			b.Run(fmt.Sprintf("shards=%d/%s", shards, op), func(b *testing.B) {
				ks := store.New(16, shards, &clock.Clock{})
				db := ks.DB(0)
				for _, k := range keys {
					db.Set(k, store.NewString(val), store.Event{})
				}
				var seed atomic.Uint64
				var sink atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					r := rand.New(rand.NewPCG(seed.Add(1), 7))
					n := 0
					for i := r.IntN(numKeys); pb.Next(); i++ {
						key := keys[i&(numKeys-1)]
						write := op == "set" || (op == "get90set10" && i%10 == 0)
						mask := uint64(1) << ks.ShardOf(key)
						ks.Lock(mask)
						d := ks.DB(0)
						if write {
							d.Set(key, store.NewString(val), store.Event{})
						} else if e := d.Lookup(key); e != nil {
							n += len(e.Bytes())
						}
						ks.Unlock(mask)
					}
					sink.Add(int64(n))
				})
			})
		}
	}
}

// BenchmarkKeyspaceNoLock is KeyspaceLock's get without any lock (safe: nothing writes).
// It is the calibration for the comparison: if it does not get faster from -cpu 1 to
// -cpu 2, the machine had no spare core during the run and the sharded and single-lock
// numbers cannot differ.
func BenchmarkKeyspaceNoLock(b *testing.B) {
	keys := keyNames(numKeys)
	val := value(valueSize)
	ks := store.New(16, store.MaxShards, &clock.Clock{})
	for _, k := range keys {
		ks.DB(0).Set(k, store.NewString(val), store.Event{})
	}
	var seed atomic.Uint64
	var sink atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(seed.Add(1), 7))
		n := 0
		for i := r.IntN(numKeys); pb.Next(); i++ {
			if e := ks.DB(0).Peek(keys[i&(numKeys-1)]); e != nil {
				n += len(e.Bytes())
			}
		}
		sink.Add(int64(n))
	})
}

// BenchmarkExecutorPath runs GET and SET the way the executor does, minus the network:
// table lookup, arity, the key's shard mask, lock, the real handler writing its reply
// into a resp.Writer, unlock. Each goroutine is one "client" with its own Ctx.
func BenchmarkExecutorPath(b *testing.B) {
	keys := keyNames(numKeys)
	val := value(valueSize)
	for _, shards := range shardCounts {
		for _, op := range []string{"get", "set"} {
			b.Run(fmt.Sprintf("shards=%d/%s", shards, op), func(b *testing.B) {
				ks := store.New(16, shards, &clock.Clock{})
				table := command.NewTable(command.DataCommands()...)
				for _, k := range keys {
					ks.DB(0).Set(k, store.NewString(val), store.Event{})
				}
				var seed atomic.Uint64
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					r := rand.New(rand.NewPCG(seed.Add(1), 7))
					var w resp.Writer
					ctx := command.Ctx{W: &w, KS: ks}
					args := [][]byte{[]byte("GET"), nil}
					if op == "set" {
						args = [][]byte{[]byte("SET"), nil, val}
					}
					for i := r.IntN(numKeys); pb.Next(); i++ {
						args[1] = keys[i&(numKeys-1)]
						spec, err := table.Lookup(args)
						if err != nil {
							b.Error(err)
							return
						}
						mask := spec.ShardMask(args, ks)
						ks.Lock(mask)
						ctx.Args, ctx.Spec, ctx.DB = args, spec, ks.DB(0)
						err = spec.Do(&ctx)
						ctx.DB = nil
						ks.Unlock(mask)
						if err != nil {
							b.Error(err)
							return
						}
						w.Reset()
					}
				})
			})
		}
	}
}

// BenchmarkServerShards is the end-to-end variant: in-process servers started with
// Options{Shards: 1} and {Shards: 64}, and 8 connections per P (SetParallelism), each
// sending pipelined GETs or SETs of random keys over loopback TCP. Client and server
// share the machine's CPUs, as they do in production on a small box.
func BenchmarkServerShards(b *testing.B) {
	keys := keyNames(numKeys)
	val := value(valueSize)
	for _, shards := range shardCounts {
		for _, depth := range []int{1, 16} {
			for _, op := range []string{"get", "set"} {
				b.Run(fmt.Sprintf("shards=%d/P=%d/%s", shards, depth, op), func(b *testing.B) {
					srv := startServer(b, shards)
					addr := srv.Addr().String()
					fill(b, addr, keys, val)
					var seed atomic.Uint64
					b.SetParallelism(8)
					b.ReportAllocs()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						r := rand.New(rand.NewPCG(seed.Add(1), 7))
						cmds := make([][][]byte, 256)
						for i := range cmds {
							k := keys[r.IntN(numKeys)]
							if op == "get" {
								cmds[i] = [][]byte{[]byte("GET"), k}
							} else {
								cmds[i] = [][]byte{[]byte("SET"), k, val}
							}
						}
						replyN, first := getReplyLen(valueSize), byte('$')
						if op == "set" {
							replyN, first = len("+OK\r\n"), '+'
						}
						p := newPipeline(b, addr, cmds, depth, replyN, first)
						for {
							n := 0
							for n < depth && pb.Next() {
								n++
							}
							if n == 0 {
								return
							}
							if err := p.do(n); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
			}
		}
	}
}
