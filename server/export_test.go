package server

// AddFeed exposes the write stream to the black-box tests of this directory: fn gets
// each unit rendered as a replica would read it.
func (s *Server) AddFeed(fn func(stream []byte)) (remove func()) {
	return s.addFeed(&funcFeed{w: newStreamWriter(), fn: fn})
}

type funcFeed struct {
	w  *streamWriter
	fn func([]byte)
}

func (f *funcFeed) Feed(ops []PropOp) { f.fn(f.w.appendOps(nil, ops)) }
