package server

import (
	"sync/atomic"
	"time"
)

// Counters every command bumps. total_commands_processed and the network byte totals
// are kept per client: only the client's goroutine writes its counters (a load and a
// store, no locked instruction, no cache line bouncing between cores), and readers sum
// them. The server keeps what departed clients counted, less what CONFIG RESETSTAT
// cleared, in stats.retired, guarded by clientsMu.

// clientStats are a client's shares of the totals; bytes read are counted by its reader
// (guardConn.inBytes).
type clientStats struct {
	commands, netOut atomic.Int64
}

// count adds n to one of c's counters; only c's goroutine calls it.
func (c *Client) count(v *atomic.Int64, n int64) { v.Store(v.Load() + n) }

// counterTotals are the summed counters.
type counterTotals struct {
	commands, netIn, netOut int64
}

func (t *counterTotals) add(c *Client, sign int64) {
	t.commands += sign * c.stats.commands.Load()
	t.netIn += sign * c.in.inBytes.Load()
	t.netOut += sign * c.stats.netOut.Load()
}

// totals sums the counters of departed and connected clients.
func (s *Server) totals() counterTotals {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	t := s.stats.retired
	for _, c := range s.clients {
		t.add(c, 1)
	}
	return t
}

// resetTotals zeroes the totals (CONFIG RESETSTAT) by setting the departed clients'
// share to minus what the connected ones have counted.
func (s *Server) resetTotals() {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	s.stats.retired = counterTotals{}
	for _, c := range s.clients {
		s.stats.retired.add(c, -1)
	}
}

// monoStart anchors monoNow.
var monoStart = time.Now()

// monoNow reads the monotonic clock only: half the cost of time.Now, which the
// executor would pay twice per command.
func monoNow() time.Duration { return time.Since(monoStart) }
