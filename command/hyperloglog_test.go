package command

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/hll"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

const (
	hllNotHLL  = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"
	hllCorrupt = "-INVALIDOBJ Corrupted HLL object detected\r\n"
	hllHdr     = "HYLL\x01\x00\x00\x00"
	// PFADD h a b c on Redis 7.0.15: the sparse registers.
	hllABC = "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a"
)

func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// Every reply below was checked against Redis 7.0.15.
var hyperLogLogScenarios = []scenario{
	{"pfadd-pfcount-cache", [][]string{
		{"pfadd", "h", "a", "b", "c", ":1\r\n"},
		{"get", "h", bulk(hllHdr + "\x00\x00\x00\x00\x00\x00\x00\x80" + hllABC)},
		{"pfcount", "h", ":3\r\n"},
		{"get", "h", bulk(hllHdr + "\x03\x00\x00\x00\x00\x00\x00\x00" + hllABC)},
		{"pfadd", "h", "a", ":0\r\n"},
		{"get", "h", bulk(hllHdr + "\x03\x00\x00\x00\x00\x00\x00\x00" + hllABC)},
		{"pfadd", "h", "d", ":1\r\n"},
		{"get", "h", bulk(hllHdr + "\x03\x00\x00\x00\x00\x00\x00\x80" + "\x5c\x7b\x80\x44\x76\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a")},
		{"pfcount", "h", ":4\r\n"},
		{"object", "encoding", "h", "$3\r\nraw\r\n"},
	}},
	{"empty-and-missing", [][]string{
		{"pfcount", "nokey", ":0\r\n"},
		{"pfcount", "nokey", "nokey2", ":0\r\n"},
		{"exists", "nokey", ":0\r\n"},
		{"pfadd", "e", ":1\r\n"},
		{"get", "e", bulk(hllHdr + "\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff")},
		{"pfadd", "e", ":0\r\n"},
		{"pfcount", "e", ":0\r\n"},
		{"get", "e", bulk(hllHdr + "\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff")},
		{"pfmerge", "m", "nokey", "+OK\r\n"},
		{"get", "m", bulk(hllHdr + "\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff")},
		{"pfmerge", "m2", "+OK\r\n"},
		{"pfcount", "m2", ":0\r\n"},
	}},
	{"merge-and-union", [][]string{
		{"pfadd", "a", "1", "2", "3", ":1\r\n"},
		{"pfadd", "b", "3", "4", "5", "6", ":1\r\n"},
		{"pfcount", "a", "b", ":6\r\n"},
		{"pfcount", "a", ":3\r\n"},
		{"pfmerge", "a", "b", "+OK\r\n"},
		{"pfcount", "a", ":6\r\n"},
		{"pfcount", "b", ":4\r\n"},
	}},
	{"errors", [][]string{
		{"set", "s", "hello", "+OK\r\n"},
		{"pfadd", "s", "a", hllNotHLL},
		{"pfcount", "s", hllNotHLL},
		{"pfcount", "nokey", "s", hllNotHLL},
		{"pfmerge", "d", "s", hllNotHLL},
		{"exists", "d", ":0\r\n"},
		{"pfmerge", "s", "nokey", hllNotHLL},
		{"rpush", "l", "x", ":1\r\n"},
		{"pfadd", "l", "a", bmWrongType},
		{"pfcount", "l", bmWrongType},
		{"pfdebug", "encoding", "l", bmWrongType},
		{"pfdebug", "encoding", "s", hllNotHLL},
		{"set", "c", hllHdr + "\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe", "+OK\r\n"},
		{"pfcount", "c", hllCorrupt},
		{"pfcount", "c", "nokey", hllCorrupt},
		{"pfmerge", "d", "c", hllCorrupt},
		{"pfdebug", "todense", "c", hllCorrupt},
		{"pfdebug", "decode", "c", bulk("Z:16383")},
		{"pfadd", "x", ":1\r\n"},
		{"pfadd", "-ERR wrong number of arguments for 'pfadd' command\r\n"},
		{"pfdebug", "getreg", "-ERR wrong number of arguments for 'pfdebug' command\r\n"},
		{"pfselftest", "x", "-ERR wrong number of arguments for 'pfselftest' command\r\n"},
	}},
	{"pfdebug", [][]string{
		{"pfdebug", "encoding", "nokey", "-ERR The specified key does not exist\r\n"},
		{"pfdebug", "whatever", "nokey", "-ERR The specified key does not exist\r\n"},
		{"pfadd", "h", "a", "b", "c", ":1\r\n"},
		{"pfdebug", "WhatEver", "h", "-ERR Unknown PFDEBUG subcommand 'WhatEver'\r\n"},
		{"pfdebug", "ENCODING", "h", "+sparse\r\n"},
		{"pfdebug", "decode", "h", bulk("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603")},
		{"pfdebug", "todense", "h", ":1\r\n"},
		{"pfdebug", "todense", "h", ":0\r\n"},
		{"pfdebug", "encoding", "h", "+dense\r\n"},
		{"pfdebug", "decode", "h", "-ERR HLL encoding is not sparse\r\n"},
		{"strlen", "h", ":12304\r\n"},
		{"pfcount", "h", ":3\r\n"},
	}},
	{"selftest", [][]string{{"pfselftest", "+OK\r\n"}}},
}

func TestHyperLogLogScenarios(t *testing.T) { runScenarios(t, hyperLogLogScenarios) }

func TestPFDebugGetReg(t *testing.T) {
	ks := newKS()
	run(t, ks, "pfadd", "h", "a", "b", "c")
	got := run(t, ks, "pfdebug", "getreg", "h")
	// a, b and c set registers 8436 (1), 12711 (2) and 15780 (1): the rest are 0.
	want := make([]string, hll.Registers)
	for i := range want {
		want[i] = ":0\r\n"
	}
	want[8436], want[12711], want[15780] = ":1\r\n", ":2\r\n", ":1\r\n"
	if exp := "*16384\r\n" + strings.Join(want, ""); got != exp {
		t.Fatalf("GETREG reply differs (%d bytes, want %d)", len(got), len(exp))
	}
	if r := run(t, ks, "pfdebug", "encoding", "h"); r != "+dense\r\n" {
		t.Fatalf("GETREG left the value %q", r)
	}
}

// TestHyperLogLogEvents checks the keyspace changes the handlers report.
func TestHyperLogLogEvents(t *testing.T) {
	ks := newKS()
	rec := &eventRecorder{}
	ks.SetHooks(rec)
	run(t, ks, "pfadd", "h", "a")
	run(t, ks, "pfadd", "h", "a")
	run(t, ks, "pfcount", "h")
	run(t, ks, "pfcount", "h")
	run(t, ks, "pfcount", "h", "nokey")
	run(t, ks, "pfmerge", "m", "h")
	run(t, ks, "pfdebug", "todense", "m")
	want := "h:new h:pfadd h: m:new m:pfadd"
	if got := strings.Join(rec.events, " "); got != want {
		t.Fatalf("events %q, want %q", got, want)
	}
}

type eventRecorder struct{ events []string }

func (r *eventRecorder) KeyChanged(_ int, key []byte, ev store.Event) {
	if ev.Class != store.ClassMiss {
		r.events = append(r.events, string(key)+":"+ev.Name)
	}
}
func (r *eventRecorder) DBReplacing(int, int) {}

// TestHyperLogLogSparseGrowth grows a sparse value through the entry's amortised
// buffer and its promotion, keeping the registers.
func TestHyperLogLogSparseGrowth(t *testing.T) {
	ks := newKS()
	for i := 0; i < 3000; i++ {
		run(t, ks, "pfadd", "h", "e"+strconv.Itoa(i))
		run(t, ks, "pfadd", "all", "e"+strconv.Itoa(i))
		if i%500 == 0 {
			run(t, ks, "pfcount", "h")
		}
	}
	if got := run(t, ks, "object", "encoding", "h"); got != "$3\r\nraw\r\n" {
		t.Fatalf("encoding %q", got)
	}
	if a, b := run(t, ks, "pfcount", "h"), run(t, ks, "pfcount", "all"); a != b {
		t.Fatalf("counts %q and %q", a, b)
	}
	if got := run(t, ks, "strlen", "h"); got != ":12304\r\n" {
		t.Fatalf("strlen %q", got)
	}
}

// BenchmarkHyperLogLog measures the handlers, one element per PFADD.
func BenchmarkHyperLogLog(b *testing.B) {
	ks := newKS()
	w := &resp.Writer{}
	for i := 0; i < 100000; i++ {
		run(b, ks, "pfadd", "dense", strconv.Itoa(i))
		run(b, ks, "pfadd", "dense2", "x"+strconv.Itoa(i))
	}
	run(b, ks, "pfadd", "sparse", "a", "b", "c")
	call := func(args ...string) func() {
		argv := make([][]byte, len(args))
		for i, a := range args {
			argv[i] = []byte(a)
		}
		spec, err := table().Lookup(argv)
		if err != nil {
			b.Fatal(err)
		}
		c := &Ctx{Args: argv, Spec: spec, W: w, KS: ks, DB: ks.DB(0)}
		return func() {
			w.Reset()
			if err := spec.Do(c); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("pfadd-dense", func(b *testing.B) {
		argv := [][]byte{[]byte("pfadd"), []byte("dense"), nil}
		spec, _ := table().Lookup(argv)
		c := &Ctx{Args: argv, Spec: spec, W: w, KS: ks, DB: ks.DB(0)}
		var buf []byte
		for i := 0; b.Loop(); i++ {
			buf = strconv.AppendInt(buf[:0], int64(i), 36)
			argv[2] = buf
			w.Reset()
			_ = spec.Do(c)
		}
	})
	b.Run("pfadd-sparse", func(b *testing.B) {
		argv := [][]byte{[]byte("pfadd"), []byte("sp"), nil}
		spec, _ := table().Lookup(argv)
		c := &Ctx{Args: argv, Spec: spec, W: w, KS: ks, DB: ks.DB(0)}
		var buf []byte
		for i := 0; b.Loop(); i++ {
			if i%1000 == 0 { // stay sparse: a fresh key every 1000 elements
				ks.DB(0).Delete([]byte("sp"), store.EvDel)
			}
			buf = strconv.AppendInt(buf[:0], int64(i), 36)
			argv[2] = buf
			w.Reset()
			_ = spec.Do(c)
		}
	})
	b.Run("pfcount-cached", func(b *testing.B) {
		f := call("pfcount", "dense")
		for b.Loop() {
			f()
		}
	})
	b.Run("pfcount-dense-uncached", func(b *testing.B) {
		f := call("pfcount", "dense")
		for b.Loop() {
			e := ks.DB(0).Peek([]byte("dense"))
			hll.Invalidate(e.Grow(len(e.Bytes())))
			f()
		}
	})
	b.Run("pfcount-sparse-uncached", func(b *testing.B) {
		f := call("pfcount", "sparse")
		for b.Loop() {
			e := ks.DB(0).Peek([]byte("sparse"))
			hll.Invalidate(e.Grow(len(e.Bytes())))
			f()
		}
	})
	b.Run("pfcount-union-2-dense", func(b *testing.B) {
		f := call("pfcount", "dense", "dense2")
		for b.Loop() {
			f()
		}
	})
	b.Run("pfmerge-2-dense", func(b *testing.B) {
		f := call("pfmerge", "dst", "dense", "dense2")
		for b.Loop() {
			f()
		}
	})
}
