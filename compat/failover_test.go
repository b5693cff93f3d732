package compat

import (
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFailoverWithoutReplicas checks FAILOVER's argument parsing on a master without
// replicas: each option at most once, ABORT only alone, the port and the timeout
// parsed (and the timeout checked) where they stand, then the missing replicas.
func TestFailoverWithoutReplicas(t *testing.T) {
	diffScript(t, `
		FAILOVER
		FAILOVER ABORT
		FAILOVER abort
		FAILOVER TO
		FAILOVER TO 127.0.0.1
		FAILOVER TO 127.0.0.1 6379
		FAILOVER TO 127.0.0.1 x
		FAILOVER TO 127.0.0.1 6379 FORCE
		FAILOVER TO h 99999
		FAILOVER TO h -1
		FAILOVER FORCE
		FAILOVER TIMEOUT 10 FORCE
		FAILOVER to h 1 force timeout 5
		FAILOVER TIMEOUT
		FAILOVER TIMEOUT x
		FAILOVER TIMEOUT 1.5
		FAILOVER TIMEOUT -1
		FAILOVER TIMEOUT 0
		FAILOVER TIMEOUT 0 FOO
		FAILOVER TIMEOUT -5 TIMEOUT 3
		FAILOVER TIMEOUT 1 TIMEOUT 0
		FAILOVER TIMEOUT 1 TIMEOUT 2
		FAILOVER TO h 1 TO h 2
		FAILOVER TO h 1 TO h x
		FAILOVER TO h x TO h 1
		FAILOVER TO h x FOO
		FAILOVER FOO TO h x
		FAILOVER FORCE FORCE
		FAILOVER TO h 1 FORCE FORCE
		FAILOVER ABORT ABORT
		FAILOVER ABORT FORCE
		FAILOVER FORCE ABORT
		FAILOVER ABORT TO h
		FAILOVER ABORT TO h x
		FAILOVER TO h x ABORT
		FAILOVER TO h 1 ABORT
		FAILOVER ABORT TIMEOUT 0
		FAILOVER TIMEOUT 0 ABORT
		FAILOVER TIMEOUT 10 ABORT
		FAILOVER foo
		MULTI
		FAILOVER
		EXEC
	`)
}

// TestFailoverWithReplica attaches a redis-server replica to Cinnabar and to a
// reference master and compares FAILOVER's refusals; a valid request is answered OK
// and, Cinnabar being unable to become a replica, leaves it a master with its replica.
func TestFailoverWithReplica(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("differential test skipped: no redis-server binary on PATH")
	}
	refMaster := startReferenceIn(t, t.TempDir())
	srv := startServer(t)
	refPort := attachReplica(t, bin, refMaster)
	ourPort := attachReplica(t, bin, srv.Addr())
	ref, ours := dialRaw(t, refMaster), dialRaw(t, srv.Addr())
	for _, line := range []string{
		"FAILOVER FORCE",
		"FAILOVER TIMEOUT 100 FORCE",
		"FAILOVER TO 127.0.0.1 %d FORCE",
		"FAILOVER TO 127.0.0.1 1",
		"FAILOVER TO localhost %d",
		"FAILOVER TO 127.0.0.1 1 TIMEOUT 10 FORCE",
		"FAILOVER TO 127.0.0.1 1 FORCE",
		"FAILOVER ABORT",
		"FAILOVER TIMEOUT 0",
	} {
		want := ref.Do(t, strings.Fields(strings.ReplaceAll(line, "%d", strconv.Itoa(refPort)))...)
		got := ours.Do(t, strings.Fields(strings.ReplaceAll(line, "%d", strconv.Itoa(ourPort)))...)
		assert.Equal(t, want, got, line)
	}
	require.Equal(t, "+OK\r\n", ours.Do(t, "FAILOVER", "TO", "127.0.0.1", strconv.Itoa(ourPort), "TIMEOUT", "100"))
	require.Equal(t, "+OK\r\n", ours.Do(t, "FAILOVER"))
	require.Equal(t, "-ERR No failover in progress.\r\n", ours.Do(t, "FAILOVER", "ABORT"))
	info := ours.Do(t, "INFO", "replication")
	assert.Contains(t, info, "role:master")
	assert.Contains(t, info, "connected_slaves:1")
	assert.Contains(t, info, "master_failover_state:no-failover")
	require.Equal(t, "+OK\r\n", ours.Do(t, "SET", "still", "writable"))
}

// attachReplica starts a redis-server replicating master and returns its port once the
// link is up.
func attachReplica(t *testing.T, bin, master string) int {
	host, port, _ := strings.Cut(master, ":")
	replicaPort := freePort(t)
	cmd := exec.Command(bin, "--port", strconv.Itoa(replicaPort), "--bind", "127.0.0.1", "--dir", t.TempDir(),
		"--save", "", "--appendonly", "no", "--replicaof", host, port)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", replicaPort)
	require.Eventually(t, func() bool {
		rdb := newClient(t, addr, 2)
		defer rdb.Close()
		return strings.Contains(rdb.Info(ctx, "replication").Val(), "master_link_status:up")
	}, 15*time.Second, 20*time.Millisecond)
	// The master lists the replica once its first acknowledgement arrived.
	require.Eventually(t, func() bool {
		rdb := newClient(t, master, 2)
		defer rdb.Close()
		return strings.Contains(rdb.Info(ctx, "replication").Val(), fmt.Sprintf("port=%d,", replicaPort))
	}, 15*time.Second, 20*time.Millisecond)
	return replicaPort
}
