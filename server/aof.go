package server

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/atomicfile"
	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/persist"
)

// The append-only file, as Redis 7.0 keeps it (persist/aof.go has the formats): a
// Feed of the write stream renders every unit into a buffer while the unit's shards
// are held, and the buffer reaches the current INCR file before the replies of the
// commands that wrote it leave (serveCommand calls aofFlush before flushing a
// connection):
//
//	unit ──Feed──▶ buf ──write(2)──▶ INCR file ──fsync──▶ disk
//	                     before replies          always: before replies (group commit:
//	                                              one fsync covers every client waiting)
//	                                              everysec: the syncer goroutine
//
// So an acknowledged write is in the file (everysec, no) or on disk (always) before
// the client hears of it; a write error keeps the data buffered, refuses writes with
// -MISCONF until a write succeeds, and under always ends the process, as Redis does,
// since a reply can no longer be held back.
//
// A rewrite (BGREWRITEAOF, auto rewrite, CONFIG SET appendonly yes) takes the base
// image while every shard is held, in the same critical section that moves appending
// to a fresh INCR file, so the new base and the new INCR file meet exactly. The base
// goes to disk in the background; then the manifest is swapped atomically and the
// old files are deleted.
//
// Lock order: shards, then aof.io, then the write stream's mutex (addFeed), then
// aof.mu. Feed takes only aof.mu; aof.rw is never held while taking another.

type aofState struct {
	mu       sync.Mutex // guards buf, spare and w
	buf      []byte     // rendered units not yet written
	spare    []byte     // the previous buffer, reused
	w        *streamWriter
	fed      atomic.Int64 // units rendered into buf so far; changes under mu
	lastTS   int64        // the unix second of the last #TS annotation (aof-timestamp-enabled)
	buffered atomic.Int64
	stamp    atomic.Bool            // aof-timestamp-enabled
	policy   atomic.Pointer[string] // appendfsync, read on every flush
	noSyncRW atomic.Bool            // no-appendfsync-on-rewrite
	enabling atomic.Int32           // CONFIG SET appendonly yes waiting for its rewrite

	io       sync.Mutex  // serializes writing, fsync and the file switches below
	on       bool        // appending
	active   atomic.Bool // on, for readers without aof.io
	file     *os.File    // the current INCR file
	man      persist.Manifest
	baseSeq  int64
	incrSeq  int64
	baseSize int64 // the base file's
	incrSize int64 // the INCR files' total
	fileLen  int64 // the current INCR file's length
	written  atomic.Int64
	synced   atomic.Int64
	writeErr atomic.Pointer[error] // the last write error, until a write succeeds
	removeFn func()
	stopSync chan struct{}
	syncDone chan struct{}

	rw struct {
		sync.Mutex
		inProgress, scheduled bool
		started               time.Time
		lastSeconds           int64
		lastOK                bool
		rewrites, failures    int64
		rewriteBase           int64 // the AOF's size after the last rewrite or load
		failedAt              time.Time
	}
	jobs sync.WaitGroup
}

var (
	errRewriteRunning = Err("ERR Background append only file rewriting already in progress")
	errRewriteFailed  = Err("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
)

func (s *Server) aofCommands() []*Spec {
	return []*Spec{
		{Name: "bgrewriteaof", Arity: 1, Flags: Admin | NoScript | NoAsyncLoading, Cat: CatAdmin | CatDangerous, Do: s.cmdBgRewriteAOF},
	}
}

func (s *Server) aofDir() string {
	return filepath.Join(s.cfg.String("dir"), s.cfg.String("appenddirname"))
}

func (s *Server) aofPath(name string) string { return filepath.Join(s.aofDir(), name) }

// Feed implements Feed.
func (a *aofState) Feed(ops []PropOp) {
	if !forTargets(ops, ToAOF) {
		return
	}
	a.mu.Lock()
	if a.stamp.Load() {
		if now := time.Now().Unix(); now != a.lastTS {
			a.buf = fmt.Appendf(a.buf, "#TS:%d\r\n", now)
			a.lastTS = now
		}
	}
	a.buf = a.w.appendOps(a.buf, ops, ToAOF)
	a.fed.Add(1)
	a.buffered.Store(int64(len(a.buf)))
	a.mu.Unlock()
}

// fedMark is what a client that just wrote must see written (or synced) before its
// reply leaves: every unit fed so far, its own among them. 0 while not appending.
func (s *Server) fedMark() int64 {
	a := &s.aof
	if !a.active.Load() {
		return 0
	}
	return a.fed.Load()
}

// aofFlush writes the buffer to the INCR file if the units up to mark are not there
// yet, and under appendfsync always also fsyncs it. Concurrent callers share the work:
// whoever gets aof.io writes everything buffered, so one fsync serves all of them.
func (s *Server) aofFlush(mark int64) {
	a := &s.aof
	always := *a.policy.Load() == "always" && !s.fsyncPaused()
	done := func() bool {
		if always {
			return a.synced.Load() >= mark
		}
		return a.written.Load() >= mark
	}
	if done() {
		return
	}
	a.io.Lock()
	defer a.io.Unlock()
	if done() || !a.on {
		return
	}
	if err := s.writeBuffered(always); err != nil && always {
		s.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
		os.Exit(1)
	}
}

// writeBuffered writes what is buffered and, if sync, fsyncs the file. On a write
// error the data stays buffered (the file is cut back to what it held, so a retry
// does not duplicate a partial write); a write or fsync error refuses writes until a
// retry succeeds, as Redis's aof_last_write_status. The caller holds aof.io.
func (s *Server) writeBuffered(sync bool) error {
	a := &s.aof
	a.mu.Lock()
	data, mark := a.buf, a.fed.Load()
	a.buf, a.spare = a.spare[:0], nil
	a.mu.Unlock()
	if len(data) > 0 {
		n, err := rawWrite(a.file, data)
		if err != nil {
			if n > 0 {
				_ = a.file.Truncate(a.fileLen)
			}
			a.mu.Lock()
			a.buf = append(data, a.buf...) // what was fed meanwhile stays after it
			a.buffered.Store(int64(len(a.buf)))
			a.mu.Unlock()
			s.aofFailed("Error writing to the AOF file", err)
			return err
		}
		a.fileLen += int64(n)
		a.incrSize += int64(n)
	}
	a.written.Store(mark)
	a.mu.Lock()
	a.spare = data[:0]
	a.buffered.Store(int64(len(a.buf)))
	a.mu.Unlock()
	if sync {
		if err := fdatasync(a.file); err != nil {
			s.aofFailed("Can't persist the AOF file: fsync", err)
			return err
		}
		a.synced.Store(mark)
	}
	if a.writeErr.Swap(nil) != nil {
		s.log.warning("AOF write error looks solved, Redis can write again.")
	}
	return nil
}

// aofFailed records a write or fsync error, logging it once.
func (s *Server) aofFailed(what string, err error) {
	if s.aof.writeErr.Swap(&err) == nil {
		s.log.warning("%s: %v", what, err)
	}
}

// rawWrite writes data to f with raw system calls, skipping the runtime's
// entersyscall as the socket writes do (protoguard.go): a write to a regular file
// lands in the page cache and returns in microseconds, and entersyscall would wake the
// runtime's sysmon thread on every batch of replies (measured: SET at pipeline 1 with
// appendfsync everysec ran at 0.6-0.75 of Redis with os.File.Write). fsync, which
// waits for the disk, keeps the ordinary path.
// fdatasync flushes f's data to disk, as Redis's redis_fsync does on Linux: unlike
// fsync (os.File.Sync) it skips the metadata a read does not need (the modification
// time), one disk write less per call.
func fdatasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for serr = syscall.Fdatasync(int(fd)); serr == syscall.EINTR; serr = syscall.Fdatasync(int(fd)) {
		}
	}); err != nil {
		return err
	}
	return serr
}

func rawWrite(f *os.File, data []byte) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	done := 0
	var errno syscall.Errno
	cerr := rc.Write(func(fd uintptr) bool {
		for done < len(data) {
			n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&data[done])), uintptr(len(data)-done))
			switch {
			case e == syscall.EINTR:
				continue
			case e != 0:
				errno = e
				return true
			}
			done += int(n)
		}
		return true
	})
	if cerr != nil {
		return done, cerr
	}
	if errno != 0 {
		return done, errno
	}
	return done, nil
}

// aofWriteDenied is the -MISCONF refusal of writes (and PING, as Redis) after a failed
// AOF write.
func (s *Server) aofWriteDenied(spec *Spec) error {
	errp := s.aof.writeErr.Load()
	if errp == nil || !(spec.Has(Write) || spec.Name == "ping") {
		return nil
	}
	return Errorf("MISCONF Errors writing to the AOF file: %v", *errp)
}

// syncer is the background writer: each second it writes what no client has flushed
// (units of the active expiry cycle, say) and, unless appendfsync is no, fsyncs.
func (s *Server) syncer(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		a := &s.aof
		fsync := *a.policy.Load() != "no" && !s.fsyncPaused()
		a.io.Lock()
		if a.on {
			_ = s.writeBuffered(fsync)
		}
		a.io.Unlock()
	}
}

// fsyncPaused says fsyncs wait because a rewrite runs and no-appendfsync-on-rewrite
// is yes: the user traded durability for latency, as in Redis.
func (s *Server) fsyncPaused() bool {
	a := &s.aof
	if !a.noSyncRW.Load() {
		return false
	}
	a.rw.Lock()
	defer a.rw.Unlock()
	return a.rw.inProgress
}

// baseImage renders the keyspace as an AOF base: an RDB (aof-use-rdb-preamble) or
// commands. The caller holds every shard.
func (s *Server) baseImage() (data []byte, rdb bool, err error) {
	if s.cfg.Bool("aof-use-rdb-preamble") {
		data, _, err = s.snapshot(true)
		return data, true, err
	}
	var buf bytes.Buffer
	err = persist.WriteAOFBase(&buf, s.ks, s.functionCodes(), s.cfg.Bool("rdbcompression"))
	return buf.Bytes(), false, err
}

// beginBaseImage starts a rewrite's base, an RDB file (aof-use-rdb-preamble) or
// commands, encoded while clients keep working (beginImage). The caller holds every
// shard; finish returns the base.
func (s *Server) beginBaseImage() (finish func() ([]byte, error), rdb bool) {
	if s.cfg.Bool("aof-use-rdb-preamble") {
		finish, _ = s.beginSnapshot(true)
		return finish, true
	}
	return s.beginImage(persist.NewCommandBase(s.ks.Databases(), s.ks.Shards(), s.functionCodes(), s.cfg.Bool("rdbcompression"))), false
}

// openIncr opens INCR file seq, new (fresh) or to append to, and makes it the one
// appended to. The caller holds aof.io.
func (s *Server) openIncr(seq int64, fresh bool) error {
	a := &s.aof
	name := persist.IncrName(s.cfg.String("appendfilename"), seq)
	flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND
	if fresh { // a leftover of that name (a crash before its manifest was written) is no history
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(s.aofPath(name), flags, 0o644)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if a.file != nil {
		_ = a.file.Close()
	}
	a.file, a.fileLen, a.incrSeq = f, fi.Size(), seq
	a.man.Incr = append(a.man.Incr, persist.AOFFile{Name: name, Seq: seq, Type: persist.AOFIncr})
	a.mu.Lock()
	a.w = newStreamWriter() // a new file starts with a SELECT
	a.mu.Unlock()
	return nil
}

// writeManifest replaces the manifest on disk with aof.man. The caller holds aof.io.
func (s *Server) writeManifest() error {
	prefix := s.cfg.String("appendfilename")
	return atomicfile.Write(s.aofPath(persist.ManifestName(prefix)), s.aof.man.Bytes(), "temp-"+prefix+".manifest-*")
}

// createAOF creates a fresh AOF at start-up, when none exists: a base file of the
// dataset, an INCR file and the manifest, as Redis 7.0 does on server start.
func (s *Server) createAOF() error {
	if err := os.MkdirAll(s.aofDir(), 0o755); err != nil {
		return fmt.Errorf("can't create the AOF directory %s: %w", s.aofDir(), err)
	}
	data, rdb, err := s.baseImage()
	if err != nil {
		return err
	}
	a := &s.aof
	a.io.Lock()
	defer a.io.Unlock()
	base := persist.BaseName(s.cfg.String("appendfilename"), 1, rdb)
	s.log.notice("Creating AOF base file %s on server start", base)
	if err := atomicfile.Write(s.aofPath(base), data, "temp-rewriteaof-*.aof"); err != nil {
		return err
	}
	a.man = persist.Manifest{Base: persist.AOFFile{Name: base, Seq: 1, Type: persist.AOFBase}}
	a.baseSeq = 1
	s.log.notice("Creating AOF incr file %s on server start", persist.IncrName(s.cfg.String("appendfilename"), 1))
	if err := s.openIncr(1, true); err != nil {
		return err
	}
	return s.writeManifest()
}

// startAOF starts appending at start-up, after loading: to the last INCR file the
// manifest lists, or to a new AOF.
func (s *Server) startAOF(loaded bool) error {
	a := &s.aof
	if !loaded {
		if err := s.createAOF(); err != nil {
			return err
		}
	} else {
		a.io.Lock()
		var err error
		if n := len(a.man.Incr); n > 0 {
			last := a.man.Incr[n-1]
			a.man.Incr = a.man.Incr[:n-1]
			s.log.notice("Opening AOF incr file %s on server start", last.Name)
			err = s.openIncr(last.Seq, false)
		} else {
			s.log.notice("Creating AOF incr file %s on server start", persist.IncrName(s.cfg.String("appendfilename"), a.incrSeq+1))
			err = s.openIncr(a.incrSeq+1, true)
			if err == nil {
				err = s.writeManifest()
			}
		}
		a.io.Unlock()
		if err != nil {
			return err
		}
	}
	a.io.Lock()
	s.attachAOF()
	a.io.Unlock()
	return nil
}

// attachAOF makes the feed and the syncer run. The caller holds aof.io and has the
// INCR file open.
func (s *Server) attachAOF() {
	a := &s.aof
	a.on = true
	a.active.Store(true)
	a.removeFn = s.addFeed(a)
	a.stopSync, a.syncDone = make(chan struct{}), make(chan struct{})
	go s.syncer(a.stopSync, a.syncDone)
}

// stopAOF stops appending (appendonly no, shutdown): what is buffered is written and
// fsynced, and the file closed. It needs no shard, so a transaction may call it.
func (s *Server) stopAOF() {
	a := &s.aof
	a.io.Lock()
	if !a.on {
		a.io.Unlock()
		return
	}
	a.removeFn()
	a.removeFn = nil
	s.log.notice("Calling fsync() on the AOF file.")
	_ = s.writeBuffered(true)
	_ = a.file.Close()
	a.file = nil
	a.on = false
	a.active.Store(false)
	a.writeErr.Store(nil) // writes are refused only while the AOF is on, as in Redis
	stop, done := a.stopSync, a.syncDone
	a.io.Unlock()
	close(stop)
	<-done
}

// startRewrite starts a background rewrite unless one runs. The caller holds no
// shard.
func (s *Server) startRewrite() error {
	if !s.aof.claimRewrite() {
		return errRewriteRunning
	}
	return s.runRewrite(false)
}

// claimRewrite marks a rewrite as in progress, if none is.
func (a *aofState) claimRewrite() bool {
	a.rw.Lock()
	defer a.rw.Unlock()
	if a.rw.inProgress {
		return false
	}
	a.rw.inProgress, a.rw.scheduled, a.rw.started = true, false, time.Now()
	return true
}

// runRewrite runs the rewrite claimRewrite claimed; enable also starts appending
// (CONFIG SET appendonly yes) from the same point, unless appendonly was set back to
// no (or the AOF is on already) by then. The caller holds no shard.
func (s *Server) runRewrite(enable bool) error {
	a := &s.aof
	if err := os.MkdirAll(s.aofDir(), 0o755); err != nil {
		s.finishRewrite(err)
		return errRewriteFailed
	}
	prefix := s.cfg.String("appendfilename")
	all := s.ks.AllShards()
	s.ks.Lock(all)
	a.io.Lock()
	if enable && (a.on || !s.cfg.Bool("appendonly")) {
		a.io.Unlock()
		s.ks.Unlock(all)
		a.rw.Lock()
		a.rw.inProgress = false
		a.rw.Unlock()
		return nil
	}
	var err error
	if a.on || enable {
		if a.on {
			err = s.writeBuffered(true)
		}
		if err == nil {
			s.log.notice("Creating AOF incr file %s on background rewrite", persist.IncrName(prefix, a.incrSeq+1))
			err = s.openIncr(a.incrSeq+1, true)
		}
		switch {
		case err == nil && enable:
			s.attachAOF()
		case err == nil:
			// Listed at once, after the files before it: writes from now on survive a
			// crash before the base is in. A new AOF (enable) is listed only with its
			// base, as the manifest on disk describes an older dataset.
			err = s.writeManifest()
		}
	}
	var finish func() ([]byte, error)
	var rdb bool
	if err == nil { // the image of this instant: the new INCR file starts where it ends
		finish, rdb = s.beginBaseImage()
	}
	a.io.Unlock()
	s.ks.Unlock(all)
	if err != nil {
		s.log.warning("Can't start the AOF rewrite: %v", err)
		s.finishRewrite(err)
		return errRewriteFailed
	}
	s.log.notice("Background append only file rewriting started")
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		data, err := finish()
		if err == nil {
			err = s.installBase(data, rdb)
		}
		s.finishRewrite(err)
	}()
	return nil
}

// installBase writes a rewrite's base, then swaps the manifest to it and deletes the
// files it replaces.
func (s *Server) installBase(data []byte, rdb bool) error {
	a := &s.aof
	prefix := s.cfg.String("appendfilename")
	a.io.Lock()
	seq := a.baseSeq + 1
	a.io.Unlock()
	name := persist.BaseName(prefix, seq, rdb)
	if err := atomicfile.Write(s.aofPath(name), data, "temp-rewriteaof-bg-*.aof"); err != nil {
		return err
	}
	s.log.notice("Successfully renamed the temporary AOF base file into %s", name)
	a.io.Lock()
	old := a.man
	a.man = persist.Manifest{Base: persist.AOFFile{Name: name, Seq: seq, Type: persist.AOFBase}}
	var history []persist.AOFFile // newest first, as Redis lists them
	for _, f := range old.Incr {
		if a.on && f.Seq == a.incrSeq {
			a.man.Incr = append(a.man.Incr, f)
		} else {
			history = append(history, f)
		}
	}
	if old.Base.Name != "" {
		history = append(history, old.Base)
	}
	history = append(history, old.History...)
	for i := range history {
		history[i].Type = persist.AOFHistory
	}
	keep := s.cfg.Bool("aof-disable-auto-gc") // the replaced files stay, listed as history
	if keep {
		a.man.History = history
	}
	err := s.writeManifest()
	if err != nil {
		a.man = old
	} else {
		a.baseSeq, a.baseSize = seq, int64(len(data))
		a.incrSize = 0
		if a.file != nil {
			a.incrSize = a.fileLen
		}
	}
	a.io.Unlock()
	if err != nil || keep {
		return err
	}
	s.removeHistory(history, name)
	return nil
}

// removeHistory deletes replaced files, but for the one named keep.
func (s *Server) removeHistory(history []persist.AOFFile, keep string) {
	for _, f := range history {
		if f.Name != keep {
			s.log.notice("Removing the history file %s in the background", f.Name)
			_ = os.Remove(s.aofPath(f.Name))
		}
	}
}

// collectHistory deletes the history files the manifest still lists once
// aof-disable-auto-gc is no (again), as Redis's cron does. The cron calls it.
func (s *Server) collectHistory() {
	a := &s.aof
	if s.cfg.Bool("aof-disable-auto-gc") {
		return
	}
	a.io.Lock()
	history := a.man.History
	if len(history) == 0 {
		a.io.Unlock()
		return
	}
	a.man.History = nil
	err := s.writeManifest()
	if err != nil {
		a.man.History = history
	}
	a.io.Unlock()
	if err == nil {
		s.removeHistory(history, "")
	}
}

func (s *Server) finishRewrite(err error) {
	a := &s.aof
	size := s.aofSize() // before aof.rw: aof.io is taken first where both are held
	a.rw.Lock()
	defer a.rw.Unlock()
	a.rw.inProgress = false
	a.rw.lastSeconds = int64(time.Since(a.rw.started).Seconds())
	a.rw.lastOK = err == nil
	if err != nil {
		a.rw.failures++
		a.rw.failedAt = time.Now()
		s.log.warning("Background AOF rewrite failed: %v", err)
		return
	}
	a.rw.rewrites++
	a.rw.failures = 0
	a.rw.rewriteBase = size
	s.log.notice("Background AOF rewrite finished successfully")
}

// aofSize is aof_current_size: the base and the INCR files.
func (s *Server) aofSize() int64 {
	a := &s.aof
	a.io.Lock()
	defer a.io.Unlock()
	return a.baseSize + a.incrSize
}

func (s *Server) cmdBgRewriteAOF(c *Ctx) error {
	a := &s.aof
	a.rw.Lock()
	running := a.rw.inProgress
	a.rw.Unlock()
	switch {
	case running:
		return errRewriteRunning
	case s.bgSaveInProgress() || client(c).inExec: // EXEC holds shards the rewrite needs
		a.rw.Lock()
		a.rw.scheduled = true
		a.rw.Unlock()
		c.W.Simple("Background append only file rewriting scheduled")
		return nil
	}
	if err := s.startRewrite(); err != nil {
		return err
	}
	c.W.Simple("Background append only file rewriting started")
	return nil
}

// autoRewrite starts a scheduled rewrite once no background save runs, and a rewrite
// when the AOF grew by auto-aof-rewrite-percentage since the last one (and is at
// least auto-aof-rewrite-min-size). The cron calls it.
func (s *Server) autoRewrite() {
	a := &s.aof
	if s.bgSaveInProgress() {
		return
	}
	a.rw.Lock()
	busy, scheduled, base := a.rw.inProgress, a.rw.scheduled, a.rw.rewriteBase
	failures, failedAt := a.rw.failures, a.rw.failedAt
	a.rw.Unlock()
	if busy {
		return
	}
	if scheduled {
		_ = s.startRewrite()
		return
	}
	// After 3 failures in a row automatic rewrites wait 1 minute, then 2, 4... up to an
	// hour, as Redis limits them; BGREWRITEAOF is not limited.
	if failures >= 3 && time.Since(failedAt) < min(time.Minute<<min(failures-3, 6), time.Hour) {
		return
	}
	a.io.Lock()
	on, size := a.on, a.baseSize+a.incrSize
	a.io.Unlock()
	pct := s.cfg.Int("auto-aof-rewrite-percentage")
	if !on || pct == 0 || size < s.cfg.Int("auto-aof-rewrite-min-size") {
		return
	}
	if growth := size*100/max(base, 1) - 100; growth >= pct {
		s.log.notice("Starting automatic rewriting of AOF on %d%% growth", growth)
		_ = s.startRewrite()
	}
}

// aofSettings caches the settings the write path reads.
func (s *Server) aofSettings() {
	a := &s.aof
	a.stamp.Store(s.cfg.Bool("aof-timestamp-enabled"))
	policy := s.cfg.String("appendfsync")
	a.policy.Store(&policy)
	a.noSyncRW.Store(s.cfg.Bool("no-appendfsync-on-rewrite"))
}

// appendOnlyChanged applies CONFIG SET appendonly and the settings aofSettings
// caches. No stops appending at once. Yes starts a rewrite from a goroutine of its
// own, after any rewrite in progress: CONFIG SET may run inside a transaction that
// holds shards, which the rewrite's snapshot has to wait for.
func (s *Server) appendOnlyChanged(name string) {
	a := &s.aof
	s.aofSettings()
	switch {
	case name != "appendonly":
	case !s.cfg.Bool("appendonly"):
		s.stopAOF()
	case !a.active.Load():
		claimed := a.claimRewrite() // at once if it can: INFO shows it in progress
		a.enabling.Add(1)
		a.jobs.Add(1)
		go func() {
			defer a.jobs.Done()
			defer a.enabling.Add(-1)
			for ; !claimed; claimed = a.claimRewrite() {
				time.Sleep(10 * time.Millisecond)
			}
			_ = s.runRewrite(true)
		}()
	}
}

// loadAOF loads the AOF at start-up and reports whether there was one. Any damage but
// a torn tail (with aof-load-truncated) refuses the start with an empty keyspace.
func (s *Server) loadAOF() (bool, error) {
	if err := s.upgradeOldAOF(); err != nil {
		return false, err
	}
	lc := newPseudoClient(s, "aof")
	lc.replTargets = 0 // replayed writes are not propagated again
	loaded, err := s.replayAOF(func(args [][]byte) {
		s.execute(lc, args)
		lc.w.Reset()
	})
	if err != nil {
		s.emptyData()
		return true, err
	}
	if loaded == nil {
		return false, nil
	}
	a := &s.aof
	a.noteFiles(loaded.man)
	a.baseSize, a.incrSize, a.rw.rewriteBase = loaded.baseSize, loaded.size-loaded.baseSize, loaded.size
	return true, nil
}

// upgradeOldAOF moves the single-file AOF of Redis before 7.0 (appendfilename in dir)
// into the AOF directory as its base, as Redis 7.0 does, when there is no manifest.
// The file is linked into the directory before the manifest names it, and unlinked
// from dir only then, so a crash at any step leaves an AOF that loads.
func (s *Server) upgradeOldAOF() error {
	prefix := s.cfg.String("appendfilename")
	old := filepath.Join(s.cfg.String("dir"), prefix)
	if _, err := os.Stat(old); err != nil {
		return nil
	}
	if man, err := s.readManifest(); man != nil || err != nil {
		return err
	}
	if err := os.MkdirAll(s.aofDir(), 0o755); err != nil {
		return fmt.Errorf("can't create the AOF directory %s: %w", s.aofDir(), err)
	}
	if err := os.Link(old, s.aofPath(prefix)); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("can't move the old-style AOF %s: %w", old, err)
	}
	a := &s.aof
	a.io.Lock()
	a.man = persist.Manifest{Base: persist.AOFFile{Name: prefix, Seq: 1, Type: persist.AOFBase}}
	err := s.writeManifest()
	a.io.Unlock()
	if err != nil {
		return err
	}
	_ = os.Remove(old)
	s.log.notice("Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).", prefix, s.cfg.String("appenddirname"))
	return nil
}

// flushAllData empties every database. The caller holds every shard.
func (s *Server) flushAllData() {
	for i := 0; i < s.ks.Databases(); i++ {
		s.ks.DB(i).Flush()
	}
}

// emptyData empties the databases and the function libraries, as Redis's emptyData:
// before a load that replaces the dataset, and after one that failed part way (its
// libraries would otherwise outlive its keys). The caller holds every shard.
func (s *Server) emptyData() {
	s.flushAllData()
	s.scripts.eng.FunctionFlush()
}

// readManifest reads the AOF's manifest: nil without error when there is none.
func (s *Server) readManifest() (*persist.Manifest, error) {
	data, err := os.ReadFile(s.aofPath(persist.ManifestName(s.cfg.String("appendfilename"))))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("can't read the AOF manifest: %w", err)
	}
	man, err := persist.ParseManifest(data)
	if err != nil {
		return nil, err
	}
	return &man, nil
}

// noteManifest takes the file names an AOF left on disk when the server starts with
// appendonly no, as Redis does, so that a later rewrite or CONFIG SET appendonly yes
// numbers its files after them and deletes them once replaced.
func (s *Server) noteManifest() {
	man, err := s.readManifest()
	if err != nil {
		s.log.warning("Ignoring the AOF manifest: %v", err)
	}
	if man == nil {
		return
	}
	s.aof.noteFiles(*man)
}

// noteFiles makes man the AOF's files, numbering the next ones after them.
func (a *aofState) noteFiles(man persist.Manifest) {
	a.man, a.baseSeq = man, man.Base.Seq
	for _, f := range append(man.Incr, man.History...) {
		a.incrSeq = max(a.incrSeq, f.Seq)
	}
}

// aofLoaded describes an AOF that was replayed.
type aofLoaded struct {
	man            persist.Manifest
	size, baseSize int64
}

// replayAOF replays the AOF the manifest lists, in order, calling run for each
// command; nil when there is no AOF. A transaction is handed to run when its EXEC is
// read, so one the AOF ends inside is never applied.
func (s *Server) replayAOF(run func(args [][]byte)) (*aofLoaded, error) {
	man, err := s.readManifest()
	if man == nil {
		return nil, err
	}
	start := time.Now()
	files := man.Incr
	if man.Base.Name != "" {
		files = append([]persist.AOFFile{man.Base}, files...)
	}
	out := &aofLoaded{man: *man}
	for i, f := range files {
		data, err := os.ReadFile(s.aofPath(f.Name))
		if err != nil {
			return nil, fmt.Errorf("can't read the AOF file %s: %w", f.Name, err)
		}
		kind := "incr"
		if f.Type == persist.AOFBase {
			kind, out.baseSize = "base", int64(len(data))
		}
		n, err := s.replayFile(f, data, i == len(files)-1, run)
		if err != nil {
			return nil, err
		}
		out.size += int64(n)
		s.log.notice("DB loaded from %s file %s: %.3f seconds", kind, f.Name, time.Since(start).Seconds())
	}
	s.log.notice("DB loaded from append only file: %.3f seconds", time.Since(start).Seconds())
	return out, nil
}

// replayFile replays one AOF file and returns the length it has after loading. A base
// may be an RDB (or start with one); a torn tail of the last file is cut off when
// aof-load-truncated allows it, as is a transaction the file ends inside.
func (s *Server) replayFile(f persist.AOFFile, data []byte, last bool, run func(args [][]byte)) (int, error) {
	pos := 0
	if f.Type == persist.AOFBase && bytes.HasPrefix(data, []byte("REDIS")) {
		res, err := s.loadRDBData(data, s.clock.UnixMilli())
		if err != nil {
			return 0, fmt.Errorf("the AOF file %s holds a damaged RDB: %w", f.Name, err)
		}
		if pos = res.Len; strings.HasSuffix(f.Name, ".rdb") {
			return len(data), nil
		}
	}
	truncate := func(at int) (int, error) {
		if !last {
			return 0, fmt.Errorf("the AOF file %s is truncated at offset %d, and it is not the last file", f.Name, at)
		}
		if !s.cfg.Bool("aof-load-truncated") {
			return 0, fmt.Errorf("Unexpected end of file reading the append only file %s. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", f.Name)
		}
		s.log.warning("!!! Warning: short read while loading the AOF file %s!!!", f.Name)
		s.log.warning("!!! Truncating the AOF %s at offset %d !!!", f.Name, at)
		if err := os.Truncate(s.aofPath(f.Name), int64(at)); err != nil {
			return 0, fmt.Errorf("error truncating the AOF file %s: %w", f.Name, err)
		}
		s.log.warning("AOF %s loaded anyway because aof-load-truncated is enabled", f.Name)
		return at, nil
	}
	multiAt := -1      // where the open transaction began
	var txn [][][]byte // its commands
	for pos < len(data) {
		args, n, err := persist.ReadCommand(data[pos:])
		if errors.Is(err, persist.ErrTruncated) {
			if multiAt >= 0 {
				return truncate(multiAt)
			}
			return truncate(pos)
		}
		var ae *persist.AOFError
		if errors.As(err, &ae) {
			return 0, fmt.Errorf("Bad file format reading the append only file %s at offset %d: %s", f.Name, pos+ae.Offset, ae.Reason)
		}
		switch {
		case args == nil: // a comment
		case strings.EqualFold(string(args[0]), "multi"):
			multiAt, txn = pos, txn[:0]
		case strings.EqualFold(string(args[0]), "exec") && multiAt >= 0:
			for _, a := range txn {
				run(a)
			}
			multiAt = -1
		default:
			if _, err := s.table.Lookup(args); err != nil {
				return 0, fmt.Errorf("Unknown command '%s' reading the append only file %s at offset %d", args[0], f.Name, pos)
			}
			if multiAt >= 0 {
				txn = append(txn, args)
			} else {
				run(args)
			}
		}
		pos += n
	}
	if multiAt >= 0 {
		s.log.warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", f.Name)
		return truncate(multiAt)
	}
	return len(data), nil
}

// debugLoadAOF is DEBUG LOADAOF: what is buffered is written, the keyspace emptied
// and the AOF loaded back. The caller holds every shard, so the commands run inside
// that lock as EXEC runs its queue. A damaged AOF leaves the keyspace empty and
// answers an error (Redis exits).
func (s *Server) debugLoadAOF(c *Ctx) error {
	a := &s.aof
	a.io.Lock()
	if a.on {
		_ = s.writeBuffered(true)
	}
	a.io.Unlock()
	s.emptyData() // the AOF loads its libraries again
	lc := newPseudoClient(s, "aof")
	lc.replTargets = 0
	all := s.ks.AllShards()
	_, err := s.replayAOF(func(args [][]byte) {
		spec, _ := s.table.Lookup(args) // replayFile checked it
		_ = s.run(lc, spec, args, all)
		lc.w.Reset()
	})
	c.PropagateNothing()
	if err != nil {
		s.emptyData()
		s.log.warning("DEBUG LOADAOF: %v", err)
		return Errorf("ERR Error loading the AOF: %v", err)
	}
	s.log.warning("Append Only File loaded by DEBUG LOADAOF")
	c.W.OK()
	return nil
}

// infoAOF writes INFO persistence's AOF fields, in Redis 7.0's order; the size fields
// only while appending.
func (s *Server) infoAOF(b *strings.Builder, tail func()) {
	a := &s.aof
	a.io.Lock()
	on, size := a.on, a.baseSize+a.incrSize
	a.io.Unlock()
	a.rw.Lock()
	base := a.rw.rewriteBase // Redis's aof_base_size is the AOF's size after the last rewrite or load
	current := int64(-1)
	if a.rw.inProgress {
		current = int64(time.Since(a.rw.started).Seconds())
	}
	kv(b, "aof_enabled", boolInt(on || a.enabling.Load() > 0))
	kv(b, "aof_rewrite_in_progress", boolInt(a.rw.inProgress))
	kv(b, "aof_rewrite_scheduled", boolInt(a.rw.scheduled))
	kv(b, "aof_last_rewrite_time_sec", a.rw.lastSeconds)
	kv(b, "aof_current_rewrite_time_sec", current)
	kv(b, "aof_last_bgrewrite_status", okErr(a.rw.lastOK))
	kv(b, "aof_rewrites", a.rw.rewrites)
	kv(b, "aof_rewrites_consecutive_failures", a.rw.failures)
	a.rw.Unlock()
	kv(b, "aof_last_write_status", okErr(a.writeErr.Load() == nil))
	kv(b, "aof_last_cow_size", 0)
	tail()
	if on {
		kv(b, "aof_current_size", size)
		kv(b, "aof_base_size", base)
		kv(b, "aof_pending_rewrite", 0)
		kv(b, "aof_buffer_length", a.buffered.Load())
		kv(b, "aof_pending_bio_fsync", 0)
		kv(b, "aof_delayed_fsync", 0)
	}
}
