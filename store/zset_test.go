package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

func zlimits(entries, value int64) *Limits {
	l := &Limits{}
	l.ZSetMaxListpackEntries.Store(entries)
	l.ZSetMaxListpackValue.Store(value)
	return l
}

// zmodel is the obviously correct sorted set the tests compare against.
type zmodel map[string]float64

func (m zmodel) sorted() []zitem {
	out := make([]zitem, 0, len(m))
	for k, v := range m {
		out = append(out, zitem{v, k})
	}
	slices.SortFunc(out, func(a, b zitem) int {
		if zless(a, b) {
			return -1
		}
		return 1
	})
	return out
}

func zcontents(z *ZSet) []zitem {
	var out []zitem
	z.Range(0, z.Len(), false, func(m []byte, s float64) bool {
		out = append(out, zitem{s, string(m)})
		return true
	})
	return out
}

func zcheck(t *testing.T, z *ZSet, m zmodel) {
	t.Helper()
	want := m.sorted()
	got := zcontents(z)
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !slices.Equal(want, got) {
		t.Fatalf("contents differ:\n got %v\nwant %v", got, want)
	}
	if z.big != nil {
		if s := z.big.tree.check(); s != "" {
			t.Fatalf("tree invariant: %s", s)
		}
		if z.big.tree.len() != z.big.dict.live {
			t.Fatalf("tree has %d items, dict %d", z.big.tree.len(), z.big.dict.live)
		}
	}
	var rev []zitem
	z.Range(0, z.Len(), true, func(m []byte, s float64) bool {
		rev = append(rev, zitem{s, string(m)})
		return true
	})
	slices.Reverse(rev)
	if !slices.Equal(want, rev) {
		t.Fatalf("reverse walk differs")
	}
}

func TestZSetModel(t *testing.T) {
	for _, lim := range []*Limits{zlimits(128, 64), zlimits(0, 0), zlimits(16, 8)} {
		t.Run(fmt.Sprintf("entries=%d", lim.ZSetMaxListpackEntries.Load()), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			z := &ZSet{}
			m := zmodel{}
			member := func() string { return "m" + strconv.Itoa(r.IntN(3000)) }
			for step := 0; step < 60000; step++ {
				switch op := r.IntN(100); {
				case op < 55:
					k, s := member(), float64(r.IntN(200))/4
					_, had := m[k]
					if added := z.Add([]byte(k), s, lim); added == had {
						t.Fatalf("Add(%s) = %v, model had %v", k, added, had)
					}
					m[k] = s
				case op < 85:
					k := member()
					_, had := m[k]
					if z.Remove([]byte(k)) != had {
						t.Fatalf("Remove(%s) disagrees", k)
					}
					delete(m, k)
				case op < 88 && len(m) > 0:
					a := r.IntN(len(m))
					b := a + r.IntN(min(len(m)-a, 1+r.IntN(300))+1)
					sorted := m.sorted()
					if n := z.RemoveRange(a, b); n != min(b, len(m))-a {
						t.Fatalf("RemoveRange(%d,%d) = %d", a, b, n)
					}
					for _, it := range sorted[a:min(b, len(sorted))] {
						delete(m, it.member)
					}
				case op < 94:
					k := member()
					rank, s, ok := z.Rank([]byte(k))
					ms, had := m[k]
					if ok != had || (ok && (s != ms || rank != slices.IndexFunc(m.sorted(), func(it zitem) bool { return it.member == k }))) {
						t.Fatalf("Rank(%s) = %d %v %v", k, rank, s, ok)
					}
				default:
					lo, hi := float64(r.IntN(60)), float64(r.IntN(60))
					sr := ScoreRange{Min: lo, Max: hi, MinEx: r.IntN(2) == 0, MaxEx: r.IntN(2) == 0}
					a, b := z.ScoreRange(sr)
					n := 0
					for _, s := range m {
						if (s > lo || (!sr.MinEx && s == lo)) && (s < hi || (!sr.MaxEx && s == hi)) {
							n++
						}
					}
					if b-a != n {
						t.Fatalf("ScoreRange(%+v) = [%d,%d), want %d members", sr, a, b, n)
					}
				}
				if z.Len() != len(m) {
					t.Fatalf("step %d: Len %d, model %d", step, z.Len(), len(m))
				}
				if step%5000 == 0 {
					zcheck(t, z, m)
				}
			}
			zcheck(t, z, m)
			c := z.clone()
			zcheck(t, c, m)
		})
	}
}

func TestZSetLex(t *testing.T) {
	for _, lim := range []*Limits{zlimits(128, 64), zlimits(0, 0)} {
		z := &ZSet{}
		for _, m := range []string{"a", "b", "c", "d", "e", "f", "g"} {
			z.Add([]byte(m), 0, lim)
		}
		b := func(s string) LexBound {
			switch s {
			case "-":
				return LexBound{Inf: -1}
			case "+":
				return LexBound{Inf: 1}
			}
			return LexBound{Value: []byte(s[1:]), Ex: s[0] == '('}
		}
		for _, c := range []struct {
			min, max string
			a, b     int
		}{
			{"-", "+", 0, 7}, {"[b", "[d", 1, 4}, {"(b", "(d", 2, 3}, {"[bb", "+", 2, 7},
			{"+", "-", 0, 0}, {"[d", "[b", 3, 3}, {"-", "(a", 0, 0}, {"[g", "+", 6, 7},
		} {
			a, bb := z.LexRange(LexRange{b(c.min), b(c.max)})
			if bb-a != max(c.b-c.a, 0) || (bb > a && a != c.a) {
				t.Errorf("%s: LexRange(%s, %s) = [%d,%d), want [%d,%d)", z.Encoding(), c.min, c.max, a, bb, c.a, c.b)
			}
		}
	}
}

func TestZSetEncodingConversion(t *testing.T) {
	lim := zlimits(4, 8)
	z := &ZSet{}
	for i := range 4 {
		z.Add([]byte{byte('a' + i)}, float64(i), lim)
	}
	if z.Encoding() != "listpack" {
		t.Fatal("4 short members should stay listpack")
	}
	z.Add([]byte("e"), 9, lim)
	if z.Encoding() != "skiplist" {
		t.Fatal("5th member should convert")
	}
	for _, m := range []string{"a", "b", "c", "d"} {
		z.Remove([]byte(m))
	}
	if z.Encoding() != "skiplist" || z.Len() != 1 {
		t.Fatal("a skiplist never converts back")
	}
	z2 := &ZSet{}
	z2.Add([]byte("123456789"), 1, lim)
	if z2.Encoding() != "skiplist" {
		t.Fatal("long member should convert")
	}
	e := NewZSetFrom([]ZPair{{"x", 2}, {"y", 1}}, lim)
	if e.Encoding() != "listpack" || e.ZSet().Len() != 2 {
		t.Fatal("NewZSetFrom small")
	}
	if m, s := e.ZSet().At(0); string(m) != "y" || s != 1 {
		t.Fatal("NewZSetFrom order")
	}
	if NewZSetFrom([]ZPair{{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}, {"e", 1}}, lim).Encoding() != "skiplist" {
		t.Fatal("NewZSetFrom big")
	}
}

// TestZSetScanGuarantee checks that a member present for the whole scan is returned,
// while other members come and go and the table resizes.
func TestZSetScanGuarantee(t *testing.T) {
	lim := zlimits(0, 0)
	r := rand.New(rand.NewPCG(3, 4))
	z := &ZSet{}
	stable := map[string]bool{}
	for i := range 2000 {
		k := "stable" + strconv.Itoa(i)
		stable[k] = true
		z.Add([]byte(k), float64(i), lim)
	}
	seen := map[string]bool{}
	cursor := uint64(0)
	churn := 0
	for {
		cursor = z.Scan(cursor, 1+r.IntN(50), func(m []byte, _ float64) { seen[string(m)] = true })
		// Grow the set a lot, then shrink it, between calls.
		for range 200 {
			z.Add([]byte("churn"+strconv.Itoa(churn)), 0, lim)
			churn++
		}
		if churn > 20000 {
			for i := 0; i < churn; i++ {
				z.Remove([]byte("churn" + strconv.Itoa(i)))
			}
			churn = 0
		}
		if cursor == 0 {
			break
		}
	}
	for k := range stable {
		if !seen[k] {
			t.Fatalf("%s was never returned", k)
		}
	}
}

func TestZSetRandom(t *testing.T) {
	for _, lim := range []*Limits{zlimits(128, 64), zlimits(0, 0)} {
		z := &ZSet{}
		for i := range 50 {
			z.Add([]byte(strconv.Itoa(i)), float64(i), lim)
		}
		for _, count := range []int{1, 10, 20, 49} {
			got := map[string]bool{}
			z.RandomDistinct(count, func(m []byte, _ float64) {
				if got[string(m)] {
					t.Fatalf("RandomDistinct(%d) repeated %s", count, m)
				}
				got[string(m)] = true
			})
			if len(got) != count {
				t.Fatalf("RandomDistinct(%d) gave %d", count, len(got))
			}
		}
		hits := map[string]int{}
		z.RandomRepeat(5000, func(m []byte, _ float64) { hits[string(m)]++ })
		if len(hits) != 50 {
			t.Fatalf("RandomRepeat reached %d of 50 members", len(hits))
		}
	}
}

// TestZSetMemory reports the heap a 1M-member sorted set takes, to compare with Redis's
// used_memory for the same data (about 110 bytes per member for "member:N" members with
// random scores on Redis 7.0).
func TestZSetMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement skipped in -short mode")
	}
	const n = 1_000_000
	lim := zlimits(128, 64)
	r := rand.New(rand.NewPCG(5, 6))
	var buf []byte
	measure := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := measure()
	z := &ZSet{}
	for i := range n {
		buf = strconv.AppendInt(append(buf[:0], "member:"...), int64(i), 10)
		z.Add(buf, r.Float64()*1e6, lim)
	}
	after := measure()
	t.Logf("random scores: %.1f bytes/member (%s)", float64(after-before)/n, z.Encoding())
	runtime.KeepAlive(z)
}

func BenchmarkZSetAdd(b *testing.B) {
	lim := zlimits(128, 64)
	z := &ZSet{}
	r := rand.New(rand.NewPCG(7, 8))
	var buf []byte
	for i := 0; b.Loop(); i++ {
		buf = strconv.AppendInt(append(buf[:0], "member:"...), int64(i), 10)
		z.Add(buf, r.Float64(), lim)
	}
}

// BenchmarkZSetListpackWindow is the sliding-window limiter's use of a small sorted
// set: add a member with a rising score, drop those that left the window (a listpack
// of about 60 members).
func BenchmarkZSetListpackWindow(b *testing.B) {
	lim := zlimits(128, 64)
	z := &ZSet{}
	var buf []byte
	for i := 0; b.Loop(); i++ {
		buf = strconv.AppendInt(append(buf[:0], "1700000000123456:"...), int64(i), 10)
		z.Add(buf, float64(i), lim)
		z.RemoveRange(z.ScoreRange(ScoreRange{Min: math.Inf(-1), Max: float64(i - 60)}))
	}
	if z.Encoding() != "listpack" {
		b.Fatal(z.Encoding())
	}
}

// TestZSetTreeDeep drives the B+tree through several internal levels, so that internal
// nodes split, merge and lend children, and checks its invariants along the way.
func TestZSetTreeDeep(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var tr btree
	n := 150000
	if testing.Short() {
		n = 30000
	}
	items := make([]zitem, n)
	for i := range items {
		items[i] = zitem{float64(r.IntN(1000)), "m" + strconv.Itoa(i)}
		tr.insert(items[i])
	}
	if s := tr.check(); s != "" || tr.len() != n {
		t.Fatalf("after inserts: %q, len %d", s, tr.len())
	}
	r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	for i, it := range items[:n-100] {
		if i%97 == 0 {
			if got := tr.rank(it); tr.search(func(x zitem) bool { return !zless(x, it) }) != got {
				t.Fatal("rank and search disagree")
			}
		}
		tr.remove(it)
		if i%(n/10) == 0 {
			if s := tr.check(); s != "" {
				t.Fatalf("after %d removals: %s", i+1, s)
			}
		}
	}
	if s := tr.check(); s != "" || tr.len() != 100 {
		t.Fatalf("after removals: %q, len %d", s, tr.len())
	}
	rest := items[n-100:]
	slices.SortFunc(rest, func(a, b zitem) int {
		if zless(a, b) {
			return -1
		}
		return 1
	})
	if !slices.Equal(tr.all(), rest) {
		t.Fatal("contents after removals")
	}
	// Build in bulk, then grow from both ends.
	tr = buildBTree(rest)
	for i := 0; i < n/2; i++ {
		tr.insert(zitem{2000 + float64(i), "hi"})
		tr.insert(zitem{-1 - float64(i), "lo"})
	}
	if s := tr.check(); s != "" || tr.len() != 100+n {
		t.Fatalf("after growing at the ends: %q, len %d", s, tr.len())
	}
	if it := tr.all()[0]; it.score != float64(-n/2) {
		t.Fatalf("first item %v", it)
	}
}
