// Package cnum parses numbers as the C library does, where Redis and Lua rely on it:
// Strtod is C's strtod, which Lua's tonumber, lua-cjson and Redis's text scores (old
// RDB sorted sets, listpack scores) read numbers with.
package cnum

import (
	"strconv"
	"strings"
)

// Strtod parses the longest prefix of s that C's strtod accepts, after leading white
// space: a decimal or hexadecimal float (with optional fraction and exponent), or inf,
// infinity and nan (optionally nan(chars)) in any case, with an optional sign. It
// returns the value (±Inf or 0 when out of range, as strtod does) and the number of
// bytes used, 0 when s holds no number.
func Strtod(s string) (float64, int) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	word := func(w string) bool { return len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) }
	switch {
	case word("infinity"), word("inf"):
		n := 3
		if word("infinity") {
			n = 8
		}
		f, _ := strconv.ParseFloat(s[start:i]+"inf", 64)
		return f, i + n
	case word("nan"):
		i += 3
		if j := i; j < len(s) && s[j] == '(' {
			for j++; j < len(s) && (isAlnum(s[j]) || s[j] == '_'); j++ {
			}
			if j < len(s) && s[j] == ')' {
				i = j + 1
			}
		}
		f, _ := strconv.ParseFloat("nan", 64)
		return f, i
	}
	hex := len(s)-i > 2 && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X')
	digit, exp := isDigit, byte('e')
	if hex {
		digit, exp = isHexDigit, 'p'
		i += 2
	}
	mant := i
	digits := 0
	for ; i < len(s) && digit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && digit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		if hex { // "0x" without digits is the number 0 followed by "x"
			return 0, mant - 1
		}
		return 0, 0
	}
	end := i
	if i < len(s) && (s[i]|0x20) == exp {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			end = j
		}
	}
	text := s[start:end]
	if hex && end == i {
		text += "p0" // Go needs the exponent of a hexadecimal float
	}
	f, _ := strconv.ParseFloat(text, 64) // out of range: ±Inf or 0, as strtod gives
	return f, end
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }
func isAlnum(c byte) bool    { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z' }
