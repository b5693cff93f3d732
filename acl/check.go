package acl

import (
	"math/bits"
	"strings"

	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/glob"
)

// Denial is why a call is refused. The order is Redis's: when no selector allows a
// call, the selector that got furthest (the greatest Denial) gives the reason.
type Denial uint8

// Reasons for a refusal.
const (
	Allowed Denial = iota
	DeniedCommand
	DeniedKey
	DeniedChannel
)

// Check decides whether the user may run the call of spec (the resolved row, a
// subcommand's for subcommands) with args. For a denied key or channel it also returns
// the index of that argument.
func (u *User) Check(spec *command.Spec, args [][]byte) (Denial, int) {
	if u.Unrestricted {
		return Allowed, 0
	}
	worst, pos := u.root.check(spec, args)
	for _, s := range u.selectors {
		if worst == Allowed {
			break
		}
		if d, p := s.check(spec, args); d == Allowed || d > worst {
			worst, pos = d, p
		}
	}
	return worst, pos
}

func (s *Selector) check(spec *command.Spec, args [][]byte) (Denial, int) {
	if !s.allowsCommand(spec, args) {
		return DeniedCommand, 0
	}
	if !s.allKeys && len(spec.KeySpecs()) > 0 {
		pos := -1
		spec.EachKey(args, func(k command.KeyRef) {
			if pos < 0 && !s.keyAllowed(string(args[k.Pos]), k.Flags) {
				pos = k.Pos
			}
		})
		if pos >= 0 {
			return DeniedKey, pos
		}
	}
	if !s.allChannels {
		if pos := s.deniedChannel(spec.Name, args); pos >= 0 {
			return DeniedChannel, pos
		}
	}
	return Allowed, 0
}

// allowsCommand reports whether the selector allows the command, whatever its keys.
// AUTH, HELLO and the other no-auth commands run for anyone, as before authentication.
func (s *Selector) allowsCommand(spec *command.Spec, args [][]byte) bool {
	return s.has(spec.ID()) || spec.Has(command.NoAuth) || s.firstArgAllowed(spec, args)
}

func (s *Selector) firstArgAllowed(spec *command.Spec, args [][]byte) bool {
	if s.firstArgs == nil || len(args) < 2 {
		return false
	}
	for _, a := range s.firstArgs[spec.ID()] {
		if a == string(args[1]) || equalFold(a, args[1]) {
			return true
		}
	}
	return false
}

func equalFold(a string, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range b {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// keyAllowed reports whether a pattern with the permissions the key's flags need
// matches the key: read for "access", write for "insert", "delete" or "update", and
// any pattern for a key spec with none of them (EXISTS).
func (s *Selector) keyAllowed(key string, flags command.KeyFlag) bool {
	var need uint8
	if flags&command.KeyAccess != 0 {
		need |= permRead
	}
	if flags&(command.KeyInsert|command.KeyDelete|command.KeyUpdate) != 0 {
		need |= permWrite
	}
	for _, p := range s.keys {
		if p.perm&need == need && glob.Match(p.pattern, key, false) {
			return true
		}
	}
	return false
}

// deniedChannel returns the index of the first channel argument the selector does not
// allow, or -1. Pattern subscriptions need the pattern itself among the selector's.
func (s *Selector) deniedChannel(name string, args [][]byte) int {
	first, last, literal := 1, len(args)-1, false
	switch name {
	case "publish", "spublish":
		last = 1
	case "subscribe", "ssubscribe":
	case "psubscribe":
		literal = true
	default:
		return -1
	}
	for i := first; i <= last && i < len(args); i++ {
		ch := string(args[i])
		ok := false
		for _, p := range s.channels {
			if literal && p == ch || !literal && glob.Match(p, ch, false) {
				ok = true
				break
			}
		}
		if !ok {
			return i
		}
	}
	return -1
}

// CanRun reports whether one of the user's selectors allows the command, whatever its
// keys and channels.
func (u *User) CanRun(spec *command.Spec, args [][]byte) bool {
	for _, s := range append([]*Selector{&u.root}, u.selectors...) {
		if s.allowsCommand(spec, args) {
			return true
		}
	}
	return false
}

// ReadsAllKeys reports whether one of the user's selectors allows the command with
// read access to every key: SORT's BY and GET patterns require it.
func (u *User) ReadsAllKeys(spec *command.Spec, args [][]byte) bool {
	if u.Unrestricted {
		return true
	}
	for _, s := range append([]*Selector{&u.root}, u.selectors...) {
		if !s.allowsCommand(spec, args) {
			continue
		}
		if s.allKeys {
			return true
		}
		for _, p := range s.keys {
			if p.pattern == "*" && p.perm&permRead != 0 {
				return true
			}
		}
	}
	return false
}

// CheckChannel reports whether the user may still receive messages of a channel (or,
// literal, a pattern) it subscribed to: the test ACL SETUSER applies to the
// subscribers of a changed user.
func (u *User) CheckChannel(ch string, literal bool) bool {
	for _, s := range append([]*Selector{&u.root}, u.selectors...) {
		if s.allChannels {
			return true
		}
		for _, p := range s.channels {
			if literal && p == ch || !literal && glob.Match(p, ch, false) {
				return true
			}
		}
	}
	return false
}

// keyRules returns the selector's key patterns as rules.
func (s *Selector) keyRules() []string {
	if s.allKeys {
		return []string{"~*"}
	}
	out := make([]string, 0, len(s.keys))
	for _, k := range s.keys {
		switch k.perm {
		case permRead:
			out = append(out, "%R~"+k.pattern)
		case permWrite:
			out = append(out, "%W~"+k.pattern)
		default:
			out = append(out, "~"+k.pattern)
		}
	}
	return out
}

func (s *Selector) channelRules() []string {
	if s.allChannels {
		return []string{"&*"}
	}
	out := make([]string, 0, len(s.channels))
	for _, c := range s.channels {
		out = append(out, "&"+c)
	}
	return out
}

// commandRules rebuilds the selector's command rules from its bits (see doc.go).
func (s *Selector) commandRules(m *Model) []string {
	fake := m.newSelector()
	want := !s.future // the direction the rules after the base take
	out := []string{"-@all"}
	if s.future {
		out[0] = "+@all"
		fake.applyCommandRule(m, true, "@all")
	}
	sign := func(allow bool) string {
		if allow {
			return "+"
		}
		return "-"
	}
	// Greedily, the category that brings the fake selector closest to the real one.
	for {
		best, bestNet := -1, 0
		for ci := range command.CategoryList() {
			net := 0
			for _, id := range m.catRows()[ci] {
				if fake.has(id) != want {
					if s.has(id) == want {
						net++
					} else {
						net--
					}
				}
			}
			if net > bestNet {
				best, bestNet = ci, net
			}
		}
		if best < 0 {
			break
		}
		out = append(out, sign(want)+"@"+command.CategoryList()[best])
		for _, id := range m.catRows()[best] {
			fake.set(id, want)
		}
	}
	for _, top := range m.table.Commands() {
		if real := s.has(top.ID()); real != fake.has(top.ID()) {
			out = append(out, sign(real)+top.Name)
			for _, sp := range rowsOf(top) {
				fake.set(sp.ID(), real)
			}
		}
		for _, sub := range top.Subs {
			if real := s.has(sub.ID()); real != fake.has(sub.ID()) {
				out = append(out, sign(real)+sub.Name)
			}
		}
	}
	for _, top := range m.table.Commands() {
		for _, a := range s.firstArgs[top.ID()] {
			out = append(out, "+"+top.Name+"|"+a)
		}
	}
	return out
}

// catRows lists the rows of each category, by category bit.
func (m *Model) catRows() [][]int {
	m.catOnce.Do(func() {
		m.cats = make([][]int, len(command.CategoryList()))
		for _, top := range m.table.Commands() {
			for _, sp := range rowsOf(top) {
				for c := sp.Categories(); c != 0; c &= c - 1 {
					i := bits.TrailingZeros32(uint32(c))
					m.cats[i] = append(m.cats[i], sp.ID())
				}
			}
		}
	})
	return m.cats
}

// flagNames are the user's flags as ACL GETUSER lists them.
func (u *User) flagNames() []string {
	out := []string{"off"}
	if u.Enabled {
		out[0] = "on"
	}
	if u.NoPass {
		out = append(out, "nopass")
	}
	switch u.Sanitize {
	case -1:
		out = append(out, "skip-sanitize-payload")
	case 1:
		out = append(out, "sanitize-payload")
	}
	return out
}

// Rule is the user as one aclfile / ACL LIST line, without the leading "user".
func (u *User) Rule() string {
	parts := append([]string{u.Name}, u.flagNames()...)
	for _, p := range u.passwords {
		parts = append(parts, "#"+p)
	}
	parts = append(parts, u.root.rules(u.model)...)
	for _, s := range u.selectors {
		parts = append(parts, "("+strings.Join(s.rules(u.model), " ")+")")
	}
	return strings.Join(parts, " ")
}

// rules describes a selector for ACL LIST: keys, channels, commands.
func (s *Selector) rules(m *Model) []string {
	out := s.keyRules()
	if !s.allChannels {
		out = append(out, "resetchannels")
	}
	out = append(out, s.channelRules()...)
	return append(out, s.commandRules(m)...)
}

// Description is a selector as ACL GETUSER shows it.
type Description struct {
	Commands, Keys, Channels string
}

// Describe returns what ACL GETUSER shows of the user: its flags, the root selector and
// the other selectors.
func (u *User) Describe() (flags []string, root Description, selectors []Description) {
	d := func(s *Selector) Description {
		return Description{strings.Join(s.commandRules(u.model), " "), strings.Join(s.keyRules(), " "), strings.Join(s.channelRules(), " ")}
	}
	for _, s := range u.selectors {
		selectors = append(selectors, d(s))
	}
	return u.flagNames(), d(&u.root), selectors
}
