package store

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"testing"
)

func testLimits(entries, value int64) *Limits {
	var l Limits
	l.HashMaxListpackEntries.Store(entries)
	l.HashMaxListpackValue.Store(value)
	l.SetMaxIntsetEntries.Store(entries)
	return &l
}

// checkTable verifies the ordered table's invariants: slots sorted by hash, every item
// at or after its home with no gap in between, the count right, every item findable.
func checkTable(t *testing.T, tb *htable) {
	t.Helper()
	n := 0
	var last uint64
	for i, s := range tb.slots {
		if s.p == nil {
			continue
		}
		n++
		if s.h < last {
			t.Fatalf("slot %d: hash %x after %x", i, s.h, last)
		}
		last = s.h
		home := tb.home(s.h)
		if home > i {
			t.Fatalf("slot %d before its home %d", i, home)
		}
		for j := home; j < i; j++ {
			if tb.slots[j].p == nil {
				t.Fatalf("gap at %d between home %d and slot %d", j, home, i)
			}
		}
		k, _ := htKV(s.p)
		if tb.hash(k) != s.h || tb.find(s.h, k) != i {
			t.Fatalf("slot %d: key %q not found at its place", i, k)
		}
	}
	if n != tb.n {
		t.Fatalf("count %d, table says %d", n, tb.n)
	}
}

func hashContents(h *Hash) map[string]string {
	m := map[string]string{}
	h.Range(func(f, v []byte) bool { m[string(f)] = string(v); return true })
	return m
}

// TestHashModel runs random operations on a Hash and a map side by side, at limits
// that make it convert, and checks the table's invariants along the way.
func TestHashModel(t *testing.T) {
	for _, lim := range []*Limits{testLimits(16, 8), testLimits(512, 64), testLimits(0, 64)} {
		r := rand.New(rand.NewPCG(1, uint64(lim.HashMaxListpackEntries.Load())))
		h := NewHash().Hash()
		model := map[string]string{}
		for i := 0; i < 20000; i++ {
			f := fmt.Sprintf("f%d", r.IntN(300))
			if r.IntN(50) == 0 {
				f = ""
			}
			switch op := r.IntN(10); {
			case op < 5:
				v := strconv.Itoa(r.IntN(1000))
				if r.IntN(20) == 0 {
					v = string(make([]byte, 10+r.IntN(200)))
				}
				_, had := model[f]
				if added := h.Set([]byte(f), []byte(v), lim); added == had {
					t.Fatalf("Set(%q) added=%v, model had=%v", f, added, had)
				}
				model[f] = v
			case op < 9:
				_, had := model[f]
				if h.Delete([]byte(f)) != had {
					t.Fatalf("Delete(%q) disagrees", f)
				}
				delete(model, f)
			default:
				v, ok := h.Get([]byte(f))
				if mv, had := model[f]; ok != had || string(v) != mv {
					t.Fatalf("Get(%q) = %q %v, want %q %v", f, v, ok, mv, had)
				}
			}
			if h.Len() != len(model) {
				t.Fatalf("Len %d, want %d", h.Len(), len(model))
			}
			if h.t != nil && i%500 == 0 {
				checkTable(t, h.t)
			}
		}
		got := hashContents(h)
		if len(got) != len(model) {
			t.Fatalf("contents differ: %d vs %d", len(got), len(model))
		}
		for k, v := range model {
			if got[k] != v {
				t.Fatalf("field %q = %q, want %q", k, got[k], v)
			}
		}
	}
}

func TestHashEncodingConversion(t *testing.T) {
	lim := testLimits(4, 8)
	h := NewHash()
	hv := h.Hash()
	for i := 0; i < 4; i++ {
		hv.Set([]byte{byte('a' + i)}, []byte("12345678"), lim)
	}
	if h.Encoding() != "listpack" {
		t.Fatalf("4 fields: %s", h.Encoding())
	}
	// Listpack keeps insertion order, updates in place.
	hv.Set([]byte("b"), []byte("x"), lim)
	var order []string
	hv.Range(func(f, v []byte) bool { order = append(order, string(f)+"="+string(v)); return true })
	if want := []string{"a=12345678", "b=x", "c=12345678", "d=12345678"}; !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	hv.Set([]byte("e"), []byte("1"), lim)
	if h.Encoding() != "hashtable" {
		t.Fatalf("5 fields: %s", h.Encoding())
	}
	for _, f := range []string{"a", "b", "c", "d", "e"} {
		hv.Delete([]byte(f))
	}
	if h.Encoding() != "hashtable" || hv.Len() != 0 {
		t.Fatalf("emptied: %s %d", h.Encoding(), hv.Len())
	}

	long := NewHash()
	long.Hash().Set([]byte("f"), []byte("123456789"), lim)
	if long.Encoding() != "hashtable" {
		t.Fatal("a 9-byte value must convert at hash-max-listpack-value 8")
	}
	c := long.Clone()
	c.Hash().Set([]byte("f"), []byte("other"), lim)
	if v, _ := long.Hash().Get([]byte("f")); string(v) != "123456789" {
		t.Fatalf("clone shares writes: %q", v)
	}
}

// TestHashScanGuarantee checks that a field present for a whole HSCAN is returned
// while the table grows and shrinks underneath.
func TestHashScanGuarantee(t *testing.T) {
	lim := testLimits(0, 64)
	h := NewHash().Hash()
	for i := 0; i < 5000; i++ {
		h.Set([]byte(fmt.Sprintf("stay%d", i)), []byte("v"), lim)
	}
	seen := map[string]int{}
	var cursor uint64
	calls := 0
	for {
		cursor = h.Scan(cursor, 17, func(f, v []byte) { seen[string(f)]++ })
		calls++
		// Grow a lot, then shrink a lot, forcing resizes in both directions.
		if calls < 100 {
			for j := 0; j < 200; j++ {
				h.Set([]byte(fmt.Sprintf("tmp%d-%d", calls, j)), []byte("v"), lim)
			}
		} else if calls < 200 {
			for j := 0; j < 200; j++ {
				h.Delete([]byte(fmt.Sprintf("tmp%d-%d", calls-100, j)))
			}
		}
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 5000; i++ {
		if seen[fmt.Sprintf("stay%d", i)] == 0 {
			t.Fatalf("stay%d never returned", i)
		}
	}
	checkTable(t, h.t)
	// With no changes, a scan returns each field exactly once and honours COUNT.
	seen = map[string]int{}
	cursor = 0
	for {
		n := 0
		cursor = h.Scan(cursor, 100, func(f, v []byte) { seen[string(f)]++; n++ })
		if n > 100 {
			t.Fatalf("COUNT 100 returned %d", n)
		}
		if cursor == 0 {
			break
		}
	}
	if len(seen) != h.Len() {
		t.Fatalf("scanned %d of %d", len(seen), h.Len())
	}
	for f, n := range seen {
		if n != 1 {
			t.Fatalf("%s returned %d times", f, n)
		}
	}
}

func TestHashRandom(t *testing.T) {
	for _, lim := range []*Limits{testLimits(512, 64), testLimits(0, 64)} {
		h := NewHash().Hash()
		for i := 0; i < 10; i++ {
			h.Set([]byte(strconv.Itoa(i)), []byte("v"+strconv.Itoa(i)), lim)
		}
		counts := map[string]int{}
		h.RandomRepeat(20000, func(f, v []byte) {
			if string(v) != "v"+string(f) {
				t.Fatalf("pair %q=%q", f, v)
			}
			counts[string(f)]++
		})
		for i := 0; i < 10; i++ {
			if c := counts[strconv.Itoa(i)]; c < 1600 || c > 2400 {
				t.Fatalf("%s: field %d drawn %d times of 20000", h.Encoding(), i, c)
			}
		}
		for _, n := range []int{1, 3, 9} {
			got := map[string]bool{}
			h.RandomDistinct(n, func(f, v []byte) { got[string(f)] = true })
			if len(got) != n {
				t.Fatalf("RandomDistinct(%d) gave %d distinct", n, len(got))
			}
		}
		f, v := h.Random()
		if string(v) != "v"+string(f) {
			t.Fatalf("Random pair %q=%q", f, v)
		}
	}
}

// TestHashMemory reports the heap cost of a 1M-field hash (fields "field:N", values
// "value:N"); Redis 7.0 measured about 72 bytes per field for the same data.
func TestHashMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory report")
	}
	lim := testLimits(512, 64)
	const n = 1_000_000
	before := heapInUse()
	e := NewHash()
	h := e.Hash()
	buf := make([]byte, 0, 32)
	vbuf := make([]byte, 0, 32)
	for i := 0; i < n; i++ {
		buf = strconv.AppendInt(append(buf[:0], "field:"...), int64(i), 10)
		vbuf = strconv.AppendInt(append(vbuf[:0], "value:"...), int64(i), 10)
		h.Set(buf, vbuf, lim)
	}
	after := heapInUse()
	runtime.KeepAlive(e)
	t.Logf("1M-field hash: %.1f bytes/field (Redis 7.0: ~72.4); table %d slots for %d fields", float64(after-before)/n, len(h.t.slots), h.Len())
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestHashRangeOrderIsHashOrder(t *testing.T) {
	h := NewHash().Hash()
	lim := testLimits(0, 64)
	for i := 0; i < 1000; i++ {
		h.Set([]byte(strconv.Itoa(i)), nil, lim)
	}
	var hs []uint64
	h.Range(func(f, v []byte) bool { hs = append(hs, h.t.hash(f)); return true })
	if !sort.SliceIsSorted(hs, func(i, j int) bool { return hs[i] < hs[j] }) || len(hs) != 1000 {
		t.Fatal("hashtable iteration is not in hash order")
	}
}

func BenchmarkHashTable(b *testing.B) {
	lim := testLimits(0, 64)
	const n = 100_000
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("field:%d", i))
	}
	b.Run("Set", func(b *testing.B) {
		h := NewHash().Hash()
		for i := 0; i < b.N; i++ {
			h.Set(keys[i%n], keys[i%n], lim)
		}
	})
	b.Run("Get", func(b *testing.B) {
		h := NewHash().Hash()
		for _, k := range keys {
			h.Set(k, k, lim)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			h.Get(keys[i%n])
		}
	})
	b.Run("GoMapGet", func(b *testing.B) {
		m := map[string]string{}
		for _, k := range keys {
			m[string(k)] = string(k)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_ = m[string(keys[i%n])]
		}
	})
	b.Run("SetDelete", func(b *testing.B) {
		h := NewHash().Hash()
		for i := 0; i < b.N; i++ {
			h.Set(keys[i%n], keys[i%n], lim)
			if i%2 == 1 {
				h.Delete(keys[(i/2)%n])
			}
		}
	})
}
