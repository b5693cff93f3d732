package script

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/cinnabar-db/cinnabar/resp"
)

// Conversions between Redis replies and Lua values, following Redis 7.0:
//
// Reply → Lua (what redis.call returns):
//
//	integer            → number
//	bulk string        → string
//	null bulk / array  → false (RESP2); nil under redis.setresp(3)
//	array              → table (1-based)
//	status             → {ok = "..."}
//	error              → {err = "..."} (raised by redis.call, returned by redis.pcall)
//	RESP3 map          → {map = {k = v, ...}}
//	RESP3 set          → {set = {member = true, ...}}
//	RESP3 double       → {double = number}
//	RESP3 boolean      → true / false
//	RESP3 big number   → {big_number = "..."}
//	RESP3 verbatim     → {verbatim_string = {format = "txt", string = "..."}}
//
// Lua → reply (what a script returns):
//
//	number             → integer, truncated toward zero
//	string             → bulk string
//	true               → integer 1 (a RESP3 boolean when the script called setresp(3))
//	false, nil         → null (false is a RESP3 boolean after setresp(3))
//	table              → array up to the first nil, unless it has one of the fields
//	                     err, ok (strings), double (number), big_number (string), map,
//	                     set, verbatim_string (tables), checked in that order

// maxReplyDepth bounds the nesting of a script's reply; deeper levels (a table that
// contains itself) are cut with an error element, as Redis does when Lua's C stack runs
// out.
const maxReplyDepth = 1000

const errStackLimit = "ERR reached lua stack limit"

// replyParser decodes one RESP reply into Lua values.
type replyParser struct {
	L   *lua.LState
	b   []byte
	pos int
	// s is b as a string, made when the first string value is met: every string of
	// the reply is a substring of it, one allocation for them all.
	s string
}

// text returns b[from:to] as a string.
func (p *replyParser) text(from, to int) string {
	if p.s == "" {
		p.s = string(p.b)
	}
	return p.s[from:to]
}

// smallInts are the LValues of the integers 0 to 1023, boxed once: boxing an LNumber
// allocates, and most integer replies are small counts.
var smallInts = func() (t [1024]lua.LValue) {
	for i := range t {
		t[i] = lua.LNumber(i)
	}
	return t
}()

func intValue(n int64) lua.LValue {
	if n >= 0 && n < int64(len(smallInts)) {
		return smallInts[n]
	}
	return lua.LNumber(n)
}

// numberValue is lua.LNumber(f) as an LValue, without allocating for small integers.
func numberValue(f float64) lua.LValue {
	if f >= 1 && f < float64(len(smallInts)) && f == math.Trunc(f) { // not 0: -0 is a value of its own
		return smallInts[int(f)]
	}
	return lua.LNumber(f)
}

// parseReply converts a command's reply. A top-level error reply is returned as its
// message (without the leading '-') with isErr set.
func parseReply(L *lua.LState, b []byte) (v lua.LValue, errMsg string, isErr bool) {
	if len(b) > 0 && b[0] == '-' {
		p := replyParser{L: L, b: b, pos: 1}
		return lua.LNil, p.line(), true
	}
	p := replyParser{L: L, b: b}
	return p.value(), "", false
}

// lineBytes returns the rest of the current line, a view of the reply, and moves past
// its CRLF.
func (p *replyParser) lineBytes() []byte {
	i := bytes.Index(p.b[p.pos:], []byte("\r\n"))
	if i < 0 {
		s := p.b[p.pos:]
		p.pos = len(p.b)
		return s
	}
	s := p.b[p.pos : p.pos+i]
	p.pos += i + 2
	return s
}

func (p *replyParser) line() string {
	start := p.pos
	l := p.lineBytes()
	return p.text(start, start+len(l))
}

// count parses a length or count line without copying it into a string.
func (p *replyParser) count() int {
	n, _ := strconv.Atoi(string(p.lineBytes()))
	return n
}

func (p *replyParser) bulk() (string, bool) {
	n := p.count()
	if n < 0 {
		return "", false
	}
	end := p.pos + n
	if end > len(p.b) {
		end = len(p.b)
	}
	s := p.text(p.pos, end)
	p.pos = end + 2
	return s, true
}

func (p *replyParser) value() lua.LValue {
	if p.pos >= len(p.b) {
		return lua.LNil
	}
	t := p.b[p.pos]
	p.pos++
	switch t {
	case '+':
		return p.single("ok", lua.LString(p.line()))
	case '-':
		return p.single("err", lua.LString(p.line()))
	case ':':
		n, _ := strconv.ParseInt(string(p.lineBytes()), 10, 64)
		return intValue(n)
	case '$':
		s, ok := p.bulk()
		if !ok {
			return lua.LFalse
		}
		return lua.LString(s)
	case '*':
		n := p.count()
		if n < 0 {
			return lua.LFalse
		}
		t := p.L.CreateTable(n, 0)
		for i := 1; i <= n; i++ {
			t.RawSetInt(i, p.value())
		}
		return t
	case '_':
		p.lineBytes()
		return lua.LNil
	case '#':
		return lua.LBool(string(p.lineBytes()) == "t")
	case ',':
		f, _ := str2number(p.line())
		return p.single("double", lua.LNumber(f))
	case '(':
		return p.single("big_number", lua.LString(p.line()))
	case '=':
		s, _ := p.bulk()
		v := p.L.CreateTable(0, 2)
		if len(s) >= 4 && s[3] == ':' {
			v.RawSetString("format", lua.LString(s[:3]))
			v.RawSetString("string", lua.LString(s[4:]))
		} else {
			v.RawSetString("format", lua.LString("txt"))
			v.RawSetString("string", lua.LString(s))
		}
		return p.single("verbatim_string", v)
	case '%':
		n := p.count()
		m := p.L.CreateTable(0, n)
		for i := 0; i < n; i++ {
			k := p.value()
			v := p.value()
			if k != lua.LNil {
				m.RawSet(k, v)
			}
		}
		return p.single("map", m)
	case '~':
		n := p.count()
		m := p.L.CreateTable(0, n)
		for i := 0; i < n; i++ {
			if k := p.value(); k != lua.LNil {
				m.RawSet(k, lua.LTrue)
			}
		}
		return p.single("set", m)
	case '|': // attributes carry no value of their own: skip them
		n := p.count()
		for i := 0; i < 2*n; i++ {
			p.value()
		}
		return p.value()
	case '>':
		n := p.count()
		t := p.L.CreateTable(n, 0)
		for i := 1; i <= n; i++ {
			t.RawSetInt(i, p.value())
		}
		return t
	}
	p.lineBytes()
	return lua.LNil
}

func (p *replyParser) single(field string, v lua.LValue) *lua.LTable {
	t := p.L.CreateTable(0, 1)
	t.RawSetString(field, v)
	return t
}

// replyWriter writes a script's result.
type replyWriter struct {
	w     *resp.Writer
	resp3 bool // the script called redis.setresp(3): booleans keep their type
}

// luaInteger is Redis's (long long) conversion of a Lua number.
func luaInteger(n lua.LNumber) int64 { return toCLong(float64(n)) }

func (rw *replyWriter) write(v lua.LValue, depth int) {
	w := rw.w
	switch x := v.(type) {
	case lua.LString:
		w.BulkString(string(x))
	case lua.LNumber:
		w.Int(luaInteger(x))
	case lua.LBool:
		switch {
		case rw.resp3:
			w.Bool(bool(x))
		case bool(x):
			w.Int(1)
		default:
			w.Null()
		}
	case *lua.LTable:
		if depth >= maxReplyDepth {
			w.Error(errStackLimit)
			return
		}
		rw.table(x, depth)
	default:
		w.Null()
	}
}

func (rw *replyWriter) table(t *lua.LTable, depth int) {
	w := rw.w
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		w.Error(string(e))
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.Simple(cleanStatus(string(s)))
		return
	}
	if d, ok := t.RawGetString("double").(lua.LNumber); ok {
		rw.double(float64(d))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		if w.Proto == 3 {
			w.Raw([]byte("(" + cleanStatus(string(s)) + "\r\n"))
		} else {
			w.BulkString(string(s))
		}
		return
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		var pairs []lua.LValue
		m.ForEach(func(k, v lua.LValue) { pairs = append(pairs, k, v) })
		w.Map(len(pairs) / 2)
		for _, x := range pairs {
			rw.write(x, depth+1)
		}
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		var keys []lua.LValue
		s.ForEach(func(k, _ lua.LValue) { keys = append(keys, k) })
		w.Set(len(keys))
		for _, k := range keys {
			rw.write(k, depth+1)
		}
		return
	}
	if vs, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, fok := vs.RawGetString("format").(lua.LString)
		str, sok := vs.RawGetString("string").(lua.LString)
		if fok && sok {
			if w.Proto == 3 {
				f := string(format) + "   "
				body := f[:3] + ":" + string(str)
				w.Raw([]byte("=" + strconv.Itoa(len(body)) + "\r\n" + body + "\r\n"))
			} else {
				w.BulkString(string(str))
			}
			return
		}
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for i := 1; i <= n; i++ {
		rw.write(t.RawGetInt(i), depth+1)
	}
}

// double writes a RESP3 double (a bulk string in RESP2) formatted as Redis does, with
// glibc's spelling of NaN.
func (rw *replyWriter) double(f float64) {
	w := rw.w
	if !math.IsNaN(f) {
		w.Double(f)
		return
	}
	s := fmtG(f, 17)
	if w.Proto == 3 {
		w.Raw([]byte("," + s + "\r\n"))
	} else {
		w.BulkString(s)
	}
}

// cleanStatus replaces the line breaks a status reply cannot carry, as Redis does.
func cleanStatus(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// appendCommandArg appends one redis.call argument to dst: strings as they are, numbers
// as "%.17g" (integers in plain digits).
func appendCommandArg(dst []byte, v lua.LValue) ([]byte, bool) {
	switch x := v.(type) {
	case lua.LString:
		return append(dst, x...), true
	case lua.LNumber:
		f := float64(x)
		if f == math.Trunc(f) && math.Abs(f) < 1e15 && !(f == 0 && math.Signbit(f)) {
			return strconv.AppendInt(dst, int64(f), 10), true
		}
		return append(dst, fmt17(f)...), true
	}
	return dst, false
}

// argVector holds the arguments of one redis.call: every argument is a slice of buf.
// A sandbox keeps one from call to call (the host keeps no argument after Call
// returns), so converting the arguments allocates nothing once buf has grown.
type argVector struct {
	args [][]byte
	ends []int
	buf  []byte
}

// fill converts the values at stack positions 1..argc; it fails on a value that is
// neither a string nor a number.
func (av *argVector) fill(L *lua.LState, argc int) bool {
	buf, ends := av.buf[:0], av.ends[:0]
	for i := 1; i <= argc; i++ {
		var ok bool
		if buf, ok = appendCommandArg(buf, L.Get(i)); !ok {
			return false
		}
		ends = append(ends, len(buf))
	}
	// Sliced only now: appending may have moved buf.
	args, start := av.args[:0], 0
	for _, end := range ends {
		args = append(args, buf[start:end:end])
		start = end
	}
	av.args, av.ends, av.buf = args, ends, buf
	return true
}
