package script

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The cmsgpack library (lua-cmsgpack 0.4.0's API and encoding choices):
//
//	pack(v, ...)                 MessagePack of each argument, concatenated
//	unpack(s)                    every value in s
//	unpack_one(s [, offset])     the next offset (-1 at the end) and one value
//	unpack_limit(s, n [, offset]) the next offset and up to n values
//
// Numbers with an integral value in int64 range use the smallest integer encoding,
// others a float32 when that is exact and a float64 otherwise. A table is an array
// when its keys are exactly 1..n (the empty table included), a map otherwise. Strings
// use the raw/str8/16/32 types; bin and ext types are not decoded. Tables nested
// deeper than 16 levels are packed as nil.

const (
	msgpackMaxNesting = 16
	msgpackMaxDepth   = 10000
)

func openCmsgpack(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(msgpackPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return msgpackUnpack(L, 0, 0) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, 1, int(optNumber(L, 2, "unpack_one", 0)))
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		limit := int(checkNumber(L, 2, "unpack_limit"))
		return msgpackUnpack(L, limit, int(optNumber(L, 3, "unpack_limit", 0)))
	}))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func msgpackPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "pack", "MessagePack pack needs input.")
	}
	var b []byte
	for i := 1; i <= n; i++ {
		b = msgpackEncode(b, L.Get(i), 0)
	}
	L.Push(lua.LString(b))
	return 1
}

func isInt64Equivalent(f float64) bool {
	return !math.IsInf(f, 0) && !math.IsNaN(f) && f >= -1<<63 && f < 1<<63 && math.Trunc(f) == f
}

func msgpackEncode(b []byte, v lua.LValue, level int) []byte {
	switch x := v.(type) {
	case lua.LBool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(x)
		if isInt64Equivalent(f) {
			return msgpackInt(b, int64(f))
		}
		if float64(float32(f)) == f {
			b = append(b, 0xca)
			return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(f)))
		}
		b = append(b, 0xcb)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	case lua.LString:
		n := len(x)
		switch {
		case n < 32:
			b = append(b, 0xa0|byte(n))
		case n < 1<<8:
			b = append(b, 0xd9, byte(n))
		case n < 1<<16:
			b = append(b, 0xda)
			b = binary.BigEndian.AppendUint16(b, uint16(n))
		default:
			b = append(b, 0xdb)
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
		return append(b, x...)
	case *lua.LTable:
		if level >= msgpackMaxNesting {
			return append(b, 0xc0)
		}
		return msgpackTable(b, x, level)
	}
	return append(b, 0xc0)
}

// msgpackContainer appends the header of an array or map of n elements: the fix type
// (fix|n) below 16, else the 16-bit type tag16 or the 32-bit one that follows it.
func msgpackContainer(b []byte, n int, fix, tag16 byte) []byte {
	switch {
	case n < 16:
		return append(b, fix|byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(b, tag16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, tag16+1), uint32(n))
}

func msgpackInt(b []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n < 128:
			return append(b, byte(n))
		case n < 1<<8:
			return append(b, 0xcc, byte(n))
		case n < 1<<16:
			return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
		case n < 1<<32:
			return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(b, byte(int8(n)))
	case n >= -128:
		return append(b, 0xd0, byte(int8(n)))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(int16(n)))
	case n >= -1<<31:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(int32(n)))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

func msgpackTable(b []byte, t *lua.LTable, level int) []byte {
	count, maxKey, isArray := 0, 0.0, true
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		count++
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || math.Trunc(float64(n)) != float64(n) {
			isArray = false
			continue
		}
		if float64(n) > maxKey {
			maxKey = float64(n)
		}
	}
	if isArray && float64(count) == maxKey {
		b = msgpackContainer(b, count, 0x90, 0xdc)
		for i := 1; i <= count; i++ {
			b = msgpackEncode(b, t.RawGetInt(i), level+1)
		}
		return b
	}
	b = msgpackContainer(b, count, 0x80, 0xde)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		b = msgpackEncode(b, k, level+1)
		b = msgpackEncode(b, v, level+1)
	}
	return b
}

type msgpackError string

const (
	msgpackEOF    msgpackError = "Missing bytes in input."
	msgpackBadFmt msgpackError = "Bad data format in input."
)

type msgpackCursor struct {
	L   *lua.LState
	b   []byte
	pos int
	err msgpackError
}

func (c *msgpackCursor) take(n int) []byte {
	if c.err != "" {
		return nil
	}
	if n < 0 || len(c.b)-c.pos < n {
		c.err = msgpackEOF
		return nil
	}
	s := c.b[c.pos : c.pos+n]
	c.pos += n
	return s
}

func (c *msgpackCursor) u8() uint64 {
	if s := c.take(1); s != nil {
		return uint64(s[0])
	}
	return 0
}

func (c *msgpackCursor) u16() uint64 {
	if s := c.take(2); s != nil {
		return uint64(binary.BigEndian.Uint16(s))
	}
	return 0
}

func (c *msgpackCursor) u32() uint64 {
	if s := c.take(4); s != nil {
		return uint64(binary.BigEndian.Uint32(s))
	}
	return 0
}

func (c *msgpackCursor) u64() uint64 {
	if s := c.take(8); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}

func (c *msgpackCursor) str(n uint64) lua.LValue {
	if n > uint64(len(c.b)) {
		c.err = msgpackEOF
		return lua.LNil
	}
	s := c.take(int(n))
	if s == nil {
		return lua.LNil
	}
	return lua.LString(s)
}

func (c *msgpackCursor) array(n uint64, depth int) lua.LValue {
	if n > uint64(len(c.b)) {
		c.err = msgpackEOF
		return lua.LNil
	}
	t := c.L.CreateTable(int(n), 0)
	for i := 1; i <= int(n) && c.err == ""; i++ {
		t.RawSetInt(i, c.decode(depth+1))
	}
	return t
}

func (c *msgpackCursor) mapping(n uint64, depth int) lua.LValue {
	if n > uint64(len(c.b)) {
		c.err = msgpackEOF
		return lua.LNil
	}
	t := c.L.CreateTable(0, int(n))
	for i := 0; i < int(n) && c.err == ""; i++ {
		k := c.decode(depth + 1)
		v := c.decode(depth + 1)
		if k != lua.LNil && c.err == "" {
			t.RawSet(k, v)
		}
	}
	return t
}

func (c *msgpackCursor) decode(depth int) lua.LValue {
	if depth > msgpackMaxDepth {
		c.err = msgpackBadFmt
		return lua.LNil
	}
	t := c.u8()
	if c.err != "" {
		return lua.LNil
	}
	switch {
	case t < 0x80:
		return lua.LNumber(t)
	case t >= 0xe0:
		return lua.LNumber(int8(t))
	case t&0xf0 == 0x80:
		return c.mapping(t&0x0f, depth)
	case t&0xf0 == 0x90:
		return c.array(t&0x0f, depth)
	case t&0xe0 == 0xa0:
		return c.str(t & 0x1f)
	}
	switch t {
	case 0xc0:
		return lua.LNil
	case 0xc2:
		return lua.LFalse
	case 0xc3:
		return lua.LTrue
	case 0xca:
		return lua.LNumber(math.Float32frombits(uint32(c.u32())))
	case 0xcb:
		return lua.LNumber(math.Float64frombits(c.u64()))
	case 0xcc:
		return lua.LNumber(c.u8())
	case 0xcd:
		return lua.LNumber(c.u16())
	case 0xce:
		return lua.LNumber(c.u32())
	case 0xcf:
		return lua.LNumber(int64(c.u64()))
	case 0xd0:
		return lua.LNumber(int8(c.u8()))
	case 0xd1:
		return lua.LNumber(int16(c.u16()))
	case 0xd2:
		return lua.LNumber(int32(c.u32()))
	case 0xd3:
		return lua.LNumber(int64(c.u64()))
	case 0xd9:
		return c.str(c.u8())
	case 0xda:
		return c.str(c.u16())
	case 0xdb:
		return c.str(c.u32())
	case 0xdc:
		return c.array(c.u16(), depth)
	case 0xdd:
		return c.array(c.u32(), depth)
	case 0xde:
		return c.mapping(c.u16(), depth)
	case 0xdf:
		return c.mapping(c.u32(), depth)
	}
	c.err = msgpackBadFmt
	return lua.LNil
}

// msgpackUnpack decodes up to limit values from offset; limit and offset both 0 mean
// every value, without the leading offset result.
func msgpackUnpack(L *lua.LState, limit, offset int) int {
	s := checkString(L, 1, "unpack")
	all := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	}
	if offset > len(s) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	if all {
		limit = math.MaxInt
	}
	c := &msgpackCursor{L: L, b: []byte(s), pos: offset}
	var vals []lua.LValue
	for c.pos < len(c.b) && len(vals) < limit {
		v := c.decode(0)
		if c.err != "" {
			L.RaiseError("%s", string(c.err))
		}
		vals = append(vals, v)
	}
	n := 0
	if !all {
		next := c.pos
		if next >= len(c.b) {
			next = -1
		}
		L.Push(lua.LNumber(next))
		n++
	}
	for _, v := range vals {
		L.Push(v)
	}
	return n + len(vals)
}
