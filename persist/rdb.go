package persist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/store"
)

// RDB files: the magic and version, auxiliary fields, the function libraries, then
// per non-empty database its number, its sizes and its keys (each with its deadline
// and access data before it), and an EOF opcode followed by the CRC64 of everything
// before. The same bytes are what a full resync sends a replica.

// RDB opcodes (the bytes that are not value types).
const (
	opFunction2 = 245 // a function library's code
	opModuleAux = 247
	opIdle      = 248 // the key's idle time, seconds (LRU policies)
	opFreq      = 249 // the key's LFU counter (LFU policies)
	opAux       = 250 // an auxiliary field: name, value
	opResizeDB  = 251 // the database's key and deadline counts
	opExpireMs  = 252 // the key's deadline, unix ms (8 bytes, little-endian)
	opExpireSec = 253 // the same in seconds (4 bytes), from old files
	opSelectDB  = 254
	opEOF       = 255
)

var magic = []byte("REDIS")

// AccessData says which access data a snapshot records per key, as maxmemory-policy
// asks: Redis writes idle times under LRU policies and counters under LFU ones.
type AccessData int

// The kinds of access data.
const (
	AccessNone AccessData = iota
	AccessIdle
	AccessFreq
)

// SaveOptions shape a snapshot.
type SaveOptions struct {
	Aux       [][2]string // auxiliary fields, in order (redis-ver, ctime, …)
	Functions []string    // the function libraries' code
	Access    AccessData
	Now       int64 // unix ms, for idle times
	Compress  bool  // rdbcompression
}

// WriteRDB writes the keyspace as an RDB file to w. The caller holds every shard.
func WriteRDB(w io.Writer, ks *store.Keyspace, opt SaveOptions) error {
	im := NewImage(ks, opt, 1)
	for i := 0; i < ks.Databases(); i++ {
		ks.DB(i).Each(func(key string, v *store.Entry) bool {
			im.Add(i, 0, key, v)
			return true
		})
	}
	return im.Write(w)
}

// Image is an RDB file whose keys arrive in any order, in parts that different
// goroutines fill at the same time (one part per lock shard of a store.Snapshot):
// Add encodes a key at once, so the entry may change right after; Write frames the
// parts as one file, each database's keys together.
type Image struct {
	ks    *store.Keyspace
	opt   SaveOptions
	parts [][]imagePart // [database][part]
}

type imagePart struct {
	buf            bytes.Buffer
	enc            *Encoder
	keys, volatile int
}

// NewImage returns an empty image of ks's databases with parts parts each.
func NewImage(ks *store.Keyspace, opt SaveOptions, parts int) *Image {
	im := &Image{ks: ks, opt: opt, parts: make([][]imagePart, ks.Databases())}
	for i := range im.parts {
		im.parts[i] = make([]imagePart, parts)
	}
	return im
}

// Add encodes key of database db into part part; one goroutine at a time per part.
func (im *Image) Add(db, part int, key string, v *store.Entry) {
	p := &im.parts[db][part]
	if p.enc == nil {
		p.enc = NewEncoder(&p.buf, im.opt.Compress)
	}
	e := p.enc
	if at := v.ExpireAt(); at != 0 {
		e.WriteOpcode(opExpireMs)
		e.WriteMillis(at)
		p.volatile++
	}
	switch im.opt.Access {
	case AccessIdle:
		e.WriteOpcode(opIdle)
		e.WriteLen(uint64(v.IdleSeconds(im.opt.Now)))
	case AccessFreq:
		e.WriteOpcode(opFreq)
		e.WriteRaw([]byte{im.ks.LFUFrequency(v)})
	}
	// A view, not a copy: the encoder only reads the key, before the caller moves on.
	// (Non-nil even for the empty key: nil means "no key" to writeType.)
	e.key = []byte{}
	if key != "" {
		e.key = unsafe.Slice(unsafe.StringData(key), len(key))
	}
	e.WriteValue(v)
	e.key = nil
	p.keys++
}

// Write writes the image as an RDB file: header, AUX fields, functions, each
// database with its sizes and keys, the checksum.
func (im *Image) Write(w io.Writer) error {
	e := NewEncoder(w, im.opt.Compress)
	e.WriteRaw(append(magic, fmt.Sprintf("%04d", Version)...))
	for _, kv := range im.opt.Aux {
		e.WriteOpcode(opAux)
		e.WriteString([]byte(kv[0]))
		e.WriteString([]byte(kv[1]))
	}
	for _, code := range im.opt.Functions {
		e.WriteOpcode(opFunction2)
		e.WriteString([]byte(code))
	}
	for i, parts := range im.parts {
		keys, volatile := 0, 0
		for j := range parts {
			if p := &parts[j]; p.enc != nil {
				if err := p.enc.Flush(); err != nil {
					return err
				}
				keys, volatile = keys+p.keys, volatile+p.volatile
			}
		}
		if keys == 0 {
			continue
		}
		e.WriteOpcode(opSelectDB)
		e.WriteLen(uint64(i))
		e.WriteOpcode(opResizeDB)
		e.WriteLen(uint64(keys))
		e.WriteLen(uint64(volatile))
		for j := range parts {
			e.WriteRaw(parts[j].buf.Bytes())
		}
	}
	e.WriteOpcode(opEOF)
	e.WriteRaw(binary.LittleEndian.AppendUint64(nil, e.CRC()))
	return e.Flush()
}

// LoadResult is what loading an RDB file found besides the keys.
type LoadResult struct {
	Aux       map[string]string
	Functions []string
	Keys      int // keys loaded
	Expired   int // keys skipped because their deadline had passed
	Len       int // bytes the RDB took, checksum included: an AOF's preamble is followed by commands
}

// ErrChecksum reports an RDB file whose CRC64 does not match its contents.
var ErrChecksum = errors.New("wrong RDB checksum")

// ReadRDB loads an RDB file held in p into ks, which nobody else uses yet (or whose
// shards the caller holds), under the encoding limits lim. Keys whose deadline is
// before now are skipped, as a master skips them. Any malformed or truncated content
// fails the whole load with a *FormatError; a checksum mismatch with ErrChecksum.
func ReadRDB(p []byte, ks *store.Keyspace, now int64) (LoadResult, error) {
	res := LoadResult{Aux: map[string]string{}}
	if len(p) < 9 || !bytes.Equal(p[:5], magic) {
		return res, badf("wrong signature trying to load DB from file")
	}
	ver, err := strconv.Atoi(string(p[5:9]))
	if err != nil || ver < 1 || ver > Version {
		return res, badf("can't handle RDB format version %s", p[5:9])
	}
	r := bytes.NewReader(p[9:])
	d := NewDecoder(r)
	db := ks.DB(0)
	var expireAt int64
	idle, freq := int64(-1), int64(-1)
	for {
		op, err := d.ReadOpcode()
		if err != nil {
			return res, err
		}
		switch op {
		case opEOF:
			end := len(p) - r.Len()
			res.Len = end
			if ver >= 5 && r.Len() >= 8 {
				want := binary.LittleEndian.Uint64(p[end:])
				if want != 0 && want != CRC64(0, p[:end]) {
					return res, ErrChecksum
				}
				res.Len += 8
			}
			return res, nil
		case opSelectDB:
			n, err := d.ReadLen()
			if err != nil {
				return res, err
			}
			if n >= uint64(ks.Databases()) {
				return res, badf("FATAL: Data file was created with a Redis server configured to handle more than %d databases", ks.Databases())
			}
			db = ks.DB(int(n))
		case opResizeDB:
			if _, err := d.ReadLen(); err != nil {
				return res, err
			}
			if _, err := d.ReadLen(); err != nil {
				return res, err
			}
		case opExpireMs:
			if expireAt, err = d.ReadMillis(); err != nil {
				return res, err
			}
		case opExpireSec:
			b, err := d.ReadRaw(4)
			if err != nil {
				return res, err
			}
			expireAt = int64(binary.LittleEndian.Uint32(b)) * 1000
		case opIdle:
			n, err := d.ReadLen()
			if err != nil {
				return res, err
			}
			idle = int64(n)
		case opFreq:
			b, err := d.ReadRaw(1)
			if err != nil {
				return res, err
			}
			freq = int64(b[0])
		case opAux:
			k, err := d.ReadString()
			if err != nil {
				return res, err
			}
			v, err := d.ReadString()
			if err != nil {
				return res, err
			}
			res.Aux[string(k)] = string(v)
		case opFunction2:
			code, err := d.ReadString()
			if err != nil {
				return res, err
			}
			res.Functions = append(res.Functions, string(code))
		case opModuleAux:
			return res, badf("the file holds module data, and no module is loaded")
		default:
			key, err := d.ReadString()
			if err != nil {
				return res, err
			}
			v, err := d.ReadValue(op, &ks.Limits)
			if err != nil {
				return res, err
			}
			if expireAt != 0 && expireAt < now {
				res.Expired++
			} else {
				v.SetExpireAt(expireAt)
				db.Load(string(key), v)
				ks.RestoreAccess(v, idle, freq)
				res.Keys++
			}
			expireAt, idle, freq = 0, -1, -1
		}
	}
}
