package command

import (
	"strings"
	"sync"
	"testing"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// testRows are the row groups the in-process test table is built from.
var testRows = DataCommands()

var (
	testTableOnce sync.Once
	testTable     *Table
)

// table returns the test table, built once from testRows (a row registered twice is
// taken once).
func table() *Table {
	testTableOnce.Do(func() {
		seen := map[*Spec]bool{}
		var rows []*Spec
		for _, g := range testRows {
			for _, s := range g {
				if !seen[s] {
					seen[s] = true
					rows = append(rows, s)
				}
			}
		}
		testTable = NewTable(rows)
	})
	return testTable
}

// newKS returns an empty keyspace on a wall clock.
func newKS() *store.Keyspace { return store.New(16, 64, &clock.Clock{}) }

// run executes one command against database 0 of ks in RESP2 and returns the raw reply.
func run(t testing.TB, ks *store.Keyspace, args ...string) string {
	t.Helper()
	return runProto(t, ks, 2, args...)
}

// run3 is run in RESP3.
func run3(t testing.TB, ks *store.Keyspace, args ...string) string {
	t.Helper()
	return runProto(t, ks, 3, args...)
}

func runProto(t testing.TB, ks *store.Keyspace, proto int, args ...string) string {
	t.Helper()
	out, err, _ := call(t, ks, proto, "", false, args...)
	if err == nil {
		return out
	}
	if out != "" {
		t.Fatalf("%q wrote %q and returned error %v", args, out, err)
	}
	w := &resp.Writer{Proto: proto}
	w.Error(err.Error())
	return string(w.Bytes())
}

// call runs one command as the executor does, with control over ReadyKey and NoBlock;
// it returns the raw reply, the handler's error and the Ctx (for Blocked and Args).
func call(t testing.TB, ks *store.Keyspace, proto int, readyKey string, noBlock bool, args ...string) (string, error, *Ctx) {
	t.Helper()
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	w := &resp.Writer{Proto: proto}
	spec, err := table().Lookup(argv)
	c := &Ctx{Args: argv, Spec: spec, W: w, KS: ks, DB: ks.DB(0), NoBlock: noBlock}
	if readyKey != "" {
		c.ReadyKey = []byte(readyKey)
	}
	if err == nil {
		err = spec.Do(c)
	}
	return string(w.Bytes()), err, c
}

// expect runs each {args..., reply} case in order against ks: the last element is the
// expected raw RESP2 reply.
func expect(t *testing.T, ks *store.Keyspace, cases ...[]string) {
	t.Helper()
	for _, c := range cases {
		args, want := c[:len(c)-1], c[len(c)-1]
		if got := run(t, ks, args...); got != want {
			t.Errorf("%q = %q, want %q", args, got, want)
		}
	}
}

// scenario is a named command sequence run on a fresh keyspace: each step is
// {args..., raw RESP2 reply}.
type scenario struct {
	name  string
	steps [][]string
}

func runScenarios(t *testing.T, scenarios []scenario) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { expect(t, newKS(), sc.steps...) })
	}
}

// words splits a call on spaces into its arguments.
func words(s string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(s) {
		out = append(out, []byte(f))
	}
	return out
}
