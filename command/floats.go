package command

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unsafe"
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
// All of them find the number with scanCFloat, which reads what strtod would read:
// leading white space, a sign, then inf, infinity, nan[(chars)], a hexadecimal 0x
// mantissa with an optional p exponent, or decimal digits with an optional e exponent.

// cFloat is the number at the start of a string, as strtod delimits it.
type cFloat struct {
	end     int    // bytes strtod consumes, leading space included; 0 when there is no number
	text    string // a finite number in strconv's syntax (sign, mantissa, exponent)
	inf     bool
	nan     bool
	nonzero bool // a mantissa digit is not zero
}

func isCSpace(ch byte) bool { return ch == ' ' || (ch >= '\t' && ch <= '\r') }

func isCDigit(ch byte, hex bool) bool {
	return ch >= '0' && ch <= '9' || hex && (ch|0x20 >= 'a' && ch|0x20 <= 'f')
}

func scanCFloat(s string) cFloat {
	var x cFloat
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	word := func(w string) bool { return len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) }
	switch {
	case word("infinity"):
		x.end, x.inf, x.text = i+8, true, s[start:i]
		return x
	case word("inf"):
		x.end, x.inf, x.text = i+3, true, s[start:i]
		return x
	case word("nan"):
		i += 3
		if i < len(s) && s[i] == '(' {
			j := i + 1
			for j < len(s) && (s[j] == '_' || isCDigit(s[j], false) || s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				i = j + 1
			}
		}
		x.end, x.nan = i, true
		return x
	}
	// "0x" counts as hexadecimal only when a hex digit follows (maybe after the point);
	// otherwise strtod reads the "0" alone.
	hex := len(s)-i > 2 && s[i] == '0' && s[i+1]|0x20 == 'x' &&
		(isCDigit(s[i+2], true) || s[i+2] == '.' && len(s)-i > 3 && isCDigit(s[i+3], true))
	if hex {
		i += 2
	}
	digits := 0
	for i < len(s) && isCDigit(s[i], hex) {
		digits++
		x.nonzero = x.nonzero || s[i] != '0'
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isCDigit(s[i], hex) {
			digits++
			x.nonzero = x.nonzero || s[i] != '0'
			i++
		}
	}
	if digits == 0 {
		return cFloat{}
	}
	mantissaEnd := i
	expChar := byte('e')
	if hex {
		expChar = 'p'
	}
	if i < len(s) && s[i]|0x20 == expChar {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isCDigit(s[j], false) {
			for j < len(s) && isCDigit(s[j], false) {
				j++
			}
			i = j
		}
	}
	x.end, x.text = i, s[start:i]
	if hex && i == mantissaEnd {
		x.text += "p0" // strconv wants the binary exponent that C leaves optional
	}
	return x
}

// double converts x as strtod does; erange is strtod's ERANGE: overflow, or a result
// that is zero or subnormal and not exact.
func (x cFloat) double() (v float64, erange bool) {
	switch {
	case x.end == 0:
		return 0, false
	case x.nan:
		return math.NaN(), false
	case x.inf:
		return signedInf(x.text == "-"), false
	}
	v, err := strconv.ParseFloat(x.text, 64)
	if err != nil {
		return v, true // only ErrRange: the scanner wrote valid syntax
	}
	if abs := math.Abs(v); x.nonzero && abs < 0x1p-1022 {
		if abs == 0 {
			return v, true
		}
		exact, _ := new(big.Rat).SetString(x.text)
		return v, exact.Cmp(new(big.Rat).SetFloat64(v)) != 0
	}
	return v, false
}

func signedInf(neg bool) float64 {
	if neg {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

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
	if len(s) == 0 || len(s) >= 5*1024 || isCSpace(s[0]) {
		return nil, false
	}
	x := scanCFloat(s)
	if x.end != len(s) || x.nan {
		return nil, false
	}
	f := new(big.Float).SetPrec(longDoublePrec)
	if x.inf {
		return f.SetInf(x.text == "-"), true
	}
	if _, _, err := f.Parse(x.text, 0); err != nil {
		// Only an exponent too large for big.Float: zero if the mantissa is, else
		// far out of range either way.
		return f.SetInt64(0), !x.nonzero
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
	if len(s) == 0 || isCSpace(s[0]) {
		return 0, false
	}
	x := scanCFloat(s)
	if x.end != len(s) || x.nan {
		return 0, false
	}
	v, erange := x.double()
	if erange && (math.IsInf(v, 0) || v == 0) {
		return 0, false
	}
	return v, true
}

// scanToEnd reads a number as Redis does where it only checks that strtod stopped at
// the end of the C string: leading space is skipped, a string with no number reads 0
// when empty, and a NUL byte ends the text.
func scanToEnd(b []byte) (cFloat, bool) {
	s := unsafe.String(unsafe.SliceData(b), len(b))
	x := scanCFloat(s)
	return x, (x.end == len(s) || s[x.end] == 0) && !x.nan
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
	v, _ = x.double()
	return v, exclusive, true
}

// parseSortScore parses a value SORT compares numerically: read to its end by strtod,
// and refused on any ERANGE, subnormal results included.
func parseSortScore(b []byte) (float64, bool) {
	x, ok := scanToEnd(b)
	if !ok {
		return 0, false
	}
	v, erange := x.double()
	return v, !erange
}
