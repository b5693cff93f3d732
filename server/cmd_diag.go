package server

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/store"
)

// diagCommands are MONITOR, SLOWLOG, LATENCY, MEMORY, DEBUG, ROLE and LOLWUT.
func (s *Server) diagCommands() []*Spec {
	return []*Spec{
		s.monitorCommand(),
		s.slowlogCommands(),
		s.latencyCommands(),
		{Name: "memory", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "memory|usage", Arity: -3, Flags: ReadOnly, Do: s.cmdMemoryUsage},
			{Name: "memory|stats", Arity: 2, Flags: AllKeys, Do: s.cmdMemoryStats},
			{Name: "memory|doctor", Arity: 2, Flags: AllKeys, Do: s.cmdMemoryDoctor},
			{Name: "memory|malloc-stats", Arity: 2, Do: cmdMemoryMallocStats},
			{Name: "memory|purge", Arity: 2, Do: cmdMemoryPurge},
			{Name: "memory|help", Arity: 2, Flags: Loading | Stale, Do: cmdMemoryHelp},
		}},
		// DEBUG locks every shard: like Redis's, DEBUG SLEEP stops every command that
		// touches keys, and POPULATE, DIGEST and OBJECT reach any key.
		{Name: "debug", Arity: -2, Flags: Admin | NoScript | Loading | Stale | AllKeys, Do: s.cmdDebug},
		{Name: "role", Arity: 1, Flags: NoScript | Loading | Stale | Fast, Cat: CatAdmin | CatDangerous, Do: s.cmdRole},
		{Name: "lolwut", Arity: -1, Flags: ReadOnly | Fast, Do: cmdLolwut},
	}
}

// ---- MEMORY ----

func (s *Server) cmdMemoryUsage(c *Ctx) error {
	samples := int64(5)
	for i := 3; i < len(c.Args); i++ {
		if !c.Is(i, "samples") || i+1 >= len(c.Args) {
			return ErrSyntax
		}
		n, err := c.Int(i + 1)
		if err != nil {
			return err
		}
		if n < 0 {
			return ErrSyntax
		}
		samples = n
		i++
	}
	e := c.DB.Peek(c.Args[2])
	if e == nil {
		c.W.Null()
		return nil
	}
	c.W.Int(int64(e.MemoryUsage(len(c.Args[2]), int(min(samples, math.MaxInt32)))))
	return nil
}

func (s *Server) cmdMemoryStats(c *Ctx) error {
	f := s.memoryFigures()
	type dbStat struct {
		db          int
		main, expir int
	}
	var dbs []dbStat
	totalKeys := 0
	for i := 0; i < s.ks.Databases(); i++ {
		keys, _ := s.ks.DB(i).Size()
		if keys == 0 {
			continue
		}
		totalKeys += keys
		main, expires := s.ks.DB(i).TableOverhead()
		dbs = append(dbs, dbStat{i, main, expires})
	}
	net := f.used - f.startup
	c.W.Map(27 + len(dbs))
	pair := func(k string, v int64) {
		c.W.BulkString(k)
		c.W.Int(v)
	}
	dbl := func(k string, v float64) {
		c.W.BulkString(k)
		c.W.Double(v)
	}
	pair("peak.allocated", int64(f.peak))
	pair("total.allocated", int64(f.used))
	pair("startup.allocated", int64(f.startup))
	pair("replication.backlog", 0)
	pair("clients.slaves", 0)
	pair("clients.normal", int64(f.clientsBytes))
	pair("cluster.links", 0)
	pair("aof.buffer", 0)
	pair("lua.caches", int64(f.scripts.evalCache))
	pair("functions.caches", int64(f.scripts.functionsCache))
	for _, d := range dbs {
		c.W.BulkString("db." + strconv.Itoa(d.db))
		c.W.Map(3)
		pair("overhead.hashtable.main", int64(d.main))
		pair("overhead.hashtable.expires", int64(d.expir))
		pair("overhead.hashtable.slot-to-keys", 0)
	}
	pair("overhead.total", int64(f.overhead))
	pair("keys.count", int64(totalKeys))
	perKey := int64(0)
	if totalKeys > 0 {
		perKey = int64(net) / int64(totalKeys)
	}
	pair("keys.bytes-per-key", perKey)
	pair("dataset.bytes", int64(f.dataset))
	dbl("dataset.percentage", 100*ratio(f.dataset, net))
	dbl("peak.percentage", 100*ratio(f.used, f.peak))
	pair("allocator.allocated", int64(f.allocated))
	pair("allocator.active", int64(f.active))
	pair("allocator.resident", int64(f.resident))
	dbl("allocator-fragmentation.ratio", ratio(f.active, f.allocated))
	pair("allocator-fragmentation.bytes", int64(f.active)-int64(f.allocated))
	dbl("allocator-rss.ratio", ratio(f.resident, f.active))
	pair("allocator-rss.bytes", int64(f.resident)-int64(f.active))
	dbl("rss-overhead.ratio", ratio(f.rss, f.resident))
	pair("rss-overhead.bytes", int64(f.rss)-int64(f.resident))
	dbl("fragmentation", ratio(f.rss, f.used))
	pair("fragmentation.bytes", int64(f.rss)-int64(f.used))
	return nil
}

func (s *Server) cmdMemoryDoctor(c *Ctx) error {
	f := s.memoryFigures()
	var b strings.Builder
	if f.used < 5<<20 {
		b.WriteString("This instance holds little or no data (under 5 MB of heap), too little for a memory diagnosis: come back when it holds some data.\n")
		c.W.Verbatim(b.String())
		return nil
	}
	var issues []string
	if f.peak > f.used*3/2 {
		issues = append(issues, fmt.Sprintf("Peak memory: the heap once reached %s, more than 150%% of what it holds now (%s). The Go runtime returns freed memory to the system gradually; MEMORY PURGE returns it at once.", human(f.peak), human(f.used)))
	}
	if fr := ratio(f.rss, f.used); fr > 1.4 && f.rss-f.used > 10<<20 {
		issues = append(issues, fmt.Sprintf("High overhead: the resident set (%s) is %.2f times the heap's objects (%s). Freed memory not yet returned to the system and goroutine stacks count here; MEMORY PURGE may help.", human(f.rss), fr, human(f.used)))
	}
	if f.clientsBytes > 200<<20 {
		issues = append(issues, fmt.Sprintf("Client buffers use %s: look for clients with a large omem in CLIENT LIST (slow subscribers or monitors).", human(f.clientsBytes)))
	}
	if len(issues) == 0 {
		b.WriteString("No memory issues detected in this instance.\n")
	} else {
		b.WriteString("Memory issues detected in this instance:\n\n")
		for _, i := range issues {
			b.WriteString(" * " + i + "\n\n")
		}
	}
	c.W.Verbatim(b.String())
	return nil
}

func cmdMemoryMallocStats(c *Ctx) error {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var b strings.Builder
	fmt.Fprintf(&b, "___ Begin Go runtime memory statistics (%s) ___\n", runtime.Version())
	for _, l := range []struct {
		k string
		v uint64
	}{
		{"HeapAlloc", ms.HeapAlloc}, {"HeapInuse", ms.HeapInuse}, {"HeapIdle", ms.HeapIdle},
		{"HeapReleased", ms.HeapReleased}, {"HeapSys", ms.HeapSys}, {"HeapObjects", ms.HeapObjects},
		{"StackInuse", ms.StackInuse}, {"StackSys", ms.StackSys}, {"MSpanInuse", ms.MSpanInuse},
		{"MCacheInuse", ms.MCacheInuse}, {"GCSys", ms.GCSys}, {"OtherSys", ms.OtherSys},
		{"Sys", ms.Sys}, {"TotalAlloc", ms.TotalAlloc}, {"Mallocs", ms.Mallocs}, {"Frees", ms.Frees},
		{"NextGC", ms.NextGC}, {"NumGC", uint64(ms.NumGC)}, {"PauseTotalNs", ms.PauseTotalNs},
	} {
		fmt.Fprintf(&b, "%-14s %d\n", l.k+":", l.v)
	}
	b.WriteString("--- End Go runtime memory statistics ---\n")
	c.W.Verbatim(b.String())
	return nil
}

func cmdMemoryPurge(c *Ctx) error {
	debug.FreeOSMemory()
	c.W.OK()
	return nil
}

func cmdMemoryHelp(c *Ctx) error {
	ReplyHelp(c.W, "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).")
	return nil
}

// ---- ROLE, LOLWUT ----

// cmdLolwut answers as Redis 7.0 does: the art of versions 5 and 6 (here Cinnabar's
// own: a field of cinnabar crystals), then the version line; any other version gives the
// version line alone.
func cmdLolwut(c *Ctx) error {
	version := int64(7)
	var params []int64
	for i := 1; i < len(c.Args); i++ {
		if c.Is(i, "version") && i+1 < len(c.Args) {
			n, err := c.Int(i + 1)
			if err != nil {
				return err
			}
			version = n
			i++
			continue
		}
		n, err := c.Int(i)
		if err != nil {
			return err
		}
		params = append(params, n)
	}
	var b strings.Builder
	if version == 5 || version == 6 {
		cols, rows := int64(40), int64(10)
		if len(params) > 0 {
			cols = min(max(params[0], 1), 1000)
		}
		if len(params) > 1 {
			rows = min(max(params[1], 1), 1000)
		}
		crystals(&b, int(cols), int(rows))
		b.WriteString("Cinnabar crystals, HgS, after a mineral specimen. ")
	}
	b.WriteString("Redis ver. " + RedisVersion + "\n")
	c.W.Verbatim(b.String())
	return nil
}

// crystals draws rhombohedral crystals whose size grows down the picture.
func crystals(b *strings.Builder, cols, rows int) {
	seed := uint32(2463534242)
	rnd := func() uint32 { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; return seed }
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			p := int(rnd() % uint32(rows+1))
			switch {
			case p < y/3:
				b.WriteString("◆")
			case p < y:
				b.WriteString("◇")
			case p < y+2:
				b.WriteString("·")
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
}

// ---- DEBUG ----

func (s *Server) cmdDebug(c *Ctx) error {
	sub := strings.ToLower(c.Arg(1))
	n := len(c.Args)
	switch {
	case sub == "help" && n == 2:
		return cmdDebugHelp(c)
	case sub == "sleep" && n == 3:
		sec, _ := strconv.ParseFloat(c.Arg(2), 64)
		if sec > 0 && !math.IsInf(sec, 0) {
			time.Sleep(time.Duration(sec * float64(time.Second)))
		}
		c.W.OK()
	case sub == "set-active-expire" && n == 3:
		on, _ := strconv.Atoi(c.Arg(2))
		s.diag.activeExpireOn.Store(on != 0)
		s.syncActiveExpire()
		c.W.OK()
	case sub == "pause-cron" && n == 3:
		on, _ := strconv.Atoi(c.Arg(2))
		s.diag.cronPaused.Store(on != 0)
		c.W.OK()
	case sub == "object" && n == 3:
		return s.debugObject(c)
	case sub == "log" && n == 3:
		s.log.warning("DEBUG LOG: %s", c.Arg(2))
		c.W.OK()
	case sub == "error" && n == 3:
		c.W.Error(c.Arg(2))
	case sub == "protocol" && n == 3:
		return debugProtocol(c)
	case sub == "change-repl-id" && n == 2:
		s.diag.replIDMu.Lock()
		s.diag.replID = randomHex40()
		s.diag.replIDMu.Unlock()
		c.W.OK()
	case sub == "populate" && n >= 3 && n <= 5:
		return s.debugPopulate(c)
	case sub == "digest" && n == 2:
		c.W.Simple(s.digest())
	case sub == "digest-value" && n >= 2:
		c.W.Array(n - 2)
		for i := 2; i < n; i++ {
			db := s.ks.DB(client(c).db)
			if e := db.Peek(c.Args[i]); e != nil {
				c.W.Simple(hex.EncodeToString(valueDigest(e)))
			} else {
				c.W.Simple(strings.Repeat("0", 40))
			}
		}
	case sub == "clock" && n >= 3:
		return s.debugClock(c)
	case sub == "reload":
		return s.debugReload(c)
	case sub == "loadaof" && n == 2:
		return s.debugLoadAOF(c)
	case sub == "sdslen" && n == 3:
		return s.debugSDSLen(c)
	case sub == "listpack" && n == 3:
		return s.debugListpack(c)
	case sub == "quicklist" && (n == 3 || n == 4):
		return s.debugQuicklist(c)
	case sub == "htstats" && n == 3:
		return s.debugHTStats(c)
	case sub == "htstats-key" && n == 3:
		return s.debugHTStatsKey(c)
	case sub == "structsize" && n == 2:
		c.W.BulkString(structSizes)
	case sub == "stringmatch-test" && n == 2:
		return debugStringmatchTest(c)
	case sub == "quicklist-packed-threshold" && n == 3:
		return debugPackedThreshold(c)
	case sub == "replybuffer" && n == 4:
		return debugReplyBuffer(c)
	case sub == "set-disable-deny-scripts" && n == 3:
		on, _ := strconv.Atoi(c.Arg(2))
		s.diag.scriptsRunAnything.Store(on != 0)
		c.W.OK()
	case sub == "set-skip-checksum-validation" && n == 3:
		c.W.OK()
	default:
		return subcommandSyntaxError(c.Arg(1), "DEBUG")
	}
	return nil
}

func cmdDebugHelp(c *Ctx) error {
	ReplyHelp(c.W, "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CHANGE-REPL-ID",
		"    Change the replication IDs of the instance.",
		"CLOCK GET|FREEZE|UNFREEZE",
		"    Read the server clock (unix milliseconds), stop it, or let it run again.",
		"CLOCK ADVANCE <milliseconds>",
		"    Move the server clock forward (backward if negative); TTLs and blocking",
		"    timeouts follow it. Replies with the new time in unix milliseconds.",
		"CLOCK SET <unix-milliseconds>",
		"    Move the server clock to a given instant. Replies with the new time.",
		"DIGEST",
		"    Output a hex signature representing the current DB content.",
		"DIGEST-VALUE <key> [<key> ...]",
		"    Output a hex signature of the values of all the specified keys.",
		"ERROR <string>",
		"    Return a Redis protocol error with <string> as message. Useful for clients",
		"    unit tests to simulate Redis errors.",
		"LOG <message>",
		"    Write <message> to the server log.",
		"HTSTATS <dbid>",
		"    Return hash table statistics of the specified Redis database.",
		"HTSTATS-KEY <key>",
		"    Like HTSTATS but for the hash table stored at <key>'s value.",
		"OBJECT <key>",
		"    Show low level info about `key` and associated value.",
		"PAUSE-CRON <0|1>",
		"    Stop periodic cron job processing.",
		"POPULATE <count> [<prefix>] [<size>]",
		"    Create <count> string keys named key:<num>. If <prefix> is specified then",
		"    it is used instead of the 'key' prefix.",
		"PROTOCOL <type>",
		"    Reply with a test value of the specified type. <type> can be: string,",
		"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
		"    true, false.",
		"SET-ACTIVE-EXPIRE <0|1>",
		"    Setting it to 0 disables expiring keys in background when they are not",
		"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
		"    default.",
		"QUICKLIST-PACKED-THRESHOLD <size>",
		"    Sets the threshold for elements to be inserted as plain vs packed nodes",
		"    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
		"SDSLEN <key>",
		"    Show low level SDS string info representing `key` and value.",
		"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
		"    Enables or disables checksum checks for RDB files and RESTORE's payload.",
		"SLEEP <seconds>",
		"    Stop the server for <seconds>. Decimals allowed.",
		"STRINGMATCH-TEST",
		"    Run a fuzz tester against the stringmatchlen() function.",
		"STRUCTSIZE",
		"    Return the size of different Redis core C structures.",
		"LISTPACK <key>",
		"    Show low level info about the listpack encoding of <key>.",
		"QUICKLIST <key> [<0|1>]",
		"    Show low level info about the quicklist encoding of <key>.",
		"    The optional argument (0 by default) sets the level of detail",
		"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
		"    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
		"    In case NEVER is provided the last observed peak will never be reset",
		"    In case RESET is provided the peak reset time will be restored to the default value",
		"REPLYBUFFER RESIZING <0|1>",
		"    Enable or disable the reply buffer resize cron job")
	return nil
}

// serializedLength approximates the RDB size of a value, for DEBUG OBJECT.
func serializedLength(e *store.Entry) int {
	if e.Type() == store.TypeString {
		b := e.Bytes()
		if e.Encoding() == "int" {
			n, _ := strconv.ParseInt(string(b), 10, 64)
			switch {
			case n >= math.MinInt8 && n <= math.MaxInt8:
				return 2
			case n >= math.MinInt16 && n <= math.MaxInt16:
				return 3
			case n >= math.MinInt32 && n <= math.MaxInt32:
				return 5
			}
		}
		return len(b) + 1
	}
	return e.ValueMemory(0) / 2
}

func (s *Server) debugObject(c *Ctx) error {
	db := s.ks.DB(client(c).db)
	e := db.Peek(c.Args[2])
	if e == nil {
		return Err("ERR no such key")
	}
	line := fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
		e, min(e.RefCount(), 1), e.Encoding(), serializedLength(e), e.LRU(), e.IdleSeconds(db.Now()))
	if e.Type() == store.TypeList {
		l := e.List()
		nodes := l.ListpackNodes()
		bytes := 0
		for _, nd := range nodes {
			bytes += nd.Bytes
		}
		line += fmt.Sprintf(" ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d ql_uncompressed_size:%d",
			len(nodes), float64(l.Len())/float64(max(len(nodes), 1)), s.ks.Limits.ListMaxListpackSize.Load(), 0, bytes)
	}
	c.W.Simple(line)
	return nil
}

func debugProtocol(c *Ctx) error {
	w := c.W
	switch strings.ToLower(c.Arg(2)) {
	case "string":
		w.BulkString("Hello World")
	case "integer":
		w.Int(12345)
	case "double":
		if w.Proto == 3 {
			w.Raw([]byte(",3.141\r\n"))
		} else {
			w.BulkString("3.141")
		}
	case "bignum":
		if w.Proto == 3 {
			w.Raw([]byte("(1234567999999999999999999999999999999\r\n"))
		} else {
			w.BulkString("1234567999999999999999999999999999999")
		}
	case "null":
		w.Null()
	case "array":
		w.Array(3)
		for i := 0; i < 3; i++ {
			w.Int(int64(i))
		}
	case "set":
		w.Set(3)
		for i := 0; i < 3; i++ {
			w.Int(int64(i))
		}
	case "map":
		w.Map(3)
		for i := 0; i < 3; i++ {
			w.Int(int64(i))
			w.Bool(i == 1)
		}
	case "attrib":
		if w.Proto == 3 {
			w.Raw([]byte("|1\r\n"))
			w.BulkString("key-popularity")
			w.Array(2)
			w.BulkString("key:123")
			w.Int(90)
		}
		w.BulkString("Some real reply following the attribute")
	case "push":
		if w.Proto != 3 {
			return Err("ERR RESP2 is not supported by this command")
		}
		w.Push(2)
		w.BulkString("server-cpu-usage")
		w.Int(42)
		w.BulkString("Some real reply following the push reply")
	case "true":
		w.Bool(true)
	case "false":
		w.Bool(false)
	case "verbatim":
		w.Verbatim("This is a verbatim\nstring")
	default:
		return Err("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
	return nil
}

func (s *Server) debugPopulate(c *Ctx) error {
	count, ok := ParseInt(c.Args[2])
	if !ok || count < 0 {
		return Err("ERR value is out of range, must be positive")
	}
	prefix := "key"
	if len(c.Args) > 3 {
		prefix = c.Arg(3)
	}
	size := int64(0)
	if len(c.Args) > 4 {
		size, ok = ParseInt(c.Args[4])
		if !ok || size < 0 {
			return Err("ERR value is out of range, must be positive")
		}
	}
	db := s.ks.DB(client(c).db)
	for i := int64(0); i < count; i++ {
		key := []byte(prefix + ":" + strconv.FormatInt(i, 10))
		if db.Has(key) {
			continue
		}
		val := []byte("value:" + strconv.FormatInt(i, 10))
		if size > 0 {
			v := make([]byte, size)
			copy(v, val)
			val = v
		}
		db.SetN(key, store.NewString(val), store.Event{}, 0) // Redis counts no change for these
	}
	c.W.OK()
	return nil
}

// valueDigest is a SHA-1 over a value's type and contents; for unordered types the
// elements' digests are combined by XOR, so the order of iteration does not matter.
func valueDigest(e *store.Entry) []byte {
	h := sha1.New()
	var typ [1]byte
	typ[0] = byte(e.Type())
	h.Write(typ[:])
	mix := make([]byte, sha1.Size)
	xor := func(parts ...[]byte) {
		eh := sha1.New()
		for _, p := range parts {
			var n [8]byte
			binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
			eh.Write(n[:])
			eh.Write(p)
		}
		for i, b := range eh.Sum(nil) {
			mix[i] ^= b
		}
	}
	switch e.Type() {
	case store.TypeString:
		h.Write(e.Bytes())
	case store.TypeList:
		l := e.List()
		it := l.Iter(0, false)
		for v, ok := it.Next(); ok; v, ok = it.Next() {
			var n [8]byte
			binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
			h.Write(n[:])
			h.Write(v)
		}
	case store.TypeHash:
		e.Hash().Range(func(f, v []byte) bool { xor(f, v); return true })
	case store.TypeSet:
		e.SetValue().Range(func(m []byte) bool { xor(m); return true })
	case store.TypeZSet:
		z := e.ZSet()
		z.Range(0, z.Len(), false, func(m []byte, score float64) bool {
			xor(m, []byte(strconv.FormatFloat(score, 'g', 17, 64)))
			return true
		})
	}
	h.Write(mix)
	return h.Sum(nil)
}

// digest combines every key's digest (name, value, expiry) by XOR: two servers with
// the same data have the same digest whatever the order of their keys. An empty
// server's digest is 40 zeros. The caller holds every shard.
func (s *Server) digest() string {
	out := make([]byte, sha1.Size)
	empty := true
	for i := 0; i < s.ks.Databases(); i++ {
		db := s.ks.DB(i)
		for _, key := range db.Keys(nil) {
			e := db.Peek([]byte(key))
			if e == nil {
				continue
			}
			empty = false
			h := sha1.New()
			fmt.Fprintf(h, "%d\x00%s\x00%d\x00", i, key, e.ExpireAt())
			h.Write(valueDigest(e))
			for j, b := range h.Sum(nil) {
				out[j] ^= b
			}
		}
	}
	if empty {
		return strings.Repeat("0", 40)
	}
	return hex.EncodeToString(out)
}

// debugClock implements Cinnabar's DEBUG CLOCK: the server clock that TTLs, expiry and
// blocking timeouts read can be moved over the wire, for test suites in any language.
//
//	DEBUG CLOCK GET                 the server time, unix milliseconds
//	DEBUG CLOCK ADVANCE <ms>        move it forward (backward if negative)
//	DEBUG CLOCK SET <unix-ms>       move it to an instant
//	DEBUG CLOCK FREEZE | UNFREEZE   stop it / let it run again from where it stands
//
// Every form replies with the resulting server time in unix milliseconds.
func (s *Server) debugClock(c *Ctx) error {
	op := strings.ToLower(c.Arg(2))
	switch {
	case op == "get" && len(c.Args) == 3:
	case op == "freeze" && len(c.Args) == 3:
		s.clock.Freeze()
	case op == "unfreeze" && len(c.Args) == 3:
		s.clock.Unfreeze()
	case op == "advance" && len(c.Args) == 4:
		ms, err := c.Int(3)
		if err != nil {
			return err
		}
		s.clock.Advance(time.Duration(ms) * time.Millisecond)
	case op == "set" && len(c.Args) == 4:
		ms, err := c.Int(3)
		if err != nil {
			return err
		}
		s.clock.Set(time.UnixMilli(ms))
	default:
		return subcommandSyntaxError(c.Arg(1), "DEBUG")
	}
	s.ks.Tick()
	c.W.Int(s.clock.UnixMilli())
	return nil
}
