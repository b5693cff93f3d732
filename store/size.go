package store

import (
	"math"
	"math/bits"
	"strconv"
)

// Memory estimates: what Redis 7.0 would report with MEMORY USAGE for the same value in
// the same encoding. Cinnabar's own structures differ (Go's allocator, its own node
// formats), but their sizes track Redis's closely, so one model serves both MEMORY
// USAGE and the memory accounting of eviction, and clients see numbers they know.
//
// The model counts what Redis counts: the object header, the encoding's structures
// and each allocation rounded up to jemalloc's size classes. Listpack sizes follow the
// listpack encoding rules (integers in canonical form stored as integers, 1 to 5 bytes
// of header and of back-length per element). Hash tables have a power-of-two number of
// 8-byte buckets (Redis's can be mid-rehash, holding both tables for a while: that
// makes its figure up to 50% larger there). A skiplist node's size depends on its
// random level; the model takes the expected size.
//
// Costs: O(1) for strings and intsets; O(samples) elements for hash tables, skiplists
// and sets, and O(samples) nodes for lists and streams (0 samples means all, as MEMORY
// USAGE's SAMPLES 0); listpack hashes and sorted sets are measured whole, which their
// *-max-listpack-entries limits bound.

// Sizes of Redis 7.0's structures on 64-bit builds.
const (
	robjSize          = 16  // redisObject
	dictEntrySize     = 24  // key, value and next pointers
	dictSize          = 56  // the dict header, both tables' pointers and counters
	dictMinBuckets    = 4   // a dict's smallest table
	quicklistSize     = 40  // the quicklist header
	quicklistNodeSize = 40  // one quicklist node, besides its listpack
	lpOverhead        = 7   // a listpack's 6-byte header and end byte
	intsetHeader      = 8   // encoding and length
	zsetHeader        = 16  // dict and skiplist pointers
	zskiplistSize     = 32  // the skiplist header
	zslHeaderNodeSize = 640 // the skiplist's 32-level head node, rounded to its size class
	zslNodeExpected   = 53  // a node of level k (probability 3/4^k) is 24+16k bytes, rounded: on average 53
	streamSize        = 80  // the stream header
	streamIDSize      = 16  // a stream ID key in a radix tree
	raxNodeCost       = 244 // what Redis counts per radix tree node
	streamPrealloc    = 4096
	streamCGSize      = 40 // a consumer group
	streamConsumer    = 24 // a consumer
	streamNACKSize    = 24 // a pending entry's delivery record
	pointerSize       = 8
)

// mallocSize rounds n up to jemalloc's size class: multiples of 8 and 16 up to 128,
// then four classes per doubling.
func mallocSize(n int) int {
	switch {
	case n <= 0:
		return 0
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	step := 1 << (bits.Len(uint(n-1)) - 3)
	return (n + step - 1) &^ (step - 1)
}

// sdsHeaderSize is the header of an sds string of n bytes created whole: the smallest
// type for its length.
func sdsHeaderSize(n int) int {
	switch {
	case n < 1<<5:
		return 1
	case n < 1<<8:
		return 3
	case n < 1<<16:
		return 5
	}
	return 9
}

// sdsSize is the allocation of an sds string of n bytes created whole: header, bytes
// and a terminator.
func sdsSize(n int) int { return mallocSize(sdsHeaderSize(n) + n + 1) }

// grownHeaderSize is the header of an sds string grown to capacity c: growth never
// uses the 1-byte header of short strings.
func grownHeaderSize(c int) int { return max(sdsHeaderSize(c), 3) }

// sdsUsable is the capacity of an sds string with header hdr in an allocation of
// alloc bytes: all of it but the header and terminator, within what the header's
// length fields can say. The 1-byte header has no capacity field.
func sdsUsable(hdr, alloc int) int {
	switch hdr {
	case 1:
		return alloc - 2
	case 3:
		return min(alloc-hdr-1, 1<<8-1)
	case 5:
		return min(alloc-hdr-1, 1<<16-1)
	}
	return alloc - hdr - 1
}

// sdsGrowCap is the capacity of an sds string grown to hold at least n bytes: all of
// its allocation's usable space.
func sdsGrowCap(n int) int {
	hdr := grownHeaderSize(n)
	return sdsUsable(hdr, mallocSize(hdr+n+1))
}

// SDSStats describes a string as Redis would hold it (DEBUG SDSLEN): its length, its
// spare capacity and its allocation.
type SDSStats struct{ Len, Avail, Alloc int }

// KeySDS describes a key's string, created to size.
func KeySDS(key []byte) SDSStats {
	n := len(key)
	hdr := sdsHeaderSize(n)
	alloc := mallocSize(hdr + n + 1)
	if hdr == 1 {
		return SDSStats{n, 0, alloc}
	}
	return SDSStats{n, sdsUsable(hdr, alloc) - n, alloc}
}

// StringSDS describes a string value's sds; ok is false for other types and when Redis
// would hold the value as an integer, without one. An embedded string's allocation is what follows its
// object header.
func (e *Entry) StringSDS() (st SDSStats, ok bool) {
	n := int(e.n)
	switch e.Encoding() {
	case "int", "quicklist", "listpack", "hashtable", "intset", "skiplist", "stream":
		return SDSStats{}, false
	case "embstr":
		return SDSStats{n, 0, mallocSize(robjSize+3+n+1) - robjSize}, true
	}
	hdr := grownHeaderSize(int(e.c))
	alloc := mallocSize(hdr + int(e.c) + 1)
	return SDSStats{n, sdsUsable(hdr, alloc) - n, alloc}, true
}

// DictBuckets is the bucket count of a Redis dict holding n entries (none when empty):
// the smallest power of two that holds them, at least 4.
func DictBuckets(n int) int {
	switch {
	case n == 0:
		return 0
	case n <= dictMinBuckets:
		return dictMinBuckets
	}
	return 1 << bits.Len(uint(n-1))
}

// DictBucketsSize is the bucket array of a Redis dict holding n entries.
func DictBucketsSize(n int) int { return pointerSize * DictBuckets(n) }

// StringAllocSize is the allocation of a Redis string of n bytes, for the server's
// accounting of its own strings (script bodies, names) in Redis's terms.
func StringAllocSize(n int) int { return sdsSize(n) }

// TableOverhead is MEMORY STATS's overhead.hashtable.main and .expires for db, as Redis
// 7.0 counts them: per key a dict entry and an object header, per key with a TTL a
// dict entry in the expires table, and each table's buckets. The caller holds every
// shard.
func (db *DB) TableOverhead() (main, expires int) {
	keys, volatile := db.Size()
	return keys*(dictEntrySize+robjSize) + DictBucketsSize(keys), volatile*dictEntrySize + DictBucketsSize(volatile)
}

// sampledTotal scales the bytes of the first seen elements to all n of them.
func sampledTotal(bytes, seen, n int) int {
	if seen == 0 {
		return 0
	}
	return int(float64(bytes) / float64(seen) * float64(n))
}

// wantMore says whether a sampler that has seen seen elements goes on (samples 0: all).
func wantMore(seen, samples int) bool { return samples <= 0 || seen < samples }

// keyMemory is what a key of keyLen bytes costs in the keyspace: its string and its
// dict entry.
func keyMemory(keyLen int) int { return sdsSize(keyLen) + dictEntrySize }

// MemoryUsage is MEMORY USAGE's figure for a key of keyLen bytes holding e: the key's
// string and dict entry in the keyspace, and the value (see ValueMemory).
func (e *Entry) MemoryUsage(keyLen, samples int) int {
	return keyMemory(keyLen) + e.ValueMemory(samples)
}

// ValueMemory estimates the bytes Redis 7.0 would use for this value in the same
// encoding, its object header included, looking at up to samples elements (or nodes)
// of a collection and scaling (0: all of them).
func (e *Entry) ValueMemory(samples int) int {
	switch e.typ {
	case TypeList:
		return robjSize + e.List().memoryUsage(samples)
	case TypeHash:
		return robjSize + e.Hash().memoryUsage(samples)
	case TypeSet:
		return robjSize + e.SetValue().memoryUsage(samples)
	case TypeZSet:
		return robjSize + e.ZSet().memoryUsage(samples)
	case TypeStream:
		return robjSize + e.Stream().memoryUsage(samples)
	}
	st, _ := e.StringSDS() // an integer has no sds: the object header holds it
	return robjSize + st.Alloc
}

// lpScoreSize is the size of a listpack element holding a sorted-set score as Redis
// writes it: integral scores within ±2^52 as integers, others as %.17g text.
func lpScoreSize(score float64) int {
	if score == math.Trunc(score) && math.Abs(score) < 1<<52 {
		return int(lpIntSize(int64(score)))
	}
	var buf [32]byte
	switch {
	case math.IsInf(score, 1):
		return int(lpStrSize([]byte("inf")))
	case math.IsInf(score, -1):
		return int(lpStrSize([]byte("-inf")))
	}
	return int(lpStrSize(strconv.AppendFloat(buf[:0], score, 'g', 17, 64)))
}

// listpackBytes is the size Redis's listpack for the list node would have.
func (nd *lnode) listpackBytes() int {
	size := lpOverhead
	for off := nd.lo; off < nd.hi; {
		var v []byte
		v, off = nd.at(off)
		size += int(lpStrSize(v))
	}
	return size
}

// memoryUsage: a quicklist, its nodes each a listpack; Redis samples nodes from the
// head and scales their average to the node count.
func (l *List) memoryUsage(samples int) int {
	bytes, seen := 0, 0
	for i := l.lo; i < l.hi && wantMore(seen, samples); i++ {
		bytes += quicklistNodeSize + mallocSize(l.nodes[i].listpackBytes())
		seen++
	}
	return quicklistSize + sampledTotal(bytes, seen, l.hi-l.lo)
}

// ListpackNode describes one node of a list as Redis would hold it: its element count
// and the bytes of its listpack.
type ListpackNode struct{ Count, Bytes int }

// ListpackNodes describes the list's nodes (DEBUG OBJECT, DEBUG QUICKLIST).
func (l *List) ListpackNodes() []ListpackNode {
	out := make([]ListpackNode, 0, l.hi-l.lo)
	for i := l.lo; i < l.hi; i++ {
		out = append(out, ListpackNode{l.nodes[i].n, l.nodes[i].listpackBytes()})
	}
	return out
}

// ListpackBytes is the size of the listpack Redis would hold a listpack-encoded hash
// or sorted set in; ok is false for other values.
func (e *Entry) ListpackBytes() (bytes int, ok bool) {
	switch {
	case e.typ == TypeHash && e.Hash().t == nil:
		return e.Hash().listpackBytes(), true
	case e.typ == TypeZSet && e.ZSet().big == nil:
		return e.ZSet().listpackBytes(), true
	}
	return 0, false
}

func (h *Hash) listpackBytes() int {
	size := lpOverhead
	h.Range(func(f, v []byte) bool {
		size += int(lpStrSize(f) + lpStrSize(v))
		return true
	})
	return size
}

func (z *ZSet) listpackBytes() int {
	size := lpOverhead
	z.Range(0, z.n, false, func(m []byte, score float64) bool {
		size += int(lpStrSize(m)) + lpScoreSize(score)
		return true
	})
	return size
}

// memoryUsage: a listpack of field and value elements, or a dict of sds pairs.
func (h *Hash) memoryUsage(samples int) int {
	if h.t == nil {
		return mallocSize(h.listpackBytes())
	}
	bytes, seen := 0, 0
	h.Range(func(f, v []byte) bool {
		bytes += dictEntrySize + sdsSize(len(f)) + sdsSize(len(v))
		seen++
		return wantMore(seen, samples)
	})
	return dictSize + DictBucketsSize(h.t.n) + sampledTotal(bytes, seen, h.t.n)
}

// memoryUsage: an intset of the narrowest integer width that holds every member, or a
// dict of sds members.
func (s *Set) memoryUsage(samples int) int {
	if s.t == nil {
		width := 2
		if n := len(s.ints); n > 0 {
			lo, hi := s.ints[0], s.ints[n-1]
			switch {
			case lo < math.MinInt32 || hi > math.MaxInt32:
				width = 8
			case lo < math.MinInt16 || hi > math.MaxInt16:
				width = 4
			}
		}
		return mallocSize(intsetHeader + width*len(s.ints))
	}
	bytes, seen := 0, 0
	s.Range(func(m []byte) bool {
		bytes += dictEntrySize + sdsSize(len(m))
		seen++
		return wantMore(seen, samples)
	})
	return dictSize + DictBucketsSize(s.t.n) + sampledTotal(bytes, seen, s.t.n)
}

// memoryUsage: a listpack of member and score elements, or a skiplist and a dict
// sharing the members' sds strings.
func (z *ZSet) memoryUsage(samples int) int {
	if z.big == nil {
		return mallocSize(z.listpackBytes())
	}
	n := z.Len()
	bytes, seen := 0, 0
	z.Range(0, n, false, func(m []byte, _ float64) bool {
		bytes += sdsSize(len(m)) + dictEntrySize + zslNodeExpected
		seen++
		return wantMore(seen, samples)
	})
	return zsetHeader + zskiplistSize + zslHeaderNodeSize + dictSize + DictBucketsSize(n) +
		sampledTotal(bytes, seen, n)
}

// memoryUsage: a radix tree of listpacks and the consumer groups. Redis samples the
// listpacks from the first and scales them to all but the last, whose allocation it
// adds as is: the open node is preallocated (tailPrealloc), closed ones are shrunk to
// fit.
func (s *Stream) memoryUsage(samples int) int {
	total := streamSize + streamIDSize*len(s.nodes) + raxNodeCost*s.RaxNodes()
	nodeAlloc := func(i int) int {
		size := int(s.nodes[i].rbytes())
		if i == len(s.nodes)-1 {
			size = max(size, int(s.tailPrealloc))
		}
		return mallocSize(size)
	}
	bytes, seen := 0, 0
	for i := range s.nodes {
		if !wantMore(seen, samples) {
			break
		}
		bytes += nodeAlloc(i)
		seen++
	}
	if seen == len(s.nodes) {
		total += bytes
	} else {
		total += sampledTotal(bytes, seen, len(s.nodes)-1) + nodeAlloc(len(s.nodes)-1)
	}
	// Pending entries are radix tree keys in their group's list and their consumer's.
	for _, g := range s.groups {
		total += streamCGSize + g.pel.memoryUsage() + streamNACKSize*g.pel.n
		for _, c := range g.consumers {
			total += streamConsumer + sdsSize(len(c.name)) + c.pel.memoryUsage()
		}
	}
	return total
}

// memoryUsage: the radix tree Redis keeps a pending entries list in. Its node count
// depends on how the IDs share prefixes, so it is counted (in O(entries)).
func (p *pel) memoryUsage() int {
	keys := make([][16]byte, 0, p.n)
	for _, c := range p.chunks {
		for _, e := range c {
			keys = append(keys, e.id.raxKey())
		}
	}
	return streamIDSize*p.n + raxNodeCost*raxNodes(keys)
}
