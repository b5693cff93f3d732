package command

import (
	"strings"

	"github.com/cinnabar-db/cinnabar/hll"
	"github.com/cinnabar-db/cinnabar/store"
)

// HyperLogLogs are strings in Redis's HLL representation (package hll). The handlers
// keep Redis's lookups: PFADD, single-key PFCOUNT, PFMERGE's destination and PFDEBUG
// look their key up for writing (no hit/miss counted) and leave it "raw" (Redis unshares
// the string); multi-key PFCOUNT and PFMERGE's sources look up for reading.

var (
	// PFMERGE reports "pfadd" too, as Redis does ("a mixed PFADD + PFMERGE event").
	evPFAdd = store.Event{Class: store.ClassString, Name: "pfadd"}

	errNotHLL     error = Err("WRONGTYPE Key is not a valid HyperLogLog string value.")
	errCorruptHLL error = Err("INVALIDOBJ Corrupted HLL object detected")
	errNoHLLKey   error = Err("ERR The specified key does not exist")
	errHLLDecode  error = Err("ERR HLL encoding is not sparse")
)

// HyperLogLogCommands are the HyperLogLog family's rows.
var HyperLogLogCommands = []*Spec{
	{Name: "pfadd", Arity: -2, Flags: Write | DenyOOM | Fast, Cat: CatHyperLogLog, Do: cmdPFAdd},
	{Name: "pfcount", Arity: -2, Flags: ReadOnly, Cat: CatHyperLogLog, Do: cmdPFCount},
	{Name: "pfmerge", Arity: -2, Flags: Write | DenyOOM, Cat: CatHyperLogLog, Do: cmdPFMerge},
	{Name: "pfdebug", Arity: 3, Flags: Write | DenyOOM | Admin, Cat: CatHyperLogLog, Do: cmdPFDebug},
	{Name: "pfselftest", Arity: 1, Flags: Admin, Cat: CatHyperLogLog, Do: cmdPFSelfTest},
}

// checkHLL returns a live entry's HLL bytes, or Redis's error for a non-string or a
// string that is not an HLL.
func checkHLL(e *store.Entry) ([]byte, error) {
	if e.Type() != store.TypeString {
		return nil, ErrWrongType
	}
	b := e.Bytes()
	if !hll.Valid(b) {
		return nil, errNotHLL
	}
	return b, nil
}

// writableHLL looks key up for writing: nil if missing, else its HLL bytes, modifiable
// in place (the value becomes "raw", as Redis's unsharing makes it).
func writableHLL(db *store.DB, key []byte) (*store.Entry, []byte, error) {
	return hllForWrite(db.LookupWrite(key))
}

// hllForWrite is writableHLL for an entry already looked up (nil if missing).
func hllForWrite(e *store.Entry) (*store.Entry, []byte, error) {
	if e == nil {
		return nil, nil, nil
	}
	b, err := checkHLL(e)
	if err != nil {
		return nil, nil, err
	}
	return e, e.Grow(len(b)), nil
}

// storeHLL makes e hold b, the result of hll operations on e's bytes (see hll.Add):
// the same bytes changed in place, a reslice of them within their capacity, or a new
// slice.
func storeHLL(e *store.Entry, b []byte) {
	cur := e.Bytes()
	cur = cur[:cap(cur)]
	switch {
	case &b[0] != &cur[0] && len(b) > len(e.Bytes()) && len(b) < hll.DenseSize:
		copy(e.Grow(len(b)), b) // a sparse value outgrew its buffer: grow it amortised
	case &b[0] == &cur[0] && len(b) == len(e.Bytes()):
		// changed in place
	default:
		// A length change within the buffer (Overwrite copies b onto itself), or a value
		// that turned dense (sized exactly). Grow keeps OBJECT ENCODING "raw".
		e.Overwrite(b)
		e.Grow(len(b))
	}
}

// saveHLL stores b, the new registers of the HLL at key (whose entry e is nil when the
// key is new), with its cached count invalidated, counting n changes; PFADD and PFMERGE
// both report "pfadd".
func saveHLL(c *Ctx, key []byte, e *store.Entry, b []byte, n int64) {
	hll.Invalidate(b)
	if e == nil {
		c.DB.SetN(key, newHLLEntry(b), evPFAdd, n)
		return
	}
	storeHLL(e, b)
	c.DB.ChangedN(key, evPFAdd, n)
}

// newHLLEntry wraps a new HLL value in a "raw" string entry.
func newHLLEntry(b []byte) *store.Entry {
	e := store.NewString(b)
	e.Grow(len(b))
	return e
}

func cmdPFAdd(c *Ctx) error {
	key := c.Args[1]
	e, b, err := writableHLL(c.DB, key)
	if err != nil {
		return err
	}
	// Redis counts a change for the key's creation and one per register raised.
	var updated int64
	if e == nil {
		b, updated = hll.New(), 1
	}
	limit := hll.SparseMaxBytes()
	for _, ele := range c.Args[2:] {
		nb, changed, err := hll.Add(b, ele, limit)
		if err != nil {
			if e != nil {
				storeHLL(e, b) // Redis keeps the registers already set, silently
			}
			return errCorruptHLL
		}
		if b = nb; changed {
			updated++
		}
	}
	if updated > 0 {
		saveHLL(c, key, e, b, updated)
		c.W.Int(1)
		return nil
	}
	c.W.Int(0)
	return nil
}

func cmdPFCount(c *Ctx) error {
	if len(c.Args) > 2 {
		var u hll.Union
		for _, key := range c.Args[1:] {
			e := c.DB.Lookup(key)
			if e == nil {
				continue
			}
			b, err := checkHLL(e)
			if err != nil {
				return err
			}
			if u.Merge(b) != nil {
				return errCorruptHLL
			}
		}
		c.W.Int(int64(u.Count()))
		return nil
	}
	key := c.Args[1]
	// A read lookup, as Redis's: it counts a keyspace hit or miss although caching the
	// count may write.
	e, b, err := hllForWrite(c.DB.Lookup(key))
	if err != nil {
		return err
	}
	if e == nil {
		c.W.Int(0)
		return nil
	}
	n, ok := hll.Cached(b)
	if !ok {
		if n, err = hll.Count(b); err != nil {
			return errCorruptHLL
		}
		// Caching changes the value: WATCH sees it and it is a write, but no event.
		hll.SetCached(b, n)
		c.DB.Changed(key, store.Event{})
	}
	c.W.Int(int64(n))
	return nil
}

func cmdPFMerge(c *Ctx) error {
	var u hll.Union
	dense := false
	for _, key := range c.Args[1:] {
		e := c.DB.Lookup(key)
		if e == nil {
			continue
		}
		b, err := checkHLL(e)
		if err != nil {
			return err
		}
		dense = dense || !hll.IsSparse(b)
		if u.Merge(b) != nil {
			return errCorruptHLL
		}
	}
	key := c.Args[1]
	e, b, err := writableHLL(c.DB, key)
	if err != nil {
		return err
	}
	if e == nil {
		b = hll.New()
	}
	if dense {
		if b, err = hll.ToDense(b); err != nil {
			return errCorruptHLL
		}
	}
	if b, err = u.Apply(b, hll.SparseMaxBytes()); err != nil {
		return errCorruptHLL
	}
	saveHLL(c, key, e, b, 1)
	c.W.OK()
	return nil
}

// cmdPFDebug is PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. As in Redis, the key is
// looked up (and must exist) before the subcommand is read.
func cmdPFDebug(c *Ctx) error {
	key := c.Args[2]
	e, b, err := writableHLL(c.DB, key)
	if err != nil {
		return err
	}
	if e == nil {
		return errNoHLLKey
	}
	switch strings.ToLower(c.Arg(1)) {
	case "getreg":
		if hll.IsSparse(b) {
			if b, err = toDense(e, b); err != nil {
				return err
			}
		}
		c.W.Array(hll.Registers)
		hll.DenseRegisters(b, func(_ int, v uint8) { c.W.Int(int64(v)) })
	case "decode":
		if !hll.IsSparse(b) {
			return errHLLDecode
		}
		c.W.BulkString(hll.Decode(b))
	case "encoding":
		if hll.IsSparse(b) {
			c.W.Simple("sparse")
		} else {
			c.W.Simple("dense")
		}
	case "todense":
		if !hll.IsSparse(b) {
			c.W.Int(0)
			return nil
		}
		if _, err = toDense(e, b); err != nil {
			return err
		}
		c.W.Int(1)
	default:
		return Errorf("ERR Unknown PFDEBUG subcommand '%s'", c.Arg(1))
	}
	return nil
}

// toDense converts a stored sparse HLL to dense. Redis counts this as a write (for
// propagation) but does not signal the key: WATCH does not see it. The store has no way
// to count a change without signalling it, so nothing is reported; the registers, and so
// every reply, are unchanged.
func toDense(e *store.Entry, b []byte) ([]byte, error) {
	d, err := hll.ToDense(b)
	if err != nil {
		return nil, errCorruptHLL
	}
	storeHLL(e, d)
	return d, nil
}

func cmdPFSelfTest(c *Ctx) error {
	if err := hll.SelfTest(); err != nil {
		return Errorf("TESTFAILED %s", err.Error())
	}
	c.W.OK()
	return nil
}
