package compat

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newerThanRedis70 are rows Redis 7.0 does not have but clients of later versions send.
var newerThanRedis70 = map[string]bool{"client|setinfo": true, "client|no-touch": true}

// commandInfo reduces a COMMAND INFO entry to the fields the table declares.
func commandInfo(v any) (string, []string) {
	e := v.([]any)
	name := e[0].(string)
	var flags, cats []string
	for _, f := range e[2].([]any) {
		flags = append(flags, f.(string))
	}
	for _, c := range e[6].([]any) {
		cats = append(cats, c.(string))
	}
	sort.Strings(flags)
	line := fmt.Sprintf("arity=%d flags=%s keys=%d,%d,%d acl=%s", e[1], strings.Join(flags, ","), e[3], e[4], e[5], strings.Join(cats, ","))
	var subs []string
	for _, s := range e[9].([]any) {
		subs = append(subs, s.([]any)[0].(string))
	}
	sort.Strings(subs)
	return name, append([]string{line}, subs...)
}

// TestCommandTableMatchesReference compares every row of the command table (and every
// subcommand) with the reference server's COMMAND INFO.
func TestCommandTableMatchesReference(t *testing.T) {
	ref := redis.NewClient(&redis.Options{Addr: referenceAddr(t), Protocol: 2})
	defer ref.Close()
	srv := startServer(t)
	ours := newClient(t, srv.Addr(), 2)

	all, err := ours.Do(ctx, "COMMAND").Slice()
	require.NoError(t, err)
	require.NotEmpty(t, all)
	var names []string
	for _, e := range all {
		names = append(names, e.([]any)[0].(string))
		for _, s := range e.([]any)[9].([]any) {
			names = append(names, s.([]any)[0].(string))
		}
	}
	for _, name := range names {
		if newerThanRedis70[name] {
			continue
		}
		want, err := ref.Do(ctx, "COMMAND", "INFO", name).Slice()
		require.NoError(t, err)
		require.NotNil(t, want[0], "%s is not a Redis 7.0 command", name)
		got, err := ours.Do(ctx, "COMMAND", "INFO", name).Slice()
		require.NoError(t, err)
		_, wantInfo := commandInfo(want[0])
		_, gotInfo := commandInfo(got[0])
		// Every mismatch is reported, not just the first, so a table fix is one pass.
		assert.Equal(t, wantInfo[0], gotInfo[0], "COMMAND INFO %s", name)
		for _, sub := range gotInfo[1:] {
			if !newerThanRedis70[sub] {
				require.Contains(t, wantInfo[1:], sub, "%s has a subcommand Redis lacks", name)
			}
		}
	}
	count, err := ours.Do(ctx, "COMMAND", "COUNT").Int()
	require.NoError(t, err)
	require.Equal(t, len(all), count)
}

// notYetImplemented are the Redis 7.0 commands Cinnabar still lacks.
var notYetImplemented = map[string]bool{}

// TestCommandListMatchesReference requires COMMAND LIST and COMMAND COUNT to be the
// reference's, but for the newer rows and the commands not implemented yet.
func TestCommandListMatchesReference(t *testing.T) {
	ref := redis.NewClient(&redis.Options{Addr: referenceAddr(t), Protocol: 2})
	defer ref.Close()
	ours := newClient(t, startServer(t).Addr(), 2)
	list := func(c *redis.Client) map[string]bool {
		names, err := c.Do(ctx, "COMMAND", "LIST").StringSlice()
		require.NoError(t, err)
		set := map[string]bool{}
		for _, n := range names {
			set[n] = true
		}
		return set
	}
	want, got := list(ref), list(ours)
	missing := 0
	for name := range want {
		top, _, _ := strings.Cut(name, "|")
		if !got[name] {
			assert.True(t, notYetImplemented[top], "%s is missing", name)
			if top == name {
				missing++
			}
		}
	}
	for name := range got {
		assert.True(t, want[name] || newerThanRedis70[name], "%s is not a Redis 7.0 command", name)
	}
	wantCount, err := ref.Do(ctx, "COMMAND", "COUNT").Int()
	require.NoError(t, err)
	gotCount, err := ours.Do(ctx, "COMMAND", "COUNT").Int()
	require.NoError(t, err)
	assert.Equal(t, wantCount-missing, gotCount)
}
