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
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	w.Int(int64(spec.First))
	w.Int(int64(spec.Last))
	w.Int(int64(spec.Step))
	cats := spec.CategoryNames()
	w.Set(len(cats))
	for _, cat := range cats {
		w.Simple(cat)
	}
	w.Set(0) // tips
	writeKeySpecs(w, spec)
	w.Array(len(spec.Subs))
	for _, sub := range spec.Subs {
		writeCommandInfo(w, sub)
	}
}

// writeKeySpecs describes the key positions in Redis 7's key-spec form.
func writeKeySpecs(w *resp.Writer, spec *Spec) {
	if spec.First == 0 && spec.KeysFunc == nil {
		w.Array(0)
		return
	}
	w.Array(1)
	w.Map(3)
	w.BulkString("flags")
	writeKeySpecFlags(w, spec)
	w.BulkString("begin_search")
	if spec.KeysFunc != nil {
		w.Map(1)
		w.BulkString("type")
		w.BulkString("unknown")
		w.BulkString("find_keys")
		w.Map(1)
		w.BulkString("type")
		w.BulkString("unknown")
		return
	}
	w.Map(2)
	w.BulkString("type")
	w.BulkString("index")
	w.BulkString("spec")
	w.Map(1)
	w.BulkString("index")
	w.Int(int64(spec.First))
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.Map(3)
	last := spec.Last
	if last >= 0 {
		last -= spec.First
	}
	w.BulkString("lastkey")
	w.Int(int64(last))
	w.BulkString("keystep")
	w.Int(int64(spec.Step))
	w.BulkString("limit")
	w.Int(0)
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
		w.Set(len(flags))
		for _, f := range flags {
			w.Simple(f)
		}
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
			w.Set(len(flags))
			for _, f := range flags {
				w.Simple(f)
			}
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

func (s *Server) cmdCommandGetKeys(c *Ctx) error {
	args := c.Args[2:]
	spec, err := s.table.Lookup(args)
	if err != nil {
		if s.table.Get(strings.ToLower(string(args[0]))) == nil {
			return Err("ERR Invalid command specified")
		}
		return Err("ERR Invalid number of arguments specified for command")
	}
	idx := spec.KeyIndexes(args)
	if len(idx) == 0 && !spec.Has(NoMandatoryKeys) {
		return Err("ERR The command has no key arguments")
	}
	withFlags := c.Spec.Name == "command|getkeysandflags"
	c.W.Array(len(idx))
	for _, i := range idx {
		if !withFlags {
			c.W.Bulk(args[i])
			continue
		}
		c.W.Array(2)
		c.W.Bulk(args[i])
		writeKeySpecFlags(c.W, spec)
	}
	return nil
}

func writeKeySpecFlags(w *resp.Writer, spec *Spec) {
	flags := spec.KeySpecFlags()
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
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
