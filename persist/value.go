package persist

import (
	"github.com/cinnabar-db/cinnabar/store"
)

// RDB value types. Redis 7.0 writes 0, 2, 4, 5, 11, 16, 17, 18 and 19 and reads all of
// these (6 and 7 are module values, which need the module).
const (
	TypeString            = 0
	TypeList              = 1
	TypeSet               = 2
	TypeZSet              = 3
	TypeHash              = 4
	TypeZSet2             = 5
	TypeHashZipmap        = 9
	TypeListZiplist       = 10
	TypeSetIntset         = 11
	TypeZSetZiplist       = 12
	TypeHashZiplist       = 13
	TypeListQuicklist     = 14
	TypeStreamListpacks   = 15
	TypeHashListpack      = 16
	TypeZSetListpack      = 17
	TypeListQuicklist2    = 18
	TypeStreamListpacks2  = 19
	quicklistNodePlain    = 1
	quicklistNodePacked   = 2
	quicklistPlainSize    = 1 << 30 // elements this large get a node of their own
	quicklistSafetyLimit  = 8192
	quicklistSizeEstimate = 8 // what Redis adds to an element's size when checking fill
)

// WriteValue writes a value: its type byte, then its encoding, chosen from the
// value's current encoding as Redis 7.0 chooses it.
func (e *Encoder) WriteValue(v *store.Entry) {
	switch v.Type() {
	case store.TypeString:
		e.writeType(TypeString)
		e.WriteString(v.Bytes())
	case store.TypeList:
		e.writeList(v.List())
	case store.TypeSet:
		e.writeSet(v.SetValue())
	case store.TypeHash:
		e.writeHash(v.Hash())
	case store.TypeZSet:
		e.writeZSet(v.ZSet())
	case store.TypeStream:
		e.writeStream(v.Stream())
	}
}

// ReadValue reads a value of RDB type typ (the byte before it). lim gives the
// encoding thresholds the value is rebuilt under, as a fresh value would be. Any
// structural fault is a *FormatError, and nothing is half-built.
func (d *Decoder) ReadValue(typ byte, lim *store.Limits) (*store.Entry, error) {
	switch typ {
	case TypeString:
		s, err := d.ReadString()
		if err != nil {
			return nil, err
		}
		return store.NewString(s), nil
	case TypeList, TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		return d.readList(typ, lim)
	case TypeSet, TypeSetIntset:
		return d.readSet(typ, lim)
	case TypeHash, TypeHashZipmap, TypeHashZiplist, TypeHashListpack:
		return d.readHash(typ, lim)
	case TypeZSet, TypeZSet2, TypeZSetZiplist, TypeZSetListpack:
		return d.readZSet(typ, lim)
	case TypeStreamListpacks, TypeStreamListpacks2:
		return d.readStream(typ)
	}
	return nil, badf("unknown value type %d", typ)
}

var errEmpty = &FormatError{"empty collection"}
