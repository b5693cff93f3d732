package persist

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// The append-only file as Redis 7.0 keeps it: a directory holding a manifest, one
// BASE file (an RDB image, or commands) and INCR files of commands in RESP, replayed
// in order.

// AOF file types, as the manifest's type field spells them.
const (
	AOFBase    = 'b'
	AOFHistory = 'h' // replaced by a rewrite, waiting to be deleted
	AOFIncr    = 'i'
)

// AOFFile is one line of the manifest.
type AOFFile struct {
	Name string
	Seq  int64
	Type byte
}

// Manifest lists an AOF's files: the base (Name "" when there is none), the history
// files and the INCR files in replay order.
type Manifest struct {
	Base    AOFFile
	History []AOFFile
	Incr    []AOFFile
}

// BaseName and IncrName are the file names Redis 7.0 gives an AOF's parts.
func BaseName(prefix string, seq int64, rdb bool) string {
	if rdb {
		return fmt.Sprintf("%s.%d.base.rdb", prefix, seq)
	}
	return fmt.Sprintf("%s.%d.base.aof", prefix, seq)
}

func IncrName(prefix string, seq int64) string { return fmt.Sprintf("%s.%d.incr.aof", prefix, seq) }

// ManifestName is the manifest's file name for appendfilename prefix.
func ManifestName(prefix string) string { return prefix + ".manifest" }

// Bytes renders the manifest as Redis writes it: the base, the history, then the
// INCR files, one "file <name> seq <n> type <t>" line each.
func (m *Manifest) Bytes() []byte {
	var b bytes.Buffer
	line := func(f AOFFile) { fmt.Fprintf(&b, "file %s seq %d type %c\n", f.Name, f.Seq, f.Type) }
	if m.Base.Name != "" {
		line(m.Base)
	}
	for _, f := range m.History {
		line(f)
	}
	for _, f := range m.Incr {
		line(f)
	}
	return b.Bytes()
}

// ParseManifest reads a manifest. Lines starting with # and blank lines are skipped;
// anything else must be a file line with a plain name (no path), a positive sequence
// and a known type, at most one base, and INCR sequences rising, as Redis requires.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	for i, raw := range strings.Split(string(data), "\n") {
		text := strings.TrimSpace(raw)
		if text == "" || text[0] == '#' {
			continue
		}
		bad := func(why string) (Manifest, error) {
			return Manifest{}, fmt.Errorf("invalid AOF manifest file format at line %d (%s): %q", i+1, why, text)
		}
		f := strings.Fields(text)
		if len(f)%2 != 0 {
			return bad("keys and values do not pair up")
		}
		var e AOFFile
		for j := 0; j < len(f); j += 2 {
			switch f[j] {
			case "file":
				e.Name = f[j+1]
			case "seq":
				n, err := strconv.ParseInt(f[j+1], 10, 64)
				if err != nil || n <= 0 {
					return bad("bad seq")
				}
				e.Seq = n
			case "type":
				if len(f[j+1]) != 1 {
					return bad("bad type")
				}
				e.Type = f[j+1][0]
			} // other keys are ignored: later versions may add some
		}
		switch {
		case e.Name == "" || e.Seq == 0 || e.Type == 0:
			return bad("missing file, seq or type")
		case strings.ContainsRune(e.Name, '/'):
			return bad("file names cannot hold a path")
		}
		switch e.Type {
		case AOFBase:
			if m.Base.Name != "" {
				return bad("more than one base file")
			}
			m.Base = e
		case AOFHistory:
			m.History = append(m.History, e)
		case AOFIncr:
			if n := len(m.Incr); n > 0 && m.Incr[n-1].Seq >= e.Seq {
				return bad("INCR sequences must rise")
			}
			m.Incr = append(m.Incr, e)
		default:
			return bad("unknown type")
		}
	}
	if m.Base.Name == "" && len(m.Incr) == 0 {
		return Manifest{}, errors.New("invalid AOF manifest file format: it lists no base and no INCR file")
	}
	return m, nil
}

// ErrTruncated reports command data that ends inside a command: a torn last write.
var ErrTruncated = errors.New("unexpected end of file")

// AOFError reports command data that is not the RESP a server writes, at Offset.
type AOFError struct {
	Offset int
	Reason string
}

func (e *AOFError) Error() string {
	return fmt.Sprintf("bad AOF format at offset %d: %s", e.Offset, e.Reason)
}

// ReadCommand parses the command at the start of p: an array of bulk strings. It
// returns the arguments (sub-slices of p) and the bytes the command took. A comment
// line (Redis's "#TS:" annotations) comes back as no arguments. Data that ends before
// the command does gives ErrTruncated; malformed data an *AOFError at the offset
// within p where it went wrong.
func ReadCommand(p []byte) (args [][]byte, n int, err error) {
	line := func(at int) (string, int, error) {
		i := bytes.IndexByte(p[at:], '\n')
		if i < 0 {
			return "", 0, ErrTruncated
		}
		if i == 0 || p[at+i-1] != '\r' {
			return "", 0, &AOFError{at, "line not ended by CRLF"}
		}
		return string(p[at : at+i-1]), at + i + 1, nil
	}
	if len(p) > 0 && p[0] == '#' {
		_, n, err := line(0)
		return nil, n, err
	}
	head, at, err := line(0)
	if err != nil {
		return nil, 0, err
	}
	if head == "" || head[0] != '*' {
		return nil, 0, &AOFError{0, "expected '*' starting a command"}
	}
	count, perr := strconv.Atoi(head[1:])
	if perr != nil || count < 1 {
		return nil, 0, &AOFError{0, "bad argument count " + strconv.Quote(head[1:])}
	}
	args = make([][]byte, 0, min(count, 64)) // the count is not trusted before its arguments are read
	for range count {
		start := at
		var l string
		if l, at, err = line(at); err != nil {
			return nil, 0, err
		}
		if l == "" || l[0] != '$' {
			return nil, 0, &AOFError{start, "expected '$' starting an argument"}
		}
		size, perr := strconv.Atoi(l[1:])
		if perr != nil || size < 0 {
			return nil, 0, &AOFError{start, "bad argument length " + strconv.Quote(l[1:])}
		}
		if len(p)-at < size+2 {
			return nil, 0, ErrTruncated
		}
		if p[at+size] != '\r' || p[at+size+1] != '\n' {
			return nil, 0, &AOFError{at + size, "argument not followed by CRLF"}
		}
		args = append(args, p[at:at+size:at+size])
		at += size + 2
	}
	return args, at, nil
}

// WriteAOFBase writes the keyspace as a base of commands (aof-use-rdb-preamble no),
// as Redis's rewrite does: FUNCTION LOAD for each library, then per database a SELECT
// and per key SET, RPUSH, SADD, ZADD or HMSET (at most 64 elements a command), with
// PEXPIREAT after a key that has a deadline. A stream is a RESTORE of its DUMP payload
// (deadline as ABSTTL) where Redis writes XADD, XSETID and XGROUP commands: both
// servers replay either. The caller holds every shard.
func WriteAOFBase(w io.Writer, ks *store.Keyspace, functions []string, compress bool) error {
	base := NewCommandBase(ks.Databases(), 1, functions, compress)
	for i := 0; i < ks.Databases(); i++ {
		ks.DB(i).Each(func(key string, v *store.Entry) bool {
			base.Add(i, 0, key, v)
			return true
		})
	}
	return base.Write(w)
}

// CommandBase is WriteAOFBase's commands gathered as an Image gathers an RDB file: keys
// in any order, in parts that different goroutines fill at the same time.
type CommandBase struct {
	functions []string
	compress  bool
	parts     [][][]byte // [database][part]
}

// NewCommandBase returns an empty base of dbs databases with parts parts each.
func NewCommandBase(dbs, parts int, functions []string, compress bool) *CommandBase {
	a := &CommandBase{functions: functions, compress: compress, parts: make([][][]byte, dbs)}
	for i := range a.parts {
		a.parts[i] = make([][]byte, parts)
	}
	return a
}

// Add renders the commands that rebuild key of database db into part part; one
// goroutine at a time per part.
func (a *CommandBase) Add(db, part int, key string, v *store.Entry) {
	b := appendRebuild(a.parts[db][part], []byte(key), v, a.compress)
	if at := v.ExpireAt(); at != 0 && v.Type() != store.TypeStream {
		b = resp.AppendCommand(b, []byte("PEXPIREAT"), []byte(key), strconv.AppendInt(nil, at, 10))
	}
	a.parts[db][part] = b
}

// Write writes the base: the function libraries, then each database's keys after a
// SELECT.
func (a *CommandBase) Write(w io.Writer) error {
	var b []byte
	for _, code := range a.functions {
		b = resp.AppendCommand(b, "FUNCTION", "LOAD", code)
	}
	for i, parts := range a.parts {
		if slices.IndexFunc(parts, func(p []byte) bool { return len(p) > 0 }) < 0 {
			continue
		}
		b = resp.AppendCommand(b, "SELECT", strconv.Itoa(i))
		for _, p := range parts {
			b = append(b, p...)
		}
	}
	_, err := w.Write(b)
	return err
}

// rewriteBatch is how many elements one rebuilding command carries (Redis's
// AOF_REWRITE_ITEMS_PER_CMD).
const rewriteBatch = 64

// appendRebuild appends the commands that rebuild value v at key. Elements are
// copied as they are gathered: iterators may hand out a buffer they reuse (an intset
// member formatted as text).
func appendRebuild(b, key []byte, v *store.Entry, compress bool) []byte {
	var args [][]byte
	flush := func(name string, force bool) {
		if len(args) > 0 && (force || len(args) >= rewriteBatch) {
			b = resp.AppendCommand(b, append([][]byte{[]byte(name), key}, args...)...)
			args = args[:0]
		}
	}
	switch v.Type() {
	case store.TypeString:
		b = resp.AppendCommand(b, []byte("SET"), key, v.Bytes())
	case store.TypeList:
		it := v.List().Iter(0, false)
		for e, ok := it.Next(); ok; e, ok = it.Next() {
			args = append(args, bytes.Clone(e))
			flush("RPUSH", false)
		}
		flush("RPUSH", true)
	case store.TypeSet:
		v.SetValue().Range(func(m []byte) bool {
			args = append(args, bytes.Clone(m))
			flush("SADD", false)
			return true
		})
		flush("SADD", true)
	case store.TypeZSet:
		z := v.ZSet()
		z.Range(0, z.Len(), false, func(m []byte, score float64) bool {
			args = append(args, rewriteScore(score), bytes.Clone(m))
			if len(args) >= 2*rewriteBatch {
				flush("ZADD", true)
			}
			return true
		})
		flush("ZADD", true)
	case store.TypeHash:
		v.Hash().Range(func(f, val []byte) bool {
			args = append(args, bytes.Clone(f), bytes.Clone(val))
			if len(args) >= 2*rewriteBatch {
				flush("HMSET", true)
			}
			return true
		})
		flush("HMSET", true)
	default:
		payload := Dump(v, compress)
		if at := v.ExpireAt(); at != 0 {
			return resp.AppendCommand(b, []byte("RESTORE"), key, strconv.AppendInt(nil, at, 10), payload, []byte("ABSTTL"))
		}
		return resp.AppendCommand(b, []byte("RESTORE"), key, []byte("0"), payload)
	}
	return b
}

// rewriteScore formats a score as Redis's rewrite does (%.17g, inf and -inf).
func rewriteScore(f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return []byte("inf")
	case math.IsInf(f, -1):
		return []byte("-inf")
	}
	return strconv.AppendFloat(nil, f, 'g', 17, 64)
}
