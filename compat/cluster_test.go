package compat

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// clusterSubcommands are CLUSTER's subcommands in Redis 7.0.
var clusterSubcommands = strings.Fields(`addslots addslotsrange bumpepoch count-failure-reports
	countkeysinslot delslots delslotsrange failover flushslots forget getkeysinslot help info
	keyslot links meet myid nodes replicas replicate reset saveconfig set-config-epoch setslot
	shards slaves slots`)

// TestClusterCommandsMatchReference calls every CLUSTER subcommand with zero to three
// arguments (arity errors, then cluster support disabled, HELP and KEYSLOT included),
// an unknown subcommand, and READONLY, READWRITE and ASKING, plain and in MULTI.
func TestClusterCommandsMatchReference(t *testing.T) {
	var cmds [][]string
	for _, sub := range clusterSubcommands {
		for n := 0; n <= 3; n++ {
			cmds = append(cmds, append([]string{"CLUSTER", strings.ToUpper(sub)}, []string{"a", "b", "c"}[:n]...))
		}
	}
	cmds = append(cmds, []string{"CLUSTER"}, []string{"CLUSTER", "nosuch"}, []string{"cluster", "KeySlot", "k"},
		[]string{"READONLY"}, []string{"READONLY", "x"}, []string{"READWRITE"}, []string{"READWRITE", "x"},
		[]string{"ASKING"}, []string{"ASKING", "x"},
		[]string{"MULTI"}, []string{"CLUSTER", "INFO"}, []string{"READONLY"}, []string{"CLUSTER", "INFO", "x"}, []string{"EXEC"})
	diffBothProtocols(t, cmds...)
}

func TestClusterGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, _ *cinnabartest.Server, rdb *redis.Client) {
		const disabled = "ERR This instance has cluster support disabled"
		for _, err := range []error{
			rdb.ClusterKeySlot(ctx, "k").Err(),
			rdb.ClusterInfo(ctx).Err(),
			rdb.ClusterNodes(ctx).Err(),
			rdb.ClusterSlots(ctx).Err(),
			rdb.ClusterShards(ctx).Err(),
			rdb.ClusterMyID(ctx).Err(),
			rdb.ClusterCountKeysInSlot(ctx, 1).Err(),
			rdb.ClusterGetKeysInSlot(ctx, 1, 10).Err(),
			rdb.ClusterAddSlotsRange(ctx, 0, 10).Err(),
			rdb.ClusterResetSoft(ctx).Err(),
			rdb.ReadOnly(ctx).Err(),
			rdb.ReadWrite(ctx).Err(),
		} {
			assert.EqualError(t, err, disabled)
		}
	})
}

// TestModuleMatchesReference runs MODULE with the default enable-module-command (no:
// LOAD, LOADEX and UNLOAD are refused before they run, in MULTI too, and count as
// rejected calls) and, against a second reference, with it set to yes (loading a
// library that does not exist fails, LIST is empty).
func TestModuleMatchesReference(t *testing.T) {
	calls := [][]string{
		{"MODULE"}, {"MODULE", "HELP"}, {"MODULE", "HELP", "x"}, {"MODULE", "LIST"}, {"MODULE", "LIST", "x"},
		{"MODULE", "LOAD"}, {"MODULE", "LOAD", "/nonexistent.so"}, {"MODULE", "LOAD", "/nonexistent.so", "a", "b"},
		{"MODULE", "LOADEX", "/nonexistent.so"}, {"MODULE", "LOADEX", "/nonexistent.so", "CONFIG", "a", "b", "ARGS", "x"},
		{"MODULE", "LOADEX", "/nonexistent.so", "CONFIG", "a"}, {"MODULE", "LOADEX", "/nonexistent.so", "foo"},
		{"MODULE", "UNLOAD"}, {"MODULE", "UNLOAD", "foo"}, {"MODULE", "UNLOAD", "foo", "bar"}, {"MODULE", "nosuch"},
		{"MULTI"}, {"MODULE", "LIST"}, {"MODULE", "LOAD", "x"}, {"EXEC"},
		{"MULTI"}, {"MODULE", "LIST"}, {"MODULE", "UNLOAD", "x"}, {"MODULE", "HELP"}, {"EXEC"},
	}
	t.Run("disabled", func(t *testing.T) {
		diffBothProtocols(t, calls...)
		rdb := newClient(t, startServer(t).Addr(), 2)
		require.ErrorContains(t, rdb.ModuleLoadex(ctx, &redis.ModuleLoadexConfig{Path: "/nonexistent.so"}).Err(),
			"ERR MODULE command not allowed.")
		require.Error(t, rdb.Do(ctx, "MODULE", "LOAD", "x").Err())
		require.NoError(t, rdb.Do(ctx, "MODULE", "LIST").Err())
		stats := rdb.Info(ctx, "commandstats").Val()
		assert.Contains(t, stats, "cmdstat_module|load:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0")
		assert.Contains(t, stats, "cmdstat_module|loadex:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0")
		assert.Contains(t, stats, "cmdstat_module|list:calls=1,")
	})
	t.Run("enabled", func(t *testing.T) {
		ref := dialRaw(t, startReferenceIn(t, t.TempDir(), "--enable-module-command", "yes"))
		ours := dialRaw(t, startServer(t, cinnabartest.WithConfig("enable-module-command", "yes")).Addr())
		for _, args := range calls {
			assert.Equal(t, ref.Do(t, args...), ours.Do(t, args...), "%q", args)
		}
	})
}
