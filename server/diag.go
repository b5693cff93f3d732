package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cinnabar-db/cinnabar/command"
)

// Diagnostics and client management: the state behind INFO's counters, SLOWLOG,
// LATENCY, MONITOR, CLIENT PAUSE and the idle timeout, and the executor hooks that feed
// it. The executor calls three functions from here and nothing else:
//
//	execute ─▶ noteCommand (CLIENT LIST's cmd=)
//	        ─▶ gate        (before MULTI queueing: CLIENT PAUSE waits, MONITOR clients'
//	                        keyspace ban, the refusals of DEBUG and MODULE LOAD by
//	                        enable-debug-command and enable-module-command)
//	        ─▶ call ─▶ record ─▶ observe (after every executed command, also those run
//	                        by EXEC: slowlog, latency monitor, per-command latency
//	                        histogram, MONITOR feed)
//	        ─▶ afterExecute (publishes the client's db/resp/multi for CLIENT LIST)
//
// The cron goroutine (cron.go) samples the instantaneous metrics, tracks peak memory,
// ends expired pauses and closes idle clients.

// diagState is everything the diagnostics keep for one server.
type diagState struct {
	// cached settings, refreshed by config listeners (the hot path reads atomics)
	slowlogSlower  atomic.Int64 // slowlog-log-slower-than, microseconds (-1 off)
	slowlogMaxLen  atomic.Int64
	latencyThresh  atomic.Int64 // latency-monitor-threshold, milliseconds (0 off)
	latencyTrack   atomic.Bool  // latency-tracking
	idleTimeout    atomic.Int64 // timeout, seconds (0 off)
	activeExpireOn atomic.Bool  // DEBUG SET-ACTIVE-EXPIRE
	expireSync     sync.Mutex   // serializes syncActiveExpire (pause.go)
	cronPaused     atomic.Bool  // DEBUG PAUSE-CRON
	// scriptsRunAnything (DEBUG SET-DISABLE-DENY-SCRIPTS) lets scripts call commands
	// flagged noscript.
	scriptsRunAnything atomic.Bool

	specs map[*command.Spec]*specDiag // read-only after New
	// protected holds the commands a setting may refuse (DEBUG; MODULE LOAD, LOADEX and
	// UNLOAD), read-only after New.
	protected map[*command.Spec]*protectedCmd
	debugCmd  protectedCmd
	moduleCmd protectedCmd
	slowlog   slowlog
	latency   latencyMonitor
	monitor   monitorSet
	pause     pauseState
	metrics   metricsState

	runID, replID string
	replID2       string // the replication ID before the last promotion (REPLICAOF NO ONE)
	secondOffset  int64  // the offset up to which replID2 is valid, -1 without one
	replIDMu      sync.Mutex
	startupMemory uint64
	chdir         bool // CONFIG SET dir changes the working directory (Options.Chdir)

	cronStop, cronDone chan struct{}
}

// specDiag is the per-command state the diagnostics keep (beside command.Stats).
type specDiag struct {
	hist atomic.Pointer[histogram] // allocated on the first call
}

// clientDiag is the per-client state of the diagnostics. Fields are atomics because
// CLIENT LIST, INFO and the cron read them from other goroutines.
type clientDiag struct {
	busy       atomic.Bool  // running a command (not idle)
	pausedWait atomic.Bool  // waiting for CLIENT PAUSE to end
	monitor    atomic.Bool  // in MONITOR mode
	noEvict    atomic.Bool  // CLIENT NO-EVICT
	replica    atomic.Bool  // a replica attached by SYNC/PSYNC (replication.go)
	noTouch    atomic.Bool  // CLIENT NO-TOUCH
	db         atomic.Int32 // mirrors of connection-goroutine state
	proto      atomic.Int32
	multi      atomic.Int32                // queued commands, -1 outside MULTI
	multiMem   atomic.Int64                // bytes the queued commands hold (multiState.memory)
	replyBuf   atomic.Int64                // replies of the batch not flushed yet, once large (noteReplies)
	fd         atomic.Int32                // socket descriptor, 0 until looked up
	out        atomic.Pointer[asyncOutput] // c.out, once the client has one (enterPushMode)

	// The recent commands' diagnostics, a small cache in front of diagState.specs
	// (read and written by the client's own goroutine only): a transaction cycles
	// through four commands.
	recent     [4]recentDiag
	recentNext int
}

type recentDiag struct {
	spec *command.Spec
	sd   *specDiag
}

// diagOf returns the diagnostics of spec, through the client's cache.
func (s *Server) diagOf(c *Client, spec *command.Spec) *specDiag {
	d := &c.diag
	for _, r := range d.recent {
		if r.spec == spec {
			return r.sd
		}
	}
	sd := s.diag.specs[spec]
	d.recent[d.recentNext] = recentDiag{spec, sd}
	d.recentNext = (d.recentNext + 1) % len(d.recent)
	return sd
}

func randomHex40() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// initDiag sets up the diagnostics; New calls it once the command table exists.
func (s *Server) initDiag(opts Options) {
	d := &s.diag
	d.chdir = opts.Chdir
	d.runID, d.replID = randomHex40(), randomHex40()
	d.replID2, d.secondOffset = strings.Repeat("0", 40), -1
	d.activeExpireOn.Store(true)
	d.specs = map[*command.Spec]*specDiag{}
	for _, spec := range s.table.Commands() {
		d.specs[spec] = &specDiag{}
		for _, sub := range spec.Subs {
			d.specs[sub] = &specDiag{}
		}
	}
	d.debugCmd = protectedCmd{word: "DEBUG", setting: "enable-debug-command"}
	d.moduleCmd = protectedCmd{word: "MODULE", setting: "enable-module-command"}
	d.protected = map[*command.Spec]*protectedCmd{s.table.Get("debug"): &d.debugCmd}
	// MODULE HELP and LIST stay allowed, as in Redis: they load nothing.
	for _, sub := range []string{"load", "loadex", "unload"} {
		d.protected[s.table.Get("module").Sub(sub)] = &d.moduleCmd
	}
	d.latency.events = map[string]*latencySeries{}
	d.monitor.clients = map[*Client]struct{}{}
	d.startupMemory = s.evictor.Meter().Used()
	s.applyDiagConfig()
	s.cfg.OnChange(func(name string) {
		s.applyDiagConfig()
		if name == "slowlog-max-len" {
			s.diag.slowlog.trim(int(s.diag.slowlogMaxLen.Load()))
		}
	})
	s.cfg.OnApply("maxclients", s.checkMaxClients)
	if d.chdir {
		s.cfg.OnApply("dir", func(dir string) error { return os.Chdir(dir) })
	}
}

func (s *Server) applyDiagConfig() {
	d := &s.diag
	d.slowlogSlower.Store(s.cfg.Int("slowlog-log-slower-than"))
	d.slowlogMaxLen.Store(s.cfg.Int("slowlog-max-len"))
	d.latencyThresh.Store(s.cfg.Int("latency-monitor-threshold"))
	d.latencyTrack.Store(s.cfg.Bool("latency-tracking"))
	d.idleTimeout.Store(s.cfg.Int("timeout"))
	for _, p := range []*protectedCmd{&d.debugCmd, &d.moduleCmd} {
		switch s.cfg.String(p.setting) {
		case "yes":
			p.allowed.Store(1)
		case "local":
			p.allowed.Store(2)
		default:
			p.allowed.Store(0)
		}
	}
}

// protectedCmd is a command refused unless its setting allows it, as Redis guards DEBUG
// and MODULE with enable-debug-command and enable-module-command.
type protectedCmd struct {
	word, setting string       // the command's name in the error, the setting's name
	allowed       atomic.Int32 // 0 no, 1 yes, 2 local connections only
}

// allows applies the setting to the client.
func (p *protectedCmd) allows(c *Client) bool {
	switch p.allowed.Load() {
	case 1:
		return true
	case 2:
		return isLocalAddr(c.addr)
	}
	return false
}

func (p *protectedCmd) refusal() error {
	return command.Errorf(`ERR %s command not allowed. If the %s option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`, p.word, p.setting)
}

// noteCommand records the command a client is running (CLIENT LIST's cmd).
func (c *Client) noteCommand(spec *command.Spec) {
	c.diag.busy.Store(true)
	if c.lastCmd.Load() != spec {
		c.lastCmd.Store(spec)
	}
}

// afterExecute publishes the state other goroutines show for the client. Stores are
// skipped when nothing changed: they are the expensive part.
func (c *Client) afterExecute() {
	c.srv.endCaching(c)
	d := &c.diag
	if db := int32(c.db); d.db.Load() != db {
		d.db.Store(db)
	}
	if proto := int32(c.w.Proto); d.proto.Load() != proto {
		d.proto.Store(proto)
	}
	multi := int32(-1)
	if c.multi != nil {
		multi = int32(len(c.multi.cmds))
	}
	if d.multi.Load() != multi {
		d.multi.Store(multi)
	}
	var multiMem int64
	if c.multi != nil {
		multiMem = c.multi.memory()
	}
	if d.multiMem.Load() != multiMem {
		d.multiMem.Store(multiMem)
	}
	d.busy.Store(false)
}

// gate runs before a command is queued or executed. It returns false when the command
// must not run: it has then written the rejection, or the client was killed while it
// waited for a pause to end.
func (s *Server) gate(c *Client, spec, top *command.Spec) bool {
	// Every protected command is admin: the flag test keeps the map off the hot path.
	if spec.Flags&command.Admin != 0 {
		if p := s.diag.protected[spec]; p != nil && !p.allows(c) {
			s.reject(c, spec, p.refusal())
			return false
		}
	}
	if c.diag.monitor.Load() {
		if top.Name == "reset" {
			s.stopMonitor(c)
		} else if spec.Flags&(command.Write|command.ReadOnly|command.MayReplicate) != 0 {
			s.reject(c, spec, command.Err("ERR Replica can't interact with the keyspace"))
			return false
		}
	}
	if top.Name == "reset" {
		c.diag.noEvict.Store(false)
		c.diag.noTouch.Store(false)
	}
	if s.diag.pause.mode.Load() != pauseNone {
		return s.waitPause(c, spec)
	}
	return true
}

// observe runs after every executed command with its duration: slowlog, latency
// monitor, latency histogram and MONITOR.
func (s *Server) observe(c *Client, spec *command.Spec, dur time.Duration) {
	d := &s.diag
	if slower := d.slowlogSlower.Load(); slower >= 0 && !spec.Has(command.SkipSlowlog) && int64(dur/time.Microsecond) >= slower {
		s.slowlogPush(c, spec, c.ctx.Args, dur)
	}
	if th := d.latencyThresh.Load(); th > 0 {
		if ms := int64(dur / time.Millisecond); ms >= th {
			event := "command"
			if spec.Has(command.Fast) {
				event = "fast-command"
			}
			d.latency.add(event, ms)
		}
	}
	if d.latencyTrack.Load() {
		if sd := s.diagOf(c, spec); sd != nil {
			h := sd.hist.Load()
			if h == nil {
				sd.hist.CompareAndSwap(nil, new(histogram))
				h = sd.hist.Load()
			}
			h.record(dur)
		}
	}
	if d.monitor.count.Load() > 0 && spec.Flags&(command.Admin|command.SkipMonitor) == 0 {
		s.feedMonitors(c, c.db, spec, c.ctx.Args)
	}
}

// releaseDiag forgets a departing client.
func (s *Server) releaseDiag(c *Client) {
	if c.diag.monitor.Load() {
		s.stopMonitor(c)
	}
}

// redacted lists the argument positions MONITOR and SLOWLOG hide, as Redis redacts
// passwords: every AUTH argument, HELLO's AUTH user and password, MIGRATE's AUTH and
// AUTH2 credentials, CONFIG SET values of requirepass and masterauth, and every
// argument of ACL SETUSER from the user name on.
func redacted(spec *command.Spec, args [][]byte) map[int]bool {
	name := spec.Name
	var out map[int]bool
	mark := func(i int) {
		if i < len(args) {
			if out == nil {
				out = map[int]bool{}
			}
			out[i] = true
		}
	}
	switch name {
	case "auth", "acl|setuser":
		first := 1
		if name == "acl|setuser" {
			first = 2
		}
		for i := first; i < len(args); i++ {
			mark(i)
		}
	case "hello":
		for i := 2; i < len(args); i++ {
			switch lower(args[i]) {
			case "auth":
				mark(i + 1)
				mark(i + 2)
				i += 2
			case "setname":
				i++
			}
		}
	case "migrate":
		for i := 6; i < len(args); i++ {
			switch lower(args[i]) {
			case "auth":
				mark(i + 1)
				i++
			case "auth2":
				mark(i + 1)
				mark(i + 2)
				i += 2
			case "keys":
				i = len(args)
			}
		}
	case "config|set":
		for i := 2; i+1 < len(args); i += 2 {
			if k := lower(args[i]); k == "requirepass" || k == "masterauth" {
				mark(i + 1)
			}
		}
	}
	return out
}

func lower(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// checkMaxClients is maxclients' apply-time check, as Redis's: the file-descriptor
// limit must leave room for the clients plus 32 reserved descriptors; it is raised if
// the hard limit allows.
func (s *Server) checkMaxClients(value string) error {
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return err
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		return nil
	}
	need := uint64(n) + 32
	if need <= lim.Cur {
		return nil
	}
	want := lim
	want.Cur = min(need, lim.Max)
	if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil && want.Cur >= need {
		return nil
	}
	_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	return fmt.Errorf("The operating system is not able to handle the specified number of clients, try with %d", max(int64(lim.Cur)-32, 1))
}

// cloneRows copies the command rows for one server. The data families' rows are
// package-level variables shared by every server in the process, but a table writes
// into its rows (each subcommand's parent) and keeps the command statistics there: with
// shared rows, servers started in parallel (test fixtures) would race on those writes
// and count each other's calls in INFO commandstats. The copy is a shallow one made by
// reflection, so it keeps every field the Spec type has or will have; counters and
// parent links start empty.
func cloneRows(groups [][]*command.Spec) [][]*command.Spec {
	out := make([][]*command.Spec, len(groups))
	for i, g := range groups {
		out[i] = make([]*command.Spec, len(g))
		for j, spec := range g {
			out[i][j] = cloneSpec(spec)
		}
	}
	return out
}

func cloneSpec(spec *command.Spec) *command.Spec {
	v := reflect.New(reflect.TypeOf(spec).Elem()).Elem()
	v.Set(reflect.ValueOf(spec).Elem())
	c := v.Addr().Interface().(*command.Spec)
	st := c.Stats()
	st.Calls.Store(0)
	st.Usec.Store(0)
	st.Rejected.Store(0)
	st.Failed.Store(0)
	if len(spec.Subs) > 0 {
		c.Subs = make([]*command.Spec, len(spec.Subs))
		for i, sub := range spec.Subs {
			c.Subs[i] = cloneSpec(sub)
		}
	}
	return c
}
