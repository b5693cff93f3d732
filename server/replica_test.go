package server_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// While a replica loads its master's snapshot, commands without the loading flag are
// refused with -LOADING; those with it (INFO, CONFIG GET) are served.
func TestReplicaLoadingRefuses(t *testing.T) {
	ctx := context.Background()
	srv := cinnabartest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2, MaxRetries: -1})
	defer c.Close()
	require.NoError(t, c.Ping(ctx).Err())
	srv.Server().SetReplicaLoading(true)
	require.EqualError(t, c.Get(ctx, "k").Err(), "LOADING Redis is loading the dataset in memory")
	require.EqualError(t, c.Ping(ctx).Err(), "LOADING Redis is loading the dataset in memory")
	require.Contains(t, c.Info(ctx, "persistence").Val(), "loading:1\r\n")
	require.NoError(t, c.ConfigGet(ctx, "port").Err())
	srv.Server().SetReplicaLoading(false)
	require.ErrorIs(t, c.Get(ctx, "k").Err(), redis.Nil)
}
