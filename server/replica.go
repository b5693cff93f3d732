package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/resp"
)

// The replica side of replication (REPLICAOF): a goroutine keeps a link to the master
// and moves through Redis's states, connect → connecting → handshake → sync →
// connected, and back to connect (with a growing delay) when the link drops.
//
// Every sync is a full one (PSYNC ? -1): Cinnabar keeps no backlog to continue from.
// The snapshot replaces the dataset under every shard, then the master's commands run
// through the executor on a pseudo-client flagged as the master, exactly as a client's
// would: the same locks, blocked clients woken, keyspace events, and the same write
// stream to this server's own AOF and replicas (one write path). The master client is
// exempt from read-only, stale-data and loading refusals, and sees keys past their
// deadline as alive: on a replica only the master's DELs remove them.

// Link states, as ROLE names them.
const (
	linkConnect    = "connect"
	linkConnecting = "connecting"
	linkHandshake  = "handshake"
	linkSync       = "sync"
	linkConnected  = "connected"
)

// replicaLink is the replica's side of the link; its fields are guarded by mu but
// for the atomics, which the executor reads on every command.
type replicaLink struct {
	active  atomic.Bool // a master is configured: this server is a replica
	up      atomic.Bool // the link is connected (MASTERDOWN, INFO)
	loading atomic.Bool // the master's snapshot is being loaded (-LOADING)
	offset  atomic.Int64
	read    atomic.Int64 // slave_read_repl_offset: read, maybe not yet applied
	lastIO  atomic.Int64 // unix nanoseconds of the last data from the master
	netIn   atomic.Int64 // total_net_repl_input_bytes: everything read from masters

	ctl       sync.Mutex // serializes starting and stopping the link
	mu        sync.Mutex
	host      string
	port      int
	state     string
	stop      chan struct{} // closed to end the link goroutine
	done      chan struct{} // closed when it has ended
	conn      net.Conn      // the current connection, closed to stop a blocked read
	client    *Client       // the master's pseudo-client while the stream runs
	downSince time.Time     // zero: never connected since REPLICAOF
	streamID  string        // the ID this replica gives its own replicas (streamID)
	syncTotal int64         // the snapshot's size, -1 for the EOF-marked form
	syncRead  int64
}

var (
	errStopped         = errors.New("replication stopped")
	errReadOnlyReplica = Err("READONLY You can't write against a read only replica.")
	errMasterDown      = Err("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")
	errLoading         = Err("LOADING Redis is loading the dataset in memory")
)

func (s *Server) replicaOfCommands() []*Spec {
	const flags = Admin | NoScript | Stale | NoAsyncLoading
	return []*Spec{
		{Name: "replicaof", Arity: 3, Flags: flags, Cat: CatAdmin | CatDangerous, Do: s.cmdReplicaOf},
		{Name: "slaveof", Arity: 3, Flags: flags, Cat: CatAdmin | CatDangerous, Do: s.cmdReplicaOf},
	}
}

// cmdReplicaOf serves REPLICAOF and SLAVEOF: host port, or NO ONE.
func (s *Server) cmdReplicaOf(c *Ctx) error {
	wait := !client(c).inExec // EXEC holds shards the link may be waiting for
	if c.Is(1, "no") && c.Is(2, "one") {
		s.promote(wait)
		c.W.OK()
		return nil
	}
	port, ok := ParseInt(c.Args[2])
	if !ok || port < 0 || port > 65535 {
		return Err("ERR Invalid master port")
	}
	if !s.follow(strings.Clone(c.Arg(1)), int(port), wait) { // Arg aliases the request buffer
		c.W.Simple("OK Already connected to specified master")
		return nil
	}
	c.W.OK()
	return nil
}

// startFromConfig follows the master of the replicaof setting, if any.
func (s *Server) startFromConfig() {
	host, port, ok := strings.Cut(s.cfg.String("replicaof"), " ")
	if !ok {
		return
	}
	n, _ := strconv.Atoi(port) // the config checked it
	s.follow(host, n, true)
}

// follow makes the server a replica of host:port; false if it already is. wait says
// the caller holds no shard, so a previous link can be waited for.
func (s *Server) follow(host string, port int, wait bool) bool {
	l := &s.link
	l.ctl.Lock()
	defer l.ctl.Unlock()
	l.mu.Lock()
	if l.host == host && l.port == port && l.active.Load() {
		l.mu.Unlock()
		return false
	}
	l.mu.Unlock()
	s.stopLink(wait)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.host, l.port, l.state, l.downSince = host, port, linkConnect, time.Time{}
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	l.offset.Store(0)
	l.read.Store(0)
	l.active.Store(true)
	_ = s.cfg.Record("replicaof", host, strconv.Itoa(port)) // valid: REPLICAOF checked the port
	// A replica expires nothing by itself, and serves no blocked command.
	s.syncActiveExpire()
	s.unblockAll()
	s.log.notice("Connecting to MASTER %s:%d", host, port)
	go s.runLink(host, port, l.stop, l.done)
	return true
}

// unblockAll ends the blocking commands of every client with an error, as Redis does
// when it turns replica: the keys they wait for now change only by the master's hand.
func (s *Server) unblockAll() {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	for _, c := range s.clients {
		if c.waiter.Load() != nil {
			select {
			case c.unblock <- unblockRoleChange:
			default:
			}
		}
	}
}

// promote ends replication (REPLICAOF NO ONE): the data stays, the replication ID
// changes and the old one is kept as the second, valid up to the current offset. wait
// as for follow.
func (s *Server) promote(wait bool) {
	l := &s.link
	l.ctl.Lock()
	defer l.ctl.Unlock()
	if !l.active.Load() {
		return
	}
	s.stopLink(wait)
	_ = s.cfg.Record("replicaof", "no", "one")
	offset := l.offset.Load()
	s.diag.replIDMu.Lock()
	s.diag.replID2, s.diag.replID = s.diag.replID, randomHex40()
	s.diag.secondOffset = offset + 1
	s.diag.replIDMu.Unlock()
	s.repl.mu.Lock()
	s.repl.offset = offset
	s.repl.mu.Unlock()
	s.log.notice("MASTER MODE enabled (user request from a client)")
}

// endReplication stops the link for good (Close).
func (s *Server) endReplication() {
	s.link.ctl.Lock()
	defer s.link.ctl.Unlock()
	s.stopLink(true)
}

// stopLink ends the link goroutine, if any, and waits for it when wait is set. The
// caller holds link.ctl.
func (s *Server) stopLink(wait bool) {
	l := &s.link
	l.mu.Lock()
	if !l.active.Load() {
		l.mu.Unlock()
		return
	}
	l.active.Store(false)
	l.up.Store(false)
	l.host, l.port = "", 0
	close(l.stop)
	if l.conn != nil {
		_ = l.conn.Close()
	}
	if mc := l.client; mc != nil { // ends a wait for CLIENT PAUSE
		mc.killOnce.Do(func() { close(mc.killed) })
	}
	done := l.done
	l.mu.Unlock()
	if wait {
		<-done
	}
	s.syncActiveExpire()
}

// streamID is the replication ID a replica of this server is given. A replica's own
// stream is its master's re-rendered (SELECTs, PINGs and so offsets differ), so it
// gets an ID of its own: a Redis replica of it that later asks the top master for a
// partial resync must not be answered from a misaligned offset. INFO shows the
// master's ID, as Redis's does.
func (s *Server) streamID() string {
	l := &s.link
	l.mu.Lock()
	id := l.streamID
	l.mu.Unlock()
	if l.active.Load() && id != "" {
		return id
	}
	return s.replicationID()
}

// dropMasterConn closes a connected link to the master (CLIENT KILL TYPE master); the
// link goroutine then reconnects. It reports whether there was one.
func (s *Server) dropMasterConn() bool {
	l := &s.link
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state != linkConnected || l.conn == nil {
		return false
	}
	_ = l.conn.Close()
	return true
}

// runLink keeps the link to the master until stop is closed, reconnecting after a
// delay that doubles from 100 ms to one second (Redis retries every second).
func (s *Server) runLink(host string, port int, stop, done chan struct{}) {
	defer close(done)
	delay := 100 * time.Millisecond
	for {
		err := s.syncWith(host, port, stop)
		if !s.link.change(stop, func(l *replicaLink) {
			if l.state == linkConnected {
				l.downSince = time.Now()
				delay = 100 * time.Millisecond
			}
			l.state, l.conn = linkConnect, nil
			l.up.Store(false)
		}) {
			return
		}
		s.log.warning("Connection with master %s:%d lost or failed: %v", host, port, err)
		select {
		case <-stop:
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Second)
	}
}

// change runs f on the link under its lock, unless stop is closed: a link goroutine
// that was not waited for (REPLICAOF inside EXEC) must not touch its successor's
// state. It reports whether f ran.
func (l *replicaLink) change(stop chan struct{}, f func(l *replicaLink)) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-stop:
		return false
	default:
	}
	f(l)
	return true
}

// setState moves the link to state unless stop is closed.
func (l *replicaLink) setState(stop chan struct{}, state string) bool {
	return l.change(stop, func(l *replicaLink) { l.state = state })
}

// masterConn is the connection to the master: reads time out after repl-timeout, and
// writes (the handshake, acknowledgements) are serialized.
type masterConn struct {
	net.Conn
	r       *bufio.Reader
	timeout time.Duration
	wmu     sync.Mutex
	link    *replicaLink
}

func (m *masterConn) Read(p []byte) (int, error) {
	_ = m.Conn.SetReadDeadline(time.Now().Add(m.timeout))
	n, err := m.Conn.Read(p)
	if n > 0 {
		m.link.lastIO.Store(time.Now().UnixNano())
		m.link.netIn.Add(int64(n))
	}
	return n, err
}

func (m *masterConn) send(args ...string) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	_ = m.Conn.SetWriteDeadline(time.Now().Add(m.timeout))
	_, err := m.Conn.Write(resp.AppendCommand(nil, args...))
	return err
}

// line reads a reply line, skipping the empty lines a master sends to keep the link
// alive while it prepares the snapshot.
func (m *masterConn) line() (string, error) {
	for {
		s, err := m.r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if s = strings.TrimRight(s, "\r\n"); s != "" {
			return s, nil
		}
	}
}

// call sends a command and returns its one-line reply.
func (m *masterConn) call(args ...string) (string, error) {
	if err := m.send(args...); err != nil {
		return "", err
	}
	return m.line()
}

// syncWith runs one connection to the master: the handshake, the full resync and then
// the command stream, until an error or stop.
func (s *Server) syncWith(host string, port int, stop chan struct{}) error {
	l := &s.link
	l.setState(stop, linkConnecting)
	timeout := time.Duration(s.cfg.Int("repl-timeout")) * time.Second
	dialing, cancel := context.WithCancel(context.Background())
	go func() { // stopping the link cuts a slow connect short
		select {
		case <-stop:
			cancel()
		case <-dialing.Done():
		}
	}()
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(dialing, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err == nil && s.cfg.Bool("tls-replication") {
		nc, err = s.tlsDial(dialing, nc)
	}
	cancel()
	if err != nil {
		return err
	}
	defer nc.Close()
	if !l.change(stop, func(l *replicaLink) { l.conn, l.state = nc, linkHandshake }) {
		return errStopped
	}
	m := &masterConn{Conn: nc, timeout: timeout, link: l}
	m.r = bufio.NewReaderSize(m, 64<<10)
	if err := s.handshake(m); err != nil {
		return err
	}
	reply, err := m.call("PSYNC", "?", "-1")
	if err != nil {
		return err
	}
	f := strings.Fields(reply)
	if len(f) != 3 || f[0] != "+FULLRESYNC" {
		return fmt.Errorf("unexpected reply to PSYNC: %s", reply)
	}
	masterOffset, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return fmt.Errorf("bad offset in %s", reply)
	}
	s.log.notice("Full resync from master: %s:%d", f[1], masterOffset)
	if !l.setState(stop, linkSync) {
		return errStopped
	}
	data, eofMarked, err := s.readSnapshot(m)
	if err != nil {
		return err
	}
	if err := s.loadFromMaster(data, f[1], masterOffset, stop); err != nil {
		return err
	}
	if !l.change(stop, func(l *replicaLink) { l.state = linkConnected; l.up.Store(true) }) {
		return errStopped
	}
	s.log.notice("MASTER <-> REPLICA sync: Finished with success")
	if eofMarked { // a diskless master streams only after the first acknowledgement
		if err := m.send("REPLCONF", "ACK", strconv.FormatInt(l.offset.Load(), 10)); err != nil {
			return err
		}
	}
	return s.applyStream(m, stop)
}

// handshake is PING, AUTH (masteruser, masterauth) and the REPLCONF options.
func (s *Server) handshake(m *masterConn) error {
	reply, err := m.call("PING")
	if err != nil {
		return err
	}
	if reply != "+PONG" && !strings.HasPrefix(reply, "-NOAUTH") && !strings.HasPrefix(reply, "-NOPERM") &&
		!strings.HasPrefix(reply, "-ERR operation not permitted") {
		return fmt.Errorf("error reply to PING from master: '%s'", reply)
	}
	if pass := s.cfg.String("masterauth"); pass != "" {
		args := []string{"AUTH", pass}
		if user := s.cfg.String("masteruser"); user != "" {
			args = []string{"AUTH", user, pass}
		}
		if reply, err = m.call(args...); err != nil {
			return err
		}
		if reply != "+OK" {
			return fmt.Errorf("unable to AUTH to MASTER: %s", reply)
		}
	}
	port := s.cfg.Int("replica-announce-port")
	if port == 0 {
		port = int64(s.port)
	}
	opts := [][]string{{"REPLCONF", "listening-port", strconv.FormatInt(port, 10)}}
	if ip := s.cfg.String("replica-announce-ip"); ip != "" {
		opts = append(opts, []string{"REPLCONF", "ip-address", ip})
	}
	opts = append(opts, []string{"REPLCONF", "capa", "eof", "capa", "psync2"})
	for _, o := range opts { // the master may not know an option: Redis goes on
		if reply, err = m.call(o...); err != nil {
			return err
		}
		if reply != "+OK" {
			s.log.notice("(Non critical) Master does not understand %s: %s", strings.Join(o[:2], " "), reply)
		}
	}
	return nil
}

// readSnapshot reads the RDB payload: "$<length>" and the bytes, or (diskless)
// "$EOF:<40 byte mark>" and the bytes up to the mark. It reports the second form.
func (s *Server) readSnapshot(m *masterConn) ([]byte, bool, error) {
	head, err := m.line()
	if err != nil {
		return nil, false, err
	}
	if head[0] == '-' {
		return nil, false, fmt.Errorf("master aborted the sync: %s", head)
	}
	l := &s.link
	progress := func(total, read int64) {
		l.mu.Lock()
		l.syncTotal, l.syncRead = total, read
		l.mu.Unlock()
	}
	if mark, ok := strings.CutPrefix(head, "$EOF:"); ok {
		if len(mark) != 40 {
			return nil, false, fmt.Errorf("bad EOF mark: %s", head)
		}
		var buf bytes.Buffer
		chunk := make([]byte, 64<<10)
		progress(-1, 0)
		for !bytes.HasSuffix(buf.Bytes(), []byte(mark)) {
			n, err := m.r.Read(chunk)
			if err != nil {
				return nil, false, err
			}
			buf.Write(chunk[:n])
			progress(-1, int64(buf.Len()))
		}
		return buf.Bytes()[:buf.Len()-len(mark)], true, nil
	}
	size, err := strconv.ParseInt(strings.TrimPrefix(head, "$"), 10, 64)
	if head[0] != '$' || err != nil || size < 0 {
		return nil, false, fmt.Errorf("bad protocol from MASTER, the first byte is not '$': %s", head)
	}
	data := make([]byte, size)
	progress(size, 0)
	for read := 0; read < len(data); {
		n, err := m.r.Read(data[read:min(len(data), read+1<<20)])
		if err != nil {
			return nil, false, err
		}
		read += n
		progress(size, int64(read))
	}
	return data, false, nil
}

// loadFromMaster replaces the dataset (and the function libraries) by the master's
// snapshot, holding every shard; clients get -LOADING meanwhile. The replicas of this
// server are dropped, to resync from the new data, and an AOF is rewritten from it.
func (s *Server) loadFromMaster(data []byte, replID string, offset int64, stop chan struct{}) error {
	l := &s.link
	all := s.ks.AllShards()
	s.ks.Lock(all)
	select {
	case <-stop: // REPLICAOF ran meanwhile
		s.ks.Unlock(all)
		return errStopped
	default:
	}
	l.loading.Store(true)
	s.emptyData()
	_, err := s.loadRDBData(data, 0) // keys past their deadline too: the master will DEL them
	if err != nil {
		s.emptyData()
	}
	s.ks.Unlock(all)
	l.loading.Store(false)
	if err != nil {
		return fmt.Errorf("failed loading the master's snapshot: %w", err)
	}
	l.offset.Store(offset)
	l.read.Store(offset)
	s.diag.replIDMu.Lock()
	s.diag.replID = replID
	s.diag.replIDMu.Unlock()
	l.mu.Lock()
	l.streamID = randomHex40()
	l.mu.Unlock()
	s.repl.mu.Lock()
	s.repl.offset = offset
	subs := make([]*Client, 0, len(s.repl.replicas))
	for _, rp := range s.repl.replicas {
		subs = append(subs, rp.c)
	}
	s.repl.mu.Unlock()
	for _, c := range subs {
		c.kill()
	}
	if s.aof.active.Load() {
		if err := s.startRewrite(); err != nil {
			s.log.warning("Can't rewrite the AOF after the sync with the master: %v", err)
		}
	}
	return nil
}

// applyStream runs the master's commands until the link fails or stop. The offset
// counts every byte of the stream, PINGs included; the master learns it from an
// acknowledgement every second and from the answer to REPLCONF GETACK.
func (s *Server) applyStream(m *masterConn, stop chan struct{}) error {
	l := &s.link
	ack := func() error { return m.send("REPLCONF", "ACK", strconv.FormatInt(l.offset.Load(), 10)) }
	ended := make(chan struct{})
	defer close(ended)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ended:
				return
			case <-stop:
				return
			case <-t.C:
				if ack() != nil {
					return // the reader sees the failure too
				}
			}
		}
	}()
	mc := newPseudoClient(s, "master")
	mc.fromMaster = true
	l.mu.Lock()
	l.client = mc
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.client = nil
		l.mu.Unlock()
	}()
	for {
		args, n, err := readStreamCommand(m.r)
		if err != nil {
			return err
		}
		l.read.Add(int64(n))
		select {
		case <-stop:
			return errStopped
		default:
		}
		if len(args) == 3 && bytes.EqualFold(args[0], []byte("replconf")) && bytes.EqualFold(args[1], []byte("getack")) {
			if err := ack(); err != nil {
				return err
			}
		} else {
			s.execute(mc, args)
			mc.w.Reset()
		}
		l.offset.Add(int64(n))
	}
}

// readStreamCommand reads one command of the master's stream (a RESP array of bulk
// strings) and the number of bytes it took.
func readStreamCommand(r *bufio.Reader) ([][]byte, int, error) {
	total := 0
	header := func(prefix byte) (int, error) {
		line, err := r.ReadSlice('\n')
		total += len(line)
		if err != nil {
			return 0, err
		}
		if len(line) < 3 || line[0] != prefix || line[len(line)-2] != '\r' {
			return 0, fmt.Errorf("protocol error from master: %q", line)
		}
		n, err := strconv.Atoi(string(line[1 : len(line)-2]))
		if err != nil || n < 0 {
			return 0, fmt.Errorf("protocol error from master: %q", line)
		}
		return n, nil
	}
	count, err := header('*')
	if err != nil {
		return nil, total, err
	}
	// What is allocated grows with what arrives, never with what a header claims.
	args := make([][]byte, 0, min(count, 64))
	for range count {
		size, err := header('$')
		if err != nil {
			return nil, total, err
		}
		var arg bytes.Buffer
		arg.Grow(min(size+2, 64<<10))
		if _, err := io.CopyN(&arg, r, int64(size)+2); err != nil {
			return nil, total, err
		}
		total += arg.Len()
		if b := arg.Bytes(); b[size] != '\r' || b[size+1] != '\n' {
			return nil, total, fmt.Errorf("protocol error from master: an argument of %d bytes not followed by CRLF", size)
		}
		args = append(args, arg.Bytes()[:size])
	}
	return args, total, nil
}

// replicaDenied refuses what a replica does not serve to its clients: writes
// (replica-read-only), commands without the stale flag while the link is down
// (replica-serve-stale-data no), and those without the loading flag while the
// master's snapshot loads. The master's own commands pass.
func (s *Server) replicaDenied(c *Client, spec *Spec) error {
	l := &s.link
	if c.fromMaster || !l.active.Load() {
		return nil
	}
	if spec.Has(Write) && s.cfg.Bool("replica-read-only") {
		return errReadOnlyReplica
	}
	if !l.up.Load() && !spec.Has(Stale) && !s.cfg.Bool("replica-serve-stale-data") {
		return errMasterDown
	}
	if l.loading.Load() && !spec.Has(Loading) {
		return errLoading
	}
	return nil
}

// targetsOf is where c's writes propagate. On a replica only the master's stream goes
// on to its replicas; a client's writes (replica-read-only no) stay local, in the AOF
// only, as in Redis since 4.0.
func (s *Server) targetsOf(c *Client) Targets {
	if s.link.active.Load() && !c.fromMaster {
		return c.replTargets &^ ToReplicas
	}
	return c.replTargets
}

// ignoresMaxMemory reports a replica with replica-ignore-maxmemory: it neither evicts
// nor refuses the master's writes, the master's eviction being the one that counts.
func (s *Server) ignoresMaxMemory() bool {
	return s.link.active.Load() && s.cfg.Bool("replica-ignore-maxmemory")
}

// roleReplica writes ROLE's reply on a replica.
func (s *Server) roleReplica(c *Ctx) {
	l := &s.link
	l.mu.Lock()
	host, port, state := l.host, l.port, l.state
	l.mu.Unlock()
	offset := int64(-1)
	if state == linkConnected {
		offset = l.offset.Load()
	}
	c.W.Array(5)
	c.W.BulkString("slave")
	c.W.BulkString(host)
	c.W.Int(int64(port))
	c.W.BulkString(state)
	c.W.Int(offset)
}

// infoReplicaFields writes INFO replication's fields about the master, in Redis
// 7.0's order.
func (s *Server) infoReplicaFields(b *strings.Builder) {
	l := &s.link
	l.mu.Lock()
	host, port, state, downSince, total, read := l.host, l.port, l.state, l.downSince, l.syncTotal, l.syncRead
	l.mu.Unlock()
	up := state == linkConnected
	kv(b, "master_host", host)
	kv(b, "master_port", port)
	kv(b, "master_link_status", map[bool]string{true: "up", false: "down"}[up])
	lastIO := int64(-1)
	if up {
		lastIO = int64(time.Since(time.Unix(0, l.lastIO.Load())).Seconds())
	}
	kv(b, "master_last_io_seconds_ago", lastIO)
	kv(b, "master_sync_in_progress", boolInt(state == linkSync))
	kv(b, "slave_read_repl_offset", l.read.Load())
	kv(b, "slave_repl_offset", l.offset.Load())
	if state == linkSync {
		left, perc := int64(0), 0.0
		if total > 0 {
			left, perc = total-read, float64(read)*100/float64(total)
		}
		kv(b, "master_sync_total_bytes", total)
		kv(b, "master_sync_read_bytes", read)
		kv(b, "master_sync_left_bytes", left)
		kv(b, "master_sync_perc", fmt.Sprintf("%.2f", perc))
		kv(b, "master_sync_last_io_seconds_ago", int64(time.Since(time.Unix(0, l.lastIO.Load())).Seconds()))
	}
	if !up {
		down := int64(-1)
		if !downSince.IsZero() {
			down = int64(time.Since(downSince).Seconds())
		}
		kv(b, "master_link_down_since_seconds", down)
	}
	kv(b, "slave_priority", s.cfg.Int("replica-priority"))
	kv(b, "slave_read_only", boolInt(s.cfg.Bool("replica-read-only")))
	kv(b, "replica_announced", boolInt(s.cfg.Bool("replica-announced")))
}
