package persist

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/store"
)

func newLimits() *store.Limits { return &store.New(1, 1, &clock.Clock{}).Limits }

func TestCRC64(t *testing.T) {
	// The check value of the Jones variant, as Redis's crc64.c states it.
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("CRC64 = %#x", got)
	}
	data := []byte(strings.Repeat("Cinnabar and Redis ", 100))
	if CRC64(CRC64(0, data[:777]), data[777:]) != CRC64(0, data) {
		t.Fatal("CRC64 is not incremental")
	}
}

func TestLZF(t *testing.T) {
	// Redis 7.0.15 compresses 58 'a's (a DUMP of SET k aaa...) into these bytes: two
	// literals (offset 0 is never referenced), a 54-byte run, two trailing literals.
	if got := lzfCompress(bytes.Repeat([]byte("a"), 58), 54); string(got) != "\x01aa\xe0-\x00\x01aa" {
		t.Fatalf("compressed %q", got)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1000; i++ {
		in := make([]byte, 3+r.IntN(20000))
		alphabet := 1 + r.IntN(256)
		for j := range in {
			if j > 10 && r.IntN(4) == 0 { // repeats, near and far
				in[j] = in[j-1-r.IntN(min(j, 9000))]
			} else {
				in[j] = byte(r.IntN(alphabet))
			}
		}
		out := lzfCompress(in, len(in)-4)
		if out == nil {
			if len(lzfCompress(in, 2*len(in)+16)) <= len(in)-8 {
				t.Fatalf("gave up on %d bytes that compress well", len(in))
			}
			continue
		}
		if len(out) > len(in)-4 {
			t.Fatalf("compressed %d bytes to %d, over the bound", len(in), len(out))
		}
		back, err := lzfDecompress(out, uint64(len(in)))
		if err != nil || !bytes.Equal(back, in) {
			t.Fatalf("round trip of %d bytes: %v", len(in), err)
		}
	}
	for _, bad := range []struct {
		in  string
		out uint64
	}{
		{"\x01a", 2},               // literal past the input
		{"\x00a\x20\x05", 4},       // reference before the start
		{"\x00a\x20\x00", 3},       // output longer than declared
		{"\x00a", 2},               // output shorter than declared
		{"\xe0", 20},               // reference cut short
		{"\x00a", 1 << 40},         // more than the input can expand to
		{"\x00a\xe0\xff\x00", 200}, // 264 bytes into a 200-byte output
	} {
		if _, err := lzfDecompress([]byte(bad.in), bad.out); !IsFormatError(err) {
			t.Errorf("lzfDecompress(%q, %d): %v", bad.in, bad.out, err)
		}
	}
	if out, err := lzfDecompress([]byte("anything"), 0); err != nil || len(out) != 0 {
		t.Errorf("an empty result takes any input, as in Redis: %q %v", out, err)
	}
}

// encoded returns what fn writes with an encoder.
func encoded(compress bool, fn func(e *Encoder)) []byte {
	var b bytes.Buffer
	e := NewEncoder(&b, compress)
	fn(e)
	_ = e.Flush()
	return b.Bytes()
}

func TestLengths(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		want string
	}{
		{0, "\x00"}, {63, "\x3f"}, {64, "\x40\x40"}, {16383, "\x7f\xff"}, {16384, "\x80\x00\x00\x40\x00"},
		{math.MaxUint32, "\x80\xff\xff\xff\xff"}, {math.MaxUint32 + 1, "\x81\x00\x00\x00\x01\x00\x00\x00\x00"},
	} {
		got := encoded(true, func(e *Encoder) { e.WriteLen(c.n) })
		if string(got) != c.want {
			t.Errorf("WriteLen(%d) = %q, want %q", c.n, got, c.want)
		}
		n, err := NewDecoder(bytes.NewReader(got)).ReadLen()
		if err != nil || n != c.n {
			t.Errorf("ReadLen(%q) = %d, %v", got, n, err)
		}
	}
	// Redis reads a string-encoding marker in a length position as its 6 bits, and an
	// unknown length encoding as its error marker.
	for in, want := range map[string]uint64{"\xc5": 5, "\x82": math.MaxUint64} {
		if n, err := NewDecoder(strings.NewReader(in)).ReadLen(); err != nil || n != want {
			t.Errorf("ReadLen(%q) = %d, %v", in, n, err)
		}
	}
}

func TestStrings(t *testing.T) {
	long := strings.Repeat("ab", 20)
	for _, c := range []struct {
		in       string
		compress bool
		want     string
	}{
		{"0", true, "\xc0\x00"}, {"-128", true, "\xc0\x80"}, {"127", true, "\xc0\x7f"},
		{"128", true, "\xc1\x80\x00"}, {"-32768", true, "\xc1\x00\x80"}, {"32768", true, "\xc2\x00\x80\x00\x00"},
		{"-2147483648", true, "\xc2\x00\x00\x00\x80"}, {"2147483648", true, "\x0a2147483648"},
		{"-9223372036854775808", true, "\x14-9223372036854775808"},
		{"007", true, "\x03007"}, {"-0", true, "\x02-0"}, {"", true, "\x00"},
		{strings.Repeat("a", 20), true, "\x14" + strings.Repeat("a", 20)}, // too short to try
		{long, true, "\xc3\x0a\x28\x02aba\xe0\x1a\x01\x01ab"},             // as Redis 7.0.15 writes it
		{long, false, "\x28" + long},
	} {
		got := encoded(c.compress, func(e *Encoder) { e.WriteString([]byte(c.in)) })
		if string(got) != c.want {
			t.Errorf("WriteString(%q) = %q, want %q", c.in, got, c.want)
		}
		back, err := NewDecoder(bytes.NewReader(got)).ReadString()
		if err != nil || string(back) != c.in {
			t.Errorf("ReadString(%q) = %q, %v", got, back, err)
		}
	}
}

func TestListpack(t *testing.T) {
	w := newLPWriter()
	ints := []int64{0, 127, 128, -1, 4095, -4096, 4096, -32768, 32767, 32768, -1 << 23, 1<<23 - 1, 1 << 23,
		math.MinInt32, math.MaxInt32, math.MaxInt32 + 1, math.MinInt64, math.MaxInt64}
	for _, v := range ints {
		w.Int(v)
	}
	strs := []string{"", "x", strings.Repeat("s", 63), strings.Repeat("s", 64), strings.Repeat("m", 4095),
		strings.Repeat("m", 4096), strings.Repeat("L", 70000), "12a", "+1", "007"}
	for _, s := range strs {
		w.String([]byte(s))
	}
	w.String([]byte("-42")) // a canonical integer: stored as one
	lp := w.Finish()
	elems, err := parseListpack(lp)
	if err != nil {
		t.Fatal(err)
	}
	if len(elems) != len(ints)+len(strs)+1 {
		t.Fatalf("%d elements", len(elems))
	}
	for i, v := range ints {
		if !elems[i].isInt || elems[i].i != v {
			t.Errorf("element %d = %+v, want %d", i, elems[i], v)
		}
	}
	for i, s := range strs {
		if e := elems[len(ints)+i]; e.isInt || string(e.s) != s {
			t.Errorf("element %q decoded as %+v", s, e)
		}
	}
	if e := elems[len(elems)-1]; !e.isInt || e.i != -42 {
		t.Errorf("-42 stored as %+v", e)
	}
	// Each element's size is what the store accounts for.
	for _, s := range append(strs, "-42", "5000000000") {
		one := newLPWriter()
		one.String([]byte(s))
		if got, want := len(one.Finish())-lpHeaderSize-1, store.ListpackElemSize([]byte(s)); got != want {
			t.Errorf("%.10q takes %d bytes, the store counts %d", s, got, want)
		}
	}
	// A count of 65535 means "unknown", as when there are more elements than that.
	big := newLPWriter()
	for i := 0; i < 70000; i++ {
		big.Int(int64(i % 100))
	}
	if elems, err := parseListpack(big.Finish()); err != nil || len(elems) != 70000 {
		t.Fatalf("listpack of 70000: %d, %v", len(elems), err)
	}
}

func TestIntset(t *testing.T) {
	for _, ints := range [][]int64{{-5, 0, 7}, {1, 70000}, {math.MinInt64, 1}} {
		b := appendIntset(nil, ints)
		back, err := parseIntset(b)
		if err != nil || !slices.Equal(back, ints) {
			t.Errorf("intset %v: %v, %v", ints, back, err)
		}
	}
	if w := intsetWidth([]int64{-32768, 32767}); w != 2 {
		t.Errorf("width %d", w)
	}
}

func TestZiplistAndZipmap(t *testing.T) {
	// A ziplist of "ab", 7 (an immediate), -300 (int16), 70000 (int24), a 300-byte string
	// (14-bit length, and the next entry's back-link in 5 bytes).
	long := strings.Repeat("z", 300)
	zl := []byte{0, 0, 0, 0, 0, 0, 0, 0, 5, 0}
	var tail int
	add := func(prev int, entry ...byte) int {
		tail = len(zl)
		if prev < 254 {
			zl = append(zl, byte(prev))
		} else {
			zl = append(append(zl, 0xfe), byte(prev), byte(prev>>8), 0, 0)
		}
		zl = append(zl, entry...)
		return len(zl) - tail
	}
	p := add(0, append([]byte{0x02}, "ab"...)...)
	p = add(p, 0xf8)
	p = add(p, 0xc0, 0xd4, 0xfe)
	p = add(p, 0xf0, 0x70, 0x11, 0x01)
	p = add(p, append([]byte{0x41, 0x2c}, long...)...)
	add(p, 0xfe, 0xff)
	zl[8] = 6
	zl = append(zl, 0xff)
	zl[0], zl[1] = byte(len(zl)), byte(len(zl)>>8)
	zl[4], zl[5] = byte(tail), byte(tail>>8)
	elems, err := parseZiplist(zl)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range elems {
		got = append(got, string(e.Bytes()))
	}
	if want := []string{"ab", "7", "-300", "70000", long, "-1"}; !slices.Equal(got, want) {
		t.Fatalf("ziplist %q", got)
	}
	fv, err := parseZipmap([]byte("\x02\x01f\x02\x01vv\x00\x01g\x01\x00w\xff")) // f=vv (1 free byte), g=w
	if err != nil || len(fv) != 4 || string(fv[1]) != "vv" || string(fv[3]) != "w" {
		t.Fatalf("zipmap %q %v", fv, err)
	}
}

// sampleValues returns values of every type in each encoding.
func sampleValues(lim *store.Limits) map[string]*store.Entry {
	vals := map[string]*store.Entry{
		"string int":  store.NewString([]byte("-12345")),
		"string long": store.NewString([]byte(strings.Repeat("compress me ", 40))),
		"string bin":  store.NewString([]byte{0, 1, 2, 255}),
	}
	for _, n := range []int{3, 1500} {
		l := store.NewList(lim.ListMaxListpackSize.Load())
		for i := 0; i < n; i++ {
			l.PushBack([]byte(strconv.Itoa(i * i)))
			l.PushBack([]byte("element-" + strconv.Itoa(i)))
		}
		vals["list "+strconv.Itoa(n)] = store.NewListEntry(l)
	}
	for name, members := range map[string][]string{"intset": {"1", "-70000", "5"}, "set": {"a", "1", "b"}} {
		e := store.NewSet()
		for _, m := range members {
			e.SetValue().Add([]byte(m), lim)
		}
		vals[name] = e
	}
	for name, n := range map[string]int{"hash listpack": 10, "hash table": 1000} {
		e := store.NewHash()
		for i := 0; i < n; i++ {
			e.Hash().Set([]byte("f"+strconv.Itoa(i)), []byte(strconv.Itoa(i*7)), lim)
		}
		vals[name] = e
	}
	for name, n := range map[string]int{"zset listpack": 10, "zset skiplist": 500} {
		var pairs []store.ZPair
		for i := 0; i < n; i++ {
			pairs = append(pairs, store.ZPair{Member: "m" + strconv.Itoa(i), Score: float64(i%7) / 3})
		}
		pairs = append(pairs, store.ZPair{Member: "inf", Score: math.Inf(1)})
		vals[name] = store.NewZSetFrom(pairs, lim)
	}
	s := store.NewStream()
	for i := 1; i <= 300; i++ {
		fv := [][]byte{[]byte("f"), []byte(strconv.Itoa(i))}
		if i%40 == 0 {
			fv = append(fv, []byte("g"), []byte("x"))
		}
		if err := s.Append(store.StreamID{Ms: uint64(i / 2), Seq: uint64(i % 2)}, fv, 4096, 100); err != nil {
			panic(err)
		}
	}
	s.Delete([]store.StreamID{{Ms: 3, Seq: 0}, {Ms: 100, Seq: 1}})
	g := s.CreateGroup([]byte("g"), store.StreamID{Ms: 10}, 20)
	c := g.CreateConsumer([]byte("alice"), 1234)
	g.CreateConsumer([]byte("bob"), 99)
	for _, id := range []store.StreamID{{Ms: 5}, {Ms: 7, Seq: 1}} {
		n := g.ForcePending(id, 5000)
		n.DeliveryCount = 3
		g.Claim(id, n, c)
	}
	s.CreateGroup([]byte("empty"), store.StreamID{}, -1)
	vals["stream"] = store.NewStreamEntry(s)
	vals["stream empty"] = store.NewStreamEntry(store.NewStream())
	return vals
}

func TestRoundTrip(t *testing.T) {
	lim := newLimits()
	for name, v := range sampleValues(lim) {
		for _, compress := range []bool{true, false} {
			p := Dump(v, compress)
			if err := VerifyPayload(p); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			back, err := ReadPayload(p, lim)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if back.Type() != v.Type() || back.Encoding() != v.Encoding() {
				t.Errorf("%s came back as %s %s", name, back.Type(), back.Encoding())
			}
			if again := Dump(back, compress); !bytes.Equal(again, p) &&
				v.Encoding() != "hashtable" { // hash-table order depends on the process's seed
				t.Errorf("%s: the restored value dumps differently", name)
			}
		}
	}
}

func TestVerifyPayload(t *testing.T) {
	p := Dump(store.NewString([]byte("v")), true)
	if err := VerifyPayload(p); err != nil {
		t.Fatal(err)
	}
	newer := append([]byte{}, p[:len(p)-10]...)
	newer = append(newer, Version+1, 0)
	newer = append(newer, make([]byte, 8)...)
	copy(newer[len(newer)-8:], Dump(store.NewString([]byte("v")), true)[len(p)-8:])
	for name, bad := range map[string][]byte{
		"short":    p[:9],
		"checksum": append(append([]byte{}, p[:len(p)-1]...), p[len(p)-1]^1),
		"content":  append([]byte{0, 1, 'w'}, p[3:]...),
		"newer":    newer,
	} {
		if !errors.Is(VerifyPayload(bad), ErrPayload) {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestCorruptionNeverPanics cuts and alters payloads of every sample value: decoding
// gives a value or a FormatError, never a panic.
func TestCorruptionNeverPanics(t *testing.T) {
	lim := newLimits()
	r := rand.New(rand.NewPCG(3, 4))
	for name, v := range sampleValues(lim) {
		p := Dump(v, true)
		step := max(1, len(p)/150)
		for cut := 0; cut < len(p); cut += step {
			readOrFormatError(t, name, p[:cut], lim)
		}
		for i := 0; i < 100; i++ {
			b := bytes.Clone(p)
			for k := 1 + r.IntN(3); k > 0; k-- {
				b[r.IntN(len(b))] = byte(r.Uint32())
			}
			readOrFormatError(t, name, b, lim)
		}
	}
}

func readOrFormatError(t *testing.T, name string, p []byte, lim *store.Limits) {
	t.Helper()
	if _, err := ReadPayload(p, lim); err != nil && !IsFormatError(err) {
		t.Fatalf("%s: %v is not a FormatError", name, err)
	}
}

// FuzzReadPayload feeds arbitrary payloads to the decoder: it must not panic, and a
// value it accepts must dump and read back to the same dump.
func FuzzReadPayload(f *testing.F) {
	lim := newLimits()
	for _, v := range sampleValues(lim) {
		if p := Dump(v, true); len(p) < 4096 {
			f.Add(p)
		}
	}
	f.Add([]byte("\x0f\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x0c\x0c\x00\x00\x00\x00\x00\x00\xff"))
	f.Add([]byte("\x09\x0c\x02\x01f\x01\x00v\x01g\x01\x00w\xff"))
	f.Fuzz(func(t *testing.T, p []byte) {
		v, err := ReadPayload(p, lim)
		if err != nil {
			if !IsFormatError(err) {
				t.Fatalf("%v is not a FormatError", err)
			}
			return
		}
		d := Dump(v, true)
		back, err := ReadPayload(d, lim)
		if err != nil {
			t.Fatalf("a decoded value's dump does not decode: %v", err)
		}
		if v.Encoding() != "hashtable" && !bytes.Equal(Dump(back, true), d) {
			t.Fatal("a decoded value's dump does not round-trip")
		}
	})
}
