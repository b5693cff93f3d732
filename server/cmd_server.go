package server

import (
	"strings"

	. "github.com/cinnabar-db/cinnabar/command"
)

// commandGroups lists every family's rows: the one command table.
func (s *Server) commandGroups() [][]*Spec {
	return append(DataCommands(),
		s.connectionCommands(), s.aclCommands(), s.clientCommands(), s.commandCommands(), s.serverCommands(),
		s.transactionCommands(), s.pubsubCommands(), s.scriptingCommands(),
		s.diagCommands(), s.persistenceCommands(), s.aofCommands(), s.replicationCommands(), s.replicaOfCommands(), s.clusterCommands())
}

func (s *Server) serverCommands() []*Spec {
	return []*Spec{
		{Name: "config", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "config|get", Arity: -3, Flags: Admin | NoScript | Loading | Stale, Do: s.cmdConfigGet},
			{Name: "config|set", Arity: -4, Flags: Admin | NoScript | Loading | Stale, Do: s.cmdConfigSet},
			{Name: "config|resetstat", Arity: 2, Flags: Admin | NoScript | Loading | Stale | AllKeys, Do: s.cmdConfigResetStat},
			{Name: "config|rewrite", Arity: 2, Flags: Admin | NoScript | Loading | Stale, Do: s.cmdConfigRewrite},
			{Name: "config|help", Arity: 2, Flags: Loading | Stale, Do: cmdConfigHelp},
		}},
		{Name: "info", Arity: -1, Flags: Loading | Stale | AllKeys, Cat: CatDangerous, Do: s.cmdInfo},
		{Name: "time", Arity: 1, Flags: Loading | Stale | Fast, Do: s.cmdTime},
		{Name: "lastsave", Arity: 1, Flags: Loading | Stale | Fast, Cat: CatAdmin | CatDangerous, Do: s.cmdLastSave},
		{Name: "shutdown", Arity: -1, Flags: Admin | NoScript | Loading | Stale | NoMulti | AllowBusy, Do: s.cmdShutdown},
	}
}

func (s *Server) cmdConfigGet(c *Ctx) error {
	patterns := make([]string, 0, len(c.Args)-2)
	for i := 2; i < len(c.Args); i++ {
		patterns = append(patterns, c.Arg(i))
	}
	pairs := s.cfg.Get(patterns)
	c.W.Map(len(pairs))
	for _, p := range pairs {
		c.W.BulkString(p[0])
		c.W.BulkString(p[1])
	}
	return nil
}

func (s *Server) cmdConfigSet(c *Ctx) error {
	if len(c.Args)%2 != 0 {
		return Errorf("ERR wrong number of arguments for '%s' command", c.Spec.Name)
	}
	pairs := make([][2]string, 0, (len(c.Args)-2)/2)
	for i := 2; i < len(c.Args); i += 2 {
		pairs = append(pairs, [2]string{string(c.Args[i]), string(c.Args[i+1])}) // copies: the config keeps values
	}
	if err := s.cfg.Set(pairs); err != nil {
		return Err(err.Error())
	}
	c.W.OK()
	return nil
}

func (s *Server) cmdConfigResetStat(c *Ctx) error {
	s.resetStats()
	c.W.OK()
	return nil
}

func (s *Server) cmdConfigRewrite(c *Ctx) error {
	if err := s.cfg.Rewrite(); err != nil {
		return Err(err.Error())
	}
	c.W.OK()
	return nil
}

func cmdConfigHelp(c *Ctx) error {
	ReplyHelp(c.W, "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.")
	return nil
}

func (s *Server) cmdTime(c *Ctx) error {
	now := s.clock.Now()
	c.W.Array(2)
	c.W.BulkInt(now.Unix())
	c.W.BulkInt(int64(now.Nanosecond() / 1000))
	return nil
}

func (s *Server) cmdLastSave(c *Ctx) error {
	s.rdb.mu.Lock()
	defer s.rdb.mu.Unlock()
	c.W.Int(s.rdb.lastSave.Unix())
	return nil
}

// cmdShutdown implements SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. There is no
// persistence yet, so SAVE and NOSAVE only differ in syntax, and a shutdown is never in
// progress for ABORT to cancel. The client gets no reply: its connection closes.
func (s *Server) cmdShutdown(c *Ctx) error {
	var save, nosave, now, force, abort bool
	for i := 1; i < len(c.Args); i++ {
		switch strings.ToLower(c.Arg(i)) {
		case "nosave":
			nosave = true
		case "save":
			save = true
		case "now":
			now = true
		case "force":
			force = true
		case "abort":
			abort = true
		default:
			return ErrSyntax
		}
	}
	if (save && nosave) || (abort && (save || nosave || now || force)) {
		return ErrSyntax
	}
	if abort {
		return Err("ERR No shutdown in progress.")
	}
	s.log.warning("User requested shutdown...")
	if err := s.saveBeforeShutdown(save, nosave); err != nil && !force {
		s.log.warning("Error trying to save the DB, can't exit.")
		return Err("ERR Errors trying to SHUTDOWN. Check logs.")
	}
	go s.Close() // Close waits for this connection, so it cannot run here

	client(c).closeAfterReply = true
	return nil
}
