package command

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyPositionsDerived: the legacy triple and movablekeys come from the key specs as
// Redis 7 derives them (one range spec taken whole, consecutive ranges merged, anything
// else movable); a KeysFunc alone does not make keys movable (SET, BITFIELD).
func TestKeyPositionsDerived(t *testing.T) {
	for name, want := range map[string]string{
		"get":         "1,1,1 false",
		"mset":        "1,-1,2 false",
		"blpop":       "1,-2,1 false",
		"bitop":       "2,-1,1 false",
		"lcs":         "1,2,1 false",
		"set":         "1,1,1 false",
		"bitfield":    "1,1,1 false",
		"zunionstore": "1,1,1 true",
		"georadius":   "1,1,1 true",
		"sort":        "1,1,1 true",
		"xread":       "0,0,0 true",
		"lmpop":       "0,0,0 true",
		"randomkey":   "0,0,0 false",
	} {
		s := table().Get(name)
		require.NotNil(t, s, name)
		assert.Equal(t, want, fmt.Sprintf("%d,%d,%d %v", s.First, s.Last, s.Step, s.movable), name)
	}
}

// TestKeySpecSearch exercises the search forms our rows do not all use: a keyword
// searched backwards, a range limited to a fraction of the rest, a keynum with an
// offset and a step, and the cases that leave a call to the row's KeysFunc.
func TestKeySpecSearch(t *testing.T) {
	spec := func(lines ...string) *Spec {
		s := &Spec{Name: "x", Arity: -1}
		for _, l := range lines {
			ks, err := parseKeySpec(l)
			require.NoError(t, err, l)
			s.keySpecs = append(s.keySpecs, ks)
		}
		s.deriveKeyPositions()
		return s
	}
	for _, c := range []struct {
		spec []string
		call string
		want string
	}{
		{[]string{"RW: keyword KEYS -2 range -1 1 0"}, "x a KEYS b KEYS c d", "[5 6]"}, // the last KEYS, from the end
		{[]string{"RW: keyword KEYS -2 range -1 1 0"}, "x a b", "[]"},                  // absent keyword: no keys
		{[]string{"RW: keyword KEYS 1 range -1 1 0"}, "x a b KEYS", "[]"},              // not searched at the last argument
		{[]string{"RO: keyword S 1 range -1 1 3"}, "x S a b c 1 2 3 4 5 6", "[2 3 4]"}, // the first third,
		{[]string{"RO: index 1 keynum 1 2 2"}, "x y 2 a 1 b 2", "[3 5]"},
		{[]string{"RO: index 1 keynum 0 1 1"}, "x 3 a b", "[]"},    // more keys than arguments
		{[]string{"RO: index 1 keynum 0 1 1"}, "x -1 a", "[]"},     // negative count
		{[]string{"RO: index 3 range 0 1 0"}, "x a", "[]"},         // beyond the arguments
		{[]string{"RO: unknown unknown"}, "x a", "[]"},             // no KeysFunc to ask
		{[]string{"not_key: index 1 range -1 1 0"}, "x a b", "[]"}, // channels are no keys
		{[]string{"OW update: index 1 range 0 1 0", "RO access: index 2 range -1 2 0"}, "x d a b c", "[1 2 4]"},
	} {
		s := spec(c.spec...)
		assert.Equal(t, c.want, fmt.Sprint(s.KeyIndexes(words(c.call))), "%q on %q", c.spec, c.call)
	}
	// MIGRATE (no row yet): an incomplete spec leaves GETKEYS to a KeysFunc.
	migrate := &Spec{Name: "migrate", keySpecs: keySpecsByName["migrate"]}
	migrate.deriveKeyPositions()
	assert.Equal(t, "3,3,1 true", fmt.Sprintf("%d,%d,%d %v", migrate.First, migrate.Last, migrate.Step, migrate.movable))
	assert.Empty(t, migrate.Keys(words("migrate h 1 k 0 10 KEYS a b")))
	two := spec("OW update: index 1 range 0 1 0", "RO access: index 2 range -1 2 0")
	assert.True(t, two.movable, "a range with step 2 after another is not a legacy range")
	assert.Equal(t, []int{1, 1, 1}, []int{two.First, two.Last, two.Step})
}

// TestKeyFlagsPerCall: SET and BITFIELD report the flags the call needs, SORT the flags
// of the spec each key comes from.
func TestKeyFlagsPerCall(t *testing.T) {
	for call, want := range map[string]string{
		"set k v":                        "[{1 [OW update]}]",
		"set k v NX gEt":                 "[{1 [RW access update]}]",
		"bitfield k get u8 0":            "[{1 [RO access]}]",
		"bitfield k get u8 0 set u8 0 1": "[{1 [RW access update]}]",
		"bitfield k get u8":              "[{1 [RW access update]}]",
		"sort k by w store d":            "[{1 [RO access]} {5 [OW update]}]",
		"sort_ro k":                      "[{1 [RO access]}]",
		"del a b":                        "[{1 [RM delete]} {2 [RM delete]}]",
	} {
		args := words(call)
		var got []string
		for _, k := range table().Get(string(args[0])).Keys(args) {
			got = append(got, fmt.Sprintf("{%d %v}", k.Pos, k.Flags.Names()))
		}
		assert.Equal(t, want, "["+strings.Join(got, " ")+"]", call)
	}
}

func TestParseKeySpecRejects(t *testing.T) {
	for _, line := range []string{
		"index 1 range 0 1 0",         // no flags
		"XX: index 1 range 0 1 0",     // unknown flag
		"RO: index range 0 1 0",       // missing number
		"RO: index 1",                 // no find_keys
		"RO: index 1 range 0 1",       // short range
		"RO: index 1 range 0 1 0 9",   // trailing
		"RO: somewhere 1 range 0 1 0", // unknown begin_search
	} {
		_, err := parseKeySpec(line)
		assert.Error(t, err, line)
	}
}

// TestShardMaskAllocates nothing and locks the keys KeyIndexes finds: it runs on every
// command, by the legacy triple where that is exact.
func TestShardMaskAllocates(t *testing.T) {
	ks := newKS()
	for _, call := range []string{"get k", "mset a 1 b 2", "zunionstore d 2 a b", "pfmerge m",
		"bitop and d a b", "set k v get", "lcs a b", "blpop a b 0", "xread streams a b 0 0", "zinterstore d 0 a"} {
		args := words(call)
		s := table().Get(string(args[0]))
		assert.Zero(t, testing.AllocsPerRun(100, func() { s.ShardMask(args, ks) }), call)
		var want uint64
		for _, i := range s.KeyIndexes(args) {
			want |= 1 << ks.ShardOf(args[i])
		}
		assert.Equal(t, want, s.ShardMask(args, ks), call)
	}
}

// TestKeysPartial: a call one spec cannot describe reports no keys (as Redis's GETKEYS
// does) but still locks the keys of the specs that can.
func TestKeysPartial(t *testing.T) {
	args := words("pfmerge m")
	s := table().Get("pfmerge")
	assert.Empty(t, s.Keys(args))
	assert.Equal(t, []int{1}, s.KeyIndexes(args))
}

// TestKeySpecsMatchDocs cross-checks the two tables by name: the key_spec_index of a
// command's documented arguments are exactly its key specs, but for not_key ones (a
// shard channel is documented as a plain string).
func TestKeySpecsMatchDocs(t *testing.T) {
	var walk func(args []*Arg, seen map[int]bool)
	walk = func(args []*Arg, seen map[int]bool) {
		for _, a := range args {
			if a.HasKeySpec {
				seen[a.KeySpec] = true
			}
			walk(a.Args, seen)
		}
	}
	names := map[string]bool{}
	for name := range keySpecsByName {
		names[name] = true
	}
	for name := range docsByName {
		names[name] = true
	}
	for name := range names {
		d, specs := docsByName[name], keySpecsByName[name]
		if d == nil {
			t.Errorf("%s has key specs but no documentation", name)
			continue
		}
		seen := map[int]bool{}
		walk(d.Args, seen)
		want := map[int]bool{}
		for i, ks := range specs {
			if ks.Flags&KeyNotKey == 0 {
				want[i] = true
			}
		}
		assert.Equal(t, want, seen, "%s: key specs vs documented key arguments", name)
	}
}

// TestLegacyTripleExact: for every row whose triple stands for its specs, the triple
// and the specs lock the same keys at each argument count from the arity up.
func TestLegacyTripleExact(t *testing.T) {
	ks := newKS()
	for _, row := range table().Commands() {
		for _, s := range append([]*Spec{row}, row.Subs...) {
			if !s.legacyExact {
				continue
			}
			n := s.Arity
			if n < 0 {
				n = -n
			}
			for ; n <= max(s.Arity, -s.Arity)+3; n++ {
				args := make([][]byte, n)
				for i := range args {
					args[i] = []byte(fmt.Sprint("k", i)) // distinct, so most land on distinct shards
				}
				var want uint64
				for _, i := range s.KeyIndexes(args) {
					want |= 1 << ks.ShardOf(args[i])
				}
				assert.Equal(t, want, s.ShardMask(args, ks), "%s with %d arguments", s.Name, n)
			}
		}
	}
}
