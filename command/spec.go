package command

import (
	"fmt"
	"math/bits"
	"strings"
	"sync/atomic"

	"github.com/cinnabar-db/cinnabar/resp"
)

// Flag is a command flag, named as COMMAND INFO names it.
type Flag uint32

// Command flags, in the order COMMAND INFO lists them.
const (
	Write Flag = 1 << iota
	ReadOnly
	DenyOOM
	Admin
	PubSub
	NoScript
	Blocking
	Loading
	Stale
	SkipMonitor
	SkipSlowlog
	Fast
	NoAuth
	MayReplicate
	NoMandatoryKeys
	NoAsyncLoading
	NoMulti
	movableKeys // derived from the key specs, never declared
	AllowBusy
	Asking // runs on a cluster slot being imported (RESTORE-ASKING)
	// AllKeys is internal: the command reaches keys it does not declare (KEYS, SCAN,
	// FLUSHDB, ...), so the executor locks every shard. COMMAND does not show it.
	AllKeys
)

var flagNames = []string{"write", "readonly", "denyoom", "admin", "pubsub", "noscript",
	"blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "fast", "no_auth",
	"may_replicate", "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys", "allow_busy", "asking"}

// Category is an ACL category.
type Category uint32

// ACL categories, in the order COMMAND INFO lists them.
const (
	CatKeyspace Category = 1 << iota
	CatRead
	CatWrite
	CatSet
	CatSortedSet
	CatList
	CatHash
	CatString
	CatBitmap
	CatHyperLogLog
	CatGeo
	CatStream
	CatPubSub
	CatAdmin
	CatFast
	CatSlow
	CatBlocking
	CatDangerous
	CatConnection
	CatTransaction
	CatScripting
)

var categoryNames = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting"}

// CategoryList names the ACL categories in bit order (the order of ACL CAT); callers
// must not modify it.
func CategoryList() []string { return categoryNames }

// Handler runs a command. It writes one reply, or returns an error for the executor
// to write.
type Handler func(c *Ctx) error

// Spec declares one command or subcommand.
type Spec struct {
	Name  string // lower case; subcommands as "parent|sub"
	Arity int
	Flags Flag
	// KeysFunc finds a call's keys where the key specs (keyspecs.go) cannot: unknown
	// positions (SORT ... STORE) or flags that depend on the arguments (SET ... GET).
	// It takes the flags of the keys it finds from the command's specs.
	KeysFunc func(specs []KeySpec, args [][]byte) []KeyRef
	// Cat holds the categories that flags do not imply (the type group, @keyspace,
	// @dangerous, @connection, ...).
	Cat  Category
	Do   Handler
	Subs []*Spec

	// Legacy key positions (COMMAND INFO's first, last and step: negative last counts
	// from the end), derived from the key specs by NewTable, never declared.
	First, Last, Step int

	keySpecs    []KeySpec
	movable     bool
	legacyExact bool // First/Last/Step find every key of every call
	parent      *Spec
	id          int // index among the table's rows and subcommand rows (ACL bitsets)
	stats       Stats
}

// Stats are a command's counters for INFO commandstats.
type Stats struct {
	Calls, Usec, Rejected, Failed atomic.Int64
}

// Stats returns the command's counters.
func (s *Spec) Stats() *Stats { return &s.stats }

// FullName is the name COMMAND and error messages use ("config|get").
func (s *Spec) FullName() string { return s.Name }

// ID numbers the row among its table's rows and subcommand rows, from 0: ACL
// permissions are bitsets indexed by it.
func (s *Spec) ID() int { return s.id }

// Parent returns the container command of a subcommand, or nil.
func (s *Spec) Parent() *Spec { return s.parent }

// Has reports whether the command has all flags in f.
func (s *Spec) Has(f Flag) bool { return s.Flags&f == f }

// FlagNames lists the flags COMMAND INFO shows.
func (s *Spec) FlagNames() []string {
	f := s.Flags &^ AllKeys
	if s.movable {
		f |= movableKeys
	}
	var out []string
	for m := uint32(f); m != 0; m &= m - 1 {
		out = append(out, flagNames[bits.TrailingZeros32(m)])
	}
	return out
}

// Categories returns the command's ACL categories: those its flags imply plus its own.
func (s *Spec) Categories() Category {
	c := s.Cat
	if s.Flags&Write != 0 {
		c |= CatWrite
	}
	if s.Flags&ReadOnly != 0 && s.Cat&CatScripting == 0 {
		c |= CatRead
	}
	if s.Flags&Admin != 0 {
		c |= CatAdmin | CatDangerous
	}
	if s.Flags&PubSub != 0 {
		c |= CatPubSub
	}
	if s.Flags&Fast != 0 {
		c |= CatFast
	} else {
		c |= CatSlow
	}
	if s.Flags&Blocking != 0 {
		c |= CatBlocking
	}
	return c
}

// CategoryNames lists the categories as COMMAND INFO shows them ("@read").
func (s *Spec) CategoryNames() []string {
	var out []string
	for m := uint32(s.Categories()); m != 0; m &= m - 1 {
		out = append(out, "@"+categoryNames[bits.TrailingZeros32(m)])
	}
	return out
}

// Table is the set of all commands.
type Table struct {
	byName map[string]*Spec
	sorted []*Spec
	rows   int // rows and subcommand rows, the count of IDs
}

// NewTable builds a table from rows; it panics on a malformed row, since the rows are
// program text.
func NewTable(groups ...[]*Spec) *Table {
	t := &Table{byName: map[string]*Spec{}}
	for _, g := range groups {
		for _, s := range g {
			t.add(s)
		}
	}
	return t
}

func (t *Table) add(s *Spec) {
	if s.Name != strings.ToLower(s.Name) || t.byName[s.Name] != nil {
		panic(fmt.Sprintf("command: bad or duplicate row %q", s.Name))
	}
	if s.Do == nil && len(s.Subs) == 0 {
		panic(fmt.Sprintf("command: %q has no handler", s.Name))
	}
	for _, sp := range append([]*Spec{s}, s.Subs...) {
		sp.keySpecs = keySpecsByName[sp.Name]
		sp.deriveKeyPositions()
		sp.id = t.rows
		t.rows++
	}
	for _, sub := range s.Subs {
		sub.parent = s
		if !strings.HasPrefix(sub.Name, s.Name+"|") {
			panic(fmt.Sprintf("command: subcommand %q of %q", sub.Name, s.Name))
		}
	}
	t.byName[s.Name] = s
	t.sorted = append(t.sorted, s)
}

// Commands returns the top-level commands.
func (t *Table) Commands() []*Spec { return t.sorted }

// Rows is the number of rows and subcommand rows: the IDs run from 0 to Rows()-1.
func (t *Table) Rows() int { return t.rows }

// Get returns a top-level command by lower-case name.
func (t *Table) Get(name string) *Spec { return t.byName[name] }

// Lookup resolves a call to its command or subcommand row, or returns Redis's error
// for an unknown command or subcommand or a wrong number of arguments.
func (t *Table) Lookup(args [][]byte) (*Spec, error) { return t.LookupRecent(nil, args) }

// LookupRecent is Lookup for a caller that knows the top-level commands of its recent
// calls (nil entries allowed): a client mostly cycles through a few commands (one, or
// a transaction's MULTI, INCR, EXPIRE, EXEC), and comparing the name with theirs costs
// a fraction of the map lookup.
func (t *Table) LookupRecent(recent []*Spec, args [][]byte) (*Spec, error) {
	name := args[0]
	var s *Spec
	for _, r := range recent {
		if r != nil && isName(name, r.Name) {
			s = r
			break
		}
	}
	if s == nil {
		s = t.find(name)
	}
	if s == nil {
		return nil, unknownCommand(args)
	}
	if len(s.Subs) > 0 {
		if len(args) == 1 {
			if s.Do != nil {
				return s, nil // the container's own form (plain COMMAND)
			}
			return nil, arityError(s)
		}
		sub := s.findSub(args[1])
		if sub == nil {
			return nil, Errorf("ERR unknown subcommand '%s'. Try %s HELP.", truncate(string(args[1]), 128), strings.ToUpper(s.Name))
		}
		s = sub
	}
	if (s.Arity > 0 && len(args) != s.Arity) || len(args) < -s.Arity {
		return nil, arityError(s)
	}
	return s, nil
}

// find looks a top-level command up by name, in any case.
func (t *Table) find(name []byte) *Spec {
	var lower [32]byte
	if len(name) > len(lower) {
		return nil
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return t.byName[string(lower[:len(name)])]
}

// isName reports whether b is the lower-case name, in any case.
func isName(b []byte, name string) bool {
	if len(b) != len(name) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// Sub returns a subcommand by name ("load" of MODULE), or nil.
func (s *Spec) Sub(name string) *Spec { return s.findSub([]byte(name)) }

func (s *Spec) findSub(name []byte) *Spec {
	prefix := len(s.Name) + 1
	for _, sub := range s.Subs {
		if strings.EqualFold(sub.Name[prefix:], string(name)) {
			return sub
		}
	}
	return nil
}

func arityError(s *Spec) error {
	return Errorf("ERR wrong number of arguments for '%s' command", s.Name)
}

func unknownCommand(args [][]byte) error {
	var list strings.Builder
	for _, a := range args[1:] {
		if list.Len() >= 128 {
			break
		}
		fmt.Fprintf(&list, "'%s' ", truncate(string(a), 128-list.Len()))
	}
	return Errorf("ERR unknown command '%s', with args beginning with: %s", truncate(string(args[0]), 128), list.String())
}

func truncate(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Err is an error reply; its text starts with the error code ("ERR ...").
type Err string

func (e Err) Error() string { return string(e) }

// Errorf formats an error reply.
func Errorf(format string, a ...any) error { return Err(fmt.Sprintf(format, a...)) }

// Common error replies as values.
var (
	ErrSyntax    error = Err(resp.ErrSyntax)
	ErrWrongType error = Err(resp.ErrWrongType)
	ErrNotInt    error = Err(resp.ErrNotInteger)
	ErrNotFloat  error = Err(resp.ErrNotFloat)
)
