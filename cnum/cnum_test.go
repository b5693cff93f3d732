package cnum

import (
	"math"
	"testing"
)

func TestStrtod(t *testing.T) {
	for in, want := range map[string]struct {
		f float64
		n int
	}{
		"1.5": {1.5, 3}, " \t2": {2, 3}, "-3e2x": {-300, 4}, "0x10": {16, 4}, "0x1p4": {16, 5}, "0X1.8P1z": {3, 7},
		"0x": {0, 1}, "0xg": {0, 1}, "1e": {1, 1}, "1e+": {1, 1}, ".5": {0.5, 2}, "7.": {7, 2}, "+.5e-1": {0.05, 6},
		"inf": {math.Inf(1), 3}, "-Infinity": {math.Inf(-1), 9}, "INFx": {math.Inf(1), 3}, "1e400": {math.Inf(1), 5},
		"1e-400": {0, 6}, "0x1234567890abcdef1": {0x1234567890abcdef1, 19}, // rounded once, as C does
	} {
		if f, n := Strtod(in); f != want.f || n != want.n {
			t.Errorf("Strtod(%q) = %v, %d; want %v, %d", in, f, n, want.f, want.n)
		}
	}
	for _, in := range []string{"", "abc", "-", ".", " ", "+-1", "e5"} {
		if _, n := Strtod(in); n != 0 {
			t.Errorf("Strtod(%q) read %d bytes", in, n)
		}
	}
	for in, n := range map[string]int{"nan": 3, "-NaN": 4, "nan(123)x": 8, "nan(1": 3} {
		if f, got := Strtod(in); !math.IsNaN(f) || got != n {
			t.Errorf("Strtod(%q) = %v, %d", in, f, got)
		}
	}
}
