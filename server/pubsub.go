package server

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/config"
	"github.com/cinnabar-db/cinnabar/glob"
	"github.com/cinnabar-db/cinnabar/resp"
)

// pubsubRegistry maps channels, patterns and shard channels to their subscribers.
// Publishing holds the read lock while it queues messages; (un)subscribing holds the
// write lock while it queues its confirmation, so a subscriber never sees a message of
// a channel before the confirmation of its subscription, nor after its unsubscription.
type pubsubRegistry struct {
	mu       sync.RWMutex
	channels map[string]map[*Client]struct{}
	patterns map[string]map[*Client]struct{}
	shard    map[string]map[*Client]struct{}
}

// subscription kinds: the client's set, the registry's map and the reply words.
type subKind struct {
	sub, unsub string
	clientSet  func(c *Client) map[string]struct{}
	registry   func(r *pubsubRegistry) *map[string]map[*Client]struct{}
}

var (
	kindChannel = &subKind{"subscribe", "unsubscribe",
		func(c *Client) map[string]struct{} { return c.subChannels },
		func(r *pubsubRegistry) *map[string]map[*Client]struct{} { return &r.channels }}
	kindPattern = &subKind{"psubscribe", "punsubscribe",
		func(c *Client) map[string]struct{} { return c.subPatterns },
		func(r *pubsubRegistry) *map[string]map[*Client]struct{} { return &r.patterns }}
	kindShard = &subKind{"ssubscribe", "sunsubscribe",
		func(c *Client) map[string]struct{} { return c.subShard },
		func(r *pubsubRegistry) *map[string]map[*Client]struct{} { return &r.shard }}
)

func (s *Server) pubsubCommands() []*Spec {
	return []*Spec{
		{Name: "subscribe", Arity: -2, Flags: PubSub | NoScript | Loading | Stale, Do: s.subscribeHandler(kindChannel)},
		{Name: "psubscribe", Arity: -2, Flags: PubSub | NoScript | Loading | Stale, Do: s.subscribeHandler(kindPattern)},
		{Name: "ssubscribe", Arity: -2, Flags: PubSub | NoScript | Loading | Stale, Do: s.subscribeHandler(kindShard)},
		{Name: "unsubscribe", Arity: -1, Flags: PubSub | NoScript | Loading | Stale, Do: s.unsubscribeHandler(kindChannel)},
		{Name: "punsubscribe", Arity: -1, Flags: PubSub | NoScript | Loading | Stale, Do: s.unsubscribeHandler(kindPattern)},
		{Name: "sunsubscribe", Arity: -1, Flags: PubSub | NoScript | Loading | Stale, Do: s.unsubscribeHandler(kindShard)},
		{Name: "publish", Arity: 3, Flags: PubSub | Loading | Stale | Fast, Do: s.cmdPublish},
		{Name: "spublish", Arity: 3, Flags: PubSub | Loading | Stale | Fast, Do: s.cmdPublish},
		{Name: "pubsub", Arity: -2, Cat: CatSlow, Subs: []*Spec{
			{Name: "pubsub|channels", Arity: -2, Flags: PubSub | Loading | Stale, Do: s.cmdPubsubChannels},
			{Name: "pubsub|shardchannels", Arity: -2, Flags: PubSub | Loading | Stale, Do: s.cmdPubsubChannels},
			{Name: "pubsub|numsub", Arity: -2, Flags: PubSub | Loading | Stale, Do: s.cmdPubsubNumsub},
			{Name: "pubsub|shardnumsub", Arity: -2, Flags: PubSub | Loading | Stale, Do: s.cmdPubsubNumsub},
			{Name: "pubsub|numpat", Arity: 2, Flags: PubSub | Loading | Stale, Do: s.cmdPubsubNumpat},
			{Name: "pubsub|help", Arity: 2, Flags: Loading | Stale, Do: cmdPubsubHelp},
		}},
	}
}

// subscriptions counts the client's channels, patterns and shard channels.
func (c *Client) subscriptions() int {
	return len(c.subChannels) + len(c.subPatterns) + len(c.subShard)
}

// enterPushMode routes the client's output through an asyncOutput, after flushing what
// redcon still holds for it, so pushes from other goroutines interleave correctly.
func (s *Server) enterPushMode(c *Client, class int) {
	if c.out != nil {
		return
	}
	_ = s.flushConn(c)
	lim := s.cfg.BufferLimit(class)
	c.out = newAsyncOutput(c, c.w.Proto, int64(lim.Hard), int64(lim.Soft), time.Duration(lim.SoftSeconds)*time.Second)
	// Published for other goroutines (invalidations, CLIENT LIST) once the pushes mailed
	// to the client before are queued, so that they stay ahead of the rest.
	m := &c.mail
	m.mu.Lock()
	if m.pending.Load() {
		c.out.queueEither(nil, m.frames, 0, false, nil)
		m.frames, _ = nil, m.pending.Swap(false)
	}
	c.diag.out.Store(c.out)
	m.mu.Unlock()
}

func (s *Server) subscribeHandler(k *subKind) Handler {
	return func(c *Ctx) error {
		cl := client(c)
		if k == kindShard && c.NoBlock {
			return Err("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
		}
		s.enterPushMode(cl, config.ClassPubSub)
		for i := 1; i < len(c.Args); i++ {
			name := string(c.Args[i])
			s.pubsub.mu.Lock()
			set := k.clientSet(cl)
			if _, ok := set[name]; !ok {
				set[name] = struct{}{}
				reg := k.registry(&s.pubsub)
				if *reg == nil {
					*reg = map[string]map[*Client]struct{}{}
				}
				if (*reg)[name] == nil {
					(*reg)[name] = map[*Client]struct{}{}
				}
				(*reg)[name][cl] = struct{}{}
			}
			writeSubReply(c.W, k.sub, name, cl.subscriptionsOf(k))
			cl.out.write(c.W.Bytes())
			c.W.Reset()
			s.pubsub.mu.Unlock()
		}
		return nil
	}
}

// subscriptionsOf is the count Redis reports in (un)subscribe confirmations: shard
// channels count on their own, channels and patterns together.
func (c *Client) subscriptionsOf(k *subKind) int {
	if k == kindShard {
		return len(c.subShard)
	}
	return len(c.subChannels) + len(c.subPatterns)
}

func writeSubReply(w *resp.Writer, kind, name string, count int) {
	w.Push(3)
	w.BulkString(kind)
	if name == "" && count == 0 && strings.HasSuffix(kind, "unsubscribe") {
		w.Null()
	} else {
		w.BulkString(name)
	}
	w.Int(int64(count))
}

func (s *Server) unsubscribeHandler(k *subKind) Handler {
	return func(c *Ctx) error {
		cl := client(c)
		var names []string
		if len(c.Args) > 1 {
			for _, a := range c.Args[1:] {
				names = append(names, string(a))
			}
		} else {
			for name := range k.clientSet(cl) {
				names = append(names, name)
			}
			sort.Strings(names)
		}
		if len(names) == 0 {
			writeSubReply(c.W, k.unsub, "", cl.subscriptionsOf(k))
			return nil
		}
		s.pubsub.mu.Lock()
		defer s.pubsub.mu.Unlock()
		for _, name := range names {
			s.unsubscribeLocked(cl, k, name)
			writeSubReply(c.W, k.unsub, name, cl.subscriptionsOf(k))
			if cl.out != nil {
				cl.out.write(c.W.Bytes())
				c.W.Reset()
			}
		}
		return nil
	}
}

func (s *Server) unsubscribeLocked(cl *Client, k *subKind, name string) {
	set := k.clientSet(cl)
	if _, ok := set[name]; !ok {
		return
	}
	delete(set, name)
	reg := *k.registry(&s.pubsub)
	delete(reg[name], cl)
	if len(reg[name]) == 0 {
		delete(reg, name)
	}
}

// unsubscribeAll drops every subscription of a departing or RESET client.
func (s *Server) unsubscribeAll(cl *Client) {
	if cl.subscriptions() == 0 {
		return
	}
	s.pubsub.mu.Lock()
	for _, k := range []*subKind{kindChannel, kindPattern, kindShard} {
		for name := range k.clientSet(cl) {
			s.unsubscribeLocked(cl, k, name)
		}
	}
	s.pubsub.mu.Unlock()
}

// publish delivers a message and returns the number of clients that received it.
// later, if not nil, collects the subscribers whose writers the caller wakes when its
// batch ends (asyncOutput.push).
func (s *Server) publish(channel, message []byte, shard bool, later *wakeList) int {
	s.pubsub.mu.RLock()
	defer s.pubsub.mu.RUnlock()
	kind := "message"
	reg := s.pubsub.channels
	if shard {
		kind, reg = "smessage", s.pubsub.shard
	}
	n := 0
	// One frame for every subscriber, whatever its protocol (push fixes the first
	// byte); a small message is rendered on the stack.
	var scratch [256]byte
	if subs := reg[string(channel)]; len(subs) > 0 {
		frame := resp.AppendCommand(scratch[:0], []byte(kind), channel, message)
		for c := range subs {
			c.out.push(frame, later)
			n++
		}
	}
	if shard {
		return n
	}
	for pattern, clients := range s.pubsub.patterns {
		if !glob.Match(pattern, string(channel), false) {
			continue
		}
		frame := resp.AppendCommand(scratch[:0], []byte("pmessage"), []byte(pattern), channel, message)
		for c := range clients {
			c.out.push(frame, later)
			n++
		}
	}
	return n
}

func (s *Server) cmdPublish(c *Ctx) error {
	cl := client(c)
	var later *wakeList
	if cl.conn != nil { // a connection's goroutine, which wakes them after its batch
		later = &cl.wakes
	}
	c.W.Int(int64(s.publish(c.Args[1], c.Args[2], c.Spec.Name == "spublish", later)))
	c.ForceReplication() // replicas' subscribers get it too
	return nil
}

func (s *Server) cmdPubsubChannels(c *Ctx) error {
	pattern := ""
	if len(c.Args) > 3 {
		return Errorf("ERR unknown subcommand or wrong number of arguments for '%s'. Try PUBSUB HELP.", c.Arg(1))
	}
	if len(c.Args) == 3 {
		pattern = c.Arg(2)
	}
	s.pubsub.mu.RLock()
	reg := s.pubsub.channels
	if c.Spec.Name == "pubsub|shardchannels" {
		reg = s.pubsub.shard
	}
	var names []string
	for name := range reg {
		if pattern == "" || glob.Match(pattern, name, false) {
			names = append(names, name)
		}
	}
	s.pubsub.mu.RUnlock()
	c.W.BulkStrings(names)
	return nil
}

func (s *Server) cmdPubsubNumsub(c *Ctx) error {
	s.pubsub.mu.RLock()
	defer s.pubsub.mu.RUnlock()
	reg := s.pubsub.channels
	if c.Spec.Name == "pubsub|shardnumsub" {
		reg = s.pubsub.shard
	}
	c.W.Array(2 * (len(c.Args) - 2)) // a flat array even in RESP3, as Redis 7.0 replies
	for _, ch := range c.Args[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(len(reg[string(ch)])))
	}
	return nil
}

func (s *Server) cmdPubsubNumpat(c *Ctx) error {
	s.pubsub.mu.RLock()
	n := len(s.pubsub.patterns)
	s.pubsub.mu.RUnlock()
	c.W.Int(int64(n))
	return nil
}

func cmdPubsubHelp(c *Ctx) error {
	ReplyHelp(c.W, "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)")
	return nil
}

// keyspace notification names: "__keyspace@<db>__:" and "__keyevent@<db>__:".
func notificationChannel(prefix string, db int, suffix []byte) []byte {
	b := make([]byte, 0, len(prefix)+len(suffix)+8)
	b = append(b, prefix...)
	b = strconv.AppendInt(b, int64(db), 10)
	b = append(b, "__:"...)
	return append(b, suffix...)
}
