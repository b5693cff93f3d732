package persist

import (
	"encoding/binary"

	"github.com/cinnabar-db/cinnabar/store"
)

// Streams are written as STREAM_LISTPACKS_2, the stream encoding of Redis 7.0 (RDB 10):
//
//	<nodes> (<master ID: 16-byte string> <listpack: string>)...
//	<length> <last ID> <first ID> <max deleted ID> <entries added>
//	<groups> (<name> <last ID> <entries read>
//	          <PEL count> (<ID: 16 raw bytes> <delivery time: ms> <delivery count>)...
//	          <consumers> (<name> <seen time: ms> <PEL count> <ID: 16 raw bytes>...)...)...
//
// IDs are two lengths (ms, seq) except where noted. A node's listpack is Redis's:
//
//	master entry: <live> <deleted> <field count> <field>... 0
//	entry:        <flags> <ms-master.ms> <seq-master.seq> [<field count> (<field> <value>)... | <value>...] <element count>
//
// where flags say deleted (1) and same fields as the master entry (2, only values
// stored), and the element count is the entry's elements before it. The store keeps
// streams in nodes of the same shape (same boundaries, deleted entries kept), so a
// stream dumps byte-identical to Redis's.
//
// STREAM_LISTPACKS (15, Redis 5 to 6.2) lacks the first ID, the max deleted ID, the
// entries added and the groups' read counters; they are derived as Redis derives them.

const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

func appendStreamID(b []byte, id store.StreamID) []byte {
	b = binary.BigEndian.AppendUint64(b, id.Ms)
	return binary.BigEndian.AppendUint64(b, id.Seq)
}

func (e *Encoder) writeID(id store.StreamID) {
	e.WriteLen(id.Ms)
	e.WriteLen(id.Seq)
}

func (e *Encoder) writeStream(s *store.Stream) {
	e.writeType(TypeStreamListpacks2)
	e.WriteLen(uint64(s.NodeCount()))
	var key []byte
	s.Nodes(func(n *store.StreamNode) bool {
		key = appendStreamID(key[:0], n.Master)
		e.WriteString(key)
		e.WriteString(streamListpack(n))
		return true
	})
	e.WriteLen(uint64(s.Len()))
	e.writeID(s.LastID())
	e.writeID(s.FirstID())
	e.writeID(s.MaxDeletedID())
	e.WriteLen(s.EntriesAdded())
	e.WriteLen(uint64(len(s.Groups())))
	for _, g := range s.Groups() {
		e.WriteString([]byte(g.Name()))
		e.writeID(g.LastID)
		e.WriteLen(uint64(g.EntriesRead))
		e.WriteLen(uint64(g.PendingLen()))
		g.PendingRange(store.StreamID{}, func(id store.StreamID, n *store.StreamNACK) bool {
			key = appendStreamID(key[:0], id)
			e.WriteRaw(key)
			e.WriteMillis(n.DeliveryTime)
			e.WriteLen(uint64(n.DeliveryCount))
			return true
		})
		e.WriteLen(uint64(len(g.Consumers())))
		for _, c := range g.Consumers() {
			e.WriteString([]byte(c.Name()))
			e.WriteMillis(c.SeenTime)
			e.WriteLen(uint64(c.PendingLen()))
			c.PendingRange(store.StreamID{}, func(id store.StreamID, _ *store.StreamNACK) bool {
				key = appendStreamID(key[:0], id)
				e.WriteRaw(key)
				return true
			})
		}
	}
}

// streamListpack encodes a node as Redis's listpack.
func streamListpack(n *store.StreamNode) []byte {
	w := newLPWriter()
	w.Int(int64(n.Live))
	w.Int(int64(n.Deleted))
	w.Int(int64(len(n.MasterFields)))
	for _, f := range n.MasterFields {
		w.String(f)
	}
	w.Int(0)
	for _, ent := range n.Entries {
		flags := int64(0)
		if ent.Deleted {
			flags |= streamFlagDeleted
		}
		if ent.SameFields {
			flags |= streamFlagSameFields
		}
		w.Int(flags)
		w.Int(int64(ent.ID.Ms - n.Master.Ms))
		w.Int(int64(ent.ID.Seq - n.Master.Seq))
		count := 3 + len(ent.Values)
		if !ent.SameFields {
			w.Int(int64(len(ent.Fields)))
			count += 1 + len(ent.Fields)
		}
		for i, v := range ent.Values {
			if !ent.SameFields {
				w.String(ent.Fields[i])
			}
			w.String(v)
		}
		w.Int(int64(count))
	}
	return w.Finish()
}

func (d *Decoder) readID() (store.StreamID, error) {
	ms, err := d.ReadLen()
	if err != nil {
		return store.StreamID{}, err
	}
	seq, err := d.ReadLen()
	return store.StreamID{Ms: ms, Seq: seq}, err
}

func (d *Decoder) readRawID() (store.StreamID, error) {
	b, err := d.ReadRaw(16)
	if err != nil {
		return store.StreamID{}, err
	}
	return store.StreamID{Ms: binary.BigEndian.Uint64(b), Seq: binary.BigEndian.Uint64(b[8:])}, nil
}

func (d *Decoder) readStream(typ byte) (*store.Entry, error) {
	nodes, err := d.readCount(2)
	if err != nil {
		return nil, err
	}
	r := store.NewStreamRestorer()
	for ; nodes > 0; nodes-- {
		key, err := d.ReadString()
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, badf("stream node key of %d bytes", len(key))
		}
		master := store.StreamID{Ms: binary.BigEndian.Uint64(key), Seq: binary.BigEndian.Uint64(key[8:])}
		elems, err := d.readBlob(func(lp []byte) ([]lpElem, error) { return listpackElems(lp, false) })
		if err != nil {
			return nil, err
		}
		if err := restoreStreamNode(r, master, elems); err != nil {
			return nil, err
		}
	}
	length, err := d.ReadLen()
	if err != nil {
		return nil, err
	}
	last, err := d.readID()
	if err != nil {
		return nil, err
	}
	var first *store.StreamID
	var maxDeleted store.StreamID
	entriesAdded := length
	if typ == TypeStreamListpacks2 {
		id, err := d.readID()
		if err != nil {
			return nil, err
		}
		first = &id
		if maxDeleted, err = d.readID(); err != nil {
			return nil, err
		}
		if entriesAdded, err = d.ReadLen(); err != nil {
			return nil, err
		}
	}
	s, err := r.Finish(last, first, maxDeleted, entriesAdded)
	if err != nil {
		return nil, badf("%v", err)
	}
	if uint64(s.Len()) != length {
		return nil, badf("stream length %d, %d entries", length, s.Len())
	}
	if err := d.readGroups(typ, s); err != nil {
		return nil, err
	}
	return store.NewStreamEntry(s), nil
}

// restoreStreamNode checks a node's listpack (see the layout above) and adds its
// entries.
func restoreStreamNode(r *store.StreamRestorer, master store.StreamID, elems []lpElem) error {
	bad := badf("stream node listpack")
	i := 0
	next := func() (lpElem, bool) {
		if i >= len(elems) {
			return lpElem{}, false
		}
		i++
		return elems[i-1], true
	}
	nextInt := func() (int64, bool) {
		el, ok := next()
		if !ok {
			return 0, false
		}
		return el.Int()
	}
	live, ok1 := nextInt()
	deleted, ok2 := nextInt()
	nmf, ok3 := nextInt()
	if !ok1 || !ok2 || !ok3 || live < 0 || deleted < 0 || nmf < 0 || nmf > int64(len(elems)) {
		return bad
	}
	masterFields := make([][]byte, nmf)
	for k := range masterFields {
		el, ok := next()
		if !ok {
			return bad
		}
		masterFields[k] = el.Bytes()
	}
	if zero, ok := nextInt(); !ok || zero != 0 {
		return bad
	}
	var seenLive, seenDeleted int64
	for first := true; i < len(elems); first = false {
		flags, ok1 := nextInt()
		msd, ok2 := nextInt()
		seqd, ok3 := nextInt()
		if !ok1 || !ok2 || !ok3 {
			return bad
		}
		nf, want := nmf, nmf+3
		if flags&streamFlagSameFields == 0 {
			var ok bool
			if nf, ok = nextInt(); !ok || nf < 0 || nf > int64(len(elems)) {
				return bad
			}
			want = 2*nf + 4
		}
		fv := make([][]byte, 0, 2*nf)
		for k := int64(0); k < nf; k++ {
			var f []byte
			if flags&streamFlagSameFields != 0 {
				f = masterFields[k]
			} else {
				el, ok := next()
				if !ok {
					return bad
				}
				f = el.Bytes()
			}
			v, ok := next()
			if !ok {
				return bad
			}
			fv = append(fv, f, v.Bytes())
		}
		if count, ok := nextInt(); !ok || count != want {
			return bad
		}
		id := store.StreamID{Ms: master.Ms + uint64(msd), Seq: master.Seq + uint64(seqd)}
		isDeleted := flags&streamFlagDeleted != 0
		if isDeleted {
			seenDeleted++
		} else {
			seenLive++
		}
		if err := r.Add(id, fv, isDeleted, first); err != nil {
			return badf("%v", err)
		}
	}
	if seenLive != live || seenDeleted != deleted {
		return badf("stream node counts differ from its entries' flags")
	}
	return nil
}

func (d *Decoder) readGroups(typ byte, s *store.Stream) error {
	groups, err := d.readCount(4)
	if err != nil {
		return err
	}
	for ; groups > 0; groups-- {
		name, err := d.ReadString()
		if err != nil {
			return err
		}
		last, err := d.readID()
		if err != nil {
			return err
		}
		var read int64
		if typ == TypeStreamListpacks2 {
			n, err := d.ReadLen()
			if err != nil {
				return err
			}
			read = int64(n)
		} else {
			read = s.EstimateReadCounter(last)
		}
		g := s.CreateGroup(name, last, read)
		if g == nil {
			return badf("duplicate consumer group")
		}
		pending, err := d.readCount(18)
		if err != nil {
			return err
		}
		for ; pending > 0; pending-- {
			id, err := d.readRawID()
			if err != nil {
				return err
			}
			at, err := d.ReadMillis()
			if err != nil {
				return err
			}
			count, err := d.ReadLen()
			if err != nil {
				return err
			}
			if g.Pending(id) != nil {
				return badf("duplicate pending entry")
			}
			g.ForcePending(id, at).DeliveryCount = int64(count)
		}
		consumers, err := d.readCount(10)
		if err != nil {
			return err
		}
		for ; consumers > 0; consumers-- {
			name, err := d.ReadString()
			if err != nil {
				return err
			}
			seen, err := d.ReadMillis()
			if err != nil {
				return err
			}
			c := g.CreateConsumer(name, seen)
			if c == nil {
				return badf("duplicate consumer")
			}
			owned, err := d.readCount(16)
			if err != nil {
				return err
			}
			for ; owned > 0; owned-- {
				id, err := d.readRawID()
				if err != nil {
					return err
				}
				n := g.Pending(id)
				if n == nil || n.Consumer() != nil {
					return badf("consumer pending entry not in the group's, or owned twice")
				}
				g.Claim(id, n, c)
			}
		}
		orphan := false
		g.PendingRange(store.StreamID{}, func(_ store.StreamID, n *store.StreamNACK) bool {
			orphan = n.Consumer() == nil
			return !orphan
		})
		if orphan {
			return badf("pending entry without a consumer")
		}
	}
	return nil
}
