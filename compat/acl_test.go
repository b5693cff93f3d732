package compat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// dropReferenceUsers deletes the users a differential test created on the shared
// reference server, so that ACL LIST stays the same for the tests after it.
func dropReferenceUsers(t *testing.T, names ...string) {
	t.Cleanup(func() {
		ref := dialRaw(t, referenceAddr(t))
		ref.Do(t, append([]string{"ACL", "DELUSER"}, names...)...)
		ref.Do(t, "ACL", "LOG", "RESET")
	})
}

func TestACLUsersDifferential(t *testing.T) {
	dropReferenceUsers(t, "alice", "bob", "carol", "dave", "erin")
	diffScript(t, `
		ACL SETUSER alice on >p1 ~k* &ch -@all +get (+hget\s~h*) (+set\s~s*)
		ACL GETUSER alice
		ACL SETUSER bob +@all -@dangerous %R~r* %W~w* %RW~b*
		ACL GETUSER bob
		ACL SETUSER carol -@all +config|get allkeys allchannels nopass
		ACL GETUSER carol
		ACL SETUSER erin -@all +select|0
		ACL GETUSER erin
		ACL SETUSER dave on >a >b <a #0000000000000000000000000000000000000000000000000000000000000000 ( +get ~z ) (~y +set)
		ACL GETUSER dave
		ACL SETUSER dave reset
		ACL GETUSER dave
		ACL SETUSER dave +@all -config +config|get -@hash
		ACL GETUSER dave
		ACL LIST
		ACL USERS
		ACL GETUSER default
		ACL GETUSER nosuch
		ACL SETUSER alice foo
		ACL SETUSER alice +nosuch
		ACL SETUSER alice +config|nosuch
		ACL SETUSER alice -select|0
		ACL SETUSER alice ~* ~foo
		ACL SETUSER alice &* &foo
		ACL SETUSER alice <nope
		ACL SETUSER alice #abc
		ACL SETUSER alice %X~b
		ACL SETUSER alice %RWR~a
		ACL SETUSER alice %~a
		ACL SETUSER alice +get|
		ACL SETUSER alice +get|x|y
		ACL SETUSER alice +config|get|x
		ACL SETUSER alice +config|
		ACL SETUSER alice +
		ACL SETUSER alice +@
		ACL SETUSER "a\sb" on
		ACL SETUSER alice (+get
		ACL SETUSER alice (+get\sfoo)
		ACL GETUSER alice
		ACL DELUSER default
		ACL CAT
		ACL CAT nosuch
		sort ACL CAT hash
		sort ACL CAT pubsub
		ACL DRYRUN alice get k1
		ACL DRYRUN alice get z
		ACL DRYRUN alice hget h1 f
		ACL DRYRUN alice hget z f
		ACL DRYRUN alice publish chx m
		ACL DRYRUN alice hget k
		ACL DRYRUN nosuch get k
		ACL DRYRUN alice nosuch
		ACL GENPASS 0
		ACL GENPASS 5000
		ACL WHOAMI
		ACL LOG nope
		ACL SAVE
		ACL LOAD
		ACL HELP
		ACL DELUSER alice bob carol dave erin nosuch
		ACL LIST
	`)
}

func TestACLEnforcementDifferential(t *testing.T) {
	dropReferenceUsers(t, "t1", "nm")
	diffScript(t, `
		ACL SETUSER t1 on >p ~k* &ch* -@all +get +set +publish +subscribe +psubscribe +multi +exec +eval (+lpush\s~l*)
		AUTH t1 p
		ACL WHOAMI
		GET k1
		GET z
		SET z v
		HGET k1 f
		LPUSH l1 x
		LPUSH k1 x
		PUBLISH chx m
		PUBLISH zz m
		CONFIG GET maxmemory
		AUTH t1 wrong
		AUTH nouser x
		EVAL return\sredis.call('get','k1') 0
		EVAL return\sredis.pcall('get','z') 0
		EVAL return\sredis.pcall('hget','k1','f') 0
		EVAL return\sredis.pcall('publish','zz','m') 0
		EVAL return\sredis.call('hget','k1','f') 0
		MULTI
		GET k1
		GET z
		EXEC
		MULTI
		SET k1 v
		EXEC
		AUTH default anything
		ACL SETUSER nm on >p ~* &* +@all -shutdown -watch -acl
		AUTH nm p
		MULTI
		WATCH x
		SHUTDOWN
		ACL WHOAMI
		DISCARD
		SHUTDOWN
		AUTH default anything
		ACL DELUSER t1 nm
	`)
}

func TestACLAuthDifferential(t *testing.T) {
	dropReferenceUsers(t, "u")
	diffScript(t, `
		AUTH x
		AUTH a b c
		ACL SETUSER u on >pw +@all ~*
		AUTH u pw
		ACL WHOAMI
		ACL SETUSER u off
		AUTH u pw
		ACL SETUSER u on nopass
		AUTH u whatever
		ACL SETUSER default >secret
		AUTH default secret
		AUTH secret
		ACL SETUSER default nopass
		AUTH default x
		ACL DELUSER u
	`)
}

// aclLog returns ACL LOG's entries without the fields that differ between servers
// (client-info, age-seconds).
func aclLog(t *testing.T, rdb *redis.Client) []map[string]any {
	t.Helper()
	entries, err := rdb.Do(ctx, "ACL", "LOG").Slice()
	require.NoError(t, err)
	var out []map[string]any
	for _, e := range entries {
		m := map[string]any{}
		switch e := e.(type) {
		case []any:
			for i := 0; i+1 < len(e); i += 2 {
				m[e[i].(string)] = e[i+1]
			}
		case map[any]any:
			for k, v := range e {
				m[k.(string)] = v
			}
		}
		require.Contains(t, m["client-info"], "id=")
		require.Contains(t, m, "age-seconds")
		delete(m, "client-info")
		delete(m, "age-seconds")
		out = append(out, m)
	}
	return out
}

func TestACLLogMatchesReference(t *testing.T) {
	dropReferenceUsers(t, "lg")
	run := func(addr string) []map[string]any {
		admin := newClient(t, addr, 2)
		require.NoError(t, admin.Do(ctx, "ACL", "LOG", "RESET").Err())
		require.NoError(t, admin.Do(ctx, "ACL", "SETUSER", "lg", "on", ">p", "~k*", "&c*", "-@all", "+get", "+publish", "+eval", "+multi", "+discard").Err())
		raw := dialRaw(t, addr)
		for _, cmd := range [][]string{
			{"AUTH", "lg", "bad"}, {"auth", "nouser", "x"}, {"HELLO", "2", "AUTH", "lg", "bad"},
			{"AUTH", "lg", "p"}, {"GET", "z"}, {"GET", "z"}, {"SET", "k", "v"}, {"PUBLISH", "x", "m"},
			{"EVAL", "return redis.pcall('get', 'y')", "0"},
			{"MULTI"}, {"GET", "m"}, {"DISCARD"},
		} {
			raw.Do(t, cmd...)
		}
		log := aclLog(t, admin)
		entries, err := admin.Do(ctx, "ACL", "LOG", "2").Slice()
		require.NoError(t, err)
		require.Len(t, entries, 2)
		require.Equal(t, "OK", admin.Do(ctx, "ACL", "LOG", "RESET").Val())
		require.Empty(t, aclLog(t, admin))
		require.NoError(t, admin.Do(ctx, "ACL", "DELUSER", "lg").Err())
		return log
	}
	want := run(referenceAddr(t))
	got := run(startServer(t).Addr())
	require.Equal(t, want, got)
	require.Len(t, got, 8)
	require.Equal(t, "multi", got[0]["context"])
	require.Equal(t, "lua", got[1]["context"])
	require.Equal(t, int64(2), got[4]["count"], "equal denials share an entry")
}

func TestACLGoRedisLogin(t *testing.T) {
	for _, proto := range []int{2, 3} {
		srv := startServer(t)
		admin := newClient(t, srv.Addr(), proto)
		require.NoError(t, admin.Do(ctx, "ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@all", "-flushall").Err())
		// RESP3 logs in with HELLO 3 AUTH, RESP2 with AUTH user pass.
		app := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, Username: "app", Password: "pw", MaxRetries: -1})
		defer app.Close()
		require.Equal(t, "app", app.Do(ctx, "ACL", "WHOAMI").Val())
		require.NoError(t, app.Set(ctx, "app:1", "v", 0).Err())
		require.EqualError(t, app.Set(ctx, "other", "v", 0).Err(), "NOPERM this user has no permissions to access one of the keys used as arguments")
		require.EqualError(t, app.FlushAll(ctx).Err(), "NOPERM this user has no permissions to run the 'flushall' command")
		require.Contains(t, app.ClientInfo(ctx).Val().User, "app")
		require.Contains(t, admin.ClientList(ctx).Val(), "user=app")

		bad := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, Username: "app", Password: "nope", MaxRetries: -1})
		defer bad.Close()
		require.ErrorContains(t, bad.Ping(ctx).Err(), "WRONGPASS invalid username-password pair or user is disabled.")

		getUser, err := admin.Do(ctx, "ACL", "GETUSER", "app").Result()
		require.NoError(t, err)
		if proto == 3 {
			m := getUser.(map[any]any)
			require.Equal(t, []any{"on"}, m["flags"])
			require.Equal(t, "+@all -flushall", m["commands"])
			require.Equal(t, "~app:*", m["keys"])
		} else {
			require.Equal(t, "flags", getUser.([]any)[0])
		}
	}
}

func TestACLRequirepassIsDefaultPassword(t *testing.T) {
	srv := startServer(t, cinnabartest.WithPassword("first"))
	raw := dialRaw(t, srv.Addr())
	require.Equal(t, "-NOAUTH Authentication required.\r\n", raw.Do(t, "ACL", "WHOAMI"))
	require.Equal(t, "+OK\r\n", raw.Do(t, "AUTH", "default", "first"))
	require.Equal(t, "+OK\r\n", raw.Do(t, "CONFIG", "SET", "requirepass", "second"))
	require.Equal(t, "*1\r\n$64\r\n16367aacb67a4a017c8da8ab95682ccb390863780f7114dda0a0e0c55644c7c4\r\n", passwordsOf(t, raw, "default"))
	other := dialRaw(t, srv.Addr())
	require.Equal(t, "-WRONGPASS invalid username-password pair or user is disabled.\r\n", other.Do(t, "AUTH", "first"))
	require.Equal(t, "+OK\r\n", other.Do(t, "AUTH", "second"))
	// ACL SETUSER changes the user, not the setting; an empty requirepass means nopass.
	require.Equal(t, "+OK\r\n", raw.Do(t, "ACL", "SETUSER", "default", ">third"))
	require.Equal(t, "*2\r\n$11\r\nrequirepass\r\n$6\r\nsecond\r\n", raw.Do(t, "CONFIG", "GET", "requirepass"))
	require.Equal(t, "+OK\r\n", raw.Do(t, "CONFIG", "SET", "requirepass", ""))
	require.Equal(t, "*0\r\n", passwordsOf(t, raw, "default"))
	fresh := dialRaw(t, srv.Addr())
	require.Equal(t, "$7\r\ndefault\r\n", fresh.Do(t, "ACL", "WHOAMI"))
}

// passwordsOf returns the raw passwords field of ACL GETUSER.
func passwordsOf(t *testing.T, raw *rawConn, user string) string {
	_, items := splitReplyItems(raw.Do(t, "ACL", "GETUSER", user))
	require.Equal(t, "$9\r\npasswords\r\n", items[2])
	return items[3]
}

func TestACLDisconnects(t *testing.T) {
	srv := startServer(t)
	admin := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", admin.Do(t, "ACL", "SETUSER", "v", "on", ">p", "+@all", "~*", "&news*"))
	login := func() *rawConn {
		c := dialRaw(t, srv.Addr())
		require.Equal(t, "+OK\r\n", c.Do(t, "AUTH", "v", "p"))
		return c
	}
	closed := func(c *rawConn) bool {
		c.Send(t, encodeCommand([]string{"PING"}))
		_ = c.c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err := c.r.ReadString('\n')
		return err != nil
	}
	// Turning the user off or changing its passwords leaves its clients connected.
	a := login()
	require.Equal(t, "+OK\r\n", admin.Do(t, "ACL", "SETUSER", "v", "off", "resetpass", ">q"))
	require.False(t, closed(a))
	require.Equal(t, "+OK\r\n", admin.Do(t, "ACL", "SETUSER", "v", "on", ">p"))

	// A subscriber loses its connection with the permission of its channel.
	sub := login()
	require.Equal(t, "*3\r\n$9\r\nsubscribe\r\n$5\r\nnews1\r\n:1\r\n", sub.Do(t, "SUBSCRIBE", "news1"))
	keep := login()
	require.Equal(t, "+OK\r\n", admin.Do(t, "ACL", "SETUSER", "v", "resetchannels", "&other"))
	require.True(t, closed(sub))
	require.False(t, closed(keep))

	// CLIENT KILL USER, and ACL DELUSER.
	b := login()
	require.Equal(t, "-ERR No such user 'nosuch'\r\n", admin.Do(t, "CLIENT", "KILL", "USER", "nosuch"))
	require.Equal(t, ":3\r\n", admin.Do(t, "CLIENT", "KILL", "USER", "v")) // a, keep and b
	require.True(t, closed(b))
	c := login()
	require.Equal(t, ":1\r\n", admin.Do(t, "ACL", "DELUSER", "v"))
	require.True(t, closed(c))
	require.False(t, closed(admin))
}

func TestACLSaveLoad(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users.acl")
	require.NoError(t, os.WriteFile(file, []byte("user bob on >pw ~b* +get\n"), 0o644))
	srv := startServer(t, cinnabartest.WithConfig("aclfile", file))
	admin := dialRaw(t, srv.Addr())
	bobLine := "user bob on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~b* resetchannels -@all +get"
	require.Equal(t, "*2\r\n$106\r\n"+bobLine+"\r\n$34\r\nuser default on nopass ~* &* +@all\r\n", admin.Do(t, "ACL", "LIST"))

	require.Equal(t, "+OK\r\n", admin.Do(t, "ACL", "SETUSER", "alice", "on", ">a", "+set"))
	require.Equal(t, "+OK\r\n", admin.Do(t, "ACL", "SAVE"))
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, "user alice on #ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb resetchannels -@all +set\n"+
		bobLine+"\nuser default on nopass ~* &* +@all\n", string(data))

	// LOAD replaces the users and disconnects the clients of the replaced ones; a
	// faulty file changes nothing.
	bob := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", bob.Do(t, "AUTH", "bob", "pw"))
	require.NoError(t, os.WriteFile(file, []byte("user carol on nopass +@all ~*\n"), 0o644))
	require.Equal(t, "+OK\r\n", admin.Do(t, "ACL", "SETUSER", "default", ">x"))
	require.Equal(t, "+OK\r\n", admin.Do(t, "ACL", "LOAD"))
	// A file without the default user resets it, as Redis 7.0 does.
	require.Equal(t, "*2\r\n$43\r\nuser carol on nopass ~* resetchannels +@all\r\n$34\r\nuser default on nopass ~* &* +@all\r\n", admin.Do(t, "ACL", "LIST"))
	bob.Send(t, encodeCommand([]string{"PING"}))
	_, err = bob.r.ReadString('\n')
	require.Error(t, err)
	require.NoError(t, os.WriteFile(file, []byte("user dave on +nosuch\nfoo bar\n"), 0o644))
	require.Equal(t, "-ERR "+file+":1: Error in applying operation '+nosuch': Unknown command or category name in ACL. "+
		file+":2 should start with user keyword followed by the username. "+
		"WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n", admin.Do(t, "ACL", "LOAD"))
	require.Equal(t, "*2\r\n$5\r\ncarol\r\n$7\r\ndefault\r\n", admin.Do(t, "ACL", "USERS"))
}

func TestACLUserDirectives(t *testing.T) {
	srv := startServer(t, cinnabartest.WithConfig("user", "alice", "on", ">pw", "~*", "+@read"))
	raw := dialRaw(t, srv.Addr())
	require.Equal(t, "+OK\r\n", raw.Do(t, "AUTH", "alice", "pw"))
	require.Equal(t, "$-1\r\n", raw.Do(t, "GET", "k"))
	require.Equal(t, "-NOPERM this user has no permissions to run the 'set' command\r\n", raw.Do(t, "SET", "k", "v"))

	// A directive's arguments keep their quoting (a config file's "pass word" is one
	// argument), as redis.conf's do.
	conf := filepath.Join(t.TempDir(), "redis.conf")
	require.NoError(t, os.WriteFile(conf, []byte("user carol on >\"pass word\" ~* +@all\n"), 0o644))
	quoted := startServer(t, cinnabartest.WithConfig("include", conf))
	require.Equal(t, "+OK\r\n", dialRaw(t, quoted.Addr()).Do(t, "AUTH", "carol", "pass word"))
	// A whole line given as one argument names a user with blanks: refused at start, as
	// redis-server 7.0.15 refuses it.
	_, err := cinnabartest.New(cinnabartest.WithConfig("user", "dave on >pw ~* +@all"))
	require.ErrorContains(t, err, "Spaces not allowed in ACL usernames")

	_, err = cinnabartest.New(cinnabartest.WithConfig("user", "bob", "+nosuch"))
	require.Error(t, err)
	file := filepath.Join(t.TempDir(), "users.acl")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = cinnabartest.New(cinnabartest.WithConfig("user", "bob", "on"), cinnabartest.WithConfig("aclfile", file))
	require.ErrorContains(t, err, "users defined in redis.conf and at the same setting an ACL file")
}

func TestACLGenPass(t *testing.T) {
	raw := dialRaw(t, startServer(t).Addr())
	for bits, chars := range map[string]int{"": 64, "1": 1, "5": 2, "256": 64, "4096": 1024} {
		args := []string{"ACL", "GENPASS"}
		if bits != "" {
			args = append(args, bits)
		}
		reply := raw.Do(t, args...)
		body := strings.Split(reply, "\r\n")[1]
		require.Len(t, body, chars, "GENPASS %s", bits)
		require.Equal(t, strings.Trim(body, "0123456789abcdef"), "")
	}
}

// TestACLExecRechecksDifferential changes a user's rules between MULTI and EXEC from
// another connection: EXEC checks each queued command again, as Redis 7.0 does.
func TestACLExecRechecksDifferential(t *testing.T) {
	dropReferenceUsers(t, "m")
	run := func(addr string) []string {
		admin, user := dialRaw(t, addr), dialRaw(t, addr)
		var out []string
		for _, step := range []struct {
			c    *rawConn
			args string
		}{
			{admin, "ACL SETUSER m on >p +@all ~k* &c*"},
			{user, "AUTH m p"},
			{user, "MULTI"}, {user, "GET k1"}, {user, "PUBLISH c1 v"}, {user, "SET k2 v"}, {user, "SET k3 v"},
			{admin, "ACL SETUSER m -get resetchannels resetkeys ~k2"},
			{user, "EXEC"},
			{user, "GET k2"},
			{admin, "ACL DELUSER m"},
		} {
			out = append(out, step.c.Do(t, strings.Fields(step.args)...))
		}
		return out
	}
	require.Equal(t, run(referenceAddr(t)), run(startServer(t).Addr()))
}

// TestACLKeysDifferential covers key permissions by key-spec flags (read for access,
// write for insert/update/delete, either for neither), SORT's BY and GET, and the
// login paths of HELLO, RESET and a disabled default user.
func TestACLKeysDifferential(t *testing.T) {
	dropReferenceUsers(t, "h", "h2", "h3", "h4")
	diffScript(t, `
		ACL SETUSER h on >pw +@all ~*
		HELLO 2 AUTH h bad
		HELLO 2 AUTH nouser bad
		HELLO 2 AUTH h
		HELLO 4 AUTH h pw
		ACL WHOAMI
		RESET
		ACL WHOAMI
		ACL SETUSER default >pw2
		RESET
		PING
		HELLO 2
		AUTH pw2
		ACL SETUSER default off
		RESET
		PING
		AUTH default pw2
		AUTH h pw
		ACL SETUSER default on nopass
		ACL SETUSER h resetkeys %R~r* %W~w* -@all +get +set +exists +lmove +copy +sort +bitfield +eval
		AUTH h pw
		EXISTS r1 w1
		EXISTS r1 x1
		SET r1 v
		SET w1 v
		SET w1 v GET
		GET r1
		GET w1
		COPY r1 w2
		COPY w1 r2
		LMOVE r1 w2 LEFT RIGHT
		SORT r1
		SORT r1 STORE w2
		SORT r1 STORE r2
		BITFIELD r1 GET u8 0
		BITFIELD r1 SET u8 0 1
		BITFIELD w1 SET u8 0 1
		EVAL return\s1 1 w1
		EVAL return\s1 1 r1
		AUTH default x
		ACL SETUSER h2 on >pw %R~r* -@all +sort +sort_ro
		AUTH h2 pw
		SORT r1 BY nosort
		SORT r1 GET #
		SORT r1 GET x* BY y*
		SORT r1 BY y* GET x*
		SORT_RO r1 BY w*
		AUTH default x
		ACL SETUSER h3 on >pw %R~* -@all +sort
		AUTH h3 pw
		SORT r1 BY w*
		AUTH default x
		ACL SETUSER h4 on >pw ~* -@all +get (%R~* +sort)
		AUTH h4 pw
		SORT r1 BY w*
		AUTH default x
		ACL DELUSER h h2 h3 h4
	`)
}

// TestACLCategoriesMatchReference compares the commands of every ACL category (the
// rows' category bits, which +@category rules use) with the reference's, but for the
// commands Cinnabar lacks or that are newer than Redis 7.0.
func TestACLCategoriesMatchReference(t *testing.T) {
	ref := newClient(t, referenceAddr(t), 2)
	ours := newClient(t, startServer(t).Addr(), 2)
	cats, err := ref.Do(ctx, "ACL", "CAT").StringSlice()
	require.NoError(t, err)
	ourCats, err := ours.Do(ctx, "ACL", "CAT").StringSlice()
	require.NoError(t, err)
	require.Equal(t, cats, ourCats)
	for _, cat := range cats {
		list := func(c *redis.Client) map[string]bool {
			names, err := c.Do(ctx, "ACL", "CAT", cat).StringSlice()
			require.NoError(t, err)
			set := map[string]bool{}
			for _, n := range names {
				top, _, _ := strings.Cut(n, "|")
				if !notYetImplemented[top] && !newerThanRedis70[n] {
					set[n] = true
				}
			}
			return set
		}
		require.Equal(t, list(ref), list(ours), "ACL CAT %s", cat)
	}
}

// TestACLDryRunKeysDifferential checks key permissions command by command with ACL
// DRYRUN: read-only, write-only and read-write patterns against the key-spec flags.
func TestACLDryRunKeysDifferential(t *testing.T) {
	dropReferenceUsers(t, "k")
	var script strings.Builder
	script.WriteString("ACL SETUSER k on +@all %R~r* %W~w* ~b* &c*\n")
	for _, call := range []string{
		"get r1", "get w1", "set w1 v", "set r1 v", "set w1 v GET", "set b1 v GET", "append w1 x", "append b1 x",
		"lmove r1 w1 left right", "lmove b1 w1 left right", "rename w1 w2", "rename b1 w2", "copy r1 w1",
		"copy r1 r2", "del w1", "del r1", "unlink b1 r1", "exists r1 w1", "exists x1", "type w1", "xread streams r1 0",
		"xread streams w1 0", "xreadgroup group g c streams r1 >", "zunionstore w1 2 r1 r2", "zunionstore w1 2 r1 w2",
		"georadius r1 0 0 1 km store w1", "georadius r1 0 0 1 km store r2", "sort r1 store w1", "sort r1 store r2",
		"pfcount r1", "pfcount b1", "pfmerge w1 r1", "pfmerge b1 r1", "bitop and w1 r1 r2", "bitop and b1 r1 w2",
		"eval x 2 r1 w1", "eval x 1 b1", "eval_ro x 1 r1", "migrate h 1 w1 0 0", "migrate h 1 b1 0 0",
		"touch r1", "object encoding r1", "memory usage w1", "getex r1", "getdel b1", "lpos r1 x", "smove r1 w1 x",
		"smove b1 b2 x", "bitfield r1 get u8 0", "bitfield r1 set u8 0 1", "bitfield_ro r1 get u8 0",
		"xadd w1 * a b", "hsetnx w1 f v", "ltrim w1 0 1", "blmpop 0 2 w1 w2 left", "lmpop 2 b1 b2 left",
		"setnx w1 v", "msetnx w1 v r1 v", "xgroup create w1 g $", "xgroup create b1 g $", "xinfo stream r1",
		"sort_ro r1", "publish c1 m", "publish x m", "spublish c1 m", "spublish x m", "ssubscribe c1 x",
		"psubscribe c* x*", "psubscribe c*",
	} {
		script.WriteString("ACL DRYRUN k " + call + "\n")
	}
	script.WriteString("ACL DELUSER k\n")
	diffScript(t, script.String())
}

func TestACLScriptCheckCmdDifferential(t *testing.T) {
	dropReferenceUsers(t, "sc")
	diffScript(t, `
		ACL SETUSER sc on >p ~k* +@all -set -config|set
		AUTH sc p
		EVAL return\sredis.acl_check_cmd('set','k','v') 0
		EVAL return\sredis.acl_check_cmd('get','k') 0
		EVAL return\sredis.acl_check_cmd('get','z') 0
		EVAL return\sredis.acl_check_cmd('nosuch') 0
		EVAL return\sredis.acl_check_cmd('get') 0
		EVAL return\sredis.acl_check_cmd('set') 0
		EVAL return\sredis.acl_check_cmd('config','get','x') 0
		EVAL return\sredis.acl_check_cmd('config','set','x') 0
		EVAL return\sredis.acl_check_cmd('config') 0
		AUTH default x
		ACL DELUSER sc
	`)
}
