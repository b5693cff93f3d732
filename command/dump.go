package command

import (
	"slices"

	"github.com/cinnabar-db/cinnabar/persist"
	"github.com/cinnabar-db/cinnabar/store"
)

var (
	evRestore  = store.Event{Class: store.ClassGeneric, Name: "restore"}
	wordAbsTTL = []byte("ABSTTL")
)

// DumpCommands are DUMP and RESTORE, a key's value in RDB encoding and back, and
// MIGRATE, which moves keys to another server with them (migrate.go).
var DumpCommands = []*Spec{
	{Name: "dump", Arity: 2, Flags: ReadOnly, Cat: CatKeyspace, Do: cmdDump},
	{Name: "restore", Arity: -4, Flags: Write | DenyOOM, Cat: CatKeyspace | CatDangerous, Do: cmdRestore},
	{Name: "restore-asking", Arity: -4, Flags: Write | DenyOOM | Asking, Cat: CatKeyspace | CatDangerous, Do: cmdRestore},
	{Name: "migrate", Arity: -6, Flags: Write, KeysFunc: migrateKeys, Cat: CatKeyspace | CatDangerous, Do: cmdMigrate},
}

func cmdDump(c *Ctx) error {
	e := c.DB.Lookup(c.Args[1])
	if e == nil {
		c.W.Null()
		return nil
	}
	c.W.Bulk(persist.Dump(e, c.DB.Limits().RDBCompression.Load()))
	return nil
}

// cmdRestore serves RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME s]
// [FREQ f], checking in Redis's order: options, an existing key, the TTL, the payload.
func cmdRestore(c *Ctx) error {
	key := c.Args[1]
	var replace, absTTL bool
	idle, freq := int64(-1), int64(-1)
	for i := 4; i < len(c.Args); i++ {
		hasValue := i+1 < len(c.Args)
		switch {
		case c.Is(i, "replace"):
			replace = true
		case c.Is(i, "absttl"):
			absTTL = true
		case c.Is(i, "idletime") && hasValue && freq == -1:
			n, err := c.Int(i + 1)
			if err != nil {
				return err
			}
			if n < 0 {
				return Err("ERR Invalid IDLETIME value, must be >= 0")
			}
			idle = n
			i++
		case c.Is(i, "freq") && hasValue && idle == -1:
			n, err := c.Int(i + 1)
			if err != nil {
				return err
			}
			if n < 0 || n > 255 {
				return Err("ERR Invalid FREQ value, must be >= 0 and <= 255")
			}
			freq = n
			i++
		default:
			return ErrSyntax
		}
	}
	if !replace && c.DB.LookupWrite(key) != nil {
		return Err("BUSYKEY Target key name already exists.")
	}
	ttl, err := c.Int(2)
	if err != nil {
		return err
	}
	if ttl < 0 {
		return Err("ERR Invalid TTL value, must be >= 0")
	}
	payload := c.Args[3]
	if persist.VerifyPayload(payload) != nil {
		return Err("ERR DUMP payload version or checksum are wrong")
	}
	v, err := persist.ReadPayload(payload, c.DB.Limits())
	if err != nil {
		return Err("ERR Bad data format")
	}
	at, now := ttl, c.DB.Now()
	if ttl != 0 && !absTTL {
		at += now // wraps on overflow, and the key then counts as expired, as in Redis
	}
	if ttl != 0 && at <= now {
		// Already expired: the key is not created, but REPLACE still deleted the old one.
		if replace && c.DB.Delete(key, store.EvDel) {
			c.Propagate(wordDel, key)
		}
		c.W.OK()
		return nil
	}
	if replace {
		// Redis deletes the old value without an event or a change of its own, then adds
		// the key: "new" and "restore" follow.
		c.DB.DeleteN(key, store.Event{}, 0)
	}
	if ttl != 0 {
		v.SetExpireAt(at)
	}
	c.DB.Set(key, v, evRestore)
	c.KS.RestoreAccess(v, idle, freq)
	if c.Propagating && ttl != 0 && !absTTL { // replays with the same deadline
		args := slices.Clone(c.Args)
		args[2] = AppendInt(nil, at)
		c.Propagate(append(args, wordAbsTTL)...)
	}
	c.W.OK()
	return nil
}
