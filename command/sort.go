package command

import (
	"bytes"
	"slices"
	"strings"

	"github.com/cinnabar-db/cinnabar/store"
)

var (
	evSortStore = store.Event{Class: store.ClassList, Name: "sortstore"}

	errSortScore error = Err("ERR One or more scores can't be converted into double")
)

// SortCommands are the rows of the SORT family. BY and GET patterns read keys the
// command cannot declare, so the rows are flagged AllKeys.
var SortCommands = []*Spec{
	{Name: "sort", Arity: -2, Flags: Write | DenyOOM | AllKeys, KeysFunc: sortKeys,
		Cat: CatSet | CatSortedSet | CatList | CatDangerous, Do: cmdSort},
	{Name: "sort_ro", Arity: -2, Flags: ReadOnly | AllKeys, KeysFunc: sortKeys,
		Cat: CatSet | CatSortedSet | CatList | CatDangerous, Do: cmdSort},
}

// sortKeys returns the sorted key and, for SORT with a STORE option, its destination
// (the last one wins), with the flags of their specs (0 and 2). BY and GET patterns
// name no keys a call can report.
func sortKeys(specs []KeySpec, args [][]byte) []KeyRef {
	keys := []KeyRef{{1, specs[0].Flags}}
	if len(specs) < 3 { // SORT_RO has no STORE
		return keys
	}
	store := 0
	for i := 2; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "limit":
			i += 2
		case "get", "by":
			i++
		case "store":
			if i+1 < len(args) {
				store = i + 1
			}
			i++
		}
	}
	if store != 0 {
		keys = append(keys, KeyRef{store, specs[2].Flags})
	}
	return keys
}

// sortItem is one element being sorted with its weight.
type sortItem struct {
	elem  []byte
	score float64
	by    []byte // ALPHA with BY: the weight value, nil when missing
}

type sortOpts struct {
	desc, alpha, dontSort bool
	by                    []byte
	gets                  [][]byte
	store                 []byte
	limitStart, limitCnt  int64
}

// SORT / SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC]
// [ALPHA] [STORE destination]
func cmdSort(c *Ctx) error {
	o := sortOpts{limitCnt: -1}
	ro := c.Spec.Name == "sort_ro"
	for j := 2; j < len(c.Args); j++ {
		left := len(c.Args) - j - 1
		switch {
		case c.Is(j, "asc"):
			o.desc = false
		case c.Is(j, "desc"):
			o.desc = true
		case c.Is(j, "alpha"):
			o.alpha = true
		case c.Is(j, "limit") && left >= 2:
			s, err := c.Int(j + 1)
			if err != nil {
				return err
			}
			n, err := c.Int(j + 2)
			if err != nil {
				return err
			}
			o.limitStart, o.limitCnt = s, n
			j += 2
		case c.Is(j, "store") && left >= 1 && !ro:
			o.store = c.Args[j+1]
			j++
		case c.Is(j, "by") && left >= 1:
			o.by = c.Args[j+1]
			if bytes.IndexByte(o.by, '*') < 0 {
				o.dontSort = true
			} else if !c.readsAllKeys() {
				return Err("ERR BY option of SORT denied due to insufficient ACL permissions.")
			}
			j++
		case c.Is(j, "get") && left >= 1:
			if !c.readsAllKeys() {
				return Err("ERR GET option of SORT denied due to insufficient ACL permissions.")
			}
			o.gets = append(o.gets, c.Args[j+1])
			j++
		default:
			return ErrSyntax
		}
	}

	e := c.DB.Lookup(c.Args[1])
	typ := store.TypeList
	if e != nil {
		typ = e.Type()
		if typ != store.TypeList && typ != store.TypeSet && typ != store.TypeZSet {
			return ErrWrongType
		}
	}
	// An unsorted set would give an arbitrary order: stored results are made
	// deterministic by sorting them by element.
	if o.dontSort && typ == store.TypeSet && o.store != nil {
		o.dontSort, o.alpha, o.by = false, true, nil
	}

	length := 0
	if e != nil {
		switch typ {
		case store.TypeList:
			length = e.List().Len()
		case store.TypeSet:
			length = e.SetValue().Len()
		case store.TypeZSet:
			length = e.ZSet().Len()
		}
	}
	start, end := 0, length-1
	if s := max(o.limitStart, 0); s >= int64(length) {
		start, end = length-1, length-2
	} else {
		start = int(s)
		if o.limitCnt >= 0 {
			end = start + int(min(o.limitCnt, int64(length))) - 1
		}
		end = min(end, length-1)
	}

	var items []sortItem
	if e != nil {
		switch {
		case typ == store.TypeZSet && o.dontSort:
			if end >= start {
				z := e.ZSet()
				a, b := start, end+1
				if o.desc {
					a, b = length-1-end, length-start
				}
				z.Range(a, b, o.desc, func(m []byte, _ float64) bool {
					items = append(items, sortItem{elem: bytes.Clone(m)})
					return true
				})
			}
			end -= start
			start = 0
		case typ == store.TypeList:
			it := e.List().Iter(0, false)
			for v, ok := it.Next(); ok; v, ok = it.Next() {
				items = append(items, sortItem{elem: bytes.Clone(v)})
			}
		case typ == store.TypeSet:
			e.SetValue().Range(func(m []byte) bool {
				items = append(items, sortItem{elem: bytes.Clone(m)})
				return true
			})
		case typ == store.TypeZSet:
			z := e.ZSet()
			z.Range(0, z.Len(), false, func(m []byte, _ float64) bool {
				items = append(items, sortItem{elem: bytes.Clone(m)})
				return true
			})
		}
	}

	if !o.dontSort {
		if err := sortWeigh(c, &o, items); err != nil {
			return err
		}
		slices.SortStableFunc(items, func(a, b sortItem) int { return sortCompare(&o, &a, &b) })
	}

	n := max(end-start+1, 0)
	if o.store == nil {
		per := max(len(o.gets), 1)
		c.W.Array(n * per)
		for i := start; i < start+n; i++ {
			if len(o.gets) == 0 {
				c.W.Bulk(items[i].elem)
				continue
			}
			for _, g := range o.gets {
				if v := sortLookup(c, g, items[i].elem); v != nil {
					c.W.Bulk(v)
				} else {
					c.W.Null()
				}
			}
		}
		return nil
	}

	l := newList(c.DB)
	for i := start; i < start+n; i++ {
		if len(o.gets) == 0 {
			l.PushBack(items[i].elem)
			continue
		}
		for _, g := range o.gets {
			v := sortLookup(c, g, items[i].elem)
			if v == nil {
				v = []byte{}
			}
			l.PushBack(bytes.Clone(v))
		}
	}
	if l.Len() > 0 {
		c.DB.SetN(o.store, store.NewListEntry(l), evSortStore, int64(l.Len())) // Redis counts the elements
	} else {
		c.DB.Delete(o.store, store.EvDel)
	}
	c.W.Int(int64(l.Len()))
	return nil
}

// sortWeigh fills in the weights the comparison uses.
func sortWeigh(c *Ctx, o *sortOpts, items []sortItem) error {
	bad := false
	for i := range items {
		it := &items[i]
		w := it.elem
		if o.by != nil {
			w = sortLookup(c, o.by, it.elem)
			if w == nil {
				continue
			}
		}
		if o.alpha {
			if o.by != nil {
				it.by = bytes.Clone(w)
			}
			continue
		}
		v, ok := parseSortScore(w)
		if !ok {
			bad = true
			continue
		}
		it.score = v
	}
	if bad {
		return errSortScore
	}
	return nil
}

func sortCompare(o *sortOpts, a, b *sortItem) int {
	var cmp int
	switch {
	case !o.alpha:
		switch {
		case a.score > b.score:
			cmp = 1
		case a.score < b.score:
			cmp = -1
		default:
			cmp = bytes.Compare(a.elem, b.elem)
		}
	case o.by != nil:
		switch {
		case a.by == nil && b.by == nil:
			cmp = 0
		case a.by == nil:
			cmp = -1
		case b.by == nil:
			cmp = 1
		default:
			cmp = bytes.Compare(a.by, b.by)
		}
	default:
		cmp = bytes.Compare(a.elem, b.elem)
	}
	if o.desc {
		return -cmp
	}
	return cmp
}

// sortLookup resolves a BY or GET pattern for element elem: "#" is the element itself;
// otherwise the first '*' is replaced by elem and the key read as a string, or, with
// "->field" after the '*', as a hash field. nil when there is no such value.
func sortLookup(c *Ctx, pattern, elem []byte) []byte {
	if len(pattern) == 1 && pattern[0] == '#' {
		return elem
	}
	star := bytes.IndexByte(pattern, '*')
	if star < 0 {
		return nil
	}
	post := pattern[star+1:]
	var field []byte
	if f := bytes.Index(post, []byte("->")); f >= 0 && f+2 < len(post) {
		field = post[f+2:]
		post = post[:f]
	}
	key := make([]byte, 0, len(pattern)+len(elem))
	key = append(key, pattern[:star]...)
	key = append(key, elem...)
	key = append(key, post...)
	e := c.DB.Lookup(key)
	if e == nil {
		return nil
	}
	if field != nil {
		if e.Type() != store.TypeHash {
			return nil
		}
		v, ok := e.Hash().Get(field)
		if !ok {
			return nil
		}
		if v == nil {
			v = []byte{}
		}
		return v
	}
	if e.Type() != store.TypeString {
		return nil
	}
	if v := e.Bytes(); v != nil {
		return v
	}
	return []byte{}
}
