// Package server serves the Redis protocol over redcon: connections and their client
// state, the executor every command passes through, and the server-level commands
// (connection, CONFIG, INFO, COMMAND, CLIENT, DEBUG, ...).
//
// # Connections
//
// redcon accepts the connections, buffers their replies and closes them; the request
// stream is read by the connection's reader (protoguard.go), which parses it as Redis
// does, with Redis's limits and errors, into arguments that are slices of its read
// buffer: no allocation per command. serveCommand runs each connection's loop: every
// whole command the last read brought, then one flush. Arguments are valid until the
// next read; what keeps them (MULTI's queue, a parked blocking command) copies them.
// The socket is read and written with raw system calls through the runtime's poller
// (no entersyscall, which would wake the runtime's sysmon thread after every idle
// moment: see protoguard.go).
// Per-command counters (total_commands_processed, network bytes) are per client and
// summed by INFO (stats.go).
//
// # The executor
//
// Every call, from a socket, Lua, an AOF or a master, runs Server.execute, in Redis's
// order: table lookup (subcommands, arity) → authentication → ACL permissions (acl.go;
// one flag test for a user allowed everything) → maxmemory (evictions, then -OOM for
// commands that may grow memory: maxmemory.go and package evict) → a replica's
// refusals (replica.go) → MULTI queueing → pub/sub context → lock the shards of the
// declared keys (all shards for commands flagged AllKeys) → handler → unlock →
// statistics. Handlers write their reply into the client's resp.Writer; the connection
// hands it to redcon's writer, flushed once per batch of pipelined commands.
//
// # ACL
//
// Package acl holds the users and decides calls; acl.go wires it in: the ACL commands,
// AUTH and HELLO AUTH, the check in execute, EXEC (rules may change after queueing) and
// redis.call, the ACL log, requirepass as the default user's password, the config
// file's user lines and the aclfile, and the disconnection of the clients of deleted,
// reloaded or (for their subscriptions) narrowed users.
//
// The keyspace reports every change through store.Hooks; the server's implementation
// (hooks.go) is the single place where writes turn into WATCH invalidation, keyspace
// notifications, wake-ups and propagation.
//
// # Persistence
//
// RDB snapshots (persistence.go) serialize the keyspace while every shard is held and
// write it with the shards released. The append-only file (aof.go) is a consumer of
// the write stream (propagate.go), like replication: a command's writes are in the AOF
// file before its reply leaves, and fsynced first under appendfsync always, one fsync
// shared by the replies of every connection waiting for it. At start-up the AOF is
// replayed through execute by a pseudo-client whose writes propagate nowhere.
//
// # Replication
//
// As a master (replication.go), replicas are consumers of the write stream. As a
// replica (replica.go), a goroutine holds the link to the master and runs its stream
// through execute on a pseudo-client flagged fromMaster, the one write path: its writes
// reach this server's AOF and replicas as a client's would. execute refuses clients
// what a replica does not serve (replicaDenied: READONLY, MASTERDOWN, LOADING) after the
// maxmemory check and before MULTI queueing, as Redis orders it. Expiry is the master's:
// the active cycle stops, lookups leave keys past their deadline in place
// (store.Keyspace.KeepExpired), and the master client's calls run with the shards'
// expiry time frozen at the epoch, so it sees those keys as Redis's master client does.
package server
