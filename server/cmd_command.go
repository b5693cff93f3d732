package server

import (
	"sort"
	"strings"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/glob"
	"github.com/cinnabar-db/cinnabar/resp"
)

func (s *Server) commandCommands() []*Spec {
	return []*Spec{
		{Name: "command", Arity: -1, Flags: Loading | Stale, Cat: CatConnection, Do: s.cmdCommandAll, Subs: []*Spec{
			{Name: "command|count", Arity: 2, Flags: Loading | Stale, Cat: CatConnection, Do: s.cmdCommandCount},
			{Name: "command|info", Arity: -2, Flags: Loading | Stale, Cat: CatConnection, Do: s.cmdCommandInfo},
			{Name: "command|docs", Arity: -2, Flags: Loading | Stale, Cat: CatConnection, Do: s.cmdCommandDocs},
			{Name: "command|list", Arity: -2, Flags: Loading | Stale, Cat: CatConnection, Do: s.cmdCommandList},
			{Name: "command|getkeys", Arity: -4, Flags: Loading | Stale, Cat: CatConnection, Do: s.cmdCommandGetKeys},
			{Name: "command|getkeysandflags", Arity: -4, Flags: Loading | Stale, Cat: CatConnection, Do: s.cmdCommandGetKeys},
			{Name: "command|help", Arity: 2, Flags: Loading | Stale, Cat: CatConnection, Do: cmdCommandHelp},
		}},
	}
}

// cmdCommandAll serves plain COMMAND (the container's own handler: no subcommand given).
func (s *Server) cmdCommandAll(c *Ctx) error {
	cmds := s.table.Commands()
	c.W.Array(len(cmds))
	for _, spec := range cmds {
		writeCommandInfo(c.W, spec)
	}
	return nil
}

func (s *Server) cmdCommandCount(c *Ctx) error {
	c.W.Int(int64(len(s.table.Commands())))
	return nil
}

// resolve finds a command or "parent|sub" row by name.
func (s *Server) resolve(name string) *Spec {
	name = strings.ToLower(name)
	parent, sub, isSub := strings.Cut(name, "|")
	spec := s.table.Get(parent)
	if spec == nil || !isSub {
		return spec
	}
	for _, sc := range spec.Subs {
		if sc.Name == parent+"|"+sub {
			return sc
		}
	}
	return nil
}

func (s *Server) cmdCommandInfo(c *Ctx) error {
	if len(c.Args) == 2 {
		return s.cmdCommandAll(c)
	}
	c.W.Array(len(c.Args) - 2)
	for i := 2; i < len(c.Args); i++ {
		if spec := s.resolve(c.Arg(i)); spec != nil {
			writeCommandInfo(c.W, spec)
		} else {
			c.W.Null()
		}
	}
	return nil
}

// writeCommandInfo writes one command's COMMAND INFO entry.
func writeCommandInfo(w *resp.Writer, spec *Spec) {
	w.Array(10)
	w.BulkString(spec.Name)
	w.Int(int64(spec.Arity))
	flags := spec.FlagNames()
	w.SimpleSet(flags)
	w.Int(int64(spec.First))
	w.Int(int64(spec.Last))
	w.Int(int64(spec.Step))
	cats := spec.CategoryNames()
	w.SimpleSet(cats)
	w.Set(0) // tips
	writeKeySpecs(w, spec)
	w.Array(len(spec.Subs))
	for _, sub := range spec.Subs {
		writeCommandInfo(w, sub)
	}
}

// writeKeySpecs writes the command's key specs, fields in Redis's order.
func writeKeySpecs(w *resp.Writer, spec *Spec) {
	specs := spec.KeySpecs()
	w.Set(len(specs)) // a set in RESP3, as Redis replies
	for _, ks := range specs {
		if ks.Notes != "" {
			w.Map(4)
			w.BulkString("notes")
			w.BulkString(ks.Notes)
		} else {
			w.Map(3)
		}
		w.BulkString("flags")
		writeKeyFlags(w, ks.Flags)
		w.BulkString("begin_search")
		switch ks.Begin {
		case BeginIndex:
			writeSearchPart(w, "index", "index", ks.Index)
		case BeginKeyword:
			writeSearchPart(w, "keyword", "keyword", ks.Keyword, "startfrom", ks.StartFrom)
		default:
			writeSearchPart(w, "unknown")
		}
		w.BulkString("find_keys")
		switch ks.Find {
		case FindRange:
			writeSearchPart(w, "range", "lastkey", ks.LastKey, "keystep", ks.KeyStep, "limit", ks.Limit)
		case FindKeyNum:
			writeSearchPart(w, "keynum", "keynumidx", ks.KeyNumIdx, "firstkey", ks.FirstKey, "keystep", ks.KeyStep)
		default:
			writeSearchPart(w, "unknown")
		}
	}
}

// writeSearchPart writes a begin_search or find_keys map: its type and a spec map of
// the name/value pairs in fields (ints or strings).
func writeSearchPart(w *resp.Writer, typ string, fields ...any) {
	w.Map(2)
	w.BulkString("type")
	w.BulkString(typ)
	w.BulkString("spec")
	w.Map(len(fields) / 2)
	for i := 0; i < len(fields); i += 2 {
		w.BulkString(fields[i].(string))
		switch v := fields[i+1].(type) {
		case int:
			w.Int(int64(v))
		case string:
			w.BulkString(v)
		}
	}
}

func (s *Server) cmdCommandDocs(c *Ctx) error {
	var specs []*Spec
	if len(c.Args) == 2 {
		specs = s.table.Commands()
	} else {
		for i := 2; i < len(c.Args); i++ {
			if spec := s.resolve(c.Arg(i)); spec != nil {
				specs = append(specs, spec)
			}
		}
	}
	c.W.Map(len(specs))
	for _, spec := range specs {
		c.W.BulkString(spec.Name)
		writeDocs(c.W, spec)
	}
	return nil
}

// writeDocs writes one command's COMMAND DOCS entry, fields in Redis's order. A command
// without documentation gets an empty map (a test keeps every row documented).
func writeDocs(w *resp.Writer, spec *Spec) {
	d := spec.Docs()
	if d == nil {
		w.Map(0)
		return
	}
	deprecated := d.DeprecatedSince != ""
	w.Map(3 + countTrue(d.Complexity != "", d.Syscmd || deprecated, deprecated, deprecated,
		len(d.History) > 0, len(d.Args) > 0, len(spec.Subs) > 0))
	w.BulkString("summary")
	w.BulkString(d.Summary)
	w.BulkString("since")
	w.BulkString(d.Since)
	w.BulkString("group")
	w.BulkString(d.Group)
	if d.Complexity != "" {
		w.BulkString("complexity")
		w.BulkString(d.Complexity)
	}
	if d.Syscmd || deprecated {
		w.BulkString("doc_flags")
		var flags []string
		if deprecated {
			flags = append(flags, "deprecated")
		}
		if d.Syscmd {
			flags = append(flags, "syscmd")
		}
		w.SimpleSet(flags)
	}
	if deprecated {
		w.BulkString("deprecated_since")
		w.BulkString(d.DeprecatedSince)
		w.BulkString("replaced_by")
		w.BulkString(d.ReplacedBy)
	}
	if len(d.History) > 0 {
		w.BulkString("history")
		w.Set(len(d.History))
		for _, h := range d.History {
			w.Array(2)
			w.BulkString(h.Version)
			w.BulkString(h.Change)
		}
	}
	if len(d.Args) > 0 {
		w.BulkString("arguments")
		writeDocArgs(w, d.Args)
	}
	if len(spec.Subs) > 0 {
		w.BulkString("subcommands")
		w.Map(len(spec.Subs))
		for _, sub := range spec.Subs {
			w.BulkString(sub.Name)
			writeDocs(w, sub)
		}
	}
}

// writeDocArgs writes an argument tree, each argument's fields in Redis's order.
func writeDocArgs(w *resp.Writer, args []*Arg) {
	w.Array(len(args))
	for _, a := range args {
		var flags []string
		for _, f := range []struct {
			on   bool
			name string
		}{{a.Optional, "optional"}, {a.Multiple, "multiple"}, {a.MultipleToken, "multiple_token"}} {
			if f.on {
				flags = append(flags, f.name)
			}
		}
		hasToken := a.Type == ArgPureToken || a.Token != ""
		w.Map(2 + countTrue(a.HasKeySpec, hasToken, a.Since != "", a.DeprecatedSince != "", len(flags) > 0, len(a.Args) > 0))
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type.String())
		if a.HasKeySpec {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpec))
		}
		if hasToken {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		if a.Since != "" {
			w.BulkString("since")
			w.BulkString(a.Since)
		}
		if a.DeprecatedSince != "" {
			w.BulkString("deprecated_since")
			w.BulkString(a.DeprecatedSince)
		}
		if len(flags) > 0 {
			w.BulkString("flags")
			w.SimpleSet(flags)
		}
		if len(a.Args) > 0 {
			w.BulkString("arguments")
			writeDocArgs(w, a.Args)
		}
	}
}

// countTrue counts the fields present, for the size of a map written field by field.
func countTrue(present ...bool) int {
	n := 0
	for _, p := range present {
		if p {
			n++
		}
	}
	return n
}

func (s *Server) cmdCommandList(c *Ctx) error {
	var keep func(*Spec) bool
	if len(c.Args) > 2 {
		if len(c.Args) != 5 || !c.Is(2, "filterby") {
			return ErrSyntax
		}
		arg := c.Arg(4)
		switch {
		case c.Is(3, "module"):
			keep = func(*Spec) bool { return false }
		case c.Is(3, "aclcat"):
			keep = func(sp *Spec) bool {
				for _, n := range sp.CategoryNames() {
					if strings.EqualFold(n[1:], arg) {
						return true
					}
				}
				return false
			}
		case c.Is(3, "pattern"):
			keep = func(sp *Spec) bool { return glob.Match(arg, sp.Name, true) }
		default:
			return ErrSyntax
		}
	}
	var names []string
	for _, spec := range s.table.Commands() {
		for _, sp := range append([]*Spec{spec}, spec.Subs...) {
			if keep == nil || keep(sp) {
				names = append(names, sp.Name)
			}
		}
	}
	sort.Strings(names)
	c.W.BulkStrings(names)
	return nil
}

// cmdCommandGetKeys serves GETKEYS and GETKEYSANDFLAGS, checking in Redis's order: the
// command exists, has keys, and has a valid argument count; then a call that names no
// key is an error unless its keys are optional.
func (s *Server) cmdCommandGetKeys(c *Ctx) error {
	args := c.Args[2:]
	spec := s.table.Get(strings.ToLower(string(args[0])))
	if spec != nil && len(spec.Subs) > 0 && len(args) > 1 {
		spec = s.resolve(spec.Name + "|" + string(args[1]))
	}
	switch {
	case spec == nil:
		return Err("ERR Invalid command specified")
	case !spec.HasKeys():
		return Err("ERR The command has no key arguments")
	case (spec.Arity > 0 && len(args) != spec.Arity) || len(args) < -spec.Arity:
		return Err("ERR Invalid number of arguments specified for command")
	}
	keys := spec.Keys(args)
	if len(keys) == 0 && !spec.Has(NoMandatoryKeys) {
		return Err("ERR Invalid arguments specified for command")
	}
	withFlags := c.Spec.Name == "command|getkeysandflags"
	c.W.Array(len(keys))
	for _, k := range keys {
		if !withFlags {
			c.W.Bulk(args[k.Pos])
			continue
		}
		c.W.Array(2)
		c.W.Bulk(args[k.Pos])
		writeKeyFlags(c.W, k.Flags)
	}
	return nil
}

func writeKeyFlags(w *resp.Writer, f KeyFlag) {
	names := f.Names()
	w.SimpleSet(names)
}

func cmdCommandHelp(c *Ctx) error {
	ReplyHelp(c.W, "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.")
	return nil
}
