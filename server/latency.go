package server

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
)

// Two kinds of latency data:
//
//   - The latency monitor (latency-monitor-threshold, in milliseconds; 0 turns it off)
//     keeps, per event ("command" for slow commands, "fast-command" for commands
//     flagged fast, and whatever background jobs report through latencySample), a ring
//     of the last 160 spikes at one-second resolution (the worst spike of a second is
//     kept) and the all-time maximum: LATENCY LATEST, HISTORY, RESET, GRAPH, DOCTOR.
//   - Per-command latency histograms (latency-tracking), the source of INFO
//     latencystats' percentiles and LATENCY HISTOGRAM. A histogram is log-linear over
//     nanoseconds: exact below 64 ns, then 32 sub-buckets per power of two (about 3%
//     relative error) up to 2^30 ns; slower calls count as 2^30 ns (~1.07 s). Redis uses
//     an HdrHistogram with two significant digits; percentiles are reported the same
//     way (the highest value of the bucket the percentile falls in) and LATENCY
//     HISTOGRAM uses Redis's power-of-two buckets starting at 1024 ns, labelled as
//     Redis labels them, so tools that parse either see the same shapes.

const (
	histExact   = 64
	histSubBits = 5
	histSub     = 1 << histSubBits
	histMaxPow  = 29 // values up to 2^30-1 ns
	histBuckets = histExact + (histMaxPow-6+1)*histSub
	histMaxNs   = 1<<(histMaxPow+1) - 1
)

// histogram counts calls per bucket; the total is the sum (one atomic add per call:
// the counters are shared by every connection running the command).
type histogram struct {
	counts [histBuckets]atomic.Int64
}

func histIndex(v int64) int {
	if v < 1 {
		v = 1
	}
	if v > histMaxNs {
		v = histMaxNs
	}
	if v < histExact {
		return int(v)
	}
	m := bits.Len64(uint64(v)) - 1
	sub := int(v>>(m-histSubBits)) & (histSub - 1)
	return histExact + (m-6)*histSub + sub
}

// histBounds returns the lowest and highest value of bucket i.
func histBounds(i int) (lo, hi int64) {
	if i < histExact {
		return int64(i), int64(i)
	}
	m := (i-histExact)/histSub + 6
	sub := int64((i - histExact) % histSub)
	lo = (histSub + sub) << (m - histSubBits)
	return lo, lo + 1<<(m-histSubBits) - 1
}

func (h *histogram) record(d time.Duration) {
	h.counts[histIndex(int64(d))].Add(1)
}

func (h *histogram) empty() bool {
	for i := range h.counts {
		if h.counts[i].Load() != 0 {
			return false
		}
	}
	return true
}

// snapshot copies the counts.
func (h *histogram) snapshot() (counts []int64, total int64) {
	counts = make([]int64, histBuckets)
	for i := range counts {
		counts[i] = h.counts[i].Load()
		total += counts[i]
	}
	return counts, total
}

// percentile returns the value (ns) at percentile p (0..100).
func percentile(counts []int64, total int64, p float64) int64 {
	if total == 0 {
		return 0
	}
	want := int64(math.Ceil(p / 100 * float64(total)))
	want = min(max(want, 1), total)
	var cum int64
	for i, n := range counts {
		cum += n
		if cum >= want {
			_, hi := histBounds(i)
			return hi
		}
	}
	return histMaxNs
}

// hdrLabel is the label Redis gives the LATENCY HISTOGRAM bucket ending at v ns: the
// highest value equivalent to v at two significant digits, in microseconds.
func hdrLabel(v int64) int64 {
	m := bits.Len64(uint64(v)) - 1
	unit := int64(1)
	if m >= 8 {
		unit = 1 << (m - 7)
	}
	return (v + unit - 1) / 1000
}

// writeHistogram writes one command's LATENCY HISTOGRAM entry.
func writeHistogram(c *Ctx, h *histogram) {
	counts, total := h.snapshot()
	type bucket struct{ label, cum int64 }
	var out []bucket
	var cum, prev int64
	next := 0
	for bound := int64(1024); next < histBuckets && cum < total; bound *= 2 {
		for next < histBuckets {
			lo, _ := histBounds(next)
			if lo > bound {
				break
			}
			cum += counts[next]
			next++
		}
		if bound >= histMaxNs {
			for ; next < histBuckets; next++ {
				cum += counts[next]
			}
		}
		if cum > prev {
			out = append(out, bucket{hdrLabel(bound), cum})
			prev = cum
		}
	}
	c.W.Map(2)
	c.W.BulkString("calls")
	c.W.Int(total)
	c.W.BulkString("histogram_usec")
	c.W.Map(len(out))
	for _, b := range out {
		c.W.Int(b.label)
		c.W.Int(b.cum)
	}
}

// ---- the latency monitor ----

const latencySamples = 160

type latencySample struct {
	at int64 // unix seconds
	ms int64
}

type latencySeries struct {
	samples [latencySamples]latencySample
	next    int // ring position of the next sample
	max     int64
}

type latencyMonitor struct {
	mu     sync.Mutex
	events map[string]*latencySeries
}

func (m *latencyMonitor) add(event string, ms int64) {
	now := time.Now().Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.events[event]
	if ts == nil {
		ts = &latencySeries{}
		m.events[event] = ts
	}
	ts.max = max(ts.max, ms)
	prev := &ts.samples[(ts.next+latencySamples-1)%latencySamples]
	if prev.at == now {
		prev.ms = max(prev.ms, ms)
		return
	}
	ts.samples[ts.next] = latencySample{now, ms}
	ts.next = (ts.next + 1) % latencySamples
}

// history returns the series' samples, oldest first.
func (ts *latencySeries) history() []latencySample {
	var out []latencySample
	for i := 0; i < latencySamples; i++ {
		smp := ts.samples[(ts.next+i)%latencySamples]
		if smp.at != 0 {
			out = append(out, smp)
		}
	}
	return out
}

// latencySample reports a latency spike of a background job (expire-cycle,
// eviction-cycle, ...) if it reaches latency-monitor-threshold.
func (s *Server) latencySample(event string, d time.Duration) {
	if th := s.diag.latencyThresh.Load(); th > 0 {
		if ms := int64(d / time.Millisecond); ms >= th {
			s.diag.latency.add(event, ms)
		}
	}
}

func (s *Server) latencyCommands() *Spec {
	const f = Admin | NoScript | Loading | Stale
	return &Spec{Name: "latency", Arity: -2, Cat: CatSlow, Subs: []*Spec{
		{Name: "latency|latest", Arity: 2, Flags: f, Do: s.cmdLatencyLatest},
		{Name: "latency|history", Arity: 3, Flags: f, Do: s.cmdLatencyHistory},
		{Name: "latency|reset", Arity: -2, Flags: f, Do: s.cmdLatencyReset},
		{Name: "latency|graph", Arity: 3, Flags: f, Do: s.cmdLatencyGraph},
		{Name: "latency|doctor", Arity: 2, Flags: f, Do: s.cmdLatencyDoctor},
		{Name: "latency|histogram", Arity: -2, Flags: f, Do: s.cmdLatencyHistogram},
		{Name: "latency|help", Arity: 2, Flags: Loading | Stale, Do: cmdLatencyHelp},
	}}
}

func (m *latencyMonitor) names() []string {
	names := make([]string, 0, len(m.events))
	for name := range m.events {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (s *Server) cmdLatencyLatest(c *Ctx) error {
	m := &s.diag.latency
	m.mu.Lock()
	defer m.mu.Unlock()
	names := m.names()
	c.W.Array(len(names))
	for _, name := range names {
		ts := m.events[name]
		last := ts.samples[(ts.next+latencySamples-1)%latencySamples]
		c.W.Array(4)
		c.W.BulkString(name)
		c.W.Int(last.at)
		c.W.Int(last.ms)
		c.W.Int(ts.max)
	}
	return nil
}

func (s *Server) cmdLatencyHistory(c *Ctx) error {
	m := &s.diag.latency
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.events[c.Arg(2)]
	if ts == nil {
		c.W.Array(0)
		return nil
	}
	h := ts.history()
	c.W.Array(len(h))
	for _, smp := range h {
		c.W.Array(2)
		c.W.Int(smp.at)
		c.W.Int(smp.ms)
	}
	return nil
}

func (s *Server) cmdLatencyReset(c *Ctx) error {
	m := &s.diag.latency
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	if len(c.Args) == 2 {
		n = len(m.events)
		m.events = map[string]*latencySeries{}
	} else {
		for _, a := range c.Args[2:] {
			if _, ok := m.events[string(a)]; ok {
				delete(m.events, string(a))
				n++
			}
		}
	}
	c.W.Int(int64(n))
	return nil
}

// cmdLatencyGraph draws the event's recent spikes as a bar chart, newest on the right,
// with each bar's age written vertically beneath it.
func (s *Server) cmdLatencyGraph(c *Ctx) error {
	m := &s.diag.latency
	m.mu.Lock()
	ts := m.events[c.Arg(2)]
	var h []latencySample
	var allMax int64
	if ts != nil {
		h, allMax = ts.history(), ts.max
	}
	m.mu.Unlock()
	if len(h) == 0 {
		return Errorf("ERR No samples available for event '%s'", c.Arg(2))
	}
	if len(h) > 80 {
		h = h[len(h)-80:]
	}
	lo, hi := h[0].ms, h[0].ms
	for _, smp := range h {
		lo, hi = min(lo, smp.ms), max(hi, smp.ms)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", c.Arg(2), hi, lo, allMax)
	b.WriteString(strings.Repeat("-", 80) + "\n")
	const rows = 4
	level := func(ms int64) int { // 0 (lowest) .. rows
		if hi == lo {
			return 1
		}
		return 1 + int((ms-lo)*(rows-1)/(hi-lo))
	}
	for row := rows; row >= 1; row-- {
		for _, smp := range h {
			switch l := level(smp.ms); {
			case l > row:
				b.WriteByte('|')
			case l == row:
				b.WriteByte('_')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	now := time.Now().Unix()
	labels := make([]string, len(h))
	height := 0
	for i, smp := range h {
		labels[i] = ageLabel(now - smp.at)
		height = max(height, len(labels[i]))
	}
	for row := 0; row < height; row++ {
		for _, l := range labels {
			if row < len(l) {
				b.WriteByte(l[row])
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	c.W.Verbatim(b.String())
	return nil
}

func ageLabel(sec int64) string {
	switch {
	case sec < 60:
		return strconv.FormatInt(sec, 10) + "s"
	case sec < 3600:
		return strconv.FormatInt(sec/60, 10) + "m"
	case sec < 86400:
		return strconv.FormatInt(sec/3600, 10) + "h"
	}
	return strconv.FormatInt(sec/86400, 10) + "d"
}

func (s *Server) cmdLatencyDoctor(c *Ctx) error {
	var b strings.Builder
	th := s.diag.latencyThresh.Load()
	m := &s.diag.latency
	m.mu.Lock()
	names := m.names()
	type stats struct {
		name                     string
		n                        int
		avg, dev, period, allMax float64
	}
	var report []stats
	for _, name := range names {
		ts := m.events[name]
		h := ts.history()
		if len(h) == 0 {
			continue
		}
		st := stats{name: name, n: len(h), allMax: float64(ts.max)}
		for _, smp := range h {
			st.avg += float64(smp.ms)
		}
		st.avg /= float64(len(h))
		for _, smp := range h {
			st.dev += math.Abs(float64(smp.ms) - st.avg)
		}
		st.dev /= float64(len(h))
		if len(h) > 1 {
			st.period = float64(h[len(h)-1].at-h[0].at) / float64(len(h)-1)
		} else {
			st.period = 1
		}
		report = append(report, st)
	}
	m.mu.Unlock()
	switch {
	case th == 0 && len(report) == 0:
		b.WriteString("Latency monitoring is disabled in this Cinnabar instance: no spikes are recorded. " +
			"Use \"CONFIG SET latency-monitor-threshold <milliseconds>\" to record the events slower than " +
			"that threshold, then ask again.\n")
	case len(report) == 0:
		fmt.Fprintf(&b, "No latency spike of %d ms or more was observed since the last reset. Nothing to report.\n", th)
	default:
		b.WriteString("Latency spikes were observed in this Cinnabar instance.\n\n")
		for i, st := range report {
			fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %.0fms, mean deviation %.0fms, period %.2f sec). Worst all time event %.0fms.\n",
				i+1, st.name, st.n, st.avg, st.dev, st.period, st.allMax)
		}
		b.WriteString("\nAdvice:\n\n")
		if slower := s.diag.slowlogSlower.Load(); slower < 0 || slower > th*1000 {
			fmt.Fprintf(&b, "- The slow log misses some of these commands: it logs commands slower than %d microseconds. Use 'CONFIG SET slowlog-log-slower-than %d'.\n", slower, th*1000)
		}
		b.WriteString("- SLOWLOG GET lists the slowest recent commands with their arguments.\n")
		b.WriteString("- LATENCY HISTOGRAM shows the latency distribution of each command.\n")
		b.WriteString("- Deleting, expiring or evicting very large keys takes time proportional to their size: split such keys into smaller ones.\n")
	}
	c.W.Verbatim(b.String())
	return nil
}

func (s *Server) cmdLatencyHistogram(c *Ctx) error {
	type entry struct {
		name string
		h    *histogram
	}
	var out []entry
	add := func(sp *Spec) {
		if sd := s.diag.specs[sp]; sd != nil {
			if h := sd.hist.Load(); h != nil && !h.empty() {
				out = append(out, entry{sp.Name, h})
			}
		}
	}
	if len(c.Args) == 2 {
		for _, spec := range s.table.Commands() {
			add(spec)
			for _, sub := range spec.Subs {
				add(sub)
			}
		}
	} else {
		for i := 2; i < len(c.Args); i++ {
			spec := s.resolve(c.Arg(i))
			if spec == nil {
				continue
			}
			if len(spec.Subs) > 0 {
				add(spec)
				for _, sub := range spec.Subs {
					add(sub)
				}
				continue
			}
			add(spec)
		}
	}
	c.W.Map(len(out))
	for _, e := range out {
		c.W.BulkString(e.name)
		writeHistogram(c, e.h)
	}
	return nil
}

func cmdLatencyHelp(c *Ctx) error {
	ReplyHelp(c.W, "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"GRAPH <event>",
		"    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.")
	return nil
}

// infoLatencyStats writes INFO latencystats: the configured percentiles of each
// command's latency, in microseconds.
func (s *Server) infoLatencyStats(b *strings.Builder) {
	pcts := s.cfg.Percentiles()
	for _, spec := range s.table.Commands() {
		for _, sp := range append([]*Spec{spec}, spec.Subs...) {
			sd := s.diag.specs[sp]
			if sd == nil {
				continue
			}
			h := sd.hist.Load()
			if h == nil {
				continue
			}
			counts, total := h.snapshot()
			if total == 0 {
				continue
			}
			fmt.Fprintf(b, "latency_percentiles_usec_%s:", sp.Name)
			for i, p := range pcts {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(b, "p%s=%.3f", strconv.FormatFloat(p, 'f', -1, 64), float64(percentile(counts, total, p))/1000)
			}
			b.WriteString("\r\n")
		}
	}
}

// resetLatencyHistograms clears every command's histogram (CONFIG RESETSTAT).
func (s *Server) resetLatencyHistograms() {
	for _, sd := range s.diag.specs {
		sd.hist.Store(nil)
	}
}
