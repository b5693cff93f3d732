package server

import (
	. "github.com/cinnabar-db/cinnabar/command"
)

// Cinnabar is a standalone server, like a Redis with cluster-enabled no: the cluster
// commands exist, so clients and COMMAND see Redis's table, and answer what such a
// Redis answers. Modules cannot be loaded: MODULE LIST is empty and loading fails as
// it fails in Redis for a library that cannot be opened.

var errClusterDisabled error = Err("ERR This instance has cluster support disabled")

// cmdClusterDisabled serves every cluster command: Redis checks the arity first, then
// refuses them all, CLUSTER HELP and KEYSLOT included.
func cmdClusterDisabled(*Ctx) error { return errClusterDisabled }

func (s *Server) clusterCommands() []*Spec {
	const manage = Admin | Stale | NoAsyncLoading // commands that change the cluster
	sub := func(name string, arity int, flags Flag) *Spec {
		return &Spec{Name: "cluster|" + name, Arity: arity, Flags: flags, Do: cmdClusterDisabled}
	}
	return []*Spec{
		{Name: "cluster", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			sub("addslots", -3, manage),
			sub("addslotsrange", -4, manage),
			sub("bumpepoch", 2, manage),
			sub("count-failure-reports", 3, Admin|Stale),
			sub("countkeysinslot", 3, Stale),
			sub("delslots", -3, manage),
			sub("delslotsrange", -4, manage),
			sub("failover", -2, manage),
			sub("flushslots", 2, manage),
			sub("forget", 3, manage),
			sub("getkeysinslot", 4, Stale),
			sub("help", 2, Loading|Stale),
			sub("info", 2, Stale),
			sub("keyslot", 3, Stale),
			sub("links", 2, Stale),
			sub("meet", -4, manage),
			sub("myid", 2, Stale),
			sub("nodes", 2, Stale),
			sub("replicas", 3, Admin|Stale),
			sub("replicate", 3, manage),
			sub("reset", -2, Admin|NoScript|Stale),
			sub("saveconfig", 2, manage),
			sub("set-config-epoch", 3, manage),
			sub("setslot", -4, manage),
			sub("shards", 2, Stale),
			sub("slaves", 3, Admin|Stale),
			sub("slots", 2, Stale),
		}},
		{Name: "asking", Arity: 1, Flags: Fast, Cat: CatConnection, Do: cmdClusterDisabled},
		{Name: "readonly", Arity: 1, Flags: Loading | Stale | Fast, Cat: CatConnection, Do: cmdClusterDisabled},
		{Name: "readwrite", Arity: 1, Flags: Loading | Stale | Fast, Cat: CatConnection, Do: cmdClusterDisabled},
		// LOAD, LOADEX and UNLOAD are refused before they run unless enable-module-command
		// allows them (diag.go's protected commands).
		{Name: "module", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "module|help", Arity: 2, Flags: Loading | Stale, Do: cmdModuleHelp},
			{Name: "module|list", Arity: 2, Flags: Admin | NoScript, Do: cmdModuleList},
			{Name: "module|load", Arity: -3, Flags: Admin | NoScript | NoAsyncLoading, Do: cmdModuleLoad},
			{Name: "module|loadex", Arity: -3, Flags: Admin | NoScript | NoAsyncLoading, Do: cmdModuleLoad},
			{Name: "module|unload", Arity: 3, Flags: Admin | NoScript | NoAsyncLoading, Do: cmdModuleUnload},
		}},
	}
}

func cmdModuleHelp(c *Ctx) error {
	ReplyHelp(c.W, "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"LIST",
		"    Return a list of loaded modules.",
		"LOAD <path> [<arg> ...]",
		"    Load a module library from <path>, passing to it any optional arguments.",
		"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
		"    Load a module library from <path>, while passing it module configurations and optional arguments.",
		"UNLOAD <name>",
		"    Unload a module.")
	return nil
}

func cmdModuleList(c *Ctx) error {
	c.W.Array(0)
	return nil
}

// cmdModuleLoad answers LOAD and LOADEX as Redis does when the library cannot be
// loaded, whatever the arguments: Redis reports malformed LOADEX options the same way.
func cmdModuleLoad(*Ctx) error {
	return Err("ERR Error loading the extension. Please check the server logs.")
}

func cmdModuleUnload(*Ctx) error {
	return Err("ERR Error unloading module: no such module with that name")
}
