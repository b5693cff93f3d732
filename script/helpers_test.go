package script

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/resp"
)

// fakeHost is a tiny command set for engine tests: strings, a hash and canned replies.
type fakeHost struct {
	data map[string]string
	logs []string
}

func newFakeHost() *fakeHost { return &fakeHost{data: map[string]string{}} }

func (h *fakeHost) Call(args [][]byte, resp3 bool) []byte {
	w := resp.Writer{Proto: 2}
	if resp3 {
		w.Proto = 3
	}
	name := strings.ToLower(string(args[0]))
	switch {
	case name == "set" && len(args) == 3:
		h.data[string(args[1])] = string(args[2])
		w.OK()
	case name == "get" && len(args) == 2:
		if v, ok := h.data[string(args[1])]; ok {
			w.BulkString(v)
		} else {
			w.Null()
		}
	case name == "incr" && len(args) == 2:
		n, err := strconv.ParseInt(h.data[string(args[1])]+"0", 10, 64)
		if v := h.data[string(args[1])]; v == "" {
			n = 0
		} else if n2, err2 := strconv.ParseInt(v, 10, 64); err2 == nil {
			n = n2
		} else {
			err = err2
		}
		if err != nil {
			w.Error("ERR value is not an integer or out of range")
			break
		}
		n++
		h.data[string(args[1])] = strconv.FormatInt(n, 10)
		w.Int(n)
	case name == "ping":
		w.Simple("PONG")
	case name == "hgetall":
		w.Map(1)
		w.BulkString("f")
		w.BulkString("v")
	case name == "smembers":
		w.Set(1)
		w.BulkString("m")
	case name == "zscore":
		w.Double(1.5)
	case name == "echo" && len(args) == 2:
		w.Bulk(args[1])
	case name == "mixed":
		w.Array(4)
		w.Int(1)
		w.Simple("ok")
		w.Error("ERR inner")
		w.Null()
	default:
		w.Error("ERR Unknown Redis command called from script")
	}
	return w.Bytes()
}

func (h *fakeHost) CheckCommand(args [][]byte) (known, allowed bool) {
	switch strings.ToLower(string(args[0])) {
	case "get", "set", "incr", "ping":
		return true, true
	}
	return false, false
}

func (h *fakeHost) Log(level int, msg string) {
	h.logs = append(h.logs, strconv.Itoa(level)+" "+msg)
}

// eval runs src as EVAL would and returns the raw reply (errors as "-...\r\n").
func eval(t testing.TB, e *Engine, proto int, src string, keys []string, args ...string) string {
	t.Helper()
	return evalHost(t, e, newFakeHost(), proto, src, keys, args...)
}

func evalHost(t testing.TB, e *Engine, h Host, proto int, src string, keys []string, args ...string) string {
	t.Helper()
	sc, err := e.Load([]byte(src))
	if err != nil {
		return "-" + err.Error() + "\r\n"
	}
	w := resp.Writer{Proto: proto}
	r := &Run{Host: h, Keys: toBytes(keys), Args: toBytes(args)}
	if err := e.Eval(sc, r, &w); err != nil {
		w.Error(err.Error())
	}
	return string(w.Bytes())
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func sha(src string) string { return SHA1Hex([]byte(src)) }
