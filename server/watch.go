package server

import (
	"sync"
	"sync/atomic"
)

// watchRegistry maps watched keys to the clients watching them, for WATCH/EXEC.
type watchRegistry struct {
	mu    sync.Mutex
	keys  map[int]map[string][]*watchedKey // db → key → watches
	count atomic.Int64                     // live watches; 0 skips the hook work
}

// watchedKey is one key a client watches and what it looked like then. The expired
// flag is guarded by the registry's mutex.
type watchedKey struct {
	c        *Client
	db       int
	key      string
	expireAt int64 // the key's deadline when watched
	// expired: the key had already expired (but was not yet deleted) when watched, so
	// its lazy deletion is no change; EXEC ignores its deadline.
	expired bool
}

func (w *watchRegistry) add(c *Client, db int, key string, expireAt, now int64) {
	for _, wk := range c.watched {
		if wk.db == db && wk.key == key {
			return
		}
	}
	wk := &watchedKey{c: c, db: db, key: key, expireAt: expireAt, expired: expireAt != 0 && expireAt <= now}
	w.mu.Lock()
	c.watched = append(c.watched, wk)
	if w.keys == nil {
		w.keys = map[int]map[string][]*watchedKey{}
	}
	m := w.keys[db]
	if m == nil {
		m = map[string][]*watchedKey{}
		w.keys[db] = m
	}
	m[key] = append(m[key], wk)
	w.mu.Unlock()
	w.count.Add(1)
}

// unwatchAll forgets every key c watches and clears its dirty mark.
func (w *watchRegistry) unwatchAll(c *Client) {
	if len(c.watched) == 0 {
		c.dirtyCAS.Store(false)
		return
	}
	w.mu.Lock()
	for _, wk := range c.watched {
		list := w.keys[wk.db][wk.key]
		for i, other := range list {
			if other == wk {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(w.keys[wk.db], wk.key)
		} else {
			w.keys[wk.db][wk.key] = list
		}
	}
	n := len(c.watched)
	c.watched = nil
	w.mu.Unlock()
	w.count.Add(-int64(n))
	c.dirtyCAS.Store(false)
}

// touch marks the watchers of key dirty; gone reports whether the key no longer exists
// (a watch of an already expired key is not touched by its deletion).
func (w *watchRegistry) touch(db int, key []byte, gone func() bool) {
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	for _, wk := range w.keys[db][string(key)] {
		if wk.expired && gone() {
			// Deleted now: from here on it is an ordinary missing key.
			wk.expired, wk.expireAt = false, 0
			continue
		}
		wk.c.dirtyCAS.Store(true)
	}
	w.mu.Unlock()
}

// touchDB marks dirty the watchers of the keys of db for which exists reports true.
func (w *watchRegistry) touchDB(db int, exists func(key string) bool) {
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	for key, watches := range w.keys[db] {
		if exists(key) {
			for _, wk := range watches {
				wk.c.dirtyCAS.Store(true)
			}
		}
	}
	w.mu.Unlock()
}

// expiredSinceWatch reports whether a key c watches has passed a deadline it had when
// watched (a logical change Redis treats as touching the key).
func (w *watchRegistry) expiredSinceWatch(c *Client, now int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, wk := range c.watched {
		if !wk.expired && wk.expireAt != 0 && wk.expireAt <= now {
			return true
		}
	}
	return false
}
