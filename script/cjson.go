package script

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/cinnabar-db/cinnabar/cnum"
)

// The cjson library (lua-cjson 2.1's API, messages and defaults as Redis ships it):
// encode, decode, null, and the configuration functions. Numbers are written with
// "%.14g"; "/" is escaped; bytes from 0x80 are copied as they are. A table is an array
// when all its keys are positive integers, unless it is excessively sparse (its largest
// key above 10 and above twice the number of keys), which is an error by default; an
// empty table is an object. Object members follow Lua's table iteration order, which
// in gopher-lua is not C Lua's: only single-member objects are byte-identical to
// Redis's output. The decoder accepts what lua-cjson accepts with
// decode_invalid_numbers on (hexadecimal, inf, nan, a leading '+').

// cjsonNull is cjson.null: a userdata that decodes JSON null and encodes as null.
var cjsonNull = &lua.LUserData{}

type cjsonConfig struct {
	mu                   sync.Mutex
	sparseConvert        bool
	sparseRatio          int
	sparseSafe           int
	encodeMaxDepth       int
	decodeMaxDepth       int
	encodePrecision      int
	encodeKeepBuffer     bool
	encodeInvalidNumbers lua.LValue // false, true or "null"
	decodeInvalidNumbers bool
}

func newCJSONConfig() *cjsonConfig {
	return &cjsonConfig{sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		encodePrecision: 14, encodeKeepBuffer: true, encodeInvalidNumbers: lua.LFalse, decodeInvalidNumbers: true}
}

func (e *Engine) cjsonModule(L *lua.LState) *lua.LTable { return cjsonModule(L, e.cjson) }

func cjsonModule(L *lua.LState, cfg *cjsonConfig) *lua.LTable {
	t := L.NewTable()
	set := func(name string, fn lua.LGFunction) { t.RawSetString(name, L.NewFunction(fn)) }
	set("encode", cfg.encodeFn)
	set("decode", cfg.decodeFn)
	set("encode_sparse_array", cfg.sparseFn)
	set("encode_max_depth", cfg.intFn("encode_max_depth", &cfg.encodeMaxDepth, 1, math.MaxInt32))
	set("decode_max_depth", cfg.intFn("decode_max_depth", &cfg.decodeMaxDepth, 1, math.MaxInt32))
	set("encode_number_precision", cfg.intFn("encode_number_precision", &cfg.encodePrecision, 1, 14))
	set("encode_keep_buffer", cfg.boolFn("encode_keep_buffer", &cfg.encodeKeepBuffer))
	set("encode_invalid_numbers", cfg.encodeInvalidFn)
	set("decode_invalid_numbers", cfg.boolFn("decode_invalid_numbers", &cfg.decodeInvalidNumbers))
	set("new", func(L *lua.LState) int {
		L.Push(cjsonModule(L, newCJSONConfig()))
		return 1
	})
	t.RawSetString("null", cjsonNull)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

// ---- configuration ----

func optBool(L *lua.LState, n int, fname string, cur bool) bool {
	if n > L.GetTop() || L.Get(n) == lua.LNil {
		return cur
	}
	switch v := L.Get(n).(type) {
	case lua.LBool:
		return bool(v)
	case lua.LString:
		switch v {
		case "on":
			return true
		case "off":
			return false
		}
	}
	argError(L, n, fname, "invalid option '"+lua.LVAsString(L.Get(n))+"'")
	return cur
}

func optInt(L *lua.LState, n int, fname string, cur, lo, hi int) int {
	if n > L.GetTop() || L.Get(n) == lua.LNil {
		return cur
	}
	v := int(checkNumber(L, n, fname))
	if v < lo || v > hi {
		argError(L, n, fname, "expected integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
	return v
}

func (cfg *cjsonConfig) sparseFn(L *lua.LState) int {
	cfg.mu.Lock()
	defer cfg.mu.Unlock()
	cfg.sparseConvert = optBool(L, 1, "encode_sparse_array", cfg.sparseConvert)
	cfg.sparseRatio = optInt(L, 2, "encode_sparse_array", cfg.sparseRatio, 0, math.MaxInt32)
	cfg.sparseSafe = optInt(L, 3, "encode_sparse_array", cfg.sparseSafe, 0, math.MaxInt32)
	L.Push(lua.LBool(cfg.sparseConvert))
	L.Push(lua.LNumber(cfg.sparseRatio))
	L.Push(lua.LNumber(cfg.sparseSafe))
	return 3
}

// intFn is the Lua function for an integer option in lo..hi: it sets the option when
// given a value and returns the current one.
func (cfg *cjsonConfig) intFn(fname string, field *int, lo, hi int) lua.LGFunction {
	return func(L *lua.LState) int {
		cfg.mu.Lock()
		defer cfg.mu.Unlock()
		*field = optInt(L, 1, fname, *field, lo, hi)
		L.Push(lua.LNumber(*field))
		return 1
	}
}

// boolFn is intFn for an on/off option.
func (cfg *cjsonConfig) boolFn(fname string, field *bool) lua.LGFunction {
	return func(L *lua.LState) int {
		cfg.mu.Lock()
		defer cfg.mu.Unlock()
		*field = optBool(L, 1, fname, *field)
		L.Push(lua.LBool(*field))
		return 1
	}
}

func (cfg *cjsonConfig) encodeInvalidFn(L *lua.LState) int {
	cfg.mu.Lock()
	defer cfg.mu.Unlock()
	if L.GetTop() >= 1 && L.Get(1) == lua.LString("null") {
		cfg.encodeInvalidNumbers = lua.LString("null")
	} else if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
		cfg.encodeInvalidNumbers = lua.LBool(optBool(L, 1, "encode_invalid_numbers", false))
	}
	L.Push(cfg.encodeInvalidNumbers)
	return 1
}

// ---- encoding ----

type jsonEncoder struct {
	L         *lua.LState
	buf       []byte
	precision int
	maxDepth  int
	invalid   lua.LValue
	convert   bool
	ratio     int
	safe      int
}

func (cfg *cjsonConfig) encodeFn(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "encode", "expected 1 argument")
	}
	cfg.mu.Lock()
	enc := jsonEncoder{L: L, precision: cfg.encodePrecision, maxDepth: cfg.encodeMaxDepth,
		invalid: cfg.encodeInvalidNumbers, convert: cfg.sparseConvert, ratio: cfg.sparseRatio, safe: cfg.sparseSafe}
	cfg.mu.Unlock()
	enc.value(L.Get(1), 0)
	L.Push(lua.LString(enc.buf))
	return 1
}

func (enc *jsonEncoder) fail(v lua.LValue, reason string) {
	enc.L.RaiseError("Cannot serialise %s: %s", v.Type().String(), reason)
}

func (enc *jsonEncoder) value(v lua.LValue, depth int) {
	switch x := v.(type) {
	case lua.LString:
		enc.buf = appendJSONString(enc.buf, string(x))
	case lua.LNumber:
		enc.number(x)
	case lua.LBool:
		if x {
			enc.buf = append(enc.buf, "true"...)
		} else {
			enc.buf = append(enc.buf, "false"...)
		}
	case *lua.LNilType:
		enc.buf = append(enc.buf, "null"...)
	case *lua.LTable:
		depth++
		if depth > enc.maxDepth {
			enc.L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		if n := enc.arrayLength(x); n > 0 {
			enc.buf = append(enc.buf, '[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					enc.buf = append(enc.buf, ',')
				}
				enc.value(x.RawGetInt(i), depth)
			}
			enc.buf = append(enc.buf, ']')
			return
		}
		enc.object(x, depth)
	case *lua.LUserData:
		if x == cjsonNull {
			enc.buf = append(enc.buf, "null"...)
			return
		}
		enc.fail(v, "type not supported")
	default:
		enc.fail(v, "type not supported")
	}
}

func (enc *jsonEncoder) number(n lua.LNumber) {
	f := float64(n)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch enc.invalid {
		case lua.LString("null"):
			enc.buf = append(enc.buf, "null"...)
			return
		case lua.LTrue:
			enc.buf = append(enc.buf, fmtG(f, enc.precision)...)
			return
		}
		enc.fail(n, "must not be NaN or Inf")
	}
	enc.buf = append(enc.buf, fmtG(f, enc.precision)...)
}

// arrayLength returns the length to encode t as an array, or 0 for an object.
func (enc *jsonEncoder) arrayLength(t *lua.LTable) int {
	maxKey, items := 0.0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || math.Floor(float64(n)) != float64(n) {
			return 0
		}
		if float64(n) > maxKey {
			maxKey = float64(n)
		}
		items++
	}
	if enc.ratio > 0 && maxKey > float64(items*enc.ratio) && maxKey > float64(enc.safe) {
		if !enc.convert {
			enc.fail(t, "excessively sparse array")
		}
		return 0
	}
	return int(maxKey)
}

func (enc *jsonEncoder) object(t *lua.LTable, depth int) {
	enc.buf = append(enc.buf, '{')
	first := true
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if !first {
			enc.buf = append(enc.buf, ',')
		}
		first = false
		switch key := k.(type) {
		case lua.LString:
			enc.buf = appendJSONString(enc.buf, string(key))
		case lua.LNumber:
			enc.buf = append(enc.buf, '"')
			enc.number(key)
			enc.buf = append(enc.buf, '"')
		default:
			enc.fail(k, "table key must be a number or string")
		}
		enc.buf = append(enc.buf, ':')
		enc.value(v, depth)
	}
	enc.buf = append(enc.buf, '}')
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '/':
			b = append(b, '\\', '/')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 || c == 0x7f {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

// ---- decoding ----

type jsonTokenType int

const (
	tObjBegin jsonTokenType = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tError
)

var jsonTokenNames = [...]string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
	"T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_ERROR"}

type jsonToken struct {
	typ   jsonTokenType
	index int // 0-based position where the token (or the error) is
	str   string
	num   float64
	b     bool
	err   string
}

type jsonDecoder struct {
	L        *lua.LState
	s        string
	pos      int
	depth    int
	maxDepth int
	invalid  bool
}

func (cfg *cjsonConfig) decodeFn(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "decode", "expected 1 argument")
	}
	s := checkString(L, 1, "decode")
	if len(s) >= 2 && (s[0] == 0 || s[1] == 0) {
		L.RaiseError("JSON parser does not support UTF-16 or UTF-32")
	}
	cfg.mu.Lock()
	dec := jsonDecoder{L: L, s: s, maxDepth: cfg.decodeMaxDepth, invalid: cfg.decodeInvalidNumbers}
	cfg.mu.Unlock()
	v := dec.value(dec.next())
	if tok := dec.next(); tok.typ != tEnd {
		dec.fail("the end", tok)
	}
	L.Push(v)
	return 1
}

func (d *jsonDecoder) fail(expected string, tok jsonToken) {
	found := tok.err
	if tok.typ != tError {
		found = jsonTokenNames[tok.typ]
	}
	d.L.RaiseError("Expected %s but found %s at character %d", expected, found, tok.index+1)
}

func (d *jsonDecoder) invalidNumberAhead() bool {
	p := d.s[d.pos:]
	if strings.HasPrefix(p, "+") {
		return true
	}
	p = strings.TrimPrefix(p, "-")
	return hasPrefixFold(p, "0x") || hasPrefixFold(p, "inf") || hasPrefixFold(p, "nan")
}

func (d *jsonDecoder) next() jsonToken {
	for d.pos < len(d.s) {
		c := d.s[d.pos]
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			break
		}
		d.pos++
	}
	tok := jsonToken{index: d.pos}
	if d.pos >= len(d.s) {
		tok.typ = tEnd
		return tok
	}
	c := d.s[d.pos]
	if t, ok := jsonSingle(c); ok {
		d.pos++
		tok.typ = t
		return tok
	}
	rest := d.s[d.pos:]
	switch {
	case c == '"':
		return d.stringToken()
	case c == '-' || isDigit(c):
		if !d.invalid && d.invalidNumberAhead() {
			return d.errorToken(d.pos, "invalid number")
		}
		return d.numberToken()
	case strings.HasPrefix(rest, "true"):
		d.pos += 4
		tok.typ, tok.b = tBoolean, true
		return tok
	case strings.HasPrefix(rest, "false"):
		d.pos += 5
		tok.typ = tBoolean
		return tok
	case strings.HasPrefix(rest, "null"):
		d.pos += 4
		tok.typ = tNull
		return tok
	case d.invalid && d.invalidNumberAhead():
		return d.numberToken()
	}
	return d.errorToken(d.pos, "invalid token")
}

func jsonSingle(c byte) (jsonTokenType, bool) {
	switch c {
	case '{':
		return tObjBegin, true
	case '}':
		return tObjEnd, true
	case '[':
		return tArrBegin, true
	case ']':
		return tArrEnd, true
	case ':':
		return tColon, true
	case ',':
		return tComma, true
	}
	return 0, false
}

func (d *jsonDecoder) errorToken(at int, msg string) jsonToken {
	return jsonToken{typ: tError, index: at, err: msg}
}

func (d *jsonDecoder) numberToken() jsonToken {
	start := d.pos
	f, n := cnum.Strtod(d.s[start:])
	if n == 0 {
		return d.errorToken(start, "invalid number")
	}
	d.pos += n
	return jsonToken{typ: tNumber, index: start, num: f}
}

func (d *jsonDecoder) stringToken() jsonToken {
	start := d.pos
	d.pos++ // opening quote
	var b []byte
	for {
		if d.pos >= len(d.s) {
			return d.errorToken(d.pos, "unexpected end of string")
		}
		c := d.s[d.pos]
		if c == '"' {
			d.pos++
			return jsonToken{typ: tString, index: start, str: string(b)}
		}
		if c != '\\' {
			b = append(b, c)
			d.pos++
			continue
		}
		esc := d.pos
		if d.pos+1 >= len(d.s) {
			return d.errorToken(d.pos+1, "unexpected end of string")
		}
		switch e := d.s[d.pos+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, used, ok := d.unicodeEscape(d.pos)
			if !ok {
				return d.errorToken(esc, "invalid unicode escape code")
			}
			b = utf8.AppendRune(b, r)
			d.pos += used
			continue
		default:
			return d.errorToken(esc, "invalid escape code")
		}
		d.pos += 2
	}
}

func (d *jsonDecoder) hex4(at int) (rune, bool) {
	if at+4 > len(d.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(d.s[at:at+4], 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at position at.
func (d *jsonDecoder) unicodeEscape(at int) (rune, int, bool) {
	r, ok := d.hex4(at + 2)
	if !ok {
		return 0, 0, false
	}
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, 0, false
	case r >= 0xD800 && r <= 0xDBFF:
		if at+12 > len(d.s) || d.s[at+6] != '\\' || d.s[at+7] != 'u' {
			return 0, 0, false
		}
		lo, ok := d.hex4(at + 8)
		if !ok || lo < 0xDC00 || lo > 0xDFFF {
			return 0, 0, false
		}
		return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 12, true
	}
	return r, 6, true
}

func (d *jsonDecoder) descend(tok jsonToken) {
	d.depth++
	if d.depth > d.maxDepth {
		d.L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, tok.index+1)
	}
}

func (d *jsonDecoder) value(tok jsonToken) lua.LValue {
	switch tok.typ {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tNull:
		return cjsonNull
	case tObjBegin:
		return d.object(tok)
	case tArrBegin:
		return d.array(tok)
	}
	d.fail("value", tok)
	return lua.LNil
}

func (d *jsonDecoder) object(open jsonToken) lua.LValue {
	d.descend(open)
	t := d.L.NewTable()
	tok := d.next()
	if tok.typ == tObjEnd {
		d.depth--
		return t
	}
	for {
		if tok.typ != tString {
			d.fail("object key string", tok)
		}
		key := tok.str
		if tok = d.next(); tok.typ != tColon {
			d.fail("colon", tok)
		}
		t.RawSetString(key, d.value(d.next()))
		tok = d.next()
		switch tok.typ {
		case tObjEnd:
			d.depth--
			return t
		case tComma:
			tok = d.next()
		default:
			d.fail("comma or object end", tok)
		}
	}
}

func (d *jsonDecoder) array(open jsonToken) lua.LValue {
	d.descend(open)
	t := d.L.NewTable()
	tok := d.next()
	if tok.typ == tArrEnd {
		d.depth--
		return t
	}
	for i := 1; ; i++ {
		t.RawSetInt(i, d.value(tok))
		tok = d.next()
		switch tok.typ {
		case tArrEnd:
			d.depth--
			return t
		case tComma:
			tok = d.next()
		default:
			d.fail("comma or array end", tok)
		}
	}
}
