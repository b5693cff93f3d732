package script

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Helpers that give Go-implemented library functions the argument checks and messages
// of Lua 5.1's auxiliary library ("bad argument #1 to 'encode' (...)").

// argError raises Lua 5.1's argument error, with the calling line's position.
func argError(L *lua.LState, n int, fname, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, fname, msg)
}

// typeName is the type word Lua uses in messages; a missing argument is "no value".
func typeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

func typeError(L *lua.LState, n int, fname, want string) {
	argError(L, n, fname, want+" expected, got "+typeName(L, n))
}

// toNumber converts a number or a numeric string, as lua_tonumber does.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return str2number(string(x))
	}
	return 0, false
}

// checkNumber is luaL_checknumber.
func checkNumber(L *lua.LState, n int, fname string) float64 {
	if n <= L.GetTop() {
		if f, ok := toNumber(L.Get(n)); ok {
			return f
		}
	}
	typeError(L, n, fname, "number")
	return 0
}

// optNumber is luaL_optnumber.
func optNumber(L *lua.LState, n int, fname string, def float64) float64 {
	if n > L.GetTop() || L.Get(n) == lua.LNil {
		return def
	}
	return checkNumber(L, n, fname)
}

// checkString is luaL_checklstring: numbers are converted as Lua prints them.
func checkString(L *lua.LState, n int, fname string) string {
	if n <= L.GetTop() {
		switch x := L.Get(n).(type) {
		case lua.LString:
			return string(x)
		case lua.LNumber:
			return fmtNumber(float64(x))
		}
	}
	typeError(L, n, fname, "string")
	return ""
}

// toCInt is C's (int) conversion of a double on x86-64: truncation, with out-of-range
// values and NaN giving INT_MIN.
func toCInt(f float64) int64 {
	if math.IsNaN(f) || f >= 1<<31 || f <= -1<<31-1 {
		return math.MinInt32
	}
	return int64(f)
}

// toCLong is C's (long long) conversion of a double on x86-64: out-of-range values and
// NaN give LLONG_MIN.
func toCLong(f float64) int64 {
	if math.IsNaN(f) || f >= 1<<63 || f < -1<<63 {
		return math.MinInt64
	}
	return int64(f)
}

// toCUlong is C's (unsigned long long) conversion of a double as x86-64 compilers emit
// it (values from 2^63 go through the signed conversion of n-2^63).
func toCUlong(f float64) uint64 {
	if f >= 1<<63 {
		return uint64(toCLong(f-(1<<63))) ^ 1<<63
	}
	return uint64(toCLong(f))
}

// fmtNumber formats a number as Lua 5.1 prints it ("%.14g").
func fmtNumber(f float64) string { return fmtG(f, 14) }

// fmt17 formats a number as Redis passes Lua numbers to commands ("%.17g").
func fmt17(f float64) string { return fmtG(f, 17) }

// fmtG is C's printf("%.<prec>g") for doubles, including glibc's inf/nan spellings.
func fmtG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	if prec >= 14 && f == math.Trunc(f) && math.Abs(f) < 1e14 && !(f == 0 && math.Signbit(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', prec, 64)
}

// str2number converts a whole string as Lua 5.1 does (strtod or a hex integer, with
// surrounding white space).
func str2number(s string) (float64, bool) {
	t := strings.TrimFunc(s, isCSpace)
	if t == "" {
		return 0, false
	}
	f, n := strtod(t)
	if n == len(t) && n > 0 {
		return f, true
	}
	return 0, false
}

func isCSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// strtod parses the longest prefix of s that C's strtod accepts (no leading space):
// decimal with optional fraction and exponent, hexadecimal, inf, infinity and nan. It
// returns the value and the number of bytes used, 0 when nothing parses.
func strtod(s string) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return sign(math.Inf(1)), i + 8
	case hasPrefixFold(rest, "inf"):
		return sign(math.Inf(1)), i + 3
	case hasPrefixFold(rest, "nan"):
		j := i + 3
		if j < len(s) && s[j] == '(' {
			k := j + 1
			for k < len(s) && (isAlnum(s[k]) || s[k] == '_') {
				k++
			}
			if k < len(s) && s[k] == ')' {
				j = k + 1
			}
		}
		return sign(math.NaN()), j
	case len(rest) >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X'):
		if f, n := hexFloat(rest[2:]); n > 0 {
			return sign(f), i + 2 + n
		}
		return 0, i + 1 // just the "0"
	}
	start := i
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0
	}
	return sign(f), i
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// hexFloat parses hex digits with an optional fraction and binary exponent.
func hexFloat(s string) (float64, int) {
	i := 0
	var mant float64
	digits := 0
	exp := 0
	for i < len(s) && isHex(s[i]) {
		mant = mant*16 + float64(hexVal(s[i]))
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isHex(s[i]) {
			mant = mant*16 + float64(hexVal(s[i]))
			exp -= 4
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if i < len(s) && (s[i] == 'p' || s[i] == 'P') {
		j := i + 1
		eneg := false
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			eneg = s[j] == '-'
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			e := 0
			for j < len(s) && isDigit(s[j]) {
				if e < 100000 {
					e = e*10 + int(s[j]-'0')
				}
				j++
			}
			if eneg {
				e = -e
			}
			exp += e
			i = j
		}
	}
	return math.Ldexp(mant, exp), i
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isAlnum(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func hexVal(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c|0x20-'a') + 10
}
