package server

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
)

// INFO prints Redis 7.0's sections, in Redis's order, with every field a default Redis
// 7.0 prints (the differential test in compat/introspection_test.go compares the field
// names section by section). Values are real where Cinnabar has them; fields about
// things Cinnabar does not have (forks, jemalloc, replicas, I/O threads, defrag) print
// what Redis prints when they are idle. Go-specific fields are appended to a section
// (go_version, go_gc_cycles, ...); parsers key on names, so extra fields are harmless.
//
// Memory figures come from the Go runtime: used_memory is the eviction meter's figure
// (the heap's objects less the values dropped since the last collection, see package
// evict), used_memory_rss the process's resident set, allocator_* the heap's in-use and
// obtained spans, so the ratios Redis derives keep their meaning.

type infoSection struct {
	name    string
	dflt    bool // part of plain INFO and INFO default
	collect func(b *strings.Builder)
}

func (s *Server) infoSections() []infoSection {
	return []infoSection{
		{"server", true, s.infoServer},
		{"clients", true, s.infoClients},
		{"memory", true, s.infoMemory},
		{"persistence", true, s.infoPersistence},
		{"stats", true, s.infoStats},
		{"replication", true, s.infoReplication},
		{"cpu", true, s.infoCPU},
		{"modules", true, func(*strings.Builder) {}},
		{"commandstats", false, s.infoCommandStats},
		{"errorstats", true, s.stats.errors.render},
		{"latencystats", false, s.infoLatencyStats},
		{"cluster", true, func(b *strings.Builder) { b.WriteString("cluster_enabled:0\r\n") }},
		{"keyspace", true, s.infoKeyspace},
	}
}

// infoWanted resolves INFO's arguments to section names: none means the default
// sections; "default", "all" (every section) and "everything" (every section,
// including modules' own, of which there are none) expand; other names are sections,
// case-insensitively; unknown names select nothing.
func (s *Server) infoWanted(args []string) map[string]bool {
	want := map[string]bool{}
	if len(args) == 0 {
		args = []string{"default"}
	}
	for _, a := range args {
		switch name := strings.ToLower(a); name {
		case "default", "all", "everything":
			for _, sec := range s.infoSections() {
				if sec.dflt || name != "default" {
					want[sec.name] = true
				}
			}
		default:
			want[name] = true
		}
	}
	return want
}

func (s *Server) cmdInfo(c *Ctx) error {
	args := make([]string, 0, len(c.Args)-1)
	for i := 1; i < len(c.Args); i++ {
		args = append(args, c.Arg(i))
	}
	c.W.Verbatim(s.InfoString(args...))
	return nil
}

// InfoString renders INFO's reply for the given section arguments.
func (s *Server) InfoString(sections ...string) string {
	want := s.infoWanted(sections)
	var b strings.Builder
	for _, sec := range s.infoSections() {
		if !want[sec.name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		fmt.Fprintf(&b, "# %s\r\n", strings.ToUpper(sec.name[:1])+sec.name[1:])
		sec.collect(&b)
	}
	return b.String()
}

func kv(b *strings.Builder, k string, v any) { fmt.Fprintf(b, "%s:%v\r\n", k, v) }

func utsString(f [65]int8) string {
	var b []byte
	for _, c := range f {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}

func osDescription() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return runtime.GOOS + " " + runtime.GOARCH
	}
	return utsString(u.Sysname) + " " + utsString(u.Release) + " " + utsString(u.Machine)
}

func (s *Server) infoServer(b *strings.Builder) {
	up := time.Since(s.started)
	exe, _ := os.Executable()
	hz := min(max(s.cfg.Int("hz"), 1), 500)
	kv(b, "redis_version", RedisVersion)
	kv(b, "redis_git_sha1", "00000000")
	kv(b, "redis_git_dirty", 0)
	kv(b, "redis_build_id", "0")
	kv(b, "redis_mode", "standalone")
	kv(b, "os", osDescription())
	kv(b, "arch_bits", 64)
	kv(b, "monotonic_clock", "POSIX clock_gettime")
	kv(b, "multiplexing_api", "epoll")
	kv(b, "atomicvar_api", "c11-builtin")
	kv(b, "gcc_version", "0.0.0")
	kv(b, "process_id", os.Getpid())
	kv(b, "process_supervised", "no")
	kv(b, "run_id", s.diag.runID)
	kv(b, "tcp_port", s.Port())
	kv(b, "server_time_usec", s.clock.Now().UnixMicro())
	kv(b, "uptime_in_seconds", int64(up/time.Second))
	kv(b, "uptime_in_days", int64(up/(24*time.Hour)))
	kv(b, "hz", hz)
	kv(b, "configured_hz", s.cfg.Int("hz"))
	kv(b, "lru_clock", (s.clock.Now().Unix())&(1<<24-1))
	kv(b, "executable", exe)
	kv(b, "config_file", s.cfg.File())
	kv(b, "io_threads_active", 0)
	kv(b, "cinnabar_version", Version)
	kv(b, "go_version", runtime.Version())
}

func (s *Server) infoClients(b *strings.Builder) {
	s.clientsMu.Lock()
	var n, inTimeout, maxOut int
	for _, c := range s.clients {
		if !c.closing.Load() { // killed clients whose connections are still closing are gone
			n++
		}
		if w := c.waiter.Load(); w != nil && w.req != nil && w.req.Deadline != 0 {
			inTimeout++
		}
		if out := c.diag.out.Load(); out != nil {
			maxOut = max(maxOut, out.pending())
		}
	}
	s.clientsMu.Unlock()
	kv(b, "connected_clients", n)
	kv(b, "cluster_connections", 0)
	kv(b, "maxclients", s.cfg.Int("maxclients"))
	kv(b, "client_recent_max_input_buffer", 0)
	kv(b, "client_recent_max_output_buffer", maxOut)
	kv(b, "blocked_clients", s.blockedClients())
	kv(b, "tracking_clients", s.tracking.clients.Load())
	kv(b, "clients_in_timeout_table", inTimeout)
}

// blockedClients counts clients parked in a blocking command or waiting for a pause.
func (s *Server) blockedClients() int64 {
	return s.blocking.count.Load() + s.diag.pause.waiting.Load()
}

func human(n uint64) string {
	f := float64(n)
	for _, u := range []string{"B", "K", "M", "G", "T", "P"} {
		if f < 1024 || u == "P" {
			if u == "B" {
				return fmt.Sprintf("%dB", n)
			}
			return fmt.Sprintf("%.2f%s", f, u)
		}
		f /= 1024
	}
	return ""
}

func rssBytes() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, rss uint64
	_, _ = fmt.Sscan(string(data), &size, &rss)
	return rss * uint64(os.Getpagesize())
}

// memoryFigures are the numbers INFO memory and MEMORY STATS share. As in Redis, the
// overhead is the startup memory, the clients' buffers, the script caches and the
// key tables (see store.DB.TableOverhead); the dataset is the rest.
type memoryFigures struct {
	used, peak, startup, rss        uint64
	allocated, active, resident     uint64
	overhead, dataset, clientsBytes uint64
	keyTables                       uint64
	scripts                         scriptMemory
	gcCycles                        uint32
	heapSys                         uint64
}

// memoryFigures gathers the figures; the caller holds every shard (INFO, MEMORY STATS
// and MEMORY DOCTOR are flagged AllKeys).
func (s *Server) memoryFigures() memoryFigures {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f := memoryFigures{used: s.evictor.Meter().Used(), rss: rssBytes(), allocated: ms.HeapAlloc,
		active: ms.HeapInuse, resident: ms.HeapSys - ms.HeapReleased, gcCycles: ms.NumGC, heapSys: ms.HeapSys}
	f.peak = s.notePeak(f.used)
	f.startup = min(s.diag.startupMemory, f.used)
	s.clientsMu.Lock()
	n := len(s.clients)
	for _, c := range s.clients {
		if out := c.diag.out.Load(); out != nil {
			f.clientsBytes += uint64(out.pending())
		}
	}
	s.clientsMu.Unlock()
	f.clientsBytes += uint64(n) * clientBaseMemory
	for i := 0; i < s.ks.Databases(); i++ {
		main, expires := s.ks.DB(i).TableOverhead()
		f.keyTables += uint64(main + expires)
	}
	f.scripts = s.scriptMemory()
	f.overhead = min(f.startup+f.clientsBytes+f.keyTables+uint64(f.scripts.evalCache+f.scripts.functionsCache), f.used)
	f.dataset = f.used - f.overhead
	return f
}

// clientBaseMemory estimates a connection's fixed cost: its goroutine stack, redcon's
// read and write buffers and the reply buffer.
const clientBaseMemory = 16 << 10

func ratio(a, b uint64) float64 { return float64(a) / float64(max(b, 1)) }

func (s *Server) infoMemory(b *strings.Builder) {
	f := s.memoryFigures()
	maxmem := uint64(s.cfg.Int("maxmemory"))
	total := totalSystemMemory()
	kv(b, "used_memory", f.used)
	kv(b, "used_memory_human", human(f.used))
	kv(b, "used_memory_rss", f.rss)
	kv(b, "used_memory_rss_human", human(f.rss))
	kv(b, "used_memory_peak", f.peak)
	kv(b, "used_memory_peak_human", human(f.peak))
	kv(b, "used_memory_peak_perc", fmt.Sprintf("%.2f%%", 100*ratio(f.used, f.peak)))
	kv(b, "used_memory_overhead", f.overhead)
	kv(b, "used_memory_startup", f.startup)
	kv(b, "used_memory_dataset", f.dataset)
	kv(b, "used_memory_dataset_perc", fmt.Sprintf("%.2f%%", 100*ratio(f.dataset, f.used-f.startup)))
	kv(b, "allocator_allocated", f.allocated)
	kv(b, "allocator_active", f.active)
	kv(b, "allocator_resident", f.resident)
	kv(b, "total_system_memory", total)
	kv(b, "total_system_memory_human", human(total))
	sm := f.scripts
	kv(b, "used_memory_lua", sm.vmEval)
	kv(b, "used_memory_vm_eval", sm.vmEval)
	kv(b, "used_memory_lua_human", human(uint64(sm.vmEval)))
	kv(b, "used_memory_scripts_eval", sm.evalCache)
	kv(b, "number_of_cached_scripts", sm.cachedScripts)
	kv(b, "number_of_functions", sm.functions)
	kv(b, "number_of_libraries", sm.libraries)
	kv(b, "used_memory_vm_functions", sm.vmFunctions)
	kv(b, "used_memory_vm_total", sm.vmEval+sm.vmFunctions)
	kv(b, "used_memory_vm_total_human", human(uint64(sm.vmEval+sm.vmFunctions)))
	kv(b, "used_memory_functions", sm.functionsCache)
	kv(b, "used_memory_scripts", sm.evalCache+sm.functionsCache)
	kv(b, "used_memory_scripts_human", human(uint64(sm.evalCache+sm.functionsCache)))
	kv(b, "maxmemory", maxmem)
	kv(b, "maxmemory_human", human(maxmem))
	kv(b, "maxmemory_policy", s.cfg.String("maxmemory-policy"))
	kv(b, "allocator_frag_ratio", fmt.Sprintf("%.2f", ratio(f.active, f.allocated)))
	kv(b, "allocator_frag_bytes", int64(f.active)-int64(f.allocated))
	kv(b, "allocator_rss_ratio", fmt.Sprintf("%.2f", ratio(f.resident, f.active)))
	kv(b, "allocator_rss_bytes", int64(f.resident)-int64(f.active))
	kv(b, "rss_overhead_ratio", fmt.Sprintf("%.2f", ratio(f.rss, f.resident)))
	kv(b, "rss_overhead_bytes", int64(f.rss)-int64(f.resident))
	kv(b, "mem_fragmentation_ratio", fmt.Sprintf("%.2f", ratio(f.rss, f.used)))
	kv(b, "mem_fragmentation_bytes", int64(f.rss)-int64(f.used))
	kv(b, "mem_not_counted_for_evict", 0)
	kv(b, "mem_replication_backlog", 0)
	kv(b, "mem_total_replication_buffers", 0)
	kv(b, "mem_clients_slaves", 0)
	kv(b, "mem_clients_normal", f.clientsBytes)
	kv(b, "mem_cluster_links", 0)
	kv(b, "mem_aof_buffer", s.aof.buffered.Load())
	kv(b, "mem_allocator", "go-"+runtime.Version())
	kv(b, "active_defrag_running", 0)
	kv(b, "lazyfree_pending_objects", 0)
	kv(b, "lazyfreed_objects", 0)
	kv(b, "go_gc_cycles", f.gcCycles)
	kv(b, "go_heap_sys", f.heapSys)
}

func (s *Server) notePeak(used uint64) uint64 {
	for {
		p := s.peakMemory.Load()
		if used <= p {
			return p
		}
		if s.peakMemory.CompareAndSwap(p, used) {
			return used
		}
	}
}

func totalSystemMemory() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func okErr(ok bool) string {
	if ok {
		return "ok"
	}
	return "err"
}

func (s *Server) infoPersistence(b *strings.Builder) {
	st := s.ks.Stats()
	kv(b, "loading", boolInt(s.link.loading.Load())) // only a replica loads while serving
	kv(b, "async_loading", 0)
	kv(b, "current_cow_peak", 0)
	kv(b, "current_cow_size", 0)
	kv(b, "current_cow_size_age", 0)
	kv(b, "current_fork_perc", "0.00")
	kv(b, "current_save_keys_processed", 0)
	kv(b, "current_save_keys_total", 0)
	r := &s.rdb
	r.mu.Lock()
	current := int64(-1)
	if r.inProgress {
		current = int64(time.Since(r.started).Seconds())
	}
	kv(b, "rdb_changes_since_last_save", st.Dirty-r.dirtyAtSave)
	kv(b, "rdb_bgsave_in_progress", boolInt(r.inProgress))
	kv(b, "rdb_last_save_time", r.lastSave.Unix())
	kv(b, "rdb_last_bgsave_status", okErr(r.lastOK))
	kv(b, "rdb_last_bgsave_time_sec", r.lastSeconds)
	kv(b, "rdb_current_bgsave_time_sec", current)
	kv(b, "rdb_saves", r.saves)
	kv(b, "rdb_last_cow_size", 0)
	kv(b, "rdb_last_load_keys_expired", r.expired)
	kv(b, "rdb_last_load_keys_loaded", r.loaded)
	r.mu.Unlock()
	s.infoAOF(b, func() {
		kv(b, "module_fork_in_progress", 0)
		kv(b, "module_fork_last_cow_size", 0)
	})
}

func (s *Server) infoStats(b *strings.Builder) {
	st := s.ks.Stats()
	ops, inKbps, outKbps := s.instantaneous()
	t := s.totals()
	kv(b, "total_connections_received", s.stats.connections.Load())
	kv(b, "total_commands_processed", t.commands)
	kv(b, "instantaneous_ops_per_sec", int64(ops+0.5))
	kv(b, "total_net_input_bytes", t.netIn)
	kv(b, "total_net_output_bytes", t.netOut)
	kv(b, "total_net_repl_input_bytes", s.link.netIn.Load())
	kv(b, "total_net_repl_output_bytes", 0)
	kv(b, "instantaneous_input_kbps", fmt.Sprintf("%.2f", inKbps))
	kv(b, "instantaneous_output_kbps", fmt.Sprintf("%.2f", outKbps))
	kv(b, "instantaneous_input_repl_kbps", "0.00")
	kv(b, "instantaneous_output_repl_kbps", "0.00")
	kv(b, "rejected_connections", s.stats.rejectedConns.Load())
	s.repl.mu.Lock()
	fullSyncs := s.repl.fullSyncs
	s.repl.mu.Unlock()
	kv(b, "sync_full", fullSyncs)
	kv(b, "sync_partial_ok", 0)
	kv(b, "sync_partial_err", 0)
	kv(b, "expired_keys", st.Expired)
	kv(b, "expired_stale_perc", "0.00")
	kv(b, "expired_time_cap_reached_count", 0)
	kv(b, "expire_cycle_cpu_milliseconds", 0)
	kv(b, "evicted_keys", st.Evicted)
	kv(b, "evicted_clients", s.clientEvict.evicted.Load())
	overNow, overTotal := s.evictor.ExceededTime()
	kv(b, "total_eviction_exceeded_time", overTotal.Milliseconds())
	kv(b, "current_eviction_exceeded_time", overNow.Milliseconds())
	kv(b, "keyspace_hits", st.Hits)
	kv(b, "keyspace_misses", st.Misses)
	s.pubsub.mu.RLock()
	kv(b, "pubsub_channels", len(s.pubsub.channels))
	kv(b, "pubsub_patterns", len(s.pubsub.patterns))
	kv(b, "pubsubshard_channels", len(s.pubsub.shard))
	s.pubsub.mu.RUnlock()
	kv(b, "latest_fork_usec", 0)
	kv(b, "total_forks", 0)
	kv(b, "migrate_cached_sockets", 0)
	kv(b, "slave_expires_tracked_keys", 0)
	kv(b, "active_defrag_hits", 0)
	kv(b, "active_defrag_misses", 0)
	kv(b, "active_defrag_key_hits", 0)
	kv(b, "active_defrag_key_misses", 0)
	kv(b, "total_active_defrag_time", 0)
	kv(b, "current_active_defrag_time", 0)
	trackedKeys, trackedItems, prefixes := s.trackingStats()
	kv(b, "tracking_total_keys", trackedKeys)
	kv(b, "tracking_total_items", trackedItems)
	kv(b, "tracking_total_prefixes", prefixes)
	kv(b, "unexpected_error_replies", 0)
	kv(b, "total_error_replies", s.stats.errors.totalReplies())
	kv(b, "dump_payload_sanitizations", 0)
	kv(b, "total_reads_processed", t.commands)
	kv(b, "total_writes_processed", t.commands)
	kv(b, "io_threaded_reads_processed", 0)
	kv(b, "io_threaded_writes_processed", 0)
	kv(b, "reply_buffer_shrinks", 0)
	kv(b, "reply_buffer_expands", 0)
}

func (s *Server) replicationID() string {
	s.diag.replIDMu.Lock()
	defer s.diag.replIDMu.Unlock()
	return s.diag.replID
}

func (s *Server) infoReplication(b *strings.Builder) {
	offset, replicas := s.replicationStatus()
	if s.link.active.Load() {
		kv(b, "role", "slave")
		s.infoReplicaFields(b)
		offset = s.link.offset.Load()
	} else {
		kv(b, "role", "master")
	}
	kv(b, "connected_slaves", len(replicas))
	for i, rp := range replicas {
		kv(b, "slave"+strconv.Itoa(i), fmt.Sprintf("ip=%s,port=%d,state=online,offset=%d,lag=%d", rp.ip, rp.port, rp.offset, rp.lag))
	}
	kv(b, "master_failover_state", "no-failover")
	d := &s.diag
	d.replIDMu.Lock()
	id, id2, second := d.replID, d.replID2, d.secondOffset
	d.replIDMu.Unlock()
	kv(b, "master_replid", id)
	kv(b, "master_replid2", id2)
	kv(b, "master_repl_offset", offset)
	kv(b, "second_repl_offset", second)
	kv(b, "repl_backlog_active", 0)
	kv(b, "repl_backlog_size", s.cfg.Int("repl-backlog-size"))
	kv(b, "repl_backlog_first_byte_offset", 0)
	kv(b, "repl_backlog_histlen", 0)
}

func (s *Server) infoCPU(b *strings.Builder) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	sec := func(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
	kv(b, "used_cpu_sys", sec(ru.Stime))
	kv(b, "used_cpu_user", sec(ru.Utime))
	kv(b, "used_cpu_sys_children", "0.000000")
	kv(b, "used_cpu_user_children", "0.000000")
	// Go has no main thread: the process figures stand in for it.
	kv(b, "used_cpu_sys_main_thread", sec(ru.Stime))
	kv(b, "used_cpu_user_main_thread", sec(ru.Utime))
}

func (s *Server) infoCommandStats(b *strings.Builder) {
	for _, spec := range s.table.Commands() {
		for _, sp := range append([]*Spec{spec}, spec.Subs...) {
			st := sp.Stats()
			calls := st.Calls.Load()
			if calls == 0 && st.Rejected.Load() == 0 && st.Failed.Load() == 0 {
				continue
			}
			usec := st.Usec.Load()
			fmt.Fprintf(b, "cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d\r\n",
				sp.Name, calls, usec, float64(usec)/float64(max(calls, 1)), st.Rejected.Load(), st.Failed.Load())
		}
	}
}

// infoKeyspace runs with every shard held: INFO is flagged AllKeys.
func (s *Server) infoKeyspace(b *strings.Builder) {
	for i := 0; i < s.ks.Databases(); i++ {
		keys, volatile := s.ks.DB(i).Size()
		if keys == 0 {
			continue
		}
		fmt.Fprintf(b, "db%d:keys=%d,expires=%d,avg_ttl=%d\r\n", i, keys, volatile, s.expirer.AvgTTL(i))
	}
}

// resetStats implements CONFIG RESETSTAT.
func (s *Server) resetStats() {
	s.ks.ResetStats()
	s.evictor.ResetStats()
	s.stats.connections.Store(0)
	s.stats.rejectedConns.Store(0)
	s.resetTotals()
	s.stats.errors.reset()
	s.peakMemory.Store(0)
	for _, spec := range s.table.Commands() {
		for _, sp := range append([]*Spec{spec}, spec.Subs...) {
			st := sp.Stats()
			st.Calls.Store(0)
			st.Usec.Store(0)
			st.Rejected.Store(0)
			st.Failed.Store(0)
		}
	}
	s.resetLatencyHistograms()
}
