package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ---- reference server access (raw RESP, no client library) ----

// startReference starts a private redis-server with nothing but its defaults (and a
// free loopback port, a scratch dir) and returns its address; the test skips without
// one.
func startReference(t *testing.T) string {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("differential test skipped: no redis-server binary on PATH (apt-get install redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", t.TempDir())
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// refConfigGet returns the CONFIG GET * of the reference server at addr as a map,
// waiting for it to answer.
func refConfigGet(addr string) (map[string]string, error) {
	var conn net.Conn
	var err error
	for i := 0; i < 300; i++ {
		if conn, err = net.DialTimeout("tcp", addr, 500*time.Millisecond); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := conn.Write([]byte("*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$1\r\n*\r\n")); err != nil {
		return nil, err
	}
	v, err := readRESP(bufio.NewReader(conn))
	if err != nil {
		return nil, err
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("unexpected reply %v", v)
	}
	out := map[string]string{}
	for i := 0; i+1 < len(arr); i += 2 {
		k, _ := arr[i].(string)
		val, _ := arr[i+1].(string)
		out[k] = val
	}
	return out, nil
}

func readRESP(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty line")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return nil, errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*', '%':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return nil, err
		}
		if line[0] == '%' {
			n *= 2
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			v, err := readRESP(r)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected RESP line %q", line)
}

// Settings whose reference value reflects how the reference was started or its host.
var envDependent = map[string]bool{
	"dir": true, "port": true, "pidfile": true, "daemonize": true, "bind": true, "save": true,
	"logfile": true, "unixsocket": true, "unixsocketperm": true, "supervised": true,
	"requirepass": true, "masterauth": true, "appendonly": true,
}

// Redis 7.0.15's defaults of the settings that matter most (as CONFIG GET prints them).
var expectedDefaults = map[string]string{
	"acl-pubsub-default":                "resetchannels",
	"active-defrag-ignore-bytes":        "104857600",
	"activerehashing":                   "yes",
	"appenddirname":                     "appendonlydir",
	"appendfilename":                    "appendonly.aof",
	"appendfsync":                       "everysec",
	"appendonly":                        "no",
	"auto-aof-rewrite-min-size":         "67108864",
	"busy-reply-threshold":              "5000",
	"client-output-buffer-limit":        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
	"client-query-buffer-limit":         "1073741824",
	"databases":                         "16",
	"dbfilename":                        "dump.rdb",
	"hash-max-listpack-entries":         "512",
	"hash-max-ziplist-value":            "64",
	"hz":                                "10",
	"latency-tracking-info-percentiles": "50 99 99.9",
	"lazyfree-lazy-user-flush":          "no",
	"list-max-listpack-size":            "-2",
	"loglevel":                          "notice",
	"lua-time-limit":                    "5000",
	"maxclients":                        "10000",
	"maxmemory":                         "0",
	"maxmemory-clients":                 "0",
	"maxmemory-policy":                  "noeviction",
	"maxmemory-samples":                 "5",
	"notify-keyspace-events":            "",
	"oom-score-adj-values":              "0 200 800",
	"proc-title-template":               "{title} {listen-addr} {server-mode}",
	"protected-mode":                    "yes",
	"proto-max-bulk-len":                "536870912",
	"repl-backlog-size":                 "1048576",
	"replicaof":                         "",
	"set-max-intset-entries":            "512",
	"shutdown-on-sigterm":               "default",
	"slave-read-only":                   "yes",
	"slowlog-log-slower-than":           "10000",
	"slowlog-max-len":                   "128",
	"stream-node-max-bytes":             "4096",
	"tcp-backlog":                       "511",
	"tcp-keepalive":                     "300",
	"timeout":                           "0",
	"tracking-table-max-keys":           "1000000",
	"unixsocketperm":                    "0",
	"zset-max-listpack-entries":         "128",
	"zset-max-ziplist-value":            "64",
}

func TestDefaultsEmbedded(t *testing.T) {
	c := Default()
	for name, want := range expectedDefaults {
		assert.Equal(t, want, c.String(name), name)
	}
	// Our own defaults where Cinnabar or the environment differ from the reference.
	assert.Equal(t, "127.0.0.1", c.String("bind"))
	assert.Equal(t, "6379", c.String("port"))
	assert.Equal(t, "no", c.String("daemonize"))
	assert.Equal(t, "", c.String("pidfile"))
	assert.Equal(t, "3600 1 300 100 60 10000", c.String("save"))
	wd, _ := os.Getwd()
	assert.Equal(t, wd, c.String("dir"))
	assert.Len(t, c.Get([]string{"*"}), 192)
}

func TestDefaultsMatchLiveReference(t *testing.T) {
	ref, err := refConfigGet(startReference(t))
	require.NoError(t, err)
	c := Default()
	ours := map[string]string{}
	for _, kv := range c.Get([]string{"*"}) {
		ours[kv[0]] = kv[1]
	}
	for name, want := range ref {
		got, ok := ours[name]
		if !assert.True(t, ok, "missing setting %s", name) || envDependent[name] {
			continue
		}
		assert.Equal(t, want, got, name)
	}
	for name := range ours {
		_, ok := ref[name]
		assert.True(t, ok, "setting %s unknown to the reference", name)
	}
}

// ---- printing and per-kind parsing ----

func setOK(t *testing.T, c *Config, kv ...string) {
	t.Helper()
	var pairs [][2]string
	for i := 0; i < len(kv); i += 2 {
		pairs = append(pairs, [2]string{kv[i], kv[i+1]})
	}
	require.NoError(t, c.Set(pairs))
}

func TestCanonicalPrinting(t *testing.T) {
	cases := []struct{ name, in, out string }{
		{"maxmemory", "1gb", "1073741824"},
		{"maxmemory", "1g", "1000000000"},
		{"maxmemory", "100mb", "104857600"},
		{"maxmemory", "4k", "4000"},
		{"maxmemory", "4KB", "4096"},
		{"maxmemory", "1024", "1024"},
		{"maxmemory", "", "0"},
		{"maxmemory", "99999999999999999999", "18446744073709551615"},
		{"activerehashing", "NO", "no"},
		{"maxmemory-policy", "ALLKEYS-LRU", "allkeys-lru"},
		{"notify-keyspace-events", "KEA", "AKE"},
		{"notify-keyspace-events", "Kg", "gK"},
		{"notify-keyspace-events", "KElshzxe$g", "g$lshzxeKE"},
		{"notify-keyspace-events", "Ednm", "dnEm"},
		{"notify-keyspace-events", "KEAn", "AKE"},
		{"notify-keyspace-events", "Kndtxe", "xetdnK"},
		{"save", "100 1 100 2", "100 1 100 2"},
		{"save", "01 +2", "1 2"},
		{"save", "", ""},
		{"client-output-buffer-limit", "replica 1mb 2mb 3", "normal 0 0 0 slave 1048576 2097152 3 pubsub 33554432 8388608 60"},
		{"client-output-buffer-limit", "NORMAL 1k 1kb 1 pubsub 1 1 1", "normal 1000 1024 1 slave 1048576 2097152 3 pubsub 1 1 1"},
		{"latency-tracking-info-percentiles", "50.5555555 1e-5 .5 99.900", "50.555555 0.00001 0.5 99.9"},
		{"latency-tracking-info-percentiles", "", ""},
		{"maxmemory-clients", "10%", "10%"},
		{"maxmemory-clients", "0%", "0"},
		{"maxmemory-clients", "1mb", "1048576"},
		{"oom-score-adj", "relative", "yes"},
		{"oom-score-adj", "absolute", "absolute"},
		{"oom-score-adj-values", "+1 02 -3", "1 2 -3"},
		{"shutdown-on-sigint", "now nosave", "nosave now"},
		{"shutdown-on-sigint", "save force now", "save now force"},
		{"shutdown-on-sigint", "default now", "now"},
		{"hz", "0", "1"},
		{"hz", "1000", "500"},
		{"repl-backlog-size", "1025", "16384"},
		{"list-max-ziplist-size", "-5", "-5"},
		{"proc-title-template", "x {title}", "x {title}"},
	}
	c := Default()
	for _, tc := range cases {
		setOK(t, c, tc.name, tc.in)
		assert.Equal(t, tc.out, c.String(tc.name), "%s %q", tc.name, tc.in)
	}
	assert.Equal(t, "", c.String("no-such-setting"))
}

func TestTypedAccessors(t *testing.T) {
	c := Default()
	assert.Equal(t, int64(16), c.Int("databases"))
	assert.Equal(t, int64(1), c.Int("appendonly")+1)
	assert.True(t, c.Bool("protected-mode"))
	assert.Equal(t, int64(7), c.Int("maxmemory-policy")) // noeviction
	assert.Equal(t, []SavePoint{{3600, 1}, {300, 100}, {60, 10000}}, c.SavePoints())
	assert.Equal(t, []string{"127.0.0.1"}, c.Bind())
	assert.Equal(t, BufferLimit{Hard: 256 << 20, Soft: 64 << 20, SoftSeconds: 60}, c.BufferLimit(ClassReplica))
	assert.Equal(t, []float64{50, 99, 99.9}, c.Percentiles())
	assert.Equal(t, [3]int64{0, 200, 800}, c.OOMScoreAdjValues())

	setOK(t, c, "notify-keyspace-events", "Ex", "maxmemory", "18446744073709551615", "maxmemory-clients", "5%")
	assert.Equal(t, int64(NotifyKeyevent|NotifyExpired), c.Int("notify-keyspace-events"))
	assert.Equal(t, uint64(1<<64-1), uint64(c.Int("maxmemory")))
	assert.Equal(t, int64(-5), c.Int("maxmemory-clients"))
	assert.Equal(t, int64(10), c.Int("HZ"))

	assert.Panics(t, func() { c.Int("nope") })
	assert.Panics(t, func() { c.Int("dir") })
	assert.Panics(t, func() { c.Bool("hz") })
	assert.True(t, Immutable("databases"))
	assert.True(t, Immutable("slaveof"))
	assert.False(t, Immutable("maxmemory"))
	assert.True(t, Protected("dir"))
	assert.Equal(t, "replica-read-only", Canonical("SLAVE-read-only"))
}

// ---- CONFIG GET ----

func names(kvs [][2]string) []string {
	var out []string
	for _, kv := range kvs {
		out = append(out, kv[0])
	}
	return out
}

func TestGet(t *testing.T) {
	c := Default()
	assert.Equal(t, [][2]string{{"slaveof", ""}}, c.Get([]string{"slaveof"}))
	assert.Equal(t, [][2]string{{"MAXMEMORY", "0"}}, c.Get([]string{"MAXMEMORY", "maxmemory"}))
	assert.Equal(t, []string{"hash-max-listpack-entries", "hash-max-listpack-value", "hash-max-ziplist-entries",
		"hash-max-ziplist-value"}, names(c.Get([]string{"hash-max-*"})))
	assert.Equal(t, []string{"maxmemory", "maxmemory-clients", "maxmemory-eviction-tenacity", "maxmemory-policy",
		"maxmemory-samples"}, names(c.Get([]string{"maxmemory", "maxmem*", "MAXMEM*"})))
	assert.Equal(t, []string{"hash-max-ziplist-entries", "hash-max-listpack-entries"},
		names(c.Get([]string{"hash-max-ziplist-entries", "hash-max-listpack-entries"})))
	assert.Empty(t, c.Get([]string{`maxmemory\-policy`})) // no glob character: exact lookup
	assert.Equal(t, []string{"maxmemory-policy"}, names(c.Get([]string{"maxmemory-polic[y]"})))
	assert.Empty(t, c.Get([]string{"nosuch"}))
	assert.Equal(t, []string{"hz"}, names(c.Get([]string{"?z"})))
}

// ---- CONFIG SET ----

func TestSetErrors(t *testing.T) {
	failed := func(name, reason string) string {
		return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason
	}
	cases := []struct {
		kv   []string
		want string
	}{
		{[]string{"foo", "bar"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"databases", "4"}, failed("databases", "can't set immutable config")},
		{[]string{"slaveof", "no one"}, failed("slaveof", "can't set immutable config")},
		{[]string{"dir", "/tmp"}, failed("dir", "can't set protected config")},
		{[]string{"maxmemory", "1", "MAXMEMORY", "2"}, failed("MAXMEMORY", "duplicate parameter")},
		{[]string{"maxmemory", "1", "maxmemory", "2", "foo", "3"}, failed("maxmemory", "duplicate parameter")},
		{[]string{"maxmemory", "abc", "databases", "2"}, failed("databases", "can't set immutable config")},
		{[]string{"hz", "abc", "maxmemory-policy", "bad"}, failed("hz", "argument couldn't be parsed into an integer")},
		{[]string{"hz", "05"}, failed("hz", "argument couldn't be parsed into an integer")},
		{[]string{"hz", "-1"}, failed("hz", "argument must be between 0 and 2147483647 inclusive")},
		{[]string{"slowlog-log-slower-than", "-2"}, failed("slowlog-log-slower-than", "argument must be between -1 and 9223372036854775807 inclusive")},
		{[]string{"appendonly", "1"}, failed("appendonly", "argument must be 'yes' or 'no'")},
		{[]string{"maxmemory", "1t"}, failed("maxmemory", "argument must be a memory value")},
		{[]string{"maxmemory", "-1"}, failed("maxmemory", "argument must be a memory value")},
		{[]string{"proto-max-bulk-len", "1000kb"}, failed("proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive")},
		{[]string{"maxmemory-policy", "lru"}, failed("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")},
		{[]string{"maxmemory-clients", "101%"}, failed("maxmemory-clients", "percentage argument must be less or equal to 100")},
		{[]string{"maxmemory-clients", "1.5%"}, failed("maxmemory-clients", "argument must be a memory or percent value")},
		{[]string{"notify-keyspace-events", "kea"}, failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")},
		{[]string{"save", "100"}, failed("save", "Invalid save parameters")},
		{[]string{"save", "0 1"}, failed("save", "Invalid save parameters")},
		{[]string{"save", "100  1"}, failed("save", "Invalid save parameters")},
		{[]string{"client-output-buffer-limit", "normal 1 1"}, failed("client-output-buffer-limit", "Wrong number of arguments in buffer limit configuration.")},
		{[]string{"client-output-buffer-limit", "master 1 1 1"}, failed("client-output-buffer-limit", "Invalid client class specified in buffer limit configuration.")},
		{[]string{"client-output-buffer-limit", "normal 1 1 -1"}, failed("client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")},
		{[]string{"oom-score-adj-values", "0 200"}, failed("oom-score-adj-values", "wrong number of arguments")},
		{[]string{"oom-score-adj-values", "0 0 2001"}, failed("oom-score-adj-values", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.")},
		{[]string{"latency-tracking-info-percentiles", "abc"}, failed("latency-tracking-info-percentiles", "Invalid latency-tracking-info-percentiles parameters")},
		{[]string{"latency-tracking-info-percentiles", "101"}, failed("latency-tracking-info-percentiles", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")},
		{[]string{"shutdown-on-sigint", "save nosave"}, failed("shutdown-on-sigint", "shutdown options SAVE and NOSAVE can't be used simultaneously")},
		{[]string{"cluster-announce-hostname", "a_b"}, failed("cluster-announce-hostname", "Hostnames may only contain alphanumeric characters, hyphens or dots")},
		{[]string{"proc-title-template", "{nope}"}, failed("proc-title-template", "template format is invalid or contains unknown variables")},
	}
	for _, tc := range cases {
		c := Default()
		before := c.Get([]string{"*"})
		var pairs [][2]string
		for i := 0; i < len(tc.kv); i += 2 {
			pairs = append(pairs, [2]string{tc.kv[i], tc.kv[i+1]})
		}
		err := c.Set(pairs)
		if assert.Error(t, err, "%q", tc.kv) {
			assert.Equal(t, tc.want, err.Error(), "%q", tc.kv)
		}
		assert.Equal(t, before, c.Get([]string{"*"}), "%q changed the config", tc.kv)
	}
}

func TestSetAtomicAndAliases(t *testing.T) {
	c := Default()
	err := c.Set([][2]string{{"maxmemory", "10mb"}, {"timeout", "5"}, {"hz", "x"}})
	require.Error(t, err)
	assert.Equal(t, "0", c.String("maxmemory"))
	assert.Equal(t, "0", c.String("timeout"))

	setOK(t, c, "maxmemory", "10mb", "timeout", "5")
	assert.Equal(t, "10485760", c.String("maxmemory"))
	assert.Equal(t, "5", c.String("timeout"))

	// A name and its alias are distinct parameters: the later one wins.
	setOK(t, c, "hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2")
	assert.Equal(t, "2", c.String("hash-max-ziplist-entries"))
	setOK(t, c, "SLAVE-READ-ONLY", "no")
	assert.False(t, c.Bool("replica-read-only"))

	// Protected configs are settable once enabled.
	p, err := Parse([]string{"--enable-protected-configs", "yes"})
	require.NoError(t, err)
	dir := t.TempDir()
	setOK(t, p, "dir", dir)
	assert.Equal(t, dir, p.String("dir"))
	err = p.Set([][2]string{{"dir", filepath.Join(dir, "missing")}})
	require.Error(t, err)
	assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory", err.Error())
	err = p.Set([][2]string{{"dbfilename", "a/b.rdb"}})
	require.Error(t, err)
	assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename", err.Error())
}

func TestOnChangeAndOnApply(t *testing.T) {
	c := Default()
	var changed []string
	c.OnChange(func(name string) {
		_ = c.String(name) // listeners run outside the lock
		changed = append(changed, name)
	})
	setOK(t, c, "slave-priority", "5", "hz", "10", "maxmemory", "1mb")
	assert.Equal(t, []string{"replica-priority", "maxmemory"}, changed) // hz did not change

	var applied []string
	c.OnApply("port", func(v string) error {
		applied = append(applied, "port="+v)
		if v == "1" {
			return errors.New("Unable to listen on this port. Check server logs.")
		}
		return nil
	})
	c.OnApply("timeout", func(v string) error { applied = append(applied, "timeout="+v); return nil })
	changed = nil
	err := c.Set([][2]string{{"timeout", "9"}, {"port", "1"}})
	require.Error(t, err)
	assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.", err.Error())
	assert.Equal(t, []string{"timeout=9", "port=1", "timeout=0", "port=6379"}, applied)
	assert.Equal(t, "0", c.String("timeout"))
	assert.Equal(t, "6379", c.String("port"))
	assert.Empty(t, changed)

	setOK(t, c, "port", "7777")
	assert.Equal(t, []string{"port"}, changed)
}

func TestConcurrentUse(t *testing.T) {
	c := Default()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.Set([][2]string{{"hz", strconv.Itoa(1 + (i+j)%100)}, {"maxmemory", strconv.Itoa(j)}})
			}
		}(i)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				_ = c.Get([]string{"*"})
				_ = c.Int("hz")
			}
		}()
	}
	wg.Wait()
}

// ---- config file and command line ----

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`a b   c`, []string{"a", "b", "c"}},
		{`requirepass "p\x41ss\n\t\"x\""`, []string{"requirepass", "pAss\n\t\"x\""}},
		{`x 'it\'s' ""`, []string{"x", "it's", ""}},
		{"  tabs\tand  spaces  ", []string{"tabs", "and", "spaces"}},
	}
	for _, tc := range cases {
		got, ok := splitArgs(tc.in)
		assert.True(t, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{`a "b`, `a 'b`, `a "b"c`} {
		_, ok := splitArgs(bad)
		assert.False(t, ok, bad)
	}
	for _, s := range []string{"plain", "a b\"c\\d", "\x01\xff\n"} {
		got, ok := splitArgs("x " + quote(s))
		assert.True(t, ok)
		assert.Equal(t, []string{"x", s}, got)
	}
}

func TestParseFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	inc := writeFile(t, dir, "inc.conf", "timeout 33\nloglevel warning\n")
	path := writeFile(t, dir, "cinnabar.conf", `# comment
port 7100
   hz   20
save 900 1
save 300 10
slave-read-only no
hash-max-ziplist-entries 100
requirepass "p\x41ss word"
masterauth 'it\'s'
notify-keyspace-events KEA
client-output-buffer-limit replica 512mb 128mb 120
bind 0.0.0.0 ::1
maxmemory 2GB
rename-command FLUSHALL ""
shutdown-on-sigterm nosave now
latency-tracking-info-percentiles 50 90
replicaof 10.0.0.1 6380
include `+inc+`
list-max-ziplist-entries 5
`)
	c, err := Parse([]string{path, "--port", "7200", "--save", "60", "1", "--list-max-listpack-size", "-3", "--dir", dir})
	require.NoError(t, err)
	assert.Equal(t, path, c.File())
	want := map[string]string{
		"port":                              "7200",
		"hz":                                "20",
		"save":                              "900 1 300 10 60 1",
		"replica-read-only":                 "no",
		"hash-max-listpack-entries":         "100",
		"requirepass":                       "pAss word",
		"masterauth":                        "it's",
		"notify-keyspace-events":            "AKE",
		"client-output-buffer-limit":        "normal 0 0 0 slave 536870912 134217728 120 pubsub 33554432 8388608 60",
		"bind":                              "0.0.0.0 ::1",
		"maxmemory":                         "2147483648",
		"shutdown-on-sigterm":               "nosave now",
		"latency-tracking-info-percentiles": "50 90",
		"slaveof":                           "10.0.0.1 6380",
		"timeout":                           "33",
		"loglevel":                          "warning",
		"list-max-listpack-size":            "-3",
		"dir":                               dir,
	}
	for k, v := range want {
		assert.Equal(t, v, c.String(k), k)
	}
	assert.Equal(t, [][]string{{"FLUSHALL", ""}}, c.Extra("rename-command"))

	// --save alone means save "".
	c, err = Parse([]string{"--save", "--appendonly", "yes"})
	require.NoError(t, err)
	assert.Equal(t, "", c.String("save"))
	assert.True(t, c.Bool("appendonly"))
	assert.Equal(t, "", c.File())
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		file string
		args []string
		want string
	}{
		{"port 1\nfoo bar\n", nil, `line 2: >>> 'foo bar' Bad directive or wrong number of arguments`},
		{"hz abc\n", nil, `line 1: >>> 'hz abc' argument couldn't be parsed into an integer`},
		{"# x\n\nmaxmemory 1 2\n", nil, `line 3: >>> 'maxmemory 1 2' wrong number of arguments`},
		{"requirepass \"abc\n", nil, `line 1: >>> 'requirepass "abc' Unbalanced quotes in configuration line`},
		{"databases 0\n", nil, `argument must be between 1 and 2147483647 inclusive`},
		{"unixsocketperm 999\n", nil, `argument couldn't be parsed as an octal number`},
		{"appendfilename a/b\n", nil, `appendfilename can't be a path, just a filename`},
		{"", []string{"--hz", "abc"}, `command line option: >>> 'hz "abc"' argument couldn't be parsed into an integer`},
		{"", []string{"--nosuch", "1"}, `'nosuch "1"' Bad directive or wrong number of arguments`},
		{"", []string{"--appendonly"}, `'appendonly' wrong number of arguments`},
		{"", []string{"--bind", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q"}, `Too many bind addresses specified.`},
	}
	for i, tc := range cases {
		var args []string
		if tc.file != "" {
			args = append(args, writeFile(t, dir, fmt.Sprintf("c%d.conf", i), tc.file))
		}
		args = append(args, tc.args...)
		_, err := Parse(args)
		if assert.Error(t, err, tc.file, tc.args) {
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "FATAL CONFIG FILE ERROR")
			var pe *ParseError
			assert.True(t, errors.As(err, &pe))
		}
	}
	_, err := Parse([]string{filepath.Join(dir, "missing.conf")})
	assert.ErrorContains(t, err, "can't open config file")
}

// ---- CONFIG REWRITE ----

func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "r.conf", `# Top comment
port 7102
save 900 1
save 300 10

# memory section
maxmemory 1gb
  hz   20
rename-command KEYS ""
slave-read-only yes
hz 30
hash-max-ziplist-entries 100
`)
	c, err := Parse([]string{path, "--dir", dir})
	require.NoError(t, err)
	setOK(t, c, "maxmemory", "100mb", "save", "60 5", "hz", "10", "maxmemory-policy", "allkeys-lru",
		"requirepass", `a b"c`, "client-output-buffer-limit", "pubsub 1mb 1000 1", "maxmemory-clients", "10%",
		"notify-keyspace-events", "Kx", "repl-backlog-size", "2kb")
	require.NoError(t, c.Rewrite())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, `# Top comment
port 7102
save 60 5


# memory section
maxmemory 100mb
hz 10
rename-command KEYS ""
replica-read-only yes

hash-max-listpack-entries 100

# Generated by CONFIG REWRITE
client-output-buffer-limit pubsub 1mb 1000 1
dir "`+dir+`"
maxmemory-clients 10%
maxmemory-policy allkeys-lru
notify-keyspace-events "xK"
repl-backlog-size 16kb
requirepass "a b\"c"
`, string(got))

	// The rewritten file loads back to the same settings.
	c2, err := Parse([]string{path})
	require.NoError(t, err)
	assert.Equal(t, c.Get([]string{"*"}), c2.Get([]string{"*"}))

	// A second rewrite appends without a second signature and is otherwise stable.
	setOK(t, c, "timeout", "7")
	require.NoError(t, c.Rewrite())
	got2, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(got)+"timeout 7\n", string(got2))
	assert.Equal(t, 1, strings.Count(string(got2), "# Generated by CONFIG REWRITE"))

	// Setting a value back to its default keeps its line, with the default.
	setOK(t, c, "timeout", "0")
	require.NoError(t, c.Rewrite())
	got3, _ := os.ReadFile(path)
	assert.True(t, strings.HasSuffix(string(got3), "\ntimeout 0\n"))

	// No stray temporary files.
	ents, _ := os.ReadDir(dir)
	assert.Len(t, ents, 1)
}

func TestRewriteErrorsAndNewFile(t *testing.T) {
	err := Default().Rewrite()
	require.Error(t, err)
	assert.Equal(t, "ERR The server is running without a config file", err.Error())

	dir := t.TempDir()
	path := writeFile(t, dir, "empty.conf", "")
	c, err := Parse([]string{path, "--dir", dir})
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	setOK(t, c, "appendonly", "yes")
	require.NoError(t, c.Rewrite())
	got, _ := os.ReadFile(path)
	assert.Equal(t, "# Generated by CONFIG REWRITE\nappendonly yes\ndir \""+dir+"\"\n", string(got))
}

func TestRewriteUserLines(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "u.conf", "user alice on +get\n# keep\nuser bob on\nport 7103\n")
	c, err := Parse([]string{path, "--dir", dir})
	require.NoError(t, err)
	require.Equal(t, [][]string{{"alice", "on", "+get"}, {"bob", "on"}}, c.Extra("user"))
	// Without SetUserLines the user lines stay.
	require.NoError(t, c.Rewrite())
	got, _ := os.ReadFile(path)
	assert.Equal(t, "user alice on +get\n# keep\nuser bob on\nport 7103\n\n# Generated by CONFIG REWRITE\ndir \""+dir+"\"\n", string(got))
	// The users fill the user lines in order; the rest are appended.
	users := []string{"user alice on nopass", "user carol on", "user default on nopass ~* &* +@all"}
	c.SetUserLines(func() []string { return users })
	require.NoError(t, c.Rewrite())
	got, _ = os.ReadFile(path)
	assert.Equal(t, "user alice on nopass\n# keep\nuser carol on\nport 7103\n\n# Generated by CONFIG REWRITE\ndir \""+dir+"\"\nuser default on nopass ~* &* +@all\n", string(got))
	// No users (they live in an aclfile): the user lines are blanked.
	users = []string{}
	require.NoError(t, c.Rewrite())
	got, _ = os.ReadFile(path)
	assert.Equal(t, "\n# keep\n\nport 7103\n\n# Generated by CONFIG REWRITE\ndir \""+dir+"\"\n\n", string(got))
}

// Record changes a fixed setting for CONFIG GET, which CONFIG SET refuses.
func TestRecord(t *testing.T) {
	c, err := Parse(nil)
	require.NoError(t, err)
	require.NoError(t, c.Record("replicaof", "127.0.0.1", "6380"))
	require.Equal(t, [][2]string{{"replicaof", "127.0.0.1 6380"}}, c.Get([]string{"replicaof"}))
	require.NoError(t, c.Record("slaveof", "no", "one"))
	require.Equal(t, "", c.String("replicaof"))
	require.Error(t, c.Record("replicaof", "h", "x"))
}
