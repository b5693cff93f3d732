package script

import (
	"math"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// prng is the generator behind math.random: the POSIX drand48 linear congruential
// generator (48-bit state, a = 0x5DEECE66D, c = 0xB), which Redis uses so that a seed
// gives the same sequence on every platform. The state starts at drand48's documented
// default (0x1234ABCD330E) and Redis 7.0 never reseeds it per script (observed), so
// the sequence continues across scripts, from server start, until math.randomseed is
// called. One generator serves every Lua state of an engine.
type prng struct {
	mu sync.Mutex
	x  uint64
}

const (
	lcgA    = 0x5DEECE66D
	lcgC    = 0xB
	lcgMask = 1<<48 - 1
	// randMax is the divisor Redis uses to map lrand48 onto [0, 1).
	randMax = math.MaxInt32
)

func newPRNG() *prng { return &prng{x: 0x1234ABCD330E} }

// seed is srand48: the high 32 bits of the state take the seed, the low 16 bits 0x330E.
func (p *prng) seed(s int32) {
	p.mu.Lock()
	p.x = uint64(uint32(s))<<16 | 0x330E
	p.mu.Unlock()
}

// lrand48 advances the state and returns its top 31 bits.
func (p *prng) lrand48() int64 {
	p.mu.Lock()
	p.x = (lcgA*p.x + lcgC) & lcgMask
	v := int64(p.x >> 17)
	p.mu.Unlock()
	return v
}

// random implements math.random with Lua 5.1's argument rules.
func (p *prng) random(L *lua.LState) int {
	r := float64(p.lrand48()%randMax) / float64(randMax)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := toCInt(checkNumber(L, 1, "random"))
		if u < 1 {
			argError(L, 1, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := toCInt(checkNumber(L, 1, "random"))
		u := toCInt(checkNumber(L, 2, "random"))
		if l > u {
			argError(L, 2, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*(float64(u)-float64(l)+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

// randomseed implements math.randomseed.
func (p *prng) randomseed(L *lua.LState) int {
	p.seed(int32(toCInt(checkNumber(L, 1, "randomseed"))))
	return 0
}
