package config

import (
	"errors"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/cinnabar-db/cinnabar/glob"
)

// Config holds the value of every setting. It is safe for concurrent use.
type Config struct {
	mu     sync.RWMutex
	vals   []any                 // by row index; values are never modified in place
	extras map[string][][]string // rename-command, user, loadmodule lines (arguments only)
	file   string                // absolute path of the config file, "" if none

	setMu    sync.Mutex // serializes Set and Rewrite
	hookMu   sync.Mutex
	onChange []func(name string)
	users    func() []string // the "user" lines Rewrite writes (SetUserLines)
	onApply  map[int][]func(value string) error
}

// entry is one name CONFIG GET knows: a setting's name or its alias.
type entry struct {
	name string
	row  int
}

var (
	byName   = map[string]int{} // lower-case name or alias -> entry index
	entries  []entry            // sorted by name
	defaults []any
	dirRow   int
)

func init() {
	for i := range table {
		r := &table[i]
		entries = append(entries, entry{r.name, i})
		if r.alias != "" {
			entries = append(entries, entry{r.alias, i})
		}
		if r.kind == kEnum || r.kind == kFlags {
			if len(r.vals) != len(r.words) {
				panic("config: bad enum row " + r.name)
			}
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	for i, e := range entries {
		if _, dup := byName[e.name]; dup {
			panic("config: duplicate name " + e.name)
		}
		byName[e.name] = i
	}
	defaults = make([]any, len(table))
	for i := range table {
		r := &table[i]
		if r.name == "dir" {
			dirRow = i
			continue
		}
		v, err := parseValue(r, nil, setArgs(r, r.def), false)
		if err != nil {
			panic("config: bad default of " + r.name + ": " + err.Error())
		}
		defaults[i] = v
	}
}

// setArgs turns a CONFIG SET value into the arguments of row r.
func setArgs(r *row, value string) []string {
	if r.kind == kFlags || (r.kind == kSpecial && r.sp.multi) {
		return splitSet(value)
	}
	return []string{value}
}

// lookup finds a setting by name or alias, case-insensitively.
func lookup(name string) (entryIdx int, ok bool) {
	i, ok := byName[strings.ToLower(name)]
	return i, ok
}

// Default returns a Config with every setting at its default; dir is the current
// working directory.
func Default() *Config {
	c := &Config{vals: slices.Clone(defaults), extras: map[string][][]string{}}
	wd, err := os.Getwd()
	if err != nil {
		wd = "/"
	}
	c.vals[dirRow] = wd
	return c
}

func (c *Config) value(name string) (*row, any, bool) {
	e, ok := lookup(name)
	if !ok {
		return nil, nil, false
	}
	ri := entries[e].row
	c.mu.RLock()
	v := c.vals[ri]
	c.mu.RUnlock()
	return &table[ri], v, true
}

// String returns the setting's value as CONFIG GET prints it, or "" for an unknown name.
func (c *Config) String(name string) string {
	r, v, ok := c.value(name)
	if !ok {
		return ""
	}
	return format(r, v)
}

// Int returns an integer-valued setting: ints and memory sizes (maxmemory and
// cluster-link-sendbuf-limit are uint64 bits: convert with uint64()), bools as 1/0, enums as
// the index of their word (oom-score-adj: no 0, yes/relative 1, absolute 2), flag sets
// (shutdown-on-sig*: save 1, nosave 2, now 4, force 8) and notify-keyspace-events (Notify*)
// OR-ed, maxmemory-clients as bytes or, when negative, minus a percentage of maxmemory.
// It panics on an unknown name or a setting without an integer value.
func (c *Config) Int(name string) int64 {
	r, v, ok := c.value(name)
	if !ok {
		panic("config: unknown setting " + name)
	}
	n, ok := v.(int64)
	if !ok {
		panic("config: setting " + r.name + " is not an integer")
	}
	return n
}

// Bool returns a yes/no setting. It panics on an unknown name or a non-bool setting.
func (c *Config) Bool(name string) bool {
	r, v, ok := c.value(name)
	if !ok {
		panic("config: unknown setting " + name)
	}
	if r.kind != kBool {
		panic("config: setting " + r.name + " is not a bool")
	}
	return v.(int64) != 0
}

// SavePoints returns the save rules.
func (c *Config) SavePoints() []SavePoint {
	_, v, _ := c.value("save")
	return slices.Clone(v.([]SavePoint))
}

// Bind returns the addresses to listen on.
func (c *Config) Bind() []string {
	_, v, _ := c.value("bind")
	return slices.Clone(v.([]string))
}

// BufferLimit returns the client-output-buffer-limit of a class (ClassNormal, ...).
func (c *Config) BufferLimit(class int) BufferLimit {
	_, v, _ := c.value("client-output-buffer-limit")
	return v.([3]BufferLimit)[class]
}

// Percentiles returns latency-tracking-info-percentiles.
func (c *Config) Percentiles() []float64 {
	_, v, _ := c.value("latency-tracking-info-percentiles")
	return slices.Clone(v.([]float64))
}

// OOMScoreAdjValues returns oom-score-adj-values (master, replica, background child).
func (c *Config) OOMScoreAdjValues() [3]int64 {
	_, v, _ := c.value("oom-score-adj-values")
	return v.([3]int64)
}

// Extra returns the arguments of each config file line of a directive that is not a
// setting: "rename-command", "user" or "loadmodule", in file order.
func (c *Config) Extra(directive string) [][]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.extras[directive])
}

// File returns the absolute path of the config file given to Parse, or "".
func (c *Config) File() string { return c.file }

// Immutable reports whether CONFIG SET refuses to change the setting.
func Immutable(name string) bool {
	e, ok := lookup(name)
	return ok && table[entries[e].row].immutable
}

// Protected reports whether the setting is a protected config (dir, dbfilename): CONFIG
// SET changes it only when enable-protected-configs is "yes", or "local" for a local client.
// Set allows "local" for everyone: the server checks the client when it is "local".
func Protected(name string) bool {
	e, ok := lookup(name)
	return ok && table[entries[e].row].protected
}

// Canonical returns the canonical name of a setting given its name or alias, or "".
func Canonical(name string) string {
	e, ok := lookup(name)
	if !ok {
		return ""
	}
	return table[entries[e].row].name
}

// Get implements CONFIG GET. A pattern without *, ? or [ names one setting or alias
// (case-insensitively) and is returned as written; other patterns are globs matched,
// case-insensitively, against all names and aliases in name order. Each name is
// returned at most once.
func (c *Config) Get(patterns []string) [][2]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out [][2]string
	seen := make(map[int]bool)
	emit := func(e int, name string) {
		if seen[e] {
			return
		}
		seen[e] = true
		r := &table[entries[e].row]
		out = append(out, [2]string{name, format(r, c.vals[entries[e].row])})
	}
	for _, p := range patterns {
		if !strings.ContainsAny(p, "*?[") {
			if e, ok := lookup(p); ok {
				emit(e, p)
			}
			continue
		}
		for i, e := range entries {
			if glob.Match(p, e.name, true) {
				emit(i, e.name)
			}
		}
	}
	return out
}

// SetUserLines gives Rewrite the "user" lines to write in place of the file's: the ACL
// users ("user alice on ..."), or none when they live in an aclfile. Without it
// Rewrite leaves user lines alone.
func (c *Config) SetUserLines(fn func() []string) {
	c.hookMu.Lock()
	c.users = fn
	c.hookMu.Unlock()
}

// OnChange registers fn to be called, after each successful Set and outside the config
// lock, with the canonical name of each setting whose value changed.
func (c *Config) OnChange(fn func(name string)) {
	c.hookMu.Lock()
	c.onChange = append(c.onChange, fn)
	c.hookMu.Unlock()
}

// OnApply registers fn to apply a new value of a setting (canonical name or alias) during
// Set, before the value becomes visible, with the value as CONFIG GET prints it. If fn fails,
// Set undoes the call: settings already applied in it get fn called again with their old
// value, and Set returns "ERR CONFIG SET failed (possibly related to argument '<name>') -
// <error text>". Use it for changes that can fail, like port and bind. fn runs without the
// config lock held (it may read the Config, which still shows the old values).
func (c *Config) OnApply(name string, fn func(value string) error) {
	e, ok := lookup(name)
	if !ok {
		panic("config: unknown setting " + name)
	}
	c.hookMu.Lock()
	if c.onApply == nil {
		c.onApply = map[int][]func(string) error{}
	}
	ri := entries[e].row
	c.onApply[ri] = append(c.onApply[ri], fn)
	c.hookMu.Unlock()
}

// Record stores a value the server itself changed, without CONFIG SET's checks and
// hooks: replicaof after REPLICAOF, so that CONFIG GET and CONFIG REWRITE show the
// current master, as Redis's do.
func (c *Config) Record(name string, args ...string) error {
	e, ok := lookup(name)
	if !ok {
		return errors.New("config: unknown setting " + name)
	}
	ri := entries[e].row
	c.setMu.Lock()
	defer c.setMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := parseValue(&table[ri], c.vals[ri], args, false)
	if err != nil {
		return err
	}
	vals := slices.Clone(c.vals) // readers may hold the old slice
	vals[ri] = v
	c.vals = vals
	return nil
}

func setFailed(name, reason string) error {
	return errors.New("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason)
}

// Set implements CONFIG SET name value [name value ...]: all or nothing. First every name
// is checked in order (unknown, immutable, protected, given twice), then every value is
// parsed in order, then OnApply hooks run; the first failure is returned with Redis's
// reply text.
func (c *Config) Set(pairs [][2]string) error {
	c.setMu.Lock()
	defer c.setMu.Unlock()

	c.mu.RLock()
	old := slices.Clone(c.vals)
	c.mu.RUnlock()
	protectedOK := format(&table[entries[byName["enable-protected-configs"]].row],
		old[entries[byName["enable-protected-configs"]].row]) != "no"

	rows := make([]int, len(pairs))
	seen := make(map[int]bool)
	for i, p := range pairs {
		e, ok := lookup(p[0])
		if !ok {
			return errors.New("ERR Unknown option or number of arguments for CONFIG SET - '" + p[0] + "'")
		}
		r := &table[entries[e].row]
		switch {
		case r.immutable:
			return setFailed(p[0], "can't set immutable config")
		case r.protected && !protectedOK:
			return setFailed(p[0], "can't set protected config")
		case seen[e]:
			return setFailed(p[0], "duplicate parameter")
		}
		seen[e] = true
		rows[i] = entries[e].row
	}

	vals := slices.Clone(old)
	for i, p := range pairs {
		ri := rows[i]
		r := &table[ri]
		v, err := parseValue(r, vals[ri], setArgs(r, p[1]), false)
		if err != nil {
			return setFailed(p[0], err.Error())
		}
		if r.name == "repl-backlog-size" {
			v = max(v.(int64), 16*1024) // the smallest backlog Redis allocates
		}
		vals[ri] = v
	}

	// Settings whose printed value changes, in call order, each once.
	var changed []int
	given := map[int]string{}
	for i, ri := range rows {
		if _, dup := given[ri]; dup {
			given[ri] = pairs[i][0]
			continue
		}
		given[ri] = pairs[i][0]
		if format(&table[ri], vals[ri]) != format(&table[ri], old[ri]) {
			changed = append(changed, ri)
		}
	}

	c.hookMu.Lock()
	apply := make(map[int][]func(string) error, len(c.onApply))
	for k, v := range c.onApply {
		apply[k] = slices.Clone(v)
	}
	listeners := slices.Clone(c.onChange)
	c.hookMu.Unlock()

	for n, ri := range changed {
		for _, fn := range apply[ri] {
			if err := fn(format(&table[ri], vals[ri])); err != nil {
				for _, undo := range changed[:n+1] {
					for _, fn := range apply[undo] {
						_ = fn(format(&table[undo], old[undo]))
					}
				}
				return setFailed(given[ri], err.Error())
			}
		}
	}

	c.mu.Lock()
	c.vals = vals
	c.mu.Unlock()

	for _, ri := range changed {
		for _, fn := range listeners {
			fn(table[ri].name)
		}
	}
	return nil
}
