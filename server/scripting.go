package server

import . "github.com/cinnabar-db/cinnabar/command"

// scriptingCommands are EVAL, EVALSHA, SCRIPT, FCALL and FUNCTION (being written).
func (s *Server) scriptingCommands() []*Spec { return nil }
