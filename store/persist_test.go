package store

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStreamRestorerRebuildsNodes rebuilds a stream with tombstones, a trimmed head
// and several node shapes from its Nodes view: the copy's nodes are the same bytes.
func TestStreamRestorerRebuildsNodes(t *testing.T) {
	s := NewStream()
	for i := 1; i <= 450; i++ {
		fv := [][]byte{[]byte("f"), []byte(strconv.Itoa(i))}
		if i%60 == 0 {
			fv = [][]byte{[]byte("other"), []byte("x"), []byte("f"), []byte("y")}
		}
		require.NoError(t, s.Append(StreamID{Ms: uint64(i / 3), Seq: uint64(i % 3)}, fv, 200, 7))
	}
	s.Delete([]StreamID{{Ms: 20, Seq: 0}, {Ms: 20, Seq: 1}, {Ms: 100, Seq: 2}})
	s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 400})
	s.SetMaxDeletedID(StreamID{Ms: 100, Seq: 2})

	r := NewStreamRestorer()
	s.Nodes(func(n *StreamNode) bool {
		for i, e := range n.Entries {
			var fv [][]byte
			for j := range e.Fields {
				fv = append(fv, e.Fields[j], e.Values[j])
			}
			require.NoError(t, r.Add(e.ID, fv, e.Deleted, i == 0))
		}
		return true
	})
	first := s.FirstID()
	c, err := r.Finish(s.LastID(), &first, s.MaxDeletedID(), s.EntriesAdded())
	require.NoError(t, err)
	require.Equal(t, len(s.nodes), len(c.nodes))
	for i, n := range s.nodes {
		m := c.nodes[i]
		require.Equal(t, n.master, m.master, "node %d", i)
		require.Equal(t, string(n.buf), string(m.buf), "node %d", i)
		require.Equal(t, [5]int64{int64(n.hdr), int64(n.nmf), int64(n.live), int64(n.dead), n.rbase},
			[5]int64{int64(m.hdr), int64(m.nmf), int64(m.live), int64(m.dead), m.rbase}, "node %d", i)
	}
	require.Equal(t, [4]any{s.Len(), s.LastID(), s.MaxDeletedID(), s.EntriesAdded()},
		[4]any{c.Len(), c.LastID(), c.MaxDeletedID(), c.EntriesAdded()})

	// Without a recorded first ID, the first live entry's is taken.
	r = NewStreamRestorer()
	require.NoError(t, r.Add(StreamID{Ms: 1}, nil, true, true))
	require.NoError(t, r.Add(StreamID{Ms: 2}, nil, false, false))
	c, err = r.Finish(StreamID{Ms: 2}, nil, StreamID{}, 2)
	require.NoError(t, err)
	require.Equal(t, StreamID{Ms: 2}, c.FirstID())
}

func TestStreamRestorerRejects(t *testing.T) {
	fv := [][]byte{[]byte("f"), []byte("v")}
	r := NewStreamRestorer()
	require.NoError(t, r.Add(StreamID{Ms: 5}, fv, false, true))
	require.ErrorIs(t, r.Add(StreamID{Ms: 5}, fv, false, false), ErrStreamLayout, "a repeated ID")
	require.ErrorIs(t, r.Add(StreamID{Ms: 4}, fv, false, true), ErrStreamLayout, "an ID going back")
	_, err := r.Finish(StreamID{Ms: 4}, nil, StreamID{}, 1)
	require.ErrorIs(t, err, ErrStreamLayout, "a last ID below the last entry")

	r = NewStreamRestorer()
	require.NoError(t, r.Add(StreamID{Ms: 1}, fv, true, true))
	require.ErrorIs(t, r.Add(StreamID{Ms: 2}, fv, false, true), ErrStreamLayout, "a node of deleted entries only")
	r = NewStreamRestorer()
	require.NoError(t, r.Add(StreamID{Ms: 1}, fv, true, true))
	_, err = r.Finish(StreamID{Ms: 1}, nil, StreamID{}, 1)
	require.ErrorIs(t, err, ErrStreamLayout, "a last node of deleted entries only")
}

func TestRestoreAccess(t *testing.T) {
	ks, clk, _ := newTestKeyspace()
	e := NewString([]byte("v"))
	ks.DB(0).Set([]byte("k"), e, Event{})
	ks.RestoreAccess(e, 120, -1)
	require.Equal(t, int64(120), e.IdleSeconds(clk.UnixMilli()))
	ks.RestoreAccess(e, -1, 7) // a frequency means nothing under LRU
	require.Equal(t, int64(120), e.IdleSeconds(clk.UnixMilli()))

	ks.SetLFU(true)
	ks.RestoreAccess(e, -1, 200)
	require.Equal(t, uint8(200), ks.LFUFrequency(e))
	ks.RestoreAccess(e, 50, -1) // an idle time means nothing under LFU
	require.Equal(t, uint8(200), ks.LFUFrequency(e))
}

func TestPersistAccessors(t *testing.T) {
	ks, _, _ := newTestKeyspace()
	lim := &ks.Limits
	s := NewSet().SetValue()
	for _, m := range []string{"3", "-1", "2"} {
		s.Add([]byte(m), lim)
	}
	require.Equal(t, []int64{-1, 2, 3}, s.Ints())
	s.Add([]byte("x"), lim)
	require.Nil(t, s.Ints(), "a hashtable has no ints")
	require.Equal(t, -3, NewList(-3).Fill())
	require.Equal(t, 2, ListpackElemSize([]byte("7")))
	require.Equal(t, 2+64+1, ListpackElemSize(make([]byte, 64)), "a 12-bit length, the data, a 1-byte back-length")
}

func TestLoadedConstructors(t *testing.T) {
	ks, _, _ := newTestKeyspace()
	lim := &ks.Limits
	lim.SetMaxIntsetEntries.Store(3)
	lim.HashMaxListpackEntries.Store(2)
	members := func(ms ...string) [][]byte {
		var out [][]byte
		for _, m := range ms {
			out = append(out, []byte(m))
		}
		return out
	}
	for _, c := range []struct {
		members []string
		enc     string
	}{
		{[]string{"3", "-1", "2"}, "intset"}, {[]string{"3", "-1", "2", "4"}, "hashtable"},
		{[]string{"1", "a"}, "hashtable"}, {[]string{"01"}, "hashtable"},
	} {
		e, ok := NewSetLoaded(members(c.members...), lim)
		require.True(t, ok)
		require.Equal(t, c.enc, e.Encoding(), "%v", c.members)
		require.Equal(t, len(c.members), e.SetValue().Len())
	}
	for _, dup := range [][]string{{"1", "2", "1"}, {"a", "b", "a"}, {"1", "2", "3", "1"}} {
		_, ok := NewSetLoaded(members(dup...), lim)
		require.False(t, ok, "%v", dup)
	}
	h, ok := NewHashLoaded(members("f", "1", "g", "2"), lim)
	require.True(t, ok)
	require.Equal(t, "listpack", h.Encoding())
	h, ok = NewHashLoaded(members("f", "1", "g", "2", "h", "3"), lim)
	require.True(t, ok)
	require.Equal(t, "hashtable", h.Encoding())
	v, _ := h.Hash().Get([]byte("h"))
	require.Equal(t, "3", string(v))
	for _, dup := range [][]string{{"f", "1", "f", "2"}, {"f", "1", "g", "2", "f", "3"}} {
		_, ok := NewHashLoaded(members(dup...), lim)
		require.False(t, ok, "%v", dup)
	}
}
