package server

import (
	"sync"
	"sync/atomic"
)

// watchRegistry maps watched keys to the clients watching them, for WATCH/EXEC.
type watchRegistry struct {
	mu    sync.Mutex
	keys  map[int]map[string][]*Client // db → key → watchers
	count atomic.Int64                 // watched (client, key) pairs; 0 skips the hook work
}

// watchedKey is one key a client watches and what it looked like then.
type watchedKey struct {
	db       int
	key      string
	expireAt int64 // the key's deadline when watched; EXEC aborts if it has passed
}

func (w *watchRegistry) add(c *Client, db int, key string, expireAt int64) {
	for _, wk := range c.watched {
		if wk.db == db && wk.key == key {
			return
		}
	}
	c.watched = append(c.watched, watchedKey{db, key, expireAt})
	w.mu.Lock()
	if w.keys == nil {
		w.keys = map[int]map[string][]*Client{}
	}
	m := w.keys[db]
	if m == nil {
		m = map[string][]*Client{}
		w.keys[db] = m
	}
	m[key] = append(m[key], c)
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
			if other == c {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(w.keys[wk.db], wk.key)
		} else {
			w.keys[wk.db][wk.key] = list
		}
	}
	w.mu.Unlock()
	w.count.Add(-int64(len(c.watched)))
	c.watched = c.watched[:0]
	c.dirtyCAS.Store(false)
}

// touch marks the watchers of key dirty.
func (w *watchRegistry) touch(db int, key []byte) {
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	for _, c := range w.keys[db][string(key)] {
		c.dirtyCAS.Store(true)
	}
	w.mu.Unlock()
}

// touchDB marks dirty the watchers of the keys of db for which exists reports true.
func (w *watchRegistry) touchDB(db int, exists func(key string) bool) {
	if w.count.Load() == 0 {
		return
	}
	w.mu.Lock()
	for key, clients := range w.keys[db] {
		if exists(key) {
			for _, c := range clients {
				c.dirtyCAS.Store(true)
			}
		}
	}
	w.mu.Unlock()
}
