package server

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/config"
)

func TestHistogramBuckets(t *testing.T) {
	for _, v := range []int64{1, 2, 63, 64, 65, 100, 1000, 1023, 1024, 1025, 4096, 1e6, 1e9, histMaxNs} {
		lo, hi := histBounds(histIndex(v))
		if v < lo || v > hi {
			t.Errorf("value %d in bucket [%d, %d]", v, lo, hi)
		}
		if hi-lo > max(lo/32, 0) {
			t.Errorf("bucket [%d, %d] wider than 1/32 of its start", lo, hi)
		}
	}
	if i := histIndex(histMaxNs * 4); i != histBuckets-1 {
		t.Errorf("values past the range go to the last bucket, got %d", i)
	}
	// LATENCY HISTOGRAM's labels are Redis's.
	var labels []int64
	for b := int64(1024); b <= 1<<20; b *= 2 {
		labels = append(labels, hdrLabel(b))
	}
	want := []int64{1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056}
	for i, w := range want {
		if labels[i] != w {
			t.Fatalf("labels %v, want %v", labels, want)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 100; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	counts, total := h.snapshot()
	for _, c := range []struct {
		p    float64
		want int64 // ns
	}{{50, 50000}, {99, 99000}, {100, 100000}, {0, 1000}} {
		got := percentile(counts, total, c.p)
		if got < c.want || float64(got) > float64(c.want)*1.04 {
			t.Errorf("p%v = %d ns, want about %d", c.p, got, c.want)
		}
	}
}

func TestSlowlogArgs(t *testing.T) {
	spec := &command.Spec{Name: "rpush"}
	var args [][]byte
	args = append(args, []byte("rpush"), []byte(strings.Repeat("k", 200)))
	for i := 0; i < 40; i++ {
		args = append(args, []byte("v"))
	}
	out := slowlogArgs(spec, args)
	if len(out) != 32 || out[31] != "... (11 more arguments)" {
		t.Fatalf("%d args, last %q", len(out), out[len(out)-1])
	}
	if out[1] != strings.Repeat("k", 128)+"... (72 more bytes)" {
		t.Fatalf("long argument: %q", out[1])
	}
	auth := slowlogArgs(&command.Spec{Name: "auth"}, [][]byte{[]byte("AUTH"), []byte("u"), []byte("p")})
	if strings.Join(auth, " ") != "AUTH (redacted) (redacted)" {
		t.Fatalf("auth: %q", auth)
	}
	hello := slowlogArgs(&command.Spec{Name: "hello"}, [][]byte{[]byte("HELLO"), []byte("3"), []byte("auth"), []byte("u"), []byte("p"), []byte("SETNAME"), []byte("n")})
	if strings.Join(hello, " ") != "HELLO 3 auth (redacted) (redacted) SETNAME n" {
		t.Fatalf("hello: %q", hello)
	}
	setuser := slowlogArgs(&command.Spec{Name: "acl|setuser"}, [][]byte{[]byte("ACL"), []byte("SETUSER"), []byte("u"), []byte(">p")})
	if strings.Join(setuser, " ") != "ACL SETUSER (redacted) (redacted)" {
		t.Fatalf("acl setuser: %q", setuser)
	}
}

func TestMonitorLine(t *testing.T) {
	at := time.Unix(1700000000, 123456789)
	got := string(monitorLine(at, "127.0.0.1:5555", 3, &command.Spec{Name: "set"},
		[][]byte{[]byte("SET"), []byte("k"), []byte("a \"b\"\n\\\x01\xff\t")}))
	want := `+1700000000.123456 [3 127.0.0.1:5555] "SET" "k" "a \"b\"\n\\\x01\xff\t"` + "\r\n"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := string(monitorLine(time.Unix(5, 1000), "lua", 0, nil, [][]byte{[]byte("get")})); got != "+5.000001 [0 lua] \"get\"\r\n" {
		t.Fatalf("%q", got)
	}
}

func newBenchServer(b *testing.B) *Server {
	cfg, err := config.Parse([]string{"--save", ""})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(cfg, Options{Log: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkDiagHooks measures what the diagnostics add to every command: noteCommand,
// gate, observe (slowlog check, latency histogram) and afterExecute.
func BenchmarkDiagHooks(b *testing.B) {
	s := newBenchServer(b)
	c := &Client{srv: s}
	spec := s.table.Get("get")
	c.ctx.Args = [][]byte{[]byte("GET"), []byte("k")}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.noteCommand(spec)
		s.gate(c, spec, spec)
		s.observe(c, spec, time.Microsecond)
		c.afterExecute()
	}
}
