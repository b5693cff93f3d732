package store

import (
	"hash/maphash"
	"slices"
)

// zdict is the member → score half of the "skiplist" sorted-set encoding: a chained
// hash table whose entries live in one slice (no per-member allocation) and whose
// buckets are chosen by the top bits of each member's 32-bit hash.
//
// Bucket b of a table of 2^k buckets holds exactly the hashes in
// [b << (32-k), (b+1) << (32-k)), so walking the buckets in order and each bucket in hash
// order visits members in hash order whatever the table's size. ZSCAN's cursor is
// therefore the hash of the next member to return (plus one, so that 0 can mean "done"),
// exactly like SCAN's over the keyspace: a member present for the whole scan is returned,
// however the table grows, shrinks or is rewritten in between.
type zdict struct {
	buckets []uint32 // index+1 of the chain's first entry; 0 is an empty bucket
	entries []zentry
	free    uint32 // index+1 of the first free entry
	live    int
	bits    uint8 // log2(len(buckets))
}

type zentry struct {
	member string
	score  float64
	next   uint32 // index+1 of the next entry in the chain (or the free list)
	hash   uint32
}

var zdictSeed = maphash.MakeSeed()

func zhash(member string) uint32 { return uint32(maphash.String(zdictSeed, member) >> 32) }

func newZDict(capacity int) *zdict {
	d := &zdict{}
	d.entries = make([]zentry, 0, capacity)
	d.rehash(capacity)
	return d
}

func (d *zdict) bucket(h uint32) uint32 {
	if d.bits == 0 {
		return 0
	}
	return h >> (32 - d.bits)
}

// rehash sizes the buckets for n members and relinks every live entry.
func (d *zdict) rehash(n int) {
	bits := uint8(2)
	for 1<<bits < n && bits < 32 {
		bits++
	}
	d.bits = bits
	if cap(d.buckets) >= 1<<bits && cap(d.buckets) <= 4<<bits {
		d.buckets = d.buckets[:1<<bits]
		clear(d.buckets)
	} else {
		d.buckets = make([]uint32, 1<<bits)
	}
	for i := range d.entries {
		if d.isFree(i) {
			continue
		}
		e := &d.entries[i]
		b := d.bucket(e.hash)
		e.next = d.buckets[b]
		d.buckets[b] = uint32(i) + 1
	}
	// The free list was threaded through next; rebuild it.
	d.free = 0
	for i := len(d.entries) - 1; i >= 0; i-- {
		if d.isFree(i) {
			d.entries[i].next = d.free | freeBit
			d.free = uint32(i) + 1
		}
	}
}

// freeBit marks a free entry in next (index+1 values stay below 2^31).
const freeBit = 1 << 31

func (d *zdict) isFree(i int) bool { return d.entries[i].next&freeBit != 0 }

func (d *zdict) find(member string, h uint32) int {
	for i := d.buckets[d.bucket(h)]; i != 0; i = d.entries[i-1].next {
		e := &d.entries[i-1]
		if e.hash == h && e.member == member {
			return int(i - 1)
		}
	}
	return -1
}

// get returns member's score.
func (d *zdict) get(member string) (float64, bool) {
	i := d.find(member, zhash(member))
	if i < 0 {
		return 0, false
	}
	return d.entries[i].score, true
}

// set stores member's score; member must be a string the dict may keep.
func (d *zdict) set(member string, score float64) {
	h := zhash(member)
	if i := d.find(member, h); i >= 0 {
		d.entries[i].score = score
		return
	}
	d.add(member, h, score)
}

// add inserts member, which is not in the dict and whose hash is h.
func (d *zdict) add(member string, h uint32, score float64) {
	var i uint32
	if d.free != 0 {
		i = d.free - 1
		d.free = d.entries[i].next &^ freeBit
	} else {
		d.entries = append(d.entries, zentry{})
		i = uint32(len(d.entries) - 1)
	}
	b := d.bucket(h)
	d.entries[i] = zentry{member: member, score: score, hash: h, next: d.buckets[b]}
	d.buckets[b] = i + 1
	d.live++
	if d.live > len(d.buckets) && d.bits < 32 {
		d.rehash(d.live * 2)
	}
}

// del removes member and reports whether it was there.
func (d *zdict) del(member string) bool {
	h := zhash(member)
	b := d.bucket(h)
	link := &d.buckets[b]
	for *link != 0 {
		i := *link - 1
		e := &d.entries[i]
		if e.hash == h && e.member == member {
			*link = e.next
			*e = zentry{next: d.free | freeBit}
			d.free = i + 1
			d.live--
			d.maybeShrink()
			return true
		}
		link = &e.next
	}
	return false
}

// maybeShrink compacts the entries and the buckets once most of them are unused.
func (d *zdict) maybeShrink() {
	if len(d.entries) < 64 || d.live > len(d.entries)/4 {
		return
	}
	live := make([]zentry, 0, d.live+d.live/4)
	for i := range d.entries {
		if !d.isFree(i) {
			live = append(live, d.entries[i])
		}
	}
	d.entries = live
	d.free = 0
	d.buckets = nil
	d.rehash(d.live)
}

// scan returns members in hash order from cursor (see zdict), about count of them,
// and the cursor to continue from, 0 when the walk is over.
func (d *zdict) scan(cursor uint64, count int, fn func(member string, score float64)) uint64 {
	if cursor > 1<<32 {
		return 0
	}
	var from uint32
	if cursor > 0 {
		from = uint32(cursor - 1)
	}
	var batch []int
	for b := d.bucket(from); int(b) < len(d.buckets); b++ {
		batch = batch[:0]
		for i := d.buckets[b]; i != 0; i = d.entries[i-1].next {
			if d.entries[i-1].hash >= from {
				batch = append(batch, int(i-1))
			}
		}
		slices.SortFunc(batch, func(x, y int) int {
			hx, hy := d.entries[x].hash, d.entries[y].hash
			switch {
			case hx < hy:
				return -1
			case hx > hy:
				return 1
			}
			return 0
		})
		for k, i := range batch {
			h := d.entries[i].hash
			// Never stop between members sharing a hash: the cursor could not tell them apart.
			if count <= 0 && (k == 0 || d.entries[batch[k-1]].hash != h) {
				return uint64(h) + 1
			}
			fn(d.entries[i].member, d.entries[i].score)
			count--
		}
		if int(b) == len(d.buckets)-1 {
			break
		}
		from = (b + 1) << (32 - d.bits)
	}
	return 0
}
