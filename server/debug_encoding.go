package server

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	. "github.com/cinnabar-db/cinnabar/command"
	"github.com/cinnabar-db/cinnabar/config"
	"github.com/cinnabar-db/cinnabar/glob"
	"github.com/cinnabar-db/cinnabar/store"
)

// The DEBUG subcommands that show how values are held: their replies are Redis's,
// their figures those of Redis's encodings as store/size.go models them (Cinnabar's own
// structures differ). Redis prints LISTPACK and QUICKLIST dumps on its standard output;
// Cinnabar writes them to its log.

// structSizes is DEBUG STRUCTSIZE: the sizes of the structures the model counts.
const structSizes = "bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 "

// debugValue returns the value at the key named by argument 2 of a DEBUG subcommand.
func (s *Server) debugValue(c *Ctx) (*store.Entry, error) {
	e := s.ks.DB(client(c).db).Peek(c.Args[2])
	if e == nil {
		return nil, Err("ERR no such key")
	}
	return e, nil
}

// debugSDSLen is DEBUG SDSLEN <key>: the key's and the string value's sds figures.
func (s *Server) debugSDSLen(c *Ctx) error {
	e, err := s.debugValue(c)
	if err != nil {
		return err
	}
	val, ok := e.StringSDS()
	if !ok {
		return Err("ERR Not an sds encoded string.")
	}
	key := store.KeySDS(c.Args[2])
	c.W.Simple(fmt.Sprintf("key_sds_len:%d, key_sds_avail:%d, key_zmalloc: %d, val_sds_len:%d, val_sds_avail:%d, val_zmalloc: %d",
		key.Len, key.Avail, key.Alloc, val.Len, val.Avail, val.Alloc))
	return nil
}

// debugListpack is DEBUG LISTPACK <key> for a listpack-encoded hash or sorted set.
func (s *Server) debugListpack(c *Ctx) error {
	e, err := s.debugValue(c)
	if err != nil {
		return err
	}
	bytes, ok := e.ListpackBytes()
	if !ok {
		return Err("ERR Not a listpack encoded object.")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "DEBUG LISTPACK %s: {total bytes %d}", c.Arg(2), bytes)
	i := 0
	entry := func(v string) {
		fmt.Fprintf(&b, "\n{index %d} %s", i, v)
		i++
	}
	if e.Type() == store.TypeHash {
		e.Hash().Range(func(f, v []byte) bool {
			entry(strconv.Quote(string(f)))
			entry(strconv.Quote(string(v)))
			return true
		})
	} else {
		z := e.ZSet()
		z.Range(0, z.Len(), false, func(m []byte, score float64) bool {
			entry(strconv.Quote(string(m)))
			entry(strconv.FormatFloat(score, 'g', 17, 64))
			return true
		})
	}
	s.log.notice("%s", b.String())
	c.W.Simple("Listpack structure printed on stdout")
	return nil
}

// debugQuicklist is DEBUG QUICKLIST <key> [0|1]: the list's nodes, each one listed
// when the level of detail is not 0.
func (s *Server) debugQuicklist(c *Ctx) error {
	e, err := s.debugValue(c)
	if err != nil {
		return err
	}
	if e.Type() != store.TypeList {
		return Err("ERR Not a quicklist encoded object.")
	}
	full := len(c.Args) > 3 && c.Arg(3) != "0"
	nodes := e.List().ListpackNodes()
	var b strings.Builder
	fmt.Fprintf(&b, "DEBUG QUICKLIST %s: {count : %d} {len : %d} {fill : %d} {compress : %d}",
		c.Arg(2), e.List().Len(), len(nodes), s.ks.Limits.ListMaxListpackSize.Load(), s.ks.Limits.ListCompressDepth.Load())
	if full {
		for i, nd := range nodes {
			fmt.Fprintf(&b, "\n{node %d} {count : %d} {sz : %d} {encoding : packed}", i, nd.Count, nd.Bytes)
		}
	}
	s.log.notice("%s", b.String())
	c.W.Simple("Quicklist structure printed on stdout")
	return nil
}

// tableStats describes a hash table of n entries as DEBUG HTSTATS prints one: its
// bucket count and size (the chain statistics of Redis's dict have no counterpart).
func tableStats(b *strings.Builder, n int) {
	b.WriteString("Hash table 0 stats (main hash table):\n")
	if n == 0 {
		b.WriteString("No stats available for empty dictionaries\n")
		return
	}
	fmt.Fprintf(b, " table size: %d\n number of elements: %d\n", store.DictBuckets(n), n)
}

// debugHTStats is DEBUG HTSTATS <db>: the keys' and the expiries' tables.
func (s *Server) debugHTStats(c *Ctx) error {
	db, err := c.Int(2)
	if err != nil {
		return err
	}
	if db < 0 || db >= int64(s.ks.Databases()) {
		return Err("ERR Out of range database")
	}
	keys, volatile := s.ks.DB(int(db)).Size()
	var b strings.Builder
	b.WriteString("[Dictionary HT]\n")
	tableStats(&b, keys)
	b.WriteString("[Expires HT]\n")
	tableStats(&b, volatile)
	c.W.Verbatim(b.String())
	return nil
}

// debugHTStatsKey is DEBUG HTSTATS-KEY <key> for a hash, set or sorted set held in a
// hash table.
func (s *Server) debugHTStatsKey(c *Ctx) error {
	e, err := s.debugValue(c)
	if err != nil {
		return err
	}
	var n int
	switch enc := e.Encoding(); {
	case enc == "hashtable" && e.Type() == store.TypeHash:
		n = e.Hash().Len()
	case enc == "hashtable":
		n = e.SetValue().Len()
	case enc == "skiplist":
		n = e.ZSet().Len()
	default:
		return Err("ERR The value stored at the specified key is not represented using an hash table")
	}
	var b strings.Builder
	tableStats(&b, n)
	c.W.Verbatim(b.String())
	return nil
}

// debugStringmatchTest is DEBUG STRINGMATCH-TEST: random patterns against random
// strings, to show that the glob matcher neither crashes nor runs away.
func debugStringmatchTest(c *Ctx) error {
	const alphabet = "*?[]^-\\ab"
	random := func(n int) string {
		b := make([]byte, rand.IntN(n))
		for i := range b {
			b[i] = alphabet[rand.IntN(len(alphabet))]
		}
		return string(b)
	}
	for i := 0; i < 100000; i++ {
		glob.Match(random(32), random(32), i%2 == 0)
	}
	c.W.Simple("Apparently Redis did not crash: test passed")
	return nil
}

// debugPackedThreshold is DEBUG QUICKLIST-PACKED-THRESHOLD <size>. Redis stores list
// elements at least that long in nodes of their own ("plain"); Cinnabar checks the
// argument as Redis does, but its nodes already take any element that does not fit
// the fill limit alone, and it keeps no threshold.
func debugPackedThreshold(c *Ctx) error {
	if n, ok := config.ParseMemory(c.Arg(2)); !ok || n > 1<<32-1<<20 {
		return Err("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
	}
	c.W.OK()
	return nil
}

// debugReplyBuffer is DEBUG REPLYBUFFER PEAK-RESET-TIME <never|reset|ms> and
// RESIZING <0|1>: Redis's reply buffers resize themselves from a cron; Cinnabar's
// (redcon's) do not, so the arguments are checked as Redis does and nothing changes.
func debugReplyBuffer(c *Ctx) error {
	switch {
	case c.Is(2, "peak-reset-time"):
		if !c.Is(3, "never") && !c.Is(3, "reset") {
			if _, err := c.Int(3); err != nil {
				return err
			}
		}
	case !c.Is(2, "resizing"): // whose argument Redis reads with atoi: anything goes
		return subcommandSyntaxError(c.Arg(1), "DEBUG")
	}
	c.W.OK()
	return nil
}
