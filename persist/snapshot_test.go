package persist

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/store"
)

// imageContents loads an RDB file into a fresh keyspace and returns every key as
// "db/key" → its DUMP payload and deadline.
func imageContents(t *testing.T, rdb []byte, dbs int) map[string]string {
	t.Helper()
	ks := store.New(dbs, 4, &clock.Clock{})
	if _, err := ReadRDB(rdb, ks, 0); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i := 0; i < dbs; i++ {
		ks.DB(i).Each(func(key string, e *store.Entry) bool {
			out[fmt.Sprintf("%d/%s", i, key)] = fmt.Sprintf("%x@%d", Dump(e, false), e.ExpireAt())
			return true
		})
	}
	return out
}

// TestSnapshotIsPointInTime takes a store.Snapshot into an Image while goroutines keep
// writing every way the store offers (new keys, replacements, deletions, in-place
// changes, deadlines, expiry walks, FLUSHDB, SWAPDB), and requires the image to hold
// exactly the keyspace as it was when the snapshot began.
func TestSnapshotIsPointInTime(t *testing.T) {
	const dbs, keys = 4, 3000
	clk := &clock.Clock{}
	ks := store.New(dbs, 16, clk)
	lim := &ks.Limits
	now := clk.UnixMilli()
	for d := 0; d < 3; d++ {
		db := ks.DB(d)
		for i := range keys {
			k := []byte("k" + strconv.Itoa(i))
			var e *store.Entry
			switch i % 3 {
			case 0:
				e = store.NewString([]byte("v" + strconv.Itoa(i)))
			case 1:
				l := store.NewList(lim.ListMaxListpackSize.Load())
				l.PushBack([]byte("a"))
				e = store.NewListEntry(l)
			default:
				e = store.NewHash()
				e.Hash().Set([]byte("f"), []byte("x"), lim)
			}
			if i%7 == 0 {
				e.SetExpireAt(now + 1_000_000)
			}
			if i%11 == 0 {
				e.SetExpireAt(now - 1) // expired, not removed yet: a snapshot keeps it
			}
			db.Set(k, e, store.Event{})
		}
	}
	opt := SaveOptions{Now: now}
	var want bytes.Buffer
	all := ks.AllShards()
	ks.Lock(all)
	if err := WriteRDB(&want, ks, opt); err != nil {
		t.Fatal(err)
	}
	im := NewImage(ks, opt, ks.Shards())
	snap := ks.BeginSnapshot(im.Add)
	ks.DB(2).Flush() // before anything was encoded: the image still has db 2
	ks.SwapDB(0, 1)
	ks.Unlock(all)

	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for range 4000 {
				d := r.IntN(dbs)
				k := []byte("k" + strconv.Itoa(r.IntN(keys+500)))
				mask := uint64(1) << ks.ShardOf(k)
				ks.Lock(mask)
				db := ks.DB(d)
				switch r.IntN(6) {
				case 0:
					db.Set(k, store.NewString([]byte("new")), store.Event{})
				case 1:
					db.Delete(k, store.Event{})
				case 2: // in place
					if e := db.LookupWrite(k); e != nil {
						switch e.Type() {
						case store.TypeList:
							e.List().PushBack([]byte("more"))
						case store.TypeHash:
							e.Hash().Set([]byte("g"), []byte("y"), lim)
						}
						db.Changed(k, store.Event{})
					}
				case 3:
					if e := db.LookupWrite(k); e != nil {
						db.SetExpire(k, e, now+5)
					}
				case 4:
					db.Lookup(k)
				default:
					s := r.IntN(store.Slots)
					ks.Unlock(mask)
					mask = ks.SlotShard(s)
					ks.Lock(mask)
					db.ExpireSlot(s, now+10)
				}
				ks.Unlock(mask)
			}
		})
	}
	wg.Go(func() {
		for range 2 {
			ks.Lock(all)
			ks.SwapDB(1, 3)
			ks.Unlock(all)
		}
	})
	wg.Go(snap.Run)
	wg.Wait()
	var got bytes.Buffer
	if err := im.Write(&got); err != nil {
		t.Fatal(err)
	}
	wantKeys, gotKeys := imageContents(t, want.Bytes(), dbs), imageContents(t, got.Bytes(), dbs)
	if len(wantKeys) != 3*keys {
		t.Fatalf("the reference image has %d keys", len(wantKeys))
	}
	for k, v := range wantKeys {
		if gotKeys[k] != v {
			t.Fatalf("key %s: image has %q, want %q", k, gotKeys[k], v)
		}
	}
	if len(gotKeys) != len(wantKeys) {
		t.Fatalf("image has %d keys, want %d", len(gotKeys), len(wantKeys))
	}
}
