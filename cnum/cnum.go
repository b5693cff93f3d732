// Package cnum parses numbers as the C library does, where Redis and Lua rely on it.
// Scan delimits a number as C's strtod does and Number.Double converts it, reporting
// strtod's ERANGE: Redis's float arguments (command/floats.go) check the two their own
// ways. Strtod is both together, as Lua's tonumber, lua-cjson and Redis's text scores
// (old RDB sorted sets, listpack scores) use strtod.
package cnum

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Strtod parses the longest prefix of s that C's strtod accepts (see Scan). It returns
// the value (±Inf or 0 when out of range, as strtod does) and the number of bytes used,
// 0 when s holds no number.
func Strtod(s string) (float64, int) {
	x := Scan(s)
	v, _ := x.Double()
	return v, x.End
}

// Number is the number at the start of a string, as strtod delimits it.
type Number struct {
	End     int    // bytes strtod consumes, leading space included; 0 when there is no number
	Text    string // a finite number in strconv's syntax (sign, mantissa, exponent); the sign of an infinity
	Inf     bool
	NaN     bool
	Nonzero bool // a mantissa digit is not zero
}

// IsSpace reports C's isspace.
func IsSpace(ch byte) bool { return ch == ' ' || (ch >= '\t' && ch <= '\r') }

func isCDigit(ch byte, hex bool) bool {
	return ch >= '0' && ch <= '9' || hex && (ch|0x20 >= 'a' && ch|0x20 <= 'f')
}

// Scan reads the number strtod would read at the start of s: leading white space, a
// sign, then inf, infinity, nan[(chars)], a hexadecimal 0x mantissa with an optional p
// exponent, or decimal digits with an optional e exponent.
func Scan(s string) Number {
	var x Number
	i := 0
	for i < len(s) && IsSpace(s[i]) {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	word := func(w string) bool { return len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) }
	switch {
	case word("infinity"):
		x.End, x.Inf, x.Text = i+8, true, s[start:i]
		return x
	case word("inf"):
		x.End, x.Inf, x.Text = i+3, true, s[start:i]
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
		x.End, x.NaN = i, true
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
		x.Nonzero = x.Nonzero || s[i] != '0'
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isCDigit(s[i], hex) {
			digits++
			x.Nonzero = x.Nonzero || s[i] != '0'
			i++
		}
	}
	if digits == 0 {
		return Number{}
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
	x.End, x.Text = i, s[start:i]
	if hex && i == mantissaEnd {
		x.Text += "p0" // strconv wants the binary exponent that C leaves optional
	}
	return x
}

// Double converts x as strtod does; erange is strtod's ERANGE: overflow, or a result
// that is zero or subnormal and not exact.
func (x Number) Double() (v float64, erange bool) {
	switch {
	case x.End == 0:
		return 0, false
	case x.NaN:
		return math.NaN(), false
	case x.Inf:
		return signedInf(x.Text == "-"), false
	}
	v, err := strconv.ParseFloat(x.Text, 64)
	if err != nil {
		return v, true // only ErrRange: the scanner wrote valid syntax
	}
	if abs := math.Abs(v); x.Nonzero && abs < 0x1p-1022 {
		if abs == 0 {
			return v, true
		}
		exact, _ := new(big.Rat).SetString(x.Text)
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
