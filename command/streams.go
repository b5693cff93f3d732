package command

import (
	"bytes"
	"slices"
	"strings"

	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// The stream family. Handlers parse, call the store's stream API (store/stream.go,
// store/stream_group.go) and reply; the order in which arguments are checked follows
// Redis 7.0, so the same bad call gets the same error.
//
// # Blocking reads
//
// XREAD and XREADGROUP with BLOCK park the client with Ctx.Block; the executor runs the
// same argument list again when one of the keys changes, with Ctx.ReadyKey set. Such a
// re-run serves the client as Redis serves a blocked stream reader: from the ready key
// only, with a default COUNT of 1000, replying with that one stream.
//
// XREAD's "$" means "the last ID when the command was called", and must not move while
// the client waits. So before blocking, the handler rewrites each "$" argument in place
// (c.Args belongs to the call, and the executor keeps that same slice for the re-runs)
// with the ID it stood for. XREADGROUP's ">" needs no such care: it always means the
// group's last delivered ID at the time of serving. A blocked XREADGROUP whose group
// was destroyed, or whose key is gone or holds another type when it runs again, ends
// with Redis 7.0's NOGROUP or UNBLOCKED error.
//
// # Writes without events
//
// XREADGROUP, XACK, XCLAIM and XAUTOCLAIM change groups and pending entries without a
// keyspace event of their own; they report the change with DB.Changed and the zero
// Event, so it counts as a write (dirty, propagation) and wakes blocked readers. One
// consequence differs from Redis 7.0, which only lets XADD, XDEL and XTRIM invalidate
// a WATCH on a stream: here group changes (XGROUP, XSETID, XREADGROUP, XACK, XCLAIM)
// do too. That errs on the safe side: a transaction is retried, never wrongly run.

var (
	evXAdd                 = store.Event{Class: store.ClassStream, Name: "xadd"}
	evXTrim                = store.Event{Class: store.ClassStream, Name: "xtrim"}
	evXDel                 = store.Event{Class: store.ClassStream, Name: "xdel"}
	evXSetID               = store.Event{Class: store.ClassStream, Name: "xsetid"}
	evXGroupCreate         = store.Event{Class: store.ClassStream, Name: "xgroup-create"}
	evXGroupCreateConsumer = store.Event{Class: store.ClassStream, Name: "xgroup-createconsumer"}
	evXGroupDelConsumer    = store.Event{Class: store.ClassStream, Name: "xgroup-delconsumer"}
	evXGroupDestroy        = store.Event{Class: store.ClassStream, Name: "xgroup-destroy"}
	evXGroupSetID          = store.Event{Class: store.ClassStream, Name: "xgroup-setid"}
	// evStreamState reports a change to groups or pending entries that Redis emits no
	// event for (XREADGROUP, XACK, XCLAIM): it counts as a write and wakes readers.
	evStreamState = store.Event{}
)

var (
	errStreamID           error = Err("ERR Invalid stream ID specified as stream command argument")
	errStreamStartRange   error = Err("ERR invalid start ID for the interval")
	errStreamEndRange     error = Err("ERR invalid end ID for the interval")
	errXAddZeroID         error = Err("ERR The ID specified in XADD must be greater than 0-0")
	errXAddExhausted      error = Err("ERR The stream has exhausted the last possible ID, unable to add more items")
	errStreamNoKey        error = Err(resp.ErrNoSuchKey)
	errXGroupNoKey        error = Err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
	errXGroupBusy         error = Err("BUSYGROUP Consumer Group name already exists")
	errXGroupEntriesRead  error = Err("ERR value for ENTRIESREAD must be positive or -1")
	errXReadUnbalanced    error = Err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
	errXReadGroupOption   error = Err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
	errXReadNoAckOption   error = Err("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
	errXReadMissingGroup  error = Err("ERR Missing GROUP option for XREADGROUP")
	errXReadGroupDollar   error = Err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
	errXReadGT            error = Err("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
	errXReadKeyGone       error = Err("UNBLOCKED the stream key no longer exists")
	errXReadGroupGone     error = Err("NOGROUP the consumer group this client was blocked on no longer exists")
	errXAutoClaimCount    error = Err("ERR COUNT must be > 0")
	errXSetIDEntriesAdded error = Err("ERR entries_added must be positive")
)

const (
	streamFlagsWrite     = Write | DenyOOM | Fast
	xreadBlockedCount    = 1000 // COUNT of a blocked XREAD served later, when none is given
	xautoclaimAttempts   = 10   // PEL entries XAUTOCLAIM examines per entry it may claim
	xinfoFullDefaultSize = 10
)

// StreamCommands are the stream family's rows.
var StreamCommands = []*Spec{
	{Name: "xadd", Arity: -5, Flags: streamFlagsWrite, Cat: CatStream, Do: cmdXAdd},
	{Name: "xlen", Arity: 2, Flags: ReadOnly | Fast, Cat: CatStream, Do: cmdLen},
	{Name: "xrange", Arity: -4, Flags: ReadOnly, Cat: CatStream, Do: cmdXRange},
	{Name: "xrevrange", Arity: -4, Flags: ReadOnly, Cat: CatStream, Do: cmdXRange},
	{Name: "xdel", Arity: -3, Flags: Write | Fast, Cat: CatStream, Do: cmdXDel},
	{Name: "xtrim", Arity: -4, Flags: Write, Cat: CatStream, Do: cmdXTrim},
	{Name: "xread", Arity: -4, Flags: ReadOnly | Blocking, Cat: CatStream, Do: cmdXRead},
	{Name: "xreadgroup", Arity: -7, Flags: Write | Blocking, Cat: CatStream, Do: cmdXRead},
	{Name: "xsetid", Arity: -3, Flags: streamFlagsWrite, Cat: CatStream, Do: cmdXSetID},
	{Name: "xack", Arity: -4, Flags: Write | Fast, Cat: CatStream, Do: cmdXAck},
	{Name: "xpending", Arity: -3, Flags: ReadOnly, Cat: CatStream, Do: cmdXPending},
	{Name: "xclaim", Arity: -6, Flags: Write | Fast, Cat: CatStream, Do: cmdXClaim},
	{Name: "xautoclaim", Arity: -6, Flags: Write | Fast, Cat: CatStream, Do: cmdXAutoClaim},
	{Name: "xgroup", Arity: -2, Cat: CatSlow, Subs: []*Spec{
		{Name: "xgroup|create", Arity: -5, Flags: Write | DenyOOM, Cat: CatStream, Do: cmdXGroup},
		{Name: "xgroup|setid", Arity: -5, Flags: Write, Cat: CatStream, Do: cmdXGroup},
		{Name: "xgroup|destroy", Arity: 4, Flags: Write, Cat: CatStream, Do: cmdXGroup},
		{Name: "xgroup|createconsumer", Arity: 5, Flags: Write | DenyOOM, Cat: CatStream, Do: cmdXGroup},
		{Name: "xgroup|delconsumer", Arity: 5, Flags: Write, Cat: CatStream, Do: cmdXGroup},
		{Name: "xgroup|help", Arity: 2, Flags: Loading | Stale, Cat: CatStream, Do: cmdXGroupHelp},
	}},
	{Name: "xinfo", Arity: -2, Cat: CatSlow, Subs: []*Spec{
		{Name: "xinfo|consumers", Arity: 4, Flags: ReadOnly, Cat: CatStream, Do: cmdXInfo},
		{Name: "xinfo|groups", Arity: 3, Flags: ReadOnly, Cat: CatStream, Do: cmdXInfo},
		{Name: "xinfo|stream", Arity: -3, Flags: ReadOnly, Cat: CatStream, Do: cmdXInfo},
		{Name: "xinfo|help", Arity: 2, Flags: Loading | Stale, Cat: CatStream, Do: cmdXInfoHelp},
	}},
}

// --- IDs ---

// string2ull parses an unsigned 64-bit number as Redis's string2ull does: the strict
// integer syntax first, then whatever C's strtoull accepts in full (leading spaces, a
// sign, leading zeros; a minus sign wraps around).
func string2ull(b []byte) (uint64, bool) {
	if n, ok := ParseInt(b); ok {
		return uint64(n), n >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) || len(b) == 0 {
		return 0, false
	}
	var u uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if u > (^uint64(0)-d)/10 {
			return 0, false // ERANGE
		}
		u = u*10 + d
	}
	if neg {
		u = -u
	}
	return u, true
}

// parseStreamID parses an ID as Redis's streamParseID: "ms-seq", or "ms" with the
// sequence missingSeq; "-" and "+" are the smallest and greatest IDs unless strict.
// With seqGiven not nil, "ms-*" is accepted and reported with *seqGiven = false.
func parseStreamID(b []byte, missingSeq uint64, strict bool, seqGiven *bool) (store.StreamID, bool) {
	if len(b) > 127 {
		return store.StreamID{}, false
	}
	if i := bytes.IndexByte(b, 0); i >= 0 { // a C string ends at its first NUL
		b = b[:i]
	}
	if strict && len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		return store.StreamID{}, false
	}
	if seqGiven != nil {
		*seqGiven = true
	}
	if len(b) == 1 && b[0] == '-' {
		return store.StreamID{}, true
	}
	if len(b) == 1 && b[0] == '+' {
		return store.MaxStreamID, true
	}
	msPart, seqPart, hasSeq := bytes.Cut(b, []byte{'-'})
	ms, ok := string2ull(msPart)
	if !ok {
		return store.StreamID{}, false
	}
	seq := missingSeq
	if hasSeq {
		if seqGiven != nil && len(seqPart) == 1 && seqPart[0] == '*' {
			seq = 0
			*seqGiven = false
		} else if seq, ok = string2ull(seqPart); !ok {
			return store.StreamID{}, false
		}
	}
	return store.StreamID{Ms: ms, Seq: seq}, true
}

// argID parses argument i as an ID ("-" and "+" allowed), with Redis's error.
func argID(c *Ctx, i int, missingSeq uint64) (store.StreamID, error) {
	id, ok := parseStreamID(c.Args[i], missingSeq, false, nil)
	if !ok {
		return id, errStreamID
	}
	return id, nil
}

// argStrictID parses argument i as an explicit ID ("-" and "+" refused).
func argStrictID(c *Ctx, i int) (store.StreamID, error) {
	id, ok := parseStreamID(c.Args[i], 0, true, nil)
	if !ok {
		return id, errStreamID
	}
	return id, nil
}

// argStrictIDs parses the arguments from i on as strict IDs (XDEL, XACK).
func argStrictIDs(c *Ctx, i int) ([]store.StreamID, error) {
	ids := make([]store.StreamID, 0, len(c.Args)-i)
	for ; i < len(c.Args); i++ {
		id, err := argStrictID(c, i)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// argRangeStart and argRangeEnd parse the bounds of a range, where "(" makes a bound
// exclusive.
func argRangeStart(c *Ctx, i int) (store.StreamID, error) {
	id, excl, err := argIntervalID(c, i, 0)
	if err != nil || !excl {
		return id, err
	}
	id, ok := id.Incr()
	if !ok {
		return id, errStreamStartRange
	}
	return id, nil
}

func argRangeEnd(c *Ctx, i int) (store.StreamID, error) {
	id, excl, err := argIntervalID(c, i, ^uint64(0))
	if err != nil || !excl {
		return id, err
	}
	id, ok := id.Decr()
	if !ok {
		return id, errStreamEndRange
	}
	return id, nil
}

func argIntervalID(c *Ctx, i int, missingSeq uint64) (store.StreamID, bool, error) {
	b := c.Args[i]
	if len(b) > 1 && b[0] == '(' {
		id, ok := parseStreamID(b[1:], missingSeq, true, nil)
		if !ok {
			return id, true, errStreamID
		}
		return id, true, nil
	}
	id, err := argID(c, i, missingSeq)
	return id, false, err
}

// --- replies ---

func replyStreamID(w *resp.Writer, id store.StreamID) {
	var tmp [42]byte
	w.Bulk(id.Append(tmp[:0]))
}

// replyStreamEntry writes one entry: its ID and its fields and values.
func replyStreamEntry(w *resp.Writer, id store.StreamID, fv [][]byte) {
	w.Array(2)
	replyStreamID(w, id)
	w.Array(len(fv))
	for _, f := range fv {
		w.Bulk(f)
	}
}

// patchHeader inserts, at offset mark of w, an aggregate header for n elements written
// after mark (a map of n pairs when asMap): the lengths Redis sets after the fact.
func patchHeader(w *resp.Writer, mark, n int, asMap bool) {
	var tmp resp.Writer
	tmp.Proto = w.Proto
	if asMap {
		tmp.Map(n)
	} else {
		tmp.Array(n)
	}
	h := tmp.Bytes()
	w.Raw(h)
	b := w.Bytes()
	copy(b[mark+len(h):], b[mark:len(b)-len(h)])
	copy(b[mark:], h)
}

// replyStreamRange writes the entries of s in [start, end] (count 0: all) as an array
// and returns how many it wrote.
func replyStreamRange(w *resp.Writer, s *store.Stream, start, end store.StreamID, count int64, rev bool) int {
	mark := w.Len()
	n := 0
	s.Range(start, end, rev, func(id store.StreamID, fv [][]byte) bool {
		replyStreamEntry(w, id, fv)
		n++
		return count == 0 || int64(n) < count
	})
	patchHeader(w, mark, n, false)
	return n
}

// replyOneEntry writes the entry id as [id, fields], or nothing if it does not exist.
func replyOneEntry(w *resp.Writer, s *store.Stream, id store.StreamID) bool {
	return replyFirstEntry(w, s, id, id, false)
}

// replyFirstEntry writes the first entry of [start, end] (the last one when rev) as
// [id, fields] and reports whether there was one; it writes nothing otherwise.
func replyFirstEntry(w *resp.Writer, s *store.Stream, start, end store.StreamID, rev bool) bool {
	found := false
	s.Range(start, end, rev, func(id store.StreamID, fv [][]byte) bool {
		replyStreamEntry(w, id, fv)
		found = true
		return false
	})
	return found
}

// --- lookups ---

func lookupStream(db *store.DB, key []byte) (*store.Stream, error) {
	return valueOf(db.Lookup(key), store.TypeStream, (*store.Entry).Stream)
}

func writeStream(db *store.DB, key []byte) (*store.Stream, error) {
	return valueOf(db.LookupWrite(key), store.TypeStream, (*store.Entry).Stream)
}

// streamNodeLimits reads stream-node-max-bytes and stream-node-max-entries.
func streamNodeLimits(db *store.DB) (maxBytes, maxEntries int64) {
	lim := db.Limits()
	return lim.StreamNodeMaxBytes.Load(), lim.StreamNodeMaxEntries.Load()
}

// --- XADD and XTRIM ---

type addTrimArgs struct {
	trim       store.TrimArgs
	id         store.StreamID
	idGiven    bool
	seqGiven   bool
	noMkStream bool
	approxPos  int // the positions of "~" and of the threshold, for the rewrite
	threshPos  int
}

// parseAddTrim reads XADD's and XTRIM's options from argument 2 on. For XADD it stops
// at the ID and returns its position.
func parseAddTrim(c *Ctx, xadd bool) (addTrimArgs, int, error) {
	var a addTrimArgs
	limitGiven := false
	i := 2
	for ; i < len(c.Args); i++ {
		more := len(c.Args) - 1 - i
		opt := c.Args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			return a.finish(c, xadd, limitGiven, i)
		case c.Is(i, "maxlen") && more > 0, c.Is(i, "minid") && more > 0:
			if a.trim.Strategy != 0 {
				return a, 0, Err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
			}
			maxlen := c.Is(i, "maxlen")
			a.trim.Approx = false
			if next := c.Args[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				a.trim.Approx = next[0] == '~'
				a.approxPos = i + 1
				i++
			}
			a.threshPos = i + 1
			if maxlen {
				n, err := c.Int(i + 1)
				if err != nil {
					return a, 0, err
				}
				if n < 0 {
					return a, 0, Err("ERR The MAXLEN argument must be >= 0.")
				}
				a.trim.Strategy, a.trim.MaxLen = store.TrimMaxLen, n
			} else {
				id, err := argStrictID(c, i+1)
				if err != nil {
					return a, 0, err
				}
				a.trim.Strategy, a.trim.MinID = store.TrimMinID, id
			}
			i++
		case c.Is(i, "limit") && more > 0:
			n, err := c.Int(i + 1)
			if err != nil {
				return a, 0, err
			}
			if n < 0 {
				return a, 0, Err("ERR The LIMIT argument must be >= 0.")
			}
			a.trim.Limit, limitGiven = n, true
			i++
		case xadd && c.Is(i, "nomkstream"):
			a.noMkStream = true
		case xadd:
			id, ok := parseStreamID(opt, 0, true, &a.seqGiven)
			if !ok {
				return a, 0, errStreamID
			}
			a.id, a.idGiven = id, true
			return a.finish(c, xadd, limitGiven, i)
		default:
			return a, 0, ErrSyntax
		}
	}
	return a.finish(c, xadd, limitGiven, i)
}

func (a *addTrimArgs) finish(c *Ctx, xadd, limitGiven bool, i int) (addTrimArgs, int, error) {
	if a.trim.Limit != 0 && a.trim.Strategy == 0 {
		return *a, 0, Err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
	}
	if !xadd && a.trim.Strategy == 0 {
		return *a, 0, Err("ERR syntax error, XTRIM must be called with a trimming strategy")
	}
	switch {
	case limitGiven:
		if !a.trim.Approx {
			return *a, 0, Err("ERR syntax error, LIMIT cannot be used without the special ~ option")
		}
	case a.trim.Approx:
		// Redis bounds an approximate trim's work to 100 nodes' worth of entries, within
		// [1, 1000000], and 10000 where that product is not positive (the multiplication
		// wraps as Redis's does).
		_, maxEntries := streamNodeLimits(c.DB)
		a.trim.Limit = min(100*maxEntries, 1000000)
		if a.trim.Limit <= 0 {
			a.trim.Limit = 10000
		}
	default:
		a.trim.Limit = 0
	}
	return *a, i, nil
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...
func cmdXAdd(c *Ctx) error {
	a, idPos, err := parseAddTrim(c, true)
	if err != nil {
		return err
	}
	fieldPos := idPos + 1
	if n := len(c.Args) - fieldPos; n < 2 || n%2 == 1 {
		return arityError(c.Spec)
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		return errXAddZeroID
	}
	key := c.Args[1]
	s, err := writeStream(c.DB, key)
	if err != nil {
		return err
	}
	created := s == nil
	if created {
		if a.noMkStream {
			c.W.Null()
			return nil
		}
		s = store.NewStream()
	}
	if s.LastID() == store.MaxStreamID {
		return errXAddExhausted
	}
	var given *store.StreamID
	if a.idGiven {
		given = &a.id
	}
	id, err := s.NextID(c.DB.Now(), given, a.seqGiven)
	if err == nil {
		maxBytes, maxEntries := streamNodeLimits(c.DB)
		err = s.Append(id, c.Args[fieldPos:], maxBytes, maxEntries)
	}
	if err != nil {
		return Err("ERR " + err.Error())
	}
	if created {
		c.DB.Set(key, store.NewStreamEntry(s), evXAdd)
	} else {
		c.DB.Changed(key, evXAdd)
	}
	replyStreamID(c.W, id)
	if a.trim.Strategy != 0 && s.Trim(a.trim) > 0 {
		c.DB.ChangedN(key, evXTrim, 0) // Redis counts the XADD alone
	}
	propagateAddTrim(c, &a, s, idPos, id)
	return nil
}

// propagateAddTrim replays XADD and XTRIM with what the server chose: the ID it
// generated, and for an approximate trim (which depends on node sizes) an exact one to
// where it stopped, as Redis does. A replay ignores LIMIT.
func propagateAddTrim(c *Ctx, a *addTrimArgs, s *store.Stream, idPos int, id store.StreamID) {
	newID := idPos > 0 && !(a.idGiven && a.seqGiven)
	if !c.Propagating || (!newID && !a.trim.Approx) {
		return
	}
	args := slices.Clone(c.Args)
	if newID {
		args[idPos] = id.Append(nil)
	}
	if a.trim.Approx {
		args[a.approxPos] = []byte("=")
		if a.trim.Strategy == store.TrimMaxLen {
			args[a.threshPos] = AppendInt(nil, s.Len())
		} else {
			args[a.threshPos] = s.FirstID().Append(nil)
		}
	}
	c.Propagate(args...)
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func cmdXTrim(c *Ctx) error {
	a, _, err := parseAddTrim(c, false)
	if err != nil {
		return err
	}
	key := c.Args[1]
	s, err := writeStream(c.DB, key)
	if err != nil {
		return err
	}
	if s == nil {
		c.W.Int(0)
		return nil
	}
	n := s.Trim(a.trim)
	if n > 0 {
		c.DB.ChangedN(key, evXTrim, n)
	}
	propagateAddTrim(c, &a, s, 0, store.StreamID{})
	c.W.Int(n)
	return nil
}

// XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count]
func cmdXRange(c *Ctx) error {
	rev := c.Spec.Name == "xrevrange"
	startArg, endArg := 2, 3
	if rev {
		startArg, endArg = 3, 2
	}
	start, err := argRangeStart(c, startArg)
	if err != nil {
		return err
	}
	end, err := argRangeEnd(c, endArg)
	if err != nil {
		return err
	}
	count := int64(-1)
	for j := 4; j < len(c.Args); j++ {
		if c.Is(j, "count") && j+1 < len(c.Args) {
			n, err := c.Int(j + 1)
			if err != nil {
				return err
			}
			count = max(n, 0)
			j++
		} else {
			return ErrSyntax
		}
	}
	s, err := lookupStream(c.DB, c.Args[1])
	if err != nil {
		return err
	}
	switch {
	case s == nil:
		c.W.Array(0)
	case count == 0:
		c.W.NullArray()
	default:
		replyStreamRange(c.W, s, start, end, max(count, 0), rev)
	}
	return nil
}

// XDEL key id [id ...]
func cmdXDel(c *Ctx) error {
	key := c.Args[1]
	s, err := writeStream(c.DB, key)
	if err != nil {
		return err
	}
	if s == nil {
		c.W.Int(0)
		return nil
	}
	ids, err := argStrictIDs(c, 2)
	if err != nil {
		return err
	}
	n := s.Delete(ids)
	if n > 0 {
		c.DB.ChangedN(key, evXDel, int64(n))
	}
	c.W.Int(int64(n))
	return nil
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func cmdXSetID(c *Ctx) error {
	id, err := argStrictID(c, 2)
	if err != nil {
		return err
	}
	entriesAdded := int64(-1)
	var maxDeleted store.StreamID
	for i := 3; i < len(c.Args); i += 2 {
		more := len(c.Args) - 1 - i
		switch {
		case c.Is(i, "entriesadded") && more > 0:
			n, err := c.Int(i + 1)
			if err != nil {
				return err
			}
			if n < 0 {
				return errXSetIDEntriesAdded
			}
			entriesAdded = n
		case c.Is(i, "maxdeletedid") && more > 0:
			d, err := argStrictID(c, i+1)
			if err != nil {
				return err
			}
			if id.Less(d) {
				return Err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
			}
			maxDeleted = d
		default:
			return ErrSyntax
		}
	}
	key := c.Args[1]
	s, err := writeStream(c.DB, key)
	if err != nil {
		return err
	}
	if s == nil {
		return errStreamNoKey
	}
	if s.Len() > 0 {
		if top, _ := s.LastValidID(); id.Less(top) {
			return Err("ERR The ID specified in XSETID is smaller than the target stream top item")
		}
		if entriesAdded != -1 && s.Len() > entriesAdded {
			return Err("ERR The entries_added specified in XSETID is smaller than the target stream length")
		}
	}
	s.SetLastID(id)
	if entriesAdded != -1 {
		s.SetEntriesAdded(uint64(entriesAdded))
	}
	if !maxDeleted.IsZero() {
		s.SetMaxDeletedID(maxDeleted)
	}
	c.DB.Changed(key, evXSetID)
	c.W.OK()
	return nil
}

// --- XREAD and XREADGROUP ---

type xreadStream struct {
	key     []byte
	s       *store.Stream
	g       *store.StreamGroup
	gt      store.StreamID // serve entries greater than this
	newOnly bool           // ">"
	dollar  bool           // "$"
}

// XREAD [COUNT count] [BLOCK ms] STREAMS key ... id ...
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key ... id ...
func cmdXRead(c *Ctx) error {
	isGroup := c.Spec.Name == "xreadgroup"
	blocking := false
	var deadline, count int64
	var group, consumer []byte
	noack := false
	streamsArg := 0
	for i := 1; i < len(c.Args) && streamsArg == 0; i++ {
		more := len(c.Args) - 1 - i
		switch {
		case c.Is(i, "block") && more > 0:
			i++
			d, err := c.DeadlineMillis(i)
			if err != nil {
				return err
			}
			blocking, deadline = true, d
		case c.Is(i, "count") && more > 0:
			i++
			n, err := c.Int(i)
			if err != nil {
				return err
			}
			count = max(n, 0)
		case c.Is(i, "streams") && more > 0:
			streamsArg = i + 1
			if (len(c.Args)-streamsArg)%2 != 0 {
				return errXReadUnbalanced
			}
		case c.Is(i, "group") && more >= 2:
			if !isGroup {
				return errXReadGroupOption
			}
			group, consumer = c.Args[i+1], c.Args[i+2]
			i += 2
		case c.Is(i, "noack"):
			if !isGroup {
				return errXReadNoAckOption
			}
			noack = true
		default:
			return ErrSyntax
		}
	}
	if streamsArg == 0 {
		return ErrSyntax
	}
	if isGroup && group == nil {
		return errXReadMissingGroup
	}
	n := (len(c.Args) - streamsArg) / 2
	keys := c.Args[streamsArg : streamsArg+n]
	if c.ReadyKey != nil {
		return xreadServeReady(c, keys, streamsArg+n, group, consumer, count, noack, deadline)
	}

	streams := make([]xreadStream, n)
	for i := range streams {
		st := &streams[i]
		st.key = keys[i]
		var err error
		if st.s, err = lookupStream(c.DB, st.key); err != nil {
			return err
		}
		if isGroup {
			if st.s != nil {
				st.g = st.s.Group(group)
			}
			if st.g == nil {
				return Errorf("NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option", st.key, group)
			}
		}
		arg := c.Args[streamsArg+n+i]
		switch {
		case len(arg) == 1 && arg[0] == '$':
			if isGroup {
				return errXReadGroupDollar
			}
			if st.s != nil {
				st.gt = st.s.LastID()
			}
			st.dollar = true
		case len(arg) == 1 && arg[0] == '>':
			if !isGroup {
				return errXReadGT
			}
			st.gt, st.newOnly = store.MaxStreamID, true
		default:
			id, err := argStrictID(c, streamsArg+n+i)
			if err != nil {
				return err
			}
			// Redis marks ">" as the greatest ID, so that ID reads as ">" too.
			st.gt, st.newOnly = id, id == store.MaxStreamID
		}
	}

	now := c.DB.Now()
	mark := c.W.Len()
	served := 0
	for i := range streams {
		st := &streams[i]
		// Redis looks every stream up again to serve it: a second hit or miss.
		c.DB.Lookup(st.key)
		if st.s == nil {
			continue
		}
		serve, history := false, false
		if isGroup {
			if !st.newOnly {
				serve, history = true, true
			} else if st.s.Len() > 0 {
				if top, _ := st.s.LastValidID(); st.g.LastID.Less(top) {
					serve, st.gt = true, st.g.LastID
				}
			}
		} else if st.s.Len() > 0 {
			if top, _ := st.s.LastValidID(); st.gt.Less(top) {
				serve = true
			}
		}
		if !serve {
			continue
		}
		served++
		if c.W.Proto != 3 {
			c.W.Array(2)
		}
		c.W.Bulk(st.key)
		start, ok := st.gt.Incr()
		if !ok {
			start = store.StreamID{} // Redis's increment of the greatest ID wraps to 0-0
		}
		var cons *store.StreamConsumer
		if isGroup {
			cons = xgroupConsumer(c, st.key, st.g, consumer, now)
		}
		switch {
		case history:
			xreadHistory(c.W, st.s, cons, start, count, now)
			c.PropagateNothing() // as in Redis 7.0: replicas keep the old delivery counts
		case isGroup:
			xreadGroupNew(c, st.key, st.s, st.g, cons, start, count, noack, now)
		default:
			replyStreamRange(c.W, st.s, start, store.MaxStreamID, count, false)
		}
		if isGroup {
			c.DB.Changed(st.key, evStreamState)
		}
	}
	if served > 0 {
		patchHeader(c.W, mark, served, c.W.Proto == 3)
		return nil
	}
	if blocking {
		// "$" must keep meaning the last ID of now: write it into the arguments the
		// executor will run again.
		for i := range streams {
			if streams[i].dollar {
				c.Args[streamsArg+n+i] = []byte(streams[i].gt.String())
			}
		}
		return c.Block(keys, deadline, NullArrayReply)
	}
	c.W.NullArray()
	return nil
}

// xgroupConsumer finds or creates consumer name of g and marks it seen at now.
func xgroupConsumer(c *Ctx, key []byte, g *store.StreamGroup, name []byte, now int64) *store.StreamConsumer {
	cons := g.Consumer(name)
	if cons == nil {
		cons = g.CreateConsumer(name, now)
		c.DB.Changed(key, evXGroupCreateConsumer)
	}
	cons.SeenTime = now
	return cons
}

func xreadGroupNew(c *Ctx, key []byte, s *store.Stream, g *store.StreamGroup, cons *store.StreamConsumer, start store.StreamID, count int64, noack bool, now int64) {
	w := c.W
	mark := w.Len()
	var delivered []store.StreamID
	n := s.ReadGroup(g, cons, start, int(count), noack, now, func(id store.StreamID, fv [][]byte) {
		replyStreamEntry(w, id, fv)
		if c.Propagating {
			delivered = append(delivered, id)
		}
	})
	patchHeader(w, mark, n, false)
	// A replay recreates the deliveries, not the read: XREADGROUP itself never
	// propagates (a consumer it only created neither, as in Redis 7.0).
	c.PropagateNothing()
	if noack && n > 0 {
		propagateGroupLastID(c, key, g)
	}
	for _, id := range delivered {
		propagateXClaim(c, key, g, id, g.Pending(id), id)
	}
}

// propagateXClaim replays the delivery or claim of id as the XCLAIM that recreates its
// pending entry (owner, delivery time and count) and moves the group's last ID to
// lastID, as Redis does.
func propagateXClaim(c *Ctx, key []byte, g *store.StreamGroup, id store.StreamID, nack *store.StreamNACK, lastID store.StreamID) {
	if !c.Propagating || nack == nil {
		return
	}
	c.Propagate(wordXClaim, key, []byte(g.Name()), []byte(nack.Consumer().Name()), wordZero, id.Append(nil),
		wordTime, AppendInt(nil, nack.DeliveryTime), wordRetryCount, AppendInt(nil, nack.DeliveryCount),
		wordForce, wordJustID, wordLastID, lastID.Append(nil))
}

// propagateGroupLastID replays a move of the group's last ID as XGROUP SETID.
func propagateGroupLastID(c *Ctx, key []byte, g *store.StreamGroup) {
	if c.Propagating {
		c.Propagate(wordXGroup, wordSetID, key, []byte(g.Name()), g.LastID.Append(nil),
			wordEntriesRead, AppendInt(nil, g.EntriesRead))
	}
}

var (
	wordXClaim      = []byte("XCLAIM")
	wordXGroup      = []byte("XGROUP")
	wordSetID       = []byte("SETID")
	wordZero        = []byte("0")
	wordTime        = []byte("TIME")
	wordRetryCount  = []byte("RETRYCOUNT")
	wordForce       = []byte("FORCE")
	wordJustID      = []byte("JUSTID")
	wordLastID      = []byte("LASTID")
	wordEntriesRead = []byte("ENTRIESREAD")
)

func xreadHistory(w *resp.Writer, s *store.Stream, cons *store.StreamConsumer, start store.StreamID, count int64, now int64) {
	mark := w.Len()
	n := s.ReadHistory(cons, start, int(count), now, func(id store.StreamID, fv [][]byte, ok bool) {
		if ok {
			replyStreamEntry(w, id, fv)
			return
		}
		w.Array(2)
		replyStreamID(w, id)
		w.NullArray()
	})
	patchHeader(w, mark, n, false)
}

// xreadServeReady runs a blocked XREAD or XREADGROUP again after c.ReadyKey changed: it
// serves the client from that stream alone, or blocks it again.
func xreadServeReady(c *Ctx, keys [][]byte, idsArg int, group, consumer []byte, count int64, noack bool, deadline int64) error {
	idx := -1
	for i, k := range keys {
		if bytes.Equal(k, c.ReadyKey) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return c.Block(keys, deadline, NullArrayReply)
	}
	key := keys[idx]
	e := c.DB.Peek(key)
	var s *store.Stream
	if e != nil {
		s = e.Stream()
	}
	var g *store.StreamGroup
	var gt store.StreamID
	if group != nil {
		if s == nil {
			return errXReadKeyGone
		}
		if g = s.Group(group); g == nil {
			return errXReadGroupGone
		}
		gt = g.LastID
	} else {
		if s == nil {
			return c.Block(keys, deadline, NullArrayReply)
		}
		id, err := argStrictID(c, idsArg+idx)
		if err != nil {
			return err
		}
		gt = id
	}
	if !gt.Less(s.LastID()) {
		return c.Block(keys, deadline, NullArrayReply)
	}
	if count == 0 {
		count = xreadBlockedCount
	}
	now := c.DB.Now()
	if c.W.Proto == 3 {
		c.W.Map(1)
	} else {
		c.W.Array(1)
		c.W.Array(2)
	}
	c.W.Bulk(key)
	start, _ := gt.Incr()
	if g != nil {
		cons := xgroupConsumer(c, key, g, consumer, now)
		xreadGroupNew(c, key, s, g, cons, start, count, noack, now)
		c.DB.ChangedN(key, evStreamState, 0) // Redis counts no change for serving a blocked read

	} else {
		replyStreamRange(c.W, s, start, store.MaxStreamID, count, false)
	}
	return nil
}

// --- groups ---

func xgroupSyntaxError(c *Ctx) error {
	return Errorf("ERR unknown subcommand or wrong number of arguments for '%s'. Try XGROUP HELP.", truncate(c.Arg(1), 128))
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n], SETID key group id|$
// [ENTRIESREAD n], DESTROY key group, CREATECONSUMER key group consumer,
// DELCONSUMER key group consumer
func cmdXGroup(c *Ctx) error {
	sub := strings.TrimPrefix(c.Spec.Name, "xgroup|")
	argc := len(c.Args)
	mkstream := false
	entriesRead := int64(-1)
	parseEntriesRead := func(i int) error {
		n, err := c.Int(i)
		if err != nil {
			return err
		}
		if n < 0 && n != -1 {
			return errXGroupEntriesRead
		}
		entriesRead = n
		return nil
	}
	switch {
	case sub == "create":
		for i := 5; i < argc; {
			switch {
			case c.Is(i, "mkstream"):
				mkstream = true
				i++
			case c.Is(i, "entriesread") && i+1 < argc:
				if err := parseEntriesRead(i + 1); err != nil {
					return err
				}
				i += 2
			default:
				return xgroupSyntaxError(c)
			}
		}
	case sub == "setid" && argc != 5:
		if !c.Is(5, "entriesread") || argc < 7 {
			return xgroupSyntaxError(c)
		}
		if err := parseEntriesRead(6); err != nil {
			return err
		}
	}
	key, name := c.Args[2], c.Args[3]
	s, err := writeStream(c.DB, key)
	if err != nil {
		return err
	}
	var g *store.StreamGroup
	if !mkstream {
		if s == nil {
			return errXGroupNoKey
		}
		if g = s.Group(name); g == nil && (sub == "setid" || sub == "createconsumer" || sub == "delconsumer") {
			return Errorf("NOGROUP No such consumer group '%s' for key name '%s'", name, key)
		}
	}
	switch {
	case sub == "create" && argc <= 8:
		var id store.StreamID
		if c.Arg(4) == "$" {
			if s != nil {
				id = s.LastID()
			}
		} else if id, err = argStrictID(c, 4); err != nil {
			return err
		}
		if s == nil {
			s = store.NewStream()
			s.CreateGroup(name, id, entriesRead)
			c.DB.Set(key, store.NewStreamEntry(s), evXGroupCreate)
			c.W.OK()
			return nil
		}
		if s.CreateGroup(name, id, entriesRead) == nil {
			return errXGroupBusy
		}
		c.DB.Changed(key, evXGroupCreate)
		c.W.OK()
	case sub == "setid" && (argc == 5 || argc == 7):
		var id store.StreamID
		if c.Arg(4) == "$" {
			id = s.LastID()
		} else if id, err = argID(c, 4, 0); err != nil {
			return err
		}
		g.LastID, g.EntriesRead = id, entriesRead
		c.DB.Changed(key, evXGroupSetID)
		c.W.OK()
	case sub == "destroy":
		if g == nil {
			c.W.Int(0)
			return nil
		}
		s.DestroyGroup(name)
		c.DB.Changed(key, evXGroupDestroy)
		c.W.Int(1)
	case sub == "createconsumer":
		if g.CreateConsumer(c.Args[4], c.DB.Now()) == nil {
			c.W.Int(0)
			return nil
		}
		c.DB.Changed(key, evXGroupCreateConsumer)
		c.W.Int(1)
	case sub == "delconsumer":
		cons := g.Consumer(c.Args[4])
		if cons == nil {
			c.W.Int(0)
			return nil
		}
		pending := g.DeleteConsumer(cons)
		c.DB.Changed(key, evXGroupDelConsumer)
		c.W.Int(int64(pending))
	default:
		return xgroupSyntaxError(c)
	}
	return nil
}

func cmdXGroupHelp(c *Ctx) error {
	ReplyHelp(c.W, "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CREATE <key> <groupname> <id|$> [option]",
		"    Create a new consumer group. Options are:",
		"    * MKSTREAM",
		"      Create the empty stream if it does not exist.",
		"    * ENTRIESREAD entries_read",
		"      Set the group's entries_read counter (internal use).",
		"CREATECONSUMER <key> <groupname> <consumer>",
		"    Create a new consumer in the specified group.",
		"DELCONSUMER <key> <groupname> <consumer>",
		"    Remove the specified consumer.",
		"DESTROY <key> <groupname>",
		"    Remove the specified group.",
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
		"    Set the current group ID and entries_read counter.")
	return nil
}

// lookupGroup finds key's stream and its group for XPENDING, XCLAIM and XAUTOCLAIM,
// with their shared error.
func lookupGroup(c *Ctx, key, name []byte) (*store.Stream, *store.StreamGroup, error) {
	s, err := lookupStream(c.DB, key)
	if err != nil {
		return nil, nil, err
	}
	var g *store.StreamGroup
	if s != nil {
		g = s.Group(name)
	}
	if g == nil {
		return nil, nil, Errorf("NOGROUP No such key '%s' or consumer group '%s'", key, name)
	}
	return s, g, nil
}

// XACK key group id [id ...]
func cmdXAck(c *Ctx) error {
	key := c.Args[1]
	s, err := lookupStream(c.DB, key)
	if err != nil {
		return err
	}
	var g *store.StreamGroup
	if s != nil {
		g = s.Group(c.Args[2])
	}
	if g == nil {
		c.W.Int(0)
		return nil
	}
	ids, err := argStrictIDs(c, 3)
	if err != nil {
		return err
	}
	var n int64
	for _, id := range ids {
		if g.Ack(id) {
			n++
		}
	}
	if n > 0 {
		c.DB.ChangedN(key, evStreamState, n) // Redis counts each entry acknowledged
	}
	c.W.Int(n)
	return nil
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func cmdXPending(c *Ctx) error {
	argc := len(c.Args)
	summary := argc == 3
	if argc != 3 && (argc < 6 || argc > 9) {
		return ErrSyntax
	}
	var start, end store.StreamID
	var count, minIdle int64
	var consumerName []byte
	if argc >= 6 {
		si := 3
		if c.Is(3, "idle") {
			n, err := c.Int(4)
			if err != nil {
				return err
			}
			minIdle = n
			if argc < 8 {
				return ErrSyntax
			}
			si += 2
		}
		n, err := c.Int(si + 2)
		if err != nil {
			return err
		}
		count = max(n, 0)
		if start, err = argRangeStart(c, si); err != nil {
			return err
		}
		if end, err = argRangeEnd(c, si+1); err != nil {
			return err
		}
		if si+3 < argc {
			consumerName = c.Args[si+3]
		}
	}
	_, g, err := lookupGroup(c, c.Args[1], c.Args[2])
	if err != nil {
		return err
	}
	if summary {
		c.W.Array(4)
		c.W.Int(int64(g.PendingLen()))
		first, last, ok := g.PendingBounds()
		if !ok {
			c.W.Null()
			c.W.Null()
			c.W.NullArray()
			return nil
		}
		replyStreamID(c.W, first)
		replyStreamID(c.W, last)
		mark := c.W.Len()
		n := 0
		for _, cons := range g.Consumers() {
			if cons.PendingLen() == 0 {
				continue
			}
			c.W.Array(2)
			c.W.BulkString(cons.Name())
			c.W.BulkInt(int64(cons.PendingLen()))
			n++
		}
		patchHeader(c.W, mark, n, false)
		return nil
	}
	scan := g.PendingRange
	if consumerName != nil {
		cons := g.Consumer(consumerName)
		if cons == nil {
			c.W.Array(0)
			return nil
		}
		scan = cons.PendingRange
	}
	now := c.DB.Now()
	mark := c.W.Len()
	n := 0
	if count > 0 {
		scan(start, func(id store.StreamID, nack *store.StreamNACK) bool {
			if end.Less(id) {
				return false
			}
			if minIdle != 0 && now-nack.DeliveryTime < minIdle {
				return true
			}
			c.W.Array(4)
			replyStreamID(c.W, id)
			c.W.BulkString(nack.Consumer().Name())
			c.W.Int(max(now-nack.DeliveryTime, 0))
			c.W.Int(nack.DeliveryCount)
			n++
			return int64(n) < count
		})
	}
	patchHeader(c.W, mark, n, false)
	return nil
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms-unix-time]
// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func cmdXClaim(c *Ctx) error {
	key := c.Args[1]
	s, g, err := lookupGroup(c, key, c.Args[2])
	if err != nil {
		return err
	}
	minIdle, ok := ParseInt(c.Args[4])
	if !ok {
		return Err("ERR Invalid min-idle-time argument for XCLAIM")
	}
	minIdle = max(minIdle, 0)
	j := 5
	var ids []store.StreamID
	for ; j < len(c.Args); j++ {
		id, ok := parseStreamID(c.Args[j], 0, true, nil)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := c.DB.Now()
	deliveryTime, retryCount := int64(-1), int64(-1)
	force, justID := false, false
	var lastID store.StreamID
	for ; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		switch {
		case c.Is(j, "force"):
			force = true
		case c.Is(j, "justid"):
			justID = true
		case c.Is(j, "idle") && more > 0:
			j++
			n, ok := ParseInt(c.Args[j])
			if !ok {
				return Err("ERR Invalid IDLE option argument for XCLAIM")
			}
			deliveryTime = now - n
		case c.Is(j, "time") && more > 0:
			j++
			n, ok := ParseInt(c.Args[j])
			if !ok {
				return Err("ERR Invalid TIME option argument for XCLAIM")
			}
			deliveryTime = n
		case c.Is(j, "retrycount") && more > 0:
			j++
			n, ok := ParseInt(c.Args[j])
			if !ok {
				return Err("ERR Invalid RETRYCOUNT option argument for XCLAIM")
			}
			retryCount = n
		case c.Is(j, "lastid") && more > 0:
			j++
			id, err := argStrictID(c, j)
			if err != nil {
				return err
			}
			lastID = id
		default:
			return Errorf("ERR Unrecognized XCLAIM option '%s'", c.Args[j])
		}
	}
	lastIDMoved := false
	if g.LastID.Less(lastID) {
		g.LastID = lastID
		lastIDMoved = true
	}
	if deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now {
		deliveryTime = now
	}
	var cons *store.StreamConsumer
	mark := c.W.Len()
	n := 0
	c.PropagateNothing() // what it changed propagates, as XCLAIMs and XGROUP SETID
	// Redis counts a change per entry claimed or dropped, and one for a moved last ID
	// that no XCLAIM carries.
	var changes int64
	for _, id := range ids {
		nack := g.Pending(id)
		if !s.Exists(id) {
			if nack != nil {
				propagateXClaim(c, key, g, id, nack, g.LastID)
				lastIDMoved = false // the XCLAIM carries it
				g.Ack(id)           // the entry is gone: drop it from the pending lists
				changes++
			}
			continue
		}
		if force && nack == nil {
			nack = g.ForcePending(id, now)
		}
		if nack == nil {
			continue
		}
		if nack.Consumer() != nil && minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if cons == nil {
			cons = xgroupConsumer(c, key, g, c.Args[3], now)
		}
		g.Claim(id, nack, cons)
		nack.DeliveryTime = deliveryTime
		if retryCount >= 0 {
			nack.DeliveryCount = retryCount
		} else if !justID {
			nack.DeliveryCount++
		}
		if justID {
			replyStreamID(c.W, id)
		} else if !replyOneEntry(c.W, s, id) {
			c.W.Null()
		}
		propagateXClaim(c, key, g, id, nack, g.LastID)
		lastIDMoved = false
		n++
		changes++
	}
	if lastIDMoved {
		propagateGroupLastID(c, key, g)
		changes++
	}
	patchHeader(c.W, mark, n, false)
	if changes > 0 {
		c.DB.ChangedN(key, evStreamState, changes)
	}
	return nil
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXAutoClaim(c *Ctx) error {
	minIdle, ok := ParseInt(c.Args[4])
	if !ok {
		return Err("ERR Invalid min-idle-time argument for XAUTOCLAIM")
	}
	minIdle = max(minIdle, 0)
	start, err := argRangeStart(c, 5)
	if err != nil {
		return err
	}
	count := int64(100)
	justID := false
	for j := 6; j < len(c.Args); j++ {
		switch {
		case c.Is(j, "count") && j+1 < len(c.Args):
			n, ok := ParseInt(c.Args[j+1])
			if !ok || n < 1 || n > (1<<63-1)/16 {
				return errXAutoClaimCount
			}
			count = n
			j++
		case c.Is(j, "justid"):
			justID = true
		default:
			return ErrSyntax
		}
	}
	key := c.Args[1]
	s, g, err := lookupGroup(c, key, c.Args[2])
	if err != nil {
		return err
	}
	attempts := count * xautoclaimAttempts
	now := c.DB.Now()
	var cons *store.StreamConsumer
	var deleted []store.StreamID
	var claimed []store.StreamID
	next := store.StreamID{}
	more := false
	c.PropagateNothing() // what it changed propagates, as XCLAIMs
	g.PendingRange(start, func(id store.StreamID, nack *store.StreamNACK) bool {
		if attempts == 0 || count == 0 {
			next, more = id, true
			return false
		}
		attempts--
		if !s.Exists(id) {
			propagateXClaim(c, key, g, id, nack, g.LastID)
			g.Ack(id)
			deleted = append(deleted, id)
			count--
			return true
		}
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			return true
		}
		if cons == nil {
			cons = xgroupConsumer(c, key, g, c.Args[3], now)
		}
		g.Claim(id, nack, cons)
		nack.DeliveryTime = now
		if !justID {
			nack.DeliveryCount++
		}
		propagateXClaim(c, key, g, id, nack, g.LastID)
		claimed = append(claimed, id)
		count--
		return true
	})
	if !more {
		next = store.StreamID{}
	}
	c.W.Array(3)
	replyStreamID(c.W, next)
	c.W.Array(len(claimed))
	for _, id := range claimed {
		if justID {
			replyStreamID(c.W, id)
		} else {
			replyOneEntry(c.W, s, id)
		}
	}
	c.W.Array(len(deleted))
	for _, id := range deleted {
		replyStreamID(c.W, id)
	}
	if n := len(claimed) + len(deleted); n > 0 {
		c.DB.ChangedN(key, evStreamState, int64(n)) // Redis counts each entry
	}
	return nil
}

// --- XINFO ---

func cmdXInfoHelp(c *Ctx) error {
	ReplyHelp(c.W, "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CONSUMERS <key> <groupname>",
		"    Show consumers of <groupname>.",
		"GROUPS <key>",
		"    Show the stream consumer groups.",
		"STREAM <key> [FULL [COUNT <count>]",
		"    Show information about the stream.")
	return nil
}

// XINFO CONSUMERS key group, GROUPS key, STREAM key [FULL [COUNT count]]
func cmdXInfo(c *Ctx) error {
	key := c.Args[2]
	s, err := lookupStream(c.DB, key)
	if err != nil {
		return err
	}
	if s == nil {
		return errStreamNoKey
	}
	switch c.Spec.Name {
	case "xinfo|consumers":
		g := s.Group(c.Args[3])
		if g == nil {
			return Errorf("NOGROUP No such consumer group '%s' for key name '%s'", c.Args[3], key)
		}
		now := c.DB.Now()
		c.W.Array(len(g.Consumers()))
		for _, cons := range g.Consumers() {
			c.W.Map(3)
			c.W.BulkString("name")
			c.W.BulkString(cons.Name())
			c.W.BulkString("pending")
			c.W.Int(int64(cons.PendingLen()))
			c.W.BulkString("idle")
			c.W.Int(max(now-cons.SeenTime, 0))
		}
	case "xinfo|groups":
		c.W.Array(len(s.Groups()))
		for _, g := range s.Groups() {
			c.W.Map(6)
			c.W.BulkString("name")
			c.W.BulkString(g.Name())
			c.W.BulkString("consumers")
			c.W.Int(int64(len(g.Consumers())))
			c.W.BulkString("pending")
			c.W.Int(int64(g.PendingLen()))
			c.W.BulkString("last-delivered-id")
			replyStreamID(c.W, g.LastID)
			replyGroupCounters(c.W, s, g)
		}
	default:
		return xinfoStream(c, s)
	}
	return nil
}

// replyGroupCounters writes a group's entries-read and lag fields.
func replyGroupCounters(w *resp.Writer, s *store.Stream, g *store.StreamGroup) {
	w.BulkString("entries-read")
	if g.EntriesRead != -1 {
		w.Int(g.EntriesRead)
	} else {
		w.Null()
	}
	w.BulkString("lag")
	if lag, ok := s.Lag(g); ok {
		w.Int(lag)
	} else {
		w.Null()
	}
}

func xinfoStream(c *Ctx, s *store.Stream) error {
	full := false
	count := int64(xinfoFullDefaultSize)
	if argc := len(c.Args); argc > 3 {
		if !c.Is(3, "full") {
			return xinfoSyntaxError(c)
		}
		full = true
		if argc > 4 {
			if argc != 6 || !c.Is(4, "count") {
				return xinfoSyntaxError(c)
			}
			n, err := c.Int(5)
			if err != nil {
				return err
			}
			count = max(n, 0)
		}
	}
	w := c.W
	if full {
		w.Map(9)
	} else {
		w.Map(10)
	}
	w.BulkString("length")
	w.Int(s.Len())
	w.BulkString("radix-tree-keys")
	w.Int(int64(s.NodeCount()))
	w.BulkString("radix-tree-nodes")
	w.Int(int64(s.RaxNodes()))
	w.BulkString("last-generated-id")
	replyStreamID(w, s.LastID())
	w.BulkString("max-deleted-entry-id")
	replyStreamID(w, s.MaxDeletedID())
	w.BulkString("entries-added")
	w.Int(int64(s.EntriesAdded()))
	w.BulkString("recorded-first-entry-id")
	replyStreamID(w, s.FirstID())
	if !full {
		w.BulkString("groups")
		w.Int(int64(len(s.Groups())))
		for _, last := range []bool{false, true} {
			if last {
				w.BulkString("last-entry")
			} else {
				w.BulkString("first-entry")
			}
			if !replyFirstEntry(w, s, store.StreamID{}, store.MaxStreamID, last) {
				w.Null()
			}
		}
		return nil
	}
	w.BulkString("entries")
	replyStreamRange(w, s, store.StreamID{}, store.MaxStreamID, count, false)
	w.BulkString("groups")
	w.Array(len(s.Groups()))
	for _, g := range s.Groups() {
		w.Map(7)
		w.BulkString("name")
		w.BulkString(g.Name())
		w.BulkString("last-delivered-id")
		replyStreamID(w, g.LastID)
		replyGroupCounters(w, s, g)
		w.BulkString("pel-count")
		w.Int(int64(g.PendingLen()))
		w.BulkString("pending")
		replyFullPending(w, count, true, g.PendingRange)
		w.BulkString("consumers")
		w.Array(len(g.Consumers()))
		for _, cons := range g.Consumers() {
			w.Map(4)
			w.BulkString("name")
			w.BulkString(cons.Name())
			w.BulkString("seen-time")
			w.Int(cons.SeenTime)
			w.BulkString("pel-count")
			w.Int(int64(cons.PendingLen()))
			w.BulkString("pending")
			replyFullPending(w, count, false, cons.PendingRange)
		}
	}
	return nil
}

// replyFullPending writes the first count (0: all) entries of a pending entries list
// walked by pendingRange, for XINFO STREAM FULL: [id, consumer, delivery time, delivery
// count] for a group's list, the same without the consumer for a consumer's.
func replyFullPending(w *resp.Writer, count int64, withConsumer bool,
	pendingRange func(start store.StreamID, fn func(store.StreamID, *store.StreamNACK) bool)) {
	mark, n := w.Len(), 0
	pendingRange(store.StreamID{}, func(id store.StreamID, nack *store.StreamNACK) bool {
		if count != 0 && int64(n) >= count {
			return false
		}
		if withConsumer {
			w.Array(4)
			replyStreamID(w, id)
			w.BulkString(nack.Consumer().Name())
		} else {
			w.Array(3)
			replyStreamID(w, id)
		}
		w.Int(nack.DeliveryTime)
		w.Int(nack.DeliveryCount)
		n++
		return true
	})
	patchHeader(w, mark, n, false)
}

func xinfoSyntaxError(c *Ctx) error {
	return Errorf("ERR unknown subcommand or wrong number of arguments for '%s'. Try XINFO HELP.", truncate(c.Arg(1), 128))
}
