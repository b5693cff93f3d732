package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// MIGRATE propagates as one DEL of the keys the target acknowledged; with COPY, or
// when no key exists, it propagates nothing. Both sources migrate into the same
// Cinnabar target, with REPLACE so that the second source's keys are accepted too.
func TestPropagationOfMigrate(t *testing.T) {
	target := cinnabartest.Start(t)
	_, port, _ := strings.Cut(target.Addr(), ":")
	diffPropagation(t, strings.ReplaceAll(`
		set a 1
		set b 2
		set c 3
		migrate 127.0.0.1 PORT a 0 1000 replace
		migrate 127.0.0.1 PORT a 0 1000 replace
		migrate 127.0.0.1 PORT b 0 1000 replace copy
		migrate 127.0.0.1 PORT "" 0 1000 replace keys b c nokey
		select 3
		set d 4 ex 100
		migrate 127.0.0.1 PORT d 5 1000 replace
	`, "PORT", port))
}

// A key the target refuses stays, and only the others are deleted and propagated.
func TestPropagationOfPartialMigrate(t *testing.T) {
	target := cinnabartest.Start(t)
	_, port, _ := strings.Cut(target.Addr(), ":")
	srv := cinnabartest.Start(t)
	fed := recordFeed(t, srv)
	ctx := context.Background()
	src := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer src.Close()
	dst := redis.NewClient(&redis.Options{Addr: target.Addr()})
	defer dst.Close()
	require.NoError(t, dst.Set(ctx, "busy", "there", 0).Err())
	require.NoError(t, src.MSet(ctx, "a", "1", "busy", "2", "c", "3").Err())
	err := src.Do(ctx, "MIGRATE", "127.0.0.1", port, "", "0", "1000", "KEYS", "a", "busy", "c").Err()
	require.EqualError(t, err, "ERR Target instance replied with error: BUSYKEY Target key name already exists.")
	require.Equal(t, int64(1), src.Exists(ctx, "a", "busy", "c").Val())
	require.Equal(t, []string{`"SELECT" "0"`, `"mset" "a" "1" "busy" "2" "c" "3"`, `"DEL" "a" "c"`}, fed())
}
