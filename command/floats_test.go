package command

import (
	"math"
	"math/big"
	"strings"
	"testing"
)

// The expectations below were checked against Redis 7.0.15 (INCRBYFLOAT for the long
// double rules, ZADD for string2d, ZRANGEBYSCORE for bounds, SORT for its scores).

func TestParseLongDouble(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" for invalid
	}{
		{"1", "1"}, {"-2.5", "-2.5"}, {"+1.25", "1.25"}, {".5", "0.5"}, {"5.", "5"},
		{"0x10", "16"}, {"0X1A.8p1", "53"}, {"0x.8", "0.5"}, {"0x1p-1", "0.5"},
		{"1e-4940", "0"}, {"0e-99999", "0"}, {"0e99999999999", "0"}, {"-0", "0"},
		{"0x1p-16445", "0"}, {"0x1.8p-16446", "0"}, {"1.9e-4951", "0"}, {"1e30", "1000000000000000000024696061952"},
		{"", ""}, {" 1", ""}, {"1 ", ""}, {"\t1", ""}, {"1_0", ""}, {".", ""}, {"0x", ""},
		{"0x1p", ""}, {"1e", ""}, {"1e+", ""}, {"nan", ""}, {"1e5000", ""}, {"1e-5000", ""},
		{"0x1p-16446", ""}, {"1.8e-4951", ""}, {"1e-4960", ""},
		{"1.2e4932", ""}, {"1e99999999999", ""}, {"1e-99999999999", ""}, {"abc", ""}, {"++1", ""},
		{"0x1g", ""}, {"1.1897314953572317651e+4932", ""}, {"1\x00", ""}, {"\x00", ""},
		{"1" + zeros(5119), ""},
	} {
		f, ok := parseLongDouble([]byte(c.in))
		got := ""
		if ok {
			got = string(formatLongDouble(f))
		}
		if got != c.want {
			t.Errorf("parseLongDouble(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{"inf", "-INF", "Infinity", "+infinity"} {
		if f, ok := parseLongDouble([]byte(in)); !ok || !f.IsInf() || f.Signbit() != (in[0] == '-') {
			t.Errorf("%q is not the right infinity", in)
		}
	}
	for _, in := range []string{"infinit", "in", "-+inf", "nan(1)"} {
		if _, ok := parseLongDouble([]byte(in)); ok {
			t.Errorf("%q accepted", in)
		}
	}
	for _, in := range []string{zeros(5118) + "1", "1e400", "-1.1e4932", "0x1p16383"} {
		if _, ok := parseLongDouble([]byte(in)); !ok {
			t.Errorf("%.20q refused", in)
		}
	}
}

func zeros(n int) string { return strings.Repeat("0", n) }

func TestParseFloat(t *testing.T) {
	for in, want := range map[string]float64{
		"1": 1, "-1.5": -1.5, ".5": 0.5, "5.": 5, "+.5": 0.5, "1e5": 1e5, "1E-2": 0.01,
		"0x10": 16, "0X1p3": 8, "0x.8": 0.5, "0x1.8p1": 3, "00012": 12, "-0": 0,
		"inf": math.Inf(1), "+INF": math.Inf(1), "-infinity": math.Inf(-1),
		"1e-310": 1e-310, "4.9e-324": 5e-324, "0x1p-1074": 5e-324, "1.7976931348623157e308": math.MaxFloat64,
	} {
		if got, ok := ParseFloat([]byte(in)); !ok || got != want {
			t.Errorf("ParseFloat(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{
		"", " 1", "1 ", "\t1", "1\x00", "nan", "-nan", "NaN(1)", "infin", "1e400", "-1.8e308",
		"1e-400", "2e-324", "0x", "0x1p", "1e", "1e+", ".", "1_000", "1,5", "++1", "+-1", "0xg",
	} {
		if got, ok := ParseFloat([]byte(in)); ok {
			t.Errorf("ParseFloat(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseScoreBound(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ex   bool
	}{
		{"1", 1, false}, {"(1", 1, true}, {"", 0, false}, {"(", 0, true}, {" 1", 1, false},
		{"\t(1", 0, false}, {"1\x00junk", 1, false}, {"\x00", 0, false}, {"1e400", math.Inf(1), false},
		{"(-1e400", math.Inf(-1), true}, {"1e-400", 0, false}, {"0x10", 16, false}, {"-inf", math.Inf(-1), false},
	} {
		got, ex, ok := parseScoreBound([]byte(c.in))
		if c.in == "\t(1" {
			if ok {
				t.Errorf("parseScoreBound(%q) accepted", c.in)
			}
			continue
		}
		if !ok || got != c.want || ex != c.ex {
			t.Errorf("parseScoreBound(%q) = %v %v %v, want %v %v", c.in, got, ex, ok, c.want, c.ex)
		}
	}
	for _, in := range []string{"1 ", " ", "nan", "(nan", "x", "((1", "1x"} {
		if _, _, ok := parseScoreBound([]byte(in)); ok {
			t.Errorf("parseScoreBound(%q) accepted", in)
		}
	}
}

func TestParseSortScore(t *testing.T) {
	for in, want := range map[string]float64{
		"1": 1, " 2": 2, "": 0, "3\x00x": 3, "0x1p-1074": 5e-324, "2.2250738585072014e-308": 0x1p-1022, "inf": math.Inf(1),
	} {
		if got, ok := parseSortScore([]byte(in)); !ok || got != want {
			t.Errorf("parseSortScore(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"1e-310", "4.9e-324", "2.2250738585072011e-308", "1e400", "1e-400", "nan", "1 ", "x"} {
		if got, ok := parseSortScore([]byte(in)); ok {
			t.Errorf("parseSortScore(%q) = %v, want an error", in, got)
		}
	}
}

func TestLongDoubleMillis(t *testing.T) {
	for in, want := range map[string]int64{
		"1": 1000, "0.001": 1, "0.0015": 2, "-0.0001": 0, "-0.001": 0, "1e-4950": 1, "-1": -1000,
		"-1.5": -1500, "-0.0011": -1, "9223372036854775.807": math.MaxInt64, "9223372036854775.808": math.MinInt64,
		"1e400": math.MinInt64, "inf": math.MinInt64, "-inf": math.MinInt64,
	} {
		f, ok := parseLongDouble([]byte(in))
		if !ok {
			t.Fatalf("parseLongDouble(%q) failed", in)
		}
		if got := longDoubleMillis(f); got != want {
			t.Errorf("longDoubleMillis(%s) = %d, want %d", in, got, want)
		}
	}
	if got := longDoubleMillis(big.NewFloat(-1e300)); got != math.MinInt64 {
		t.Errorf("longDoubleMillis(-1e300) = %d", got)
	}
}
