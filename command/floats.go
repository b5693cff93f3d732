package command

import (
	"math"
	"math/big"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/cnum"
)

// Floating-point arguments and values, read as Redis reads them.
//
// Redis converts text with C's strtod (double) or strtold (x87 long double) and then
// checks the result in one of a few ways, so what a command accepts depends on which:
//
//	ParseFloat       string2d: the whole text, no leading space, no NaN, no overflow,
//	                 no underflow to zero (ZADD, ZINCRBY, WEIGHTS, GEO coordinates and
//	                 distances)
//	parseLongDouble  string2ld: the same rules in long double range, under 5120 bytes
//	                 (INCRBYFLOAT, HINCRBYFLOAT, the timeouts of blocking commands)
//	parseScoreBound  strtod's end check only: leading space, "" (as 0) and whatever
//	                 follows a NUL byte pass, overflow saturates (ZRANGEBYSCORE bounds)
//	parseSortScore   the same end check, refusing any ERANGE, subnormal results too (SORT)
//
// All of them find the number with cnum.Scan, which reads what strtod would read.

// An x87 long double has a 64-bit mantissa; with big.Float's mantissa in [0.5, 1), its
// largest finite value has exponent 16384 and its smallest subnormal 2^-16445 has -16444.
const (
	longDoublePrec   = 64
	longDoubleMaxExp = 16384
	longDoubleMinExp = -16444
)

// parseLongDouble parses b as Redis's string2ld does with strtold: the whole of b (a
// NUL byte ends it early, which fails), shorter than 5120 bytes, no leading space, no
// NaN, and no overflow or underflow to zero. Infinities are accepted.
func parseLongDouble(b []byte) (*big.Float, bool) {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if len(s) == 0 || len(s) >= 5*1024 || cnum.IsSpace(s[0]) {
		return nil, false
	}
	x := cnum.Scan(s)
	if x.End != len(s) || x.NaN {
		return nil, false
	}
	f := new(big.Float).SetPrec(longDoublePrec)
	if x.Inf {
		return f.SetInf(x.Text == "-"), true
	}
	if _, _, err := f.Parse(x.Text, 0); err != nil {
		// Only an exponent too large for big.Float: zero if the mantissa is, else
		// far out of range either way.
		return f.SetInt64(0), !x.Nonzero
	}
	if longDoubleOutOfRange(f) {
		return nil, false
	}
	return f, true
}

// longDoubleOutOfRange reports whether f overflows a long double or rounds to zero in
// it (below half the smallest subnormal, or exactly half: ties go to the even zero).
func longDoubleOutOfRange(f *big.Float) bool {
	if f.IsInf() {
		return true
	}
	if f.Sign() == 0 {
		return false
	}
	mant := new(big.Float)
	e := f.MantExp(mant)
	return e > longDoubleMaxExp || e < longDoubleMinExp-1 ||
		e == longDoubleMinExp-1 && mant.Abs(mant).Cmp(big.NewFloat(0.5)) == 0
}

// ParseFloat parses b as Redis's string2d does with strtod: the whole of b, no leading
// space, no NaN, no overflow or underflow to zero (a subnormal result passes).
// Infinities are accepted.
func ParseFloat(b []byte) (float64, bool) {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if len(s) == 0 || cnum.IsSpace(s[0]) {
		return 0, false
	}
	x := cnum.Scan(s)
	if x.End != len(s) || x.NaN {
		return 0, false
	}
	v, erange := x.Double()
	if erange && (math.IsInf(v, 0) || v == 0) {
		return 0, false
	}
	return v, true
}

// scanToEnd reads a number as Redis does where it only checks that strtod stopped at
// the end of the C string: leading space is skipped, a string with no number reads 0
// when empty, and a NUL byte ends the text.
func scanToEnd(b []byte) (cnum.Number, bool) {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	x := cnum.Scan(s)
	return x, (x.End == len(s) || s[x.End] == 0) && !x.NaN
}

// parseScoreBound parses one end of a score range (ZRANGEBYSCORE and friends): "("
// makes it exclusive, the rest only has to be read to its end by strtod; overflow
// gives an infinity and underflow zero.
func parseScoreBound(b []byte) (v float64, exclusive, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		b, exclusive = b[1:], true
	}
	x, ok := scanToEnd(b)
	if !ok {
		return 0, false, false
	}
	v, _ = x.Double()
	return v, exclusive, true
}

// parseSortScore parses a value SORT compares numerically: read to its end by strtod,
// and refused on any ERANGE, subnormal results included.
func parseSortScore(b []byte) (float64, bool) {
	x, ok := scanToEnd(b)
	if !ok {
		return 0, false
	}
	v, erange := x.Double()
	return v, !erange
}
