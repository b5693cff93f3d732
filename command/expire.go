package command

import (
	"math"

	"github.com/cinnabar-db/cinnabar/store"
)

var (
	evExpire  = store.Event{Class: store.ClassGeneric, Name: "expire"}
	evPersist = store.Event{Class: store.ClassGeneric, Name: "persist"}
)

// ExpireCommands are the TTL rows.
var ExpireCommands = []*Spec{
	{Name: "expire", Arity: -3, Flags: Write | Fast, Cat: CatKeyspace, Do: cmdExpire},
	{Name: "pexpire", Arity: -3, Flags: Write | Fast, Cat: CatKeyspace, Do: cmdExpire},
	{Name: "expireat", Arity: -3, Flags: Write | Fast, Cat: CatKeyspace, Do: cmdExpire},
	{Name: "pexpireat", Arity: -3, Flags: Write | Fast, Cat: CatKeyspace, Do: cmdExpire},
	{Name: "ttl", Arity: 2, Flags: ReadOnly | Fast, Cat: CatKeyspace, Do: cmdTTL},
	{Name: "pttl", Arity: 2, Flags: ReadOnly | Fast, Cat: CatKeyspace, Do: cmdTTL},
	{Name: "expiretime", Arity: 2, Flags: ReadOnly | Fast, Cat: CatKeyspace, Do: cmdTTL},
	{Name: "pexpiretime", Arity: 2, Flags: ReadOnly | Fast, Cat: CatKeyspace, Do: cmdTTL},
	{Name: "persist", Arity: 2, Flags: Write | Fast, Cat: CatKeyspace, Do: cmdPersist},
}

func cmdExpire(c *Ctx) error {
	name := c.Spec.Name
	n, err := c.Int(2)
	if err != nil {
		return err
	}
	var nx, xx, gt, lt bool
	for i := 3; i < len(c.Args); i++ {
		switch {
		case c.Is(i, "nx"):
			nx = true
		case c.Is(i, "xx"):
			xx = true
		case c.Is(i, "gt"):
			gt = true
		case c.Is(i, "lt"):
			lt = true
		default:
			return Errorf("ERR Unsupported option %s", c.Arg(i))
		}
	}
	if nx && (xx || gt || lt) {
		return Err("ERR NX and XX, GT or LT options at the same time are not compatible")
	}
	if gt && lt {
		return Err("ERR GT and LT options at the same time are not compatible")
	}
	unit := int64(1)
	if name == "expire" || name == "expireat" {
		unit = 1000
	}
	if n > math.MaxInt64/unit || n < math.MinInt64/unit {
		return invalidExpire(name)
	}
	at := n * unit
	if name == "expire" || name == "pexpire" {
		now := c.DB.Now()
		if at > 0 && at > math.MaxInt64-now {
			return invalidExpire(name)
		}
		at += now
	}
	key := c.Args[1]
	e := c.DB.LookupWrite(key)
	if e == nil {
		c.W.Int(0)
		return nil
	}
	cur := e.ExpireAt()
	if (nx && cur != 0) || (xx && cur == 0) || (gt && (cur == 0 || at <= cur)) || (lt && cur != 0 && at >= cur) {
		c.W.Int(0)
		return nil
	}
	if at <= c.DB.Now() {
		c.DB.Delete(key, store.EvDel)
		c.Propagate(wordDel, key)
	} else {
		c.DB.SetExpire(key, e, at)
		c.DB.Changed(key, evExpire)
		if c.Propagating && name != "pexpireat" { // replays with the deadline reached
			args := append([][]byte{wordPExpireAt, key, AppendInt(nil, at)}, c.Args[3:]...)
			c.Propagate(args...)
		}
	}
	c.W.Int(1)
	return nil
}

func cmdTTL(c *Ctx) error {
	e := c.DB.LookupNoTouch(c.Args[1])
	if e == nil {
		c.W.Int(-2)
		return nil
	}
	at := e.ExpireAt()
	if at == 0 {
		c.W.Int(-1)
		return nil
	}
	switch c.Spec.Name {
	case "ttl":
		c.W.Int((max(at-c.DB.Now(), 0) + 500) / 1000)
	case "pttl":
		c.W.Int(max(at-c.DB.Now(), 0))
	case "expiretime":
		c.W.Int(at / 1000)
	default:
		c.W.Int(at)
	}
	return nil
}

func cmdPersist(c *Ctx) error {
	key := c.Args[1]
	e := c.DB.LookupWrite(key)
	if e == nil || e.ExpireAt() == 0 {
		c.W.Int(0)
		return nil
	}
	c.DB.SetExpire(key, e, 0)
	c.DB.Changed(key, evPersist)
	c.W.Int(1)
	return nil
}
