package script

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// runOK runs a script that checks itself and returns 1, or raises an error naming the
// failed check.
func runOK(t *testing.T, src string) {
	t.Helper()
	require.Equal(t, ":1\r\n", eval(t, New(Options{}), 2, src, nil))
}

// deepEqual is a Lua helper for the round-trip checks.
const deepEqual = `
local function eq(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= 'table' then return a == b or (a ~= a and b ~= b) end
  for k, v in pairs(a) do if not eq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
`

func TestCJSONRoundTrips(t *testing.T) {
	runOK(t, deepEqual+`
local docs = {'[1,2,3]', '{"a":1}', '{}', '[]', '"x"', '1.5', 'true', 'false', 'null', '[[[]]]',
  '{"a":{"b":[1,2,{"c":"d"}]}}', '"\\u00e9\\n\\t\\"/"', '[1e+20,-0.5,0.1]'}
for _, d in ipairs(docs) do
  local v = cjson.decode(d)
  local again = cjson.decode(cjson.encode(v))
  if not eq(v, again) then error('round trip of ' .. d) end
end
local values = {{1, 2, 3}, {a = 'b', c = {d = {1, 2}}}, {['x/y'] = 'a"b\\c'}, 'plain', 42, -7.25, true}
for i, v in ipairs(values) do
  if not eq(cjson.decode(cjson.encode(v)), v) then error('value ' .. i) end
end
-- Sparse arrays: nulls up to the safe limit, an error beyond it.
if cjson.encode({[1] = 1, [3] = 3}) ~= '[1,null,3]' then error('sparse') end
if pcall(cjson.encode, {[1] = 1, [100] = 2}) then error('excessively sparse accepted') end
if cjson.decode('null') ~= cjson.null then error('null') end
return 1`)
}

func TestCJSONErrors(t *testing.T) {
	e := New(Options{})
	for doc, want := range map[string]string{
		"[1,":         "Expected value but found T_END at character 4",
		"":            "Expected value but found T_END at character 1",
		`{"a":1,}`:    "Expected object key string but found T_OBJ_END at character 8",
		"[1] x":       "Expected the end but found invalid token at character 5",
		`"abc`:        "Expected value but found unexpected end of string at character 5",
		`"\x"`:        "Expected value but found invalid escape code at character 2",
		`"\ud800"`:    "Expected value but found invalid unicode escape code at character 2",
		"-":           "Expected value but found invalid number at character 1",
		`{"a" 1}`:     "Expected colon but found T_NUMBER at character 6",
		`{"a":1 "b"}`: "Expected comma or object end but found T_STRING at character 8",
		"[1 2]":       "Expected comma or array end but found T_NUMBER at character 4",
	} {
		out := evalHost(t, e, newFakeHost(), 2, "return cjson.decode(ARGV[1])", nil, doc)
		require.Contains(t, out, "user_script:1: "+want+" script:", doc)
	}
	require.Contains(t, eval(t, e, 2, "return cjson.decode(string.rep('[', 1001))", nil),
		"Found too many nested data structures (1001) at character 1001")
	require.Contains(t, eval(t, e, 2, "local t = {} t[1] = t return cjson.encode(t)", nil),
		"Cannot serialise, excessive nesting (1001)")
}

func TestCMsgpackRoundTrips(t *testing.T) {
	runOK(t, deepEqual+`
local values = {0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2^53,
  -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -2^53,
  1.5, 0.1, -0.25, 1e300, 1/0, -1/0, true, false, '', 'x',
  string.rep('a', 31), string.rep('b', 32), string.rep('c', 255), string.rep('d', 256),
  string.rep('e', 65535), string.rep('f', 65536),
  {}, {1, 2, 3}, {a = 1, b = {c = 'd'}}, {1, {2, {3, {4}}}}, {[1.5] = 'x', [2] = 'y'}}
for i, v in ipairs(values) do
  local got = cmsgpack.unpack(cmsgpack.pack(v))
  if not eq(got, v) then error('value ' .. i .. ' ' .. tostring(v)) end
end
local big = {}
for i = 1, 70000 do big[i] = i end
if not eq(cmsgpack.unpack(cmsgpack.pack(big)), big) then error('array32') end
local m = {}
for i = 1, 20 do m['k' .. i] = i end
if not eq(cmsgpack.unpack(cmsgpack.pack(m)), m) then error('map16') end
-- Several values, decoded one at a time.
local s = cmsgpack.pack(1, 'two', {3})
local off, a = cmsgpack.unpack_one(s)
local off2, b = cmsgpack.unpack_one(s, off)
local off3, c = cmsgpack.unpack_one(s, off2)
if a ~= 1 or b ~= 'two' or c[1] ~= 3 or off3 ~= -1 then error('unpack_one') end
return 1`)
}

func TestBitOps(t *testing.T) {
	runOK(t, `
local checks = {
  {bit.tobit(0xffffffff), -1}, {bit.tobit(2^32 + 5), 5}, {bit.tobit(2.5), 2}, {bit.tobit(3.5), 4},
  {bit.bnot(0), -1}, {bit.band(0xff, 0x0f, 0x3), 3}, {bit.bor(1, 2, 4), 7}, {bit.bxor(3, 5), 6},
  {bit.lshift(1, 31), -2147483648}, {bit.lshift(1, 32), 1}, {bit.rshift(-1, 28), 15},
  {bit.arshift(-256, 4), -16}, {bit.rol(0x12345678, 8), 0x34567812}, {bit.ror(0x12345678, 8), 0x78123456},
  {bit.bswap(0x12345678), 0x78563412},
}
for i, c in ipairs(checks) do
  if c[1] ~= c[2] then error('check ' .. i .. ': ' .. c[1]) end
end
if bit.tohex(255) ~= '000000ff' or bit.tohex(-1, -4) ~= 'FFFF' or bit.tohex(1, 0) ~= '' then error('tohex') end
for i = 0, 31 do
  if bit.band(bit.lshift(1, i), bit.bnot(bit.lshift(1, i))) ~= 0 then error('bnot ' .. i) end
  if bit.ror(bit.rol(0x1234abcd, i), i) ~= 0x1234abcd then error('rotate ' .. i) end
end
return 1`)
}

func TestStructRoundTrips(t *testing.T) {
	runOK(t, `
local cases = {
  {'>b', -5}, {'<B', 200}, {'>h', -300}, {'<H', 65000}, {'>l', -2^40}, {'<L', 2^40}, {'>T', 12345},
  {'<i', -70000}, {'>I', 4000000000}, {'<i3', -8000000}, {'>I3', 16000000}, {'<i8', -2^53}, {'>I7', 2^50},
  {'<f', 1.5}, {'>d', 0.1}, {'s', 'zero terminated'}, {'c5', 'fixed'},
}
for i, c in ipairs(cases) do
  local s = struct.pack(c[1], c[2])
  local v, nextpos = struct.unpack(c[1], s)
  if v ~= c[2] then error('case ' .. i .. ': ' .. tostring(v)) end
  if nextpos ~= #s + 1 then error('position ' .. i) end
  if c[1] ~= 's' and struct.size(c[1]) ~= #s then error('size ' .. i) end
end
local fmt = '!8 b d h i4 c3 B'
local s = struct.pack(fmt, 1, 2.5, 3, 4, 'abc', 5)
local a, b, c, d, e, f = struct.unpack(fmt, s)
if a ~= 1 or b ~= 2.5 or c ~= 3 or d ~= 4 or e ~= 'abc' or f ~= 5 then error('mixed') end
if #s ~= struct.size(fmt) then error('aligned size') end
local n, str = struct.unpack('B c0', struct.pack('B c0', 3, 'xyz'))
if n ~= 'xyz' then error('c0') end
return 1`)
}

func TestDumpEncoding(t *testing.T) {
	codes := []string{"#!lua name=a\nreturn 1", strings.Repeat("x", 70), strings.Repeat("y", 20000)}
	for _, compress := range []bool{true, false} {
		got, err := decodeFunctionDump(encodeFunctionDump(codes, compress))
		require.NoError(t, err)
		require.Equal(t, codes, got)
	}
	require.Less(t, len(encodeFunctionDump(codes, true)), 500, "long code is compressed")
	empty := encodeFunctionDump(nil, true)
	require.Len(t, empty, 10)
	got, err := decodeFunctionDump(empty)
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = decodeFunctionDump(empty[:9])
	require.Equal(t, errBadPayload, err)
}
