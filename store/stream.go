package store

import (
	"encoding/binary"
	"math"
	"sort"
	"strconv"
	"unsafe"
)

// The stream type.
//
// # Entries
//
// A Stream keeps its entries in nodes, each node one byte buffer of up to
// stream-node-max-entries entries, in the spirit of Redis's radix tree of listpacks
// (but its own format). The nodes sit in a slice sorted by their master ID, the ID of
// the first entry ever added to the node, so finding the node of an ID is a binary
// search, appending touches only the last node, and a range read costs O(log N) to
// find its start and O(1) per entry after.
//
//	Stream.nodes: [ node | node | node | ... ]           sorted by master ID
//	node.buf:     [ header | e0 | e1 | ... | en ]
//	header:       uvarint(n) field1 ... fieldN           the master fields
//	entry:        flags uvarint(ms-Δ) varint(seq-Δ) [uvarint(n) f1 v1 ... | v1 ... vN] backlen
//
// A string is uvarint(len) followed by its bytes. An entry's ID is stored as deltas
// against the node's master ID; an entry whose field names are the master fields
// (flag sameFields) stores only its values, so a stream of entries with the same shape
// stores each field name once per node. backlen is the entry's length written to be
// read from right to left, so a node is walked backwards as easily as forwards.
//
// Deletion marks an entry (flag deleted) and counts it in the node's dead count; a node
// whose last live entry is deleted is dropped. Like Redis, deleted entries are not
// compacted away: they still count toward the node's size until the node goes.
//
// # Node boundaries
//
// Node boundaries are visible to clients: XINFO STREAM reports radix-tree-keys (the
// node count) and radix-tree-nodes, and approximate trimming (MAXLEN ~, MINID ~) only
// drops whole nodes. So a node is closed exactly when Redis closes a listpack: when
// it holds stream-node-max-entries entries (live and deleted) or when the size Redis's
// listpack would have (rbytes, computed from listpack's encoding rules but never
// materialised) plus the new entry's raw field and value bytes reaches
// stream-node-max-bytes. radix-tree-nodes is computed from the master IDs as the node
// count of the compressed radix tree Redis's rax would build over them.
//
// # Consumer groups
//
// Groups, consumers and their pending entries lists live in stream_group.go.

// StreamID is a stream entry ID.
type StreamID struct{ Ms, Seq uint64 }

// MaxStreamID is the greatest stream ID ("+").
var MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}

// Cmp compares two IDs: -1, 0 or 1.
func (a StreamID) Cmp(b StreamID) int {
	switch {
	case a.Ms < b.Ms:
		return -1
	case a.Ms > b.Ms:
		return 1
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// Less reports whether a sorts before b.
func (a StreamID) Less(b StreamID) bool { return a.Ms < b.Ms || (a.Ms == b.Ms && a.Seq < b.Seq) }

// IsZero reports whether the ID is 0-0.
func (a StreamID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Incr returns the next ID; ok is false for the greatest ID.
func (a StreamID) Incr() (StreamID, bool) {
	switch {
	case a.Seq != math.MaxUint64:
		return StreamID{a.Ms, a.Seq + 1}, true
	case a.Ms != math.MaxUint64:
		return StreamID{a.Ms + 1, 0}, true
	}
	return StreamID{}, false
}

// Decr returns the previous ID; ok is false for 0-0.
func (a StreamID) Decr() (StreamID, bool) {
	switch {
	case a.Seq != 0:
		return StreamID{a.Ms, a.Seq - 1}, true
	case a.Ms != 0:
		return StreamID{a.Ms - 1, math.MaxUint64}, true
	}
	return StreamID{}, false
}

// Append appends the ID as "ms-seq".
func (a StreamID) Append(b []byte) []byte {
	b = strconv.AppendUint(b, a.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, a.Seq, 10)
}

// String formats the ID as "ms-seq".
func (a StreamID) String() string {
	var tmp [42]byte
	return string(a.Append(tmp[:0]))
}

func init() {
	typeOps[TypeStream] = valueOps{
		encoding: func(unsafe.Pointer) string { return "stream" },
		clone:    func(p unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer((*Stream)(p).Clone()) },
	}
}

// Stream is a stream value. Slices it hands out alias its storage: they are valid
// until the stream is next modified and must not be changed.
type Stream struct {
	nodes        []*snode
	length       int64
	lastID       StreamID
	firstID      StreamID // first live entry, 0-0 when empty
	maxDeletedID StreamID
	entriesAdded uint64
	groups       []*StreamGroup // sorted by name
	// tailPrealloc is what Redis preallocates for the listpack of the last node when
	// XADD opens it: stream-node-max-bytes, at most 4 KB (MEMORY USAGE counts it).
	tailPrealloc int32
}

// NewStream returns an empty stream.
func NewStream() *Stream { return &Stream{} }

// NewStreamEntry wraps s in an entry, ready for DB.Set. Unlike other types, an empty
// stream is a valid value.
func NewStreamEntry(s *Stream) *Entry { return newObject(TypeStream, unsafe.Pointer(s)) }

// Stream returns a stream value, or nil if the entry holds another type.
func (e *Entry) Stream() *Stream {
	if e.typ != TypeStream {
		return nil
	}
	return (*Stream)(e.ptr)
}

// Len returns the number of entries.
func (s *Stream) Len() int64 { return s.length }

// LastID is the greatest ID ever added (or set by XSETID).
func (s *Stream) LastID() StreamID { return s.lastID }

// FirstID is the ID of the first entry, 0-0 for an empty stream.
func (s *Stream) FirstID() StreamID { return s.firstID }

// MaxDeletedID is the greatest ID removed by XDEL (or set by XSETID).
func (s *Stream) MaxDeletedID() StreamID { return s.maxDeletedID }

// EntriesAdded counts the entries ever added.
func (s *Stream) EntriesAdded() uint64 { return s.entriesAdded }

// SetLastID, SetEntriesAdded and SetMaxDeletedID serve XSETID; the caller has checked
// the values.
func (s *Stream) SetLastID(id StreamID) { s.lastID = id }

// SetEntriesAdded sets the added-entries counter (XSETID ENTRIESADDED).
func (s *Stream) SetEntriesAdded(n uint64) { s.entriesAdded = n }

// SetMaxDeletedID sets the greatest deleted ID (XSETID MAXDELETEDID).
func (s *Stream) SetMaxDeletedID(id StreamID) { s.maxDeletedID = id }

// --- nodes ---

const (
	sfDeleted    = 1
	sfSameFields = 2
	// streamListpackMaxSize caps a node's size when stream-node-max-bytes is 0.
	streamListpackMaxSize = 1 << 30
)

type snode struct {
	master StreamID
	buf    []byte
	hdr    int32 // header length: entries start at buf[hdr]
	nmf    int32 // number of master fields
	live   int32 // live entries
	dead   int32 // entries marked deleted
	rbase  int64 // Redis listpack bytes, except the live and deleted counters
}

// rbytes is the size Redis's listpack for this node would have.
func (n *snode) rbytes() int64 { return n.rbase + lpIntSize(int64(n.live)) + lpIntSize(int64(n.dead)) }

// master fields of the node, decoded into dst.
func (n *snode) masterFields(dst [][]byte) [][]byte {
	dst = dst[:0]
	cnt, off := binary.Uvarint(n.buf)
	p := off
	for i := uint64(0); i < cnt; i++ {
		var f []byte
		f, p = readStr(n.buf, p)
		dst = append(dst, f)
	}
	return dst
}

func readStr(b []byte, off int) ([]byte, int) {
	var l uint64
	var k int
	if c := b[off]; c < 0x80 {
		l, k = uint64(c), 1
	} else {
		l, k = binary.Uvarint(b[off:])
	}
	s := off + k
	e := s + int(l)
	return b[s:e:e], e
}

func appendStr(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendBacklen writes n so that it reads from right to left: the low 7 bits in the
// last byte, a continuation bit on every byte but the leftmost.
func appendBacklen(b []byte, n int) []byte {
	k := 1
	for v := n >> 7; v > 0; v >>= 7 {
		k++
	}
	for j := k - 1; j >= 0; j-- {
		c := byte(n>>(7*j)) & 0x7f
		if j != k-1 {
			c |= 0x80
		}
		b = append(b, c)
	}
	return b
}

// readBacklen reads the length ending at end; it returns the length and its size.
func readBacklen(b []byte, end int) (int, int) {
	n, k := 0, 0
	for shift := 0; ; shift += 7 {
		k++
		c := b[end-k]
		n |= int(c&0x7f) << shift
		if c&0x80 == 0 {
			return n, k
		}
	}
}

// entry decoding. An entry is parsed into its ID and flags; when fv is not nil its
// fields and values are appended to it (aliasing the node's buffer).
type sentry struct {
	id    StreamID
	flags byte
	off   int // start of the entry
	next  int // start of the next entry
}

// decode parses the entry at off; mf must hold the master fields when fv is not nil.
func (n *snode) decode(off int, mf [][]byte, fv *[][]byte) sentry {
	b := n.buf
	e := sentry{off: off, flags: b[off]}
	p := off + 1
	msd, k := binary.Uvarint(b[p:])
	p += k
	seqd, k := binary.Varint(b[p:])
	p += k
	e.id = StreamID{n.master.Ms + msd, n.master.Seq + uint64(seqd)}
	if e.flags&sfSameFields != 0 {
		for i := 0; i < int(n.nmf); i++ {
			var v []byte
			v, p = readStr(b, p)
			if fv != nil {
				*fv = append(*fv, mf[i], v)
			}
		}
	} else {
		cnt, k := binary.Uvarint(b[p:])
		p += k
		for i := uint64(0); i < 2*cnt; i++ {
			var v []byte
			v, p = readStr(b, p)
			if fv != nil {
				*fv = append(*fv, v)
			}
		}
	}
	e.next = p + backlenLen(p-off)
	return e
}

func backlenLen(n int) int {
	k := 1
	for v := n >> 7; v > 0; v >>= 7 {
		k++
	}
	return k
}

// prevStart returns the start of the entry that ends at end (end > hdr).
func (n *snode) prevStart(end int) int {
	l, k := readBacklen(n.buf, end)
	return end - k - l
}

// lastEntryID returns the ID of the node's last entry, deleted or not.
func (n *snode) lastEntryID() StreamID {
	return n.decode(n.prevStart(len(n.buf)), nil, nil).id
}

// --- Redis listpack sizes (see the package comment on node boundaries) ---

func lpBacklenSize(l int64) int64 {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

func lpIntEncLen(v int64) int64 {
	switch {
	case v >= 0 && v <= 127:
		return 1
	case v >= -4096 && v <= 4095:
		return 2
	case v >= -32768 && v <= 32767:
		return 3
	case v >= -8388608 && v <= 8388607:
		return 4
	case v >= -2147483648 && v <= 2147483647:
		return 5
	}
	return 9
}

func lpIntSize(v int64) int64 {
	l := lpIntEncLen(v)
	return l + lpBacklenSize(l)
}

// lpStrSize is the size of a listpack element holding s: integers in canonical form
// are stored as integers.
func lpStrSize(s []byte) int64 {
	if v, ok := ParseInt(s); ok {
		return lpIntSize(v)
	}
	n := int64(len(s))
	var l int64
	switch {
	case n < 64:
		l = 1 + n
	case n < 4096:
		l = 2 + n
	default:
		l = 5 + n
	}
	return l + lpBacklenSize(l)
}

// --- appending ---

// streamError is an error of the stream type, worded as Redis replies it (without
// the "ERR " code).
type streamError string

func (e streamError) Error() string { return string(e) }

// Append errors.
var (
	ErrStreamIDTooSmall = streamError("The ID specified in XADD is equal or smaller than the target stream top item")
	ErrStreamTooLarge   = streamError("Elements are too large to be stored")
)

// NextID returns the ID an XADD would give an entry: id when given is set (with the
// sequence number chosen when seqGiven is false), else one derived from the time now
// (unix milliseconds). It fails when the ID is not greater than the last ID.
func (s *Stream) NextID(now int64, given *StreamID, seqGiven bool) (StreamID, error) {
	var id StreamID
	switch {
	case given == nil:
		ms := uint64(now)
		if now < 0 {
			ms = 0
		}
		if ms > s.lastID.Ms {
			id = StreamID{ms, 0}
		} else {
			var ok bool
			if id, ok = s.lastID.Incr(); !ok {
				return id, ErrStreamIDTooSmall
			}
		}
	case seqGiven:
		id = *given
	case given.Ms == s.lastID.Ms:
		if s.lastID.Seq == math.MaxUint64 {
			// Redis 7.0.15 reports this case with the "too large" error.
			return id, ErrStreamTooLarge
		}
		id = StreamID{given.Ms, s.lastID.Seq + 1}
	default:
		id = StreamID{given.Ms, 0}
	}
	if id.Cmp(s.lastID) <= 0 {
		return id, ErrStreamIDTooSmall
	}
	return id, nil
}

// Append adds an entry with fields and values fv (alternating), whose ID the caller
// obtained from NextID. maxBytes and maxEntries are stream-node-max-bytes and
// stream-node-max-entries.
func (s *Stream) Append(id StreamID, fv [][]byte, maxBytes, maxEntries int64) error {
	var total int64
	for _, f := range fv {
		total += int64(len(f))
	}
	if total > streamListpackMaxSize {
		return ErrStreamTooLarge
	}
	var tail *snode
	prevLen := 0
	if len(s.nodes) > 0 {
		tail = s.nodes[len(s.nodes)-1]
		if maxBytes <= 0 || maxBytes > streamListpackMaxSize {
			maxBytes = streamListpackMaxSize
		}
		if tail.rbytes()+total >= maxBytes || (maxEntries > 0 && int64(tail.live+tail.dead) >= maxEntries) {
			// The node is closed: give back its spare capacity, and size the next node
			// like this one, so a stream of similar entries grows without copying.
			prevLen = len(tail.buf)
			if cap(tail.buf)-prevLen > prevLen/8 {
				tail.buf = append(make([]byte, 0, prevLen), tail.buf...)
			}
			tail = nil
		}
	}
	nf := len(fv) / 2
	flags := byte(0)
	if tail == nil {
		size := binary.MaxVarintLen64
		for i := 0; i < nf; i++ {
			size += len(fv[2*i]) + binary.MaxVarintLen32
		}
		size += 3 + 2*binary.MaxVarintLen64 + int(total) + nf*binary.MaxVarintLen32
		tail = &snode{master: id, buf: make([]byte, 0, max(size, prevLen))}
		tail.buf = binary.AppendUvarint(tail.buf, uint64(nf))
		tail.rbase = 7 + lpIntSize(int64(nf)) + lpIntSize(0)
		for i := 0; i < nf; i++ {
			tail.buf = appendStr(tail.buf, fv[2*i])
			tail.rbase += lpStrSize(fv[2*i])
		}
		tail.hdr = int32(len(tail.buf))
		tail.nmf = int32(nf)
		s.nodes = append(s.nodes, tail)
		s.tailPrealloc = streamPrealloc
		if maxBytes > 0 && maxBytes < streamPrealloc {
			s.tailPrealloc = int32(maxBytes)
		}
		flags = sfSameFields
	} else {
		if int(tail.nmf) == nf {
			var scratch [16][]byte
			mf := tail.masterFields(scratch[:0])
			same := true
			for i := range mf {
				if string(mf[i]) != string(fv[2*i]) {
					same = false
					break
				}
			}
			if same {
				flags = sfSameFields
			}
		}
	}
	msd := id.Ms - tail.master.Ms
	seqd := int64(id.Seq - tail.master.Seq)
	start := len(tail.buf)
	b := append(tail.buf, flags)
	b = binary.AppendUvarint(b, msd)
	b = binary.AppendVarint(b, seqd)
	r := lpIntSize(int64(flags)) + lpIntSize(int64(msd)) + lpIntSize(seqd)
	lpCount := int64(nf) + 3
	if flags&sfSameFields != 0 {
		for i := 0; i < nf; i++ {
			b = appendStr(b, fv[2*i+1])
			r += lpStrSize(fv[2*i+1])
		}
	} else {
		b = binary.AppendUvarint(b, uint64(nf))
		r += lpIntSize(int64(nf))
		for _, f := range fv {
			b = appendStr(b, f)
			r += lpStrSize(f)
		}
		lpCount += int64(nf) + 1
	}
	r += lpIntSize(lpCount)
	tail.buf = appendBacklen(b, len(b)-start)
	tail.rbase += r
	tail.live++
	s.length++
	s.entriesAdded++
	s.lastID = id
	if s.length == 1 {
		s.firstID = id
	}
	return nil
}

// --- reading ---

// nodeFor returns the index of the node that would hold id: the last node whose
// master ID is not greater than id, or 0.
func (s *Stream) nodeFor(id StreamID) int {
	i := sort.Search(len(s.nodes), func(i int) bool { return id.Less(s.nodes[i].master) })
	if i > 0 {
		i--
	}
	return i
}

// Range calls fn for each live entry with start <= ID <= end, in ascending order (or
// descending when rev), until fn returns false. fv holds the fields and values,
// alternating; it is valid only during the call. fn must not modify the stream.
func (s *Stream) Range(start, end StreamID, rev bool, fn func(id StreamID, fv [][]byte) bool) {
	if len(s.nodes) == 0 || end.Less(start) {
		return
	}
	var mfBuf, fvBuf [16][]byte
	fv := fvBuf[:0]
	if !rev {
		for ni := s.nodeFor(start); ni < len(s.nodes); ni++ {
			n := s.nodes[ni]
			if end.Less(n.master) {
				return
			}
			mf := n.masterFields(mfBuf[:0])
			for off := int(n.hdr); off < len(n.buf); {
				fv = fv[:0]
				e := n.decode(off, mf, &fv)
				off = e.next
				if e.flags&sfDeleted != 0 || e.id.Less(start) {
					continue
				}
				if end.Less(e.id) {
					return
				}
				if !fn(e.id, fv) {
					return
				}
			}
		}
		return
	}
	for ni := s.nodeFor(end); ni >= 0; ni-- {
		n := s.nodes[ni]
		mf := n.masterFields(mfBuf[:0])
		for off := len(n.buf); off > int(n.hdr); {
			off = n.prevStart(off)
			fv = fv[:0]
			e := n.decode(off, mf, &fv)
			if e.flags&sfDeleted != 0 || end.Less(e.id) {
				continue
			}
			if e.id.Less(start) {
				return
			}
			if !fn(e.id, fv) {
				return
			}
		}
	}
}

// Get returns the fields and values of the live entry id, valid until the stream
// changes.
func (s *Stream) Get(id StreamID) ([][]byte, bool) {
	var out [][]byte
	found := false
	s.Range(id, id, false, func(_ StreamID, fv [][]byte) bool {
		out = append([][]byte(nil), fv...)
		found = true
		return false
	})
	return out, found
}

// Exists reports whether id is a live entry.
func (s *Stream) Exists(id StreamID) bool {
	if len(s.nodes) == 0 {
		return false
	}
	n := s.nodes[s.nodeFor(id)]
	for off := int(n.hdr); off < len(n.buf); {
		e := n.decode(off, nil, nil)
		if e.id == id {
			return e.flags&sfDeleted == 0
		}
		if id.Less(e.id) {
			return false
		}
		off = e.next
	}
	return false
}

// edgeID returns the first (or last) live entry's ID.
func (s *Stream) edgeID(last bool) (StreamID, bool) {
	var out StreamID
	found := false
	s.Range(StreamID{}, MaxStreamID, last, func(id StreamID, _ [][]byte) bool {
		out, found = id, true
		return false
	})
	return out, found
}

// LastValidID returns the ID of the last live entry; ok is false for an empty stream.
func (s *Stream) LastValidID() (StreamID, bool) { return s.edgeID(true) }

// --- deleting ---

// deleteEntry marks the live entry id deleted, dropping its node if it was the node's
// last live entry. It reports whether there was such an entry.
func (s *Stream) deleteEntry(id StreamID) bool {
	if len(s.nodes) == 0 {
		return false
	}
	ni := s.nodeFor(id)
	n := s.nodes[ni]
	for off := int(n.hdr); off < len(n.buf); {
		e := n.decode(off, nil, nil)
		if id.Less(e.id) {
			return false
		}
		if e.id == id {
			if e.flags&sfDeleted != 0 {
				return false
			}
			s.length--
			if n.live == 1 {
				s.removeNode(ni)
				return true
			}
			n.buf[off] |= sfDeleted
			n.live--
			n.dead++
			return true
		}
		off = e.next
	}
	return false
}

func (s *Stream) removeNode(i int) {
	if i == 0 {
		s.nodes[0] = nil
		s.nodes = s.nodes[1:]
		return
	}
	copy(s.nodes[i:], s.nodes[i+1:])
	s.nodes[len(s.nodes)-1] = nil
	s.nodes = s.nodes[:len(s.nodes)-1]
}

// Delete removes the entries with the given IDs (XDEL) and returns how many existed.
// It keeps the first ID and the greatest deleted ID up to date.
func (s *Stream) Delete(ids []StreamID) int {
	deleted := 0
	firstGone := false
	for _, id := range ids {
		if !s.deleteEntry(id) {
			continue
		}
		deleted++
		if id == s.firstID {
			firstGone = true
		}
		if s.maxDeletedID.Less(id) {
			s.maxDeletedID = id
		}
	}
	if deleted > 0 {
		if s.length == 0 {
			s.firstID = StreamID{}
		} else if firstGone {
			s.firstID, _ = s.edgeID(false)
		}
	}
	return deleted
}

// TrimStrategy is how Trim decides what to remove.
type TrimStrategy int

// Trim strategies.
const (
	TrimMaxLen TrimStrategy = iota + 1 // keep at most MaxLen entries
	TrimMinID                          // remove entries with an ID below MinID
)

// TrimArgs says how to trim: as XADD and XTRIM's MAXLEN/MINID, "~" and LIMIT do.
type TrimArgs struct {
	Strategy TrimStrategy
	MaxLen   int64
	MinID    StreamID
	Approx   bool
	Limit    int64 // most entries to remove, 0 for no limit
}

// Trim removes entries from the head as args say and returns how many it removed.
// Approximate trimming removes only whole nodes; exact trimming also marks entries
// of the first remaining node deleted. Like Redis, trimming does not move the
// greatest deleted ID.
func (s *Stream) Trim(a TrimArgs) int64 {
	var deleted int64
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && s.length <= a.MaxLen {
			break
		}
		n := s.nodes[0]
		entries := int64(n.live)
		if a.Limit != 0 && deleted+entries > a.Limit {
			break
		}
		var removeNode bool
		if a.Strategy == TrimMaxLen {
			removeNode = s.length-entries >= a.MaxLen
		} else {
			removeNode = n.lastEntryID().Less(a.MinID)
		}
		if removeNode {
			s.removeNode(0)
			s.length -= entries
			deleted += entries
			continue
		}
		if a.Approx {
			break
		}
		for off := int(n.hdr); off < len(n.buf); {
			e := n.decode(off, nil, nil)
			var stop bool
			if a.Strategy == TrimMaxLen {
				stop = s.length <= a.MaxLen
			} else {
				stop = !e.id.Less(a.MinID)
			}
			if stop {
				break
			}
			if e.flags&sfDeleted == 0 {
				n.buf[off] |= sfDeleted
				n.live--
				n.dead++
				s.length--
				deleted++
			}
			off = e.next
		}
		break
	}
	if s.length == 0 {
		s.firstID = StreamID{}
	} else {
		s.firstID, _ = s.edgeID(false)
	}
	return deleted
}

// --- introspection ---

// NodeCount is XINFO STREAM's radix-tree-keys: the number of nodes.
func (s *Stream) NodeCount() int { return len(s.nodes) }

// RaxNodes is XINFO STREAM's radix-tree-nodes: the node count of the compressed radix
// tree Redis builds over the nodes' 16-byte big-endian master IDs.
func (s *Stream) RaxNodes() int {
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		keys[i] = n.master.raxKey()
	}
	return raxNodes(keys)
}

// raxKey is the ID as a radix tree key: 16 bytes, big-endian.
func (a StreamID) raxKey() (k [16]byte) {
	binary.BigEndian.PutUint64(k[:8], a.Ms)
	binary.BigEndian.PutUint64(k[8:], a.Seq)
	return k
}

// raxNodes is the node count of Redis's radix tree over keys (sorted, distinct); an
// empty tree has its head node.
func raxNodes(keys [][16]byte) int {
	if len(keys) == 0 {
		return 1
	}
	return raxCount(keys, 0)
}

// raxCount counts the nodes of the subtree for keys (sorted, distinct, sharing their
// first depth bytes) from depth on: a leaf per key; at a fork, one node plus a subtree
// per distinct next byte; along a shared run of bytes, one (compressed) node.
func raxCount(keys [][16]byte, depth int) int {
	if depth == 16 {
		return 1
	}
	if len(keys) == 1 {
		return 2 // a compressed node holding the rest of the key, then the leaf
	}
	// Skip the bytes every key shares.
	first, last := keys[0], keys[len(keys)-1]
	d := depth
	for d < 16 && first[d] == last[d] {
		d++
	}
	count := 0
	if d > depth {
		count++ // the compressed node over the shared run
	}
	count++ // the fork
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][d] == keys[i][d] {
			j++
		}
		count += raxCount(keys[i:j], d+1)
		i = j
	}
	return count
}

// Clone returns a deep copy of the stream, its groups and their pending entries.
func (s *Stream) Clone() *Stream {
	c := &Stream{length: s.length, lastID: s.lastID, firstID: s.firstID,
		maxDeletedID: s.maxDeletedID, entriesAdded: s.entriesAdded, tailPrealloc: s.tailPrealloc}
	c.nodes = make([]*snode, len(s.nodes))
	for i, n := range s.nodes {
		cn := *n
		cn.buf = append([]byte(nil), n.buf...)
		c.nodes[i] = &cn
	}
	for _, g := range s.groups {
		c.groups = append(c.groups, g.clone())
	}
	return c
}
