package server

import (
	"sync"
	"time"
)

// The server cron runs hz times a second (the hz setting, read each round) until
// Close. Each round it ends an expired CLIENT PAUSE, and at most every 100 ms it
// samples the counters behind INFO's instantaneous_* metrics (a ring of 16 samples, as
// Redis keeps, so they average the last 1.6 s), records used memory for
// used_memory_peak, and closes clients idle for longer than the timeout setting.
// DEBUG PAUSE-CRON 1 suspends it.

const (
	metricSamples = 16
	sampleEvery   = 100 * time.Millisecond
)

type metricRing struct {
	samples [metricSamples]float64
	idx     int
	last    int64
}

type metricsState struct {
	mu       sync.Mutex
	lastAt   time.Time
	ops      metricRing
	netIn    metricRing
	netOut   metricRing
	lastIdle time.Time
}

func (r *metricRing) add(cur int64, elapsed time.Duration) {
	rate := float64(cur-r.last) / elapsed.Seconds()
	if cur < r.last { // counters were reset
		rate = 0
	}
	r.last = cur
	r.samples[r.idx] = rate
	r.idx = (r.idx + 1) % metricSamples
}

func (r *metricRing) mean() float64 {
	var sum float64
	for _, v := range r.samples {
		sum += v
	}
	return sum / metricSamples
}

func (s *Server) startCron() {
	d := &s.diag
	d.cronStop, d.cronDone = make(chan struct{}), make(chan struct{})
	s.diag.metrics.lastAt = time.Now()
	go s.cronLoop(d.cronStop, d.cronDone)
}

func (s *Server) stopCron() {
	if s.diag.cronStop == nil {
		return
	}
	close(s.diag.cronStop)
	<-s.diag.cronDone
	s.diag.cronStop = nil
}

func (s *Server) cronLoop(stop, done chan struct{}) {
	defer close(done)
	timer := time.NewTimer(s.cronPeriod())
	defer timer.Stop()
	for {
		select {
		case <-stop:
			return
		case <-timer.C:
		case <-s.clientEvict.wake:
			s.evictClients()
			continue
		}
		if !s.diag.cronPaused.Load() {
			s.cronRound(time.Now())
		}
		timer.Reset(s.cronPeriod())
	}
}

func (s *Server) cronPeriod() time.Duration {
	hz := min(max(s.cfg.Int("hz"), 1), 500)
	return time.Second / time.Duration(hz)
}

func (s *Server) cronRound(now time.Time) {
	s.checkPauseExpired()
	if s.tracking.active() {
		s.broadcast(nil) // BCAST invalidations of keys expired or evicted since
	}
	t := s.totals()
	m := &s.diag.metrics
	m.mu.Lock()
	elapsed := now.Sub(m.lastAt)
	sample := elapsed >= sampleEvery
	if sample {
		m.lastAt = now
		m.ops.add(t.commands, elapsed)
		m.netIn.add(t.netIn, elapsed)
		m.netOut.add(t.netOut, elapsed)
	}
	m.mu.Unlock()
	if sample {
		s.notePeak(s.evictor.Meter().Used())
		s.closeIdleClients()
		s.evictClients()
		s.checkSavePoints()
		s.autoRewrite() // aof.go
		s.collectHistory()
		s.pingReplicas(now)
	}
}

// instantaneous returns ops/sec and input/output kbps.
func (s *Server) instantaneous() (ops, inKbps, outKbps float64) {
	m := &s.diag.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ops.mean(), m.netIn.mean() / 1024, m.netOut.mean() / 1024
}

// closeIdleClients closes the clients idle for longer than the timeout setting, as
// Redis does: clients that are blocked, waiting for a pause, subscribed or monitoring
// are never idle.
func (s *Server) closeIdleClients() {
	timeout := s.diag.idleTimeout.Load()
	if timeout <= 0 {
		return
	}
	limit := time.Duration(timeout) * time.Second
	var idle []*Client
	s.clientsMu.Lock()
	for _, c := range s.clients {
		if c.diag.busy.Load() || c.diag.pausedWait.Load() || c.diag.monitor.Load() || c.waiter.Load() != nil {
			continue
		}
		if c.idle() > limit {
			idle = append(idle, c)
		}
	}
	s.clientsMu.Unlock()
	if len(idle) == 0 {
		return
	}
	s.pubsub.mu.RLock()
	for i := 0; i < len(idle); i++ {
		if idle[i].subscriptions() > 0 {
			idle = append(idle[:i], idle[i+1:]...)
			i--
		}
	}
	s.pubsub.mu.RUnlock()
	for _, c := range idle {
		s.log.logf(levelVerbose, "Closing idle client")
		c.kill()
	}
}
