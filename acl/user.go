package acl

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cinnabar-db/cinnabar/command"
)

// Key permissions of a key pattern.
const (
	permRead  uint8 = 1
	permWrite uint8 = 2
)

type keyPattern struct {
	pattern string
	perm    uint8
}

// Selector is one set of command, key and channel permissions: a user's root selector
// or one of its (...) selectors.
type Selector struct {
	cmds        []uint64 // allowed rows, by command.Spec.ID
	firstArgs   map[int][]string
	future      bool // "+@all": commands added later are allowed too (the description's base)
	keys        []keyPattern
	allKeys     bool
	channels    []string
	allChannels bool
}

// User is one ACL user. It is immutable: see Edit.
type User struct {
	Name         string
	Enabled      bool
	NoPass       bool
	Sanitize     int8 // 1 sanitize-payload, -1 skip-sanitize-payload, 0 neither
	passwords    []string
	root         Selector
	selectors    []*Selector
	Unrestricted bool // every command, key and channel: the executor skips Check
	model        *Model
}

// Model holds what rules refer to: the command table, and whether new users and
// selectors start with every channel (acl-pubsub-default).
type Model struct {
	table       *command.Table
	AllChannels atomic.Bool
	catOnce     sync.Once
	cats        [][]int // rows of each category, by category bit
}

// NewModel returns the model of a command table.
func NewModel(t *command.Table) *Model { return &Model{table: t} }

// NewUser returns a user as ACL SETUSER creates it: off, no password, no permissions.
func (m *Model) NewUser(name string) *User {
	u := &User{Name: name, model: m}
	u.root = m.newSelector()
	u.derive()
	return u
}

func (m *Model) newSelector() Selector {
	return Selector{cmds: make([]uint64, (m.table.Rows()+63)/64), allChannels: m.AllChannels.Load()}
}

// Passwords returns the SHA-256 hashes of the user's passwords, in hex.
func (u *User) Passwords() []string { return u.passwords }

// CheckPassword reports whether pass opens the user (enabled, and nopass or one of its
// passwords).
func (u *User) CheckPassword(pass string) bool {
	if !u.Enabled {
		return false
	}
	if u.NoPass {
		return true
	}
	return slices.Contains(u.passwords, HashPassword(pass))
}

// HashPassword is the SHA-256 hash of a password in lower-case hex, as aclfiles store it.
func HashPassword(pass string) string {
	sum := sha256.Sum256([]byte(pass))
	return hex.EncodeToString(sum[:])
}

// Edit returns a copy of the user to apply rules to; the original is untouched.
func (u *User) Edit() *User {
	c := *u
	c.passwords = slices.Clone(u.passwords)
	c.root = u.root.clone()
	c.selectors = make([]*Selector, len(u.selectors))
	for i, s := range u.selectors {
		cs := s.clone()
		c.selectors[i] = &cs
	}
	return &c
}

func (s *Selector) clone() Selector {
	c := *s
	c.cmds = slices.Clone(s.cmds)
	c.keys = slices.Clone(s.keys)
	c.channels = slices.Clone(s.channels)
	if s.firstArgs != nil {
		c.firstArgs = map[int][]string{}
		for k, v := range s.firstArgs {
			c.firstArgs[k] = slices.Clone(v)
		}
	}
	return c
}

// RuleError is a rule that could not be applied; the server words it per command.
type RuleError struct {
	Rule   string
	Reason string
}

func (e *RuleError) Error() string { return e.Reason }

// The reasons of rule errors, in Redis's words.
const (
	errSyntax      = "Syntax error"
	errUnknownCmd  = "Unknown command or category name in ACL"
	errKeyAfterAll = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	errChAfterAll  = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
	errNoPassword  = "The password you are trying to remove from the user does not exist"
	errBadHash     = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	errSubFirstArg = "Allowing first-arg of a subcommand is not supported"
)

// ErrUnmatched is a selector whose "(" has no ")".
var ErrUnmatched = errors.New("unmatched parenthesis")

// MergeSelectors joins the arguments of ACL SETUSER that make up one "(...)" selector
// into one rule, as Redis does for rules split on spaces. On a "(" without ")" it
// returns the argument it starts at and ErrUnmatched.
func MergeSelectors(args []string) ([]string, string, error) {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "(") || strings.HasSuffix(a, ")") {
			out = append(out, a)
			continue
		}
		start := i
		parts := []string{a}
		for i++; i < len(args) && !strings.HasSuffix(args[i-1], ")"); i++ {
			parts = append(parts, args[i])
		}
		i--
		if !strings.HasSuffix(parts[len(parts)-1], ")") {
			return nil, args[start], ErrUnmatched
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out, "", nil
}

// Apply applies one rule to the user being edited.
func (u *User) Apply(rule string) error {
	fail := func(reason string) error { return &RuleError{Rule: rule, Reason: reason} }
	switch strings.ToLower(rule) {
	case "on":
		u.Enabled = true
	case "off":
		u.Enabled = false
	case "nopass":
		u.NoPass, u.passwords = true, nil
	case "resetpass":
		u.NoPass, u.passwords = false, nil
	case "skip-sanitize-payload":
		u.Sanitize = -1
	case "sanitize-payload":
		u.Sanitize = 1
	case "clearselectors":
		u.selectors = nil
	case "reset":
		for _, r := range []string{"resetpass", "resetkeys", "resetchannels", "off", "clearselectors", "-@all"} {
			_ = u.Apply(r)
		}
		u.Sanitize = 1 // as Redis 7.0's reset does
		if u.model.AllChannels.Load() {
			_ = u.Apply("allchannels")
		}
	default:
		switch {
		case rule[0] == '>':
			u.addPassword(HashPassword(rule[1:]))
		case rule[0] == '#':
			if !isHash(rule[1:]) {
				return fail(errBadHash)
			}
			u.addPassword(rule[1:])
		case rule[0] == '<' || rule[0] == '!':
			h := rule[1:]
			if rule[0] == '<' {
				h = HashPassword(h)
			} else if !isHash(h) {
				return fail(errBadHash)
			}
			i := slices.Index(u.passwords, h)
			if i < 0 {
				return fail(errNoPassword)
			}
			u.passwords = slices.Delete(u.passwords, i, i+1)
		case rule[0] == '(' && rule[len(rule)-1] == ')':
			sel := u.model.newSelector()
			for _, r := range strings.Fields(rule[1 : len(rule)-1]) {
				if reason := sel.apply(u.model, r); reason != "" {
					return fail(reason)
				}
			}
			u.selectors = append(u.selectors, &sel)
		default:
			if reason := u.root.apply(u.model, rule); reason != "" {
				return fail(reason)
			}
		}
	}
	return nil
}

// Done ends an edit: it returns the user with its derived fields up to date.
func (u *User) Done() *User {
	u.derive()
	return u
}

func (u *User) derive() {
	u.Unrestricted = u.root.unrestricted(u.model)
}

func (u *User) addPassword(h string) {
	u.NoPass = false
	if !slices.Contains(u.passwords, h) {
		u.passwords = append(u.passwords, h)
	}
}

func isHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// apply applies a selector rule; it returns the reason it failed, or "".
func (s *Selector) apply(m *Model, rule string) string {
	switch strings.ToLower(rule) {
	case "allkeys":
		rule = "~*"
	case "allchannels":
		rule = "&*"
	case "allcommands":
		rule = "+@all"
	case "nocommands":
		rule = "-@all"
	case "resetkeys":
		s.keys, s.allKeys = nil, false
		return ""
	case "resetchannels":
		s.channels, s.allChannels = nil, false
		return ""
	}
	switch rule[0] {
	case '~', '%':
		return s.addKeyPattern(rule)
	case '&':
		if s.allChannels {
			return errChAfterAll
		}
		if rule == "&*" {
			s.channels, s.allChannels = nil, true
		} else if !slices.Contains(s.channels, rule[1:]) {
			s.channels = append(s.channels, rule[1:])
		}
		return ""
	case '+', '-':
		return s.applyCommandRule(m, rule[0] == '+', rule[1:])
	}
	return errSyntax
}

func (s *Selector) addKeyPattern(rule string) string {
	perm := permRead | permWrite
	if rule[0] == '%' {
		flags, pat, ok := strings.Cut(rule[1:], "~")
		if !ok || flags == "" {
			return errSyntax
		}
		perm = 0
		for _, f := range strings.ToUpper(flags) {
			bit := permRead
			if f == 'W' {
				bit = permWrite
			}
			if f != 'R' && f != 'W' || perm&bit != 0 { // a letter twice is an error too
				return errSyntax
			}
			perm |= bit
		}
		rule = "~" + pat
	}
	if s.allKeys {
		return errKeyAfterAll
	}
	pat := rule[1:]
	if pat == "*" && perm == permRead|permWrite {
		s.keys, s.allKeys = nil, true
		return ""
	}
	for i := range s.keys {
		if s.keys[i].pattern == pat {
			s.keys[i].perm |= perm
			return ""
		}
	}
	s.keys = append(s.keys, keyPattern{pat, perm})
	return ""
}

// applyCommandRule applies +name / -name (a command, "cmd|sub", "cmd|firstarg" or
// "@category").
func (s *Selector) applyCommandRule(m *Model, allow bool, name string) string {
	name = strings.ToLower(name)
	if cat, ok := strings.CutPrefix(name, "@"); ok {
		if cat == "all" {
			s.future = allow
			for i := range s.cmds {
				s.cmds[i] = 0
				if allow {
					s.cmds[i] = ^uint64(0)
				}
			}
			s.firstArgs = nil
			return ""
		}
		c, ok := CategoryByName(cat)
		if !ok {
			return errUnknownCmd
		}
		for _, top := range m.table.Commands() {
			for _, sp := range rowsOf(top) {
				if sp.Categories()&c != 0 {
					s.set(sp.ID(), allow)
				}
			}
		}
		return ""
	}
	cmd, rest, hasSub := strings.Cut(name, "|")
	top := m.table.Get(cmd)
	switch {
	case hasSub && rest == "":
		return errSyntax
	case top == nil:
		return errUnknownCmd
	case !hasSub:
		for _, sp := range rowsOf(top) {
			s.set(sp.ID(), allow)
		}
		return ""
	}
	if len(top.Subs) > 0 {
		sub, more, _ := strings.Cut(rest, "|")
		sp := top.Sub(sub)
		switch {
		case sp == nil:
			return errUnknownCmd
		case more != "":
			return errSubFirstArg
		}
		s.set(sp.ID(), allow)
		return ""
	}
	// A first argument of a command without subcommands ("+select|0"): only added.
	if !allow || strings.Contains(rest, "|") {
		return errUnknownCmd
	}
	if s.firstArgs == nil {
		s.firstArgs = map[int][]string{}
	}
	if !slices.Contains(s.firstArgs[top.ID()], rest) {
		s.firstArgs[top.ID()] = append(s.firstArgs[top.ID()], rest)
	}
	return ""
}

// rowsOf returns a command's row and its subcommand rows.
func rowsOf(top *command.Spec) []*command.Spec {
	return append([]*command.Spec{top}, top.Subs...)
}

func (s *Selector) set(id int, allow bool) {
	if allow {
		s.cmds[id/64] |= 1 << (id % 64)
	} else {
		s.cmds[id/64] &^= 1 << (id % 64)
		if s.firstArgs != nil {
			delete(s.firstArgs, id)
		}
	}
}

func (s *Selector) has(id int) bool { return s.cmds[id/64]&(1<<(id%64)) != 0 }

func (s *Selector) unrestricted(m *Model) bool {
	if !s.allKeys || !s.allChannels {
		return false
	}
	n := m.table.Rows()
	for i, w := range s.cmds {
		want := ^uint64(0)
		if rest := n - i*64; rest < 64 {
			want = 1<<rest - 1
		}
		if w&want != want {
			return false
		}
	}
	return true
}

// CategoryByName returns the category named name ("read", no "@").
func CategoryByName(name string) (command.Category, bool) {
	for i, n := range command.CategoryList() {
		if strings.EqualFold(n, name) {
			return 1 << i, true
		}
	}
	return 0, false
}
