package command

import (
	"math/bits"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cinnabar-db/cinnabar/glob"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

var (
	evRenameFrom = store.Event{Class: store.ClassGeneric, Name: "rename_from"}
	evRenameTo   = store.Event{Class: store.ClassGeneric, Name: "rename_to"}
	evCopyTo     = store.Event{Class: store.ClassGeneric, Name: "copy_to"}
	evMoveFrom   = store.Event{Class: store.ClassGeneric, Name: "move_from"}
	evMoveTo     = store.Event{Class: store.ClassGeneric, Name: "move_to"}
)

// KeyCommands are the generic keyspace rows.
var KeyCommands = []*Spec{
	{Name: "del", Arity: -2, Flags: Write, Cat: CatKeyspace, Do: cmdDel},
	{Name: "unlink", Arity: -2, Flags: Write | Fast, Cat: CatKeyspace, Do: cmdDel},
	{Name: "exists", Arity: -2, Flags: ReadOnly | Fast, Cat: CatKeyspace, Do: cmdExists},
	{Name: "touch", Arity: -2, Flags: ReadOnly | Fast, Cat: CatKeyspace, Do: cmdExists},
	{Name: "type", Arity: 2, Flags: ReadOnly | Fast, Cat: CatKeyspace, Do: cmdType},
	{Name: "rename", Arity: 3, Flags: Write, Cat: CatKeyspace, Do: cmdRename},
	{Name: "renamenx", Arity: 3, Flags: Write | Fast, Cat: CatKeyspace, Do: cmdRename},
	{Name: "copy", Arity: -3, Flags: Write | DenyOOM, Cat: CatKeyspace, Do: cmdCopy},
	{Name: "move", Arity: 3, Flags: Write | Fast, Cat: CatKeyspace, Do: cmdMove},
	{Name: "keys", Arity: 2, Flags: ReadOnly | AllKeys, Cat: CatKeyspace | CatDangerous, Do: cmdKeys},
	{Name: "scan", Arity: -2, Flags: ReadOnly | AllKeys, Cat: CatKeyspace, Do: cmdScan},
	{Name: "randomkey", Arity: 1, Flags: ReadOnly | AllKeys, Cat: CatKeyspace, Do: cmdRandomKey},
	{Name: "dbsize", Arity: 1, Flags: ReadOnly | Fast | AllKeys, Cat: CatKeyspace, Do: cmdDBSize},
	{Name: "swapdb", Arity: 3, Flags: Write | Fast | AllKeys, Cat: CatKeyspace | CatDangerous, Do: cmdSwapDB},
	{Name: "flushdb", Arity: -1, Flags: Write | AllKeys, Cat: CatKeyspace | CatDangerous, Do: cmdFlush},
	{Name: "flushall", Arity: -1, Flags: Write | AllKeys, Cat: CatKeyspace | CatDangerous, Do: cmdFlush},
	{Name: "object", Arity: -2, Cat: CatSlow, Subs: []*Spec{
		{Name: "object|encoding", Arity: 3, Flags: ReadOnly, Cat: CatKeyspace, Do: cmdObject},
		{Name: "object|freq", Arity: 3, Flags: ReadOnly, Cat: CatKeyspace, Do: cmdObject},
		{Name: "object|idletime", Arity: 3, Flags: ReadOnly, Cat: CatKeyspace, Do: cmdObject},
		{Name: "object|refcount", Arity: 3, Flags: ReadOnly, Cat: CatKeyspace, Do: cmdObject},
		{Name: "object|help", Arity: 2, Flags: Loading | Stale, Cat: CatKeyspace, Do: cmdObjectHelp},
	}},
}

func cmdDel(c *Ctx) error {
	var n int64
	for _, k := range c.Args[1:] {
		if c.DB.Delete(k, store.EvDel) {
			n++
		}
	}
	c.W.Int(n)
	return nil
}

// cmdExists serves EXISTS and TOUCH: both count live keys as reads (hits, misses,
// keymiss events); only TOUCH refreshes the access clock.
func cmdExists(c *Ctx) error {
	touch := c.Spec.Name == "touch"
	var n int64
	for _, k := range c.Args[1:] {
		var e *store.Entry
		if touch {
			e = c.DB.Lookup(k)
		} else {
			e = c.DB.LookupNoTouch(k)
		}
		if e != nil {
			n++
		}
	}
	c.W.Int(n)
	return nil
}

func cmdType(c *Ctx) error {
	e := c.DB.LookupNoTouch(c.Args[1])
	if e == nil {
		c.W.Simple("none")
		return nil
	}
	c.W.Simple(e.Type().String())
	return nil
}

func cmdRename(c *Ctx) error {
	nx := c.Spec.Name == "renamenx"
	src, dst := c.Args[1], c.Args[2]
	e := c.DB.LookupWrite(src)
	if e == nil {
		return Err(resp.ErrNoSuchKey)
	}
	if string(src) == string(dst) {
		if nx {
			c.W.Int(0)
		} else {
			c.W.OK()
		}
		return nil
	}
	if nx && c.DB.LookupWrite(dst) != nil {
		c.W.Int(0)
		return nil
	}
	// Redis reports "new" for dst first, then rename_from, then rename_to, and counts
	// one change in all.
	c.DB.Set(dst, e, store.Event{})
	c.DB.DeleteN(src, evRenameFrom, 0)
	c.DB.ChangedN(dst, evRenameTo, 0)
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
	return nil
}

// parseDBIndex reads a database number with MOVE/COPY/SELECT's errors.
func parseDBIndex(c *Ctx, i int) (int, error) {
	n, err := c.Int(i)
	if err != nil || n != int64(int32(n)) {
		return 0, ErrNotInt
	}
	if n < 0 || n >= int64(c.KS.Databases()) {
		return 0, Err(resp.ErrDBIndex)
	}
	return int(n), nil
}

func cmdCopy(c *Ctx) error {
	src, dst := c.Args[1], c.Args[2]
	target := c.DB
	replace := false
	for i := 3; i < len(c.Args); i++ {
		switch {
		case c.Is(i, "replace"):
			replace = true
		case c.Is(i, "db") && i+1 < len(c.Args):
			n, err := parseDBIndex(c, i+1)
			if err != nil {
				return err
			}
			target = c.KS.DB(n)
			i++
		default:
			return ErrSyntax
		}
	}
	if target == c.DB && string(src) == string(dst) {
		return Err(resp.ErrSameObject)
	}
	e := c.DB.Lookup(src)
	if e == nil {
		c.W.Int(0)
		return nil
	}
	if target.LookupWrite(dst) != nil && !replace {
		c.W.Int(0)
		return nil
	}
	target.Set(dst, e.Clone(), evCopyTo)
	c.W.Int(1)
	return nil
}

func cmdMove(c *Ctx) error {
	n, err := c.Int(2)
	if err != nil || n != int64(int32(n)) {
		return ErrNotInt
	}
	if n < 0 || n >= int64(c.KS.Databases()) {
		return Err(resp.ErrDBIndex)
	}
	target := c.KS.DB(int(n))
	if target == c.DB {
		return Err(resp.ErrSameObject)
	}
	key := c.Args[1]
	e := c.DB.LookupWrite(key)
	if e == nil || target.LookupWrite(key) != nil {
		c.W.Int(0)
		return nil
	}
	target.Set(key, e, store.Event{}) // "new" comes first, as in Redis, one change in all
	c.DB.DeleteN(key, evMoveFrom, 0)
	target.ChangedN(key, evMoveTo, 0)
	c.W.Int(1)
	return nil
}

func cmdKeys(c *Ctx) error {
	pattern := c.Arg(1)
	var match func(string) bool
	if pattern != "*" {
		match = func(k string) bool { return glob.Match(pattern, k, false) }
	}
	keys := c.DB.Keys(match)
	c.W.BulkStrings(keys)
	return nil
}

// ScanOptions are the MATCH/COUNT/TYPE options shared by SCAN, SSCAN, HSCAN and ZSCAN.
type ScanOptions struct {
	Count int
	Match string // "" matches everything
	Type  string // SCAN only
}

var errInvalidCursor = Err("ERR invalid cursor")

// ParseScanCursor parses a cursor as Redis does with strtoul: an optional sign (minus
// wraps around), decimal digits, no leading space; no digits at all reads as 0 when
// nothing else follows.
func ParseScanCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	s := b
	if s[0] == '+' || s[0] == '-' {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var n uint64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		hi, lo := bits.Mul64(n, 10)
		if hi != 0 || lo+uint64(ch-'0') < lo {
			return 0, false
		}
		n = lo + uint64(ch-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseScanOptions reads "[MATCH p] [COUNT n] [TYPE t]" from argument i on; TYPE only
// where allowType (SCAN).
func parseScanOptions(c *Ctx, i int, allowType bool) (ScanOptions, error) {
	o := ScanOptions{Count: 10}
	for ; i < len(c.Args); i += 2 {
		if i+1 >= len(c.Args) {
			return o, ErrSyntax
		}
		switch {
		case c.Is(i, "match"):
			o.Match = c.Arg(i + 1)
			if o.Match == "*" {
				o.Match = ""
			}
		case c.Is(i, "count"):
			n, err := c.Int(i + 1)
			if err != nil {
				return o, err
			}
			if n < 1 {
				return o, ErrSyntax
			}
			o.Count = int(min(n, 1<<30))
		case allowType && c.Is(i, "type"):
			o.Type = c.Arg(i + 1)
		default:
			return o, ErrSyntax
		}
	}
	return o, nil
}

// MatchFunc returns a matcher for a MATCH pattern, nil for "match all".
func (o ScanOptions) MatchFunc() func(string) bool {
	if o.Match == "" {
		return nil
	}
	p := strings.Clone(o.Match)
	return func(s string) bool { return glob.Match(p, s, false) }
}

// ScanReply writes a SCAN-family reply: the next cursor and the items.
func ScanReply(w *resp.Writer, next uint64, items []string) {
	scanReplyCursor(w, next)
	w.BulkStrings(items)
}

// scanReplyCursor opens a SCAN-family reply and writes its cursor; the items follow.
func scanReplyCursor(w *resp.Writer, next uint64) {
	w.Array(2)
	var tmp [20]byte
	w.Bulk(strconv.AppendUint(tmp[:0], next, 10))
}

func cmdScan(c *Ctx) error {
	cursor, ok := ParseScanCursor(c.Args[1])
	if !ok {
		return errInvalidCursor
	}
	o, err := parseScanOptions(c, 2, true)
	if err != nil {
		return err
	}
	f := store.ScanFilter{Match: o.MatchFunc()}
	if o.Type != "" {
		t, ok := store.ParseType(strings.ToLower(o.Type))
		if !ok {
			ScanReply(c.W, 0, nil)
			return nil
		}
		f.Type = &t
	}
	next, keys := c.DB.Scan(cursor, o.Count, f)
	ScanReply(c.W, next, keys)
	return nil
}

// lenTypes are the types of the length commands.
var lenTypes = map[string]store.Type{"strlen": store.TypeString, "llen": store.TypeList, "scard": store.TypeSet,
	"hlen": store.TypeHash, "zcard": store.TypeZSet, "xlen": store.TypeStream}

// cmdLen is STRLEN, LLEN, SCARD, HLEN, ZCARD and XLEN: the size of the value at key, 0
// for a missing key.
func cmdLen(c *Ctx) error {
	e, err := ofType(c.DB.Lookup(c.Args[1]), lenTypes[c.Spec.Name])
	if err != nil {
		return err
	}
	var n int64
	if e != nil {
		switch e.Type() {
		case store.TypeString:
			n = int64(len(e.Bytes()))
		case store.TypeList:
			n = int64(e.List().Len())
		case store.TypeSet:
			n = int64(e.SetValue().Len())
		case store.TypeHash:
			n = int64(e.Hash().Len())
		case store.TypeZSet:
			n = int64(e.ZSet().Len())
		case store.TypeStream:
			n = e.Stream().Len()
		}
	}
	c.W.Int(n)
	return nil
}

// scanTypes are the value types HSCAN, SSCAN and ZSCAN walk.
var scanTypes = map[string]store.Type{"hscan": store.TypeHash, "sscan": store.TypeSet, "zscan": store.TypeZSet}

// cmdTypeScan is HSCAN, SSCAN and ZSCAN: key cursor [MATCH p] [COUNT n]. Like Redis it
// checks the cursor first, then the key (missing: an empty scan whatever the options
// say; another type: WRONGTYPE), and only then the options.
func cmdTypeScan(c *Ctx) error {
	cursor, ok := ParseScanCursor(c.Args[2])
	if !ok {
		return errInvalidCursor
	}
	e := c.DB.Lookup(c.Args[1])
	if e == nil {
		ScanReply(c.W, 0, nil)
		return nil
	}
	if e.Type() != scanTypes[c.Spec.Name] {
		return ErrWrongType
	}
	o, err := parseScanOptions(c, 3, false)
	if err != nil {
		return err
	}
	match := o.MatchFunc()
	keep := func(b []byte) bool { return match == nil || match(unsafe.String(unsafe.SliceData(b), len(b))) }
	var next uint64
	var items [][]byte
	switch e.Type() {
	case store.TypeHash:
		next = e.Hash().Scan(cursor, o.Count, func(f, v []byte) {
			if keep(f) {
				items = append(items, f, v)
			}
		})
	case store.TypeSet:
		var members setMemberList // intset members are formatted into scratch space
		next = e.SetValue().Scan(cursor, o.Count, func(m []byte) {
			if keep(m) {
				members.add(m)
			}
		})
		items = members.slices()
	case store.TypeZSet:
		next = e.ZSet().Scan(cursor, o.Count, func(m []byte, score float64) {
			if keep(m) {
				items = append(items, m, resp.AppendDouble(nil, score))
			}
		})
	}
	scanReplyCursor(c.W, next)
	c.W.Array(len(items))
	for _, it := range items {
		c.W.Bulk(it)
	}
	return nil
}

func cmdRandomKey(c *Ctx) error {
	k, ok := c.DB.RandomKey()
	if !ok {
		c.W.Null()
		return nil
	}
	c.W.BulkString(k)
	return nil
}

func cmdDBSize(c *Ctx) error {
	n, _ := c.DB.Size()
	c.W.Int(int64(n))
	return nil
}

func cmdSwapDB(c *Ctx) error {
	a, err := c.Int(1)
	if err != nil {
		return Err("ERR invalid first DB index")
	}
	b, err := c.Int(2)
	if err != nil {
		return Err("ERR invalid second DB index")
	}
	n := int64(c.KS.Databases())
	if a < 0 || a >= n || b < 0 || b >= n {
		return Err(resp.ErrDBIndex)
	}
	if a != b {
		c.KS.SwapDB(int(a), int(b))
	}
	c.W.OK()
	return nil
}

func cmdFlush(c *Ctx) error {
	if len(c.Args) > 2 || (len(c.Args) == 2 && !c.Is(1, "async") && !c.Is(1, "sync")) {
		return ErrSyntax
	}
	if c.Spec.Name == "flushall" {
		for i := 0; i < c.KS.Databases(); i++ {
			c.KS.DB(i).Flush()
		}
	} else {
		c.DB.Flush()
	}
	c.ForcePropagation() // also when there was nothing to flush
	c.W.OK()
	return nil
}

func cmdObject(c *Ctx) error {
	e := c.DB.Inspect(c.Args[2])
	if e == nil {
		c.W.Null()
		return nil
	}
	switch c.Spec.Name {
	case "object|encoding":
		c.W.BulkString(e.Encoding())
	case "object|refcount":
		c.W.Int(e.RefCount())
	case "object|idletime":
		if c.KS.LFU() {
			return Err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		}
		c.W.Int(e.IdleSeconds(c.DB.Now()))
	case "object|freq":
		if !c.KS.LFU() {
			return Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		}
		c.W.Int(int64(c.KS.LFUFrequency(e)))
	}
	return nil
}

func cmdObjectHelp(c *Ctx) error {
	ReplyHelp(c.W, "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.")
	return nil
}

// ReplyHelp writes a HELP reply: the header, the lines, and Redis's closing HELP entry.
func ReplyHelp(w *resp.Writer, header string, lines ...string) {
	w.Array(len(lines) + 3)
	w.Simple(header)
	for _, l := range lines {
		w.Simple(l)
	}
	w.Simple("HELP")
	w.Simple("    Prints this help.")
}
