package server

import (
	"github.com/cinnabar-db/cinnabar/config"
	"github.com/cinnabar-db/cinnabar/store"
)

// KeyChanged implements store.Hooks: the one place a write's side effects start. It
// runs under the key's shard lock.
func (s *Server) KeyChanged(db int, key []byte, ev store.Event) {
	if ev.Class != store.ClassMiss && ev.Class != store.ClassNew {
		s.watches.touch(db, key, func() bool { return !s.ks.DB(db).Has(key) })
		s.markReady(db, key, ev)
		if s.tracking.active() {
			s.trackChange(key, s.ks.ShardOf(key))
		}
	}
	if ev.Class&(store.ClassExpired|store.ClassEvicted) != 0 && s.writes.active.Load() {
		s.propagateDeletion(db, key)
	}
	s.notify(db, key, ev)
}

// DBReplacing implements store.Hooks for FLUSHDB, FLUSHALL and SWAPDB: watchers of keys
// that exist in either database are touched. The caller holds every shard.
func (s *Server) DBReplacing(db, other int) {
	exists := func(key string) bool {
		return s.ks.DB(db).Has([]byte(key)) || (other >= 0 && s.ks.DB(other).Has([]byte(key)))
	}
	s.watches.touchDB(db, exists)
	s.markDBReady(db)
	if other < 0 && s.tracking.active() { // a flush; SWAPDB invalidates nothing, as in Redis
		s.trackFlush()
	}
	if other >= 0 {
		s.watches.touchDB(other, exists)
		s.markDBReady(other)
	}
}

// notifyClasses maps notify-keyspace-events flags onto the store's event classes.
var notifyClasses = []struct {
	flag  int64
	class store.Class
}{
	{config.NotifyGeneric, store.ClassGeneric}, {config.NotifyString, store.ClassString},
	{config.NotifyList, store.ClassList}, {config.NotifySet, store.ClassSet},
	{config.NotifyHash, store.ClassHash}, {config.NotifyZset, store.ClassZSet},
	{config.NotifyExpired, store.ClassExpired}, {config.NotifyEvicted, store.ClassEvicted},
	{config.NotifyStream, store.ClassStream}, {config.NotifyNew, store.ClassNew},
	{config.NotifyKeyMiss, store.ClassMiss},
}

// setNotifyFlags caches notify-keyspace-events for the write path.
func (s *Server) setNotifyFlags(flags int64) {
	var classes store.Class
	for _, m := range notifyClasses {
		if flags&m.flag != 0 {
			classes |= m.class
		}
	}
	s.notifyClasses.Store(uint32(classes))
	s.notifyKeyspace.Store(flags&config.NotifyKeyspace != 0)
	s.notifyKeyevent.Store(flags&config.NotifyKeyevent != 0)
}

// notify publishes a keyspace notification if notify-keyspace-events asks for it.
func (s *Server) notify(db int, key []byte, ev store.Event) {
	if store.Class(s.notifyClasses.Load())&ev.Class == 0 {
		return
	}
	if s.notifyKeyspace.Load() {
		s.publish(notificationChannel("__keyspace@", db, key), []byte(ev.Name), false, nil)
	}
	if s.notifyKeyevent.Load() {
		s.publish(notificationChannel("__keyevent@", db, []byte(ev.Name)), key, false, nil)
	}
}
