package compat

import (
	"sort"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// docsReply splits a RESP2 COMMAND DOCS reply (name, entry, name, entry, ...) by name.
func docsReply(t *testing.T, c *redis.Client, names ...any) map[string][]any {
	t.Helper()
	flat, err := c.Do(ctx, append([]any{"COMMAND", "DOCS"}, names...)...).Slice()
	require.NoError(t, err)
	require.Zero(t, len(flat)%2)
	out := map[string][]any{}
	for i := 0; i < len(flat); i += 2 {
		out[flat[i].(string)] = flat[i+1].([]any)
	}
	return out
}

// docsShape reduces a RESP2 docs entry to what must equal the reference's: the texts we
// write in our own words (summary, complexity, history notes) become markers, after a
// check that they are there; subcommands are sorted by name and kept if keep says so.
func docsShape(t *testing.T, name string, entry []any, keep func(string) bool) []any {
	out := make([]any, 0, len(entry))
	for i := 0; i+1 < len(entry); i += 2 {
		key, val := entry[i].(string), entry[i+1]
		switch key {
		case "summary", "complexity":
			assert.NotEmpty(t, val, "%s: %s", name, key)
			val = "(text)"
		case "history":
			var versions []any
			for _, h := range val.([]any) {
				pair := h.([]any)
				assert.NotEmpty(t, pair[1], "%s: history text of %s", name, pair[0])
				versions = append(versions, pair[0])
			}
			val = versions
		case "subcommands":
			subs := val.([]any)
			var names []string
			byName := map[string][]any{}
			for j := 0; j < len(subs); j += 2 {
				if sub := subs[j].(string); keep(sub) {
					names = append(names, sub)
					byName[sub] = subs[j+1].([]any)
				}
			}
			sort.Strings(names)
			var shaped []any
			for _, sub := range names {
				shaped = append(shaped, sub, docsShape(t, sub, byName[sub], keep))
			}
			val = shaped
		}
		out = append(out, key, val)
	}
	return out
}

// TestCommandDocsMatchReference compares the documentation of every command both
// servers have, in field order and shape: everything but our own wording must equal the
// reference's (group, since, doc flags, deprecation, history versions, argument trees).
func TestCommandDocsMatchReference(t *testing.T) {
	ref := newClient(t, referenceAddr(t), 2)
	srv := startServer(t)
	ours := newClient(t, srv.Addr(), 2)

	want := docsReply(t, ref)
	got := docsReply(t, ours)
	all, err := ours.Do(ctx, "COMMAND", "COUNT").Int()
	require.NoError(t, err)
	require.Len(t, got, all)

	// Subcommands are compared where both servers have them; ours must be Redis 7.0's
	// unless newer.
	refNames, err := ref.Do(ctx, "COMMAND", "LIST").StringSlice()
	require.NoError(t, err)
	inRef := map[string]bool{}
	for _, n := range refNames {
		inRef[n] = true
	}
	ourNames, err := ours.Do(ctx, "COMMAND", "LIST").StringSlice()
	require.NoError(t, err)
	inOurs := map[string]bool{}
	for _, n := range ourNames {
		inOurs[n] = true
		require.True(t, inRef[n] || newerThanRedis70[n], "%s is not a Redis 7.0 command", n)
	}
	both := func(n string) bool { return inRef[n] && inOurs[n] }

	for name, entry := range got {
		assert.Equal(t, docsShape(t, name, want[name], both), docsShape(t, name, entry, both), "COMMAND DOCS %s", name)
	}
}

// TestCommandDocsByName asks for some commands, a subcommand and unknown names, which
// are skipped as Redis skips them.
func TestCommandDocsByName(t *testing.T) {
	ref := newClient(t, referenceAddr(t), 2)
	srv := startServer(t)
	ours := newClient(t, srv.Addr(), 2)
	for _, names := range [][]any{
		{"get", "SET", "nosuch", "config|get", "config|nosuch"},
		{"nosuch"},
		{"client"},
	} {
		want, got := docsReply(t, ref, names...), docsReply(t, ours, names...)
		var wantNames, gotNames []string
		for n := range want {
			wantNames = append(wantNames, n)
		}
		for n := range got {
			gotNames = append(gotNames, n)
		}
		assert.ElementsMatch(t, wantNames, gotNames, "COMMAND DOCS %v", names)
	}
}

// TestCommandDocsEveryRow fails for a command or subcommand added without
// documentation (command/docs_*.go).
func TestCommandDocsEveryRow(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	names, err := rdb.Do(ctx, "COMMAND", "LIST").StringSlice()
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, name := range names {
		docs := docsReply(t, rdb, name)
		require.Contains(t, docs, name)
		entry := docs[name]
		require.GreaterOrEqual(t, len(entry), 6, "%s has no documentation: add it to command/docs_*.go", name)
		for i, field := range []string{"summary", "since", "group"} {
			assert.Equal(t, field, entry[2*i], name)
			assert.NotEmpty(t, entry[2*i+1], "%s: %s", name, field)
		}
	}
}

// replySkeleton keeps a raw reply's types and aggregate sizes, dropping the contents
// of bulk strings, which hold our own wording.
func replySkeleton(raw string) string {
	var out strings.Builder
	lines := strings.Split(raw, "\r\n")
	for i := 0; i < len(lines); i++ {
		switch l := lines[i]; {
		case l == "":
		case l[0] == '$':
			out.WriteString("$ ")
			i++ // the bulk's contents
		default:
			out.WriteString(l + " ")
		}
	}
	return out.String()
}

// TestCommandDocsRawShapes compares the raw replies' structure with the reference's in
// RESP2 and RESP3 (maps, sets for flags and history, integers for key_spec_index), for
// every command both servers have; containers are left out, as the order of their
// subcommands is unspecified (the subcommands are asked for by themselves).
func TestCommandDocsRawShapes(t *testing.T) {
	refAddr := referenceAddr(t)
	srv := startServer(t)
	names, err := newClient(t, srv.Addr(), 2).Do(ctx, "COMMAND", "LIST").StringSlice()
	require.NoError(t, err)
	for _, proto := range []string{"2", "3"} {
		ref, ours := dialRaw(t, refAddr), dialRaw(t, srv.Addr())
		ref.Do(t, "HELLO", proto)
		ours.Do(t, "HELLO", proto)
		for _, name := range names {
			if newerThanRedis70[name] {
				continue
			}
			want := ref.Do(t, "COMMAND", "DOCS", name)
			if strings.Contains(want, "subcommands") {
				continue
			}
			assert.Equal(t, replySkeleton(want), replySkeleton(ours.Do(t, "COMMAND", "DOCS", name)), "RESP%s COMMAND DOCS %s", proto, name)
		}
	}
}

// fields turns a docs map, a flat RESP2 array or a RESP3 map, into a Go map.
func fields(t *testing.T, v any, proto int) map[string]any {
	t.Helper()
	out := map[string]any{}
	if proto == 3 {
		m, ok := v.(map[any]any)
		require.True(t, ok, "RESP3 gives a map, not %T", v)
		for k, v := range m {
			out[k.(string)] = v
		}
		return out
	}
	flat, ok := v.([]any)
	require.True(t, ok, "RESP2 gives a flat array, not %T", v)
	for i := 0; i+1 < len(flat); i += 2 {
		out[flat[i].(string)] = flat[i+1]
	}
	return out
}

// TestCommandDocsGoRedis reads COMMAND DOCS with go-redis in both protocols.
func TestCommandDocsGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, _ *cinnabartest.Server, rdb *redis.Client) {
		proto := rdb.Options().Protocol
		reply, err := rdb.Do(ctx, "COMMAND", "DOCS", "set", "getset", "config", "nosuch").Result()
		require.NoError(t, err)
		all := fields(t, reply, proto)
		require.Len(t, all, 3)

		set := fields(t, all["set"], proto)
		assert.Equal(t, "1.0.0", set["since"])
		assert.Equal(t, "string", set["group"])
		assert.NotEmpty(t, set["summary"])
		assert.Equal(t, "O(1)", set["complexity"])
		var versions []any
		for _, h := range set["history"].([]any) {
			versions = append(versions, h.([]any)[0])
		}
		assert.Equal(t, []any{"2.6.12", "6.0.0", "6.2.0", "7.0.0"}, versions)
		args := set["arguments"].([]any)
		require.Len(t, args, 5)
		key := fields(t, args[0], proto)
		assert.Equal(t, map[string]any{"name": "key", "type": "key", "key_spec_index": int64(0)}, key)
		cond := fields(t, args[2], proto)
		assert.Equal(t, "condition", cond["name"])
		assert.Equal(t, "oneof", cond["type"])
		assert.Equal(t, "2.6.12", cond["since"])
		assert.Equal(t, []any{"optional"}, cond["flags"])
		nx := fields(t, cond["arguments"].([]any)[0], proto)
		assert.Equal(t, map[string]any{"name": "nx", "type": "pure-token", "token": "NX"}, nx)
		expiry := fields(t, args[4], proto)
		ex := fields(t, expiry["arguments"].([]any)[0], proto)
		assert.Equal(t, map[string]any{"name": "seconds", "type": "integer", "token": "EX", "since": "2.6.12"}, ex)

		getset := fields(t, all["getset"], proto)
		assert.Equal(t, []any{"deprecated"}, getset["doc_flags"])
		assert.Equal(t, "6.2.0", getset["deprecated_since"])
		assert.Equal(t, "`SET` with the `!GET` argument", getset["replaced_by"])

		config := fields(t, all["config"], proto)
		assert.Equal(t, "server", config["group"])
		assert.NotContains(t, config, "arguments")
		subs := fields(t, config["subcommands"], proto)
		require.Contains(t, subs, "config|get")
		get := fields(t, subs["config|get"], proto)
		param := fields(t, get["arguments"].([]any)[0], proto)
		assert.Equal(t, "block", param["type"])
		assert.Equal(t, []any{"multiple"}, param["flags"])

		// Without names, every command.
		reply, err = rdb.Do(ctx, "COMMAND", "DOCS").Result()
		require.NoError(t, err)
		count, err := rdb.Do(ctx, "COMMAND", "COUNT").Int()
		require.NoError(t, err)
		assert.Len(t, fields(t, reply, proto), count)
	})
}
