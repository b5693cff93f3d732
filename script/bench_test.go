package script

import (
	"os"
	"testing"

	"github.com/cinnabar-db/cinnabar/resp"
)

func BenchmarkNewSandbox(b *testing.B) {
	e := New(Options{})
	for i := 0; i < b.N; i++ {
		sb := newSandbox(e, false)
		sb.L.Close()
	}
}

func BenchmarkEvalCached(b *testing.B) {
	e := New(Options{})
	sc, _ := e.Load([]byte("return redis.call('incr', KEYS[1])"))
	h := newFakeHost()
	keys := [][]byte{[]byte("k")}
	var w resp.Writer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.Reset()
		if err := e.Eval(sc, &Run{Host: h, Keys: keys}, &w); err != nil {
			b.Fatal(err)
		}
	}
}

// limiterHost answers the commands of the sliding-window limiter with canned replies,
// so that BenchmarkEvalLimiter measures the engine and the redis.call bridge alone.
type limiterHost struct{}

var limiterReplies = map[string][]byte{
	"TIME":             []byte("*2\r\n$10\r\n1764126915\r\n$6\r\n123456\r\n"),
	"ZREMRANGEBYSCORE": []byte(":0\r\n"),
	"ZCARD":            []byte(":5\r\n"),
	"ZADD":             []byte(":1\r\n"),
	"PEXPIRE":          []byte(":1\r\n"),
}

func (limiterHost) Call(args [][]byte, resp3 bool) []byte   { return limiterReplies[string(args[0])] }
func (limiterHost) CheckCommand(args [][]byte) (bool, bool) { return true, true }
func (limiterHost) Log(level int, msg string)               {}

// BenchmarkEvalLimiter runs compare.sh's evalsha script, bench/ratelimit.lua (which
// bench/script_test.go runs through a real server).
func BenchmarkEvalLimiter(b *testing.B) {
	e := New(Options{})
	lua, err := os.ReadFile("../bench/ratelimit.lua")
	if err != nil {
		b.Fatal(err)
	}
	sc, err := e.Load(lua)
	if err != nil {
		b.Fatal(err)
	}
	keys := [][]byte{[]byte("rl:000000000042")}
	args := [][]byte{[]byte("1000"), []byte("1000"), []byte("000000000042")}
	var w resp.Writer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w.Reset()
		if err := e.Eval(sc, &Run{Host: limiterHost{}, Keys: keys, Args: args}, &w); err != nil {
			b.Fatal(err)
		}
	}
	if string(w.Bytes()) != ":1\r\n" {
		b.Fatalf("reply %q", w.Bytes())
	}
}
