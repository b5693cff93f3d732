package script

import (
	"math"
	"math/bits"

	lua "github.com/yuin/gopher-lua"
)

// The bit library (LuaBitOp's API): 32-bit operations on Lua numbers. Arguments are
// normalized as LuaBitOp does: the number is added to 2^52+2^51 and the low 32 bits of
// the resulting double's mantissa are taken, which wraps modulo 2^32 and rounds
// fractions to the nearest even integer.

func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"tobit":  func(L *lua.LState) int { return pushBit(L, bitArg(L, 1, "tobit")) },
		"bnot":   func(L *lua.LState) int { return pushBit(L, ^bitArg(L, 1, "bnot")) },
		"band":   bitFold("band", func(a, b uint32) uint32 { return a & b }),
		"bor":    bitFold("bor", func(a, b uint32) uint32 { return a | b }),
		"bxor":   bitFold("bxor", func(a, b uint32) uint32 { return a ^ b }),
		"lshift": bitShift("lshift", func(x uint32, n uint) uint32 { return x << n }),
		"rshift": bitShift("rshift", func(x uint32, n uint) uint32 { return x >> n }),
		"arshift": bitShift("arshift", func(x uint32, n uint) uint32 {
			return uint32(int32(x) >> n)
		}),
		"rol": bitShift("rol", func(x uint32, n uint) uint32 { return bits.RotateLeft32(x, int(n)) }),
		"ror": bitShift("ror", func(x uint32, n uint) uint32 { return bits.RotateLeft32(x, -int(n)) }),
		"bswap": func(L *lua.LState) int {
			return pushBit(L, bits.ReverseBytes32(bitArg(L, 1, "bswap")))
		},
		"tohex": bitToHex,
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// tobit normalizes a number to 32 bits as LuaBitOp does.
func tobit(f float64) uint32 {
	return uint32(math.Float64bits(f + 6755399441055744.0))
}

func bitArg(L *lua.LState, n int, fname string) uint32 {
	return tobit(checkNumber(L, n, fname))
}

func pushBit(L *lua.LState, v uint32) int {
	L.Push(lua.LNumber(int32(v)))
	return 1
}

func bitFold(fname string, op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		v := bitArg(L, 1, fname)
		for i := 2; i <= L.GetTop(); i++ {
			v = op(v, bitArg(L, i, fname))
		}
		return pushBit(L, v)
	}
}

func bitShift(fname string, op func(x uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		x := bitArg(L, 1, fname)
		n := bitArg(L, 2, fname) & 31
		return pushBit(L, op(x, uint(n)))
	}
}

func bitToHex(L *lua.LState) int {
	x := bitArg(L, 1, "tohex")
	n := int32(8)
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		n = int32(bitArg(L, 2, "tohex"))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 || n < 0 {
		n = 8
	}
	buf := make([]byte, n)
	for i := int(n) - 1; i >= 0; i-- {
		buf[i] = digits[x&15]
		x >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
