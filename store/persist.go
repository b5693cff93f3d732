package store

import (
	"errors"
	"slices"
	"unsafe"
)

// Accessors and constructors for the persistence codec (package persist): the parts
// of the values' internals that the RDB encoding of a value needs to read, and the
// ways to rebuild a value from one. Kept here so that the type files stay about their
// types.

// Fill returns the list-max-listpack-size the list was created with.
func (l *List) Fill() int { return l.fill }

// Ints returns the members of an intset-encoded set, ascending, or nil for a
// hashtable. The slice is the set's own: it must not be modified.
func (s *Set) Ints() []int64 {
	if s.t != nil {
		return nil
	}
	return s.ints
}

// RestoreAccess applies the access metadata a restored key comes with, as Redis does:
// under an LFU policy a frequency (0-255) when one is given (freq >= 0), otherwise an
// idle time in seconds (idle >= 0). An idle time longer than the 24-bit LRU clock can
// express is pinned half a clock period back, so the key still looks long idle.
func (ks *Keyspace) RestoreAccess(e *Entry, idle, freq int64) {
	if ks.lfu.Load() {
		if freq >= 0 {
			e.lru = ks.minutes()<<8 | uint32(freq)
		}
		return
	}
	if idle < 0 {
		return
	}
	clock := int64(lruClock(ks.Clock.UnixMilli())) // the time OBJECT IDLETIME measures from
	at := clock - idle
	if at < 0 {
		at = (clock + lruClockMax/2) % lruClockMax
	}
	e.lru = uint32(at)
}

// StreamNodeEntry is one entry of a stream node as the node records it: deleted
// entries included, with their flags.
type StreamNodeEntry struct {
	ID      StreamID
	Deleted bool
	// SameFields says that the entry's field names are the node's master fields, so
	// only its values are stored.
	SameFields bool
	Fields     [][]byte // the field names (the master fields when SameFields)
	Values     [][]byte
}

// StreamNode is one node of a stream: its master ID (the ID of its first entry), the
// field names of that first entry, its live and deleted entry counts and its entries.
// It has the shape of a node of Redis's stream, so it maps to Redis's listpack
// one-to-one. Byte slices alias the stream's storage.
type StreamNode struct {
	Master        StreamID
	MasterFields  [][]byte
	Live, Deleted int
	Entries       []StreamNodeEntry
}

// Nodes calls fn for each node in ID order until fn returns false. The node is valid
// during the call only.
func (s *Stream) Nodes(fn func(n *StreamNode) bool) {
	var v StreamNode
	for _, n := range s.nodes {
		v = StreamNode{Master: n.master, MasterFields: n.masterFields(v.MasterFields), Live: int(n.live),
			Deleted: int(n.dead), Entries: v.Entries[:0]}
		for off := int(n.hdr); off < len(n.buf); {
			var fv [][]byte
			e := n.decode(off, v.MasterFields, &fv)
			ent := StreamNodeEntry{ID: e.id, Deleted: e.flags&sfDeleted != 0, SameFields: e.flags&sfSameFields != 0}
			for i := 0; i < len(fv); i += 2 {
				ent.Fields = append(ent.Fields, fv[i])
				ent.Values = append(ent.Values, fv[i+1])
			}
			v.Entries = append(v.Entries, ent)
			off = e.next
		}
		if !fn(&v) {
			return
		}
	}
}

// ErrStreamLayout reports stream entries that do not form a valid stream.
var ErrStreamLayout = errors.New("stream entries out of order or inconsistent")

// StreamRestorer rebuilds a stream from its persisted form, node by node, so that the
// result has the original's nodes (and deleted entries) exactly.
type StreamRestorer struct {
	s       *Stream
	deleted []StreamID
	live    int // live entries of the current node
}

// NewStreamRestorer starts an empty stream.
func NewStreamRestorer() *StreamRestorer { return &StreamRestorer{s: NewStream()} }

// Add appends an entry (fields and values alternating in fv); newNode starts a new
// node with it. IDs must ascend strictly, and every node must keep a live entry.
func (r *StreamRestorer) Add(id StreamID, fv [][]byte, deleted, newNode bool) error {
	s := r.s
	if len(s.nodes) == 0 {
		newNode = true
	} else if !s.lastID.Less(id) || (newNode && r.live == 0) {
		return ErrStreamLayout
	}
	if newNode {
		r.live = 0
	}
	var maxEntries int64 // no limit: the node ends where the persisted one did
	if newNode {
		maxEntries = 1 // closes the current node, whatever it holds
	}
	if err := s.Append(id, fv, streamListpackMaxSize, maxEntries); err != nil {
		return err
	}
	if deleted {
		r.deleted = append(r.deleted, id)
	} else {
		r.live++
	}
	return nil
}

// Finish marks the deleted entries, sets the stream's counters (its last ID must not
// be below its last entry's) and returns it. A nil first means the first live entry's.
func (r *StreamRestorer) Finish(last StreamID, first *StreamID, maxDeleted StreamID, entriesAdded uint64) (*Stream, error) {
	s := r.s
	if (len(s.nodes) > 0 && r.live == 0) || last.Less(s.lastID) {
		return nil, ErrStreamLayout
	}
	for _, id := range r.deleted {
		s.deleteEntry(id) // every node keeps a live entry, so none is dropped
	}
	s.tailPrealloc = 0 // a loaded listpack is allocated to size; XADD's next node preallocates
	s.lastID, s.maxDeletedID, s.entriesAdded = last, maxDeleted, entriesAdded
	if first != nil {
		s.firstID = *first
	} else {
		s.firstID, _ = s.edgeID(false)
	}
	return s, nil
}

// ListpackElemSize is the bytes Redis's listpack takes for an element (its encoding,
// data and back-length): integers in canonical form are stored as integers.
func ListpackElemSize(s []byte) int { return int(lpStrSize(s)) }

// EstimateReadCounter is the logical read counter of id (the number of entries added
// up to it), or -1 when it cannot be known: what a group gets that was persisted
// without one (RDB before version 10).
func (s *Stream) EstimateReadCounter(id StreamID) int64 { return s.estimateDistance(id) }

// NewSetLoaded builds a set from its members as Redis loads one: an intset when they
// are all integers and no more than set-max-intset-entries, otherwise a hashtable
// sized for all of them at once (a table grown member by member degrades when the
// members come in its own hash order, as a set's dump lists them). ok is false when a
// member repeats.
func NewSetLoaded(members [][]byte, lim *Limits) (e *Entry, ok bool) {
	s := &Set{}
	if int64(len(members)) <= lim.SetMaxIntsetEntries.Load() {
		s.ints = make([]int64, 0, len(members))
		for _, m := range members {
			v, isInt := setMemberInt(m)
			if !isInt {
				s.ints = nil
				break
			}
			s.ints = append(s.ints, v)
		}
		if s.ints != nil {
			slices.Sort(s.ints)
			// Compact changes the sorted members only when one repeats, which fails the load.
			if len(slices.Compact(s.ints)) != len(s.ints) {
				return nil, false
			}
			return newObject(TypeSet, unsafe.Pointer(s)), true
		}
	}
	s.t = newHTable(len(members))
	for _, m := range members {
		if !s.t.set(m, nil) {
			return nil, false
		}
	}
	return newObject(TypeSet, unsafe.Pointer(s)), true
}

// NewHashLoaded builds a hash from its fields and values (alternating) as Redis loads
// one: with more fields than hash-max-listpack-entries, a hashtable sized for all of
// them at once (see NewSetLoaded); otherwise field by field under lim, in order. ok is
// false when a field repeats.
func NewHashLoaded(fv [][]byte, lim *Limits) (e *Entry, ok bool) {
	h := &Hash{}
	if int64(len(fv)/2) > lim.HashMaxListpackEntries.Load() {
		h.t = newHTable(len(fv) / 2)
	}
	for i := 0; i+1 < len(fv); i += 2 {
		if !h.Set(fv[i], fv[i+1], lim) {
			return nil, false
		}
	}
	return newObject(TypeHash, unsafe.Pointer(h)), true
}
