package compat

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// zMode says how a sorted-set differential step compares replies.
type zMode uint8

const (
	zExact   zMode = iota
	zSorted        // unordered elements
	zPairs         // unordered [member, score] pairs, flat (RESP2) or nested (RESP3)
	zShape         // random reply: compare the type and length only
	zScanAll       // "ZSCAN key 0 ...": run the scan to the end, compare the pairs seen
)

var zPrefixes = []struct {
	p string
	m zMode
}{{"sort ", zSorted}, {"pairs ", zPairs}, {"shape ", zShape}, {"scan ", zScanAll}}

// zNormalize rewrites a raw reply so that replies equal under mode compare equal.
func zNormalize(raw string, mode zMode) string {
	switch mode {
	case zSorted:
		return sortedReply(raw)
	case zShape:
		header, _, _ := strings.Cut(raw, "\r\n")
		switch {
		case raw != "" && raw[0] == '-':
			return raw
		case raw != "" && raw[0] == '$' && header != "$-1":
			return "$" // a random member: its length varies
		}
		return header
	case zPairs:
		header, items := splitReplyItems(raw)
		if items == nil {
			return raw
		}
		var pairs []string
		if len(items) > 0 && strings.HasPrefix(items[0], "*2\r\n") {
			pairs = items
		} else {
			for i := 0; i+1 < len(items); i += 2 {
				pairs = append(pairs, items[i]+items[i+1])
			}
		}
		sort.Strings(pairs)
		return header + strings.Join(pairs, "")
	}
	return raw
}

// zServer is one side of a differential run: a command connection and a subscriber
// that records keyspace events.
type zServer struct {
	cmd, sub *rawConn
}

func zDialPair(t *testing.T, addr string, proto int) *zServer {
	s := &zServer{cmd: dialRaw(t, addr), sub: dialRaw(t, addr)}
	if proto == 3 {
		s.cmd.Do(t, "HELLO", "3")
	}
	s.sub.Do(t, "PSUBSCRIBE", "__keyevent@*__:*")
	s.sub.Do(t, "SUBSCRIBE", "zsentinel")
	return s
}

// events returns the keyspace events received up to the sentinel message.
func (s *zServer) events(t *testing.T) string {
	var events []string
	for {
		_, items := splitReplyItems(s.sub.Read(t))
		if len(items) == 3 { // the sentinel's "message"
			break
		}
		events = append(events, strings.ReplaceAll(items[2]+items[3], "\r\n", " "))
	}
	return strings.Join(events, "| ")
}

// scanAll runs "ZSCAN key cursor ..." from cursor 0 until it returns 0 and replies with
// the sorted, de-duplicated pairs seen (or the first error).
func (s *zServer) scanAll(t *testing.T, args []string) string {
	seen := map[string]bool{}
	for cursor := "0"; ; {
		args[2] = cursor
		raw := s.cmd.Do(t, args...)
		header, items := splitReplyItems(raw)
		if items == nil || header != "*2\r\n" {
			return raw
		}
		_, elems := splitReplyItems(items[1])
		for i := 0; i+1 < len(elems); i += 2 {
			seen[elems[i]+elems[i+1]] = true
		}
		cursor = strings.Split(items[0], "\r\n")[1]
		if cursor == "0" {
			break
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, "")
}

type zDiffer struct {
	ref, ours *zServer
	proto     int
	multi     bool // inside MULTI: events come with EXEC
}

// exchange sends a command to both servers, then reads both replies.
func (d *zDiffer) exchange(t *testing.T, args []string) (string, string) {
	t.Helper()
	d.ref.cmd.Send(t, encodeCommand(args))
	d.ours.cmd.Send(t, encodeCommand(args))
	return d.ref.cmd.Read(t), d.ours.cmd.Read(t)
}

func newZDiffer(t *testing.T, proto int) *zDiffer {
	t.Helper()
	addr := referenceAddr(t)
	srv := startServer(t, cinnabartest.WithConfig("notify-keyspace-events", "KEA"))
	admin := dialRaw(t, addr)
	admin.Do(t, "FLUSHALL")
	admin.Do(t, "CONFIG", "SET", "notify-keyspace-events", "KEA")
	t.Cleanup(func() {
		ref := dialRaw(t, addr)
		ref.Do(t, "CONFIG", "SET", "notify-keyspace-events", "", "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64")
	})
	return &zDiffer{ref: zDialPair(t, addr, proto), ours: zDialPair(t, srv.Addr(), proto), proto: proto}
}

func (d *zDiffer) step(t *testing.T, args []string, mode zMode, what string) {
	t.Helper()
	var want, got, wantEv, gotEv string
	if mode == zScanAll {
		want, got = d.ref.scanAll(t, slices.Clone(args)), d.ours.scanAll(t, slices.Clone(args))
	} else {
		want, got = d.exchange(t, args)
	}
	switch strings.ToUpper(args[0]) {
	case "MULTI":
		d.multi = true
	case "EXEC", "DISCARD":
		d.multi = false
	}
	if !d.multi {
		d.exchange(t, []string{"PUBLISH", "zsentinel", "x"})
		wantEv, gotEv = d.ref.events(t), d.ours.events(t)
	}
	if zNormalize(want, mode) != zNormalize(got, mode) || wantEv != gotEv {
		for _, k := range []string{"za", "zb", "zc", "zl"} {
			dump := []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}
			t.Logf("%s: reference %q %q", k, d.ref.cmd.Do(t, dump...), d.ref.cmd.Do(t, "OBJECT", "ENCODING", k))
			t.Logf("%s: ours      %q %q", k, d.ours.cmd.Do(t, dump...), d.ours.cmd.Do(t, "OBJECT", "ENCODING", k))
		}
	}
	require.Equal(t, zNormalize(want, mode), zNormalize(got, mode), "RESP%d %s", d.proto, what)
	require.Equal(t, wantEv, gotEv, "RESP%d events of %s", d.proto, what)
}

// zDiffScript is diffScript in either protocol, also comparing keyspace events, with
// the comparison modes of zPrefixes.
func zDiffScript(t *testing.T, proto int, script string) {
	t.Helper()
	d := newZDiffer(t, proto)
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		mode := zExact
		for _, p := range zPrefixes {
			if rest, ok := strings.CutPrefix(line, p.p); ok {
				line, mode = rest, p.m
			}
		}
		var args []string
		for _, a := range strings.Fields(line) {
			if a == `""` {
				a = ""
			}
			args = append(args, strings.ReplaceAll(a, `\s`, " "))
		}
		d.step(t, args, mode, "command: "+line)
	}
}

const zsetScript = `
	# ZADD: flags, errors, replies
	ZADD z 1 a 2 b 3.5 c
	ZADD z 1 a
	ZADD z CH 1 a 5 b
	ZADD z NX 10 a 10 d
	ZADD z XX 11 a 11 e
	ZADD z XX CH 12 a 12 f
	ZADD z GT 1 a
	ZADD z GT CH 100 a
	ZADD z LT CH 50 a 0 new
	ZADD z LT 60 a
	ZADD z GT LT 1 a
	ZADD z NX GT 1 a
	ZADD z NX LT 1 a
	ZADD z NX XX 1 a
	ZADD z INCR 1 a 2 b
	ZADD z INCR 5 a
	ZADD z INCR -5 a
	ZADD z NX INCR 5 a
	ZADD z XX INCR 5 nosuch
	ZADD z GT INCR -1 a
	ZADD z LT INCR -1 a
	ZADD z GT INCR 0 a
	ZADD z 1
	ZADD z 1 a 2
	ZADD z
	ZADD z x a
	ZADD z nan a
	ZADD z 1e400 a
	ZADD z 1e-400 a
	ZADD z \s1 a
	ZADD z "" a
	ZADD z 1_0 a
	ZADD z 0x10 hex
	ZADD z inf pinf -inf ninf +inf pinf2 -Infinity ninf2
	ZADD z .5 dot 5. dot2 1e3 exp -0 negzero
	ZRANGE z 0 -1 WITHSCORES
	ZADD z INCR inf pinf
	ZADD z INCR -inf pinf
	ZINCRBY z -inf pinf
	ZSCORE z pinf
	ZADD z 0.1 tenth 1e-310 denorm 123456789012345678 big 1.5e300 huge
	ZSCORE z tenth
	ZSCORE z denorm
	ZSCORE z big
	ZSCORE z huge
	ZSCORE z negzero
	ZADD z 0 negzero
	ZSCORE z negzero
	ZADD z xx 1 a
	ZADD z XX
	ZADD z CH CH 1 a
	ZADD newkey XX 1 a
	EXISTS newkey
	ZADD newkey XX INCR 1 a
	EXISTS newkey
	ZADD newkey NX INCR 1 a
	ZADD newkey GT 5 b
	ZRANGE newkey 0 -1 WITHSCORES
	SET str x
	ZADD str 1 a
	ZADD str x a
	ZADD str NX XX 1 a
	ZINCRBY str 1 a
	ZINCRBY z x a
	ZINCRBY z 1.5 a
	ZINCRBY z 1 fresh
	ZINCRBY fresh 2.5 m
	ZINCRBY z 1e-400 a
	ZINCRBY z 0x10 a

	# ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK
	ZREM z a nosuch a
	ZREM z nosuch
	ZREM nokey a
	ZREM str a
	ZCARD z
	ZCARD nokey
	ZCARD str
	ZSCORE z a
	ZSCORE z b
	ZSCORE nokey a
	ZSCORE str a
	ZMSCORE z b c nosuch
	ZMSCORE nokey a b
	ZMSCORE str a
	ZRANK z b
	ZRANK z nosuch
	ZRANK nokey b
	ZREVRANK z b
	ZREVRANK z ninf
	ZRANK z ninf
	ZRANK str a
	ZREM newkey a b
	EXISTS newkey

	# ZCOUNT / ZLEXCOUNT and range parsing
	DEL z
	ZADD z 1 a 2 b 3 c 4 d 5 e
	ZCOUNT z -inf +inf
	ZCOUNT z 2 4
	ZCOUNT z (2 4
	ZCOUNT z 2 (4
	ZCOUNT z (2 (4
	ZCOUNT z 4 2
	ZCOUNT z (3 3
	ZCOUNT z 3 3
	ZCOUNT z "" 1
	ZCOUNT z \s1 2
	ZCOUNT z 1e400 inf
	ZCOUNT z -1e400 1e400
	ZCOUNT z ( 2
	ZCOUNT z (1 (
	ZCOUNT z 0x1 3
	ZCOUNT z 1\s 3
	ZCOUNT z nan 3
	ZCOUNT z 1 -nan
	ZCOUNT z x 3
	ZCOUNT z \s 3
	ZCOUNT z infinity -inf
	ZCOUNT z -inf +infinity
	ZCOUNT z -INF +Inf
	ZCOUNT nokey 0 1
	ZCOUNT nokey x 1
	ZCOUNT str 0 1
	DEL l
	ZADD l 0 a 0 b 0 c 0 d 0 e 0 f
	ZLEXCOUNT l - +
	ZLEXCOUNT l + -
	ZLEXCOUNT l [b [d
	ZLEXCOUNT l (b (d
	ZLEXCOUNT l [b (d
	ZLEXCOUNT l [bb +
	ZLEXCOUNT l [d [b
	ZLEXCOUNT l [d (d
	ZLEXCOUNT l [d [d
	ZLEXCOUNT l ( +
	ZLEXCOUNT l [ +
	ZLEXCOUNT l - [
	ZLEXCOUNT l b d
	ZLEXCOUNT l [b d
	ZLEXCOUNT l -- +
	ZLEXCOUNT l - ++
	ZLEXCOUNT l "" +
	ZLEXCOUNT nokey - +
	ZLEXCOUNT nokey x +
	ZLEXCOUNT str - +

	# ZRANGE and the legacy range commands
	ZRANGE z 0 -1
	ZRANGE z 0 -1 WITHSCORES
	ZRANGE z 1 3 WITHSCORES
	ZRANGE z -2 -1
	ZRANGE z -100 100
	ZRANGE z 3 1
	ZRANGE z 5 10
	ZRANGE z -1 -2
	ZRANGE z 0 0
	ZRANGE z 0 -6
	ZRANGE z 0 -5
	ZRANGE z 0 -1 REV
	ZRANGE z 0 1 REV WITHSCORES
	ZRANGE z 0 -1 withscores rev
	ZRANGE z 2 4 BYSCORE
	ZRANGE z (2 +inf BYSCORE WITHSCORES
	ZRANGE z 4 2 BYSCORE REV
	ZRANGE z 2 4 BYSCORE REV
	ZRANGE z +inf -inf BYSCORE REV LIMIT 1 2 WITHSCORES
	ZRANGE z -inf +inf BYSCORE LIMIT 1 2
	ZRANGE z -inf +inf BYSCORE LIMIT 1 -1
	ZRANGE z -inf +inf BYSCORE LIMIT 1 -5
	ZRANGE z -inf +inf BYSCORE LIMIT -1 2
	ZRANGE z -inf +inf BYSCORE LIMIT 1 0
	ZRANGE z -inf +inf BYSCORE LIMIT 5 1
	ZRANGE z -inf +inf BYSCORE LIMIT 4 10
	ZRANGE z -inf +inf BYSCORE LIMIT 0 1 LIMIT 2 1
	ZRANGE z 0 -1 LIMIT 0 1
	ZRANGE z 0 -1 LIMIT 0 -1
	ZRANGE z 0 -1 LIMIT 3 -1
	ZRANGE z 0 -1 LIMIT 0 -2
	ZRANGE z 0 -1 LIMIT 0
	ZRANGE z 0 -1 LIMIT x 1
	ZRANGE z (1 3 BYSCORE LIMIT 1 x
	ZRANGE z a b BYLEX WITHSCORES
	ZRANGE z 0 -1 REV REV
	ZRANGE z 0 -1 BYLEX BYSCORE
	ZRANGE z 0 -1 BYSCORE BYSCORE
	ZRANGE z 0 -1 FOO
	ZRANGE z x 3
	ZRANGE z 0 x
	ZRANGE z 0 -1 BYSCORE x
	ZRANGE z x 1 BYSCORE
	ZRANGE z x 1 BYLEX
	ZRANGE z x 1 BYLEX LIMIT 0 x
	ZRANGE nokey 0 -1
	ZRANGE nokey x 1
	ZRANGE nokey x 1 BYSCORE
	ZRANGE str 0 -1
	ZRANGE l - + BYLEX
	ZRANGE l [b (e BYLEX
	ZRANGE l + - BYLEX REV
	ZRANGE l (e [b BYLEX REV LIMIT 1 1
	ZRANGE l - + BYLEX LIMIT 2 3
	ZRANGE l - + BYLEX LIMIT 2 -1
	ZRANGEBYSCORE z 2 4
	ZRANGEBYSCORE z 2 4 WITHSCORES
	ZRANGEBYSCORE z -inf +inf LIMIT 1 2 WITHSCORES
	ZRANGEBYSCORE z -inf +inf LIMIT -1 2
	ZRANGEBYSCORE z 0 10 REV
	ZRANGEBYSCORE z 0 10 BYSCORE
	ZRANGEBYSCORE z 0 10 BYLEX
	ZRANGEBYSCORE z x 10
	ZRANGEBYSCORE z 0 10 LIMIT 1
	ZREVRANGEBYSCORE z 4 2
	ZREVRANGEBYSCORE z 2 4
	ZREVRANGEBYSCORE z +inf -inf LIMIT 1 1 WITHSCORES
	ZREVRANGEBYSCORE z (4 (1 WITHSCORES
	ZREVRANGEBYSCORE z 0 10 REV
	ZRANGEBYLEX l - +
	ZRANGEBYLEX l [c +
	ZRANGEBYLEX l - + LIMIT 1 2
	ZRANGEBYLEX l - + WITHSCORES
	ZRANGEBYLEX l x +
	ZRANGEBYLEX l - + REV
	ZREVRANGEBYLEX l + -
	ZREVRANGEBYLEX l [d (a
	ZREVRANGEBYLEX l + - LIMIT 1 2
	ZREVRANGEBYLEX l - +
	ZREVRANGE z 0 -1
	ZREVRANGE z 0 1 WITHSCORES
	ZREVRANGE z 1 -2
	ZREVRANGE z 0 -1 LIMIT 0 1
	ZREVRANGE z 0 -1 REV
	ZREVRANGE z 0 -1 BYSCORE
	ZREVRANGE nokey 0 -1
	ZREVRANGE str 0 -1

	# ZRANGESTORE
	ZRANGESTORE dst z 0 -1
	ZRANGE dst 0 -1 WITHSCORES
	ZRANGESTORE dst z 1 2 REV
	ZRANGE dst 0 -1 WITHSCORES
	ZRANGESTORE dst z (1 4 BYSCORE LIMIT 1 2
	ZRANGE dst 0 -1 WITHSCORES
	ZRANGESTORE dst z 4 1 BYSCORE REV
	ZRANGE dst 0 -1 WITHSCORES
	ZRANGESTORE dst l [b [d BYLEX
	ZRANGE dst 0 -1 WITHSCORES
	ZRANGESTORE dst z 10 20
	EXISTS dst
	ZRANGESTORE dst z 0 -1
	ZRANGESTORE dst nokey 0 -1
	EXISTS dst
	SET dst x
	ZRANGESTORE dst z 0 0
	TYPE dst
	SET dst x
	ZRANGESTORE dst nokey 0 -1
	EXISTS dst
	ZRANGESTORE dst z 0 -1 WITHSCORES
	ZRANGESTORE dst str 0 -1
	ZRANGESTORE dst z 0 -1 LIMIT 0 1
	ZRANGESTORE z z 1 2
	ZRANGE z 0 -1 WITHSCORES
	ZRANGESTORE dst z 0
	SET dst x
	EXPIRE dst 100
	ZRANGESTORE dst z 0 -1
	TTL dst

	# ZREMRANGEBY*
	DEL z
	ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
	ZREMRANGEBYRANK z 0 0
	ZREMRANGEBYRANK z -1 -1
	ZREMRANGEBYRANK z 10 20
	ZREMRANGEBYRANK z 3 1
	ZREMRANGEBYRANK z x 1
	ZRANGE z 0 -1
	ZREMRANGEBYSCORE z (2 3
	ZREMRANGEBYSCORE z 10 20
	ZREMRANGEBYSCORE z x 1
	ZRANGE z 0 -1
	ZREMRANGEBYLEX z [a [z
	ZREMRANGEBYLEX z - +
	EXISTS z
	ZREMRANGEBYLEX z x +
	ZREMRANGEBYRANK nokey 0 -1
	ZREMRANGEBYSCORE nokey 0 1
	ZREMRANGEBYSCORE nokey x 1
	ZREMRANGEBYLEX nokey - +
	ZREMRANGEBYRANK str 0 -1
	ZREMRANGEBYSCORE str 0 1
	ZREMRANGEBYLEX str - +
	ZADD z 1 a 2 b 3 c
	ZREMRANGEBYSCORE z -inf +inf
	EXISTS z
	ZADD z 1 a 2 b 3 c
	ZREMRANGEBYRANK z 0 -1
	EXISTS z

	# Pops
	ZADD z 1 a 2 b 3 c 4 d
	ZPOPMIN z
	ZPOPMAX z
	ZPOPMIN z 0
	ZPOPMIN z -1
	ZPOPMIN z x
	ZPOPMIN z 1 2
	ZPOPMIN z 1
	ZPOPMAX z 5
	EXISTS z
	ZPOPMIN nokey
	ZPOPMIN nokey 2
	ZPOPMAX nokey 0
	ZPOPMIN str
	ZPOPMIN str 0
	ZADD z 1 a 2 b 3 c 4 d
	ZMPOP 1 z MIN
	ZMPOP 1 z max COUNT 2
	ZMPOP 2 nokey z MIN COUNT 10
	ZMPOP 1 nokey MIN
	ZMPOP 2 nokey str MIN
	ZMPOP 2 str nokey MIN
	ZADD z 1 a
	ZMPOP 2 z str MIN
	ZMPOP 1 z MIN COUNT 0
	ZMPOP 1 z MIN COUNT -1
	ZMPOP 1 z MIN COUNT x
	ZMPOP 0 z MIN
	ZMPOP -1 z MIN
	ZMPOP x z MIN
	ZMPOP 2 z MIN
	ZMPOP 1 z FOO
	ZMPOP 1 z MIN COUNT 1 COUNT 2
	ZMPOP 1 z MIN FOO
	ZMPOP 1 z MIN COUNT
	ZMPOP 5 z MIN
	ZADD z 1 a 2 b 3 c
	BZPOPMIN z 0
	BZPOPMAX nokey z 0
	BZPOPMAX nokey z 0
	EXISTS z
	ZADD z 1 a 2 b
	BZPOPMIN str z 0
	BZPOPMIN z str 0
	BZPOPMIN z x
	BZPOPMIN z -1
	BZPOPMIN z inf
	BZMPOP 0 1 z MIN
	ZADD z 1 a 2 b 3 c
	BZMPOP 0 1 z MAX COUNT 5
	ZADD z 1 a 2 b
	BZMPOP 0 2 str z MIN
	BZMPOP 0 2 z str MAX
	BZMPOP x 1 z MIN
	BZMPOP -1 1 z MIN
	BZMPOP 0 0 z MIN
	BZMPOP 0 1 z FOO
	BZMPOP x 1 z FOO
	BZMPOP 0 1 z MIN COUNT 0
	BZMPOP 0 1 z MIN COUNT 1 COUNT 1
	MULTI
	BZPOPMIN nokey 0
	BZMPOP 0 1 nokey MIN
	BZPOPMAX z 0
	EXEC

	# ZRANDMEMBER (shapes only: the picks are random)
	DEL z
	ZADD z 1 a 2 b 3 c
	shape ZRANDMEMBER z
	shape ZRANDMEMBER z 2
	shape ZRANDMEMBER z -5
	shape ZRANDMEMBER z 2 WITHSCORES
	shape ZRANDMEMBER z -5 WITHSCORES
	pairs ZRANDMEMBER z 3 WITHSCORES
	pairs ZRANDMEMBER z 10 WITHSCORES
	sort ZRANDMEMBER z 10
	ZRANDMEMBER z 0
	ZRANDMEMBER z 0 WITHSCORES
	ZRANDMEMBER z x
	ZRANDMEMBER z 1 foo
	ZRANDMEMBER z 1 WITHSCORES foo
	ZRANDMEMBER z -9223372036854775808
	ZRANDMEMBER z -4611686018427387904 WITHSCORES
	ZRANDMEMBER z 9223372036854775807
	ZRANDMEMBER nokey
	ZRANDMEMBER nokey 3
	ZRANDMEMBER nokey 3 WITHSCORES
	ZRANDMEMBER nokey x
	ZRANDMEMBER str
	ZRANDMEMBER str 1

	# ZSCAN
	ZSCAN z 0
	ZSCAN z 0 MATCH a*
	ZSCAN z 0 COUNT 1
	ZSCAN z x
	ZSCAN z -1
	ZSCAN z 0 COUNT 0
	ZSCAN z 0 COUNT x
	ZSCAN z 0 TYPE string
	ZSCAN z 0 MATCH
	ZSCAN nokey 0
	ZSCAN nokey 0 COUNT 0
	ZSCAN nokey x
	ZSCAN str 0
	ZADD f 0.1 a -0 b 1e20 c 1.5 d -inf e
	ZSCAN f 0

	# ZUNION / ZINTER / ZDIFF and STORE forms
	DEL z l
	ZADD z1 1 a 2 b 3 c
	ZADD z2 10 b 20 c 30 d
	SADD s1 a d x
	ZUNION 2 z1 z2
	ZUNION 2 z1 z2 WITHSCORES
	ZUNION 2 z1 z2 WEIGHTS 2 3 WITHSCORES
	ZUNION 2 z1 z2 AGGREGATE MIN WITHSCORES
	ZUNION 2 z1 z2 AGGREGATE max WITHSCORES
	ZUNION 3 z1 z2 s1 WITHSCORES
	ZUNION 3 z1 z2 s1 WEIGHTS 1 1 5 AGGREGATE SUM WITHSCORES
	ZUNION 2 z1 nokey WITHSCORES
	ZUNION 1 nokey
	ZINTER 2 z1 z2 WITHSCORES
	ZINTER 2 z1 z2 AGGREGATE MAX WITHSCORES
	ZINTER 3 z1 z2 s1 WITHSCORES
	ZINTER 2 z1 s1 WEIGHTS 1 0.5 WITHSCORES
	ZINTER 2 z1 nokey WITHSCORES
	ZDIFF 2 z1 z2
	ZDIFF 2 z1 z2 WITHSCORES
	ZDIFF 3 z1 s1 nokey WITHSCORES
	ZDIFF 2 s1 z1 WITHSCORES
	ZDIFF 1 nokey
	ZINTERCARD 2 z1 z2
	ZINTERCARD 2 z1 z2 LIMIT 1
	ZINTERCARD 2 z1 z2 LIMIT 0
	ZINTERCARD 2 z1 s1
	ZINTERCARD 1 nokey
	ZUNIONSTORE dst 2 z1 z2
	ZRANGE dst 0 -1 WITHSCORES
	ZINTERSTORE dst 2 z1 z2 WEIGHTS 1 -1
	ZRANGE dst 0 -1 WITHSCORES
	ZDIFFSTORE dst 2 z1 z2
	ZRANGE dst 0 -1 WITHSCORES
	ZINTERSTORE dst 2 z1 nokey
	EXISTS dst
	ZDIFFSTORE dst 2 z1 z1
	ZUNIONSTORE dst 1 nokey
	SET dst x
	ZUNIONSTORE dst 1 z1
	TYPE dst
	ZUNIONSTORE z1 2 z1 z2
	ZRANGE z1 0 -1 WITHSCORES
	ZADD inf1 inf a -inf b 1 c
	ZADD inf2 -inf a inf b 0 c
	ZUNION 2 inf1 inf2 WITHSCORES
	ZUNION 2 inf1 inf2 WEIGHTS 0 1 WITHSCORES
	ZINTER 2 inf1 inf2 AGGREGATE MIN WITHSCORES
	ZINTER 2 inf1 inf2 WEIGHTS 0 0 WITHSCORES
	ZUNION 0 z1
	ZUNION -1 z1
	ZUNION x z1
	ZUNION 2 z1
	ZUNION 1 z1 WEIGHTS x
	ZUNION 1 z1 WEIGHTS 1 2
	ZUNION 1 z1 WEIGHTS
	ZUNION 1 z1 WEIGHTS nan
	ZUNION 1 z1 AGGREGATE foo
	ZUNION 1 z1 AGGREGATE
	ZUNION 1 z1 FOO
	ZUNION 2 z1 str
	ZUNION 2 str z1 WEIGHTS x
	ZDIFF 1 z1 WEIGHTS 1
	ZDIFF 1 z1 AGGREGATE SUM
	ZDIFFSTORE dst 1 z1 WITHSCORES
	ZUNIONSTORE dst 1 z1 WITHSCORES
	ZUNIONSTORE dst 0 z1
	ZUNIONSTORE dst x z1
	ZUNIONSTORE dst 2 z1
	ZINTERSTORE dst 2 z1 str
	ZINTERCARD 0 z1
	ZINTERCARD x z1
	ZINTERCARD 2 z1
	ZINTERCARD 1 z1 LIMIT -1
	ZINTERCARD 1 z1 LIMIT x
	ZINTERCARD 1 z1 LIMIT
	ZINTERCARD 1 z1 WITHSCORES
	ZINTERCARD 1 z1 WEIGHTS 1
	ZINTERCARD 1 str
	ZINTER 1 z1 WITHSCORES WITHSCORES

	# arity
	ZADD z
	ZINCRBY z 1
	ZCARD
	ZCOUNT z 1
	ZSCORE z
	ZRANGE z 0
	ZRANGESTORE d z 0
	ZPOPMIN
	ZMPOP 1 z
	BZPOPMIN z
	BZMPOP 0 1 z
	ZUNION 1
	ZUNIONSTORE d 1
	ZSCAN z
`

func TestZSetDifferential(t *testing.T) { zDiffScript(t, 2, zsetScript) }

func TestZSetDifferentialRESP3(t *testing.T) { zDiffScript(t, 3, zsetScript) }

// TestZSetEncodingDifferential follows OBJECT ENCODING through conversions, with the
// limits lowered on both servers.
func TestZSetEncodingDifferential(t *testing.T) {
	zDiffScript(t, 2, `
		CONFIG SET zset-max-listpack-entries 4 zset-max-listpack-value 8
		ZADD z 1 a 2 b 3 c 4 d
		OBJECT ENCODING z
		ZADD z 5 e
		OBJECT ENCODING z
		ZREM z a b c d
		OBJECT ENCODING z
		ZRANGE z 0 -1 WITHSCORES
		ZADD long 1 123456789
		OBJECT ENCODING long
		ZADD short 1 12345678
		OBJECT ENCODING short
		ZADD short 1 a 2 b 3 c
		OBJECT ENCODING short
		ZADD short 4 d
		OBJECT ENCODING short
		ZUNIONSTORE u 1 z
		OBJECT ENCODING u
		ZUNIONSTORE u 1 long
		OBJECT ENCODING u
		ZUNIONSTORE u 1 short
		OBJECT ENCODING u
		ZRANGESTORE r short 0 1
		OBJECT ENCODING r
		ZRANGESTORE r short 0 -1
		OBJECT ENCODING r
		ZREMRANGEBYRANK short 0 2
		OBJECT ENCODING short
		ZINCRBY i 1 aaaaaaaaa
		OBJECT ENCODING i
		COPY short copy
		OBJECT ENCODING copy
		ZRANGE copy 0 -1 WITHSCORES
		CONFIG SET zset-max-listpack-entries 0
		ZADD zero 1 a
		OBJECT ENCODING zero
		ZRANGESTORE r2 zero 0 -1
		OBJECT ENCODING r2
		CONFIG SET zset-max-listpack-entries 128 zset-max-listpack-value 64
		ZADD zero 2 b
		OBJECT ENCODING zero

		# Negative zeros survive in a skiplist, not in a listpack; ZRANGESTORE picks the
		# encoding from the length of a rank range, and adds score and lex ranges one by one.
		CONFIG SET zset-max-listpack-entries 0
		ZADD negz -0 a -0 b 1 c 2 d 3 e
		ZADD negz -0 a
		ZINCRBY negz -0 a
		ZRANGE negz 0 -1 WITHSCORES
		CONFIG SET zset-max-listpack-entries 3
		ZRANGESTORE d negz 0 1
		OBJECT ENCODING d
		ZRANGE d 0 -1 WITHSCORES
		ZRANGESTORE d negz 0 4
		OBJECT ENCODING d
		ZRANGE d 0 -1 WITHSCORES
		ZRANGESTORE d negz 4 0 REV
		ZRANGE d 0 -1 WITHSCORES
		ZRANGESTORE d negz -inf 0 BYSCORE
		OBJECT ENCODING d
		ZRANGE d 0 -1 WITHSCORES
		ZRANGESTORE d negz +inf -inf BYSCORE REV
		OBJECT ENCODING d
		ZRANGE d 0 -1 WITHSCORES
		ZRANGESTORE d negz - + BYLEX
		ZRANGE d 0 -1 WITHSCORES
		ZUNIONSTORE u 1 negz
		OBJECT ENCODING u
		ZRANGE u 0 -1 WITHSCORES
		ZUNIONSTORE u 1 negz WEIGHTS -1
		ZRANGE u 0 -1 WITHSCORES
		ZINTERSTORE u 2 negz negz AGGREGATE MIN
		ZRANGE u 0 -1 WITHSCORES
		ZADD small 0 a
		ZINTERSTORE u 2 small negz AGGREGATE MAX
		ZRANGE u 0 -1 WITHSCORES
		ZINTERSTORE u 2 negz small AGGREGATE MAX
		ZRANGE u 0 -1 WITHSCORES
		ZUNIONSTORE u 2 negz small AGGREGATE MIN
		ZRANGE u 0 -1 WITHSCORES
		ZADD pz 1 a 2 b 3 c
		ZRANGESTORE d2 pz 0 -1
		OBJECT ENCODING d2
		ZADD pz 4 d
		OBJECT ENCODING pz
		CONFIG SET zset-max-listpack-entries 128
	`)
}

// TestZSetLargeDifferential runs the script on sets large enough to use the skiplist
// encoding, including a complete ZSCAN.
func TestZSetLargeDifferential(t *testing.T) {
	var b strings.Builder
	b.WriteString("ZADD big")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, " %d m%03d", i%37, i)
	}
	b.WriteString("\nZADD lex")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, " 0 w%03d", i)
	}
	zDiffScript(t, 2, b.String()+`
		OBJECT ENCODING big
		ZCARD big
		ZRANGE big 0 20 WITHSCORES
		ZRANGE big -20 -1 WITHSCORES
		ZRANGE big 100 120 REV WITHSCORES
		ZRANGE big 5 9 BYSCORE LIMIT 3 20 WITHSCORES
		ZRANGE big (30 (5 BYSCORE REV LIMIT 3 20 WITHSCORES
		ZCOUNT big 3 (17
		ZRANK big m150
		ZREVRANK big m150
		ZSCORE big m299
		ZRANGE lex [w050 (w070 BYLEX
		ZRANGE lex (w150 [w100 BYLEX REV LIMIT 2 5
		ZLEXCOUNT lex [w010 +
		scan ZSCAN big 0
		scan ZSCAN big 0 COUNT 7
		scan ZSCAN big 0 MATCH m1* COUNT 20
		scan ZSCAN lex 0 COUNT 1000
		pairs ZRANDMEMBER lex 500 WITHSCORES
		sort ZRANDMEMBER lex 300
		shape ZRANDMEMBER big 150 WITHSCORES
		shape ZRANDMEMBER big 10
		shape ZRANDMEMBER big -1000
		ZREMRANGEBYRANK big 10 60
		ZREMRANGEBYSCORE big 20 (25
		ZREMRANGEBYLEX lex [w100 (w180
		ZCARD big
		ZRANGE big 0 -1 WITHSCORES
		ZRANGE lex 0 -1
		ZPOPMIN big 5
		ZPOPMAX big 5
		ZMPOP 1 big MAX COUNT 3
		ZUNIONSTORE u 2 big lex WEIGHTS 2 1
		OBJECT ENCODING u
		ZRANGE u 0 -1 WITHSCORES
		ZINTERSTORE i 2 big u
		ZRANGE i 0 -1 WITHSCORES
		ZDIFF 2 u big WITHSCORES
	`)
}

// zsetGen produces random sorted-set commands over a few small keys, and how to compare
// their replies.
func zsetGen(r *rand.Rand) ([]string, zMode) {
	keys := []string{"za", "zb", "zc"}
	key := func() string { return keys[r.IntN(len(keys))] }
	member := func() string {
		m := "m" + strconv.Itoa(r.IntN(40))
		if r.IntN(60) == 0 {
			m += strings.Repeat("x", 60+r.IntN(10)) // past zset-max-listpack-value, sometimes
		}
		return m
	}
	plainScore := func() string {
		switch r.IntN(30) {
		case 0:
			return "inf"
		case 1:
			return "-inf"
		case 2:
			return "-0"
		}
		return strconv.FormatFloat(float64(r.IntN(40)-10)/2, 'f', -1, 64)
	}
	score := func() string {
		if r.IntN(6) == 0 {
			return "(" + strconv.Itoa(r.IntN(20)-5)
		}
		return plainScore()
	}
	rank := func() string { return strconv.Itoa(r.IntN(30) - 12) }
	lex := func() string {
		switch r.IntN(8) {
		case 0:
			return "-"
		case 1:
			return "+"
		}
		return []string{"[", "("}[r.IntN(2)] + "m" + strconv.Itoa(r.IntN(45))
	}
	withScores := func(args []string) []string {
		if r.IntN(2) == 0 {
			return append(args, "WITHSCORES")
		}
		return args
	}
	limit := func(args []string) []string {
		if r.IntN(3) == 0 {
			return append(args, "LIMIT", strconv.Itoa(r.IntN(6)-1), strconv.Itoa(r.IntN(8)-2))
		}
		return args
	}
	switch r.IntN(30) {
	case 0, 1, 2, 3:
		args := []string{"ZADD", key()}
		for _, f := range []string{"NX", "XX", "GT", "LT", "CH"} {
			if r.IntN(6) == 0 {
				args = append(args, f)
			}
		}
		if r.IntN(8) == 0 {
			return append(args, "INCR", plainScore(), member()), zExact
		}
		for n := 1 + r.IntN(4); n > 0; n-- {
			args = append(args, plainScore(), member())
		}
		return args, zExact
	case 4:
		return []string{"ZINCRBY", key(), plainScore(), member()}, zExact
	case 5, 6:
		args := []string{"ZREM", key()}
		for n := 1 + r.IntN(3); n > 0; n-- {
			args = append(args, member())
		}
		return args, zExact
	case 7:
		return []string{"ZRANGE", key(), rank(), rank()}, zExact
	case 8:
		return withScores([]string{"ZRANGE", key(), rank(), rank(), "REV"}), zExact
	case 9:
		return limit(withScores([]string{"ZRANGE", key(), score(), score(), "BYSCORE"})), zExact
	case 10:
		return limit(withScores([]string{"ZREVRANGEBYSCORE", key(), score(), score()})), zExact
	case 11:
		return []string{"ZCOUNT", key(), score(), score()}, zExact
	case 12:
		return []string{[]string{"ZRANK", "ZREVRANK", "ZSCORE"}[r.IntN(3)], key(), member()}, zExact
	case 13:
		return []string{[]string{"ZPOPMIN", "ZPOPMAX"}[r.IntN(2)], key(), strconv.Itoa(r.IntN(4))}, zExact
	case 14:
		return []string{"ZMPOP", "2", key(), key(), []string{"MIN", "MAX"}[r.IntN(2)], "COUNT", strconv.Itoa(1 + r.IntN(3))}, zExact
	case 15:
		args := []string{"ZRANGESTORE", key(), key(), score(), score(), "BYSCORE"}
		if r.IntN(2) == 0 {
			args = []string{"ZRANGESTORE", key(), key(), rank(), rank()}
		}
		if r.IntN(3) == 0 {
			args = append(args, "REV")
		}
		return args, zExact
	case 16:
		op := []string{"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"}[r.IntN(3)]
		args := []string{op, key(), "2", key(), key()}
		if op != "ZDIFFSTORE" && r.IntN(2) == 0 {
			args = append(args, "WEIGHTS", plainScore(), plainScore(), "AGGREGATE", []string{"SUM", "MIN", "MAX"}[r.IntN(3)])
		}
		return args, zExact
	case 17:
		op := []string{"ZUNION", "ZINTER", "ZDIFF"}[r.IntN(3)]
		return withScores([]string{op, "3", key(), key(), key()}), zExact
	case 18:
		return []string{"ZINTERCARD", "2", key(), key(), "LIMIT", strconv.Itoa(r.IntN(3))}, zExact
	case 19:
		return []string{"ZREMRANGEBYRANK", key(), rank(), rank()}, zExact
	case 20:
		return []string{"ZREMRANGEBYSCORE", key(), score(), score()}, zExact
	case 21:
		// Lex ranges are only defined on equal scores: use a key of its own.
		if r.IntN(2) == 0 {
			return []string{"ZADD", "zl", "0", member(), "0", member()}, zExact
		}
		return []string{"ZREM", "zl", member()}, zExact
	case 22:
		return limit([]string{[]string{"ZRANGEBYLEX", "ZREVRANGEBYLEX"}[r.IntN(2)], "zl", lex(), lex()}), zExact
	case 23:
		return []string{[]string{"ZLEXCOUNT", "ZREMRANGEBYLEX"}[r.IntN(2)], "zl", lex(), lex()}, zExact
	case 24:
		return []string{"ZMSCORE", key(), member(), member()}, zExact
	case 25:
		return []string{"OBJECT", "ENCODING", key()}, zExact
	case 26:
		return []string{"ZSCAN", key(), "0", "COUNT", strconv.Itoa(1 + r.IntN(5))}, zScanAll
	case 27:
		args := []string{"ZRANDMEMBER", key()}
		switch r.IntN(3) {
		case 0:
			args = append(args, strconv.Itoa(r.IntN(10)-5))
		case 1:
			args = append(args, strconv.Itoa(r.IntN(10)-5), "WITHSCORES")
		}
		return args, zShape
	case 28:
		if r.IntN(4) == 0 { // rarely: an empty key makes both servers wait out the timeout
			return []string{[]string{"BZPOPMIN", "BZPOPMAX"}[r.IntN(2)], key(), key(), "0.01"}, zExact
		}
		return []string{"ZRANGE", key(), "0", "-1", "WITHSCORES"}, zExact
	default:
		return []string{"ZCARD", key()}, zExact
	}
}

// TestZSetRandomDifferential is the model-based random workload, with events compared:
// with the default limits, with tiny ones so that conversions happen, and in RESP3.
func TestZSetRandomDifferential(t *testing.T) {
	for _, run := range []struct {
		proto  int
		limits string
	}{{2, "128"}, {2, "3"}, {3, "5"}} {
		t.Run(fmt.Sprintf("RESP%d/entries=%s", run.proto, run.limits), func(t *testing.T) {
			d := newZDiffer(t, run.proto)
			d.step(t, []string{"CONFIG", "SET", "zset-max-listpack-entries", run.limits}, zExact, "config")
			seed := time.Now().UnixNano()
			if v, err := strconv.ParseInt(os.Getenv("ZSET_SEED"), 10, 64); err == nil {
				seed = v // replay a failure
			}
			t.Logf("seed %d", seed)
			r := rand.New(rand.NewPCG(uint64(seed), 0))
			for i := 0; i < 3000; i++ {
				args, mode := zsetGen(r)
				d.step(t, args, mode, fmt.Sprintf("step %d: %q (seed %d)", i, args, seed))
				if os.Getenv("ZSET_CHECK") != "" { // compare the whole state after every step
					for _, k := range []string{"za", "zb", "zc", "zl"} {
						d.step(t, []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}, zExact, fmt.Sprintf("state of %s after step %d: %q", k, i, args))
					}
				}
			}
			for _, k := range []string{"za", "zb", "zc", "zl"} {
				d.step(t, []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}, zExact, "final "+k)
			}
		})
	}
}

func TestZSetGoRedis(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, srv *cinnabartest.Server, rdb *redis.Client) {
		z := func(s float64, m string) redis.Z { return redis.Z{Score: s, Member: m} }
		require.Equal(t, int64(3), rdb.ZAdd(ctx, "z", z(1, "a"), z(2, "b"), z(3, "c")).Val())
		require.Equal(t, int64(1), rdb.ZAddNX(ctx, "z", z(9, "a"), z(4, "d")).Val())
		require.Equal(t, int64(0), rdb.ZAddXX(ctx, "z", z(1.5, "a"), z(9, "nope")).Val())
		require.Equal(t, int64(1), rdb.ZAddArgs(ctx, "z", redis.ZAddArgs{GT: true, Ch: true, Members: []redis.Z{z(1, "a"), z(5, "d")}}).Val())
		require.Equal(t, 2.5, rdb.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{Members: []redis.Z{z(1, "a")}}).Val())
		require.Equal(t, redis.Nil, rdb.ZAddArgsIncr(ctx, "z", redis.ZAddArgs{NX: true, Members: []redis.Z{z(1, "a")}}).Err())
		require.Equal(t, 3.0, rdb.ZIncrBy(ctx, "z", 0.5, "a").Val())
		require.Equal(t, int64(4), rdb.ZCard(ctx, "z").Val())
		require.Equal(t, int64(2), rdb.ZCount(ctx, "z", "(2", "3").Val())
		require.Equal(t, 3.0, rdb.ZScore(ctx, "z", "a").Val())
		require.Equal(t, redis.Nil, rdb.ZScore(ctx, "z", "nope").Err())
		require.Equal(t, []float64{3, 0}, rdb.ZMScore(ctx, "z", "a", "nope").Val())
		require.Equal(t, int64(1), rdb.ZRank(ctx, "z", "a").Val())
		require.Equal(t, int64(2), rdb.ZRevRank(ctx, "z", "a").Val())
		require.Equal(t, redis.Nil, rdb.ZRank(ctx, "z", "nope").Err())

		require.Equal(t, []string{"b", "a", "c", "d"}, rdb.ZRange(ctx, "z", 0, -1).Val())
		require.Equal(t, []redis.Z{z(2, "b"), z(3, "a")}, rdb.ZRangeWithScores(ctx, "z", 0, 1).Val())
		require.Equal(t, []string{"d", "c"}, rdb.ZRevRange(ctx, "z", 0, 1).Val())
		require.Equal(t, []redis.Z{z(5, "d"), z(3, "c")}, rdb.ZRevRangeWithScores(ctx, "z", 0, 1).Val())
		require.Equal(t, []string{"a", "c"}, rdb.ZRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "(2", Max: "3"}).Val())
		require.Equal(t, []redis.Z{z(3, "c")}, rdb.ZRangeByScoreWithScores(ctx, "z", &redis.ZRangeBy{Min: "3", Max: "+inf", Offset: 1, Count: 1}).Val())
		require.Equal(t, []string{"c", "a"}, rdb.ZRevRangeByScore(ctx, "z", &redis.ZRangeBy{Min: "2.5", Max: "4"}).Val())
		require.Equal(t, []redis.Z{z(5, "d")}, rdb.ZRevRangeByScoreWithScores(ctx, "z", &redis.ZRangeBy{Min: "4", Max: "+inf"}).Val())
		require.Equal(t, []string{"c", "a"}, rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: "z", Start: "3", Stop: "(2", ByScore: true, Rev: true}).Val())
		require.Equal(t, []redis.Z{z(3, "a")}, rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: "z", Start: "-inf", Stop: "+inf", ByScore: true, Offset: 1, Count: 1}).Val())
		require.Equal(t, int64(2), rdb.ZRangeStore(ctx, "dst", redis.ZRangeArgs{Key: "z", Start: 0, Stop: 1}).Val())
		require.Equal(t, []string{"b", "a"}, rdb.ZRange(ctx, "dst", 0, -1).Val())

		require.Equal(t, int64(3), rdb.ZAdd(ctx, "lex", z(0, "a"), z(0, "b"), z(0, "c")).Val())
		require.Equal(t, []string{"b", "c"}, rdb.ZRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "(a", Max: "+"}).Val())
		require.Equal(t, []string{"c", "b"}, rdb.ZRevRangeByLex(ctx, "lex", &redis.ZRangeBy{Min: "[b", Max: "+"}).Val())
		require.Equal(t, int64(2), rdb.ZLexCount(ctx, "lex", "[a", "[b").Val())
		require.Equal(t, int64(1), rdb.ZRemRangeByLex(ctx, "lex", "[a", "[a").Val())
		require.Equal(t, int64(1), rdb.ZRemRangeByRank(ctx, "lex", 0, 0).Val())
		require.Equal(t, int64(1), rdb.ZRemRangeByScore(ctx, "lex", "-inf", "+inf").Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "lex").Val())

		require.Equal(t, []redis.Z{z(2, "b")}, rdb.ZPopMin(ctx, "z").Val())
		require.Equal(t, []redis.Z{z(5, "d"), z(3, "c")}, rdb.ZPopMax(ctx, "z", 2).Val())
		require.Equal(t, int64(1), rdb.ZRem(ctx, "z", "a", "nope").Val())
		require.Equal(t, int64(0), rdb.Exists(ctx, "z").Val())

		require.Equal(t, int64(4), rdb.ZAdd(ctx, "z1", z(1, "a"), z(2, "b"), z(3, "c"), z(4, "d")).Val())
		require.Equal(t, int64(3), rdb.ZAdd(ctx, "z2", z(10, "c"), z(20, "d"), z(30, "e")).Val())
		require.Equal(t, []string{"a", "b", "c", "d", "e"}, rdb.ZUnion(ctx, redis.ZStore{Keys: []string{"z1", "z2"}}).Val())
		require.Equal(t, []redis.Z{z(1, "a"), z(2, "b"), z(3, "c"), z(4, "d"), z(30, "e")},
			rdb.ZUnionWithScores(ctx, redis.ZStore{Keys: []string{"z1", "z2"}, Aggregate: "MIN"}).Val())
		require.Equal(t, []redis.Z{z(26, "c"), z(48, "d")}, rdb.ZInterWithScores(ctx, &redis.ZStore{Keys: []string{"z1", "z2"}, Weights: []float64{2, 2}}).Val()[0:2])
		require.Equal(t, []string{"c", "d"}, rdb.ZInter(ctx, &redis.ZStore{Keys: []string{"z1", "z2"}}).Val())
		require.Equal(t, int64(2), rdb.ZInterCard(ctx, 0, "z1", "z2").Val())
		require.Equal(t, []string{"a", "b"}, rdb.ZDiff(ctx, "z1", "z2").Val())
		require.Equal(t, []redis.Z{z(1, "a"), z(2, "b")}, rdb.ZDiffWithScores(ctx, "z1", "z2").Val())
		require.Equal(t, int64(5), rdb.ZUnionStore(ctx, "u", &redis.ZStore{Keys: []string{"z1", "z2"}}).Val())
		require.Equal(t, int64(2), rdb.ZInterStore(ctx, "i", &redis.ZStore{Keys: []string{"z1", "z2"}, Aggregate: "MAX"}).Val())
		require.Equal(t, int64(2), rdb.ZDiffStore(ctx, "d", "z1", "z2").Val())
		require.Equal(t, []redis.Z{z(10, "c"), z(20, "d")}, rdb.ZRangeWithScores(ctx, "i", 0, -1).Val())

		key, popped, err := rdb.ZMPop(ctx, "max", 2, "nope", "z1").Result()
		require.NoError(t, err)
		require.Equal(t, "z1", key)
		require.Equal(t, []redis.Z{z(4, "d"), z(3, "c")}, popped)
		bz, err := rdb.BZPopMin(ctx, time.Second, "nope", "z1").Result()
		require.NoError(t, err)
		require.Equal(t, "z1", bz.Key)
		require.Equal(t, z(1, "a"), bz.Z)
		key, popped, err = rdb.BZMPop(ctx, time.Second, "min", 5, "z1").Result()
		require.NoError(t, err)
		require.Equal(t, "z1", key)
		require.Equal(t, []redis.Z{z(2, "b")}, popped)

		require.Equal(t, int64(3), rdb.ZAdd(ctx, "r", z(1, "a"), z(2, "b"), z(3, "c")).Val())
		require.Contains(t, []string{"a", "b", "c"}, rdb.ZRandMember(ctx, "r", 1).Val()[0])
		require.Len(t, rdb.ZRandMember(ctx, "r", -10).Val(), 10)
		withScores := rdb.ZRandMemberWithScores(ctx, "r", 2).Val()
		require.Len(t, withScores, 2)
		require.Equal(t, withScores[0].Score, map[string]float64{"a": 1, "b": 2, "c": 3}[withScores[0].Member.(string)])

		members, cursor, err := rdb.ZScan(ctx, "r", 0, "", 10).Result()
		require.NoError(t, err)
		require.Equal(t, uint64(0), cursor)
		require.Equal(t, []string{"a", "1", "b", "2", "c", "3"}, members)
	})
}

// TestZSetLargeGoRedis drives a set well past the listpack limit and checks a complete
// ZSCAN under concurrent writes.
func TestZSetLargeGoRedis(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	var zs []redis.Z
	for i := 0; i < 5000; i++ {
		zs = append(zs, redis.Z{Score: float64(i % 100), Member: fmt.Sprintf("m%05d", i)})
	}
	require.NoError(t, rdb.ZAdd(ctx, "big", zs...).Err())
	require.Equal(t, "skiplist", rdb.ObjectEncoding(ctx, "big").Val())
	require.Equal(t, int64(5000), rdb.ZCard(ctx, "big").Val())
	require.Equal(t, int64(50), rdb.ZCount(ctx, "big", "7", "7").Val())
	require.Equal(t, int64(350), rdb.ZRank(ctx, "big", "m00007").Val())
	seen := map[string]bool{}
	var cursor uint64
	extra := 0
	for {
		keys, next, err := rdb.ZScan(ctx, "big", cursor, "", 100).Result()
		require.NoError(t, err)
		for i := 0; i < len(keys); i += 2 {
			seen[keys[i]] = true
		}
		// Members come and go during the scan; the original ones must all be seen.
		rdb.ZAdd(ctx, "big", redis.Z{Score: 1, Member: fmt.Sprintf("extra%d", extra)})
		extra++
		if next == 0 {
			break
		}
		cursor = next
	}
	for _, z := range zs {
		require.True(t, seen[z.Member.(string)], z.Member)
	}
	require.Equal(t, int64(2500), rdb.ZRemRangeByRank(ctx, "big", 0, 2499).Val())
	require.Equal(t, int64(2500+extra), rdb.ZCard(ctx, "big").Val())
}

// TestZSetBlocking checks BZPOPMIN, BZPOPMAX and BZMPOP waking up on ZADD and timing out.
// It needs the executor's support for blocked clients.
func TestZSetBlocking(t *testing.T) {
	srv := startServer(t)
	rdb := newClient(t, srv.Addr(), 2)
	other := newClient(t, srv.Addr(), 2)

	start := time.Now()
	require.Equal(t, redis.Nil, rdb.Do(ctx, "BZPOPMIN", "empty", "0.1").Err())
	require.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)

	done := make(chan *redis.ZWithKey, 1)
	go func() {
		v, err := rdb.BZPopMax(ctx, 5*time.Second, "k1", "k2").Result()
		if err != nil {
			v = nil
		}
		done <- v
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, other.ZAdd(ctx, "k2", redis.Z{Score: 1, Member: "a"}, redis.Z{Score: 2, Member: "b"}).Err())
	select {
	case v := <-done:
		require.NotNil(t, v)
		require.Equal(t, "k2", v.Key)
		require.Equal(t, "b", v.Member)
	case <-time.After(6 * time.Second):
		t.Fatal("BZPOPMAX was not woken by ZADD")
	}

	type mpop struct {
		key string
		zs  []redis.Z
	}
	mdone := make(chan mpop, 1)
	go func() {
		k, zs, _ := rdb.BZMPop(ctx, 5*time.Second, "min", 10, "k3").Result()
		mdone <- mpop{k, zs}
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, other.ZAdd(ctx, "k3", redis.Z{Score: 1, Member: "x"}, redis.Z{Score: 2, Member: "y"}).Err())
	select {
	case v := <-mdone:
		require.Equal(t, "k3", v.key)
		require.Equal(t, []redis.Z{{Score: 1, Member: "x"}, {Score: 2, Member: "y"}}, v.zs)
	case <-time.After(6 * time.Second):
		t.Fatal("BZMPOP was not woken by ZADD")
	}
	require.Equal(t, int64(0), other.Exists(ctx, "k3").Val())
}
