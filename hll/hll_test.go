package hll

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func addAll(t testing.TB, b []byte, limit int, elems ...string) []byte {
	t.Helper()
	for _, e := range elems {
		var err error
		if b, _, err = Add(b, []byte(e), limit); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// Golden values were read with GET from Redis 7.0.15.
func TestGoldenSparse(t *testing.T) {
	if got, want := New(), unhex(t, "48594c4c01000000000000000000000"+"07fff"); !bytes.Equal(got, want) {
		t.Fatalf("New() = %x, want %x", got, want)
	}
	b := addAll(t, New(), 3000, "a", "b", "c")
	if want := unhex(t, "48594c4c010000000000000000000080"+"60f38050b1844bfb80425a"); !bytes.Equal(b, want) {
		t.Fatalf("a b c = %x, want %x", b, want)
	}
	n, err := Count(b)
	if err != nil || n != 3 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	SetCached(b, n)
	b = addAll(t, b, 3000, "d")
	if want := unhex(t, "48594c4c010000000300000000000080"+"5c7b80447680"+"50b1844bfb80425a"); !bytes.Equal(b, want) {
		t.Fatalf("a b c d = %x, want %x", b, want)
	}
	if _, ok := Cached(b); ok {
		t.Fatal("cache still valid after a change")
	}
	if got := Decode(b); got != "Z:7292 v:1,1 Z:1143 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603" {
		t.Fatalf("Decode = %q", got)
	}
}

func TestHeader(t *testing.T) {
	b := New()
	if !Valid(b) || !IsSparse(b) {
		t.Fatal("New() is not a valid sparse HLL")
	}
	if n, ok := Cached(b); !ok || n != 0 {
		t.Fatalf("Cached(New()) = %d, %v", n, ok)
	}
	Invalidate(b)
	if _, ok := Cached(b); ok {
		t.Fatal("Invalidate left the cache valid")
	}
	SetCached(b, 1<<62+5)
	if n, ok := Cached(b); !ok || n != 1<<62+5 {
		t.Fatalf("Cached = %d, %v", n, ok)
	}
	d, err := ToDense(b)
	if err != nil || len(d) != DenseSize || IsSparse(d) || !Valid(d) {
		t.Fatalf("ToDense: len %d, err %v", len(d), err)
	}
	if n, _ := Cached(d); n != 1<<62+5 {
		t.Fatal("ToDense lost the cached cardinality")
	}
	for _, bad := range [][]byte{
		nil, []byte("HYLL"), []byte("HYLLxxxxxxxxxxxx"),
		append([]byte("HYLL\x02\x00\x00\x00"), make([]byte, 8)...),
		append([]byte("HYLx\x01\x00\x00\x00"), make([]byte, 10)...),
		d[:DenseSize-1], append(bytes.Clone(d), 0),
	} {
		if Valid(bad) {
			t.Errorf("Valid(%q) = true", bad)
		}
	}
	if !Valid([]byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")) {
		t.Error("a header-only sparse value passes the header check in Redis")
	}
}

func TestDenseRegisters(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	regs := make([]byte, denseBytes)
	var model [Registers]uint8
	for round := 0; round < 4; round++ {
		for i := range model {
			v := uint8(r.IntN(64))
			model[i] = v
			setDense(regs, i, v)
		}
		for i, v := range model {
			if got := denseGet(regs, i); got != v {
				t.Fatalf("register %d = %d, want %d", i, got, v)
			}
		}
		var h histogram
		denseHisto(regs, &h)
		var want histogram
		for _, v := range model {
			want[v]++
		}
		if h != want {
			t.Fatal("dense histogram differs from the registers")
		}
	}
	if denseSet(regs, 7, 0) {
		t.Fatal("denseSet lowered a register")
	}
}

// registersOf decodes any valid HLL through a Union.
func registersOf(t testing.TB, b []byte) Union {
	t.Helper()
	var u Union
	if err := u.Merge(b); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSparseModel adds random elements one at a time and checks, after each, that the
// registers match a plain array model, the sparse value respects the size limit until it
// turns dense, and that it turns dense only when it must.
func TestSparseModel(t *testing.T) {
	for _, limit := range []int{30, 300, 3000, 20000} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(limit), 7))
			b := New()
			var model Union
			promoted := 0
			for n := 0; n < 6000; n++ {
				ele := strconv.AppendUint(nil, r.Uint64(), 10)
				idx, val := hashElement(ele)
				wasSparse := IsSparse(b)
				var changed bool
				var err error
				b, changed, err = Add(b, ele, limit)
				if err != nil {
					t.Fatal(err)
				}
				if changed != (val > model[idx]) {
					t.Fatalf("element %d: changed=%v, model %d -> %d", n, changed, model[idx], val)
				}
				model[idx] = max(model[idx], val)
				if wasSparse && !IsSparse(b) {
					promoted++
				}
				if IsSparse(b) && len(b) > max(limit, sparseLen0) {
					t.Fatalf("sparse value of %d bytes over the %d limit", len(b), limit)
				}
				if n%97 == 0 || (wasSparse && (n < 1500 || n%11 == 0)) {
					if got := registersOf(t, b); got != model {
						t.Fatalf("element %d: registers differ from the model", n)
					}
				}
			}
			// 6000 elements outgrow 3000 bytes; 20000 bytes hold them (no value above 32
			// turns up in so few elements).
			if wantDense := limit <= 3000; promoted != btoi(wantDense) || IsSparse(b) == wantDense {
				t.Fatalf("promoted %d times, sparse at the end: %v", promoted, IsSparse(b))
			}
			got, _ := Count(b)
			if want := model.Count(); got != want {
				t.Fatalf("Count %d, union count %d", got, want)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

const sparseLen0 = HeaderSize + 2

func TestPromoteOnLargeValue(t *testing.T) {
	b, changed, err := SetRegister(New(), 100, 32, 3000)
	if err != nil || !changed || !IsSparse(b) {
		t.Fatalf("32 must stay sparse: %v %v %v", changed, err, IsSparse(b))
	}
	if Decode(b) != "Z:100 v:32,1 Z:16283" {
		t.Fatalf("Decode = %q", Decode(b))
	}
	b, changed, err = SetRegister(b, 5, 33, 3000)
	if err != nil || !changed || IsSparse(b) {
		t.Fatal("33 must turn the HLL dense")
	}
	if denseGet(b[HeaderSize:], 5) != 33 || denseGet(b[HeaderSize:], 100) != 32 {
		t.Fatal("registers lost in promotion")
	}
	if _, ok := Cached(b); ok {
		t.Fatal("cache valid after promotion")
	}
}

// TestSparseSplitAndMerge walks the opcode cases: ZERO and XZERO splits at both ends
// and in the middle, VAL splits, in-place updates and the merge of equal neighbours.
func TestSparseSplitAndMerge(t *testing.T) {
	steps := []struct {
		idx  int
		val  uint8
		want string
	}{
		{0, 1, "v:1,1 Z:16383"},
		{16383, 2, "v:1,1 Z:16382 v:2,1"},
		{1, 1, "v:1,2 Z:16381 v:2,1"},
		{3, 1, "v:1,2 z:1 v:1,1 Z:16379 v:2,1"},
		{2, 1, "v:1,4 Z:16379 v:2,1"},
		{1, 3, "v:1,1 v:3,1 v:1,2 Z:16379 v:2,1"},
		{1, 1, "v:1,1 v:3,1 v:1,2 Z:16379 v:2,1"},
		{70, 4, "v:1,1 v:3,1 v:1,2 Z:66 v:4,1 Z:16312 v:2,1"},
		{5, 4, "v:1,1 v:3,1 v:1,2 z:1 v:4,1 z:64 v:4,1 Z:16312 v:2,1"},
	}
	b := New()
	for _, s := range steps {
		var err error
		b, _, err = SetRegister(b, s.idx, s.val, 3000)
		if err != nil {
			t.Fatal(err)
		}
		if got := Decode(b); got != s.want {
			t.Fatalf("set %d=%d: %q, want %q", s.idx, s.val, got, s.want)
		}
	}
	// An XZERO of run 1 shrinks to a VAL.
	x := append(New()[:HeaderSize], 0x7f, 0xfe, 0x40, 0x00)
	x, _, err := SetRegister(x, 16383, 1, 3000)
	if err != nil || Decode(x) != "Z:16383 v:1,1" || len(x) != HeaderSize+3 {
		t.Fatalf("XZERO(1) split: %q %v", Decode(x), err)
	}
}

func TestCorrupt(t *testing.T) {
	hdr := New()[:HeaderSize]
	cases := map[string][]byte{
		"empty body":  bytes.Clone(hdr),
		"short runs":  append(bytes.Clone(hdr), 0x7f, 0xfe),
		"long runs":   append(bytes.Clone(hdr), 0x7f, 0xff, 0x00),
		"val overrun": append(bytes.Clone(hdr), 0x7f, 0xfe, 0x83),
	}
	for name, b := range cases {
		if _, err := Count(b); err != ErrCorrupt {
			t.Errorf("%s: Count error %v", name, err)
		}
		if _, err := ToDense(b); err != ErrCorrupt {
			t.Errorf("%s: ToDense error %v", name, err)
		}
		var u Union
		if err := u.Merge(b); err != ErrCorrupt {
			t.Errorf("%s: Merge error %v", name, err)
		}
	}
	if _, _, err := SetRegister(cases["empty body"], 0, 1, 3000); err != ErrCorrupt {
		t.Errorf("set in an empty body: %v", err)
	}
	// A truncated XZERO reads its missing byte as 0 and never panics.
	tr := append(bytes.Clone(hdr), 0x7f)
	if _, err := Count(tr); err != ErrCorrupt {
		t.Errorf("truncated XZERO count: %v", err)
	}
	if _, _, err := SetRegister(tr, 5, 1, 3000); err != ErrCorrupt {
		t.Errorf("truncated XZERO set: %v", err)
	}
}

func TestUnionAndCount(t *testing.T) {
	a, b, all := New(), New(), New()
	for i := 0; i < 3000; i++ {
		e := []byte("e" + strconv.Itoa(i))
		if i%2 == 0 {
			a, _, _ = Add(a, e, 3000)
		} else {
			b, _, _ = Add(b, e, 3000)
		}
		all, _, _ = Add(all, e, 3000)
	}
	var u Union
	if u.Merge(a) != nil || u.Merge(b) != nil {
		t.Fatal("merge failed")
	}
	if u != registersOf(t, all) {
		t.Fatal("union registers differ from the HLL of all elements")
	}
	n, _ := Count(all)
	if u.Count() != n {
		t.Fatalf("union count %d, count %d", u.Count(), n)
	}
	var empty Union
	if empty.Count() != 0 {
		t.Fatal("empty union counts", empty.Count())
	}
	if n, _ := Count(New()); n != 0 {
		t.Fatal("empty HLL counts", n)
	}
}

func TestStandardError(t *testing.T) {
	b := New()
	const n = 100000
	for i := 0; i < n; i++ {
		b, _, _ = Add(b, strconv.AppendInt([]byte("x"), int64(i), 10), DefaultSparseMaxBytes)
	}
	c, _ := Count(b)
	if d := float64(c)/n - 1; d > 0.02 || d < -0.02 {
		t.Fatalf("count %d for %d elements", c, n)
	}
}

func TestSelfTest(t *testing.T) {
	if err := SelfTest(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkAddSparse(b *testing.B) {
	ele := make([][]byte, 1000)
	for i := range ele {
		ele[i] = []byte("element:" + strconv.Itoa(i))
	}
	h := New()
	for i := 0; b.Loop(); i++ {
		if i%len(ele) == 0 {
			h = New()
		}
		h, _, _ = Add(h, ele[i%len(ele)], DefaultSparseMaxBytes)
	}
}

func BenchmarkAddDense(b *testing.B) {
	h, _ := ToDense(New())
	var buf []byte
	for i := 0; b.Loop(); i++ {
		buf = strconv.AppendInt(buf[:0], int64(i), 10)
		h, _, _ = Add(h, buf, DefaultSparseMaxBytes)
	}
}

func BenchmarkCountDense(b *testing.B) {
	h, _ := ToDense(New())
	for i := 0; i < 100000; i++ {
		h, _, _ = Add(h, []byte(strconv.Itoa(i)), DefaultSparseMaxBytes)
	}
	for b.Loop() {
		Count(h)
	}
}

func BenchmarkCountSparse(b *testing.B) {
	h := New()
	for i := 0; i < 1000; i++ {
		h, _, _ = Add(h, []byte(strconv.Itoa(i)), DefaultSparseMaxBytes)
	}
	for b.Loop() {
		Count(h)
	}
}

// TestUnionApply checks Apply against one SetRegister per nonzero register, the way
// Redis's PFMERGE writes its destination, for sparse and dense destinations.
func TestUnionApply(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct{ dst, src, limit int }{
		{0, 10, 3000}, {50, 500, 3000}, {500, 2000, 3000}, {20, 100, 60}, {3000, 3000, 3000},
	} {
		dst, src := New(), New()
		for i := 0; i < tc.dst; i++ {
			dst, _, _ = Add(dst, strconv.AppendUint(nil, r.Uint64(), 10), tc.limit)
		}
		for i := 0; i < tc.src; i++ {
			src, _, _ = Add(src, strconv.AppendUint(nil, r.Uint64(), 10), tc.limit)
		}
		var u Union
		if u.Merge(src) != nil || u.Merge(dst) != nil {
			t.Fatal("merge failed")
		}
		want := bytes.Clone(dst)
		for i, v := range u {
			if v != 0 {
				want, _, _ = SetRegister(want, i, v, tc.limit)
			}
		}
		got, err := u.Apply(bytes.Clone(dst), tc.limit)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%+v: Apply differs from SetRegister per register (err %v)", tc, err)
		}
	}
}

// TestSpareCapacity checks that growing into spare capacity gives the same bytes as
// growing into new slices.
func TestSpareCapacity(t *testing.T) {
	a := New()
	b := make([]byte, sparseLen0, 4000)
	copy(b, New())
	for i := 0; i < 2000; i++ {
		e := []byte(strconv.Itoa(i))
		a, _, _ = Add(bytes.Clone(a), e, 3000) // never any spare capacity
		b, _, _ = Add(b, e, 3000)
		if !bytes.Equal(a, b) {
			t.Fatalf("element %d: values differ", i)
		}
	}
}

func BenchmarkUnionCount2Dense(b *testing.B) {
	x, _ := ToDense(New())
	y, _ := ToDense(New())
	for i := 0; i < 100000; i++ {
		x, _, _ = Add(x, []byte(strconv.Itoa(i)), DefaultSparseMaxBytes)
		y, _, _ = Add(y, []byte("y"+strconv.Itoa(i)), DefaultSparseMaxBytes)
	}
	for b.Loop() {
		var u Union
		u.Merge(x)
		u.Merge(y)
		u.Count()
	}
}
