package server

import (
	"math"
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
//
// While maxmemory is set, garbage counts as used memory until it is collected (see
// package evict), so the tuner also sets the runtime's soft memory limit: the collector
// runs before the heap's objects reach maxmemory, but never sooner than minGCPercent
// above the live heap, so a dataset close to the limit does not make it collect
// continuously. The limit is applied at once when maxmemory
// changes, and dropped when the server closes; a GOMEMLIMIT environment variable turns
// that off. Both settings are the process's: servers sharing a process share them.

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

// memoryLimitFor returns the soft memory limit for a server with maxmemory set (0: none)
// whose live heap is live and whose runtime holds nonHeap bytes besides the heap's
// objects (stacks, free spans, metadata).
func memoryLimitFor(maxmemory, live, nonHeap uint64) int64 {
	if maxmemory == 0 || maxmemory > math.MaxInt64/2 {
		return math.MaxInt64
	}
	goal := max(maxmemory, live+live/100*minGCPercent)
	return int64(min(goal+nonHeap, math.MaxInt64))
}

// startGCTuner adjusts GOGC to the live heap and the memory limit to maxmemory, and
// releases memory after bursts, until the server is done.
func (s *Server) startGCTuner() {
	_, fixedGOGC := os.LookupEnv("GOGC")
	_, fixedLimit := os.LookupEnv("GOMEMLIMIT")
	samples := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	go func() {
		t := time.NewTicker(gcTunerPeriod)
		defer t.Stop()
		lastPercent, lastCommands := -1, s.totals().commands
		lastLimit := int64(math.MaxInt64)
		released := true
		for {
			ticked := false
			select {
			case <-s.done:
				if lastLimit != math.MaxInt64 {
					debug.SetMemoryLimit(math.MaxInt64)
				}
				return
			case <-s.gcRetune:
			case <-t.C:
				ticked = true
			}
			metrics.Read(samples)
			live := samples[0].Value.Uint64()
			held := samples[1].Value.Uint64() - samples[2].Value.Uint64()
			if p := gcPercentFor(live); !fixedGOGC && p != lastPercent {
				debug.SetGCPercent(p)
				lastPercent = p
			}
			limit := memoryLimitFor(uint64(s.cfg.Int("maxmemory")), live, held-min(held, samples[3].Value.Uint64()))
			if !fixedLimit && limit != lastLimit {
				debug.SetMemoryLimit(limit)
				lastLimit = limit
			}
			if !ticked {
				continue
			}
			commands := s.totals().commands
			idle := commands == lastCommands
			lastCommands = commands
			switch {
			case !idle:
				released = false
			case !released && held > live+live/4+gcHeadroom:
				debug.FreeOSMemory()
				released = true
			}
		}
	}()
	s.retuneGC() // apply maxmemory from the start
}

// retuneGC makes the tuner apply a changed maxmemory at once.
func (s *Server) retuneGC() {
	select {
	case s.gcRetune <- struct{}{}:
	default:
	}
}
