package compat

// The counters Redis keeps of what commands do, against the reference: changes since
// the last save (the dirty counter behind the save points), keyspace hits and misses,
// expired and evicted keys, and commands processed.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// counterFields are the INFO fields the counter tests compare.
var counterFields = []string{"rdb_changes_since_last_save", "keyspace_hits", "keyspace_misses",
	"expired_keys", "evicted_keys", "total_commands_processed"}

// counters reads counterFields from INFO (which itself counts as one command processed).
func counters(t *testing.T, raw *rawConn) []int64 {
	t.Helper()
	info := raw.Do(t, "INFO", "everything")
	out := make([]int64, len(counterFields))
	for i, f := range counterFields {
		_, rest, ok := strings.Cut(info, "\n"+f+":")
		require.True(t, ok, "no INFO field %s", f)
		n, err := strconv.ParseInt(rest[:strings.Index(rest, "\r")], 10, 64)
		require.NoError(t, err)
		out[i] = n
	}
	return out
}

// counterDelta describes what changed from prev to cur: "field=delta" for each field
// that moved.
func counterDelta(prev, cur []int64) string {
	var b strings.Builder
	for i := range cur {
		if cur[i] != prev[i] {
			fmt.Fprintf(&b, " %s=%d", counterFields[i], cur[i]-prev[i])
		}
	}
	return b.String()
}

// counterScripts are command scripts (diffScript's syntax) whose every command must move
// the counters as it does on the reference: each family's writes with their element
// counts, its reads of present and missing keys, and lazy expiry on the way.
var counterScripts = []struct{ name, script string }{
	{"strings", `
SET s 1
SET s 1
SET s 2 NX
SET s 3 XX
SET s2 3 XX
SET s 4 GET
SET nos 4 XX GET
SETNX s 1
SETNX s3 1
SETEX s4 100 v
PSETEX s5 100000 v
MSET a 1 b 2 c 3
MSET a 1 a 2
MSETNX a 1 d 2
MSETNX e 1 f 2
INCR a
INCRBY a 5
DECR a
DECRBY a 2
INCRBYFLOAT a 1.5
INCR nokey1
APPEND a x
APPEND nokey2 x
SETRANGE a 0 zz
SETRANGE a 0 ""
SETRANGE nokey3 0 ""
SETRANGE nokey4 2 x
GETSET a 9
GETDEL a
GETDEL a
GETEX b
GETEX b EX 100
GETEX b PERSIST
GETEX nokey
GET b
GET nokey
MGET b c nokey1 nokey9
STRLEN b
STRLEN nokey
GETRANGE b 0 -1
GETRANGE nokey 0 -1
SUBSTR b 0 -1
LCS b c
SETBIT bm 7 1
SETBIT bm 7 1
SETBIT bm 100 0
GETBIT bm 7
GETBIT nokey 7
BITCOUNT bm
BITCOUNT nokey
BITPOS bm 1
BITPOS nokey 1
BITOP AND bd bm nokey
BITOP OR bd2 nokey nokey9
BITFIELD bm SET u8 0 255 INCRBY u8 8 1
BITFIELD bm GET u8 0
BITFIELD_RO bm GET u8 0
BITFIELD nokey GET u8 0
BITFIELD_RO nokey GET u8 0
SET px v PX 100000
GETEX px PX 100000
BITFIELD bm OVERFLOW FAIL INCRBY u2 0 100 SET u8 0 0
BITFIELD bf GET u8 0 INCRBY u8 0 0
BITFIELD nobf OVERFLOW FAIL INCRBY u2 0 100
MSETNX a 1 b 2
SET nos 4 NX GET
SET wrongtype 1
LPUSH lst a
SET lst 4 GET
`},
	{"keys", `
MSET a 1 b 2 c 3 d 4 e 5 s 1 s3 1
SETEX s4 100 v
PSETEX s5 100000 v
DEL a b c nosuch
DEL nosuch
UNLINK d e nosuch
EXISTS s s nokey
TYPE s
TYPE nokey
TTL s4
TTL nokey
PTTL s4
EXPIRETIME s4
PEXPIRETIME s4
EXPIRE s4 200
EXPIRE s4 100 GT
EXPIRE nokey 100
PEXPIRE s4 200000
EXPIREAT s4 99999999999
PEXPIREAT s4 99999999999000
PERSIST s4
PERSIST s4
PERSIST nokey
EXPIRE s5 0
SET ex v
PEXPIRE ex -1
SET ex2 v
EXPIREAT ex2 1
RENAME s s6
RENAME s6 s6
RENAMENX s6 s3
RENAMENX s6 s7
COPY s7 s8
COPY s7 s8
COPY s7 s8 REPLACE
COPY nokey s9
MOVE s8 1
MOVE nokey 1
TOUCH s7 nokey s3
DUMP s7
DUMP nokey
RANDOMKEY
KEYS *
SCAN 0
DBSIZE
OBJECT ENCODING s7
OBJECT ENCODING nokey
OBJECT FREQ s7
OBJECT IDLETIME s7
OBJECT IDLETIME nokey
OBJECT REFCOUNT s7
SORT nokey
RPUSH sl 3 1 2
SORT sl
SORT sl STORE sd
SORT_RO sl
SORT sl BY nokey_* GET s7
SWAPDB 0 1
SWAPDB 0 1
SET r1 1
SET r2 2
RENAME r1 r2
COPY r2 r3 DB 1
MOVE r3 1
UNLINK r2 r3 nosuch
SELECT 1
DEL r2 r3
SELECT 0
MEMORY USAGE s7
MEMORY USAGE nokey
DEBUG OBJECT s7
RPUSH sl2 1
SORT sl2 STORE sd
SORT nol STORE sd
SORT nol STORE sd
`},
	{"lists", `
RPUSH l a b c
LPUSH l x y
RPUSHX l z
RPUSHX nol z
LPUSHX nol z
LINSERT l BEFORE a q
LINSERT l BEFORE nope q
LSET l 0 w
LREM l 0 a
LREM l 0 nope
LTRIM l 0 100
LTRIM l 1 -2
LPOP l
LPOP l 2
RPOP l 2
LPOP nol
RPOP nol 3
LLEN l
LLEN nol
LRANGE l 0 -1
LRANGE nol 0 -1
LINDEX l 0
LINDEX nol 0
LPOS l a
LPOS nol a
RPUSH l2 a b c d
RPOPLPUSH l2 l3
RPOPLPUSH nol l3
LMOVE l2 l3 LEFT RIGHT
LMOVE l2 l2 LEFT RIGHT
LMPOP 2 nol l2 LEFT COUNT 5
LMPOP 1 nol LEFT
BLPOP l3 0
BRPOP l3 nol 0.01
RPUSH l3 a b c d
BLMOVE l3 l4 LEFT LEFT 0
BLMPOP 0.01 1 l4 LEFT COUNT 3
BLPOP nol 0.01
RPUSH l a b c
LPUSHX l a b c
RPUSHX l a b
LINSERT l AFTER a z
LMPOP 2 nol l RIGHT COUNT 100
RPUSH l a b c a a
LREM l 2 a
LREM l 0 a
LTRIM l 5 10
RPUSH one a
LMOVE one one2 LEFT LEFT
RPOP one2
RPUSH one a
BLMPOP 0.01 1 one LEFT COUNT 5
`},
	{"hashes", `
HSET h f1 v1 f2 v2
HSET h f1 v1 f3 v3
HSETNX h f1 x
HSETNX h f9 x
HMSET h f1 a f4 b
HINCRBY h n 1
HINCRBYFLOAT h n 1.5
HDEL h f1 f2 nope
HDEL h nope
HDEL noh f
HGET h f3
HGET h nope
HGET noh f
HMGET h f3 nope
HMGET noh f
HGETALL h
HGETALL noh
HKEYS h
HVALS h
HLEN h
HLEN noh
HEXISTS h f3
HEXISTS noh f3
HSTRLEN h f3
HRANDFIELD h
HRANDFIELD noh
HSCAN h 0
HSCAN noh 0
HSET h2 a 1 b 2 c 3
HDEL h2 a b c
HSET h2 a 1
HMSET h2 a 1 a 2
HINCRBY h3 n 1
HINCRBYFLOAT h3 n 1
`},
	{"sets", `
SADD st a b c
SADD st a d
SADD st a
SREM st a nope
SREM st nope
SREM nost a
SMOVE st st2 b
SMOVE st st2 nope
SPOP st
SPOP st 5
SPOP nost
SADD st a b c d e
SRANDMEMBER st
SRANDMEMBER nost
SMEMBERS st
SMEMBERS nost
SISMEMBER st a
SISMEMBER nost a
SMISMEMBER st a z
SCARD st
SCARD nost
SINTER st st2 nost
SINTERCARD 2 st st2
SUNION st st2 nost
SDIFF st st2 nost
SINTERSTORE sd st st2
SINTERSTORE sd st nost
SUNIONSTORE sd st st2
SDIFFSTORE sd st st2
SDIFFSTORE sd nost st
SSCAN st 0
SADD st3 a b c d e f
SPOP st3 2
SPOP nost 2
SRANDMEMBER st3 2
SRANDMEMBER nost 2
SPOP st3 10
SADD one a
SMOVE one two a
SADD one a
SADD two a
SMOVE one two a
SMOVE two two a
`},
	{"zsets", `
ZADD z 1 a 2 b 3 c
ZADD z 1 a 5 b 4 d
ZADD z CH 1 a 6 b 4 e
ZADD z INCR 1 a
ZADD z NX 9 a 9 f
ZADD z XX 9 a 9 g
ZADD z GT 1 a
ZINCRBY z 1 c
ZINCRBY z2 1 c
ZREM z a nope
ZREM z nope
ZREM noz a
ZREMRANGEBYRANK z 0 0
ZREMRANGEBYSCORE z 0 4
ZREMRANGEBYLEX z - +
ZADD z 1 a 2 b 3 c
ZREMRANGEBYSCORE z 100 200
ZPOPMIN z
ZPOPMAX z 5
ZPOPMIN noz
ZADD z 1 a 2 b 3 c
ZMPOP 1 z MIN COUNT 2
BZPOPMIN z 0.01
BZPOPMAX noz 0.01
ZADD z 1 a 2 b 3 c
BZMPOP 0.01 1 z MAX
ZSCORE z a
ZSCORE noz a
ZMSCORE z a x
ZRANK z a
ZREVRANK noz a
ZCARD z
ZCARD noz
ZCOUNT z 0 10
ZLEXCOUNT z - +
ZRANGE z 0 -1
ZRANGE noz 0 -1
ZRANGEBYSCORE z 0 10
ZREVRANGE z 0 -1
ZRANGEBYLEX z - +
ZRANGESTORE zd z 0 -1
ZRANGESTORE zd noz 0 -1
ZUNIONSTORE zu 2 z noz
ZINTERSTORE zi 2 z noz
ZDIFFSTORE zf 2 z noz
ZUNION 2 z noz
ZINTER 2 z noz
ZDIFF 2 z noz
ZINTERCARD 2 z noz
ZRANDMEMBER z
ZSCAN z 0
ZPOPMIN noz 2
ZADD z3 1 a 2 b
ZPOPMIN z3 5
ZADD z3 INCR 1 a
ZADD z3 CH NX 1 a 3 b
ZADD z3 XX CH 5 a 6 b
ZADD z3 XX 5 a 6 b
ZADD z3 LT 1 a 7 b
ZADD z4 NX 1 a
ZUNIONSTORE zu 2 z3 noz
ZINTERSTORE zu 2 z3 noz
ZINTERSTORE zu 2 z3 noz
`},
	{"hll", `
PFADD p a b c
PFADD p a
PFADD p
PFADD p2
PFCOUNT p
PFCOUNT p nop
PFCOUNT nop
PFMERGE p3 p nop
PFMERGE p3
PFADD p4 a
PFADD p4 a b c d e f
PFMERGE p4 p4
`},
	{"geo", `
GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
GEOADD g 13.361389 38.115556 Palermo
GEODIST g Palermo Catania
GEOPOS g Palermo
GEOHASH noz Palermo
GEOSEARCH g FROMLONLAT 15 37 BYRADIUS 200 km
GEOSEARCHSTORE gs g FROMLONLAT 15 37 BYRADIUS 200 km
GEORADIUS g 15 37 200 km
GEORADIUS g 15 37 200 km STORE gs2
GEORADIUSBYMEMBER g Palermo 200 km
GEOADD g2 CH 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
GEOADD g2 CH 13.361389 38.115556 Palermo 15.087269 37.1 Catania
GEOADD g2 XX 13.361389 38.115556 Palermo 15.087269 37.2 Catania
GEOADD g2 NX 13.361389 38.2 Palermo
GEOSEARCHSTORE gs3 g2 FROMLONLAT 15 37 BYRADIUS 1 km
GEOSEARCHSTORE gs3 g2 FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
GEOSEARCHSTORE gs3 g2 FROMLONLAT 15 37 BYRADIUS 1 km
GEOSEARCHSTORE gs3 nog FROMLONLAT 15 37 BYRADIUS 1 km
`},
	{"streams", `
XADD x 1-1 f v
XADD x 1-2 f v g w
XADD x MAXLEN 1 1-3 f v
XADD nox NOMKSTREAM * f v
XLEN x
XLEN nox
XRANGE x - +
XRANGE nox - +
XREVRANGE x + -
XREAD STREAMS x 0
XREAD STREAMS x nox 0 0
XREAD COUNT 1 STREAMS x x x 0 0 0
XGROUP CREATE x g 0
XGROUP CREATE nox g 0 MKSTREAM
XGROUP CREATECONSUMER x g c1
XGROUP SETID x g 0
XREADGROUP GROUP g c1 STREAMS x >
XREADGROUP GROUP g c1 STREAMS x 0
XPENDING x g
XACK x g 1-3
XACK x g 1-3
XADD x 1-4 f v
XREADGROUP GROUP g c2 STREAMS x >
XCLAIM x g c1 0 1-4
XAUTOCLAIM x g c1 0 0
XINFO STREAM x
XINFO GROUPS x
XINFO CONSUMERS x g
XGROUP DELCONSUMER x g c2
XGROUP DESTROY x g
XDEL x 1-4 1-9
XTRIM x MAXLEN 0
XSETID x 5-0
XADD y 1-1 f v
XADD y 1-2 f v
XADD y 1-3 f v
XADD y 1-4 f v
XDEL y 1-1 1-2 1-9
XTRIM y MAXLEN 0
XADD y 1-5 f v
XADD y 1-6 f v
XADD y MAXLEN 1 1-7 f v
XGROUP CREATE y g 0
XREADGROUP GROUP g c STREAMS y >
XREADGROUP GROUP nog c STREAMS y >
XREADGROUP GROUP g c STREAMS nox >
XREAD STREAMS y $
XREAD STREAMS nokey $
XREAD STREAMS y nox 0 bad
SET s v
XREAD STREAMS s 0
XREADGROUP GROUP g c2 STREAMS y 0
XCLAIM y g c3 0 1-7 1-8
XAUTOCLAIM y g c4 0 0 COUNT 10
XGROUP CREATECONSUMER y g c5
XGROUP CREATECONSUMER y g c5
XGROUP DELCONSUMER y g c4
XGROUP DELCONSUMER y g nope
XGROUP SETID y g $
XGROUP DESTROY y nope
XACK y g 1-7 1-8
XADD z 1-1 f v
XADD z 1-2 f v
XADD z 1-3 f v
XGROUP CREATE z g 0
XREADGROUP GROUP g c STREAMS z >
XDEL z 1-1 1-2
XAUTOCLAIM z g c2 0 0
XCLAIM z g c2 0 1-1 1-3 JUSTID
XCLAIM z g c3 0 1-3 LASTID 5-0
XCLAIM z g c3 0 1-9 LASTID 6-0
XADD z 1-4 f v
XREADGROUP GROUP g c STREAMS z >
XDEL z 1-4
XCLAIM z g c 0 1-4 1-3
XADD w 1-1 f v
XADD w 1-2 f v
XADD w 1-3 f v
XGROUP CREATE w g 0
XREADGROUP GROUP g c STREAMS w >
XACK w g 1-1 1-2 1-9
XGROUP DELCONSUMER w g c
XGROUP CREATECONSUMER w g c
XGROUP DESTROY w g
XACK z g 1-1 1-2 1-3
DEL a a
`},
	{"server", `
DEBUG POPULATE 10
DEBUG POPULATE 12
SET dk v
DUMP dk
FLUSHDB
SET a 1
SET b 2
FLUSHALL
FLUSHALL
FLUSHDB
SELECT 1
SET z 1
SELECT 0
SWAPDB 0 1
SWAPDB 0 1
FLUSHALL
`},
	{"transactions and scripts", `
MULTI
SET a 1
INCR a
GET nokey
EXEC
MULTI
GET a
DISCARD
MULTI
SADD st a b c
NOSUCHCOMMAND
EXEC
EVAL redis.call('set','x','1')\sredis.call('incr','x')\sredis.call('rpush','l','a','b','c')\sreturn\sredis.call('get','x') 0
EVAL return\sredis.call('get','nokey') 0
EVAL return\sredis.call('lpop','l',5) 0
EVAL return\sredis.call('nosuchcommand') 0
EVAL return\sredis.pcall('get','a','b') 0
EVAL return\sredis.pcall('lpush','x','a') 0
WATCH a
SET a 2
MULTI
INCR a
EXEC
NOSUCHCOMMAND
GET
GET a b
LPUSH x a
SET a 1 EX 0
`},
	{"ranges, stores and missing keys", `
INCRBYFLOAT nf 1.5
SETRANGE sr 0 abc
SETRANGE sr 1 x
SET gx v
GETEX gx PXAT 1
GETEX nokey PX 100
GETRANGE nokey 0 1
LCS nokey nokey2
LCS gx nokey
EXPIRE nokey NX 10
SET ek v
EXPIRE ek 100 NX
EXPIRE ek 100 NX
EXPIRE ek 200 XX
BITOP NOT bn nokey
SET bs abc
BITOP NOT bn bs
BITOP XOR bn bs bs nokey
BITPOS bs 1 1 2
BITOP AND bs nokey nokey2
LPUSH ls a
RPOPLPUSH ls ls
LMOVE ls ls2 LEFT RIGHT
SADD ss a
SMOVE ss ss2 a
ZADD zs 1 a
ZREM zs a
HSET hs a 1
HINCRBY hs a 1
HDEL hs a
RPUSH sl 3 1 2
HSET h_1 f 1
HSET h_2 f 2
SORT sl BY h_*->f GET h_*->f GET #
SORT sl LIMIT 0 1 STORE sd
SORT_RO nokey
LPOS nokey a
LSET sl 0 9
LINDEX sl 5
LRANGE sl 5 10
SADD s1 a b
SADD s2 c
SINTERSTORE s3 s1 s2
SUNIONSTORE s3 s1 s2
SINTERSTORE s3 s1 s2
SDIFFSTORE s4 nokey s1
SINTERCARD 2 nokey s1
SMISMEMBER nokey a b
SRANDMEMBER s1 -5
HRANDFIELD h_1 2
HRANDFIELD h_1 -3 WITHVALUES
HRANDFIELD nokey 2
HMGET h_1 f f f
ZADD z 1 a 2 b 3 c
ZRANDMEMBER z 2
ZRANDMEMBER nokey 2
ZRANGESTORE zd z 0 10 BYSCORE
ZRANGESTORE zd z 10 20 BYSCORE
ZRANGESTORE zd z 10 20 BYSCORE
ZINTERCARD 1 z
ZMSCORE nokey a
ZRANGEBYSCORE nokey 0 1
ZREVRANGEBYLEX z + -
ZUNIONSTORE zu 2 z z WEIGHTS 1 2
ZDIFFSTORE zu 1 nokey
GEOADD g 13.361389 38.115556 Palermo
GEOPOS nokey a
GEODIST nokey a b
GEORADIUS_RO g 15 37 200 km
GEORADIUSBYMEMBER g Palermo 200 km STORE gs
GEORADIUSBYMEMBER_RO g Palermo 200 km
GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km
XADD x 1-1 f v
XADD x 1-2 f v
XRANGE nokey - +
XREVRANGE nokey + -
XPENDING nokey g
XINFO STREAM nokey
XGROUP CREATE x g 0
XPENDING x g - + 10
XCLAIM nokey g c 0 1-1
XAUTOCLAIM nokey g c 0 0
XGROUP CREATE nokey2 g 0
XSETID x 10-0
XINFO STREAM x FULL
XREADGROUP GROUP g c NOACK STREAMS x >
XREADGROUP GROUP g c COUNT 1 STREAMS x x 0 0
XREAD COUNT 1 STREAMS nokey x 0 0
XLEN nokey
XDEL nokey 1-1
XTRIM nokey MAXLEN 0
RESTORE nokey 0 bad
PFADD h1 a b
PFMERGE h3 h1 nokey
PFCOUNT h1 h1
APPEND nokey3 ""
SETBIT nokey4 0 0
SET wt v
LPUSH wt x
GET sl
HGET wt f
`},
	{"expiry", `
DEBUG SET-ACTIVE-EXPIRE 0
SET k v PX 1
SET k2 v PX 1
RPUSH kl a b c
PEXPIRE kl 1
DEBUG SLEEP 0.01
GET k
EXISTS k2
LLEN kl
SET k v PX 1
DEBUG SLEEP 0.01
SET k v2
SET k v PX 1
DEBUG SLEEP 0.01
EXPIRE k 10
SET k v PX 1
DEBUG SLEEP 0.01
DEL k
SET k v PX 1
DEBUG SLEEP 0.01
DBSIZE
KEYS *
SET k v PX 1
DEBUG SLEEP 0.01
SCAN 0
SET k v PX 1
SET k2 v
SET k3 v PX 1
RPUSH kl a
DEBUG SLEEP 0.01
SCAN 0 MATCH k2*
SCAN 0 TYPE string
SCAN 0 COUNT 100
SET k v PX 1
DEBUG SLEEP 0.01
SCAN 0 MATCH k* TYPE list
DEL k2 kl
SET k v PX 1
DEBUG SLEEP 0.01
RANDOMKEY
SET k v PX 1
DEBUG SLEEP 0.01
OBJECT ENCODING k
SET a 1 PXAT 1
SET a 1
SET a 2 PXAT 1 GET
SET nx 1 PXAT 1 NX
GET a
EXISTS nx
DEBUG SET-ACTIVE-EXPIRE 1
`},
}

// TestCountersMatchReference runs each script on Cinnabar and on the reference from
// empty and requires every command to move the counters by the same amounts.
func TestCountersMatchReference(t *testing.T) {
	refAddr := referenceAddr(t)
	srv := startServer(t, debugOn...)
	for _, sc := range counterScripts {
		t.Run(sc.name, func(t *testing.T) {
			var cmds [][]string
			for _, line := range strings.Split(sc.script, "\n") {
				if args := scriptArgs(line); args != nil {
					cmds = append(cmds, args)
				}
			}
			diffCounters(t, refAddr, srv.Addr(), cmds)
		})
	}
}

// TestRestoreCountersMatchReference: RESTORE, whose payload a script line cannot carry.
func TestRestoreCountersMatchReference(t *testing.T) {
	refAddr := referenceAddr(t)
	srv := startServer(t)
	ref := dialRaw(t, refAddr)
	ref.Do(t, "SET", "k", "v")
	raw := ref.Do(t, "DUMP", "k")
	_, rest, _ := strings.Cut(raw, "\r\n")
	payload := strings.TrimSuffix(rest, "\r\n")
	diffCounters(t, refAddr, srv.Addr(), [][]string{
		{"RESTORE", "r", "0", payload},
		{"RESTORE", "r", "0", payload, "REPLACE"},
		{"RESTORE", "r", "1", payload, "REPLACE", "ABSTTL"},
		{"RESTORE", "r", "1", payload, "ABSTTL"},
		{"RESTORE", "r", "0", payload, "IDLETIME", "10"},
	})
}

// diffCounters runs cmds on the reference and on Cinnabar, each from empty, and
// requires every command to move the counters by the same amounts. Commands between
// MULTI and EXEC (or DISCARD) are measured together with the EXEC.
func diffCounters(t *testing.T, refAddr, addr string, cmds [][]string) {
	t.Helper()
	var deltas [2][]string
	for i, addr := range []string{refAddr, addr} {
		raw := dialRaw(t, addr)
		raw.Do(t, "FLUSHALL")
		prev, inMulti := counters(t, raw), false
		for _, args := range cmds {
			raw.Do(t, args...)
			switch strings.ToUpper(args[0]) {
			case "MULTI":
				inMulti = true
			case "EXEC", "DISCARD":
				inMulti = false
			}
			if inMulti {
				continue
			}
			cur := counters(t, raw)
			deltas[i] = append(deltas[i], strconv.Quote(strings.Join(args, " "))+counterDelta(prev, cur))
			prev = cur
		}
	}
	require.Equal(t, strings.Join(deltas[0], "\n"), strings.Join(deltas[1], "\n"))
}

// TestBlockedCountersMatchReference: what a blocking command counts when it blocks (the
// command processed, its misses), and when a write to its key serves it (Redis counts
// no change for BLPOP's or BLMOVE's pop then, but the elements of BLMPOP's and
// BZMPOP's).
func TestBlockedCountersMatchReference(t *testing.T) {
	refAddr := referenceAddr(t)
	srv := startServer(t)
	cases := []struct{ block, write string }{
		{"BLPOP bl 0", "RPUSH bl a b c"},
		{"BRPOP nol bl 0", "LPUSH bl a"},
		{"BLMOVE bl bd LEFT LEFT 0", "RPUSH bl a b c"},
		{"BRPOPLPUSH bl bd 0", "RPUSH bl a b c"},
		{"BLMPOP 0 1 bl LEFT COUNT 5", "RPUSH bl a b c"},
		{"BZPOPMIN bz 0", "ZADD bz 1 a 2 b 3 c"},
		{"BZMPOP 0 1 bz MIN COUNT 5", "ZADD bz 1 a 2 b 3 c"},
		{"XREAD BLOCK 0 STREAMS bx $", "XADD bx 1-1 f v"},
		{"XREADGROUP GROUP g c BLOCK 0 STREAMS gx >", "XADD gx 1-1 f v"},
	}
	for _, tc := range cases {
		var deltas [2]string
		for i, addr := range []string{refAddr, srv.Addr()} {
			blocked, other := dialRaw(t, addr), dialRaw(t, addr)
			other.Do(t, "FLUSHALL")
			other.Do(t, "XGROUP", "CREATE", "gx", "g", "$", "MKSTREAM")
			start := counters(t, other)
			blocked.Send(t, encodeCommand(strings.Fields(tc.block)))
			var polls int64 // INFO clients until the command blocked: commands processed too
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
				polls++
				if strings.Contains(other.Do(t, "INFO", "clients"), "blocked_clients:1\r") {
					break
				}
				require.True(t, time.Now().Before(deadline), "%s did not block", tc.block)
			}
			before := counters(t, other)
			before[len(before)-1] -= polls // total_commands_processed, less the polls
			other.Do(t, strings.Fields(tc.write)...)
			blocked.Read(t)
			after := counters(t, other)
			after[len(after)-1] -= polls
			deltas[i] = "blocking:" + counterDelta(start, before) + "; served:" + counterDelta(before, after)
		}
		require.Equal(t, deltas[0], deltas[1], tc.block)
	}
}
