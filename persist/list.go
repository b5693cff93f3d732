package persist

import (
	"github.com/cinnabar-db/cinnabar/store"
)

// Lists are written as QUICKLIST_2: a count of nodes, then per node its container
// (packed: a listpack; plain: one element) and its bytes as a string.
//
// Which elements share a node is decided as Redis's quicklist decides it when the
// elements are pushed at the tail one by one, under the list's list-max-listpack-size:
// a node takes the next element while its listpack size plus the element's length plus
// 8 stays within the size limit (a negative fill) or the 8 KB safety limit and the
// count limit (a positive fill). So a list built by RPUSH dumps byte-identical to
// Redis's. Redis's node boundaries after other operations (LPUSH, LINSERT, LREM, ...)
// depend on the history of the list, not just its contents; those dump with the
// tail-push layout, which Redis loads as it is.

var quicklistLevels = [...]int{4096, 8192, 16384, 32768, 65536}

// quicklistAllows reports whether a node of nodeSize bytes and count elements takes
// one more element of n bytes under fill.
func quicklistAllows(fill, nodeSize, count, n int) bool {
	if n >= quicklistPlainSize {
		return false
	}
	size := nodeSize + n + quicklistSizeEstimate
	if fill < 0 {
		return size <= quicklistLevels[min(-fill, len(quicklistLevels))-1]
	}
	return size <= quicklistSafetyLimit && count < fill
}

// quicklistNodeCounts returns how many elements each node of the tail-push layout of
// l holds (0 marks a plain node).
func quicklistNodeCounts(l *store.List) []int {
	var counts []int
	size, count := 0, 0
	it := l.Iter(0, false)
	for v, ok := it.Next(); ok; v, ok = it.Next() {
		switch {
		case len(v) >= quicklistPlainSize:
			counts = append(counts, 0)
			count = 0
			continue
		case count == 0 || !quicklistAllows(l.Fill(), size, count, len(v)):
			counts = append(counts, 0)
			size, count = lpHeaderSize+1, 0
		}
		size += store.ListpackElemSize(v)
		count++
		counts[len(counts)-1] = count
	}
	return counts
}

func (e *Encoder) writeList(l *store.List) {
	counts := quicklistNodeCounts(l)
	e.writeType(TypeListQuicklist2)
	e.WriteLen(uint64(len(counts)))
	it := l.Iter(0, false)
	for _, n := range counts {
		if n == 0 {
			v, _ := it.Next()
			e.WriteLen(quicklistNodePlain)
			e.WriteString(v)
			continue
		}
		w := newLPWriter()
		for ; n > 0; n-- {
			v, _ := it.Next()
			w.String(v)
		}
		e.WriteLen(quicklistNodePacked)
		e.WriteString(w.Finish())
	}
}

func (d *Decoder) readList(typ byte, lim *store.Limits) (*store.Entry, error) {
	l := store.NewList(lim.ListMaxListpackSize.Load())
	pushAll := func(elems []lpElem) {
		for _, el := range elems {
			l.PushBack(el.Bytes())
		}
	}
	switch typ {
	case TypeList:
		if err := d.readStrings(1, func(v ...[]byte) error { l.PushBack(v[0]); return nil }); err != nil {
			return nil, err
		}
	case TypeListZiplist:
		elems, err := d.readBlob(parseZiplist)
		if err != nil {
			return nil, err
		}
		pushAll(elems)
	default: // quicklists: nodes of ziplists (14) or of containers (18)
		n, err := d.readCount(1)
		if err != nil {
			return nil, err
		}
		for ; n > 0; n-- {
			parse := parseZiplist
			if typ == TypeListQuicklist2 {
				container, err := d.ReadLen()
				if err != nil {
					return nil, err
				}
				switch container {
				case quicklistNodePlain:
					v, err := d.ReadString()
					if err != nil {
						return nil, err
					}
					l.PushBack(v)
					continue
				case quicklistNodePacked:
					parse = parseListpack
				default:
					return nil, badf("quicklist container %d", container)
				}
			}
			elems, err := d.readBlob(parse)
			if err != nil {
				return nil, err
			}
			pushAll(elems) // empty nodes are skipped, as Redis does
		}
	}
	if l.Len() == 0 {
		return nil, errEmpty
	}
	return store.NewListEntry(l), nil
}

// readBlob reads a string holding a listpack or ziplist and parses it.
func (d *Decoder) readBlob(parse func([]byte) ([]lpElem, error)) ([]lpElem, error) {
	b, err := d.ReadString()
	if err != nil {
		return nil, err
	}
	return parse(b)
}
