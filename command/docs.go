package command

import (
	"fmt"
	"strconv"
	"strings"
)

// Documentation behind COMMAND DOCS. It lives beside the table, keyed by command name,
// so a row stays one line; the docs_*.go files hold it as text, one entry a command:
//
//	SET key value [condition: NX | XX]@2.6.12 [GET]@6.2.0 [EX seconds:int | ...]
//		Sets a key to a string, with an optional condition and expiry.   (summary)
//		since 1.0.0; O(1)                                                (since; complexity)
//		6.0.0: KEEPTTL.                                                  (history, any number)
//		deprecated 6.2.0; `SET` with the `!GET` argument                 (deprecated_since; replaced_by)
//		syscmd                                                           (doc flag)
//
// The unindented header names the command and gives its arguments in Redis's usage
// syntax; consecutive unindented lines form one header. A header whose first word
// names an entry above it in the same text is a subcommand of that entry
// ("CONFIG GET parameter..." after "CONFIG"). The usage syntax:
//
//	word               an argument; string unless annotated name:TYPE (int, double, key,
//	                   pattern, unix-time, string); "key" is a key and "pattern" a pattern
//	                   unless annotated; key:key=N sets the key_spec_index (default: the
//	                   keys are numbered in order); a pattern takes one the same way
//	TOKEN              a pure token (no lower-case letter; "" is the empty token),
//	                   named after itself in lower case, or TOKEN:name
//	TOKEN arg          the token introduces arg, a word or a (group)
//	(a b) (a | b)      a block / a oneof; a group of one item is that item, unless it
//	                   has a label: "(name: ...)" names the group (default: its
//	                   arguments' names joined by "_")
//	[...]              optional
//	x...               multiple; [TOKEN x]... repeats the token too (multiple_token)
//	x@7.0.0 x!2.8.12   since / deprecated_since, after any "..."

// ArgType is the type of a documented argument.
type ArgType uint8

// Argument types, as COMMAND DOCS names them.
const (
	ArgString ArgType = iota
	ArgInteger
	ArgDouble
	ArgKey
	ArgPattern
	ArgUnixTime
	ArgPureToken
	ArgOneof
	ArgBlock
)

var argTypeNames = [...]string{"string", "integer", "double", "key", "pattern", "unix-time",
	"pure-token", "oneof", "block"}

// annotations maps the usage syntax's type annotations to types.
var annotations = map[string]ArgType{"string": ArgString, "int": ArgInteger, "double": ArgDouble,
	"key": ArgKey, "pattern": ArgPattern, "unix-time": ArgUnixTime}

func (t ArgType) String() string { return argTypeNames[t] }

// Arg documents one argument, or a oneof/block of them.
type Arg struct {
	Name                   string
	Type                   ArgType
	KeySpec                int    // key_spec_index, when HasKeySpec
	HasKeySpec             bool   // every key; a pattern naming keys (SORT BY)
	Token                  string // always shown for a pure token, else when not empty
	Since, DeprecatedSince string
	Optional, Multiple     bool
	MultipleToken          bool
	Args                   []*Arg // of a oneof or block
	hasTok                 bool   // Token is set, perhaps to "" (MIGRATE's empty key)
}

// HistoryEntry is one change of a command's behaviour.
type HistoryEntry struct{ Version, Change string }

// Docs documents a command or subcommand.
type Docs struct {
	Summary, Since, Group, Complexity string
	Syscmd                            bool
	DeprecatedSince, ReplacedBy       string // set for a deprecated command
	History                           []HistoryEntry
	Args                              []*Arg
}

// docsByName holds every entry of the docs_*.go files by command name ("config|get").
// It covers all of Redis 7.0, so a row added later already finds its documentation.
var docsByName = map[string]*Docs{}

// Docs returns the command's documentation, or nil if it has none.
func (s *Spec) Docs() *Docs { return docsByName[s.Name] }

// addDocs parses one docs text of a group at init; a malformed entry panics, since the
// text is program text.
func addDocs(group, text string) {
	lines := strings.Split(text, "\n")
	var containers []string // entries of this text, for telling subcommands apart
	for i := 0; i < len(lines); {
		if strings.TrimSpace(lines[i]) == "" {
			i++
			continue
		}
		if strings.HasPrefix(lines[i], "\t") {
			panic(fmt.Sprintf("command docs (%s): body line without a header: %q", group, lines[i]))
		}
		header := lines[i]
		for i++; i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "\t"); i++ {
			header += " " + lines[i]
		}
		var body []string
		for ; i < len(lines) && strings.HasPrefix(lines[i], "\t"); i++ {
			body = append(body, strings.TrimPrefix(lines[i], "\t"))
		}
		name, usage, _ := strings.Cut(header, " ")
		name = strings.ToLower(name)
		for _, c := range containers {
			if c == name {
				var sub string
				sub, usage, _ = strings.Cut(usage, " ")
				name += "|" + strings.ToLower(sub)
				break
			}
		}
		containers = append(containers, name)
		d, err := parseDocs(group, usage, body)
		if err != nil {
			panic(fmt.Sprintf("command docs of %s: %v", name, err))
		}
		if docsByName[name] != nil {
			panic("command docs: duplicate entry " + name)
		}
		docsByName[name] = d
	}
}

func parseDocs(group, usage string, body []string) (*Docs, error) {
	if len(body) < 2 || !strings.HasPrefix(body[1], "since ") {
		return nil, fmt.Errorf("want a summary line and a since line, have %q", body)
	}
	d := &Docs{Summary: body[0], Group: group}
	d.Since, d.Complexity, _ = strings.Cut(strings.TrimPrefix(body[1], "since "), "; ")
	for _, line := range body[2:] {
		switch {
		case line == "syscmd":
			d.Syscmd = true
		case strings.HasPrefix(line, "deprecated "):
			var by string
			d.DeprecatedSince, by, _ = strings.Cut(strings.TrimPrefix(line, "deprecated "), "; ")
			d.ReplacedBy = quoteNames(by)
		default:
			v, change, ok := strings.Cut(line, ": ")
			if !ok || !isVersion(v) {
				return nil, fmt.Errorf("unknown line %q", line)
			}
			d.History = append(d.History, HistoryEntry{v, change})
		}
	}
	args, err := ParseUsage(usage)
	d.Args = args
	return d, err
}

// quoteNames puts each run of upper-case words (command and argument names, "!GET"
// included) in backticks, as replaced_by shows them: raw strings cannot hold backticks.
func quoteNames(s string) string {
	isName := func(w string) bool {
		w = strings.TrimPrefix(w, "!")
		return w != "" && strings.Trim(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
	}
	words := strings.Split(s, " ")
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		if isName(w) && (i == 0 || !isName(words[i-1])) {
			out[i] = "`" + out[i]
		}
		if isName(w) && (i == len(words)-1 || !isName(words[i+1])) {
			out[i] += "`"
		}
	}
	return strings.Join(out, " ")
}

func isVersion(s string) bool {
	parts := strings.Split(s, ".")
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return len(parts) == 3
}

// ParseUsage parses arguments written in the usage syntax described above.
func ParseUsage(usage string) ([]*Arg, error) {
	p := &usageParser{lex: lexUsage(usage)}
	items, err := p.seq()
	if err == nil && p.pos < len(p.lex) {
		err = fmt.Errorf("unexpected %q", p.lex[p.pos])
	}
	if err != nil {
		return nil, fmt.Errorf("usage %q: %w", usage, err)
	}
	next := 0
	numberKeys(items, &next)
	return items, nil
}

// numberKeys gives the keys without an explicit key_spec_index their order of
// appearance, which is Redis's numbering of key specs for all but a few commands.
func numberKeys(args []*Arg, next *int) {
	for _, a := range args {
		if a.Type == ArgKey {
			if !a.HasKeySpec {
				a.KeySpec, a.HasKeySpec = *next, true
			}
			*next++
		}
		numberKeys(a.Args, next)
	}
}

// lexUsage splits usage into brackets, "|" and words; a suffix glued to a closing
// bracket ("]...@6.2.0") comes out as a word of its own starting with '.', '@' or '!'.
func lexUsage(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			i++
		case strings.IndexByte("()[]|", c) >= 0:
			out = append(out, s[i:i+1])
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t()[]|", s[j]) < 0 {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

type usageParser struct {
	lex []string
	pos int
}

func (p *usageParser) peek(k int) string {
	if p.pos+k < len(p.lex) {
		return p.lex[p.pos+k]
	}
	return ""
}

// seq parses items up to "|", a closing bracket or the end.
func (p *usageParser) seq() ([]*Arg, error) {
	var items []*Arg
	for {
		switch p.peek(0) {
		case "", "|", ")", "]":
			return items, nil
		}
		a, err := p.item()
		if err != nil {
			return nil, err
		}
		items = append(items, a)
	}
}

func (p *usageParser) item() (*Arg, error) {
	if w := p.peek(0); isTokenWord(w) && !strings.ContainsAny(w, ".@!:") {
		if next := p.peek(1); next == "(" || (next != "" && !strings.ContainsAny(next[:1], "[)]|") && !isTokenWord(next) && !isSuffix(next)) {
			p.pos++
			a, err := p.primary()
			if err != nil {
				return nil, err
			}
			a.Token, a.hasTok = unquote(w), true
			return a, nil
		}
	}
	return p.primary()
}

// primary parses a word or a bracketed group, with its suffixes.
func (p *usageParser) primary() (*Arg, error) {
	w := p.peek(0)
	p.pos++
	var a *Arg
	var suffix string
	switch w {
	case "(", "[":
		closer := map[string]string{"(": ")", "[": "]"}[w]
		var err error
		if a, err = p.group(); err != nil {
			return nil, err
		}
		if p.peek(0) != closer {
			return nil, fmt.Errorf("missing %q", closer)
		}
		p.pos++
		if w == "[" {
			a.Optional = true
		}
		if s := p.peek(0); isSuffix(s) {
			suffix = s
			p.pos++
		}
	default:
		if isSuffix(w) || strings.HasSuffix(w, ":") || strings.ContainsAny(w, ")]|") {
			return nil, fmt.Errorf("unexpected %q", w)
		}
		cut := strings.IndexAny(w, "@!")
		if d := strings.Index(w, "..."); d >= 0 && (cut < 0 || d < cut) {
			cut = d
		}
		if cut >= 0 {
			w, suffix = w[:cut], w[cut:]
		}
		var err error
		if a, err = parseWord(w); err != nil {
			return nil, err
		}
	}
	return a, applySuffix(a, suffix)
}

// group parses the inside of brackets: an optional label, then alternatives.
func (p *usageParser) group() (*Arg, error) {
	label := ""
	if w := p.peek(0); strings.HasSuffix(w, ":") && len(w) > 1 {
		label = strings.TrimSuffix(w, ":")
		p.pos++
	}
	var alts []*Arg
	for {
		items, err := p.seq()
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, fmt.Errorf("empty group or alternative")
		}
		alt := items[0]
		if len(items) > 1 {
			alt = &Arg{Type: ArgBlock, Args: items}
		}
		alts = append(alts, alt)
		if p.peek(0) != "|" {
			break
		}
		p.pos++
	}
	var a *Arg
	switch {
	case len(alts) > 1:
		a = &Arg{Type: ArgOneof, Args: alts}
	case label != "" && alts[0].Type == ArgBlock && alts[0].Name == "":
		a = alts[0]
	case label != "":
		a = &Arg{Type: ArgBlock, Args: alts}
	default:
		nameGroup(alts[0], "")
		return alts[0], nil
	}
	for _, alt := range a.Args {
		nameGroup(alt, "")
	}
	nameGroup(a, label)
	return a, nil
}

// nameGroup names an unnamed block or oneof after its arguments unless label is given.
func nameGroup(a *Arg, label string) {
	if a.Name != "" || (a.Type != ArgBlock && a.Type != ArgOneof) {
		return
	}
	if label != "" {
		a.Name = label
		return
	}
	names := make([]string, len(a.Args))
	for i, sub := range a.Args {
		names[i] = sub.Name
	}
	a.Name = strings.Join(names, "_")
}

func parseWord(w string) (*Arg, error) {
	base, ann, hasAnn := strings.Cut(w, ":")
	if isTokenWord(base) {
		a := &Arg{Type: ArgPureToken, Token: unquote(base), hasTok: true, Name: strings.ToLower(unquote(base))}
		if hasAnn {
			a.Name = ann
		}
		return a, nil
	}
	// "ip:port" is a name: only a known annotation after the last colon is a type.
	if i := strings.LastIndexByte(w, ':'); i >= 0 {
		base, ann = w[:i], w[i+1:]
		t, keySpec, _ := strings.Cut(ann, "=")
		if typ, ok := annotations[t]; ok {
			a := &Arg{Name: base, Type: typ}
			if keySpec != "" {
				n, err := strconv.Atoi(keySpec)
				if err != nil || (typ != ArgKey && typ != ArgPattern) {
					return nil, fmt.Errorf("bad key spec index in %q", w)
				}
				a.KeySpec, a.HasKeySpec = n, true
			}
			return a, nil
		}
	}
	a := &Arg{Name: w, Type: ArgString}
	switch w {
	case "key":
		a.Type = ArgKey
	case "pattern":
		a.Type = ArgPattern
	}
	return a, nil
}

func applySuffix(a *Arg, s string) error {
	if strings.HasPrefix(s, "...") {
		a.Multiple = true
		// The repetition covers the token when the token is inside it: [GET pattern]...
		a.MultipleToken = a.hasTok && a.Type != ArgPureToken
		s = s[3:]
	}
	if rest, ok := strings.CutPrefix(s, "@"); ok {
		a.Since, s, _ = strings.Cut(rest, "!")
		if s != "" {
			s = "!" + s
		}
	}
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		a.DeprecatedSince, s = rest, ""
	}
	if s != "" || (a.Since != "" && !isVersion(a.Since)) || (a.DeprecatedSince != "" && !isVersion(a.DeprecatedSince)) {
		return fmt.Errorf("bad suffix on %q", a.Name)
	}
	return nil
}

func isSuffix(w string) bool { return w != "" && strings.IndexByte(".@!", w[0]) >= 0 }

// isTokenWord reports whether w is a token: no lower-case letter in its part before
// any annotation, and not a bracket or a suffix.
func isTokenWord(w string) bool {
	base, _, _ := strings.Cut(w, ":")
	if base == `""` {
		return true
	}
	return base != "" && strings.IndexByte("()[]|.@!", base[0]) < 0 && strings.ToUpper(base) == base
}

func unquote(tok string) string {
	if tok == `""` {
		return ""
	}
	return tok
}
