package compat

import (
	"bufio"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// ---- INFO ----

// parseInfo splits an INFO reply into sections (lower-case names, in order) and each
// section's fields, in order.
func parseInfo(info string) (order []string, fields map[string][]string, values map[string]string) {
	fields, values = map[string][]string{}, map[string]string{}
	cur := ""
	for _, line := range strings.Split(info, "\r\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "# "):
			cur = strings.ToLower(line[2:])
			order = append(order, cur)
			fields[cur] = fields[cur][:0:0]
		default:
			k, v, _ := strings.Cut(line, ":")
			fields[cur] = append(fields[cur], k)
			values[k] = v
		}
	}
	return
}

// allocatorOnly are INFO fields the reference prints that only make sense for jemalloc;
// Cinnabar prints them all anyway (from the Go runtime), so the list is empty: it is
// here so a future exception is written down rather than silently skipped.
var allocatorOnly = map[string]bool{}

// TestInfoFieldsMatchReference requires every field a default Redis 7.0 prints in its
// fixed sections to be in Cinnabar's INFO too, in the same section.
func TestInfoFieldsMatchReference(t *testing.T) {
	ref := newClient(t, referenceAddr(t), 2)
	srv := startServer(t)
	ours := newClient(t, srv.Addr(), 2)
	refOrder, refFields, _ := parseInfo(ref.Info(ctx, "everything").Val())
	ourOrder, ourFields, _ := parseInfo(ours.Info(ctx, "everything").Val())
	require.Equal(t, refOrder, ourOrder, "section order")
	for _, sec := range []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "cluster"} {
		have := map[string]bool{}
		for _, f := range ourFields[sec] {
			have[f] = true
		}
		for _, f := range refFields[sec] {
			if !allocatorOnly[f] {
				require.True(t, have[f], "INFO %s lacks %s", sec, f)
			}
		}
	}
}

// TestInfoSectionSelection compares which sections each form of INFO prints.
func TestInfoSectionSelection(t *testing.T) {
	ref := newClient(t, referenceAddr(t), 2)
	srv := startServer(t)
	ours := newClient(t, srv.Addr(), 2)
	for _, args := range [][]string{nil, {"default"}, {"all"}, {"everything"}, {"ALL"}, {"server", "clients"},
		{"clients", "server"}, {"SERVER"}, {"server", "server"}, {"commandstats"}, {"latencystats"}, {"default", "commandstats"},
		{"errorstats", "keyspace"}, {"modules"}, {"cluster"}, {"nosuch"}, {"nosuch", "cpu"}} {
		want, _, _ := parseInfo(ref.Info(ctx, args...).Val())
		got, _, _ := parseInfo(ours.Info(ctx, args...).Val())
		require.Equal(t, want, got, "INFO %v", args)
	}
	// An unknown section gives an empty reply, as Redis does.
	raw := dialRaw(t, srv.Addr())
	require.Equal(t, "$0\r\n\r\n", raw.Do(t, "INFO", "nosuch"))
	raw.Do(t, "HELLO", "3")
	require.Equal(t, "=4\r\ntxt:\r\n", raw.Do(t, "INFO", "nosuch"))
	require.True(t, strings.HasPrefix(raw.Do(t, "INFO", "server"), "=")) // verbatim in RESP3
}

var infoLineFormats = map[string]*regexp.Regexp{
	"commandstats": regexp.MustCompile(`^cmdstat_[a-z_|-]+:calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=\d+,failed_calls=\d+$`),
	"errorstats":   regexp.MustCompile(`^errorstat_[A-Z]+:count=\d+$`),
	"latencystats": regexp.MustCompile(`^latency_percentiles_usec_[a-z_|-]+:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$`),
	"keyspace":     regexp.MustCompile(`^db\d+:keys=\d+,expires=\d+,avg_ttl=\d+$`),
}

// TestInfoStatsSections runs the same commands on both servers and checks the lines of
// the per-command, per-error and per-database sections against one format.
func TestInfoStatsSections(t *testing.T) {
	srv := startServer(t)
	for _, addr := range []string{referenceAddr(t), srv.Addr()} {
		rdb := newClient(t, addr, 2)
		require.NoError(t, rdb.Set(ctx, "info:k", "v", time.Hour).Err())
		rdb.Get(ctx, "info:k")
		rdb.Do(ctx, "CONFIG", "GET", "hz")
		rdb.Do(ctx, "NOSUCHCOMMAND")
		rdb.Do(ctx, "GET")
		rdb.Incr(ctx, "info:k")
		_, fields, values := parseInfo(rdb.Info(ctx, "everything").Val())
		for sec, re := range infoLineFormats {
			require.NotEmpty(t, fields[sec], "%s: section %s", addr, sec)
			for _, f := range fields[sec] {
				line := f + ":" + values[f]
				require.Regexp(t, re, line, "%s: %s", addr, sec)
			}
		}
		for _, f := range []string{"cmdstat_set", "cmdstat_get", "cmdstat_config|get", "cmdstat_incr",
			"latency_percentiles_usec_set", "latency_percentiles_usec_config|get", "errorstat_ERR", "db0"} {
			require.Contains(t, values, f, addr)
		}
		// (The reference is shared with other tests: counts are lower bounds.)
		require.Regexp(t, `^calls=[1-9]\d*,usec=\d+,usec_per_call=[\d.]+,rejected_calls=[1-9]\d*,failed_calls=\d+$`, values["cmdstat_get"], addr)
		require.Regexp(t, `^calls=[1-9]\d*,usec=\d+,usec_per_call=[\d.]+,rejected_calls=\d+,failed_calls=[1-9]\d*$`, values["cmdstat_incr"], addr)
	}
}

func infoValues(t *testing.T, rdb *redis.Client, sections ...string) map[string]string {
	t.Helper()
	_, _, values := parseInfo(rdb.Info(ctx, sections...).Val())
	return values
}

func infoInt(t *testing.T, rdb *redis.Client, field string) int64 {
	t.Helper()
	v, ok := infoValues(t, rdb, "everything")[field]
	require.True(t, ok, "no INFO field %s", field)
	n, err := strconv.ParseInt(v, 10, 64)
	require.NoError(t, err, "%s=%s", field, v)
	return n
}

func infoFloat(t *testing.T, rdb *redis.Client, field string) float64 {
	t.Helper()
	v := infoValues(t, rdb, "everything")[field]
	f, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
	require.NoError(t, err, "%s=%s", field, v)
	return f
}

// TestInfoCounters checks that INFO's counters count.
func TestInfoCounters(t *testing.T) {
	srv := startServer(t, cinnabartest.WithFrozenClock())
	rdb := newClient(t, srv.Addr(), 2)
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
	rdb.Get(ctx, "k")
	rdb.Get(ctx, "k")
	rdb.Get(ctx, "missing")
	require.Equal(t, int64(2), infoInt(t, rdb, "keyspace_hits"))
	require.Equal(t, int64(1), infoInt(t, rdb, "keyspace_misses"))

	require.NoError(t, rdb.Set(ctx, "short", "v", time.Second).Err())
	srv.FastForward(2 * time.Second)
	require.Equal(t, redis.Nil, rdb.Get(ctx, "short").Err())
	require.Equal(t, int64(1), infoInt(t, rdb, "expired_keys"))
	require.Equal(t, int64(0), infoInt(t, rdb, "evicted_keys"))

	in, out := infoInt(t, rdb, "total_net_input_bytes"), infoInt(t, rdb, "total_net_output_bytes")
	rdb.Set(ctx, "big", strings.Repeat("x", 10000), 0)
	require.Greater(t, infoInt(t, rdb, "total_net_input_bytes"), in+10000)
	require.Greater(t, infoInt(t, rdb, "total_net_output_bytes"), out)

	require.Equal(t, int64(1), infoInt(t, rdb, "connected_clients"))
	other := newClient(t, srv.Addr(), 3)
	other.Ping(ctx)
	require.Equal(t, int64(2), infoInt(t, rdb, "connected_clients"))
	conns := infoInt(t, rdb, "total_connections_received")
	require.GreaterOrEqual(t, conns, int64(2))

	// blocked_clients counts a BLPOP in progress.
	done := make(chan struct{})
	go func() { other.BLPop(ctx, 0, "q"); close(done) }()
	require.Eventually(t, func() bool { return infoInt(t, rdb, "blocked_clients") == 1 }, 5*time.Second, 5*time.Millisecond)
	rdb.RPush(ctx, "q", "x")
	<-done
	require.Equal(t, int64(0), infoInt(t, rdb, "blocked_clients"))

	require.Positive(t, infoInt(t, rdb, "used_memory"))
	require.Positive(t, infoInt(t, rdb, "used_memory_rss"))
	require.GreaterOrEqual(t, infoInt(t, rdb, "used_memory_peak"), int64(1))
	require.Positive(t, infoFloat(t, rdb, "mem_fragmentation_ratio"))
	require.Regexp(t, `^\d+(\.\d\d)?[BKMGTP]$`, infoValues(t, rdb, "memory")["used_memory_human"])
	require.Equal(t, "7.0.15", infoValues(t, rdb, "server")["redis_version"])
	require.Equal(t, strconv.Itoa(srv.Port()), infoValues(t, rdb, "server")["tcp_port"])

	// CONFIG RESETSTAT zeroes the counters.
	require.NoError(t, rdb.ConfigResetStat(ctx).Err())
	require.Equal(t, int64(0), infoInt(t, rdb, "keyspace_hits"))
	require.NotContains(t, infoValues(t, rdb, "commandstats"), "cmdstat_get")
}

// TestInfoInstantaneous checks that the sampled per-second metrics follow the load.
func TestInfoInstantaneous(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		load := newClient(t, srv.Addr(), 2)
		for {
			select {
			case <-stop:
				return
			default:
				pipe := load.Pipeline()
				for i := 0; i < 50; i++ {
					pipe.Set(ctx, "load", "some value", 0)
				}
				_, _ = pipe.Exec(ctx)
			}
		}
	}()
	require.Eventually(t, func() bool {
		v := infoValues(t, rdb, "stats")
		ops, _ := strconv.Atoi(v["instantaneous_ops_per_sec"])
		in, _ := strconv.ParseFloat(v["instantaneous_input_kbps"], 64)
		out, _ := strconv.ParseFloat(v["instantaneous_output_kbps"], 64)
		return ops > 100 && in > 0 && out > 0
	}, 5*time.Second, 50*time.Millisecond)
	close(stop)
	wg.Wait()
	require.Regexp(t, `^\d+\.\d\d$`, infoValues(t, rdb, "stats")["instantaneous_input_kbps"])
}

func TestInfoLatencyPercentilesSetting(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	rdb.Ping(ctx)
	require.Regexp(t, `^p50=[\d.]+,p99=[\d.]+,p99\.9=[\d.]+$`, infoValues(t, rdb, "latencystats")["latency_percentiles_usec_ping"])
	require.NoError(t, rdb.ConfigSet(ctx, "latency-tracking-info-percentiles", "50 90.5 100").Err())
	require.Regexp(t, `^p50=[\d.]+,p90\.5=[\d.]+,p100=[\d.]+$`, infoValues(t, rdb, "latencystats")["latency_percentiles_usec_ping"])
	require.NoError(t, rdb.ConfigSet(ctx, "latency-tracking", "no").Err())
	require.NoError(t, rdb.ConfigResetStat(ctx).Err())
	rdb.Ping(ctx)
	require.Empty(t, infoValues(t, rdb, "latencystats"))
}

// ---- CONFIG SET applied live ----

func TestConfigSetTimeoutClosesIdleClients(t *testing.T) {
	srv := startServer(t)
	admin := newClient(t, srv.Addr(), 2)
	idle := dialRaw(t, srv.Addr())
	require.Equal(t, "+PONG\r\n", idle.Do(t, "PING"))
	sub := dialRaw(t, srv.Addr())
	sub.Do(t, "SUBSCRIBE", "ch")
	blocked := dialRaw(t, srv.Addr())
	blocked.Send(t, encodeCommand([]string{"BLPOP", "never", "0"}))
	busy := newClient(t, srv.Addr(), 2)

	require.NoError(t, admin.ConfigSet(ctx, "timeout", "1").Err())
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) { // an active client is never idle
		require.NoError(t, busy.Ping(ctx).Err())
		time.Sleep(100 * time.Millisecond)
	}
	_ = idle.c.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err := idle.r.ReadByte()
	require.Error(t, err, "the idle client is closed")
	require.NoError(t, admin.ConfigSet(ctx, "timeout", "0").Err())
	// The subscriber and the blocked client are still there.
	require.Equal(t, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n", func() string {
		admin.Publish(ctx, "ch", "m")
		return sub.Read(t)
	}())
	admin.RPush(ctx, "never", "x")
	require.Equal(t, "*2\r\n$5\r\nnever\r\n$1\r\nx\r\n", blocked.Read(t))
}

func TestConfigSetMaxclients(t *testing.T) {
	srv := startServer(t)
	admin := newClient(t, srv.Addr(), 2)
	admin.Ping(ctx)
	require.NoError(t, admin.ConfigSet(ctx, "maxclients", "2").Err())
	second := dialRaw(t, srv.Addr())
	require.Equal(t, "+PONG\r\n", second.Do(t, "PING"))
	third := dialRaw(t, srv.Addr())
	require.Equal(t, "-ERR max number of clients reached\r\n", third.Read(t))
	require.Equal(t, int64(1), infoInt(t, admin, "rejected_connections"))
	require.NoError(t, admin.ConfigSet(ctx, "maxclients", "10000").Err())
	fourth := dialRaw(t, srv.Addr())
	require.Equal(t, "+PONG\r\n", fourth.Do(t, "PING"))
}

func TestConfigSetLiveSettings(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("enable-protected-configs", "yes"))
	rdb := newClient(t, srv.Addr(), 2)
	require.NoError(t, rdb.ConfigSet(ctx, "hz", "50").Err())
	require.Equal(t, "50", infoValues(t, rdb, "server")["hz"])
	require.NoError(t, rdb.ConfigSet(ctx, "hz", "1000").Err())
	require.Equal(t, "500", infoValues(t, rdb, "server")["hz"])
	require.NoError(t, rdb.ConfigSet(ctx, "loglevel", "warning").Err())
	require.Equal(t, "warning", rdb.ConfigGet(ctx, "loglevel").Val()["loglevel"])
	dir := t.TempDir()
	require.NoError(t, rdb.ConfigSet(ctx, "dir", dir).Err())
	require.Equal(t, dir, rdb.ConfigGet(ctx, "dir").Val()["dir"])
	require.ErrorContains(t, rdb.ConfigSet(ctx, "dir", "/no/such/dir").Err(), "No such file or directory")

	// slowlog-* and latency-monitor-threshold take effect at once.
	require.NoError(t, rdb.ConfigSet(ctx, "slowlog-log-slower-than", "0").Err())
	rdb.Do(ctx, "SLOWLOG", "RESET")
	rdb.Ping(ctx)
	require.Equal(t, int64(2), rdb.Do(ctx, "SLOWLOG", "LEN").Val()) // RESET and PING
	require.NoError(t, rdb.ConfigSet(ctx, "slowlog-max-len", "1").Err())
	rdb.Ping(ctx)
	require.Equal(t, int64(1), rdb.Do(ctx, "SLOWLOG", "LEN").Val())
	require.NoError(t, rdb.ConfigSet(ctx, "slowlog-log-slower-than", "-1").Err())
	rdb.Do(ctx, "SLOWLOG", "RESET")
	rdb.Ping(ctx)
	require.Equal(t, int64(0), rdb.Do(ctx, "SLOWLOG", "LEN").Val())
}

// ---- SLOWLOG ----

// introDiff sends each command to Cinnabar (started with opts) and to the reference,
// on fresh connections, and requires the same raw replies.
func introDiff(t *testing.T, opts []cinnabartest.Option, cmds ...[]string) {
	t.Helper()
	ref := dialRaw(t, referenceAddr(t))
	srv := startServer(t, opts...)
	ours := dialRaw(t, srv.Addr())
	for _, args := range cmds {
		require.Equal(t, ref.Do(t, args...), ours.Do(t, args...), "command: %q", args)
	}
}

func words(s string) []string { return strings.Fields(s) }

func TestSlowlogDifferential(t *testing.T) {
	debug := []cinnabartest.Option{cinnabartest.WithConfig("enable-debug-command", "yes")}
	introDiff(t, debug,
		words("SLOWLOG GET -2"), words("SLOWLOG GET x"), words("SLOWLOG GET 1 2"), words("SLOWLOG FOO"),
		words("SLOWLOG HELP"), words("SLOWLOG"), words("SLOWLOG LEN x"), words("SLOWLOG RESET x"),
		words("LATENCY HELP"), words("LATENCY HISTORY nosuch-event"), words("LATENCY GRAPH nosuch-event"),
		words("LATENCY RESET nosuch-event"), words("LATENCY HISTOGRAM nosuchcommand"), words("LATENCY FOO"),
		words("LATENCY HISTORY"),
		words("MEMORY HELP"), words("MEMORY USAGE nosuchkey"), words("MEMORY USAGE k SAMPLES -1"),
		words("MEMORY USAGE k SAMPLES x"), words("MEMORY USAGE k FOO 1"), words("MEMORY USAGE k SAMPLES"),
		words("MEMORY FOO"), words("MEMORY USAGE"), words("MEMORY PURGE"),
		words("ROLE"), words("LOLWUT VERSION x"), words("LOLWUT VERSION 7"), words("LOLWUT"), words("LOLWUT 10"),
		words("SHUTDOWN ABORT"), words("SHUTDOWN SAVE NOSAVE"), words("SHUTDOWN ABORT NOW"), words("SHUTDOWN FOO"),
		words("DEBUG OBJECT nosuchkey"), words("DEBUG FOO"), words("DEBUG SLEEP"), words("DEBUG SLEEP 0"),
		words("DEBUG SET-ACTIVE-EXPIRE 1"), words("DEBUG"), words("DEBUG ERROR MYERR\\sfailure"),
		words("DEBUG DIGEST-VALUE nosuchkey"), words("DEBUG PROTOCOL foo"), words("DEBUG POPULATE x"),
		words("DEBUG POPULATE -1"), words("DEBUG CHANGE-REPL-ID"), words("MONITOR x"),
	)
	ref := dialRaw(t, referenceAddr(t))
	ours := dialRaw(t, startServer(t, debug...).Addr())
	for _, proto := range []string{"2", "3"} {
		ref.Do(t, "HELLO", proto)
		ours.Do(t, "HELLO", proto)
		for _, typ := range []string{"string", "integer", "double", "bignum", "null", "array", "set", "map",
			"attrib", "push", "verbatim", "true", "false"} {
			require.Equal(t, ref.Do(t, "DEBUG", "PROTOCOL", typ), ours.Do(t, "DEBUG", "PROTOCOL", typ), "RESP%s %s", proto, typ)
		}
	}
	introDiff(t, debug, words("FLUSHALL"), words("DEBUG POPULATE 3 dbg"), words("DEBUG POPULATE 2 dbgs 3"),
		words("DEBUG POPULATE 2 dbgs 10"), words("MGET dbg:0 dbg:2 dbgs:0 dbgs:1 dbg:3"), words("DBSIZE"),
		words("FLUSHALL"))
}

// slowlogEntries reads SLOWLOG GET -1 from a raw connection as Go values.
func slowlogEntries(t *testing.T, rdb *redis.Client) [][]any {
	t.Helper()
	v, err := rdb.Do(ctx, "SLOWLOG", "GET", "-1").Slice()
	require.NoError(t, err)
	out := make([][]any, len(v))
	for i, e := range v {
		out[i] = e.([]any)
	}
	return out
}

// TestSlowlogEntries compares the entries the same commands leave in both servers'
// slow logs: ids, argument truncation, redaction, client address and name.
func TestSlowlogEntries(t *testing.T) {
	srv := startServer(t)
	var logs [2][][]any
	for i, addr := range []string{referenceAddr(t), srv.Addr()} {
		rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, PoolSize: 1, MaxRetries: -1})
		t.Cleanup(func() { _ = rdb.Close() })
		require.NoError(t, rdb.ConfigSet(ctx, "slowlog-log-slower-than", "0").Err())
		t.Cleanup(func() { rdb.ConfigSet(ctx, "slowlog-log-slower-than", "10000") })
		rdb.Do(ctx, "SLOWLOG", "RESET")
		rdb.Do(ctx, "CLIENT", "SETNAME", "slowpoke")
		rdb.Set(ctx, "slow:k", strings.Repeat("x", 200), 0)
		rdb.Do(ctx, "AUTH", "secret")
		rdb.Do(ctx, "HELLO", "2", "AUTH", "default", "pw", "SETNAME", "slowpoke")
		args := []any{"RPUSH", "slow:l"}
		for j := 0; j < 40; j++ {
			args = append(args, j)
		}
		rdb.Do(ctx, args...)
		rdb.Do(ctx, "CONFIG", "SET", "requirepass", "", "maxmemory-samples", "5")
		rdb.Del(ctx, "slow:k", "slow:l")
		logs[i] = slowlogEntries(t, rdb)
		require.NoError(t, rdb.ConfigSet(ctx, "slowlog-log-slower-than", "10000").Err())
	}
	want, got := logs[0], logs[1]
	require.Equal(t, len(want), len(got))
	for i := range want {
		require.Len(t, got[i], 6)
		// id and timestamp and duration are integers; ids count down from the newest.
		require.IsType(t, int64(0), got[i][0])
		require.IsType(t, int64(0), got[i][1])
		require.IsType(t, int64(0), got[i][2])
		require.Equal(t, want[i][0].(int64)-want[len(want)-1][0].(int64), got[i][0].(int64)-got[len(got)-1][0].(int64))
		require.InDelta(t, time.Now().Unix(), got[i][1].(int64), 5)
		require.Equal(t, want[i][3], got[i][3], "entry %d arguments", i)
		require.Regexp(t, `^127\.0\.0\.1:\d+$`, got[i][4])
		require.Equal(t, want[i][5], got[i][5], "entry %d client name", i)
	}
}

func TestSlowlogGoRedis(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("slowlog-log-slower-than", "0"), cinnabartest.WithConfig("slowlog-max-len", "3"))
	rdb := newClient(t, srv.Addr(), 3)
	rdb.Do(ctx, "SLOWLOG", "RESET")
	for i := 0; i < 5; i++ {
		rdb.Set(ctx, "k", i, 0)
	}
	logs, err := rdb.SlowLogGet(ctx, -1).Result()
	require.NoError(t, err)
	require.Len(t, logs, 3)
	require.Equal(t, []string{"set", "k", "4"}, logs[0].Args)
	require.Greater(t, logs[0].ID, logs[1].ID)
	require.Len(t, rdb.SlowLogGet(ctx, 2).Val(), 2)
	require.Len(t, rdb.SlowLogGet(ctx, 0).Val(), 0)
	require.Equal(t, int64(3), rdb.Do(ctx, "SLOWLOG", "LEN").Val())

	// A command's wait while blocked is not execution time.
	require.NoError(t, rdb.ConfigSet(ctx, "slowlog-log-slower-than", "100000").Err())
	rdb.Do(ctx, "SLOWLOG", "RESET")
	rdb.Do(ctx, "BLPOP", "nothing", "0.3")
	require.Equal(t, int64(0), rdb.Do(ctx, "SLOWLOG", "LEN").Val())
}

// ---- LATENCY ----

func TestLatencyMonitor(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("enable-debug-command", "yes"))
	rdb := newClient(t, srv.Addr(), 2)
	require.Equal(t, []any{}, rdb.Do(ctx, "LATENCY", "LATEST").Val())
	rdb.Do(ctx, "DEBUG", "SLEEP", "0.03") // below a threshold of 0: off
	require.Equal(t, []any{}, rdb.Do(ctx, "LATENCY", "LATEST").Val())
	require.Contains(t, rdb.Do(ctx, "LATENCY", "DOCTOR").Val(), "disabled")

	require.NoError(t, rdb.ConfigSet(ctx, "latency-monitor-threshold", "10").Err())
	rdb.Do(ctx, "DEBUG", "SLEEP", "0.02")
	rdb.Do(ctx, "DEBUG", "SLEEP", "0.03") // the same second: the worst is kept
	latest := rdb.Do(ctx, "LATENCY", "LATEST").Val().([]any)
	require.Len(t, latest, 1)
	e := latest[0].([]any)
	require.Len(t, e, 4)
	require.Equal(t, "command", e[0])
	require.InDelta(t, time.Now().Unix(), e[1].(int64), 5)
	require.GreaterOrEqual(t, e[2].(int64), int64(30))
	require.GreaterOrEqual(t, e[3].(int64), int64(30))
	hist := rdb.Do(ctx, "LATENCY", "HISTORY", "command").Val().([]any)
	require.NotEmpty(t, hist)
	require.Len(t, hist[0].([]any), 2)
	graph := rdb.Do(ctx, "LATENCY", "GRAPH", "command").Val().(string)
	require.True(t, strings.HasPrefix(graph, "command - high "), graph)
	require.Contains(t, rdb.Do(ctx, "LATENCY", "DOCTOR").Val(), "1. command: ")
	require.Equal(t, int64(1), rdb.Do(ctx, "LATENCY", "RESET", "command", "nosuch").Val())
	require.Equal(t, []any{}, rdb.Do(ctx, "LATENCY", "LATEST").Val())
	rdb.Do(ctx, "DEBUG", "SLEEP", "0.02")
	require.Equal(t, int64(1), rdb.Do(ctx, "LATENCY", "RESET").Val())
}

// TestLatencyShapesMatchReference compares the reply shapes of LATENCY LATEST, HISTORY
// and HISTOGRAM with the reference's, in both protocols.
func TestLatencyShapesMatchReference(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("enable-debug-command", "yes"))
	for _, proto := range []string{"2", "3"} {
		var shapes [2][]string
		for i, addr := range []string{referenceAddr(t), srv.Addr()} {
			raw := dialRaw(t, addr)
			raw.Do(t, "HELLO", proto)
			raw.Do(t, "CONFIG", "SET", "latency-monitor-threshold", "5")
			raw.Do(t, "LATENCY", "RESET")
			raw.Do(t, "DEBUG", "SLEEP", "0.01")
			raw.Do(t, "SET", "lat:k", "v")
			raw.Do(t, "GET", "lat:k")
			for _, cmd := range [][]string{words("LATENCY LATEST"), words("LATENCY HISTORY command"),
				words("LATENCY HISTOGRAM set get"), words("LATENCY HISTOGRAM nosuch"), words("LATENCY RESET")} {
				shapes[i] = append(shapes[i], replyShape(raw.Do(t, cmd...)))
			}
			raw.Do(t, "CONFIG", "SET", "latency-monitor-threshold", "0")
		}
		require.Equal(t, shapes[0], shapes[1], "RESP%s", proto)
	}
}

// replyShape reduces a raw reply to its types and aggregate sizes: integers and
// strings become their type marker, so values that differ between servers compare
// equal, and histogram bucket lists (whose length depends on timings) are cut to one.
func replyShape(raw string) string {
	r := bufio.NewReader(strings.NewReader(raw))
	var b strings.Builder
	var walk func()
	walk = func() {
		line, err := r.ReadString('\n')
		if err != nil {
			b.WriteString("<eof>")
			return
		}
		kind, body := line[0], strings.TrimSpace(line[1:])
		switch kind {
		case '$', '=', '!':
			n, _ := strconv.Atoi(body)
			if n >= 0 {
				buf := make([]byte, n+2)
				_, _ = r.Read(buf)
				if kind == '$' && (string(buf[:n]) == "calls" || string(buf[:n]) == "histogram_usec" || string(buf[:n]) == "command") {
					b.WriteString(string(buf[:n]) + " ")
					return
				}
			}
			b.WriteString(string(kind) + " ")
		case '*', '~', '%', '>', '|':
			n, _ := strconv.Atoi(body)
			items := n
			if kind == '%' || kind == '|' {
				items *= 2
			}
			fmt.Fprintf(&b, "%c[ ", kind)
			for i := 0; i < items; i++ {
				walk()
			}
			b.WriteString("] ")
		default:
			b.WriteString(string(kind) + " ")
		}
	}
	walk()
	// Histogram bucket maps have timing-dependent lengths: keep their first entry.
	s := b.String()
	re := regexp.MustCompile(`histogram_usec ([%*])\[ (: : )(: : )*\]`)
	return re.ReplaceAllString(s, "histogram_usec $1[ $2]")
}

func TestLatencyHistogram(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 3)
	for i := 0; i < 10; i++ {
		rdb.Set(ctx, "k", "v", 0)
	}
	rdb.ConfigGet(ctx, "hz")
	v, err := rdb.Do(ctx, "LATENCY", "HISTOGRAM", "set", "config").Result()
	require.NoError(t, err)
	m := v.(map[any]any)
	require.Len(t, m, 2)
	set := m["set"].(map[any]any)
	require.Equal(t, int64(10), set["calls"])
	buckets := set["histogram_usec"].(map[any]any)
	require.NotEmpty(t, buckets)
	var last int64
	for bound, cum := range buckets {
		require.Contains(t, []int64{1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454, 16908, 33816,
			67633, 135266, 270532, 541065, 1082130}, bound)
		last = max(last, cum.(int64))
	}
	require.Equal(t, int64(10), last)
	require.Contains(t, m, "config|get")
	all := rdb.Do(ctx, "LATENCY", "HISTOGRAM").Val().(map[any]any)
	require.Contains(t, all, "set")
	require.Contains(t, all, "latency|histogram")
}

// ---- MEMORY ----

func TestMemoryCommands(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	rdb.Set(ctx, "s", "hello", 0)
	rdb.Set(ctx, "n", 12345, 0)
	rdb.Set(ctx, "big", strings.Repeat("x", 10000), 0)
	rdb.RPush(ctx, "l", "a", "b", "c")
	rdb.HSet(ctx, "h", "f", "v")
	rdb.SAdd(ctx, "st", "a", "b")
	rdb.SAdd(ctx, "is", 1, 2, 3)
	rdb.ZAdd(ctx, "z", redis.Z{Score: 1, Member: "a"})
	usage := map[string]int64{}
	for _, k := range []string{"s", "n", "big", "l", "h", "st", "is", "z"} {
		n, err := rdb.MemoryUsage(ctx, k).Result()
		require.NoError(t, err, k)
		require.Positive(t, n, k)
		usage[k] = n
	}
	require.Greater(t, usage["big"], int64(10000))
	require.Less(t, usage["s"], int64(200))
	require.Equal(t, usage["big"], rdb.MemoryUsage(ctx, "big", 0).Val())
	require.Equal(t, redis.Nil, rdb.MemoryUsage(ctx, "nosuch").Err())

	// Same reply types as the reference.
	refCmds := [][]string{words("FLUSHALL"), words("SET s hello"), words("RPUSH l a b"), words("MEMORY USAGE nosuch")}
	introDiff(t, nil, refCmds...)

	stats, err := rdb.Do(ctx, "MEMORY", "STATS").Slice()
	require.NoError(t, err)
	keys := map[string]bool{}
	for i := 0; i < len(stats); i += 2 {
		keys[stats[i].(string)] = true
	}
	ref := newClient(t, referenceAddr(t), 2)
	refStats, err := ref.Do(ctx, "MEMORY", "STATS").Slice()
	require.NoError(t, err)
	for i := 0; i < len(refStats); i += 2 {
		k := refStats[i].(string)
		if !strings.HasPrefix(k, "db.") {
			require.True(t, keys[k], "MEMORY STATS lacks %s", k)
		}
	}
	require.True(t, keys["db.0"])
	require.NotEmpty(t, rdb.Do(ctx, "MEMORY", "DOCTOR").Val())
	require.Contains(t, rdb.Do(ctx, "MEMORY", "MALLOC-STATS").Val(), "HeapAlloc")
	require.Equal(t, "OK", rdb.Do(ctx, "MEMORY", "PURGE").Val())
}

// ---- MONITOR ----

type monitorConn struct {
	c net.Conn
	r *bufio.Reader
}

func startMonitor(t *testing.T, addr string) *monitorConn {
	t.Helper()
	raw := dialRaw(t, addr)
	require.Equal(t, "+OK\r\n", raw.Do(t, "MONITOR"))
	return &monitorConn{raw.c, raw.r}
}

func (m *monitorConn) line(t *testing.T) string {
	t.Helper()
	_ = m.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	l, err := m.r.ReadString('\n')
	require.NoError(t, err)
	return strings.TrimSuffix(l, "\r\n")
}

var monitorLineRE = regexp.MustCompile(`^\+(\d{10})\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$`)

// TestMonitorMatchesReference runs the same commands on both servers and compares the
// monitor lines, with timestamps and client ports masked.
func TestMonitorMatchesReference(t *testing.T) {
	srv := startServer(t)
	script := [][]string{
		words("SET mon:k v"), words("SELECT 3"), words("GET mon:k"), words("AUTH secret"), words("AUTH user secret"),
		words("HELLO 3 AUTH default pw"), words("HELLO 2"), words("MULTI"), words("SET mon:a 1"), words("INCR mon:a"),
		words("EXEC"), words("CONFIG GET hz"), words("CLIENT LIST"), words("NOSUCH x"), words("GET"),
		{"SET", "mon:q", "a \"b\"\n\\\x01\xff"}, words("CLIENT SETNAME mon"), words("CLIENT ID"), words("SELECT 0"),
		words("SLOWLOG LEN"), words("MIGRATE 127.0.0.1 1 mon:none 0 10 COPY AUTH pw"),
		words("MIGRATE 127.0.0.1 1 mon:none 0 10 AUTH2 u pw REPLACE"), words("MIGRATE 127.0.0.1 1 mon:none 0 10 KEYS AUTH x"),
		words("DEL mon:k mon:q"), words("SELECT 3"), words("DEL mon:a"), words("PING"),
	}
	var lines [2][]string
	for i, addr := range []string{referenceAddr(t), srv.Addr()} {
		mon := startMonitor(t, addr)
		raw := dialRaw(t, addr)
		for _, cmd := range script {
			raw.Do(t, cmd...)
		}
		for {
			l := mon.line(t)
			m := monitorLineRE.FindStringSubmatch(l)
			require.NotNil(t, m, "monitor line %q", l)
			require.InDelta(t, time.Now().Unix(), func() int64 { n, _ := strconv.ParseInt(m[1], 10, 64); return n }(), 5)
			origin := regexp.MustCompile(`:\d+$`).ReplaceAllString(m[4], ":PORT")
			lines[i] = append(lines[i], fmt.Sprintf("[%s %s] %s", m[3], origin, m[5]))
			if m[5] == `"PING"` {
				break
			}
		}
	}
	require.Equal(t, lines[0], lines[1])
}

func TestMonitorClient(t *testing.T) {
	srv := startServer(t)
	mon := startMonitor(t, srv.Addr())
	rdb := newClient(t, srv.Addr(), 2)
	rdb.Ping(ctx) // go-redis's handshake shows first
	for l := mon.line(t); !strings.HasSuffix(l, `"ping"`); l = mon.line(t) {
	}
	// A monitor may run commands that do not touch the keyspace, and sees them itself.
	raw := &rawConn{c: mon.c, r: mon.r}
	raw.Send(t, encodeCommand([]string{"PING"}))
	require.Equal(t, "+PONG", mon.line(t))
	require.Regexp(t, `"PING"$`, mon.line(t))
	raw.Send(t, encodeCommand([]string{"GET", "k"}))
	require.Equal(t, "-ERR Replica can't interact with the keyspace", mon.line(t))
	list := rdb.ClientList(ctx).Val()
	require.Regexp(t, `flags=O .* cmd=get `, list)
	// RESET leaves monitor mode.
	raw.Send(t, encodeCommand([]string{"RESET"}))
	require.Equal(t, "+RESET", mon.line(t))
	rdb.Set(ctx, "after", "reset", 0)
	raw.Send(t, encodeCommand([]string{"GET", "after"}))
	require.Equal(t, "$5", mon.line(t))

	// go-redis's own Monitor helper is not exercised: its reader goroutine races with the
	// connection pool inside go-redis (seen under -race), whatever the server does.
}

// ---- DEBUG, TIME, LASTSAVE, ROLE, LOLWUT, SHUTDOWN ----

func TestDebugRefusedByDefault(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	require.EqualError(t, rdb.Do(ctx, "DEBUG", "SLEEP", "0").Err(),
		`ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`)
	local := startServer(t, cinnabartest.WithConfig("enable-debug-command", "local"))
	require.Equal(t, "OK", newClient(t, local.Addr(), 2).Do(ctx, "DEBUG", "SLEEP", "0").Val())
}

func TestDebugCommands(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("enable-debug-command", "yes"), cinnabartest.WithFrozenClock())
	rdb := newClient(t, srv.Addr(), 2)
	rdb.Set(ctx, "s", "hello", 0)
	rdb.RPush(ctx, "l", "a", "b", "c")
	obj := rdb.DebugObject(ctx, "s").Val()
	require.Regexp(t, `^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+$`, obj)
	require.Regexp(t, ` ql_nodes:\d+ ql_avg_node:\d+\.\d\d ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:\d+$`,
		rdb.DebugObject(ctx, "l").Val())

	t0 := time.Now()
	require.Equal(t, "OK", rdb.Do(ctx, "DEBUG", "SLEEP", "0.05").Val())
	require.GreaterOrEqual(t, time.Since(t0), 50*time.Millisecond)

	// SET-ACTIVE-EXPIRE 0 leaves expired keys in place until read.
	require.Equal(t, "OK", rdb.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0").Val())
	rdb.Set(ctx, "e", "v", time.Second)
	srv.FastForward(2 * time.Second)
	time.Sleep(250 * time.Millisecond)
	require.Equal(t, int64(3), infoKeys(t, rdb))
	require.Equal(t, "OK", rdb.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "1").Val())
	require.Eventually(t, func() bool { return infoKeys(t, rdb) == 2 }, 5*time.Second, 20*time.Millisecond)

	// DIGEST: equal data, equal digests; any change changes it.
	d1 := rdb.Do(ctx, "DEBUG", "DIGEST").Val().(string)
	require.Len(t, d1, 40)
	other := startServer(t, cinnabartest.WithConfig("enable-debug-command", "yes"))
	odb := newClient(t, other.Addr(), 2)
	require.Equal(t, strings.Repeat("0", 40), odb.Do(ctx, "DEBUG", "DIGEST").Val())
	odb.RPush(ctx, "l", "a", "b", "c")
	odb.Set(ctx, "s", "hello", 0)
	odb.Set(ctx, "t", "x", 0)
	odb.Del(ctx, "t")
	require.Equal(t, d1, odb.Do(ctx, "DEBUG", "DIGEST").Val())
	require.Equal(t, rdb.Do(ctx, "DEBUG", "DIGEST-VALUE", "l", "s").Val(), odb.Do(ctx, "DEBUG", "DIGEST-VALUE", "l", "s").Val())
	odb.LSet(ctx, "l", 0, "z")
	require.NotEqual(t, d1, odb.Do(ctx, "DEBUG", "DIGEST").Val())

	require.EqualError(t, rdb.Do(ctx, "DEBUG", "ERROR", "CUSTOM something failed").Err(), "CUSTOM something failed")
	require.Equal(t, "OK", rdb.Do(ctx, "DEBUG", "LOG", "hello from the test").Val())
	require.Equal(t, "OK", rdb.Do(ctx, "DEBUG", "PAUSE-CRON", "1").Val())
	require.Equal(t, "OK", rdb.Do(ctx, "DEBUG", "PAUSE-CRON", "0").Val())
	replID := infoValues(t, rdb, "replication")["master_replid"]
	require.Equal(t, "OK", rdb.Do(ctx, "DEBUG", "CHANGE-REPL-ID").Val())
	require.NotEqual(t, replID, infoValues(t, rdb, "replication")["master_replid"])
}

func infoKeys(t *testing.T, rdb *redis.Client) int64 {
	t.Helper()
	m := regexp.MustCompile(`keys=(\d+)`).FindStringSubmatch(infoValues(t, rdb, "keyspace")["db0"])
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// TestDebugClock drives the server clock over the wire, as test suites in other
// languages do.
func TestDebugClock(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("enable-debug-command", "yes"))
	rdb := newClient(t, srv.Addr(), 2)
	now := rdb.Do(ctx, "DEBUG", "CLOCK", "GET").Val().(int64)
	require.InDelta(t, time.Now().UnixMilli(), now, 5000)

	frozen := rdb.Do(ctx, "DEBUG", "CLOCK", "FREEZE").Val().(int64)
	time.Sleep(20 * time.Millisecond)
	require.Equal(t, frozen, rdb.Do(ctx, "DEBUG", "CLOCK", "GET").Val())
	rdb.Set(ctx, "k", "v", 10*time.Second)
	require.Equal(t, frozen+9000, rdb.Do(ctx, "DEBUG", "CLOCK", "ADVANCE", "9000").Val())
	require.Equal(t, time.Second, rdb.TTL(ctx, "k").Val())
	rdb.Do(ctx, "DEBUG", "CLOCK", "ADVANCE", "1000")
	require.Equal(t, int64(0), rdb.Exists(ctx, "k").Val())

	require.Equal(t, int64(1893456000000), rdb.Do(ctx, "DEBUG", "CLOCK", "SET", "1893456000000").Val())
	tm := rdb.Time(ctx).Val()
	require.Equal(t, int64(1893456000), tm.Unix())

	// A client blocked with a timeout wakes up when the clock passes it.
	done := make(chan []string, 1)
	blocked := newClient(t, srv.Addr(), 2)
	go func() { done <- blocked.BLPop(ctx, 30*time.Second, "q").Val() }()
	require.Eventually(t, func() bool { return infoInt(t, rdb, "blocked_clients") == 1 }, 5*time.Second, 5*time.Millisecond)
	rdb.Do(ctx, "DEBUG", "CLOCK", "ADVANCE", "31000")
	select {
	case v := <-done:
		require.Empty(t, v)
	case <-time.After(5 * time.Second):
		t.Fatal("BLPOP did not time out on the moved clock")
	}
	require.NoError(t, rdb.Do(ctx, "DEBUG", "CLOCK", "UNFREEZE").Err())
	t1 := rdb.Do(ctx, "DEBUG", "CLOCK", "GET").Val().(int64)
	time.Sleep(20 * time.Millisecond)
	require.Greater(t, rdb.Do(ctx, "DEBUG", "CLOCK", "GET").Val().(int64), t1)
	require.Error(t, rdb.Do(ctx, "DEBUG", "CLOCK", "ADVANCE", "x").Err())
	require.ErrorContains(t, rdb.Do(ctx, "DEBUG", "CLOCK", "BACKWARDS").Err(), "unknown subcommand or wrong number of arguments for 'CLOCK'")
}

func TestServerInfoCommands(t *testing.T) {
	srv := startServer(t, cinnabartest.WithFrozenClock())
	rdb := newClient(t, srv.Addr(), 3)
	srv.SetTime(time.Unix(2000000000, 123456000))
	tm := rdb.Time(ctx).Val()
	require.Equal(t, int64(2000000000), tm.Unix())
	require.Equal(t, 123456, tm.Nanosecond()/1000)
	require.InDelta(t, time.Now().Unix(), rdb.LastSave(ctx).Val(), 60)
	role, err := rdb.Do(ctx, "ROLE").Slice()
	require.NoError(t, err)
	require.Equal(t, []any{"master", int64(0), []any{}}, role)
	art := rdb.Do(ctx, "LOLWUT", "VERSION", "5", "20", "5").Val().(string)
	require.True(t, strings.HasSuffix(art, "Redis ver. 7.0.15\n"), art)
	require.Greater(t, strings.Count(art, "\n"), 5)
	require.Equal(t, "Redis ver. 7.0.15\n", rdb.Do(ctx, "LOLWUT").Val())
}

func TestShutdown(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	require.EqualError(t, rdb.Do(ctx, "SHUTDOWN", "ABORT").Err(), "ERR No shutdown in progress.")
	require.EqualError(t, rdb.Do(ctx, "SHUTDOWN", "NOSAVE", "SAVE").Err(), "ERR syntax error")
	raw := dialRaw(t, srv.Addr())
	raw.Send(t, encodeCommand([]string{"SHUTDOWN", "NOSAVE", "NOW", "FORCE"}))
	_ = raw.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := raw.r.ReadByte()
	require.Error(t, err, "SHUTDOWN closes the connection without a reply")
	select {
	case <-srv.Server().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not shut down")
	}
	_, err = net.DialTimeout("tcp", srv.Addr(), time.Second)
	require.Error(t, err)
}
