package persist

import (
	"math"
	"strconv"

	"github.com/cinnabar-db/cinnabar/cnum"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// Sets, hashes and sorted sets.
//
// Written as Redis 7.0 writes them: an intset set as SET_INTSET (the intset at the
// narrowest width that holds its members), a listpack hash as HASH_LISTPACK (fields and
// values in insertion order) and a listpack sorted set as ZSET_LISTPACK (member, score,
// ... in score order, scores as Redis formats them); the large encodings as counted
// sequences of strings: SET, HASH, and ZSET_2 from the greatest member down, with
// binary scores. Members of large sets and hashes come in hash-table order, which in
// Redis depends on a per-process random seed: only those dumps differ from Redis's
// byte for byte.
//
// Read back, a value takes the encoding Redis 7.0 gives it on load: a set, a hash
// written as SET/HASH/ZIPMAP or a sorted set written as ZSET/ZSET_2 takes the encoding
// its members call for under the current limits; a hash or sorted set written compact
// (listpack or ziplist) stays compact whatever its value lengths, and converts only
// when it has more entries than the *-max-listpack-entries limit.

func (e *Encoder) writeSet(s *store.Set) {
	if ints := s.Ints(); s.Encoding() == "intset" {
		e.writeType(TypeSetIntset)
		e.WriteString(appendIntset(nil, ints))
		return
	}
	e.writeType(TypeSet)
	e.WriteLen(uint64(s.Len()))
	s.Range(func(m []byte) bool {
		e.WriteString(m)
		return true
	})
}

func (d *Decoder) readSet(typ byte, lim *store.Limits) (*store.Entry, error) {
	var members [][]byte
	if typ == TypeSetIntset {
		b, err := d.ReadString()
		if err != nil {
			return nil, err
		}
		ints, err := parseIntset(b)
		if err != nil {
			return nil, err
		}
		for _, i := range ints {
			members = append(members, strconv.AppendInt(nil, i, 10))
		}
	} else {
		err := d.readStrings(1, func(m ...[]byte) error { members = append(members, m[0]); return nil })
		if err != nil {
			return nil, err
		}
	}
	if len(members) == 0 {
		return nil, errEmpty
	}
	v, ok := store.NewSetLoaded(members, lim)
	if !ok {
		return nil, badf("duplicate set member")
	}
	return v, nil
}

func (e *Encoder) writeHash(h *store.Hash) {
	if h.Encoding() == "listpack" {
		w := newLPWriter()
		h.Range(func(f, v []byte) bool {
			w.String(f)
			w.String(v)
			return true
		})
		e.writeType(TypeHashListpack)
		e.WriteString(w.Finish())
		return
	}
	e.writeType(TypeHash)
	e.WriteLen(uint64(h.Len()))
	h.Range(func(f, v []byte) bool {
		e.WriteString(f)
		e.WriteString(v)
		return true
	})
}

// readPairsBlob reads a listpack (or a ziplist) of pairs: fields and values, or
// members and scores.
func (d *Decoder) readPairsBlob(ziplist bool) ([]lpElem, error) {
	parse := parseListpack
	if ziplist {
		parse = parseZiplist
	}
	elems, err := d.readBlob(parse)
	if err == nil && len(elems)%2 != 0 {
		err = badf("odd number of elements where pairs were expected")
	}
	return elems, err
}

// entriesOnly returns limits that bound the entry count only, for values that were
// compact when written: Redis keeps them compact whatever the length of their values.
func entriesOnly(lim *store.Limits) *store.Limits {
	l := &store.Limits{}
	l.HashMaxListpackEntries.Store(lim.HashMaxListpackEntries.Load())
	l.HashMaxListpackValue.Store(math.MaxInt64)
	l.ZSetMaxListpackEntries.Store(lim.ZSetMaxListpackEntries.Load())
	l.ZSetMaxListpackValue.Store(math.MaxInt64)
	return l
}

func (d *Decoder) readHash(typ byte, lim *store.Limits) (*store.Entry, error) {
	var fv [][]byte
	switch typ {
	case TypeHash:
		err := d.readStrings(2, func(pair ...[]byte) error { fv = append(fv, pair...); return nil })
		if err != nil {
			return nil, err
		}
	case TypeHashZipmap:
		b, err := d.ReadString()
		if err != nil {
			return nil, err
		}
		if fv, err = parseZipmap(b); err != nil {
			return nil, err
		}
	default:
		elems, err := d.readPairsBlob(typ == TypeHashZiplist)
		if err != nil {
			return nil, err
		}
		for _, el := range elems {
			fv = append(fv, el.Bytes())
		}
		lim = entriesOnly(lim)
	}
	if len(fv) == 0 {
		return nil, errEmpty
	}
	v, ok := store.NewHashLoaded(fv, lim)
	if !ok {
		return nil, badf("duplicate hash field")
	}
	return v, nil
}

// formatScore formats a score as Redis 7.0 stores it in a listpack: integral values
// of magnitude below 2^52 as integers, others as Redis replies doubles.
func formatScore(b []byte, f float64) []byte {
	if f > -(1<<52-1) && f < 1<<52 && f == math.Trunc(f) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return resp.AppendDouble(b, f)
}

func (e *Encoder) writeZSet(z *store.ZSet) {
	if z.Encoding() == "listpack" {
		w := newLPWriter()
		var buf []byte
		z.Range(0, z.Len(), false, func(m []byte, score float64) bool {
			w.String(m)
			buf = formatScore(buf[:0], score)
			w.String(buf)
			return true
		})
		e.writeType(TypeZSetListpack)
		e.WriteString(w.Finish())
		return
	}
	e.writeType(TypeZSet2)
	e.WriteLen(uint64(z.Len()))
	z.Range(0, z.Len(), true, func(m []byte, score float64) bool {
		e.WriteString(m)
		e.WriteDouble(score)
		return true
	})
}

// listpackScore reads a score element as Redis does: an integer, or text read by
// strtod (at most 127 bytes of it; no number at all reads as 0).
func listpackScore(el lpElem) float64 {
	if el.isInt {
		return float64(el.i)
	}
	f, _ := cnum.Strtod(string(el.s[:min(len(el.s), 127)]))
	return f
}

func (d *Decoder) readZSet(typ byte, lim *store.Limits) (*store.Entry, error) {
	var pairs []store.ZPair
	switch typ {
	case TypeZSet, TypeZSet2:
		n, err := d.readCount(2)
		if err != nil {
			return nil, err
		}
		pairs = make([]store.ZPair, 0, n)
		for ; n > 0; n-- {
			m, err := d.ReadString()
			if err != nil {
				return nil, err
			}
			var score float64
			if typ == TypeZSet2 {
				score, err = d.ReadDouble()
			} else {
				score, err = d.readTextDouble()
			}
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, store.ZPair{Member: string(m), Score: score})
		}
	default:
		elems, err := d.readPairsBlob(typ == TypeZSetZiplist)
		if err != nil {
			return nil, err
		}
		for i := 0; i < len(elems); i += 2 {
			pairs = append(pairs, store.ZPair{Member: string(elems[i].Bytes()), Score: listpackScore(elems[i+1])})
		}
		lim = entriesOnly(lim)
	}
	if len(pairs) == 0 {
		return nil, errEmpty
	}
	seen := make(map[string]struct{}, len(pairs))
	for _, p := range pairs {
		// Redis keeps a NaN score read from a listpack, but a NaN has no place in
		// the order of a sorted set: refuse it everywhere.
		if math.IsNaN(p.Score) {
			return nil, badf("NaN score")
		}
		if _, dup := seen[p.Member]; dup {
			return nil, badf("duplicate sorted set member")
		}
		seen[p.Member] = struct{}{}
	}
	return store.NewZSetFrom(pairs, lim), nil
}
