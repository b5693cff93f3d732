package script

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/cinnabar-db/cinnabar/cnum"
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
	// Plain digits, as KEYS and ARGV numbers usually are: exact in a float64 up to 15
	// digits, the value strtod gives.
	if len(s) > 0 && len(s) <= 15 {
		n := 0
		for i := 0; i < len(s); i++ {
			if !isDigit(s[i]) {
				n = -1
				break
			}
			n = n*10 + int(s[i]-'0')
		}
		if n >= 0 {
			return float64(n), true
		}
	}
	t := strings.TrimFunc(s, isCSpace)
	if t == "" {
		return 0, false
	}
	f, n := cnum.Strtod(t)
	if n == len(t) && n > 0 {
		return f, true
	}
	return 0, false
}

func isCSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
