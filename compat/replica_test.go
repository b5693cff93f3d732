package compat

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// Cinnabar as a replica: of a reference redis-server, and of another Cinnabar.

// streamWrites are written on a master once its replica is attached: every type,
// relative TTLs, a transaction, scripts, random pops, databases other than 0.
var streamWrites = [][]string{
	{"SET", "later", "v", "EX", "1000"},
	{"INCRBYFLOAT", "f", "0.1"},
	{"SADD", "pool", "a", "b", "c", "d"},
	{"SPOP", "pool"},
	{"RPUSH", "q", "1", "2", "3"},
	{"LPOP", "q"},
	{"HSET", "h2", "a", "1", "b", "2"},
	{"HINCRBYFLOAT", "h2", "x", "1.5"},
	{"ZADD", "z2", "1", "a", "2.5", "b"},
	{"PFADD", "hll2", "a", "b", "c"},
	{"SETBIT", "bits", "77", "1"},
	{"MULTI"}, {"INCR", "n"}, {"EXPIRE", "n", "500"}, {"EXEC"},
	{"EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])", "2", "s1", "s2", "val"},
	{"XADD", "stream", "*", "f", "new"},
	{"SELECT", "3"}, {"SET", "in3b", "y"}, {"LPUSH", "l3", "x"}, {"SELECT", "0"},
	{"DEL", "str"},
	{"FUNCTION", "LOAD", "#!lua name=later\nredis.register_function('lf', function() return 1 end)"},
}

func doAll(t *testing.T, c *rawConn, cmds [][]string) {
	t.Helper()
	for _, cmd := range cmds {
		r := c.Do(t, cmd...)
		require.False(t, strings.HasPrefix(r, "-"), "%v: %s", cmd, r)
	}
}

// waitLink waits until the replica at addr reports master_link_status as status.
func waitLink(t *testing.T, addr, status string) {
	t.Helper()
	c := dialRaw(t, addr)
	require.Eventually(t, func() bool {
		return strings.Contains(c.Do(t, "INFO", "replication"), "master_link_status:"+status)
	}, 15*time.Second, 10*time.Millisecond, "link never %s", status)
}

// waitSynced writes a marker on the master and waits for it on the replica.
func waitSynced(t *testing.T, master, replica *rawConn) {
	t.Helper()
	marker := strconv.FormatInt(time.Now().UnixNano(), 10)
	require.Equal(t, "+OK\r\n", master.Do(t, "SET", "marker", marker))
	require.Eventually(t, func() bool {
		return replica.Do(t, "GET", "marker") == fmt.Sprintf("$%d\r\n%s\r\n", len(marker), marker)
	}, 10*time.Second, 5*time.Millisecond)
}

// infoNames are the field names of an INFO section, in order.
func infoNames(info string) []string {
	var names []string
	for _, line := range strings.Split(info, "\r\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			names = append(names, name)
		}
	}
	return names
}

var digits = regexp.MustCompile(`:\d+\r\n`)

// TestReplicaOfReference makes Cinnabar a replica of a reference redis-server, with
// the snapshot sent as a file (a length) and diskless (an EOF mark), next to a
// reference replica of the same master: both end up with the master's dataset, and
// answer ROLE and INFO replication alike.
func TestReplicaOfReference(t *testing.T) {
	for _, diskless := range []string{"no", "yes"} {
		t.Run("diskless="+diskless, func(t *testing.T) {
			masterAddr := startReferenceIn(t, t.TempDir(), "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0",
				"--enable-debug-command", "yes")
			host, port, _ := strings.Cut(masterAddr, ":")
			master := dialRaw(t, masterAddr)
			writePersistedData(t, master) // in the snapshot

			srv := startServer(t)
			replica := dialRaw(t, srv.Addr())
			require.Equal(t, "+OK\r\n", replica.Do(t, "REPLICAOF", host, port))
			require.Equal(t, "+OK Already connected to specified master\r\n", replica.Do(t, "SLAVEOF", host, port))
			refReplica := dialRaw(t, startReferenceIn(t, t.TempDir(), "--replicaof", host, port))
			waitLink(t, srv.Addr(), "up")

			doAll(t, master, streamWrites) // in the stream
			waitSynced(t, master, replica)
			require.Equal(t, datasetOf(t, master, true), datasetOf(t, replica, true))

			// ROLE and INFO replication have the reference replica's shape.
			waitSynced(t, master, refReplica)
			require.Equal(t, digits.ReplaceAllString(refReplica.Do(t, "ROLE"), ":N\r\n"), digits.ReplaceAllString(replica.Do(t, "ROLE"), ":N\r\n"))
			info := replica.Do(t, "INFO", "replication")
			require.Equal(t, infoNames(refReplica.Do(t, "INFO", "replication")), infoNames(info))
			for _, f := range []string{"role:slave", "master_host:" + host, "master_port:" + port, "master_link_status:up",
				"slave_read_only:1", "master_sync_in_progress:0"} {
				require.Contains(t, info, f+"\r\n")
			}
			require.Equal(t, infoLine(master.Do(t, "INFO", "replication"), "master_replid"), infoLine(info, "master_replid"))

			// Read-only: a client's writes, also from a script, are refused.
			require.Equal(t, "-READONLY You can't write against a read only replica.\r\n", replica.Do(t, "SET", "x", "1"))
			require.Equal(t, refReplica.Do(t, "SET", "x", "1"), replica.Do(t, "SET", "x", "1"))
			require.Contains(t, replica.Do(t, "EVAL", "return redis.call('SET', 'x', '1')", "0"), "READONLY You can't write against a read only replica.")
			require.Equal(t, "+OK\r\n", replica.Do(t, "MULTI"))
			require.Equal(t, "+OK\r\n", refReplica.Do(t, "MULTI"))
			require.Equal(t, refReplica.Do(t, "INCR", "n"), replica.Do(t, "INCR", "n"))
			require.Equal(t, refReplica.Do(t, "EXEC"), replica.Do(t, "EXEC"))

			// FLUSHALL on the master empties the replica.
			doAll(t, master, [][]string{{"FLUSHALL"}, {"SELECT", "3"}, {"SET", "after", "flush"}, {"SELECT", "0"}})
			waitSynced(t, master, replica)
			require.Equal(t, datasetOf(t, master, true), datasetOf(t, replica, true))
		})
	}
}

// TestReplicaExpiry: a replica expires nothing by itself; a key past its deadline
// reads as missing but stays until the master's DEL, as on a Redis 7.0 replica.
func TestReplicaExpiry(t *testing.T) {
	masterAddr := startReferenceIn(t, t.TempDir(), "--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes")
	host, port, _ := strings.Cut(masterAddr, ":")
	master := dialRaw(t, masterAddr)
	require.Equal(t, "+OK\r\n", master.Do(t, "DEBUG", "SET-ACTIVE-EXPIRE", "0"))
	srv := startServer(t, cinnabartest.WithConfig("replicaof", host, port))
	replica := dialRaw(t, srv.Addr())
	waitLink(t, srv.Addr(), "up")

	require.Equal(t, "+OK\r\n", master.Do(t, "SET", "k", "v", "PX", "100"))
	waitSynced(t, master, replica)
	time.Sleep(150 * time.Millisecond)
	require.Equal(t, "$-1\r\n", replica.Do(t, "GET", "k"))
	require.Equal(t, ":0\r\n", replica.Do(t, "EXISTS", "k"))
	require.Equal(t, ":2\r\n", replica.Do(t, "DBSIZE"))   // k and the marker: k is still there
	require.Equal(t, "$-1\r\n", master.Do(t, "GET", "k")) // the master expires it and sends DEL
	require.Eventually(t, func() bool { return replica.Do(t, "DBSIZE") == ":1\r\n" }, 5*time.Second, 5*time.Millisecond)
	stats := replica.Do(t, "INFO", "stats")
	require.Contains(t, stats, "expired_keys:0\r\n")
	require.NotEqual(t, "0", infoLine(stats, "total_net_repl_input_bytes"))
}

// TestReplicaLinkLossAndPromotion: the master dropping the replica, or the replica
// dropping its master (CLIENT KILL TYPE master), makes it resync;
// with replica-serve-stale-data no a replica without its master answers MASTERDOWN;
// REPLICAOF NO ONE keeps the data and shifts the replication ID to the second one.
func TestReplicaLinkLossAndPromotion(t *testing.T) {
	masterAddr := startReferenceIn(t, t.TempDir(), "--repl-diskless-sync-delay", "0")
	host, port, _ := strings.Cut(masterAddr, ":")
	master := dialRaw(t, masterAddr)
	srv := startServer(t)
	replica := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", replica.Do(t, "REPLICAOF", host, port))
	waitLink(t, srv.Addr(), "up")
	waitSynced(t, master, replica)

	// The master kills the link: the replica reconnects and syncs again.
	require.Equal(t, ":1\r\n", master.Do(t, "CLIENT", "KILL", "TYPE", "replica"))
	require.Eventually(t, func() bool { return infoLine(master.Do(t, "INFO", "stats"), "sync_full") == "2" },
		10*time.Second, 10*time.Millisecond)
	waitLink(t, srv.Addr(), "up")
	require.Equal(t, "+OK\r\n", master.Do(t, "SET", "after", "reconnect"))
	waitSynced(t, master, replica)
	require.Equal(t, "$9\r\nreconnect\r\n", replica.Do(t, "GET", "after"))
	require.Equal(t, ":1\r\n", master.Do(t, "WAIT", "1", "5000"))

	// The replica drops the link itself: it syncs again too.
	require.Equal(t, ":1\r\n", replica.Do(t, "CLIENT", "KILL", "TYPE", "master"))
	require.Eventually(t, func() bool { return infoLine(master.Do(t, "INFO", "stats"), "sync_full") == "3" },
		10*time.Second, 10*time.Millisecond)
	waitLink(t, srv.Addr(), "up")
	waitSynced(t, master, replica)

	// Promotion keeps the data.
	info := replica.Do(t, "INFO", "replication")
	id, offset := infoLine(info, "master_replid"), infoLine(info, "master_repl_offset")
	require.Equal(t, fmt.Sprintf("*2\r\n$9\r\nreplicaof\r\n$%d\r\n%s %s\r\n", len(host)+1+len(port), host, port),
		replica.Do(t, "CONFIG", "GET", "replicaof"))
	require.Equal(t, "+OK\r\n", replica.Do(t, "REPLICAOF", "NO", "ONE"))
	require.Equal(t, "+OK\r\n", replica.Do(t, "REPLICAOF", "no", "one"))
	require.Equal(t, "*2\r\n$9\r\nreplicaof\r\n$0\r\n\r\n", replica.Do(t, "CONFIG", "GET", "replicaof"))
	info = replica.Do(t, "INFO", "replication")
	require.Contains(t, info, "role:master\r\n")
	require.Equal(t, id, infoLine(info, "master_replid2"))
	require.NotEqual(t, id, infoLine(info, "master_replid"))
	n, _ := strconv.Atoi(offset)
	require.Equal(t, strconv.Itoa(n+1), infoLine(info, "second_repl_offset"))
	require.Equal(t, offset, infoLine(info, "master_repl_offset"))
	require.Equal(t, "$9\r\nreconnect\r\n", replica.Do(t, "GET", "after"))
	require.Equal(t, "+OK\r\n", replica.Do(t, "SET", "mine", "1"))
	require.Equal(t, "*3\r\n$6\r\nmaster\r\n", replica.Do(t, "ROLE")[:len("*3\r\n$6\r\nmaster\r\n")])

	// A master that is not there: the link stays down, stale data is served or not.
	require.Equal(t, "+OK\r\n", replica.Do(t, "REPLICAOF", "127.0.0.1", strconv.Itoa(freePort(t))))
	require.Equal(t, "$1\r\n1\r\n", replica.Do(t, "GET", "mine"))
	require.Equal(t, "+OK\r\n", replica.Do(t, "CONFIG", "SET", "replica-serve-stale-data", "no"))
	down := "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n"
	require.Equal(t, down, replica.Do(t, "GET", "mine"))
	require.Equal(t, down, replica.Do(t, "PING"))
	require.Contains(t, replica.Do(t, "INFO", "replication"), "master_link_status:down\r\n")
	require.Regexp(t, `(?s)^\*5\r\n\$5\r\nslave\r\n.*\r\n\$(7\r\nconnect|10\r\nconnecting)\r\n:-1\r\n$`, replica.Do(t, "ROLE"))
}

// TestReplicaOfErrorsDifferential: REPLICAOF's argument errors are the reference's.
func TestReplicaOfErrorsDifferential(t *testing.T) {
	diffScript(t, `
		REPLICAOF 127.0.0.1 abc
		REPLICAOF 127.0.0.1 70000
		REPLICAOF 127.0.0.1 -1
		REPLICAOF no two
		SLAVEOF 127.0.0.1
		REPLICAOF NO ONE
		SLAVEOF no one
	`)
}

// TestCinnabarReplicaOfCinnabar: a Cinnabar replica (replicaof in its configuration) of
// a Cinnabar master gets its data and acknowledges it (WAIT), and resyncs from a new
// master started on the same port after the first one went away.
func TestCinnabarReplicaOfCinnabar(t *testing.T) {
	m := startServer(t)
	master := dialRaw(t, m.Addr())
	writePersistedData(t, master)
	host, port, _ := strings.Cut(m.Addr(), ":")
	r := startServer(t, cinnabartest.WithConfig("replicaof", host, port))
	replica := dialRaw(t, r.Addr())
	waitLink(t, r.Addr(), "up")
	doAll(t, master, streamWrites)
	waitSynced(t, master, replica)
	require.Equal(t, datasetOf(t, master, false), datasetOf(t, replica, false))
	require.Equal(t, "+OK\r\n", master.Do(t, "SET", "k", "v"))
	require.Equal(t, ":1\r\n", master.Do(t, "WAIT", "1", "5000"))
	require.Contains(t, master.Do(t, "INFO", "replication"), fmt.Sprintf("port=%d,", r.Port()))
	require.Equal(t, "1", infoLine(master.Do(t, "INFO", "stats"), "sync_full"))

	m.Close()
	waitLink(t, r.Addr(), "down")
	m2 := startServer(t, cinnabartest.WithConfig("port", port))
	master2 := dialRaw(t, m2.Addr())
	require.Equal(t, "+OK\r\n", master2.Do(t, "SET", "fresh", "1"))
	waitLink(t, r.Addr(), "up")
	waitSynced(t, master2, replica)
	require.Equal(t, ":0\r\n", replica.Do(t, "EXISTS", "later")) // the new master's dataset only
	require.Equal(t, ":1\r\n", master2.Do(t, "WAIT", "1", "5000"))
}

// TestReplicaChain: what a Cinnabar replica applies goes down its own write stream, to
// its AOF and to its replicas: a redis-server replica of it follows the top master,
// and the AOF reloads to the same dataset. Its clients' own writes reach only its AOF.
func TestReplicaChain(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("differential test skipped: no redis-server binary on PATH")
	}
	masterAddr := startReferenceIn(t, t.TempDir(), "--repl-diskless-sync-delay", "0")
	host, port, _ := strings.Cut(masterAddr, ":")
	master := dialRaw(t, masterAddr)
	writePersistedData(t, master)
	dir := t.TempDir()
	srv := startServer(t, cinnabartest.WithConfig("replicaof", host, port), cinnabartest.WithDir(dir),
		cinnabartest.WithConfig("appendonly", "yes"))
	waitLink(t, srv.Addr(), "up")
	sub := dialRaw(t, fmt.Sprintf("127.0.0.1:%d", attachReplica(t, bin, srv.Addr())))

	doAll(t, master, streamWrites)
	waitSynced(t, master, sub)
	want := datasetOf(t, master, true)
	require.Equal(t, want, datasetOf(t, sub, true))

	// A client's writes on a writable replica stay local: its replicas never see them.
	replica := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", replica.Do(t, "CONFIG", "SET", "replica-read-only", "no"))
	require.Equal(t, "+OK\r\n", replica.Do(t, "SET", "local", "1"))
	waitSynced(t, master, sub)
	require.Equal(t, ":0\r\n", sub.Do(t, "EXISTS", "local"))
	require.Equal(t, ":1\r\n", replica.Do(t, "DEL", "local"))
	want = datasetOf(t, master, true)

	require.Eventually(t, func() bool { // the rewrite that followed the sync
		return strings.Contains(replica.Do(t, "INFO", "persistence"), "aof_rewrite_in_progress:0\r\n")
	}, 10*time.Second, 10*time.Millisecond)
	srv.Close()
	reloaded := startServer(t, cinnabartest.WithDir(dir), cinnabartest.WithConfig("appendonly", "yes"))
	require.Equal(t, want, datasetOf(t, dialRaw(t, reloaded.Addr()), true))
}

// TestReplicaWithoutMasterDifferential: a replica whose master is unreachable answers
// as a reference replica in the same state.
func TestReplicaWithoutMasterDifferential(t *testing.T) {
	dead := strconv.Itoa(freePort(t))
	ref := dialRaw(t, startReferenceIn(t, t.TempDir(), "--replicaof", "127.0.0.1", dead))
	srv := startServer(t, cinnabartest.WithConfig("replicaof", "127.0.0.1", dead))
	ours := dialRaw(t, srv.Addr())
	for _, cmd := range [][]string{
		{"CONFIG", "SET", "replica-serve-stale-data", "no"}, {"GET", "k"}, {"PING"}, {"SET", "k", "v"}, {"WAIT", "0", "0"}, {"FAILOVER"}, {"FAILOVER", "ABORT"},
		{"SYNC"}, {"CONFIG", "SET", "replica-serve-stale-data", "yes"}, {"GET", "k"}, {"SET", "k", "v"},
		{"CONFIG", "SET", "replica-read-only", "no"}, {"SET", "k", "v"}, {"GET", "k"},
		{"REPLICAOF", "127.0.0.1", dead},
	} {
		require.Equal(t, ref.Do(t, cmd...), ours.Do(t, cmd...), "%v", cmd)
	}
}

// TestReplicaAuthenticates: masterauth (and masteruser for an ACL user) open the link
// to a master that requires a password; a wrong one keeps it down.
func TestReplicaAuthenticates(t *testing.T) {
	masterAddr := startReferenceIn(t, t.TempDir(), "--repl-diskless-sync-delay", "0", "--requirepass", "pw",
		"--user", "repl", "on", ">rpw", "~*", "&*", "+@all")
	host, port, _ := strings.Cut(masterAddr, ":")
	for _, tc := range []struct {
		name string
		opts []cinnabartest.Option
		up   bool
	}{
		{"masterauth", []cinnabartest.Option{cinnabartest.WithConfig("masterauth", "pw")}, true},
		{"masteruser", []cinnabartest.Option{cinnabartest.WithConfig("masteruser", "repl"), cinnabartest.WithConfig("masterauth", "rpw")}, true},
		{"wrong password", []cinnabartest.Option{cinnabartest.WithConfig("masterauth", "nope")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, append(tc.opts, cinnabartest.WithConfig("replicaof", host, port))...)
			if tc.up {
				waitLink(t, srv.Addr(), "up")
				return
			}
			time.Sleep(300 * time.Millisecond) // a few attempts
			c := dialRaw(t, srv.Addr())
			require.Contains(t, c.Do(t, "INFO", "replication"), "master_link_status:down\r\n")
			require.Regexp(t, `(?s)^\*5\r\n\$5\r\nslave\r\n.*\r\n\$(7\r\nconnect|10\r\nconnecting|9\r\nhandshake)\r\n:-1\r\n$`, c.Do(t, "ROLE"))
		})
	}
}

// TestReplicaOfUnblocksClients: turning replica ends blocked commands with Redis's
// error.
func TestReplicaOfUnblocksClients(t *testing.T) {
	dead := strconv.Itoa(freePort(t))
	for _, addr := range []string{startReferenceIn(t, t.TempDir()), startServer(t).Addr()} {
		blocked, admin := dialRaw(t, addr), dialRaw(t, addr)
		blocked.Send(t, encodeCommand([]string{"BLPOP", "q", "0"}))
		require.Eventually(t, func() bool { return infoLine(admin.Do(t, "INFO", "clients"), "blocked_clients") == "1" },
			5*time.Second, 5*time.Millisecond)
		require.Equal(t, "+OK\r\n", admin.Do(t, "REPLICAOF", "127.0.0.1", dead))
		require.Equal(t, "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n",
			blocked.Read(t), addr)
	}
}
