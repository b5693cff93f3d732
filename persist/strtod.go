package persist

import (
	"strconv"
	"strings"
)

// cStrtod parses the longest prefix of s that C's strtod accepts (after leading
// white space): a decimal or hexadecimal float, or inf, infinity and nan in any case.
// It returns the value and the number of bytes used, 0 when there is no number. Old
// zset encodings store scores as text read this way, and Redis reads listpack scores
// with strtod too.
func cStrtod(s []byte) (float64, int) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	word := func(w string) bool {
		return len(s)-i >= len(w) && strings.EqualFold(string(s[i:i+len(w)]), w)
	}
	switch {
	case word("infinity"), word("inf"):
		n := 3
		if word("infinity") {
			n = 8
		}
		f, _ := strconv.ParseFloat(string(s[start:i])+"inf", 64)
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
	text := string(s[start:end])
	if hex && end == i {
		text += "p0" // Go needs the exponent of a hexadecimal float
	}
	f, _ := strconv.ParseFloat(text, 64) // out of range: ±Inf or 0, as strtod gives
	return f, end
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }
func isAlnum(c byte) bool    { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// parseCDouble parses s as sscanf's "%lg" does: a number must start it (after white
// space); what follows is ignored.
func parseCDouble(s []byte) (float64, bool) {
	f, n := cStrtod(s)
	return f, n > 0
}
