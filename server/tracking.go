package server

import (
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/config"
	"github.com/cinnabar-db/cinnabar/resp"
)

// Server-assisted client-side caching (CLIENT TRACKING), as Redis 7.0 does it.
//
// Default mode: the keys a tracking client reads (read-only commands, also from its
// scripts and transactions) are remembered against its ID in one table keyed by key
// name, whatever the database; the first change to such a key sends every client that
// read it an invalidation and forgets the key, until a client reads it again. BCAST
// mode remembers nothing: every change to a key under one of the client's prefixes
// is collected, and the keys go out together, sorted, when the batch of commands that
// changed them ends (Redis sends them before its event loop sleeps). FLUSHDB and
// FLUSHALL send every tracking client a null invalidation and empty the table.
//
// Invalidations are pushes ("invalidate" and an array of keys) for a RESP3 client; a
// client that redirects them to another gets them there, as a push if that one speaks
// RESP3, or as a message on __redis__:invalidate if it is a RESP2 client in pub/sub
// mode. A client's invalidation for a key that its own command changed goes out after
// that command's reply (or never, with NOLOOP). A tracking client answers through an
// asyncOutput, like a subscriber, so that other clients' writes can push to it.
//
// State lives under tracking.mu; the write path only reads tracking.clients, so with
// no tracking client a write pays one atomic load.
//
// A RESP3 client that others redirect to, and that neither tracks nor subscribes
// itself, has no asynchronous output: its replies are its goroutine's, and only that
// goroutine may switch it to one. Its invalidations wait in a mailbox, and its
// goroutine, woken from its read (or at the end of the batch it is running), adopts
// an asynchronous output and sends them. (A target parked in a blocking command gets
// them when it wakes, where Redis writes to a blocked client at once.)

// trackFlag is a client's tracking state (CLIENT TRACKINGINFO's flags).
type trackFlag uint8

const (
	trackOn trackFlag = 1 << iota
	trackBcast
	trackOptin
	trackOptout
	trackNoloop
	trackCaching     // CLIENT CACHING yes|no given, for the next command
	trackBrokenRedir // the client it redirects to is gone
)

// clientTracking is a client's part. It changes under the server's tracking.mu; flags
// and redirect are atomic so that CLIENT LIST and the client's own command path read
// them without that lock. pending only the client's own goroutine touches.
type clientTracking struct {
	flags    atomic.Uint32 // trackFlag bits
	redirect atomic.Int64  // client ID invalidations go to; 0: the client itself
	prefixes []string      // BCAST prefixes, sorted
	pending  []invalidation
}

func (ct *clientTracking) is(f trackFlag) bool { return trackFlag(ct.flags.Load())&f != 0 }

func (ct *clientTracking) set(f trackFlag)   { ct.flags.Store(ct.flags.Load() | uint32(f)) }
func (ct *clientTracking) unset(f trackFlag) { ct.flags.Store(ct.flags.Load() &^ uint32(f)) }

type tracking struct {
	clients atomic.Int32 // clients with tracking on
	mu      sync.Mutex
	keys    map[string]map[int64]struct{} // default mode: key → IDs of clients that read it
	items   int                           // entries over all of keys
	bcast   map[string]*bcastPrefix       // BCAST prefixes
	lengths []int                         // the distinct lengths of those prefixes, ascending
	byID    map[int64]*Client             // tracking clients
	// owners holds, per shard, the client whose call holds it (nil when expiry, eviction
	// or nothing does): the client a change is attributed to, for NOLOOP and for
	// announcing its own changes after its reply. A slot is written and read only
	// under its shard's lock.
	owners  []*Client
	flushed bool // a FLUSHDB or FLUSHALL ran in the call: announce it as it ends
	// bcastPending: a BCAST prefix has changed keys to send (set under mu, read without).
	bcastPending atomic.Bool
	max          atomic.Int64 // tracking-table-max-keys
}

// bcastPrefix is one BCAST prefix: its clients, and the keys changed under it since
// the last broadcast, each with the client that changed it last (for NOLOOP).
type bcastPrefix struct {
	clients map[*Client]struct{}
	changed map[string]*Client
}

func (t *tracking) init(shards int) {
	t.keys = map[string]map[int64]struct{}{}
	t.bcast = map[string]*bcastPrefix{}
	t.byID = map[int64]*Client{}
	t.owners = make([]*Client, shards)
}

// active reports whether any client tracks.
func (t *tracking) active() bool { return t.clients.Load() > 0 }

// own attributes the changes in the shards of mask to c (nil to end it).
func (t *tracking) own(mask uint64, c *Client) {
	for m := mask; m != 0; m &= m - 1 {
		t.owners[bits.TrailingZeros64(m)] = c
	}
}

// cmdClientTracking parses options first and checks them in Redis's order, so the
// same mistakes get the same errors.
func (s *Server) cmdClientTracking(c *command.Ctx) error {
	var redirect int64
	var flags trackFlag
	var prefixes []string
	for i := 3; i < len(c.Args); i++ {
		more := i+1 < len(c.Args)
		switch {
		case c.Is(i, "redirect") && more:
			i++
			if redirect != 0 {
				return command.Err("ERR A client can only redirect to a single other client")
			}
			id, err := c.Int(i)
			if err != nil {
				return err
			}
			if s.clientByID(id) == nil {
				return command.Err("ERR The client ID you want redirect to does not exist")
			}
			redirect = id
		case c.Is(i, "bcast"):
			flags |= trackBcast
		case c.Is(i, "optin"):
			flags |= trackOptin
		case c.Is(i, "optout"):
			flags |= trackOptout
		case c.Is(i, "noloop"):
			flags |= trackNoloop
		case c.Is(i, "prefix") && more:
			i++
			prefixes = append(prefixes, strings.Clone(c.Arg(i))) // kept: not a view of the request
		default:
			return command.ErrSyntax
		}
	}
	cl := client(c)
	switch {
	case c.Is(2, "off"):
		s.disableTracking(cl)
		c.W.OK()
		return nil
	case !c.Is(2, "on"):
		return command.ErrSyntax
	}
	// Other clients' writes push to it. Switched before taking the lock, as it writes
	// out what the client has pending; if the options are refused below, the switch
	// only costs the client its direct replies.
	s.enterPushMode(cl, config.ClassNormal)
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := trackFlag(cl.trk.flags.Load())
	switch {
	case flags&trackBcast == 0 && len(prefixes) > 0:
		return command.Err("ERR PREFIX option requires BCAST mode to be enabled")
	case cur&trackOn != 0 && cur&trackBcast != flags&trackBcast:
		return command.Err("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
	case flags&trackBcast != 0 && flags&(trackOptin|trackOptout) != 0:
		return command.Err("ERR OPTIN and OPTOUT are not compatible with BCAST")
	case flags&trackOptin != 0 && flags&trackOptout != 0:
		return command.Err("ERR You can't specify both OPTIN mode and OPTOUT mode")
	case flags&trackOptin != 0 && cur&trackOptout != 0, flags&trackOptout != 0 && cur&trackOptin != 0:
		return command.Err("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
	}
	if flags&trackBcast != 0 {
		if err := prefixCollision(cl.trk.prefixes, prefixes); err != nil {
			return err
		}
	}
	if cur&trackOn == 0 {
		t.clients.Add(1)
		t.byID[cl.id] = cl
	}
	cl.trk.flags.Store(uint32(trackOn | flags&(trackBcast|trackOptin|trackOptout|trackNoloop)))
	cl.trk.redirect.Store(redirect)
	if flags&trackBcast != 0 {
		if len(prefixes) == 0 {
			prefixes = []string{""}
		}
		for _, p := range prefixes {
			t.addPrefix(cl, p)
		}
	}
	c.W.OK()
	return nil
}

// prefixCollision refuses prefixes where one is a prefix of another, among those the
// client has and those it asks for.
func prefixCollision(have, asked []string) error {
	overlap := func(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) }
	for i, p := range asked {
		for _, h := range have {
			if overlap(p, h) {
				return command.Errorf("ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must not overlap.", p, h)
			}
		}
		for j, q := range asked {
			if i != j && overlap(p, q) {
				return command.Errorf("ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client must not overlap.", p, q)
			}
		}
	}
	return nil
}

// addPrefix subscribes c to changes under p; t.mu is held.
func (t *tracking) addPrefix(c *Client, p string) {
	if i, found := slices.BinarySearch(c.trk.prefixes, p); !found {
		c.trk.prefixes = slices.Insert(c.trk.prefixes, i, p)
	}
	bp := t.bcast[p]
	if bp == nil {
		bp = &bcastPrefix{clients: map[*Client]struct{}{}, changed: map[string]*Client{}}
		t.bcast[p] = bp
		if i, found := slices.BinarySearch(t.lengths, len(p)); !found {
			t.lengths = slices.Insert(t.lengths, i, len(p))
		}
	}
	bp.clients[c] = struct{}{}
}

// disableTracking turns tracking off for c (CLIENT TRACKING OFF, RESET, disconnection).
// Keys it read stay in the table until they change, as in Redis.
func (s *Server) disableTracking(c *Client) {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	if !c.trk.is(trackOn) {
		return
	}
	for _, p := range c.trk.prefixes {
		bp := t.bcast[p]
		delete(bp.clients, c)
		if len(bp.clients) == 0 {
			delete(t.bcast, p)
			t.lengths = t.lengths[:0]
			for q := range t.bcast {
				if i, found := slices.BinarySearch(t.lengths, len(q)); !found {
					t.lengths = slices.Insert(t.lengths, i, len(q))
				}
			}
		}
	}
	delete(t.byID, c.id)
	t.clients.Add(-1)
	c.trk.flags.Store(0)
	c.trk.redirect.Store(0)
	c.trk.prefixes = nil
}

// clientByID returns the connected client with that ID, or nil.
func (s *Server) clientByID(id int64) *Client {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	return s.clients[id]
}

func (s *Server) cmdClientCaching(c *command.Ctx) error {
	cl := client(c)
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	f := trackFlag(cl.trk.flags.Load())
	if f&trackOn == 0 {
		return command.Err("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
	}
	switch {
	case c.Is(2, "yes") && f&trackOptin == 0:
		return command.Err("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
	case c.Is(2, "no") && f&trackOptout == 0:
		return command.Err("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
	case !c.Is(2, "yes") && !c.Is(2, "no"):
		return command.ErrSyntax
	}
	cl.trk.set(trackCaching)
	c.W.OK()
	return nil
}

// endCaching drops a CLIENT CACHING choice once the command after it has run: any
// command but another CLIENT subcommand, and in a transaction only EXEC (the choice
// covers all of it), as Redis does.
func (s *Server) endCaching(c *Client) {
	if !c.trk.is(trackCaching) || c.multi != nil {
		return
	}
	if spec := c.lastCmd.Load(); spec != nil && strings.HasPrefix(spec.Name, "client|") {
		return
	}
	t := &s.tracking
	t.mu.Lock()
	c.trk.unset(trackCaching)
	t.mu.Unlock()
}

func (s *Server) cmdClientTrackingInfo(c *command.Ctx) error {
	cl := client(c)
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	f := trackFlag(cl.trk.flags.Load())
	var names []string
	if f&trackOn == 0 {
		names = append(names, "off")
	} else {
		names = append(names, "on")
	}
	for _, n := range []struct {
		flag trackFlag
		name string
	}{{trackBcast, "bcast"}, {trackOptin, "optin"}, {trackOptout, "optout"}, {trackNoloop, "noloop"}} {
		if f&n.flag != 0 {
			names = append(names, n.name)
		}
	}
	if f&trackCaching != 0 {
		if f&trackOptin != 0 {
			names = append(names, "caching-yes")
		} else {
			names = append(names, "caching-no")
		}
	}
	if f&trackBrokenRedir != 0 {
		names = append(names, "broken_redirect")
	}
	c.W.Map(3)
	c.W.BulkString("flags")
	c.W.Set(len(names))
	for _, n := range names {
		c.W.BulkString(n)
	}
	c.W.BulkString("redirect")
	c.W.Int(cl.redirectID())
	c.W.BulkString("prefixes")
	c.W.Array(len(cl.trk.prefixes))
	for _, p := range cl.trk.prefixes {
		c.W.BulkString(p)
	}
	return nil
}

// redirectID is CLIENT GETREDIR's answer: -1 when not tracking.
func (c *Client) redirectID() int64 {
	if !c.trk.is(trackOn) {
		return -1
	}
	return c.trk.redirect.Load()
}

func (s *Server) cmdClientGetRedir(c *command.Ctx) error {
	c.W.Int(client(c).redirectID())
	return nil
}

// trackingLetters returns CLIENT LIST's tracking flags.
func (c *Client) trackingLetters() string {
	f := trackFlag(c.trk.flags.Load())
	letters := ""
	if f&trackOn != 0 {
		letters += "t"
	}
	if f&trackBrokenRedir != 0 {
		letters += "R"
	}
	if f&trackBcast != 0 {
		letters += "B"
	}
	return letters
}

// rememberRead records the keys a read-only command of c read, when c tracks in
// default mode and its OPTIN/OPTOUT choice lets this command count.
func (s *Server) rememberRead(c *Client, spec *command.Spec, args [][]byte) {
	if spec.Has(command.PubSub) { // shard channels are keys to the table, not to caches
		return
	}
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	f := trackFlag(c.trk.flags.Load())
	if f&trackOn == 0 || f&trackBcast != 0 {
		return
	}
	caching := f&trackCaching != 0
	if (f&trackOptin != 0 && !caching) || (f&trackOptout != 0 && caching) {
		return
	}
	spec.EachKey(args, func(k command.KeyRef) {
		ids := t.keys[string(args[k.Pos])]
		if ids == nil {
			ids = map[int64]struct{}{}
			t.keys[string(args[k.Pos])] = ids
		}
		if _, ok := ids[c.id]; !ok {
			ids[c.id] = struct{}{}
			t.items++
		}
	})
	if max := t.max.Load(); max > 0 {
		t.evictKeys(int(max))
	}
}

// evictKeys forgets keys beyond max, invalidating them for their readers as if they
// had changed (tracking-table-max-keys); t.mu is held.
func (t *tracking) evictKeys(max int) {
	for key := range t.keys {
		if len(t.keys) <= max {
			return
		}
		t.invalidateKey(key, nil)
	}
}

// trackChange handles a change to key, made in the shard given: t.mu is not held.
func (s *Server) trackChange(key []byte, shard int) {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	by := t.owners[shard]
	if _, ok := t.keys[string(key)]; ok {
		t.invalidateKey(string(key), by)
	}
	for _, n := range t.lengths {
		if n > len(key) {
			break
		}
		if bp := t.bcast[string(key[:n])]; bp != nil {
			bp.changed[string(key)] = by
			t.bcastPending.Store(true)
		}
	}
}

// invalidateKey tells the clients that read key it changed (by, when not nil, changed
// it) and forgets it; t.mu is held.
func (t *tracking) invalidateKey(key string, by *Client) {
	ids := t.keys[key]
	delete(t.keys, key)
	t.items -= len(ids)
	for id := range ids {
		c := t.byID[id]
		if c == nil || c.trk.is(trackBcast) {
			continue
		}
		if c == by {
			if !c.trk.is(trackNoloop) {
				c.trk.pending = append(c.trk.pending, invalidation{keys: []string{key}})
			}
			continue
		}
		c.srv.sendInvalidation(c, invalidation{keys: []string{key}}, wakesOf(by))
	}
}

// wakesOf is where a change's pushes wait for their writers to be woken: the batch of
// the client that made it, or nowhere (woken at once).
func wakesOf(by *Client) *wakeList {
	if by != nil && by.conn != nil {
		return &by.wakes
	}
	return nil
}

// invalidation is one message's payload: keys, or null for a flush.
type invalidation struct {
	keys  []string
	flush bool
}

// sendInvalidation delivers an invalidation for tracking client c, to c or to the
// client it redirects to; tracking.mu is held.
func (s *Server) sendInvalidation(c *Client, inv invalidation, later *wakeList) {
	target, redirected := c, false
	if id := c.trk.redirect.Load(); id != 0 {
		target, redirected = s.clientByID(id), true
		if target == nil {
			c.trk.set(trackBrokenRedir)
			if out := c.diag.out.Load(); out != nil { // RESP3 only
				msg := strconv.AppendInt([]byte(">2\r\n$21\r\ntracking-redir-broken\r\n:"), id, 10)
				out.queueEither(nil, append(msg, "\r\n"...), 0, false, later)
			}
			return
		}
	}
	out := target.diag.out.Load() // c.out belongs to the target's goroutine
	if out == nil && target.diag.proto.Load() != 3 {
		return // a RESP2 client not in pub/sub mode gets nothing, as in Redis
	}
	var body []byte
	if inv.flush { // the null of the tracking client's protocol, as Redis sends
		if c.diag.proto.Load() == 3 {
			body = []byte("_\r\n")
		} else {
			body = []byte("$-1\r\n")
		}
	} else {
		body = resp.AppendCommand(nil, inv.keys...)
	}
	var resp2 []byte
	if redirected {
		s.pubsub.mu.RLock()
		subscribed := target.subscriptions() > 0
		s.pubsub.mu.RUnlock()
		if subscribed {
			resp2 = append([]byte("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"), body...)
		}
	}
	resp3 := append([]byte(">2\r\n$10\r\ninvalidate\r\n"), body...)
	if out == nil {
		target.mailPush(resp3)
		return
	}
	out.queueEither(resp2, resp3, 0, false, later)
}

// pushMailbox holds pushes for a RESP3 client that other clients' invalidations are
// redirected to before it has an asynchronous output: only its own goroutine may give
// it one (adoptPushMode), which it is woken to do.
type pushMailbox struct {
	mu      sync.Mutex
	frames  []byte
	pending atomic.Bool
}

// mailPush keeps a RESP3 push for c, which has no asynchronous output yet, and wakes
// its goroutine to take it.
func (c *Client) mailPush(frame []byte) {
	m := &c.mail
	m.mu.Lock()
	if out := c.diag.out.Load(); out != nil { // adopted meanwhile
		m.mu.Unlock()
		out.queueEither(nil, frame, 0, false, nil)
		return
	}
	m.frames = append(m.frames, frame...)
	m.pending.Store(true)
	m.mu.Unlock()
	if c.in != nil {
		c.in.interrupt()
	}
}

// adoptPushMode runs on c's goroutine, between batches, when pushes wait in its
// mailbox: c switches to an asynchronous output, which sends them first.
func (s *Server) adoptPushMode(c *Client) {
	if c.in.interrupted.Load() { // woken by the batch's end instead: disarm the wake-up
		_ = c.in.Conn.SetReadDeadline(time.Time{})
		c.in.interrupted.Store(false)
	}
	if c.mail.pending.Load() {
		s.enterPushMode(c, config.ClassNormal)
	}
}

// sendOwnInvalidations sends c the invalidations its own command caused, after that
// command's reply.
func (s *Server) sendOwnInvalidations(c *Client) {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, inv := range c.trk.pending {
		if c.trk.is(trackOn) {
			s.sendInvalidation(c, inv, &c.wakes)
		}
		c.trk.pending[i] = invalidation{}
	}
	c.trk.pending = c.trk.pending[:0]
}

// trackFlush handles a database emptied by FLUSHDB or FLUSHALL: the table empties, and
// the call that flushed announces it once it ends (flushEnded), however many
// databases it emptied. A flush made outside a client's call (a replica's full
// resync, loading) is announced at once.
func (s *Server) trackFlush() {
	t := &s.tracking
	t.mu.Lock()
	clear(t.keys)
	t.items = 0
	t.flushed = true
	inCall := t.owners[0] != nil // a flush holds every shard
	t.mu.Unlock()
	if !inCall {
		s.flushEnded(nil)
	}
}

// flushEnded sends every tracking client a null invalidation if the call by c that
// ends flushed (c's own after its reply), as Redis does.
func (s *Server) flushEnded(by *Client) {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.flushed {
		return
	}
	t.flushed = false
	for _, c := range t.byID {
		if c == by {
			c.trk.pending = append(c.trk.pending, invalidation{flush: true})
			continue
		}
		s.sendInvalidation(c, invalidation{flush: true}, wakesOf(by))
	}
}

// broadcast sends BCAST clients the keys changed under their prefixes since the last
// broadcast: one message per client and prefix, keys sorted, without those the client
// changed itself when it asked for NOLOOP.
func (s *Server) broadcast(later *wakeList) {
	t := &s.tracking
	if !t.bcastPending.Load() { // every batch's end asks: most have nothing to send
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bcastPending.Store(false)
	for _, p := range slices.Sorted(maps.Keys(t.bcast)) { // in prefix order, as Redis
		bp := t.bcast[p]
		if len(bp.changed) == 0 {
			continue
		}
		keys := make([]string, 0, len(bp.changed))
		for k := range bp.changed {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for c := range bp.clients {
			send := keys
			if c.trk.is(trackNoloop) {
				send = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return bp.changed[k] == c })
			}
			if len(send) > 0 {
				s.sendInvalidation(c, invalidation{keys: send}, later)
			}
		}
		clear(bp.changed)
	}
}

// trackingStats returns INFO's tracking_total_keys, _items and _prefixes.
func (s *Server) trackingStats() (keys, items, prefixes int) {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys), t.items, len(t.bcast)
}
