package glob

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		nocase     bool
		want       bool
	}{
		{"*", "", false, false}, // as Redis: callers special-case a lone "*"
		{"*", "anything", false, true},
		{"h?llo", "hello", false, true},
		{"h?llo", "hllo", false, false},
		{"h*llo", "hllo", false, true},
		{"h*llo", "heeeello", false, true},
		{"h[ae]llo", "hallo", false, true},
		{"h[ae]llo", "hillo", false, false},
		{"h[^e]llo", "hallo", false, true},
		{"h[^e]llo", "hello", false, false},
		{"h[a-b]llo", "hbllo", false, true},
		{"h[b-a]llo", "hbllo", false, true}, // reversed ranges are swapped
		{`h\*`, "h*", false, true},
		{`h\*`, "hx", false, false},
		{"h[", "h", false, false},
		{"h[abc", "hb", false, true}, // an unterminated class still matches its members
		{"HELLO", "hello", true, true},
		{"HELLO", "hello", false, false},
		{"[A-Z]", "q", true, true},
		{"a*b*c", "aXbYc", false, true},
		{"a*b*c", "aXbY", false, false},
		{"**", "x", false, true},
		{"", "", false, true},
		{"", "x", false, false},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.s, c.nocase); got != c.want {
			t.Errorf("Match(%q, %q, %v) = %v, want %v", c.pattern, c.s, c.nocase, got, c.want)
		}
	}
}

// TestPathologicalPattern checks that a pattern built to explode backtracking returns
// promptly.
func TestPathologicalPattern(t *testing.T) {
	pattern := strings.Repeat("a*", 50) + "b"
	if Match(pattern, strings.Repeat("a", 100), false) {
		t.Fatal("unexpected match")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("h[a-", "hb")
	f.Add(`\`, `\`)
	f.Add("[^", "x")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		Match(pattern, s, false)
		Match(pattern, s, true)
	})
}
