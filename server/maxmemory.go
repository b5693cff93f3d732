package server

import (
	"strings"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/evict"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/script"
)

// maxmemory: the executor asks the evictor (package evict) before every command, as
// Redis's processCommand calls performEvictions; when memory stays over the limit,
// commands that may grow it are refused with -OOM. Scripts and transactions are checked
// as a whole, before they run; a script that started over the limit may still run
// denyoom commands once it has written (it cannot stop halfway), unless it declared
// neither allow-oom nor no-writes, in which case it did not start at all.

// multiAlwaysAllowed are the commands a client in MULTI may still send over the limit:
// queueing anything else takes memory.
var multiAlwaysAllowed = map[string]bool{"exec": true, "discard": true, "quit": true, "reset": true}

// newEvictor connects an evictor to the server's latency monitor, CLIENT PAUSE and
// the running script.
func (s *Server) newEvictor() *evict.Evictor {
	return evict.New(s.ks, evict.Options{
		Latency: s.latencySample,
		Hold: func() bool {
			return s.diag.pause.mode.Load() != pauseNone || s.scripts.running.Load() != nil
		},
	})
}

// maxMemoryChanged moves the GC's memory limit with maxmemory, and starts evicting at
// once when CONFIG SET lowers maxmemory below the memory in use, as Redis does in the
// setting's callback.
func (s *Server) maxMemoryChanged(name string) {
	if name != "maxmemory" {
		return
	}
	s.retuneGC()
	limit := uint64(s.cfg.Int("maxmemory"))
	if used := s.evictor.Meter().Used(); limit > 0 && limit < used {
		s.log.warning("WARNING: the new maxmemory value set via CONFIG SET (%d) is smaller than the current memory usage (%d). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.", limit, used)
		s.evictor.Kick()
	}
}

// evictionSettings reads the maxmemory settings.
func (s *Server) evictionSettings() evict.Settings {
	policy, _ := evict.ParsePolicy(s.cfg.String("maxmemory-policy"))
	return evict.Settings{
		MaxMemory: uint64(s.cfg.Int("maxmemory")),
		Policy:    policy,
		Samples:   int(s.cfg.Int("maxmemory-samples")),
		Tenacity:  int(s.cfg.Int("maxmemory-eviction-tenacity")),
	}
}

// checkMemory evicts before a call if memory is over maxmemory and refuses the call
// if it still is and the call may grow memory: a denyoom command, an EXEC or script
// that holds one, or anything but EXEC, DISCARD, QUIT and RESET inside MULTI. It
// records the outcome for the scripts the call may run.
func (s *Server) checkMemory(c *Client, spec, top *Spec, args [][]byte) error {
	c.overMemory = false
	if s.evictor.Limit() == 0 || s.ignoresMaxMemory() {
		return nil
	}
	incoming := 0
	for _, a := range args {
		incoming += len(a)
	}
	c.overMemory = s.evictor.Perform(incoming) == evict.Fail
	if !c.overMemory {
		return nil
	}
	if (c.multi != nil && !multiAlwaysAllowed[top.Name]) || s.denyOOM(c, spec, args) {
		return Err(resp.ErrOOM)
	}
	return nil
}

// denyOOM says whether a call may grow memory. EVAL and FCALL take the flags of the
// script or function they run, as Redis derives them: one that declares flags (a
// shebang, or a function) may write unless it says no-writes, and is refused over the
// limit unless it also says allow-oom; a script without a shebang is checked command by
// command while it runs.
func (s *Server) denyOOM(c *Client, spec *Spec, args [][]byte) bool {
	if spec.Has(DenyOOM) {
		return true
	}
	var flags script.Flags
	switch spec.Name {
	case "exec":
		if c.multi == nil {
			return false
		}
		for _, q := range c.multi.cmds {
			if s.denyOOM(c, q.spec, q.args) {
				return true
			}
		}
		return false
	case "eval", "eval_ro", "evalsha", "evalsha_ro":
		var sc *script.Script
		if strings.HasPrefix(spec.Name, "evalsha") {
			sc = s.scripts.eng.Lookup(args[1])
		} else {
			sc = s.scripts.eng.Lookup([]byte(script.SHA1Hex(args[1])))
		}
		shebang := false
		if sc != nil {
			flags, shebang = sc.Flags, sc.Shebang
		} else if spec.Name == "eval" || spec.Name == "eval_ro" {
			flags, shebang = script.ShebangFlags(args[1])
		}
		if !shebang {
			return false
		}
	case "fcall", "fcall_ro":
		f := s.scripts.eng.Function(string(args[1]))
		if f == nil {
			return false
		}
		flags = f.Flags
	default:
		return false
	}
	return flags&(script.FlagAllowOOM|script.FlagNoWrites) == 0
}
