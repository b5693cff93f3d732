package evict

import (
	"slices"
	"sort"

	"github.com/cinnabar-db/cinnabar/store"
)

// poolSize is how many candidates the pool keeps, as Redis's eviction pool does.
const poolSize = 16

// candidate is a sampled key and its eviction score.
type candidate struct {
	score uint64
	db    int
	key   string
}

// pool keeps the best candidates seen across samplings, in ascending score order, so
// each eviction takes the best of many samples, not only of the latest few. Entries may
// be stale (the key deleted or changed since it was sampled): they are checked when
// taken.
type pool struct {
	c []candidate
}

// offer adds a candidate if the pool has room or it beats the worst one kept.
func (p *pool) offer(c candidate) {
	full := len(p.c) == poolSize
	if full && c.score <= p.c[0].score {
		return
	}
	i := sort.Search(len(p.c), func(i int) bool { return p.c[i].score > c.score })
	if !full {
		p.c = slices.Insert(p.c, i, c)
		return
	}
	copy(p.c[:i-1], p.c[1:i]) // drop the worst to make room
	p.c[i-1] = c
}

// populate samples n keys of database db into the pool and returns how many it saw.
// The caller holds every shard.
func (p *pool) populate(ks *store.Keyspace, db int, policy Policy, n int) int {
	d := ks.DB(db)
	now := d.Now()
	seen := 0
	d.SampleKeys(n, policy.volatile(), func(key string, e *store.Entry) {
		seen++
		p.offer(candidate{score: policy.score(ks, e, now), db: db, key: key})
	})
	return seen
}

// take removes and returns the best candidate.
func (p *pool) take() (candidate, bool) {
	if len(p.c) == 0 {
		return candidate{}, false
	}
	c := p.c[len(p.c)-1]
	p.c = p.c[:len(p.c)-1]
	return c, true
}
