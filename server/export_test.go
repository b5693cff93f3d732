package server

import "os"

// AddFeed exposes the write stream to the black-box tests of this directory: fn gets
// each unit rendered as a replica would read it.
func (s *Server) AddFeed(fn func(stream []byte)) (remove func()) {
	return s.addFeed(&funcFeed{w: newStreamWriter(), fn: fn})
}

type funcFeed struct {
	w  *streamWriter
	fn func([]byte)
}

func (f *funcFeed) Feed(ops []PropOp) { f.fn(f.w.appendOps(nil, ops, ToAll)) }

// SwapAOFFile makes the AOF append to f (a file that fails writes, in the fault
// tests) and returns the file it replaced.
func (s *Server) SwapAOFFile(f *os.File) *os.File {
	s.aof.io.Lock()
	defer s.aof.io.Unlock()
	old := s.aof.file
	s.aof.file = f
	return old
}

// SetReplicaLoading puts the server in the state of a replica loading its master's
// snapshot (a state too short to catch from outside), or takes it out.
func (s *Server) SetReplicaLoading(on bool) {
	s.link.active.Store(on)
	s.link.up.Store(on)
	s.link.loading.Store(on)
}
