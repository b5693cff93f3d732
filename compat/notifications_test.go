package compat

import (
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// The notification tests run a command script on connection 1 while connection 9,
// subscribed to every keyspace notification (PSUBSCRIBE __key*__:*), records what it
// receives: "9@ PING" drains it up to the reply of its PING. That reply is the end
// marker (in place of a sentinel PUBLISH): connection 1 waited for the reply of each
// command, whose notifications were queued for connection 9 before it, so they all
// precede the PING reply. Only the active expiry cycle, which runs on its own, is
// waited for ("9% expired"). The sequence, channels and payloads must match the
// reference server's exactly.

// notifyScript enables flags, subscribes connection 9 and runs script.
func notifyScript(flags, script string) string {
	return `
		1 CONFIG SET notify-keyspace-events ` + flags + `
		9! PSUBSCRIBE __key*__:*
	` + script + `
		9@ PING
	`
}

// everyClassScript touches every class of event once or more; each command is followed
// by a drain so a mismatch points at its command.
var everyClassScript = `
	1 SET s v
	9@ PING
	1 SET s v2 EX 100
	9@ PING
	1 APPEND s x
	9@ PING
	1 INCR n
	9@ PING
	1 DECR n
	9@ PING
	1 DEL s n
	9@ PING
	1 GET missing
	9@ PING
	1 RPUSH l a b
	9@ PING
	1 LPOP l
	9@ PING
	1 HSET h f v
	9@ PING
	1 HDEL h f
	9@ PING
	1 SADD st m
	9@ PING
	1 SREM st m
	9@ PING
	1 SET e v
	1 EXPIRE e 100
	9@ PING
	1 PERSIST e
	9@ PING
	1 RENAME e e2
	9@ PING
	1 SET gone v PX 1
	sleep 5
	1 GET gone
	9@ PING
	1 SET gone2 v PX 1
	sleep 5
	1 SET gone2 again
	9@ PING
	1 SET x 1
	1 MOVE x 1
	9@ PING
	1 COPY e2 e3
	9@ PING
	1 SELECT 2
	1 SET indb2 v
	1 SELECT 0
	9@ PING
	1 FLUSHDB
	9@ PING
`

func TestNotificationsClasses(t *testing.T) {
	for _, flags := range []string{
		"KEA", "KA", "EA", "Kg", "Eg", "K$", "E$", "Kl", "El", "Ks", "Es", "Kh", "Eh",
		"Kx", "Ex", "Ke", "Kz", "Kt", "Kd", "KEn", "KEm", "KEAnm", "Kgx", "A", "K", "E", "g$",
	} {
		t.Run(flags, func(t *testing.T) { mcDiff(t, notifyScript(flags, everyClassScript)) })
	}
}

func TestNotificationsDifferential(t *testing.T) {
	t.Run("strings", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			1 SET k v
			1 SET k v EX 100
			1 SET k v KEEPTTL
			1 SET k v PX 100000 GET
			1 SET k v NX
			1 SET nokey v XX
			1 SET k v2 XX
			1 SET k v EXAT 99999999999
			9@ PING
			1 SETRANGE k 1 xyz
			1 SETRANGE k 1 ""
			1 SETRANGE missing 0 ""
			1 SETRANGE missing2 2 ab
			1 APPEND k zz
			1 APPEND new zz
			1 APPEND new ""
			9@ PING
			1 SETNX k x
			1 SETNX nx v
			1 GETSET k v2
			1 MSET m1 1 m2 2
			1 MSETNX m1 x z 1
			1 MSETNX z1 1 z2 2
			1 SETEX se 10 v
			1 PSETEX pe 10000 v
			9@ PING
			1 GETDEL se
			1 GETDEL se
			1 GETEX m1 EX 100
			1 GETEX m1 PERSIST
			1 GETEX m1
			1 GETEX m1 PX 0
			1 GETEX m2 EXAT 1
			9@ PING
			1 INCR n
			1 INCRBY n 5
			1 DECR n
			1 DECRBY n 2
			1 INCRBY n 0
			1 INCRBYFLOAT n 1.5
			1 INCR k
			1 INCRBYFLOAT k 1
			9@ PING
			1 SETBIT b 1 1
			1 SETBIT b 1 1
			1 BITFIELD bf SET u8 0 255
			1 BITOP AND dest b b
			1 BITOP AND dest none1 none2
			9@ PING
		`))
	})

	t.Run("keys", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			1 MSET a 1 b 2 c 3 d 4
			9@ PING
			1 DEL a nokey b
			1 UNLINK c
			9@ PING
			1 SET a 1
			1 RENAME a b
			1 SET c 3
			1 RENAME b c
			1 RENAME c c
			1 RENAMENX c d
			1 RENAMENX c e
			9@ PING
			1 EXPIRE e 100
			1 PEXPIRE e 100000
			1 EXPIREAT e 99999999999
			1 PEXPIREAT e 99999999999000
			1 EXPIRE e 100 NX
			1 EXPIRE e 200 GT
			1 EXPIRE e 10 GT
			1 PERSIST e
			1 PERSIST e
			1 EXPIRE e 0
			1 SET f 1
			1 PEXPIRE f -5
			1 SET g 1
			1 EXPIREAT g 1
			9@ PING
			1 SET m 1
			1 MOVE m 1
			1 MOVE m 1
			1 SET cp 1
			1 COPY cp cp2
			1 COPY cp cp2
			1 COPY cp cp2 REPLACE
			1 COPY cp cp3 DB 2
			1 SWAPDB 0 1
			1 SWAPDB 0 1
			9@ PING
			1 SELECT 3
			1 SET k3 v
			1 DEL k3
			1 SELECT 0
			1 FLUSHDB
			1 SET z 1
			1 FLUSHALL
			9@ PING
		`))
	})

	t.Run("lists", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			1 LPUSH l a b c
			1 RPUSH l d
			1 LPUSHX l e
			1 RPUSHX l f
			1 LPUSHX nol e
			1 RPUSHX nol f
			9@ PING
			1 LPOP l
			1 RPOP l
			1 LPOP l 2
			1 RPOP nol
			1 LINSERT l BEFORE c x
			1 LINSERT l BEFORE nothing x
			1 LSET l 0 y
			1 LREM l 1 y
			1 LREM l 1 nothing
			1 LTRIM l 0 -1
			1 LTRIM l 0 0
			1 RPOP l 5
			9@ PING
			1 RPUSH src 1 2 3
			1 LMOVE src dst LEFT RIGHT
			1 RPOPLPUSH src dst
			1 LMOVE src src LEFT RIGHT
			1 LMOVE src dst RIGHT LEFT
			1 LMOVE src dst RIGHT LEFT
			9@ PING
			1 RPUSH m1 1 2
			1 LMPOP 2 none m1 LEFT COUNT 5
			1 RPUSH q 1 2
			1 BLPOP q 0
			1 BRPOP q 0
			1 RPUSH q 1
			1 BLMOVE q q2 LEFT LEFT 0
			1 BLMPOP 0 1 q2 RIGHT
			9@ PING
			1 RPUSH t a b c
			1 LTRIM t 5 10
			9@ PING
		`))
	})

	// A pop served to a blocked client notifies as the client's own pop would.
	t.Run("blocked clients served", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			2> BLPOP q 0
			sleep 50
			1 RPUSH q a b
			2<
			9@ PING
			2> BLMOVE src dst RIGHT LEFT 0
			sleep 50
			1 LPUSH src x
			2<
			9@ PING
			2> BRPOP one 0
			sleep 50
			1 MULTI
			1 RPUSH one a
			1 RPUSH one b
			1 EXEC
			2<
			9@ PING
		`))
	})

	t.Run("hashes", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			1 HSET h a 1 b 2
			1 HSET h a 1
			1 HSETNX h a 1
			1 HSETNX h c 3
			1 HMSET h d 4
			1 HINCRBY h n 5
			1 HINCRBYFLOAT h f 1.5
			1 HDEL h nothing
			1 HDEL h a b
			1 HDEL h c d n f
			9@ PING
		`))
	})

	t.Run("sets", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			1 SADD s a b c
			1 SADD s a
			1 SREM s nothing
			1 SREM s a b
			1 SPOP s 0
			1 SPOP s
			1 SADD s x y
			1~ SPOP s 5
			9@ PING
			1 SADD s1 1 2 3
			1 SADD s2 2 3 4
			1 SINTERSTORE i s1 s2
			1 SUNIONSTORE u s1 s2
			1 SDIFFSTORE d s1 s2
			1 SINTERSTORE i none s1
			1 SINTERSTORE nothing none s1
			1 SMOVE s1 s2 1
			1 SMOVE s1 s2 nothing
			1 SMOVE s1 s1 2
			1 SADD one x
			1 SMOVE one s2 x
			9@ PING
		`))
	})

	t.Run("transaction", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			1 MULTI
			1 SET a 1
			1 LPUSH l x
			1 INCR a
			1 DEL a
			1 RPOP l
			1 EXEC
			9@ PING
		`))
	})

	// A key that expires and is then looked up or overwritten reports "expired" first.
	// The active cycle is off on both, so the lookups are what delete the keys.
	t.Run("lazy expiry", func(t *testing.T) {
		mcDiff(t, notifyScript("KEA", `
			1 DEBUG SET-ACTIVE-EXPIRE 0
			1 SET a v PX 1
			1 SET b v PX 1
			1 SET c v PX 1
			1 RPUSH d x
			1 PEXPIRE d 1
			sleep 5
			1 GET a
			1 SET b new
			1 INCR c
			1 RPUSH d y
			9@ PING
		`), cinnabartest.WithConfig("enable-debug-command", "yes"))
	})

	t.Run("active expiry", func(t *testing.T) {
		mcDiff(t, notifyScript("KEx", `
			1 SET k v PX 10
			9% expired
			1 SELECT 4
			1 SET k4 v PX 10
			9% __keyevent@4__:expired
		`))
	})

	t.Run("new keys", func(t *testing.T) {
		mcDiff(t, notifyScript("KEn", `
			1 SET a 1
			1 SET a 2
			1 LPUSH l x
			1 LPUSH l y
			1 SADD s x
			1 HSET h f v
			1 APPEND ap x
			1 INCR i
			1 SETRANGE sr 1 x
			1 RENAME a b
			1 COPY b c
			1 MOVE c 1
			1 SINTERSTORE dst s s
			1 RPOPLPUSH l l2
			1 SET x v PX 1
			sleep 5
			1 SET x v2
			9@ PING
		`))
	})

	t.Run("new keys with every class", func(t *testing.T) {
		mcDiff(t, notifyScript("KEAn", `
			1 SET a 1
			1 LPUSH l x
			1 RENAME a b
			1 COPY b c
			1 MOVE c 1
			9@ PING
		`))
	})

	// Read commands report a miss for each missing key they look up; writes do not.
	// Each command is followed by a drain, so a mismatch names its command.
	t.Run("key misses", func(t *testing.T) {
		var script strings.Builder
		for _, cmd := range []string{
			"GET nokey", "MGET a b", "STRLEN nokey", "GETRANGE nokey 0 1", "EXISTS nokey", "TYPE nokey",
			"TTL nokey", "PTTL nokey", "EXPIRETIME nokey", "OBJECT ENCODING nokey", "OBJECT FREQ nokey",
			"LRANGE nokey 0 -1", "LLEN nokey", "LINDEX nokey 0", "LPOS nokey a", "HGET nokey f", "HGETALL nokey",
			"HLEN nokey", "HEXISTS nokey f", "SMEMBERS nokey", "SISMEMBER nokey m", "SCARD nokey",
			"SINTER nokey", "SINTERCARD 1 nokey", "GETBIT nokey 1", "BITCOUNT nokey", "BITPOS nokey 1",
			"DEL nokey", "SET x 1 XX", "LPOP nokey", "INCR counter", "APPEND ap x", "SETRANGE nokey 0 \"\"",
			"GETDEL nokey", "GETEX nokey", "EXPIRE nokey 10", "RENAME nokey other", "COPY nokey other",
			"SUNIONSTORE d nokey", "SINTERSTORE d nokey", "SDIFFSTORE d nokey", "SUNION nokey nokey2",
			"SDIFF nokey", "BITOP OR d nokey", "LCS nokey nokey2", "TOUCH nokey", "HMGET nokey f",
			"HSTRLEN nokey f", "HRANDFIELD nokey", "SRANDMEMBER nokey", "SMISMEMBER nokey a", "HKEYS nokey",
			"HVALS nokey", "SSCAN nokey 0", "HSCAN nokey 0", "BITFIELD_RO nokey GET u8 0", "SUBSTR nokey 0 1",
			"LMOVE nokey dst LEFT LEFT", "SMOVE nokey dst m", "HDEL nokey f", "LMPOP 1 nokey LEFT",
			"BLPOP nokey 0.01", "GETSET nokey v", "DEL nokey", "PERSIST nokey", "MOVE nokey 1", "RENAMENX nokey x",
		} {
			script.WriteString("1 " + cmd + "\n9@ PING\n")
		}
		mcDiff(t, notifyScript("KEm", script.String()))
	})

	t.Run("exact channel subscribers", func(t *testing.T) {
		mcDiff(t, `
			1 CONFIG SET notify-keyspace-events KEA
			9! SUBSCRIBE __keyevent@0__:set __keyspace@0__:k
			1 SET k v
			1 SET other v
			1 DEL k
			9@ PING
		`)
	})

	t.Run("RESP3 subscriber", func(t *testing.T) {
		mcDiff(t, `
			1 CONFIG SET notify-keyspace-events KEA
			9- HELLO 3
			9! PSUBSCRIBE __key*__:*
			1 SET k v
			1 LPUSH l a
			1 DEL k l
			9@ PING
		`)
	})

	// A subscriber's own commands notify it too, before their replies.
	t.Run("notifications from the subscriber's own commands in RESP3", func(t *testing.T) {
		mcDiff(t, `
			9- HELLO 3
			9 CONFIG SET notify-keyspace-events KEA
			9! PSUBSCRIBE __key*__:*
			9@ SET k v
			9@ GET missing
			9@ DEL k
		`)
	})

	t.Run("CONFIG", func(t *testing.T) {
		t.Cleanup(func() { mcReset(t, referenceAddr(t)) })
		var script strings.Builder
		for _, flags := range []string{"KEA", "AKE", "gK", "KEA$", "Kx", "KEAnm", "KEAmnt", "A", "Kt", "Kd", "Em",
			"KEg$lshzxetdmn", "K", "$", `""`, "kea", "KEX", "KEA!"} {
			script.WriteString("CONFIG SET notify-keyspace-events " + flags + "\nCONFIG GET notify-keyspace-events\n")
		}
		diffScript(t, script.String())
	})
}
