package command

import (
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// Ctx is one call's view of the world. The executor reuses it between calls.
type Ctx struct {
	// Args are valid for this call only (views of the connection's read buffer): a
	// handler copies what it keeps.
	Args [][]byte
	Spec *Spec
	W    *resp.Writer
	KS   *store.Keyspace
	DB   *store.DB
	// Client is the server's connection state, for server-level handlers.
	Client any
	// NoBlock is set where blocking commands must not block (MULTI, scripts).
	NoBlock bool
	// Blocked is set by Block for the executor.
	Blocked *BlockRequest
	// ReadyKey is set when the executor runs a blocked command again because this key
	// changed: commands blocking on several keys try it first, as Redis serves a client
	// from the key that became ready.
	ReadyKey []byte
	// Propagating is set by the executor when something consumes the write stream (AOF,
	// replicas): only then need handlers build the rewrites they pass to Propagate.
	Propagating bool

	prop Propagation // what the handler asked for; the executor takes it after the call
}

// AllKeysReader is implemented by a Ctx's Client when an ACL user may restrict the
// keys it reads: SORT's BY and GET patterns name keys the key specs cannot show, so
// they need a user who may read every key with the command.
type AllKeysReader interface {
	ReadsAllKeys(spec *Spec, args [][]byte) bool
}

// readsAllKeys reports whether the caller may read every key with this call.
func (c *Ctx) readsAllKeys() bool {
	r, ok := c.Client.(AllKeysReader)
	return !ok || r.ReadsAllKeys(c.Spec, c.Args)
}

// Propagation is what a handler asked of the write stream for its call.
type Propagation struct {
	Rewrite      [][][]byte // commands replacing the call
	Rewritten    bool       // Rewrite replaces the call, even when empty
	Forced       bool       // propagate although no key changed
	ReplicasOnly bool       // forced for replicas only, not the AOF (PUBLISH)
}

// Propagate makes the call reach the write stream as the given command instead of as
// itself; several calls send several commands. Handlers whose effect depends on time
// or chance (relative TTLs, SPOP, blocking pops, float increments) use it so a replay
// is exact, as Redis's rewriteClientCommandVector and alsoPropagate.
func (c *Ctx) Propagate(args ...[]byte) {
	if !c.Propagating {
		return
	}
	c.prop.Rewritten = true
	// A copy, so that args does not escape: calls cost nothing when not propagating.
	c.prop.Rewrite = append(c.prop.Rewrite, slices.Clone(args))
}

// PropagateNothing keeps the call out of the write stream although it wrote.
//
// Like the other requests below, it is ignored while nothing consumes the stream: the
// executor takes requests only then, and one left over would apply to the client's
// first call after a feed appeared (a GET replicated after a PUBLISH, a SET lost after
// an EXEC).
func (c *Ctx) PropagateNothing() {
	if c.Propagating {
		c.prop.Rewritten = true
	}
}

// Shared words of propagated rewrites.
var (
	wordDel       = []byte("DEL")
	wordSet       = []byte("SET")
	wordPXAT      = []byte("PXAT")
	wordKeepTTL   = []byte("KEEPTTL")
	wordPExpireAt = []byte("PEXPIREAT")
	wordPersist   = []byte("PERSIST")
	wordHSet      = []byte("HSET")
	wordSRem      = []byte("SREM")
	wordLPop      = []byte("LPOP")
	wordRPop      = []byte("RPOP")
	wordLMove     = []byte("LMOVE")
	wordRPopLPush = []byte("RPOPLPUSH")
	wordZPopMin   = []byte("ZPOPMIN")
	wordZPopMax   = []byte("ZPOPMAX")
)

// propagateSetAt propagates a SET with a deadline as SET key value PXAT ms, absolute
// so that a replay later sets the same deadline; its other options had their effect.
func (c *Ctx) propagateSetAt(key, val []byte, at int64) {
	if c.Propagating {
		c.Propagate(wordSet, key, val, wordPXAT, AppendInt(nil, at))
	}
}

// ForcePropagation sends the call to the write stream even if it changed no key
// (PUBLISH, FLUSHDB of an empty database).
func (c *Ctx) ForcePropagation() {
	if c.Propagating {
		c.prop.Forced = true
	}
}

// ForceReplication sends the call to replicas even if it changed no key, but not to
// the AOF (PUBLISH: messages are not data).
func (c *Ctx) ForceReplication() {
	if c.Propagating {
		c.prop.Forced, c.prop.ReplicasOnly = true, true
	}
}

// TakePropagation returns what the handler of the finished call asked of the write
// stream, and resets it for the next call.
func (c *Ctx) TakePropagation() Propagation {
	p := c.prop
	c.prop = Propagation{}
	return p
}

// KeysReadyFirst returns keys with c.ReadyKey (if it is one of them) moved to the front.
func (c *Ctx) KeysReadyFirst(keys [][]byte) [][]byte {
	if c.ReadyKey == nil {
		return keys
	}
	for i, k := range keys {
		if string(k) == string(c.ReadyKey) {
			if i == 0 {
				return keys
			}
			out := make([][]byte, 0, len(keys))
			out = append(out, k)
			out = append(out, keys[:i]...)
			return append(out, keys[i+1:]...)
		}
	}
	return keys
}

// Arg returns argument i as a string without copying; it is valid for this call only.
func (c *Ctx) Arg(i int) string { return unsafe.String(unsafe.SliceData(c.Args[i]), len(c.Args[i])) }

// Is reports whether argument i equals word, ignoring case.
func (c *Ctx) Is(i int, word string) bool { return strings.EqualFold(c.Arg(i), word) }

// Int parses argument i as a 64-bit integer, with Redis's error.
func (c *Ctx) Int(i int) (int64, error) {
	n, ok := ParseInt(c.Args[i])
	if !ok {
		return 0, ErrNotInt
	}
	return n, nil
}

// IntPair parses arguments i and i+1 as 64-bit integers (a range's start and end),
// with Redis's error.
func (c *Ctx) IntPair(i int) (int64, int64, error) {
	a, err := c.Int(i)
	if err != nil {
		return 0, 0, err
	}
	b, err := c.Int(i + 1)
	return a, b, err
}

// Float parses argument i as a double the way Redis's string2d does (see ParseFloat),
// with Redis's error.
func (c *Ctx) Float(i int) (float64, error) {
	f, ok := ParseFloat(c.Args[i])
	if !ok {
		return 0, ErrNotFloat
	}
	return f, nil
}

// ParseInt parses b the way Redis's string2ll does (see store.ParseInt).
func ParseInt(b []byte) (int64, bool) { return store.ParseInt(b) }

// AppendInt appends n in decimal.
func AppendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }
