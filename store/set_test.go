package store

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

func setMembers(s *Set) []string {
	var out []string
	s.Range(func(m []byte) bool { out = append(out, string(m)); return true })
	return out
}

func TestSetModel(t *testing.T) {
	for _, lim := range []*Limits{testLimits(8, 64), testLimits(512, 64), testLimits(0, 64)} {
		r := rand.New(rand.NewPCG(2, uint64(lim.SetMaxIntsetEntries.Load())))
		s := NewSet().SetValue()
		model := map[string]bool{}
		for i := 0; i < 20000; i++ {
			m := strconv.Itoa(r.IntN(400) - 50)
			if r.IntN(40) == 0 {
				m = []string{"a", "007", "-0", "", "9223372036854775808"}[r.IntN(5)]
			}
			switch op := r.IntN(10); {
			case op < 5:
				if s.Add([]byte(m), lim) == model[m] {
					t.Fatalf("Add(%q) disagrees", m)
				}
				model[m] = true
			case op < 8:
				if s.Remove([]byte(m)) != model[m] {
					t.Fatalf("Remove(%q) disagrees", m)
				}
				delete(model, m)
			case op < 9:
				if len(model) > 0 {
					p := string(s.Pop())
					if !model[p] {
						t.Fatalf("Pop returned %q, not a member", p)
					}
					delete(model, p)
				}
			default:
				if s.Contains([]byte(m)) != model[m] {
					t.Fatalf("Contains(%q) disagrees", m)
				}
			}
			if s.Len() != len(model) {
				t.Fatalf("Len %d, want %d", s.Len(), len(model))
			}
			if s.t != nil && i%500 == 0 {
				checkTable(t, s.t)
			}
		}
		got := setMembers(s)
		if len(got) != len(model) {
			t.Fatalf("members %d, want %d", len(got), len(model))
		}
		for _, m := range got {
			if !model[m] {
				t.Fatalf("%q is not a member", m)
			}
		}
	}
}

func TestSetEncoding(t *testing.T) {
	lim := testLimits(4, 64)
	e := NewSet()
	s := e.SetValue()
	for _, m := range []string{"3", "-1", "9223372036854775807", "-9223372036854775808"} {
		s.Add([]byte(m), lim)
	}
	if e.Encoding() != "intset" {
		t.Fatalf("encoding %s", e.Encoding())
	}
	if got, want := setMembers(s), []string{"-9223372036854775808", "-1", "3", "9223372036854775807"}; !slices.Equal(got, want) {
		t.Fatalf("intset order %v", got)
	}
	if s.Contains([]byte("03")) || s.Contains([]byte("+3")) || !s.Contains([]byte("3")) {
		t.Fatal("intset membership must use canonical integers")
	}
	c := e.Clone()
	s.Add([]byte("5"), lim)
	if e.Encoding() != "hashtable" || c.Encoding() != "intset" || c.SetValue().Len() != 4 {
		t.Fatalf("5 members: %s, clone %s", e.Encoding(), c.Encoding())
	}
	for _, m := range []string{"01", "-0", "+1", " 1", "9223372036854775808", "x", ""} {
		o := NewSet()
		o.SetValue().Add([]byte(m), lim)
		if o.Encoding() != "hashtable" {
			t.Fatalf("%q kept an intset", m)
		}
	}
	z := NewSet()
	z.SetValue().Add([]byte("1"), testLimits(0, 64))
	if z.Encoding() != "hashtable" {
		t.Fatal("set-max-intset-entries 0 must convert on the first member")
	}
}

func TestSetScanAndRandom(t *testing.T) {
	lim := testLimits(512, 64)
	s := NewSet().SetValue()
	for i := 0; i < 3000; i++ {
		s.Add([]byte(fmt.Sprint("m", i)), lim)
	}
	seen := map[string]bool{}
	var cursor uint64
	for round := 0; ; round++ {
		cursor = s.Scan(cursor, 10, func(m []byte) { seen[string(m)] = true })
		s.Add([]byte(fmt.Sprint("x", round)), lim)
		s.Remove([]byte(fmt.Sprint("x", round-1)))
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 3000; i++ {
		if !seen[fmt.Sprint("m", i)] {
			t.Fatalf("m%d not scanned", i)
		}
	}
	for _, n := range []int{1, 50, 2000} {
		got := map[string]bool{}
		s.RandomDistinct(n, func(m []byte) { got[string(m)] = true })
		if len(got) != n {
			t.Fatalf("RandomDistinct(%d): %d distinct", n, len(got))
		}
	}
	ints := NewSet().SetValue()
	for i := 0; i < 5; i++ {
		ints.Add([]byte(strconv.Itoa(i)), lim)
	}
	counts := map[string]int{}
	ints.RandomRepeat(10000, func(m []byte) { counts[string(m)]++ })
	for i := 0; i < 5; i++ {
		if c := counts[strconv.Itoa(i)]; c < 1700 || c > 2300 {
			t.Fatalf("member %d drawn %d times of 10000", i, c)
		}
	}
	got := map[string]bool{}
	ints.RandomDistinct(4, func(m []byte) { got[string(m)] = true })
	if len(got) != 4 {
		t.Fatalf("intset RandomDistinct(4): %v", got)
	}
	if m := ints.Random(); !ints.Contains(m) {
		t.Fatalf("Random returned %q", m)
	}
}

// TestSetMemory reports the heap cost of a 1M-member set ("member:N"); Redis 7.0
// measured about 56 bytes per member for the same data.
func TestSetMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory report")
	}
	lim := testLimits(512, 64)
	const n = 1_000_000
	before := heapInUse()
	e := NewSet()
	s := e.SetValue()
	buf := make([]byte, 0, 32)
	for i := 0; i < n; i++ {
		s.Add(strconv.AppendInt(append(buf[:0], "member:"...), int64(i), 10), lim)
	}
	after := heapInUse()
	runtime.KeepAlive(e)
	t.Logf("1M-member set: %.1f bytes/member (Redis 7.0: ~56.4); table %d slots for %d members", float64(after-before)/n, len(s.t.slots), s.Len())
}

// Copying a set in its iteration order (what SUNIONSTORE or RESTORE do) must not pile
// the copy's items into long runs: each table hashes with its own seed, so one table's
// hash order is random order to another. Halfway through a copy (where a shared seed
// would have put every item so far at the low end of the table, in one run), the copy's
// longest run is compared with that of as many members added in their natural order.
func TestSetCopyInIterationOrderStaysSpread(t *testing.T) {
	lim := testLimits(0, 64)
	const n = 50_000
	src := NewSet().SetValue()
	for i := 0; i < n; i++ {
		src.Add([]byte("member:"+strconv.Itoa(i)), lim)
	}
	longestRun := func(s *Set) int {
		longest, run := 0, 0
		for _, sl := range s.t.slots {
			if sl.p == nil {
				run = 0
				continue
			}
			run++
			longest = max(longest, run)
		}
		return longest
	}
	copied, added := NewSet().SetValue(), 0
	src.Range(func(m []byte) bool { copied.Add(m, lim); added++; return added < n/2 })
	natural := NewSet().SetValue()
	for i := 0; i < n/2; i++ {
		natural.Add([]byte("member:"+strconv.Itoa(i)), lim)
	}
	if got, base := longestRun(copied), longestRun(natural); got > 4*base {
		t.Fatalf("longest run %d halfway through the copy, %d for as many members in natural order: the copy clustered", got, base)
	}
}
