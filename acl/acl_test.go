package acl

import (
	"errors"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/command"
)

// testTable is the data commands' table plus the rows ACL treats specially (pub/sub,
// AUTH, CONFIG's subcommands, SELECT's first argument).
func testTable() *command.Table {
	nop := func(*command.Ctx) error { return nil }
	return command.NewTable(append(command.DataCommands(), []*command.Spec{
		{Name: "publish", Arity: 3, Flags: command.PubSub | command.Fast, Do: nop},
		{Name: "subscribe", Arity: -2, Flags: command.PubSub, Do: nop},
		{Name: "psubscribe", Arity: -2, Flags: command.PubSub, Do: nop},
		{Name: "select", Arity: 2, Flags: command.Fast, Cat: command.CatConnection, Do: nop},
		{Name: "auth", Arity: -2, Flags: command.NoAuth | command.Fast, Cat: command.CatConnection, Do: nop},
		{Name: "config", Arity: -2, Cat: command.CatSlow, Subs: []*command.Spec{
			{Name: "config|get", Arity: -3, Flags: command.Admin, Do: nop},
			{Name: "config|set", Arity: -4, Flags: command.Admin, Do: nop},
		}},
	})...)
}

func newUser(t *testing.T, r *Registry, name string, rules ...string) *User {
	t.Helper()
	merged, _, err := MergeSelectors(rules)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := r.SetUser(name, merged)
	if err != nil {
		t.Fatalf("SETUSER %s %v: %v", name, rules, err)
	}
	return ref.Load()
}

func args(s string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(s) {
		out = append(out, []byte(f))
	}
	return out
}

func lookup(t *testing.T, tab *command.Table, call string) (*command.Spec, [][]byte) {
	t.Helper()
	a := args(call)
	spec, err := tab.Lookup(a)
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	return spec, a
}

func TestDescriptions(t *testing.T) {
	for _, tc := range []struct{ rules, want string }{
		{"", "u off resetchannels -@all"},
		{"on nopass allkeys allchannels allcommands", "u on nopass ~* &* +@all"},
		{"on >p1 +get +set -@all +get ~k* &ch", "u on #" + HashPassword("p1") + " ~k* resetchannels &ch -@all +get"},
		{"+@all -config +config|get", "u off resetchannels +@all -config +config|get"},
		{"+select|0 +config|get", "u off resetchannels -@all +config|get +select|0"},
		{"+@string -get", "u off resetchannels -@all +@string -get"},
		{"+@all -@hash +hget", "u off resetchannels +@all -@hash +hget"},
		{"+@all -@dangerous", "u off resetchannels +@all -@dangerous"},
		{"-@all +@read -get", "u off resetchannels -@all +@read -get"},
		{"%R~r* %W~w* %RW~b* ~c* %R~c*", "u off %R~r* %W~w* ~b* ~c* resetchannels -@all"},
		{"%R~x %W~x", "u off ~x resetchannels -@all"},
		{"(+get ~foo) (+set %W~bar &c1)", "u off resetchannels -@all (~foo resetchannels -@all +get) (%W~bar resetchannels &c1 -@all +set)"},
		{"on nopass +@all reset", "u off sanitize-payload resetchannels -@all"},
		{"&a &a ~x ~x +get +get", "u off ~x resetchannels &a -@all +get"},
	} {
		r := NewRegistry(NewModel(testTable()))
		u := newUser(t, r, "u", strings.Fields(tc.rules)...)
		if got := u.Rule(); got != tc.want {
			t.Errorf("SETUSER u %s:\n got %q\nwant %q", tc.rules, got, tc.want)
		}
		// A description is rules that rebuild the same user.
		users, err := r.ParseLines("test", [][]string{append([]string{"user"}, strings.Fields(u.Rule())...)})
		if err != nil {
			t.Fatalf("%s: %v", u.Rule(), err)
		}
		if got := users["u"].Rule(); got != tc.want {
			t.Errorf("round trip of %q gives %q", tc.want, got)
		}
	}
}

func TestGetUserShape(t *testing.T) {
	r := NewRegistry(NewModel(testTable()))
	u := newUser(t, r, "u", "on", ">x", "%R~r*", "&c", "+get", "(+set", "~w)")
	flags, root, sels := u.Describe()
	if strings.Join(flags, ",") != "on" || root != (Description{"-@all +get", "%R~r*", "&c"}) {
		t.Errorf("flags %v root %+v", flags, root)
	}
	if len(sels) != 1 || sels[0] != (Description{"-@all +set", "~w", ""}) {
		t.Errorf("selectors %+v", sels)
	}
	flags, root, _ = r.Default().Load().Describe()
	if strings.Join(flags, ",") != "on,nopass" || root != (Description{"+@all", "~*", "&*"}) {
		t.Errorf("default: flags %v root %+v", flags, root)
	}
}

func TestRuleErrors(t *testing.T) {
	for _, tc := range []struct{ rules, bad, reason string }{
		{"foo", "foo", errSyntax},
		{"+nosuch", "+nosuch", errUnknownCmd},
		{"+@nosuch", "+@nosuch", errUnknownCmd},
		{"+config|nosuch", "+config|nosuch", errUnknownCmd},
		{"-select|0", "-select|0", errUnknownCmd},
		{"~* ~foo", "~foo", errKeyAfterAll},
		{"&* &foo", "&foo", errChAfterAll},
		{"<nope", "<nope", errNoPassword},
		{"#abc", "#abc", errBadHash},
		{"%X~b", "%X~b", errSyntax},
		{"%RWR~a", "%RWR~a", errSyntax},
		{"%~a", "%~a", errSyntax},
		{"+get|", "+get|", errSyntax},
		{"+get|x|y", "+get|x|y", errUnknownCmd},
		{"+config|get|x", "+config|get|x", errSubFirstArg},
		{"+config|nosuch|x", "+config|nosuch|x", errUnknownCmd},
		{"+", "+", errUnknownCmd},
		{"(+get foo)", "(+get foo)", errSyntax},
		{"( +get foo )", "( +get foo )", errSyntax},
	} {
		r := NewRegistry(NewModel(testTable()))
		rules, _, _ := MergeSelectors(strings.Fields(tc.rules))
		_, err := r.SetUser("u", rules)
		var re *RuleError
		if !errors.As(err, &re) || re.Rule != tc.bad || re.Reason != tc.reason {
			t.Errorf("%s: got %v, want %q: %q", tc.rules, err, tc.bad, tc.reason)
		}
		if r.Get("u") != nil {
			t.Errorf("%s: a failed SETUSER created the user", tc.rules)
		}
	}
	if _, bad, err := MergeSelectors([]string{"on", "(+get", "~x"}); err == nil || bad != "(+get" {
		t.Errorf("unmatched parenthesis: %q %v", bad, err)
	}
	if got, _, _ := MergeSelectors([]string{"(", "+get", "~z", ")", "on"}); len(got) != 2 || got[0] != "( +get ~z )" {
		t.Errorf("merged %q", got)
	}
}

func TestFailedSetUserChangesNothing(t *testing.T) {
	r := NewRegistry(NewModel(testTable()))
	before := newUser(t, r, "u", "on", ">p", "+get")
	if _, err := r.SetUser("u", []string{"+set", "off", "+nosuch"}); err == nil {
		t.Fatal("no error")
	}
	if after := r.Get("u").Load(); after != before || after.Rule() != before.Rule() {
		t.Errorf("user changed: %s", after.Rule())
	}
}

func TestPasswords(t *testing.T) {
	r := NewRegistry(NewModel(testTable()))
	u := newUser(t, r, "u", "on", ">a", ">b", "<a", "#"+HashPassword("c"))
	for pass, want := range map[string]bool{"a": false, "b": true, "c": true, "": false} {
		if u.CheckPassword(pass) != want {
			t.Errorf("password %q: want %v", pass, want)
		}
	}
	u = newUser(t, r, "u", "!"+HashPassword("c"), "off")
	if u.CheckPassword("b") {
		t.Error("a disabled user opened")
	}
	u = newUser(t, r, "u", "on", "nopass")
	if !u.CheckPassword("anything") || len(u.Passwords()) != 0 {
		t.Error("nopass")
	}
	u = newUser(t, r, "u", "resetpass")
	if u.CheckPassword("anything") || u.NoPass {
		t.Error("resetpass")
	}
	u = newUser(t, r, "u", "nopass", ">x")
	if u.NoPass || !u.CheckPassword("x") || u.CheckPassword("y") {
		t.Error("a password after nopass")
	}
}

func TestCheck(t *testing.T) {
	tab := testTable()
	r := NewRegistry(NewModel(tab))
	u := newUser(t, r, "u", "on", "-@all", "+get", "+set", "+exists", "+rename", "+publish", "+subscribe", "+psubscribe",
		"+select|0", "+config|get", "~k*", "%R~ro*", "%W~wo*", "&ch*", "(+lpush ~l*)", "(+get ~s*)")
	for _, tc := range []struct {
		call string
		want Denial
		pos  int
	}{
		{"get k1", Allowed, 0},
		{"get z", DeniedKey, 1},
		{"get ro1", Allowed, 0},
		{"get wo1", DeniedKey, 1},
		{"set wo1 v", Allowed, 0}, // SET without GET only writes
		{"set ro1 v", DeniedKey, 1},
		{"set wo1 v get", DeniedKey, 1},  // ... with GET it reads as well
		{"exists ro1 wo1 k", Allowed, 0}, // neither read nor write: any pattern
		{"exists k z", DeniedKey, 2},
		{"rename k1 wo2", Allowed, 0},
		{"rename ro1 k2", DeniedKey, 1},
		{"lpush l1 x", Allowed, 0},   // a selector allows it
		{"lpush k1 x", DeniedKey, 1}, // a selector has the command, none the key: the key wins
		{"get s1", Allowed, 0},
		{"config get x", Allowed, 0},
		{"config set x y", DeniedCommand, 0},
		{"select 0", Allowed, 0},
		{"select 1", DeniedCommand, 0},
		{"auth x", Allowed, 0}, // no-auth commands are always allowed
		{"publish chx m", Allowed, 0},
		{"publish zz m", DeniedChannel, 1},
		{"subscribe ch1 zz", DeniedChannel, 2},
		{"psubscribe ch*", Allowed, 0},
		{"psubscribe ch1*", DeniedChannel, 1}, // patterns must be the user's own
	} {
		spec, a := lookup(t, tab, tc.call)
		if d, pos := u.Check(spec, a); d != tc.want || pos != tc.pos {
			t.Errorf("%s: got %v at %d, want %v at %d", tc.call, d, pos, tc.want, tc.pos)
		}
	}
}

func TestUnrestricted(t *testing.T) {
	tab := testTable()
	r := NewRegistry(NewModel(tab))
	if !r.Default().Load().Unrestricted {
		t.Fatal("the default user is restricted")
	}
	for _, rules := range []string{"-get", "resetkeys %R~*", "resetchannels", "-config|set"} {
		if u := newUser(t, r, "u", append([]string{"reset", "+@all", "~*", "&*"}, strings.Fields(rules)...)...); u.Unrestricted {
			t.Errorf("%s: unrestricted", rules)
		}
	}
	if u := newUser(t, r, "u", "reset", "allkeys", "allchannels", "-@all", "+get", "+@all"); !u.Unrestricted {
		t.Error("+@all after -@all is unrestricted")
	}
}

func TestPubsubDefault(t *testing.T) {
	m := NewModel(testTable())
	m.AllChannels.Store(true)
	r := NewRegistry(m)
	if u := newUser(t, r, "u"); u.Rule() != "u off &* -@all" {
		t.Errorf("allchannels default: %s", u.Rule())
	}
}

func TestParseLines(t *testing.T) {
	r := NewRegistry(NewModel(testTable()))
	users, err := r.ParseLines("f.acl", fieldsOf("user bob on >pw ~b* +get", "", "user default on nopass ~* &* +@all"))
	if err != nil || len(users) != 2 || !users["bob"].CheckPassword("pw") {
		t.Fatalf("%v %v", users, err)
	}
	_, err = r.ParseLines("f.acl", fieldsOf("user bob on +nosuch", "foo bar", "user a (+get", "user a on", "user a on"))
	want := "f.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
		"f.acl:2 should start with user keyword followed by the username. " +
		"f.acl:3: Unmatched parenthesis in acl selector starting at '(+get'. " +
		"f.acl:5: Duplicate user 'a' found. "
	if err == nil || err.Error() != want {
		t.Errorf("errors:\n got %v\nwant %s", err, want)
	}
	old := r.Default()
	replaced := r.Replace(users)
	if r.Default() != old || len(replaced) != 0 || r.Get("bob") == nil {
		t.Error("Replace")
	}
	if replaced = r.Replace(map[string]*User{"default": users["default"]}); len(replaced) != 1 || r.Get("bob") != nil {
		t.Error("Replace drops the users the lines lack")
	}
	newUser(t, r, "default", ">x")
	if r.Replace(map[string]*User{}); r.Default() != old || r.Default().Load().Rule() != "default on nopass ~* &* +@all" {
		t.Errorf("Replace without a default user: %s", r.Default().Load().Rule())
	}
}

func TestCheckChannel(t *testing.T) {
	r := NewRegistry(NewModel(testTable()))
	u := newUser(t, r, "u", "&news*", "(&x)")
	if !u.CheckChannel("news1", false) || !u.CheckChannel("x", false) || u.CheckChannel("other", false) {
		t.Error("channels")
	}
	if !u.CheckChannel("news*", true) || u.CheckChannel("news1*", true) {
		t.Error("patterns match literally")
	}
}

func TestReadsAllKeys(t *testing.T) {
	tab := testTable()
	r := NewRegistry(NewModel(tab))
	sort, a := lookup(t, tab, "sort k by w*")
	for rules, want := range map[string]bool{
		"+sort ~*":             true,
		"+sort %R~*":           true,
		"+sort %W~*":           false,
		"+sort ~k*":            false,
		"+get ~* (+sort ~k)":   false,
		"+get ~k (+sort %R~*)": true,
	} {
		if got := newUser(t, r, "u", append([]string{"reset"}, strings.Fields(rules)...)...).ReadsAllKeys(sort, a); got != want {
			t.Errorf("%s: %v", rules, got)
		}
	}
}

// fieldsOf splits lines into arguments at blanks (the lines here have no quotes).
func fieldsOf(lines ...string) [][]string {
	out := make([][]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Fields(l)
	}
	return out
}
