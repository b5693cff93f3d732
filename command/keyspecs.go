package command

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/cinnabar-db/cinnabar/store"
)

// KeyFlag is a key-spec flag, named as COMMAND INFO names it.
type KeyFlag uint16

// Key-spec flags, in the order COMMAND INFO lists them.
const (
	KeyRO KeyFlag = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

var keyFlagNames = []string{"RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
	"not_key", "incomplete", "variable_flags"}

// Names lists the flags as COMMAND INFO shows them.
func (f KeyFlag) Names() []string {
	var out []string
	for m := uint32(f); m != 0; m &= m - 1 {
		out = append(out, keyFlagNames[bits.TrailingZeros32(m)])
	}
	return out
}

// Where a key spec starts looking (begin_search) and how it finds the keys from there
// (find_keys); the zero value of each is "unknown".
type (
	BeginSearch uint8
	FindKeys    uint8
)

const (
	BeginUnknown BeginSearch = iota
	BeginIndex               // at argument Index
	BeginKeyword             // after Keyword, searched from StartFrom (negative: backwards from the end)
)

const (
	FindUnknown FindKeys = iota
	FindRange            // LastKey (relative, or negative from the end), KeyStep, Limit
	FindKeyNum           // the count at KeyNumIdx, keys from FirstKey every KeyStep
)

// KeySpec is one of a command's Redis 7 key specifications.
type KeySpec struct {
	Flags     KeyFlag
	Notes     string
	Begin     BeginSearch
	Index     int
	Keyword   string
	StartFrom int
	Find      FindKeys
	LastKey   int
	KeyStep   int
	Limit     int
	KeyNumIdx int
	FirstKey  int
}

// keySpecText declares the key specs of every command that has keys, in the words
// COMMAND INFO uses: "flags: begin_search find_keys [-- notes]", one spec a line,
// continuation lines indented. It is a table by name beside the docs rather than a
// field on the rows because a spec is five to eight numbers and a note: on the rows it
// would bury the one-line declarations, and most commands would repeat
// "index 1 range 0 1 0". The rows derive First/Last/Step and movablekeys from it, and
// the executor's key extraction (ShardMask) reads the same specs, so the declaration
// is still made once. Like the docs it covers every Redis 7.0 command with keys (a
// test checks it against the documented key arguments), so a row added later already
// finds its specs.
const keySpecText = `
append                RW insert: index 1 range 0 1 0
bitcount              RO access: index 1 range 0 1 0
bitfield              RW access update variable_flags: index 1 range 0 1 0 -- This command allows both access and modification of the key
bitfield_ro           RO access: index 1 range 0 1 0
bitop                 OW update: index 2 range 0 1 0
                      RO access: index 3 range -1 1 0
bitpos                RO access: index 1 range 0 1 0
blmove                RW access delete: index 1 range 0 1 0
                      RW insert: index 2 range 0 1 0
blmpop                RW access delete: index 2 keynum 0 1 1
blpop                 RW access delete: index 1 range -2 1 0
brpop                 RW access delete: index 1 range -2 1 0
brpoplpush            RW access delete: index 1 range 0 1 0
                      RW insert: index 2 range 0 1 0
bzmpop                RW access delete: index 2 keynum 0 1 1
bzpopmax              RW access delete: index 1 range -2 1 0
bzpopmin              RW access delete: index 1 range -2 1 0
copy                  RO access: index 1 range 0 1 0
                      OW update: index 2 range 0 1 0
decr                  RW access update: index 1 range 0 1 0
decrby                RW access update: index 1 range 0 1 0
del                   RM delete: index 1 range -1 1 0
dump                  RO access: index 1 range 0 1 0
eval                  RW access update: index 2 keynum 0 1 1 -- We cannot tell how the keys will be used so we assume the worst, RW and UPDATE
eval_ro               RO access: index 2 keynum 0 1 1 -- We cannot tell how the keys will be used so we assume the worst, RO and ACCESS
evalsha               RW access update: index 2 keynum 0 1 1
evalsha_ro            RO access: index 2 keynum 0 1 1
exists                RO: index 1 range -1 1 0
expire                RW update: index 1 range 0 1 0
expireat              RW update: index 1 range 0 1 0
expiretime            RO access: index 1 range 0 1 0
fcall                 RW access update: index 2 keynum 0 1 1 -- We cannot tell how the keys will be used so we assume the worst, RW and UPDATE
fcall_ro              RO access: index 2 keynum 0 1 1 -- We cannot tell how the keys will be used so we assume the worst, RO and ACCESS
geoadd                RW update: index 1 range 0 1 0
geodist               RO access: index 1 range 0 1 0
geohash               RO access: index 1 range 0 1 0
geopos                RO access: index 1 range 0 1 0
georadius             RO access: index 1 range 0 1 0
                      OW update: keyword STORE 6 range 0 1 0
                      OW update: keyword STOREDIST 6 range 0 1 0
georadius_ro          RO access: index 1 range 0 1 0
georadiusbymember     RO access: index 1 range 0 1 0
                      OW update: keyword STORE 5 range 0 1 0
                      OW update: keyword STOREDIST 5 range 0 1 0
georadiusbymember_ro  RO access: index 1 range 0 1 0
geosearch             RO access: index 1 range 0 1 0
geosearchstore        OW update: index 1 range 0 1 0
                      RO access: index 2 range 0 1 0
get                   RO access: index 1 range 0 1 0
getbit                RO access: index 1 range 0 1 0
getdel                RW access delete: index 1 range 0 1 0
getex                 RW access update: index 1 range 0 1 0 -- RW and UPDATE because it changes the TTL
getrange              RO access: index 1 range 0 1 0
getset                RW access update: index 1 range 0 1 0
hdel                  RW delete: index 1 range 0 1 0
hexists               RO: index 1 range 0 1 0
hget                  RO access: index 1 range 0 1 0
hgetall               RO access: index 1 range 0 1 0
hincrby               RW access update: index 1 range 0 1 0
hincrbyfloat          RW access update: index 1 range 0 1 0
hkeys                 RO access: index 1 range 0 1 0
hlen                  RO: index 1 range 0 1 0
hmget                 RO access: index 1 range 0 1 0
hmset                 RW update: index 1 range 0 1 0
hrandfield            RO access: index 1 range 0 1 0
hscan                 RO access: index 1 range 0 1 0
hset                  RW update: index 1 range 0 1 0
hsetnx                RW insert: index 1 range 0 1 0
hstrlen               RO: index 1 range 0 1 0
hvals                 RO access: index 1 range 0 1 0
incr                  RW access update: index 1 range 0 1 0
incrby                RW access update: index 1 range 0 1 0
incrbyfloat           RW access update: index 1 range 0 1 0
lcs                   RO access: index 1 range 1 1 0
lindex                RO access: index 1 range 0 1 0
linsert               RW insert: index 1 range 0 1 0
llen                  RO: index 1 range 0 1 0
lmove                 RW access delete: index 1 range 0 1 0
                      RW insert: index 2 range 0 1 0
lmpop                 RW access delete: index 1 keynum 0 1 1
lpop                  RW access delete: index 1 range 0 1 0
lpos                  RO access: index 1 range 0 1 0
lpush                 RW insert: index 1 range 0 1 0
lpushx                RW insert: index 1 range 0 1 0
lrange                RO access: index 1 range 0 1 0
lrem                  RW delete: index 1 range 0 1 0
lset                  RW update: index 1 range 0 1 0
ltrim                 RW delete: index 1 range 0 1 0
memory|usage          RO: index 2 range 0 1 0
mget                  RO access: index 1 range -1 1 0
migrate               RW access delete: index 3 range 0 1 0
                      RW access delete incomplete: keyword KEYS -2 range -1 1 0
move                  RW access update: index 1 range 0 1 0
mset                  OW update: index 1 range -1 2 0
msetnx                OW insert: index 1 range -1 2 0
object|encoding       RO: index 2 range 0 1 0
object|freq           RO: index 2 range 0 1 0
object|idletime       RO: index 2 range 0 1 0
object|refcount       RO: index 2 range 0 1 0
persist               RW update: index 1 range 0 1 0
pexpire               RW update: index 1 range 0 1 0
pexpireat             RW update: index 1 range 0 1 0
pexpiretime           RO access: index 1 range 0 1 0
pfadd                 RW insert: index 1 range 0 1 0
pfcount               RW access: index 1 range -1 1 0 -- RW because it may change the internal representation of the key, and propagate to replicas
pfdebug               RW access: index 2 range 0 1 0
pfmerge               RW access insert: index 1 range 0 1 0
                      RO access: index 2 range -1 1 0
psetex                OW update: index 1 range 0 1 0
pttl                  RO access: index 1 range 0 1 0
rename                RW access delete: index 1 range 0 1 0
                      OW update: index 2 range 0 1 0
renamenx              RW access delete: index 1 range 0 1 0
                      OW insert: index 2 range 0 1 0
restore               OW update: index 1 range 0 1 0
restore-asking        OW update: index 1 range 0 1 0
rpop                  RW access delete: index 1 range 0 1 0
rpoplpush             RW access delete: index 1 range 0 1 0
                      RW insert: index 2 range 0 1 0
rpush                 RW insert: index 1 range 0 1 0
rpushx                RW insert: index 1 range 0 1 0
sadd                  RW insert: index 1 range 0 1 0
scard                 RO: index 1 range 0 1 0
sdiff                 RO access: index 1 range -1 1 0
sdiffstore            OW update: index 1 range 0 1 0
                      RO access: index 2 range -1 1 0
set                   RW access update variable_flags: index 1 range 0 1 0 -- RW and ACCESS due to the optional ` + "`GET`" + ` argument
setbit                RW access update: index 1 range 0 1 0
setex                 OW update: index 1 range 0 1 0
setnx                 OW insert: index 1 range 0 1 0
setrange              RW update: index 1 range 0 1 0
sinter                RO access: index 1 range -1 1 0
sintercard            RO access: index 1 keynum 0 1 1
sinterstore           RW update: index 1 range 0 1 0
                      RO access: index 2 range -1 1 0
sismember             RO: index 1 range 0 1 0
smembers              RO access: index 1 range 0 1 0
smismember            RO access: index 1 range 0 1 0
smove                 RW access delete: index 1 range 0 1 0
                      RW insert: index 2 range 0 1 0
sort                  RO access: index 1 range 0 1 0
                      RO access: unknown unknown -- For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort
                      OW update: unknown unknown -- For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array
sort_ro               RO access: index 1 range 0 1 0
                      RO access: unknown unknown -- For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort
spop                  RW access delete: index 1 range 0 1 0
spublish              not_key: index 1 range 0 1 0
srandmember           RO access: index 1 range 0 1 0
srem                  RW delete: index 1 range 0 1 0
sscan                 RO access: index 1 range 0 1 0
ssubscribe            not_key: index 1 range -1 1 0
strlen                RO: index 1 range 0 1 0
substr                RO access: index 1 range 0 1 0
sunion                RO access: index 1 range -1 1 0
sunionstore           OW update: index 1 range 0 1 0
                      RO access: index 2 range -1 1 0
sunsubscribe          not_key: index 1 range -1 1 0
touch                 RO: index 1 range -1 1 0
ttl                   RO access: index 1 range 0 1 0
type                  RO: index 1 range 0 1 0
unlink                RM delete: index 1 range -1 1 0
watch                 RO: index 1 range -1 1 0
xack                  RW update: index 1 range 0 1 0
xadd                  RW update: index 1 range 0 1 0 -- UPDATE instead of INSERT because of the optional trimming feature
xautoclaim            RW delete: index 1 range 0 1 0
xclaim                RW update: index 1 range 0 1 0
xdel                  RW delete: index 1 range 0 1 0
xgroup|create         RW insert: index 2 range 0 1 0
xgroup|createconsumer RW insert: index 2 range 0 1 0
xgroup|delconsumer    RW delete: index 2 range 0 1 0
xgroup|destroy        RW delete: index 2 range 0 1 0
xgroup|setid          RW update: index 2 range 0 1 0
xinfo|consumers       RO access: index 2 range 0 1 0
xinfo|groups          RO access: index 2 range 0 1 0
xinfo|stream          RO access: index 2 range 0 1 0
xlen                  RO: index 1 range 0 1 0
xpending              RO access: index 1 range 0 1 0
xrange                RO access: index 1 range 0 1 0
xread                 RO access: keyword STREAMS 1 range -1 1 2
xreadgroup            RO access: keyword STREAMS 4 range -1 1 2
xrevrange             RO access: index 1 range 0 1 0
xsetid                RW update: index 1 range 0 1 0
xtrim                 RW delete: index 1 range 0 1 0
zadd                  RW update: index 1 range 0 1 0
zcard                 RO: index 1 range 0 1 0
zcount                RO access: index 1 range 0 1 0
zdiff                 RO access: index 1 keynum 0 1 1
zdiffstore            OW update: index 1 range 0 1 0
                      RO access: index 2 keynum 0 1 1
zincrby               RW access update: index 1 range 0 1 0
zinter                RO access: index 1 keynum 0 1 1
zintercard            RO access: index 1 keynum 0 1 1
zinterstore           OW update: index 1 range 0 1 0
                      RO access: index 2 keynum 0 1 1
zlexcount             RO access: index 1 range 0 1 0
zmpop                 RW access delete: index 1 keynum 0 1 1
zmscore               RO access: index 1 range 0 1 0
zpopmax               RW access delete: index 1 range 0 1 0
zpopmin               RW access delete: index 1 range 0 1 0
zrandmember           RO access: index 1 range 0 1 0
zrange                RO access: index 1 range 0 1 0
zrangebylex           RO access: index 1 range 0 1 0
zrangebyscore         RO access: index 1 range 0 1 0
zrangestore           OW update: index 1 range 0 1 0
                      RO access: index 2 range 0 1 0
zrank                 RO access: index 1 range 0 1 0
zrem                  RW delete: index 1 range 0 1 0
zremrangebylex        RW delete: index 1 range 0 1 0
zremrangebyrank       RW delete: index 1 range 0 1 0
zremrangebyscore      RW delete: index 1 range 0 1 0
zrevrange             RO access: index 1 range 0 1 0
zrevrangebylex        RO access: index 1 range 0 1 0
zrevrangebyscore      RO access: index 1 range 0 1 0
zrevrank              RO access: index 1 range 0 1 0
zscan                 RO access: index 1 range 0 1 0
zscore                RO access: index 1 range 0 1 0
zunion                RO access: index 1 keynum 0 1 1
zunionstore           OW update: index 1 range 0 1 0
                      RO access: index 2 keynum 0 1 1
`

// keySpecsByName holds the parsed keySpecText.
var keySpecsByName = parseKeySpecs(keySpecText)

// parseKeySpecs parses the key-spec table; a malformed line panics, since the table is
// program text.
func parseKeySpecs(text string) map[string][]KeySpec {
	out := map[string][]KeySpec{}
	var name string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] != ' ' {
			name, line, _ = strings.Cut(line, " ")
			if out[name] != nil {
				panic("command key specs: duplicate entry " + name)
			}
		}
		ks, err := parseKeySpec(strings.TrimSpace(line))
		if err != nil || name == "" {
			panic(fmt.Sprintf("command key specs of %q: %q: %v", name, line, err))
		}
		out[name] = append(out[name], ks)
	}
	return out
}

func parseKeySpec(line string) (KeySpec, error) {
	var ks KeySpec
	line, ks.Notes, _ = strings.Cut(line, " -- ")
	flags, rest, ok := strings.Cut(line, ": ")
	if !ok {
		return ks, fmt.Errorf("no flags")
	}
	for _, f := range strings.Fields(flags) {
		i := indexOf(keyFlagNames, f)
		if i < 0 {
			return ks, fmt.Errorf("unknown flag %q", f)
		}
		ks.Flags |= 1 << i
	}
	w := strings.Fields(rest)
	nums := func(n int, dst ...*int) error {
		if len(w) < n+1 {
			return fmt.Errorf("%s needs %d numbers", w[0], n)
		}
		for i, d := range dst {
			v, err := strconv.Atoi(w[1+i])
			if err != nil {
				return err
			}
			*d = v
		}
		w = w[n+1:]
		return nil
	}
	var err error
	switch {
	case len(w) == 0:
		return ks, fmt.Errorf("no begin_search")
	case w[0] == "index":
		ks.Begin, err = BeginIndex, nums(1, &ks.Index)
	case w[0] == "keyword" && len(w) > 1:
		ks.Begin, ks.Keyword = BeginKeyword, w[1]
		w = w[1:]
		err = nums(1, &ks.StartFrom)
	case w[0] == "unknown":
		w = w[1:]
	default:
		return ks, fmt.Errorf("bad begin_search %q", w[0])
	}
	if err != nil {
		return ks, err
	}
	switch {
	case len(w) == 0:
		return ks, fmt.Errorf("no find_keys")
	case w[0] == "range":
		ks.Find, err = FindRange, nums(3, &ks.LastKey, &ks.KeyStep, &ks.Limit)
	case w[0] == "keynum":
		ks.Find, err = FindKeyNum, nums(3, &ks.KeyNumIdx, &ks.FirstKey, &ks.KeyStep)
	case w[0] == "unknown":
		w = w[1:]
	default:
		return ks, fmt.Errorf("bad find_keys %q", w[0])
	}
	if err == nil && len(w) > 0 {
		err = fmt.Errorf("trailing %q", w)
	}
	return ks, err
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// KeyRef is one key of a call: its argument index and its flags.
type KeyRef struct {
	Pos   int
	Flags KeyFlag
}

// KeySpecs returns the command's key specs.
func (s *Spec) KeySpecs() []KeySpec { return s.keySpecs }

// HasKeys reports whether the command declares keys (specs other than not_key ones),
// which COMMAND GETKEYS requires.
func (s *Spec) HasKeys() bool {
	for _, ks := range s.keySpecs {
		if ks.Flags&KeyNotKey == 0 {
			return true
		}
	}
	return s.KeysFunc != nil
}

// span finds the arguments a spec covers in a call: keys at first, first+step, ... up
// to last. skip means the spec names no key here (a keyword that is absent); !ok means
// the spec cannot describe this call (unknown, or positions outside the arguments), so
// the row's KeysFunc decides.
func (ks *KeySpec) span(args [][]byte) (first, last, step int, skip, ok bool) {
	argc := len(args)
	switch ks.Begin {
	case BeginIndex:
		first = ks.Index
	case BeginKeyword:
		// Searched forward to the last argument but one, or backwards down to argument 1.
		from, end, dir := ks.StartFrom, argc-1, 1
		if from <= 0 {
			from, end, dir = argc+from, 0, -1
		}
		for i := from; i != end && i >= 1 && i < argc; i += dir {
			if strings.EqualFold(string(args[i]), ks.Keyword) {
				first = i + 1
				break
			}
		}
		if first == 0 {
			return 0, 0, 0, true, true
		}
	default:
		return 0, 0, 0, false, false
	}
	switch ks.Find {
	case FindRange:
		step = ks.KeyStep
		switch {
		case ks.LastKey >= 0:
			last = first + ks.LastKey
		case ks.Limit == 0:
			last = argc + ks.LastKey
		default: // lastkey -1 with a limit: the first 1/limit of the remaining arguments
			last = first + (argc-first)/ks.Limit + ks.LastKey
		}
	case FindKeyNum:
		step = ks.KeyStep
		if ks.KeyNumIdx >= argc-first {
			return 0, 0, 0, false, false
		}
		n, isInt := ParseInt(args[first+ks.KeyNumIdx])
		if !isInt || n < 0 || n > int64(argc) {
			return 0, 0, 0, false, false
		}
		first += ks.FirstKey
		last = first + (int(n)-1)*step // n keys, every step arguments
	default:
		return 0, 0, 0, false, false
	}
	if last >= argc || last < first || first >= argc || ks.Flags&(KeyIncomplete|KeyVariableFlags) != 0 {
		return 0, 0, 0, false, false
	}
	return first, last, step, false, true
}

// Keys returns a call's keys with their flags, as COMMAND GETKEYSANDFLAGS reports them:
// none when a spec cannot describe the call and there is no KeysFunc to ask.
func (s *Spec) Keys(args [][]byte) []KeyRef {
	var out []KeyRef
	s.eachKey(args, false, func(k KeyRef) { out = append(out, k) })
	return out
}

// eachKey calls fn for each key of a call: from the key specs (not_key specs name no
// keys), or from the row's KeysFunc where a spec cannot tell (unknown, incomplete,
// variable flags, or out of the arguments). Without a KeysFunc, partial keeps the keys
// of the specs that can tell: the executor must lock PFMERGE's destination even when
// no source follows, though Redis's GETKEYS then reports nothing.
func (s *Spec) eachKey(args [][]byte, partial bool, fn func(KeyRef)) {
	type keySpan struct {
		first, last, step int
		skip, ok          bool
	}
	var buf [4]keySpan // the most specs a row has is 3: no allocation
	spans := buf[:0]
	covered := true // the key specs alone find the call's keys
	for i := range s.keySpecs {
		var sp keySpan
		if s.keySpecs[i].Flags&KeyNotKey == 0 {
			sp.first, sp.last, sp.step, sp.skip, sp.ok = s.keySpecs[i].span(args)
			covered = covered && sp.ok
		}
		spans = append(spans, sp)
	}
	if !covered {
		if s.KeysFunc != nil {
			for _, k := range s.KeysFunc(s.keySpecs, args) {
				fn(k)
			}
			return
		}
		if !partial {
			return
		}
	}
	for i, sp := range spans {
		for p := sp.first; sp.ok && !sp.skip && p <= sp.last; p += sp.step {
			fn(KeyRef{p, s.keySpecs[i].Flags})
		}
	}
}

// EachKey calls fn for each key of a call that the executor locks (eachKey with
// partial keys), without allocating: what ACL checks and client tracking remember.
func (s *Spec) EachKey(args [][]byte, fn func(KeyRef)) { s.eachKey(args, true, fn) }

// KeyIndexes returns the argument indexes of the keys the executor locks for a call.
func (s *Spec) KeyIndexes(args [][]byte) []int {
	var out []int
	s.eachKey(args, true, func(k KeyRef) { out = append(out, k.Pos) })
	return out
}

// ShardMask returns the lock shards a call of this command needs. It runs on every
// call, so where the legacy triple says all (twice as fast as the specs) it
// walks that.
func (s *Spec) ShardMask(args [][]byte, ks *store.Keyspace) uint64 {
	if s.Flags&AllKeys != 0 {
		return ks.AllShards()
	}
	var m uint64
	if s.legacyExact {
		last := s.Last
		if last < 0 {
			last += len(args)
		}
		for i := s.First; i <= last && i < len(args); i += s.Step {
			m |= 1 << ks.ShardOf(args[i])
		}
		return m
	}
	s.eachKey(args, true, func(k KeyRef) { m |= 1 << ks.ShardOf(args[k.Pos]) })
	return m
}

// deriveKeyPositions sets the legacy first/last/step triple from the key specs, the
// way Redis 7 does: the index/range specs with step 1 that follow one another make one
// range (a lone index/range spec is taken whole); anything else (keyword or keynum
// specs, unknown ones, gaps, incomplete specs) makes the keys movable.
func (s *Spec) deriveKeyPositions() {
	s.First, s.Last, s.Step, s.movable = 0, 0, 0, false
	specs := s.keySpecs
	defer func() {
		// Fixed positions and no channels: the triple is the whole truth about the keys.
		s.legacyExact = s.First > 0 && !s.movable
		for _, ks := range specs {
			s.legacyExact = s.legacyExact && ks.Flags&KeyNotKey == 0
		}
	}()
	isRange := func(ks *KeySpec) bool { return ks.Begin == BeginIndex && ks.Find == FindRange }
	if len(specs) == 1 && isRange(&specs[0]) {
		ks := &specs[0]
		s.First, s.Step = ks.Index, ks.KeyStep
		s.Last = ks.LastKey
		if s.Last >= 0 {
			s.Last += ks.Index
		}
		s.movable = s.movable || ks.Flags&KeyIncomplete != 0
		return
	}
	first, last, prevLast := -1, 0, 0
	for i := range specs {
		ks := &specs[i]
		if !isRange(ks) || ks.KeyStep != 1 || (prevLast != 0 && prevLast != ks.Index-1) {
			s.movable = true
			continue
		}
		if ks.Flags&KeyIncomplete != 0 {
			s.movable = true
		}
		if first < 0 || ks.Index < first {
			first = ks.Index
		}
		abs := ks.LastKey
		if abs >= 0 {
			abs += ks.Index
		}
		// Compared unsigned, as Redis does: a last key counted from the end wins.
		if uint(abs) > uint(last) {
			last = abs
		}
		prevLast = last
	}
	if first < 0 {
		if len(specs) > 0 {
			s.movable = true
		}
		return
	}
	s.First, s.Last, s.Step = first, last, 1
}

// setKeys gives SET's key its flags for the call: it is read as well only with GET.
func setKeys(specs []KeySpec, args [][]byte) []KeyRef {
	for _, a := range args[3:] {
		if strings.EqualFold(string(a), "get") {
			return []KeyRef{{1, specs[0].Flags &^ KeyVariableFlags}}
		}
	}
	return []KeyRef{{1, KeyOW | KeyUpdate}}
}

// bitfieldKeys gives BITFIELD's key its flags for the call: read-only when every
// operation is a complete GET or OVERFLOW (a malformed call counts as a write).
func bitfieldKeys(specs []KeySpec, args [][]byte) []KeyRef {
	for i := 2; i < len(args); i++ {
		rest := len(args) - i - 1
		switch {
		case strings.EqualFold(string(args[i]), "get") && rest >= 2:
			i += 2
		case strings.EqualFold(string(args[i]), "overflow") && rest >= 1:
			i++
		default:
			return []KeyRef{{1, specs[0].Flags &^ KeyVariableFlags}}
		}
	}
	return []KeyRef{{1, KeyRO | KeyAccess}}
}
