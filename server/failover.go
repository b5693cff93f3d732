package server

import (
	"strconv"
	"strings"

	. "github.com/cinnabar-db/cinnabar/command"
)

// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds] hands the master role to
// a replica in Redis. Cinnabar can be a replica (replica.go), but the failover itself
// (pausing writes, waiting for the target to catch up, switching roles) is not built,
// so one never completes. The command parses and checks its arguments in Redis's order
// with Redis's errors (a replica refuses it, as Redis's does), and a failover that
// passes every check fails the way Redis's fails when the target will not take over:
// it is abandoned, the master stays a master, and the log says why. Nothing is ever in
// progress, so ABORT always answers that none is.

// failoverArgs is a parsed FAILOVER call.
type failoverArgs struct {
	host      string
	port      int64
	hasTarget bool
	timeoutMs int64
	force     bool
	abort     bool
}

// parseFailover reads the options left to right, failing at the first bad one as
// Redis does: each option at most once, ABORT only alone.
func parseFailover(c *Ctx) (*failoverArgs, error) {
	a := &failoverArgs{}
	for i := 1; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		switch {
		case c.Is(i, "to") && !a.hasTarget && more >= 2:
			port, err := c.Int(i + 2)
			if err != nil {
				return nil, err
			}
			a.host, a.port, a.hasTarget = c.Arg(i+1), port, true
			i += 2
		case c.Is(i, "timeout") && a.timeoutMs == 0 && more >= 1:
			ms, err := c.Int(i + 1)
			if err != nil {
				return nil, err
			}
			if ms <= 0 {
				return nil, Err("ERR FAILOVER timeout must be greater than 0")
			}
			a.timeoutMs = ms
			i++
		case c.Is(i, "force") && !a.force:
			a.force = true
		case c.Is(i, "abort") && len(c.Args) == 2:
			a.abort = true
		default:
			return nil, ErrSyntax
		}
	}
	return a, nil
}

func (s *Server) cmdFailover(c *Ctx) error {
	a, err := parseFailover(c)
	if err != nil {
		return err
	}
	if s.link.active.Load() && !a.abort {
		return Err("ERR FAILOVER is not valid when server is a replica.")
	}
	if a.abort {
		return Err("ERR No failover in progress.")
	}
	_, replicas := s.replicationStatus()
	if len(replicas) == 0 {
		return Err("ERR FAILOVER requires connected replicas.")
	}
	if a.force && (a.timeoutMs == 0 || !a.hasTarget) {
		return Err("ERR FAILOVER with force option requires both a timeout and target HOST and IP.")
	}
	if a.hasTarget && !hasReplicaAt(replicas, a.host, a.port) {
		return Err("ERR FAILOVER target HOST and PORT is not a replica.")
	}
	target := "any replica"
	if a.hasTarget {
		target = a.host + ":" + strconv.FormatInt(a.port, 10)
	}
	s.log.warning("FAILOVER to %s requested, but this server cannot become a replica: the failover is aborted and it stays a master.", target)
	c.W.OK()
	return nil
}

// hasReplicaAt reports whether a replica connects from host and listens on port.
func hasReplicaAt(replicas []replicaInfo, host string, port int64) bool {
	for _, rp := range replicas {
		if strings.EqualFold(rp.ip, host) && int64(rp.port) == port {
			return true
		}
	}
	return false
}
