package script

import (
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
