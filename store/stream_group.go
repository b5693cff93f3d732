package store

import (
	"sort"
)

// Consumer groups.
//
// A group has a last delivered ID, a logical read counter (entries-read), its
// consumers (sorted by name, as Redis's rax lists them) and its pending entries list:
// the entries delivered and not yet acknowledged, each with a NACK (owner, last
// delivery time, delivery count). Every consumer keeps its own PEL holding the same
// NACKs, so both a group's and a consumer's pending entries are read in ID order.
//
// A PEL is a sorted list of (ID, NACK) in chunks of at most pelChunkMax entries: a
// lookup is two binary searches, an insertion or removal moves at most a chunk, and
// the common pattern (deliveries append at the end, acknowledgements remove from
// anywhere) keeps chunks full at the end and merges emptied ones.

// StreamNACK is a pending entry: delivered, not yet acknowledged.
type StreamNACK struct {
	consumer      *StreamConsumer
	DeliveryTime  int64 // unix milliseconds of the last delivery
	DeliveryCount int64
}

// Consumer returns the consumer the entry was last delivered to.
func (n *StreamNACK) Consumer() *StreamConsumer { return n.consumer }

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	name     string
	SeenTime int64 // unix milliseconds of the last read or claim
	pel      pel
}

// Name returns the consumer's name.
func (c *StreamConsumer) Name() string { return c.name }

// PendingLen returns the number of entries pending for the consumer.
func (c *StreamConsumer) PendingLen() int { return c.pel.n }

// PendingRange calls fn for the consumer's pending entries with an ID of at least
// start, in order, until fn returns false.
func (c *StreamConsumer) PendingRange(start StreamID, fn func(id StreamID, n *StreamNACK) bool) {
	c.pel.scan(start, fn)
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	name        string
	LastID      StreamID // last delivered ID
	EntriesRead int64    // logical read counter; -1 when unknown
	pel         pel
	consumers   []*StreamConsumer // sorted by name
}

// Name returns the group's name.
func (g *StreamGroup) Name() string { return g.name }

// Consumers returns the consumers, sorted by name. The slice must not be modified.
func (g *StreamGroup) Consumers() []*StreamConsumer { return g.consumers }

func (g *StreamGroup) consumerIndex(name []byte) (int, bool) {
	i := sort.Search(len(g.consumers), func(i int) bool { return g.consumers[i].name >= string(name) })
	return i, i < len(g.consumers) && g.consumers[i].name == string(name)
}

// Consumer returns the named consumer, or nil.
func (g *StreamGroup) Consumer(name []byte) *StreamConsumer {
	if i, ok := g.consumerIndex(name); ok {
		return g.consumers[i]
	}
	return nil
}

// CreateConsumer adds a consumer seen at now; it returns nil if it exists.
func (g *StreamGroup) CreateConsumer(name []byte, now int64) *StreamConsumer {
	i, ok := g.consumerIndex(name)
	if ok {
		return nil
	}
	c := &StreamConsumer{name: string(name), SeenTime: now}
	g.consumers = append(g.consumers, nil)
	copy(g.consumers[i+1:], g.consumers[i:])
	g.consumers[i] = c
	return c
}

// DeleteConsumer removes c and its pending entries from the group; it returns how
// many entries were pending for it.
func (g *StreamGroup) DeleteConsumer(c *StreamConsumer) int {
	pending := c.pel.n
	c.pel.scan(StreamID{}, func(id StreamID, _ *StreamNACK) bool {
		g.pel.remove(id)
		return true
	})
	if i, ok := g.consumerIndex([]byte(c.name)); ok {
		copy(g.consumers[i:], g.consumers[i+1:])
		g.consumers[len(g.consumers)-1] = nil
		g.consumers = g.consumers[:len(g.consumers)-1]
	}
	return pending
}

// PendingLen returns the number of pending entries of the group.
func (g *StreamGroup) PendingLen() int { return g.pel.n }

// PendingBounds returns the smallest and greatest pending IDs.
func (g *StreamGroup) PendingBounds() (first, last StreamID, ok bool) {
	if g.pel.n == 0 {
		return
	}
	c0 := g.pel.chunks[0]
	cn := g.pel.chunks[len(g.pel.chunks)-1]
	return c0[0].id, cn[len(cn)-1].id, true
}

// PendingRange calls fn for the group's pending entries with an ID of at least start,
// in order, until fn returns false. fn may acknowledge, claim or remove the entry it is
// given (and nothing else).
func (g *StreamGroup) PendingRange(start StreamID, fn func(id StreamID, n *StreamNACK) bool) {
	g.pel.scan(start, fn)
}

// Pending returns the NACK of id, or nil.
func (g *StreamGroup) Pending(id StreamID) *StreamNACK { return g.pel.get(id) }

// Ack removes id from the pending lists; it reports whether it was pending.
func (g *StreamGroup) Ack(id StreamID) bool {
	n := g.pel.remove(id)
	if n == nil {
		return false
	}
	if n.consumer != nil {
		n.consumer.pel.remove(id)
	}
	return true
}

// ForcePending creates a NACK for id with no owner yet (XCLAIM FORCE), delivered now
// once; the caller then assigns it with Claim.
func (g *StreamGroup) ForcePending(id StreamID, now int64) *StreamNACK {
	n := &StreamNACK{DeliveryTime: now, DeliveryCount: 1}
	g.pel.insert(id, n)
	return n
}

// Claim makes c the owner of the pending entry id, whose NACK is n.
func (g *StreamGroup) Claim(id StreamID, n *StreamNACK, c *StreamConsumer) {
	if n.consumer == c {
		return
	}
	if n.consumer != nil {
		n.consumer.pel.remove(id)
	}
	c.pel.insert(id, n)
	n.consumer = c
}

// deliver records that id was delivered to c at now: a new NACK, or the existing one
// reassigned and reset.
func (g *StreamGroup) deliver(id StreamID, c *StreamConsumer, now int64) {
	if n := g.pel.get(id); n != nil {
		if n.consumer != nil {
			n.consumer.pel.remove(id)
		}
		n.consumer, n.DeliveryTime, n.DeliveryCount = c, now, 1
		c.pel.insert(id, n)
		return
	}
	n := &StreamNACK{consumer: c, DeliveryTime: now, DeliveryCount: 1}
	g.pel.insert(id, n)
	c.pel.insert(id, n)
}

func (g *StreamGroup) clone() *StreamGroup {
	c := &StreamGroup{name: g.name, LastID: g.LastID, EntriesRead: g.EntriesRead}
	nacks := make(map[*StreamNACK]*StreamNACK, g.pel.n)
	g.pel.scan(StreamID{}, func(id StreamID, n *StreamNACK) bool {
		cn := &StreamNACK{DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount}
		nacks[n] = cn
		c.pel.insert(id, cn)
		return true
	})
	for _, con := range g.consumers {
		cc := &StreamConsumer{name: con.name, SeenTime: con.SeenTime}
		con.pel.scan(StreamID{}, func(id StreamID, n *StreamNACK) bool {
			cn := nacks[n]
			cn.consumer = cc
			cc.pel.insert(id, cn)
			return true
		})
		c.consumers = append(c.consumers, cc)
	}
	return c
}

// --- groups of a stream ---

// Groups returns the groups, sorted by name. The slice must not be modified.
func (s *Stream) Groups() []*StreamGroup { return s.groups }

func (s *Stream) groupIndex(name []byte) (int, bool) {
	i := sort.Search(len(s.groups), func(i int) bool { return s.groups[i].name >= string(name) })
	return i, i < len(s.groups) && s.groups[i].name == string(name)
}

// Group returns the named group, or nil.
func (s *Stream) Group(name []byte) *StreamGroup {
	if i, ok := s.groupIndex(name); ok {
		return s.groups[i]
	}
	return nil
}

// CreateGroup adds a group whose last delivered ID is last and read counter
// entriesRead (-1 for unknown); it returns nil if the group exists.
func (s *Stream) CreateGroup(name []byte, last StreamID, entriesRead int64) *StreamGroup {
	i, ok := s.groupIndex(name)
	if ok {
		return nil
	}
	g := &StreamGroup{name: string(name), LastID: last, EntriesRead: entriesRead}
	s.groups = append(s.groups, nil)
	copy(s.groups[i+1:], s.groups[i:])
	s.groups[i] = g
	return g
}

// DestroyGroup removes the named group; it reports whether it existed.
func (s *Stream) DestroyGroup(name []byte) bool {
	i, ok := s.groupIndex(name)
	if !ok {
		return false
	}
	copy(s.groups[i:], s.groups[i+1:])
	s.groups[len(s.groups)-1] = nil
	s.groups = s.groups[:len(s.groups)-1]
	return true
}

// --- reading through a group ---

// ReadGroup serves XREADGROUP's ">" (new entries) for consumer c of g: it calls fn for
// up to count entries (0: no limit) with an ID of at least start, moving the group's
// last delivered ID and read counter, and, unless noack, adding each entry to the
// pending lists as delivered at now. It returns the number of entries read.
func (s *Stream) ReadGroup(g *StreamGroup, c *StreamConsumer, start StreamID, count int, noack bool, now int64, fn func(id StreamID, fv [][]byte)) int {
	n := 0
	s.Range(start, MaxStreamID, false, func(id StreamID, fv [][]byte) bool {
		if g.LastID.Less(id) {
			if g.EntriesRead != -1 && !s.rangeHasTombstones(id, MaxStreamID) {
				g.EntriesRead++
			} else if s.entriesAdded != 0 {
				g.EntriesRead = s.estimateDistance(id)
			}
			g.LastID = id
		}
		fn(id, fv)
		if !noack {
			g.deliver(id, c, now)
		}
		n++
		return count == 0 || n < count
	})
	return n
}

// ReadHistory serves XREADGROUP with an ID: consumer c's pending entries with an ID
// of at least start, up to count (0: no limit). fn gets each entry's fields, or
// ok == false for an entry deleted since; delivered entries count a new delivery at
// now. It returns the number of entries reported.
func (s *Stream) ReadHistory(c *StreamConsumer, start StreamID, count int, now int64, fn func(id StreamID, fv [][]byte, ok bool)) int {
	n := 0
	c.pel.scan(start, func(id StreamID, nack *StreamNACK) bool {
		found := false
		s.Range(id, id, false, func(id StreamID, fv [][]byte) bool {
			fn(id, fv, true)
			found = true
			return false
		})
		if found {
			nack.DeliveryTime = now
			nack.DeliveryCount++
		} else {
			fn(id, nil, false)
		}
		n++
		return count == 0 || n < count
	})
	return n
}

// rangeHasTombstones reports whether an entry deleted by XDEL may lie in
// [start, end].
func (s *Stream) rangeHasTombstones(start, end StreamID) bool {
	if s.length == 0 || s.maxDeletedID.IsZero() {
		return false
	}
	if s.maxDeletedID.Less(s.firstID) {
		return false
	}
	return !s.maxDeletedID.Less(start) && !end.Less(s.maxDeletedID)
}

// estimateDistance returns the logical read counter of id (the number of entries
// added up to it), or -1 when it cannot be known.
func (s *Stream) estimateDistance(id StreamID) int64 {
	if s.entriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Cmp(s.lastID) < 1 {
		return int64(s.entriesAdded)
	}
	switch id.Cmp(s.lastID) {
	case 0:
		return int64(s.entriesAdded)
	case 1:
		return -1
	}
	if s.maxDeletedID.IsZero() || s.maxDeletedID.Less(s.firstID) {
		switch id.Cmp(s.firstID) {
		case -1:
			return int64(s.entriesAdded) - s.length
		case 0:
			return int64(s.entriesAdded) - s.length + 1
		}
	}
	return -1
}

// Lag returns the number of entries not yet delivered to g; ok is false when it
// cannot be known (XINFO then reports a null).
func (s *Stream) Lag(g *StreamGroup) (int64, bool) {
	if s.entriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != -1 && !s.rangeHasTombstones(g.LastID, MaxStreamID) {
		return int64(s.entriesAdded) - g.EntriesRead, true
	}
	if read := s.estimateDistance(g.LastID); read != -1 {
		return int64(s.entriesAdded) - read, true
	}
	return 0, false
}

// --- pending entries lists ---

const pelChunkMax = 128

type pelEntry struct {
	id   StreamID
	nack *StreamNACK
}

type pel struct {
	chunks [][]pelEntry
	n      int
}

// locate returns the chunk and position of the first entry with an ID of at least id
// (ci == len(chunks) when there is none).
func (p *pel) locate(id StreamID) (ci, i int) {
	ci = sort.Search(len(p.chunks), func(k int) bool {
		c := p.chunks[k]
		return !c[len(c)-1].id.Less(id)
	})
	if ci == len(p.chunks) {
		return ci, 0
	}
	c := p.chunks[ci]
	i = sort.Search(len(c), func(k int) bool { return !c[k].id.Less(id) })
	return ci, i
}

func (p *pel) get(id StreamID) *StreamNACK {
	ci, i := p.locate(id)
	if ci < len(p.chunks) && p.chunks[ci][i].id == id {
		return p.chunks[ci][i].nack
	}
	return nil
}

// insert adds (id, n); it returns false if id is present.
func (p *pel) insert(id StreamID, n *StreamNACK) bool {
	ci, i := p.locate(id)
	if ci < len(p.chunks) && p.chunks[ci][i].id == id {
		return false
	}
	p.n++
	if ci == len(p.chunks) { // after every entry: append to the last chunk
		if ci > 0 && len(p.chunks[ci-1]) < pelChunkMax {
			p.chunks[ci-1] = append(p.chunks[ci-1], pelEntry{id, n})
			return true
		}
		c := make([]pelEntry, 1, 8)
		c[0] = pelEntry{id, n}
		p.chunks = append(p.chunks, c)
		return true
	}
	c := p.chunks[ci]
	if len(c) >= pelChunkMax { // split the full chunk in halves
		half := len(c) / 2
		right := append(make([]pelEntry, 0, pelChunkMax), c[half:]...)
		clear(c[half:])
		left := c[:half:pelChunkMax]
		p.chunks = append(p.chunks, nil)
		copy(p.chunks[ci+2:], p.chunks[ci+1:])
		p.chunks[ci], p.chunks[ci+1] = left, right
		if i > half {
			ci, i = ci+1, i-half
		}
		c = p.chunks[ci]
	}
	c = append(c, pelEntry{})
	copy(c[i+1:], c[i:])
	c[i] = pelEntry{id, n}
	p.chunks[ci] = c
	return true
}

// remove deletes id and returns its NACK, or nil.
func (p *pel) remove(id StreamID) *StreamNACK {
	ci, i := p.locate(id)
	if ci == len(p.chunks) || p.chunks[ci][i].id != id {
		return nil
	}
	c := p.chunks[ci]
	n := c[i].nack
	copy(c[i:], c[i+1:])
	c[len(c)-1] = pelEntry{}
	c = c[:len(c)-1]
	p.n--
	switch {
	case len(c) == 0:
		copy(p.chunks[ci:], p.chunks[ci+1:])
		p.chunks[len(p.chunks)-1] = nil
		p.chunks = p.chunks[:len(p.chunks)-1]
	case len(c) < pelChunkMax/4 && ci+1 < len(p.chunks) && len(c)+len(p.chunks[ci+1]) <= pelChunkMax:
		p.chunks[ci] = append(c, p.chunks[ci+1]...)
		copy(p.chunks[ci+1:], p.chunks[ci+2:])
		p.chunks[len(p.chunks)-1] = nil
		p.chunks = p.chunks[:len(p.chunks)-1]
	default:
		p.chunks[ci] = c
	}
	return n
}

// scan calls fn for entries with an ID of at least start, in order, until fn returns
// false. fn may remove the entry it is given from this list.
func (p *pel) scan(start StreamID, fn func(id StreamID, n *StreamNACK) bool) {
	ci, i := p.locate(start)
	for ci < len(p.chunks) {
		c := p.chunks[ci]
		if i >= len(c) {
			ci, i = ci+1, 0
			continue
		}
		e := c[i]
		if !fn(e.id, e.nack) {
			return
		}
		// Continue after e, finding it again if fn changed the list.
		if ci < len(p.chunks) && i < len(p.chunks[ci]) && p.chunks[ci][i].id == e.id {
			i++
			continue
		}
		next, ok := e.id.Incr()
		if !ok {
			return
		}
		ci, i = p.locate(next)
	}
}
