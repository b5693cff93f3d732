package command

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// describe writes an argument tree in one line: name:type, then =TOKEN, #key_spec_index,
// ? optional, * multiple, + multiple_token, @since, !deprecated_since, (arguments).
func describe(args []*Arg) string {
	var parts []string
	for _, a := range args {
		s := a.Name + ":" + a.Type.String()
		if a.Type == ArgPureToken || a.Token != "" {
			s += "=" + a.Token
		}
		if a.HasKeySpec {
			s += fmt.Sprintf("#%d", a.KeySpec)
		}
		for _, f := range []struct {
			on   bool
			mark string
		}{{a.Optional, "?"}, {a.Multiple, "*"}, {a.MultipleToken, "+"}} {
			if f.on {
				s += f.mark
			}
		}
		if a.Since != "" {
			s += "@" + a.Since
		}
		if a.DeprecatedSince != "" {
			s += "!" + a.DeprecatedSince
		}
		if len(a.Args) > 0 {
			s += "(" + describe(a.Args) + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestParseUsage(t *testing.T) {
	for _, tc := range []struct{ usage, want string }{
		{"", ""},
		// Plain arguments, annotations and the default types of "key" and "pattern".
		{"key value count:int timeout:double t:unix-time pattern name:pattern key:string",
			"key:key#0 value:string count:integer timeout:double t:unix-time pattern:pattern name:pattern key:string"},
		// "ip:port" is a name: "port" is no annotation.
		{"ip:port!2.8.12 yes/no", "ip:port:string!2.8.12 yes/no:string"},
		// Pure tokens, renamed tokens and the empty token.
		{`NX CH:change =:equal "":empty_string`, "nx:pure-token=NX change:pure-token=CH equal:pure-token== empty_string:pure-token="},
		// A token introduces the next word or group; before a token it stands alone.
		{"EX seconds:int NO ONE TYPE (A | B)", "seconds:integer=EX no:pure-token=NO one:pure-token=ONE a_b:oneof=TYPE(a:pure-token=A b:pure-token=B)"},
		{"(LEN) len:int", "len:pure-token=LEN len:integer"},
		// Optional, multiple, and a repeated token.
		{"[key...] [WEIGHTS weight:int...] [GET pattern]... (BY x)...",
			"key:key#0?* weight:integer=WEIGHTS?* pattern:pattern=GET?*+ x:string=BY*+"},
		// Groups: oneofs, blocks, labels, collapsing, names joined by "_".
		{"[condition: NX | XX]@2.6.12 (field value)... [LIMIT (offset:int count:int)] (a | b c)",
			"condition:oneof?@2.6.12(nx:pure-token=NX xx:pure-token=XX) field_value:block*(field:string value:string) " +
				"offset_count:block=LIMIT?(offset:integer count:integer) a_b_c:oneof(a:string b_c:block(b:string c:string))"},
		{"(p: p)... [FULL (full: [COUNT n:int])] ((h: host port:int) | (no-one: NO ONE))",
			"p:block*(p:string) full:block=FULL?(n:integer=COUNT?) h_no-one:oneof(h:block(host:string port:integer) no-one:block(no:pure-token=NO one:pure-token=ONE))"},
		// Keys are numbered in order unless given an index; a pattern may name keys.
		{"key1:key key2:key=0 dst:key [BY pattern:pattern=1]", "key1:key#0 key2:key#0 dst:key#2 pattern:pattern=BY#1?"},
		{"(x: key [key...]) newkey:key", "x:block(key:key#0 key:key#1?*) newkey:key#2"},
	} {
		args, err := ParseUsage(tc.usage)
		require.NoError(t, err, tc.usage)
		assert.Equal(t, tc.want, describe(args), tc.usage)
	}
}

func TestParseUsageErrors(t *testing.T) {
	for _, usage := range []string{
		"[key", "key]", "(a | )", "()", "key@7", "key...x", "count:int=1", "a | b", "[x:]", "(x: )",
	} {
		_, err := ParseUsage(usage)
		assert.Error(t, err, usage)
	}
}

func TestQuoteNames(t *testing.T) {
	for in, want := range map[string]string{
		"ZRANGE with the REV and BYSCORE arguments": "`ZRANGE` with the `REV` and `BYSCORE` arguments",
		"SET with the !GET argument":                "`SET` with the `!GET` argument",
		"CLUSTER REPLICAS":                          "`CLUSTER REPLICAS`",
		"HSET with multiple field-value pairs":      "`HSET` with multiple field-value pairs",
	} {
		assert.Equal(t, want, quoteNames(in))
	}
}

func TestAddDocs(t *testing.T) {
	defer func(saved map[string]*Docs) { docsByName = saved }(docsByName)
	docsByName = map[string]*Docs{}
	addDocs("test", `
THING
	Groups things.
	since 1.0.0; Per subcommand

THING GET key
	Gets a thing.
	since 1.2.0; O(1)
	1.4.0: some change.
	deprecated 2.0.0; OTHER with the X argument
	syscmd

LONG a b
    [c...]
	Wraps its usage.
	since 3.0.0
`)
	require.Len(t, docsByName, 3)
	get := docsByName["thing|get"]
	require.NotNil(t, get)
	assert.Equal(t, &Docs{Summary: "Gets a thing.", Since: "1.2.0", Group: "test", Complexity: "O(1)",
		Syscmd: true, DeprecatedSince: "2.0.0", ReplacedBy: "`OTHER` with the `X` argument",
		History: []HistoryEntry{{"1.4.0", "some change."}}, Args: get.Args}, get)
	assert.Equal(t, "key:key#0", describe(get.Args))
	assert.Equal(t, "Per subcommand", docsByName["thing"].Complexity)
	long := docsByName["long"]
	assert.Equal(t, "", long.Complexity)
	assert.Equal(t, "a:string b:string c:string?*", describe(long.Args))

	for _, bad := range []string{"\tbody first", "X\n\tno since line", "X\n\tsummary\n\tsince 1.0.0\n\tbogus line", "X [\n\ts\n\tsince 1.0.0"} {
		assert.Panics(t, func() { addDocs("test", bad) }, bad)
	}
}

// TestDocsEntries checks every entry: summary, since and group present, and the
// versions well formed.
func TestDocsEntries(t *testing.T) {
	require.Greater(t, len(docsByName), 360) // all of Redis 7.0, and a few newer
	for name, d := range docsByName {
		assert.NotEmpty(t, d.Summary, name)
		assert.True(t, isVersion(d.Since), name)
		assert.NotEmpty(t, d.Group, name)
		assert.Equal(t, d.DeprecatedSince == "", d.ReplacedBy == "", name)
	}
	for _, rows := range DataCommands() {
		for _, s := range rows {
			for _, sp := range append([]*Spec{s}, s.Subs...) {
				assert.NotNil(t, sp.Docs(), "%s has no documentation", sp.Name)
			}
		}
	}
}
