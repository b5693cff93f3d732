package server

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The garbage collector's headroom is the price of a Go keyspace: with the default
// GOGC=100 the heap grows to twice the live data before a collection, so a server
// holding 1 GB of keys would use 2 GB. The tuner keeps the headroom to a fixed budget
// (gcHeadroom) while the dataset is small, where collections are cheap anyway, and to
// minGCPercent of the live data once it is large, so memory per key stays close to the
// data itself. A GOGC environment variable turns that off. When the server goes idle
// after a burst that left the process holding much more than its live data (a bulk
// load), the tuner returns the surplus to the operating system once, as Redis's
// allocator would have given it back along the way.

const (
	gcHeadroom    = 32 << 20
	minGCPercent  = 25
	maxGCPercent  = 100
	gcTunerPeriod = time.Second
)

// gcPercentFor returns the GOGC that gives live bytes of data the tuner's headroom.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	p := int(uint64(gcHeadroom) * 100 / live)
	return min(max(p, minGCPercent), maxGCPercent)
}

// startGCTuner adjusts GOGC to the live heap, and releases memory after bursts, until
// the server is done.
func (s *Server) startGCTuner() {
	_, fixedGOGC := os.LookupEnv("GOGC")
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	go func() {
		t := time.NewTicker(gcTunerPeriod)
		defer t.Stop()
		lastPercent, lastCommands := -1, s.stats.commands.Load()
		released := true
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
			}
			metrics.Read(samples)
			live := samples[0].Value.Uint64()
			if p := gcPercentFor(live); !fixedGOGC && p != lastPercent {
				debug.SetGCPercent(p)
				lastPercent = p
			}
			commands := s.stats.commands.Load()
			idle := commands == lastCommands
			lastCommands = commands
			held := samples[1].Value.Uint64() - samples[2].Value.Uint64()
			switch {
			case !idle:
				released = false
			case !released && held > live+live/4+gcHeadroom:
				debug.FreeOSMemory()
				released = true
			}
		}
	}()
}
