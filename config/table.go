package config

import "math"

// row is one setting: how to parse and print it, its default and whether CONFIG SET may
// change it.
type row struct {
	name     string
	alias    string // old name still accepted (slaveof, hash-max-ziplist-entries, ...)
	kind     kind
	def      string // default, in CONFIG SET syntax
	min, max int64  // kInt, kOctal, kMem
	unsigned bool   // kMem: full uint64 range, no bounds
	words    []string
	vals     []int64 // value of each word (kEnum, kFlags)
	sp       *special
	norm     func(int64) int64 // kInt: adjust a valid value (hz)
	check    func(any) error   // extra validation of a parsed value

	immutable bool // CONFIG SET refuses: "can't set immutable config"
	protected bool // CONFIG SET refuses unless enable-protected-configs allows it
}

func (r row) as(alias string) row { r.alias = alias; return r }
func (r row) fixed() row          { r.immutable = true; return r }
func (r row) guarded() row        { r.protected = true; return r }
func (r row) checked(f func(any) error) row {
	r.check = f
	return r
}

const (
	llMax   = math.MaxInt64
	intMax  = math.MaxInt32
	intMin  = math.MinInt32
	uintMax = math.MaxUint32
)

func boolRow(name, def string) row { return row{name: name, kind: kBool, def: def} }
func intRow(name string, min, max int64, def string) row {
	return row{name: name, kind: kInt, min: min, max: max, def: def}
}
func memRow(name string, min, max int64, def string) row {
	return row{name: name, kind: kMem, min: min, max: max, def: def}
}
func umemRow(name, def string) row { return row{name: name, kind: kMem, unsigned: true, def: def} }
func strRow(name, def string) row  { return row{name: name, kind: kString, def: def} }
func spRow(name, def string, sp *special) row {
	return row{name: name, kind: kSpecial, def: def, sp: sp}
}

// enumRow: words map to their index.
func enumRow(name, def string, words ...string) row {
	r := row{name: name, kind: kEnum, def: def, words: words}
	for i := range words {
		r.vals = append(r.vals, int64(i))
	}
	return r
}

// table lists every Redis 7.0 setting, sorted by name. Defaults are Redis 7.0's except
// bind (127.0.0.1 here) and dir (the working directory at Default).
var table = []row{
	enumRow("acl-pubsub-default", "resetchannels", "allchannels", "resetchannels"),
	strRow("aclfile", "").fixed(),
	intRow("acllog-max-len", 0, llMax, "128"),
	intRow("active-defrag-cycle-max", 1, 99, "25"),
	intRow("active-defrag-cycle-min", 1, 99, "1"),
	memRow("active-defrag-ignore-bytes", 1, llMax, "104857600"),
	intRow("active-defrag-max-scan-fields", 1, llMax, "1000"),
	intRow("active-defrag-threshold-lower", 0, 1000, "10"),
	intRow("active-defrag-threshold-upper", 0, 1000, "100"),
	intRow("active-expire-effort", 1, 10, "1"),
	boolRow("activedefrag", "no"),
	boolRow("activerehashing", "yes"),
	boolRow("always-show-logo", "no").fixed(),
	boolRow("aof-disable-auto-gc", "no"),
	boolRow("aof-load-truncated", "yes"),
	boolRow("aof-rewrite-incremental-fsync", "yes"),
	boolRow("aof-timestamp-enabled", "no"),
	boolRow("aof-use-rdb-preamble", "yes"),
	strRow("aof_rewrite_cpulist", "").fixed(),
	strRow("appenddirname", "appendonlydir").fixed().checked(checkBaseName("appenddirname", "dirname", false)),
	strRow("appendfilename", "appendonly.aof").fixed().checked(checkBaseName("appendfilename", "filename", false)),
	enumRow("appendfsync", "everysec", "everysec", "always", "no"),
	boolRow("appendonly", "no"),
	memRow("auto-aof-rewrite-min-size", 0, llMax, "67108864"),
	intRow("auto-aof-rewrite-percentage", 0, intMax, "100"),
	strRow("bgsave_cpulist", "").fixed(),
	spRow("bind", "127.0.0.1", spBind),
	strRow("bind-source-addr", ""),
	strRow("bio_cpulist", "").fixed(),
	intRow("busy-reply-threshold", 0, llMax, "5000").as("lua-time-limit"),
	spRow("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", spBufferLimit),
	memRow("client-query-buffer-limit", 1024*1024, llMax, "1073741824"),
	boolRow("cluster-allow-pubsubshard-when-down", "yes"),
	boolRow("cluster-allow-reads-when-down", "no"),
	boolRow("cluster-allow-replica-migration", "yes"),
	intRow("cluster-announce-bus-port", 0, 65535, "0"),
	strRow("cluster-announce-hostname", "").checked(checkHostname),
	strRow("cluster-announce-ip", ""),
	intRow("cluster-announce-port", 0, 65535, "0"),
	intRow("cluster-announce-tls-port", 0, 65535, "0"),
	strRow("cluster-config-file", "nodes.conf").fixed(),
	boolRow("cluster-enabled", "no").fixed(),
	umemRow("cluster-link-sendbuf-limit", "0"),
	intRow("cluster-migration-barrier", 0, intMax, "1"),
	intRow("cluster-node-timeout", 0, llMax, "15000"),
	intRow("cluster-port", 0, 65535, "0").fixed(),
	enumRow("cluster-preferred-endpoint-type", "ip", "ip", "hostname", "unknown-endpoint"),
	boolRow("cluster-replica-no-failover", "no").as("cluster-slave-no-failover"),
	intRow("cluster-replica-validity-factor", 0, intMax, "10").as("cluster-slave-validity-factor"),
	boolRow("cluster-require-full-coverage", "yes"),
	boolRow("crash-log-enabled", "yes"),
	boolRow("crash-memcheck-enabled", "yes"),
	boolRow("daemonize", "no").fixed(),
	intRow("databases", 1, intMax, "16").fixed(),
	strRow("dbfilename", "dump.rdb").guarded().checked(checkBaseName("dbfilename", "filename", true)),
	spRow("dir", "", spDir).guarded(),
	boolRow("disable-thp", "yes").fixed(),
	boolRow("dynamic-hz", "yes"),
	enumRow("enable-debug-command", "no", "no", "yes", "local").fixed(),
	enumRow("enable-module-command", "no", "no", "yes", "local").fixed(),
	enumRow("enable-protected-configs", "no", "no", "yes", "local").fixed(),
	intRow("hash-max-listpack-entries", 0, llMax, "512").as("hash-max-ziplist-entries"),
	memRow("hash-max-listpack-value", 0, llMax, "64").as("hash-max-ziplist-value"),
	memRow("hll-sparse-max-bytes", 0, llMax, "3000"),
	row{name: "hz", kind: kInt, min: 0, max: intMax, def: "10", norm: clampHz},
	strRow("ignore-warnings", ""),
	intRow("io-threads", 1, 128, "1").fixed(),
	boolRow("io-threads-do-reads", "no").fixed(),
	boolRow("jemalloc-bg-thread", "yes"),
	intRow("latency-monitor-threshold", 0, llMax, "0"),
	boolRow("latency-tracking", "yes"),
	spRow("latency-tracking-info-percentiles", "50 99 99.9", spPercentiles),
	boolRow("lazyfree-lazy-eviction", "no"),
	boolRow("lazyfree-lazy-expire", "no"),
	boolRow("lazyfree-lazy-server-del", "no"),
	boolRow("lazyfree-lazy-user-del", "no"),
	boolRow("lazyfree-lazy-user-flush", "no"),
	intRow("lfu-decay-time", 0, intMax, "1"),
	intRow("lfu-log-factor", 0, intMax, "10"),
	intRow("list-compress-depth", 0, intMax, "0"),
	intRow("list-max-listpack-size", intMin, intMax, "-2").as("list-max-ziplist-size"),
	strRow("logfile", "").fixed(),
	enumRow("loglevel", "notice", "debug", "verbose", "notice", "warning"),
	strRow("masterauth", ""),
	strRow("masteruser", ""),
	intRow("maxclients", 1, uintMax, "10000"),
	umemRow("maxmemory", "0"),
	spRow("maxmemory-clients", "0", spMemOrPercent),
	intRow("maxmemory-eviction-tenacity", 0, 100, "10"),
	enumRow("maxmemory-policy", "noeviction", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
		"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"),
	intRow("maxmemory-samples", 1, intMax, "5"),
	intRow("min-replicas-max-lag", 0, intMax, "10").as("min-slaves-max-lag"),
	intRow("min-replicas-to-write", 0, intMax, "0").as("min-slaves-to-write"),
	boolRow("no-appendfsync-on-rewrite", "no"),
	spRow("notify-keyspace-events", "", spNotify),
	// "yes" is an old spelling of "relative".
	row{name: "oom-score-adj", kind: kEnum, def: "no", words: []string{"no", "yes", "relative", "absolute"},
		vals: []int64{0, 1, 1, 2}},
	spRow("oom-score-adj-values", "0 200 800", spOOM),
	strRow("pidfile", "").fixed(),
	intRow("port", 0, 65535, "6379"),
	strRow("proc-title-template", "{title} {listen-addr} {server-mode}").checked(checkProcTitle),
	enumRow("propagation-error-behavior", "ignore", "ignore", "panic", "panic-on-replicas"),
	boolRow("protected-mode", "yes"),
	memRow("proto-max-bulk-len", 1024*1024, llMax, "536870912"),
	boolRow("rdb-del-sync-files", "no"),
	boolRow("rdb-save-incremental-fsync", "yes"),
	boolRow("rdbchecksum", "yes").fixed(),
	boolRow("rdbcompression", "yes"),
	memRow("repl-backlog-size", 1, llMax, "1048576"),
	intRow("repl-backlog-ttl", 0, llMax, "3600"),
	boolRow("repl-disable-tcp-nodelay", "no"),
	enumRow("repl-diskless-load", "disabled", "disabled", "on-empty-db", "swapdb"),
	boolRow("repl-diskless-sync", "yes"),
	intRow("repl-diskless-sync-delay", 0, intMax, "5"),
	intRow("repl-diskless-sync-max-replicas", 0, intMax, "0"),
	intRow("repl-ping-replica-period", 1, intMax, "10").as("repl-ping-slave-period"),
	intRow("repl-timeout", 1, intMax, "60"),
	strRow("replica-announce-ip", "").as("slave-announce-ip"),
	intRow("replica-announce-port", 0, 65535, "0").as("slave-announce-port"),
	boolRow("replica-announced", "yes"),
	boolRow("replica-ignore-disk-write-errors", "no"),
	boolRow("replica-ignore-maxmemory", "yes").as("slave-ignore-maxmemory"),
	boolRow("replica-lazy-flush", "no").as("slave-lazy-flush"),
	intRow("replica-priority", 0, intMax, "100").as("slave-priority"),
	boolRow("replica-read-only", "yes").as("slave-read-only"),
	boolRow("replica-serve-stale-data", "yes").as("slave-serve-stale-data"),
	spRow("replicaof", "no one", spReplicaOf).as("slaveof").fixed(),
	strRow("requirepass", ""),
	enumRow("sanitize-dump-payload", "no", "no", "yes", "clients"),
	spRow("save", "3600 1 300 100 60 10000", spSave),
	strRow("server_cpulist", "").fixed(),
	intRow("set-max-intset-entries", 0, llMax, "512"),
	boolRow("set-proc-title", "yes").fixed(),
	shutdownRow("shutdown-on-sigint"),
	shutdownRow("shutdown-on-sigterm"),
	intRow("shutdown-timeout", 0, intMax, "10"),
	intRow("slowlog-log-slower-than", -1, llMax, "10000"),
	intRow("slowlog-max-len", 0, llMax, "128"),
	intRow("socket-mark-id", 0, uintMax, "0").fixed(),
	boolRow("stop-writes-on-bgsave-error", "yes"),
	memRow("stream-node-max-bytes", 0, llMax, "4096"),
	intRow("stream-node-max-entries", 0, llMax, "100"),
	enumRow("supervised", "no", "upstart", "systemd", "auto", "no").fixed(),
	boolRow("syslog-enabled", "no").fixed(),
	enumRow("syslog-facility", "local0", "user", "local0", "local1", "local2", "local3", "local4", "local5",
		"local6", "local7").fixed(),
	strRow("syslog-ident", "redis").fixed(),
	intRow("tcp-backlog", 0, intMax, "511").fixed(),
	intRow("tcp-keepalive", 0, intMax, "300"),
	intRow("timeout", 0, intMax, "0"),
	enumRow("tls-auth-clients", "yes", "no", "yes", "optional"),
	strRow("tls-ca-cert-dir", ""),
	strRow("tls-ca-cert-file", ""),
	strRow("tls-cert-file", ""),
	strRow("tls-ciphers", ""),
	strRow("tls-ciphersuites", ""),
	strRow("tls-client-cert-file", ""),
	strRow("tls-client-key-file", ""),
	strRow("tls-client-key-file-pass", ""),
	boolRow("tls-cluster", "no"),
	strRow("tls-dh-params-file", ""),
	strRow("tls-key-file", ""),
	strRow("tls-key-file-pass", ""),
	intRow("tls-port", 0, 65535, "0"),
	boolRow("tls-prefer-server-ciphers", "no"),
	strRow("tls-protocols", ""),
	boolRow("tls-replication", "no"),
	intRow("tls-session-cache-size", 0, intMax, "20480"),
	intRow("tls-session-cache-timeout", 0, intMax, "300"),
	boolRow("tls-session-caching", "yes"),
	intRow("tracking-table-max-keys", 0, llMax, "1000000"),
	strRow("unixsocket", "").fixed(),
	row{name: "unixsocketperm", kind: kOctal, min: 0, max: 0777, def: "0"}.fixed(),
	intRow("zset-max-listpack-entries", 0, llMax, "128").as("zset-max-ziplist-entries"),
	memRow("zset-max-listpack-value", 0, llMax, "64").as("zset-max-ziplist-value"),
}

// shutdownRow: "default" or any of save/nosave/now/force.
func shutdownRow(name string) row {
	return row{name: name, kind: kFlags, def: "default",
		words: []string{"default", "save", "nosave", "now", "force"},
		vals:  []int64{0, shutdownSave, shutdownNoSave, 4, 8}, check: checkShutdown}
}

// clampHz keeps hz in 1..500 like Redis does when it applies the setting.
func clampHz(n int64) int64 {
	return min(max(n, 1), 500)
}

// Directives a config file may hold that are not settings. They are kept (Extra) for the
// server, and Rewrite leaves their lines alone.
var extraDirectives = map[string]int{ // name -> minimum argument count
	"rename-command": 2,
	"user":           1,
	"loadmodule":     1,
}

// Old directives Redis 7.0 still accepts in a config file and ignores.
var ignoredDirectives = map[string]bool{
	"list-max-ziplist-entries": true,
	"list-max-ziplist-value":   true,
	"lua-replicate-commands":   true,
}
