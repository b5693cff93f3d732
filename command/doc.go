// Package command is the command table and the handlers of the data commands.
//
// Every command is one Spec row: name, arity (Redis's convention: positive is exact,
// negative is a minimum), flags, key positions and handler, with subcommands as rows of
// their own. The Table built from all rows drives dispatch, arity and unknown-command
// errors, key extraction for locking, ACL categories, COMMAND's replies and the
// per-command statistics. Families register their rows in one file each
// (strings.go, keys.go, ...); server-level commands (connections, CONFIG, CLIENT, ...)
// are rows declared by the server package into the same Table. COMMAND DOCS reads its
// documentation (summary, history, argument tree) from a text table beside the rows,
// keyed by name (docs.go, docs_*.go), so a row stays one line. Key positions work the
// same way: Redis 7's key specs sit in a text table by name (keyspecs.go), from which
// NewTable derives the legacy first/last/step and movablekeys, and from which the
// executor takes the keys it locks; a row's KeysFunc covers only what a spec cannot
// say (SORT's STORE, SET's and BITFIELD's per-call flags).
//
// A handler reads as parse → store call → reply: it gets a Ctx with the arguments, the
// selected database (its keys' shards already locked) and the reply writer, writes
// exactly one reply on success, or returns an error that the executor writes. One
// handler talks to the network: MIGRATE (migrate.go) sends its keys to another server
// and waits for the answer while it holds its keys' shards, as Redis blocks for it.
package command
