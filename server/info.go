package server

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
)

type infoSection struct {
	name    string
	dflt    bool // part of plain INFO
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
		{"errorstats", true, s.infoErrorStats},
		{"latencystats", false, func(*strings.Builder) {}},
		{"cluster", true, func(b *strings.Builder) { b.WriteString("cluster_enabled:0\r\n") }},
		{"keyspace", true, s.infoKeyspace},
	}
}

func (s *Server) cmdInfo(c *Ctx) error {
	want := map[string]bool{}
	all, everything := false, false
	for i := 1; i < len(c.Args); i++ {
		name := strings.ToLower(c.Arg(i))
		switch name {
		case "all":
			all = true
		case "everything":
			everything = true
		case "default":
			for _, sec := range s.infoSections() {
				if sec.dflt {
					want[sec.name] = true
				}
			}
		default:
			want[name] = true
		}
	}
	var b strings.Builder
	for _, sec := range s.infoSections() {
		if len(c.Args) == 1 && !sec.dflt {
			continue
		}
		if len(c.Args) > 1 && !everything && !(all && sec.name != "modules") && !want[sec.name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		fmt.Fprintf(&b, "# %s\r\n", strings.ToUpper(sec.name[:1])+sec.name[1:])
		sec.collect(&b)
	}
	c.W.Verbatim(b.String())
	return nil
}

func kv(b *strings.Builder, k string, v any) { fmt.Fprintf(b, "%s:%v\r\n", k, v) }

func (s *Server) infoServer(b *strings.Builder) {
	up := time.Since(s.started)
	exe, _ := os.Executable()
	kv(b, "redis_version", RedisVersion)
	kv(b, "redis_git_sha1", "00000000")
	kv(b, "redis_git_dirty", 0)
	kv(b, "redis_build_id", "0")
	kv(b, "redis_mode", "standalone")
	kv(b, "cinnabar_version", Version)
	kv(b, "os", runtime.GOOS+" "+runtime.GOARCH)
	kv(b, "arch_bits", 64)
	kv(b, "monotonic_clock", "POSIX clock_gettime")
	kv(b, "multiplexing_api", "epoll")
	kv(b, "atomicvar_api", "c11-builtin")
	kv(b, "gcc_version", "0.0.0")
	kv(b, "go_version", runtime.Version())
	kv(b, "process_id", os.Getpid())
	kv(b, "process_supervised", "no")
	kv(b, "run_id", s.runID())
	kv(b, "tcp_port", s.Port())
	kv(b, "server_time_usec", s.clock.Now().UnixMicro())
	kv(b, "uptime_in_seconds", int64(up/time.Second))
	kv(b, "uptime_in_days", int64(up/(24*time.Hour)))
	kv(b, "hz", s.cfg.Int("hz"))
	kv(b, "configured_hz", s.cfg.Int("hz"))
	kv(b, "lru_clock", (s.clock.Now().Unix())&(1<<24-1))
	kv(b, "executable", exe)
	kv(b, "config_file", s.cfg.File())
	kv(b, "io_threads_active", 0)
}

func (s *Server) runID() string {
	return fmt.Sprintf("%040x", s.started.UnixNano())[:40]
}

func (s *Server) infoClients(b *strings.Builder) {
	s.clientsMu.Lock()
	n := len(s.clients)
	s.clientsMu.Unlock()
	kv(b, "connected_clients", n)
	kv(b, "cluster_connections", 0)
	kv(b, "maxclients", s.cfg.Int("maxclients"))
	kv(b, "client_recent_max_input_buffer", 0)
	kv(b, "client_recent_max_output_buffer", 0)
	kv(b, "blocked_clients", s.blocking.count.Load())
	kv(b, "tracking_clients", 0)
	kv(b, "clients_in_timeout_table", 0)
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
	fmt.Sscan(string(data), &size, &rss)
	return rss * uint64(os.Getpagesize())
}

func (s *Server) infoMemory(b *strings.Builder) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	used := ms.HeapAlloc
	rss := rssBytes()
	peak := s.notePeak(used)
	maxmem := uint64(s.cfg.Int("maxmemory"))
	kv(b, "used_memory", used)
	kv(b, "used_memory_human", human(used))
	kv(b, "used_memory_rss", rss)
	kv(b, "used_memory_rss_human", human(rss))
	kv(b, "used_memory_peak", peak)
	kv(b, "used_memory_peak_human", human(peak))
	kv(b, "used_memory_peak_perc", fmt.Sprintf("%.2f%%", float64(used)*100/float64(max(peak, 1))))
	kv(b, "used_memory_overhead", 0)
	kv(b, "used_memory_startup", 0)
	kv(b, "used_memory_dataset", used)
	kv(b, "used_memory_dataset_perc", "100.00%")
	kv(b, "allocator_allocated", ms.HeapAlloc)
	kv(b, "allocator_active", ms.HeapInuse)
	kv(b, "allocator_resident", ms.HeapSys-ms.HeapReleased)
	kv(b, "total_system_memory", totalSystemMemory())
	kv(b, "total_system_memory_human", human(totalSystemMemory()))
	kv(b, "used_memory_lua", 0)
	kv(b, "used_memory_scripts", 0)
	kv(b, "number_of_cached_scripts", 0)
	kv(b, "maxmemory", maxmem)
	kv(b, "maxmemory_human", human(maxmem))
	kv(b, "maxmemory_policy", s.cfg.String("maxmemory-policy"))
	kv(b, "mem_fragmentation_ratio", fmt.Sprintf("%.2f", float64(rss)/float64(max(used, 1))))
	kv(b, "mem_allocator", "go-"+runtime.Version())
	kv(b, "lazyfree_pending_objects", 0)
	kv(b, "lazyfreed_objects", 0)
	kv(b, "go_gc_cycles", ms.NumGC)
	kv(b, "go_heap_sys", ms.HeapSys)
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

func (s *Server) infoPersistence(b *strings.Builder) {
	st := s.ks.Stats()
	kv(b, "loading", 0)
	kv(b, "async_loading", 0)
	kv(b, "rdb_changes_since_last_save", st.Dirty)
	kv(b, "rdb_bgsave_in_progress", 0)
	kv(b, "rdb_last_save_time", s.started.Unix())
	kv(b, "rdb_last_bgsave_status", "ok")
	kv(b, "rdb_last_bgsave_time_sec", -1)
	kv(b, "rdb_current_bgsave_time_sec", -1)
	kv(b, "rdb_saves", 0)
	kv(b, "aof_enabled", 0)
	kv(b, "aof_rewrite_in_progress", 0)
	kv(b, "aof_rewrite_scheduled", 0)
	kv(b, "aof_last_rewrite_time_sec", -1)
	kv(b, "aof_current_rewrite_time_sec", -1)
	kv(b, "aof_last_bgrewrite_status", "ok")
	kv(b, "aof_rewrites", 0)
	kv(b, "aof_last_write_status", "ok")
}

func (s *Server) infoStats(b *strings.Builder) {
	st := s.ks.Stats()
	kv(b, "total_connections_received", s.stats.connections.Load())
	kv(b, "total_commands_processed", s.stats.commands.Load())
	kv(b, "instantaneous_ops_per_sec", 0)
	kv(b, "total_net_input_bytes", s.stats.netInput.Load())
	kv(b, "total_net_output_bytes", s.stats.netOutput.Load())
	kv(b, "rejected_connections", s.stats.rejectedConns.Load())
	kv(b, "expired_keys", st.Expired)
	kv(b, "evicted_keys", st.Evicted)
	kv(b, "keyspace_hits", st.Hits)
	kv(b, "keyspace_misses", st.Misses)
	s.pubsub.mu.RLock()
	kv(b, "pubsub_channels", len(s.pubsub.channels))
	kv(b, "pubsub_patterns", len(s.pubsub.patterns))
	kv(b, "pubsubshard_channels", len(s.pubsub.shard))
	s.pubsub.mu.RUnlock()
	kv(b, "total_forks", 0)
	s.stats.errorsMu.Lock()
	var total int64
	for _, n := range s.stats.errors {
		total += n
	}
	s.stats.errorsMu.Unlock()
	kv(b, "total_error_replies", total)
}

func (s *Server) infoReplication(b *strings.Builder) {
	kv(b, "role", "master")
	kv(b, "connected_slaves", 0)
	kv(b, "master_failover_state", "no-failover")
	kv(b, "master_replid", s.runID())
	kv(b, "master_replid2", strings.Repeat("0", 40))
	kv(b, "master_repl_offset", 0)
	kv(b, "second_repl_offset", -1)
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
}

func (s *Server) infoCommandStats(b *strings.Builder) {
	for _, spec := range s.table.Commands() {
		for _, sp := range append([]*Spec{spec}, spec.Subs...) {
			st := sp.Stats()
			calls := st.Calls.Load()
			if calls == 0 && st.Rejected.Load() == 0 {
				continue
			}
			usec := st.Usec.Load()
			fmt.Fprintf(b, "cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d\r\n",
				sp.Name, calls, usec, float64(usec)/float64(max(calls, 1)), st.Rejected.Load(), st.Failed.Load())
		}
	}
}

func (s *Server) infoErrorStats(b *strings.Builder) {
	s.stats.errorsMu.Lock()
	codes := make([]string, 0, len(s.stats.errors))
	for code := range s.stats.errors {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		fmt.Fprintf(b, "errorstat_%s:count=%d\r\n", code, s.stats.errors[code])
	}
	s.stats.errorsMu.Unlock()
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
	s.stats.connections.Store(0)
	s.stats.commands.Store(0)
	s.stats.rejectedConns.Store(0)
	s.stats.netInput.Store(0)
	s.stats.netOutput.Store(0)
	s.stats.errorsMu.Lock()
	s.stats.errors = map[string]int64{}
	s.stats.errorsMu.Unlock()
	for _, spec := range s.table.Commands() {
		for _, sp := range append([]*Spec{spec}, spec.Subs...) {
			st := sp.Stats()
			st.Calls.Store(0)
			st.Usec.Store(0)
			st.Rejected.Store(0)
			st.Failed.Store(0)
		}
	}
}
