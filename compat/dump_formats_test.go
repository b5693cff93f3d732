package compat

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/persist"
)

// Hand-built RDB encodings, for payloads no server writes: the older encodings Redis
// 7.0 still loads, and malformed ones. The builders write the simplest forms (strings
// with a 6-bit length, one-byte ziplist back-links): enough to describe any content.

func rdbLen(n int) string {
	switch {
	case n < 64:
		return string(rune(n))
	case n < 16384:
		return string([]byte{0x40 | byte(n>>8), byte(n)})
	}
	return string(binary.BigEndian.AppendUint32([]byte{0x80}, uint32(n)))
}

// rdbStr is a raw RDB string.
func rdbStr(s string) string { return rdbLen(len(s)) + s }

func rdbStrs(items ...string) string {
	var b strings.Builder
	for _, s := range items {
		b.WriteString(rdbStr(s))
	}
	return b.String()
}

// rdbDouble is a binary double.
func rdbDouble(f float64) string {
	return string(binary.LittleEndian.AppendUint64(nil, math.Float64bits(f)))
}

// listpackOf builds a listpack of short string elements (count overrides the header).
func listpackOf(count int, items ...string) string {
	var body []byte
	for _, s := range items {
		body = append(body, 0x80|byte(len(s)))
		body = append(body, s...)
		body = append(body, byte(1+len(s)))
	}
	lp := binary.LittleEndian.AppendUint32(nil, uint32(6+len(body)+1))
	lp = binary.LittleEndian.AppendUint16(lp, uint16(count))
	return string(append(append(lp, body...), 0xff))
}

func listpack(items ...string) string { return listpackOf(len(items), items...) }

// ziplistOf builds a ziplist of short string elements.
func ziplistOf(items ...string) string {
	var body []byte
	prev, tail := 0, 10
	for _, s := range items {
		tail = 10 + len(body)
		body = append(body, byte(prev), byte(len(s)))
		body = append(body, s...)
		prev = 2 + len(s)
	}
	zl := binary.LittleEndian.AppendUint32(nil, uint32(10+len(body)+1))
	zl = binary.LittleEndian.AppendUint32(zl, uint32(tail))
	zl = binary.LittleEndian.AppendUint16(zl, uint16(len(items)))
	return string(append(append(zl, body...), 0xff))
}

// zipmapOf builds a zipmap of short fields and values.
func zipmapOf(pairs ...string) string {
	b := []byte{byte(len(pairs) / 2)}
	for i := 0; i < len(pairs); i += 2 {
		b = append(b, byte(len(pairs[i])))
		b = append(b, pairs[i]...)
		b = append(b, byte(len(pairs[i+1])), 0)
		b = append(b, pairs[i+1]...)
	}
	return string(append(b, 0xff))
}

// intsetOf builds an intset of the given width.
func intsetOf(width int, vals ...int64) string {
	b := binary.LittleEndian.AppendUint32(nil, uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))[:len(b)+width]
	}
	return string(b)
}

// streamNode builds a stream node: its 16-byte key and listpack.
func streamNode(ms, seq uint64, elems ...string) string {
	key := binary.BigEndian.AppendUint64(nil, ms)
	key = binary.BigEndian.AppendUint64(key, seq)
	return rdbStr(string(key)) + rdbStr(listpack(elems...))
}

// streamID16 is a raw 16-byte ID (PEL entries).
func streamID16(ms, seq uint64) string {
	b := binary.BigEndian.AppendUint64(nil, ms)
	return string(binary.BigEndian.AppendUint64(b, seq))
}

// withFooter completes a payload: the RDB version and the CRC64.
func withFooter(body string, version uint16) string {
	b := binary.LittleEndian.AppendUint16([]byte(body), version)
	return string(binary.LittleEndian.AppendUint64(b, persist.CRC64(0, b)))
}

// A node of one entry (1-1, a=1) and its stream metadata up to the groups, as
// STREAM_LISTPACKS_2 writes it: length 1, last 1-1, first 1-1, max deleted 0-0, 1 added.
var (
	oneEntryNode  = streamNode(1, 1, "1", "0", "1", "a", "0", "2", "0", "0", "1", "4")
	oneEntryState = "\x01\x01\x01\x01\x01\x00\x00\x01"
)

// oldEncodings are valid payloads in the encodings of earlier RDB versions (and rare
// forms of the current ones), each restorable on both servers.
var oldEncodings = map[string]string{
	"list":                "\x01" + rdbLen(3) + rdbStrs("a", "b", "1"),
	"list ziplist":        "\x0a" + rdbStr(ziplistOf("a", "b", "12")),
	"quicklist":           "\x0e\x03" + rdbStr(ziplistOf("a", "b")) + rdbStr(ziplistOf()) + rdbStr(ziplistOf("c")),
	"quicklist2 plain":    "\x12\x03\x01" + rdbStr("plain") + "\x02" + rdbStr(listpack()) + "\x02" + rdbStr(listpack("x", "7")),
	"set of ints":         "\x02\x03" + rdbStrs("3", "1", "2"),
	"set mixed":           "\x02\x02" + rdbStrs("1", "a"),
	"set int-encoded":     "\x02\x02\xc0\x05\xc1\x00\x01",
	"intset wide":         "\x0b" + rdbStr(intsetOf(8, -1, 2)),
	"zset text doubles":   "\x03\x06" + rdbStr("a") + "\x031.5" + rdbStr("b") + "\xfe" + rdbStr("c") + "\xff" + rdbStr("d") + "\x061.5abc" + rdbStr("e") + "\x04 2.5" + rdbStr("f") + "\x040x10",
	"zset2 negative 0":    "\x05\x01" + rdbStr("a") + rdbDouble(math.Copysign(0, -1)),
	"zset ziplist":        "\x0c" + rdbStr(ziplistOf("b", "-2", "a", "1.5")),
	"zset listpack text":  "\x11" + rdbStr(listpack("c", "-inf", "a", "abc", "b", "7e1")),
	"hash zipmap":         "\x09" + rdbStr(zipmapOf("f", "v", "g", "")),
	"hash ziplist":        "\x0d" + rdbStr(ziplistOf("f", "v", "n", "12")),
	"hash listpack 65535": "\x10" + rdbStr(listpackOf(65535, "f", "v")),
	"stream v1": "\x0f\x01" + oneEntryNode + "\x01\x01\x01" + // length 1, last 1-1
		"\x01" + rdbStr("g") + "\x01\x01" + // group g at 1-1 (no read counter)
		"\x01" + streamID16(1, 1) + rdbMillis(1234) + "\x02" + // PEL: 1-1, delivered at 1234, twice
		"\x01" + rdbStr("c") + rdbMillis(5678) + "\x01" + streamID16(1, 1),
	"stream v2 empty": "\x13\x00\x00\x05\x07\x00\x00\x03\x04\x09\x00", // no nodes, last 5-7, max deleted 3-4, 9 added
}

func rdbMillis(ms int64) string { return string(binary.LittleEndian.AppendUint64(nil, uint64(ms))) }

// badEncodings are malformed values that Redis refuses when it sanitizes payloads.
var badEncodings = map[string]string{
	"type only":               "\x00",
	"unknown type 6":          "\x06\x00",
	"module type 7":           "\x07\x00",
	"unknown type 8":          "\x08\x00",
	"set listpack of 7.2":     "\x14" + rdbStr(listpack("a")),
	"stream of 7.2":           "\x15\x00",
	"length encoding 0x82":    "\x00\x82abc",
	"string encoding 4":       "\x00\xc4\x00",
	"lzf too short":           "\x00\xc3\x02\x03\x01ab",
	"lzf bad reference":       "\x00\xc3\x03\x08\x20\x05a",
	"empty list":              "\x01\x00",
	"empty quicklist2":        "\x12\x01\x02" + rdbStr(listpack()),
	"quicklist2 container 3":  "\x12\x01\x03" + rdbStr(listpack("x")),
	"empty set":               "\x02\x00",
	"set duplicate":           "\x02\x02" + rdbStrs("a", "a"),
	"set duplicate ints":      "\x02\x02" + rdbStrs("1", "1"),
	"empty hash":              "\x04\x00",
	"hash duplicate":          "\x04\x02" + rdbStrs("a", "1", "a", "2"),
	"empty zset2":             "\x05\x00",
	"zset2 duplicate":         "\x05\x02" + rdbStr("a") + rdbDouble(1) + rdbStr("a") + rdbDouble(2),
	"zset2 NaN":               "\x05\x01" + rdbStr("a") + rdbDouble(math.NaN()),
	"zset text NaN":           "\x03\x01" + rdbStr("a") + "\xfd",
	"zset text nan":           "\x03\x01" + rdbStr("a") + "\x03nan",
	"zset text empty":         "\x03\x01" + rdbStr("a") + "\x00",
	"zset text garbage":       "\x03\x01" + rdbStr("a") + "\x03abc",
	"intset unsorted":         "\x0b" + rdbStr(intsetOf(2, 3, 2)),
	"intset duplicate":        "\x0b" + rdbStr(intsetOf(2, 2, 2)),
	"intset width 3":          "\x0b" + rdbStr(intsetOf(3, 1)),
	"intset size":             "\x0b" + rdbStr(intsetOf(2, 1, 2)+"x"),
	"intset empty":            "\x0b" + rdbStr(intsetOf(2)),
	"listpack count":          "\x10" + rdbStr(listpackOf(3, "a", "1")),
	"listpack size":           "\x10" + rdbStr(listpack("a", "1")+"\xff"),
	"listpack backlen":        "\x10" + rdbStr(strings.Replace(listpack("a", "1"), "\x81a\x02", "\x81a\x03", 1)),
	"listpack no end":         "\x10" + rdbStr(strings.TrimSuffix(listpack("a", "1"), "\xff")+"\x00"),
	"hash listpack odd":       "\x10" + rdbStr(listpack("a", "1", "b")),
	"hash listpack empty":     "\x10" + rdbStr(listpack()),
	"hash listpack duplicate": "\x10" + rdbStr(listpack("a", "1", "a", "2")),
	"zset listpack odd":       "\x11" + rdbStr(listpack("a")),
	"zset listpack duplicate": "\x11" + rdbStr(listpack("a", "1", "a", "2")),
	"ziplist prevlen":         "\x0a" + rdbStr(strings.Replace(ziplistOf("a", "b"), "\x03\x01b", "\x04\x01b", 1)),
	"ziplist tail":            "\x0a" + rdbStr(ziplistOf("a", "b")[:4]+"\x0a\x00\x00\x00"+ziplistOf("a", "b")[8:]),
	"zipmap count":            "\x09" + rdbStr("\x02"+zipmapOf("f", "v")[1:]),
	"zipmap duplicate":        "\x09" + rdbStr(zipmapOf("f", "v", "f", "w")),
	"zipmap empty":            "\x09" + rdbStr(zipmapOf()),
	"stream node key size":    "\x13\x01" + rdbStr("123456789012345") + rdbStr(listpack("1", "0", "1", "a", "0", "2", "0", "0", "1", "4")) + oneEntryState + "\x00",
	"stream empty listpack":   "\x13\x01" + streamNode(1, 1) + oneEntryState + "\x00",
	"stream entry count":      "\x13\x01" + streamNode(1, 1, "1", "0", "1", "a", "0", "2", "0", "0", "1", "5") + oneEntryState + "\x00",
	"stream master end":       "\x13\x01" + streamNode(1, 1, "1", "0", "1", "a", "1", "2", "0", "0", "1", "4") + oneEntryState + "\x00",
	"stream trailing element": "\x13\x01" + streamNode(1, 1, "1", "0", "1", "a", "0", "2", "0", "0", "1", "4", "9") + oneEntryState + "\x00",
	"stream duplicate group":  "\x13\x01" + oneEntryNode + oneEntryState + "\x02" + rdbStr("g") + "\x00\x00\x00\x00\x00" + rdbStr("g") + "\x00\x00\x00\x00\x00",
	"stream duplicate consumer": "\x13\x01" + oneEntryNode + oneEntryState + "\x01" + rdbStr("g") + "\x00\x00\x00\x00" +
		"\x02" + rdbStr("c") + rdbMillis(1) + "\x00" + rdbStr("c") + rdbMillis(1) + "\x00",
	"stream consumer PEL not in group PEL": "\x13\x01" + oneEntryNode + oneEntryState + "\x01" + rdbStr("g") + "\x00\x00\x00\x00" +
		"\x01" + rdbStr("c") + rdbMillis(1) + "\x01" + streamID16(1, 1),
	"stream PEL without consumer": "\x13\x01" + oneEntryNode + oneEntryState + "\x01" + rdbStr("g") + "\x00\x00\x00" +
		"\x01" + streamID16(1, 1) + rdbMillis(1) + "\x01" + "\x00",
}

// sanitizingReference returns a connection to the reference server with
// sanitize-dump-payload on (Redis's structural checks of RESTORE payloads, which
// Cinnabar always makes) for the duration of the test.
func sanitizingReference(t *testing.T) *rawConn {
	ref := dialRaw(t, referenceAddr(t))
	require.Equal(t, "+OK\r\n", ref.Do(t, "CONFIG", "SET", "sanitize-dump-payload", "yes"))
	t.Cleanup(func() { ref.Do(t, "CONFIG", "SET", "sanitize-dump-payload", "no") })
	return ref
}

// TestRestoreOldEncodings restores values in every older encoding on both servers:
// both must accept them and read them alike.
func TestRestoreOldEncodings(t *testing.T) {
	ref := sanitizingReference(t)
	ours := dialRaw(t, startServer(t).Addr())
	ref.Do(t, "FLUSHALL")
	for name, body := range oldEncodings {
		key := "old:" + name
		for _, c := range []*rawConn{ref, ours} {
			require.Equal(t, "+OK\r\n", c.Do(t, "RESTORE", key, "0", withFooter(body, 9)), name)
		}
		sameReads(t, ref, key, ours, key)
	}
}

// stricterThanRedis are the checks Cinnabar makes on payloads and Redis 7.0 does not,
// even when it sanitizes them: values that break a type's invariants (stream entries in
// ID order below the stream's last ID, counts that match the entries, scores that are
// numbers). Redis loads such values and misbehaves later.
var stricterThanRedis = []string{
	"stream entries out of order", "stream length", "stream node counts", "NaN score",
}

// TestRestoreBadPayloadsDifferential gives both servers malformed payloads: hand-built
// faults, and a wrong version or checksum, must get the same reply. The valid payloads
// of the dump fixtures, cut short or with bytes changed (with a correct checksum),
// must too, except that Cinnabar may refuse what Redis accepts for the reasons in
// stricterThanRedis.
func TestRestoreBadPayloadsDifferential(t *testing.T) {
	ref := sanitizingReference(t)
	ours := dialRaw(t, startServer(t).Addr())
	same := func(payload, what string) string {
		want := ref.Do(t, "RESTORE", "bad", "0", payload, "REPLACE")
		require.Equal(t, want, ours.Do(t, "RESTORE", "bad", "0", payload, "REPLACE"), "%s: %q", what, payload)
		return want
	}
	for name, body := range badEncodings {
		require.Equal(t, "-ERR Bad data format\r\n", same(withFooter(body, persist.Version), name), name)
	}
	checksum := "-ERR DUMP payload version or checksum are wrong\r\n"
	good := withFooter("\x00"+rdbStr("v"), persist.Version)
	require.Equal(t, checksum, same(withFooter("\x00"+rdbStr("v"), persist.Version+1), "version 11"))
	require.Equal(t, checksum, same(good[:len(good)-1]+"x", "checksum"))
	require.Equal(t, checksum, same(good[len(good)-9:], "shorter than a footer"))
	require.Equal(t, "+OK\r\n", same(withFooter("\x00"+rdbStr("v")+"trailing", 0), "version 0, bytes after the value"))

	// Corrupted valid payloads.
	stricter := 0
	check := func(payload, what string) {
		want := ref.Do(t, "RESTORE", "bad", "0", payload, "REPLACE")
		got := ours.Do(t, "RESTORE", "bad", "0", payload, "REPLACE")
		if want == "+OK\r\n" && got == "-ERR Bad data format\r\n" {
			_, err := persist.ReadPayload([]byte(payload), defaultLimits())
			require.True(t, slices.ContainsFunc(stricterThanRedis, func(s string) bool {
				return strings.Contains(err.Error(), s)
			}), "%s: Redis accepts, Cinnabar refuses (%v): %q", what, err, payload)
			stricter++
			return
		}
		require.Equal(t, want, got, "%s: %q", what, payload)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	for _, f := range buildFixtures(t, ref, ours) {
		payload := string(bulkBody(t, ref.Do(t, "DUMP", f.key)))
		body := payload[:len(payload)-10]
		step := max(1, len(body)/60)
		for cut := 0; cut < len(body); cut += step {
			check(withFooter(body[:cut], persist.Version), f.key+" cut at "+strconv.Itoa(cut))
		}
		for i := 0; i < 30; i++ {
			b := []byte(body)
			b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
			check(withFooter(string(b), persist.Version), fmt.Sprintf("%s changed (seed %d)", f.key, seed))
		}
	}
	t.Logf("%d corrupted payloads refused by Cinnabar's stricter checks only", stricter)
}
