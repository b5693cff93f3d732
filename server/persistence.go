package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/persist"
	"github.com/cinnabar-db/cinnabar/store"

	"github.com/cinnabar-db/cinnabar/atomicfile"
)

// RDB snapshots: SAVE, BGSAVE, the save points, loading at start-up, saving at
// shutdown and DEBUG RELOAD.
//
// Without fork, a snapshot is taken by serializing the keyspace into memory while
// every shard is held (clients wait for that, as they wait for Redis's fork), and the
// bytes then go to disk with the shards released. The file is written to a temporary
// name, synced and renamed over dbfilename, so a crash leaves the old file or the new
// one, never half of one.

type rdbState struct {
	mu          sync.Mutex
	inProgress  bool // a background save is running
	started     time.Time
	lastSave    time.Time // the last successful save (or the load at start-up)
	lastOK      bool
	lastSeconds int64 // duration of the last background save; -1 before the first
	saves       int64 // rdb_saves: those of SAVE and BGSAVE, as Redis counts
	dirtyAtSave int64 // the keyspace's change count the last save captured
	lastTry     time.Time
	loaded      int
	expired     int
	jobs        sync.WaitGroup // background saves, which Close waits for
	cancelled   bool           // FLUSHALL dropped the background save in progress
	fileMu      sync.Mutex     // one save writes dbfilename at a time
}

// errBgSaveCancelled ends a background save that FLUSHALL dropped.
var errBgSaveCancelled = errors.New("background save cancelled by FLUSHALL")

// errSaveInProgress is Redis's reply to SAVE or BGSAVE during a background save.
var errSaveInProgress = Err("ERR Background save already in progress")

func (s *Server) persistenceCommands() []*Spec {
	return []*Spec{
		{Name: "save", Arity: 1, Flags: Admin | NoScript | NoAsyncLoading | NoMulti, Cat: CatAdmin | CatDangerous, Do: s.cmdSave},
		{Name: "bgsave", Arity: -1, Flags: Admin | NoScript | NoAsyncLoading, Cat: CatAdmin | CatDangerous, Do: s.cmdBgSave},
	}
}

func (s *Server) rdbPath() string {
	return filepath.Join(s.cfg.String("dir"), s.cfg.String("dbfilename"))
}

// rdbOptions are the settings of an RDB image of the keyspace taken now; aofBase marks
// it as an AOF's base (the aof-base AUX field).
func (s *Server) rdbOptions(aofBase bool) persist.SaveOptions {
	opt := persist.SaveOptions{
		Aux: [][2]string{{"redis-ver", RedisVersion}, {"redis-bits", "64"},
			{"ctime", strconv.FormatInt(s.clock.Now().Unix(), 10)},
			{"used-mem", strconv.FormatUint(s.evictor.Meter().Used(), 10)}, {"aof-base", strconv.Itoa(boolInt(aofBase))}},
		Now:       s.clock.UnixMilli(),
		Compress:  s.cfg.Bool("rdbcompression"),
		Functions: s.functionCodes(),
	}
	switch policy := s.cfg.String("maxmemory-policy"); {
	case strings.Contains(policy, "lru"):
		opt.Access = persist.AccessIdle
	case strings.Contains(policy, "lfu"):
		opt.Access = persist.AccessFreq
	}
	return opt
}

// snapshot serializes the keyspace and the function libraries as an RDB file and
// returns it with the change count it captured. The caller holds every shard, for the
// whole encoding: for the paths that already stop everything (DEBUG RELOAD, FLUSHALL's
// save, a full resync) or own the keyspace.
func (s *Server) snapshot(aofBase bool) ([]byte, int64, error) {
	var buf bytes.Buffer
	err := persist.WriteRDB(&buf, s.ks, s.rdbOptions(aofBase))
	return buf.Bytes(), s.ks.Stats().Dirty, err
}

// beginSnapshot starts an RDB image of the keyspace as it is now, encoded while
// clients keep working (store.Snapshot: a slot is encoded before its first change,
// the rest by finish). The caller holds every shard; finish, called without them,
// completes the image and returns it. dirty is the change count it captures.
func (s *Server) beginSnapshot(aofBase bool) (finish func() ([]byte, error), dirty int64) {
	return s.beginImage(persist.NewImage(s.ks, s.rdbOptions(aofBase), s.ks.Shards())), s.ks.Stats().Dirty
}

// image is a file of the whole keyspace built from keys given in any order, in one
// part per lock shard: an RDB file (persist.Image) or an AOF base of commands
// (persist.CommandBase).
type image interface {
	Add(db, part int, key string, v *store.Entry)
	Write(w io.Writer) error
}

// beginImage starts filling im with the keyspace as it is now, while clients keep
// working (store.Snapshot); the caller holds every shard. finish, called without
// them, completes it and returns the file.
func (s *Server) beginImage(im image) (finish func() ([]byte, error)) {
	snap := s.ks.BeginSnapshot(im.Add)
	return func() ([]byte, error) {
		snap.Run()
		var buf bytes.Buffer
		err := im.Write(&buf)
		return buf.Bytes(), err
	}
}

// saveRDB takes a snapshot and writes it to dbfilename. locked says the caller holds
// every shard already (DEBUG RELOAD, FLUSHALL): the image is then encoded at once. A
// background save (bg) that FLUSHALL cancelled meanwhile writes nothing and returns
// errBgSaveCancelled, as Redis kills its child.
func (s *Server) saveRDB(locked, bg bool) error {
	var data []byte
	var dirty int64
	var err error
	if locked {
		data, dirty, err = s.snapshot(false)
	} else {
		all := s.ks.AllShards()
		s.ks.Lock(all)
		var finish func() ([]byte, error)
		finish, dirty = s.beginSnapshot(false)
		s.ks.Unlock(all)
		data, err = finish() // clients keep working meanwhile
	}
	st := &s.rdb
	st.fileMu.Lock()
	defer st.fileMu.Unlock()
	st.mu.Lock()
	cancelled := bg && st.cancelled
	if bg {
		st.cancelled = false
	}
	st.mu.Unlock()
	if cancelled {
		return errBgSaveCancelled
	}
	if err == nil {
		err = atomicfile.Write(s.rdbPath(), data, "temp-*.rdb")
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.lastTry = time.Now()
	if err != nil {
		s.log.warning("Failed saving the DB: %v", err)
		return err
	}
	st.lastSave, st.dirtyAtSave = time.Now(), dirty
	s.log.notice("DB saved on disk")
	return nil
}

// startBgSave starts a background save unless one is running.
func (s *Server) startBgSave() bool {
	st := &s.rdb
	st.mu.Lock()
	if st.inProgress {
		st.mu.Unlock()
		return false
	}
	st.inProgress, st.started, st.cancelled = true, time.Now(), false
	st.jobs.Add(1)
	st.mu.Unlock()
	s.log.notice("Background saving started")
	go func() {
		defer st.jobs.Done()
		err := s.saveRDB(false, true)
		// A save FLUSHALL dropped counts as one, and is no failure: Redis counts its
		// killed child's save and leaves rdb_last_bgsave_status alone.
		cancelled := err == errBgSaveCancelled
		st.mu.Lock()
		st.inProgress = false
		st.lastSeconds = int64(time.Since(st.started).Seconds())
		if !cancelled {
			st.lastOK = err == nil
		}
		if err == nil || cancelled {
			st.saves++
		}
		st.mu.Unlock()
		switch {
		case cancelled:
			s.log.notice("Background saving terminated by FLUSHALL")
		case err == nil:
			s.log.notice("Background saving terminated with success")
		}
	}()
	return true
}

func (s *Server) bgSaveInProgress() bool {
	s.rdb.mu.Lock()
	defer s.rdb.mu.Unlock()
	return s.rdb.inProgress
}

func (s *Server) cmdSave(c *Ctx) error {
	if s.bgSaveInProgress() {
		return errSaveInProgress
	}
	if err := s.saveRDB(false, false); err != nil {
		return Err("ERR")
	}
	s.rdb.mu.Lock()
	s.rdb.saves++
	s.rdb.mu.Unlock()
	c.W.OK()
	return nil
}

func (s *Server) cmdBgSave(c *Ctx) error {
	if len(c.Args) > 2 || (len(c.Args) == 2 && !c.Is(1, "schedule")) {
		return ErrSyntax
	}
	if !s.startBgSave() {
		return errSaveInProgress
	}
	c.W.Simple("Background saving started")
	return nil
}

// flushAllSaving wraps FLUSHALL's handler as Redis's: a background save in progress
// is dropped (Redis kills its child: its image would bring the flushed keys back), and
// with save points configured the emptied dataset is saved at once, so that the dump
// no longer holds the flushed keys and the changes since the last save start again
// from zero. FLUSHALL holds every shard.
func (s *Server) flushAllSaving(flush func(*Ctx) error) func(*Ctx) error {
	return func(c *Ctx) error {
		if err := flush(c); err != nil {
			return err
		}
		st := &s.rdb
		st.mu.Lock()
		if st.inProgress {
			st.cancelled = true
		}
		st.mu.Unlock()
		if len(savePoints(s.cfg.String("save"))) > 0 {
			_ = s.saveRDB(true, false) // a failure is logged, as Redis logs it
		}
		return nil
	}
}

// savePoints parses the save setting: pairs of seconds and changes.
func savePoints(setting string) [][2]int64 {
	f := strings.Fields(setting)
	var out [][2]int64
	for i := 0; i+1 < len(f); i += 2 {
		secs, _ := strconv.ParseInt(f[i], 10, 64)
		changes, _ := strconv.ParseInt(f[i+1], 10, 64)
		out = append(out, [2]int64{secs, changes})
	}
	return out
}

// checkSavePoints starts a background save when a save point is reached: at least
// changes writes in at least seconds since the last save. After a failure it waits 5
// seconds before trying again, as Redis does. The cron calls it once a second.
func (s *Server) checkSavePoints() {
	points := savePoints(s.cfg.String("save"))
	if len(points) == 0 || s.bgSaveInProgress() {
		return
	}
	all := s.ks.AllShards()
	s.ks.Lock(all)
	dirty := s.ks.Stats().Dirty
	s.ks.Unlock(all)
	st := &s.rdb
	st.mu.Lock()
	changes, since, failedRecently := dirty-st.dirtyAtSave, time.Since(st.lastSave), !st.lastOK && time.Since(st.lastTry) < 5*time.Second
	st.mu.Unlock()
	if failedRecently {
		return
	}
	for _, p := range points {
		if changes >= p[1] && since >= time.Duration(p[0])*time.Second {
			s.log.notice("%d changes in %d seconds. Saving...", p[1], p[0])
			s.startBgSave()
			return
		}
	}
}

func (s *Server) functionCodes() []string {
	var codes []string
	for _, lib := range s.scripts.eng.FunctionList("") {
		codes = append(codes, lib.Code)
	}
	return codes
}

// loadRDB loads dbfilename at start-up, if it exists. A damaged file stops the start:
// half a dataset is never served.
func (s *Server) loadRDB() error {
	path := s.rdbPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("can't read the RDB file %s: %w", path, err)
	}
	start := time.Now()
	res, err := s.loadRDBData(data, s.clock.UnixMilli())
	if err != nil {
		s.emptyData()
		return fmt.Errorf("the RDB file %s is damaged, refusing to start with part of it: %w", path, err)
	}
	s.rdb.mu.Lock()
	s.rdb.lastSave, s.rdb.lastOK, s.rdb.loaded, s.rdb.expired = time.Now(), true, res.Keys, res.Expired
	s.rdb.dirtyAtSave = s.ks.Stats().Dirty
	s.rdb.mu.Unlock()
	s.log.notice("DB loaded from disk: %.3f seconds", time.Since(start).Seconds())
	return nil
}

// loadRDBData loads an RDB image (a file, an AOF's base, a master's snapshot) with its
// function libraries into the keyspace, skipping keys whose deadline is before now.
func (s *Server) loadRDBData(data []byte, now int64) (persist.LoadResult, error) {
	res, err := persist.ReadRDB(data, s.ks, now)
	if err == nil {
		for _, code := range res.Functions {
			if _, ferr := s.scripts.eng.FunctionLoad(code, false); ferr != nil {
				return res, fmt.Errorf("loading a function library: %v", ferr)
			}
		}
	}
	return res, err
}

// debugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: a save (unless NOSAVE), then
// the keyspace emptied (unless NOFLUSH) and loaded back from the file. Keys loaded
// replace those kept. The caller holds every shard.
func (s *Server) debugReload(c *Ctx) error {
	save, flush := true, true
	for i := 2; i < len(c.Args); i++ {
		switch {
		case c.Is(i, "merge"):
		case c.Is(i, "noflush"):
			flush = false
		case c.Is(i, "nosave"):
			save = false
		default:
			return Err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
		}
	}
	if save {
		if err := s.saveRDB(true, false); err != nil {
			return Err("ERR Error trying to save the RDB file")
		}
	}
	data, err := os.ReadFile(s.rdbPath())
	if err != nil {
		return Err("ERR Error trying to load the RDB dump, check server logs.")
	}
	if flush {
		s.flushAllData()
	}
	if _, err := persist.ReadRDB(data, s.ks, s.clock.UnixMilli()); err != nil {
		s.log.warning("DEBUG RELOAD: %v", err)
		return Err("ERR Error trying to load the RDB dump, check server logs.")
	}
	s.log.notice("DB reloaded by DEBUG RELOAD")
	c.W.OK()
	return nil
}

// SaveBeforeExit saves a snapshot if save points are configured, as Redis does before
// exiting on SIGTERM or SIGINT.
func (s *Server) SaveBeforeExit() error { return s.saveBeforeShutdown(false, false) }

// saveBeforeShutdown saves when SHUTDOWN or a signal asks for it: SAVE forces it,
// NOSAVE skips it, otherwise it happens when save points are configured.
func (s *Server) saveBeforeShutdown(save, nosave bool) error {
	if nosave || (!save && len(savePoints(s.cfg.String("save"))) == 0) {
		return nil
	}
	s.log.notice("Saving the final RDB snapshot before exiting.")
	return s.saveRDB(false, false)
}
