package script

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The struct library (Roberto Ierusalimschy's API): pack, unpack and size over a format
// string of options:
//
//	>  <      big / little endian (little is the default)
//	![n]      maximum alignment n (a power of 2; 8 without n); 1 by default
//	x         one padding byte
//	b B       signed / unsigned char      h H  short (2)      l L  long (8)
//	T         size_t (8)                  i[n] I[n]  integer of n bytes (default 4, up to 32)
//	c[n]      n characters (default 1); c0 packs a whole string, and unpacks as many
//	          characters as the number unpacked just before
//	s         zero-terminated string      f d  float, double
//	' '       ignored
//
// Each option is aligned to min(its size, the maximum alignment) from the start.

const (
	structMaxIntSize  = 32
	structNativeAlign = 8
)

func openStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

type structFormat struct {
	L      *lua.LState
	fname  string
	fmt    string
	pos    int
	little bool
	align  int
}

type structOpt struct {
	opt  byte
	size int
	n    int  // the count of c/i/I
	set  bool // a count was given
}

func (f *structFormat) number(def int) (int, bool) {
	if f.pos >= len(f.fmt) || !isDigit(f.fmt[f.pos]) {
		return def, false
	}
	n := 0
	for f.pos < len(f.fmt) && isDigit(f.fmt[f.pos]) {
		if n < 1<<20 {
			n = n*10 + int(f.fmt[f.pos]-'0')
		}
		f.pos++
	}
	return n, true
}

// next returns the next data option, applying control options on the way; ok is
// false at the end of the format.
func (f *structFormat) next() (o structOpt, ok bool) {
	for f.pos < len(f.fmt) {
		c := f.fmt[f.pos]
		f.pos++
		o = structOpt{opt: c}
		switch c {
		case ' ':
			continue
		case '>':
			f.little = false
			continue
		case '<':
			f.little = true
			continue
		case '!':
			a, _ := f.number(structNativeAlign)
			if a == 0 || a&(a-1) != 0 {
				f.L.RaiseError("alignment %d is not a power of 2", a)
			}
			f.align = a
			continue
		case 'x', 'b', 'B':
			o.size = 1
		case 'h', 'H':
			o.size = 2
		case 'l', 'L', 'T':
			o.size = 8
		case 'f':
			o.size = 4
		case 'd':
			o.size = 8
		case 's':
			o.size = 0
		case 'i', 'I':
			o.n, o.set = f.number(4)
			if o.n > structMaxIntSize {
				f.L.RaiseError("integral size %d is larger than limit of %d", o.n, structMaxIntSize)
			}
			o.size = o.n
		case 'c':
			o.n, o.set = f.number(1)
			o.size = o.n
		default:
			argError(f.L, 1, f.fname, "invalid format option '"+string(c)+"'")
		}
		return o, true
	}
	return o, false
}

// padding is the alignment padding before an option at offset length.
func (f *structFormat) padding(length int, o structOpt) int {
	size := o.size
	if size == 0 || o.opt == 'c' {
		return 0
	}
	if size > f.align {
		size = f.align
	}
	return (size - (length & (size - 1))) & (size - 1)
}

func newStructFormat(L *lua.LState, fname string) *structFormat {
	return &structFormat{L: L, fname: fname, fmt: checkString(L, 1, fname), little: true, align: 1}
}

// structNumber is luaL_checknumber for struct, which reports a missing value as nil.
func structNumber(L *lua.LState, n int) float64 {
	if n <= L.GetTop() {
		if f, ok := toNumber(L.Get(n)); ok {
			return f
		}
		typeError(L, n, "pack", "number")
	}
	argError(L, n, "pack", "number expected, got nil")
	return 0
}

func structString(L *lua.LState, n int) string {
	if n > L.GetTop() {
		argError(L, n, "pack", "string expected, got nil")
	}
	return checkString(L, n, "pack")
}

func (f *structFormat) putUint(b []byte, v uint64, size int) []byte {
	buf := make([]byte, size)
	for i := 0; i < size; i++ {
		j := i
		if !f.little {
			j = size - 1 - i
		}
		buf[j] = byte(v)
		v >>= 8
	}
	return append(b, buf...)
}

func structPack(L *lua.LState) int {
	f := newStructFormat(L, "pack")
	var b []byte
	arg := 2
	for {
		o, ok := f.next()
		if !ok {
			break
		}
		for pad := f.padding(len(b), o); pad > 0; pad-- {
			b = append(b, 0)
		}
		switch o.opt {
		case 'x':
			b = append(b, 0)
			continue
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			b = f.putUint(b, toCUlong(structNumber(L, arg)), o.size)
		case 'f':
			b = f.putUint(b, uint64(math.Float32bits(float32(structNumber(L, arg)))), 4)
		case 'd':
			b = f.putUint(b, math.Float64bits(structNumber(L, arg)), 8)
		case 'c':
			s := structString(L, arg)
			n := o.n
			if n == 0 {
				n = len(s)
			}
			if len(s) < n {
				argError(L, arg+1, "pack", "string too short") // sic: Redis reports the next argument
			}
			b = append(b, s[:n]...)
		case 's':
			s := structString(L, arg)
			b = append(append(b, s...), 0)
		}
		arg++
	}
	L.Push(lua.LString(b))
	return 1
}

func (f *structFormat) getUint(b []byte, size int) uint64 {
	var v uint64
	for i := 0; i < size; i++ {
		j := size - 1 - i // most significant byte first
		if !f.little {
			j = i
		}
		v = v<<8 | uint64(b[j])
	}
	return v
}

func structUnpack(L *lua.LState) int {
	f := newStructFormat(L, "unpack")
	data := checkString(L, 2, "unpack")
	init := int(optNumber(L, 3, "unpack", 1))
	if init <= 0 {
		argError(L, 3, "unpack", "offset must be 1 or greater")
	}
	pos := init - 1
	base := L.GetTop()
	need := func(n int) {
		if pos+n > len(data) || pos+n < pos {
			argError(L, 2, "unpack", "data string too short")
		}
	}
	for {
		o, ok := f.next()
		if !ok {
			break
		}
		pos += f.padding(pos, o)
		switch o.opt {
		case 'x':
			need(1)
			pos++
		case 'b', 'h', 'l', 'i':
			need(o.size)
			v := f.getUint([]byte(data[pos:pos+o.size]), o.size)
			if o.size < 8 {
				shift := uint(64 - 8*o.size)
				v = uint64(int64(v<<shift) >> shift)
			}
			L.Push(lua.LNumber(float64(int64(v))))
			pos += o.size
		case 'B', 'H', 'L', 'T', 'I':
			need(o.size)
			L.Push(lua.LNumber(float64(f.getUint([]byte(data[pos:pos+o.size]), o.size))))
			pos += o.size
		case 'f':
			need(4)
			L.Push(lua.LNumber(math.Float32frombits(uint32(f.getUint([]byte(data[pos:pos+4]), 4)))))
			pos += 4
		case 'd':
			need(8)
			L.Push(lua.LNumber(math.Float64frombits(f.getUint([]byte(data[pos:pos+8]), 8))))
			pos += 8
		case 'c':
			n := o.n
			if n == 0 {
				prev, ok := L.Get(-1).(lua.LNumber)
				if L.GetTop() <= base || !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				L.Pop(1)
				n = int(prev)
			}
			need(n)
			L.Push(lua.LString(data[pos : pos+n]))
			pos += n
		case 's':
			end := strings.IndexByte(data[min(pos, len(data)):], 0)
			if end < 0 {
				L.RaiseError("unfinished string in data")
			}
			L.Push(lua.LString(data[pos : pos+end]))
			pos += end + 1
		}
	}
	L.Push(lua.LNumber(pos + 1))
	return L.GetTop() - base
}

func structSize(L *lua.LState) int {
	f := newStructFormat(L, "size")
	size := 0
	for {
		o, ok := f.next()
		if !ok {
			break
		}
		if o.opt == 's' {
			argError(L, 1, "size", "option 's' has no fixed size")
		}
		size += f.padding(size, o) + o.size
	}
	L.Push(lua.LNumber(size))
	return 1
}
