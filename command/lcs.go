package command

import (
	"github.com/cinnabar-db/cinnabar/store"
)

var (
	errLCSType   error = Err("ERR The specified keys must contain string values")
	errLCSLenIdx error = Err("ERR If you want both the length and indexes, please just use IDX.")
	errLCSMemory error = Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
)

// LCSCommands are the LCS row.
var LCSCommands = []*Spec{
	{Name: "lcs", Arity: -3, Flags: ReadOnly, Cat: CatString, Do: cmdLCS},
}

// lcsMatch is one run common to both strings: inclusive byte ranges in each.
type lcsMatch struct{ a0, a1, b0, b1 int }

func cmdLCS(c *Ctx) error {
	var a, b []byte
	for i, dst := range []*[]byte{&a, &b} {
		e := c.DB.Lookup(c.Args[1+i])
		if e != nil && e.Type() != store.TypeString {
			return errLCSType
		}
		if e != nil {
			*dst = e.Bytes()
		}
	}
	var getLen, getIdx, withLen bool
	minLen := int64(0)
	for i := 3; i < len(c.Args); i++ {
		switch {
		case c.Is(i, "idx"):
			getIdx = true
		case c.Is(i, "len"):
			getLen = true
		case c.Is(i, "withmatchlen"):
			withLen = true
		case c.Is(i, "minmatchlen") && i+1 < len(c.Args):
			n, err := c.Int(i + 1)
			if err != nil {
				return err
			}
			minLen = max(n, 0)
			i++
		default:
			return ErrSyntax
		}
	}
	if getIdx && getLen {
		return errLCSLenIdx
	}
	// Redis's table holds a 32-bit length per pair of prefixes and must fit the bulk limit.
	if (int64(len(a))+1)*(int64(len(b))+1)*4 > MaxStringLen {
		return errLCSMemory
	}
	if getLen {
		c.W.Int(int64(lcsLength(a, b)))
		return nil
	}

	// table[i*w+j] is the LCS length of a[:i] and b[:j].
	w := len(b) + 1
	table := make([]uint32, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		row, prev := table[i*w:(i+1)*w], table[(i-1)*w:i*w]
		ai := a[i-1]
		for j := 1; j < w; j++ {
			switch {
			case ai == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	n := int(table[len(table)-1])

	// Walk back from the end, preferring to drop a byte of b on ties, as Redis does
	// (so the same LCS comes out), and gather the runs from last to first.
	var out []byte
	if !getIdx {
		out = make([]byte, n)
	}
	var matches []lcsMatch
	var cur lcsMatch
	inRun := false
	emit := func() {
		if inRun && int64(cur.a1-cur.a0+1) >= minLen {
			matches = append(matches, cur)
		}
	}
	k := n
	for i, j := len(a), len(b); i > 0 && j > 0; {
		switch {
		case a[i-1] == b[j-1]:
			i, j = i-1, j-1
			if !getIdx {
				k--
				out[k] = a[i]
				continue
			}
			if inRun && cur.a0 == i+1 && cur.b0 == j+1 {
				cur.a0, cur.b0 = i, j
				continue
			}
			emit()
			cur, inRun = lcsMatch{i, i, j, j}, true
		case table[(i-1)*w+j] > table[i*w+j-1]:
			i--
		default:
			j--
		}
	}
	if !getIdx {
		c.W.Bulk(out)
		return nil
	}
	emit()

	c.W.Map(2)
	c.W.BulkString("matches")
	c.W.Array(len(matches))
	for _, m := range matches {
		if withLen {
			c.W.Array(3)
		} else {
			c.W.Array(2)
		}
		c.W.Array(2)
		c.W.Int(int64(m.a0))
		c.W.Int(int64(m.a1))
		c.W.Array(2)
		c.W.Int(int64(m.b0))
		c.W.Int(int64(m.b1))
		if withLen {
			c.W.Int(int64(m.a1 - m.a0 + 1))
		}
	}
	c.W.BulkString("len")
	c.W.Int(int64(n))
	return nil
}

// lcsLength computes the LCS length keeping two rows of the table.
func lcsLength(a, b []byte) uint32 {
	prev := make([]uint32, len(b)+1)
	row := make([]uint32, len(b)+1)
	for i := range a {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i] == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
		prev, row = row, prev
	}
	return prev[len(b)]
}
