package command

// Documentation of the connection, pub/sub and transaction commands, in the format docs.go describes.
func init() {
	addDocs("connection", `
AUTH [username]@6.0.0 password
	Authenticates the connection.
	since 1.0.0; O(N), N = passwords of the user
	6.0.0: username and password (ACL) form.

CLIENT
	Groups the connection management subcommands.
	since 2.4.0; Per subcommand

CLIENT CACHING (mode: YES | NO)
	Says whether the keys of the next command are tracked (OPTIN/OPTOUT tracking).
	since 6.0.0; O(1)

CLIENT GETNAME
	Returns the connection's name.
	since 2.6.9; O(1)

CLIENT GETREDIR
	Returns the ID of the client receiving this connection's tracking invalidations.
	since 6.0.0; O(1)

CLIENT HELP
	Lists the CLIENT subcommands.
	since 5.0.0; O(1)

CLIENT ID
	Returns the connection's ID.
	since 5.0.0; O(1)

CLIENT INFO
	Describes the current connection.
	since 6.2.0; O(1)

CLIENT KILL
    (filter: ip:port!2.8.12 | (new-format: [ID client-id:int]@2.8.12 | [TYPE
    (normal_master_slave_pubsub: NORMAL | MASTER@3.2.0 | SLAVE | REPLICA@5.0.0 | PUBSUB)]@2.8.12 |
    [USER username] | [ADDR ip:port] | [LADDR ip:port]@6.2.0 | [SKIPME yes/no])...)
	Closes client connections chosen by address or by filters.
	since 2.4.0; O(N), N = client connections
	2.8.12: filter form.
	2.8.12: ID filter.
	3.2.0: master as a TYPE.
	5.0.0: replica as a TYPE, slave kept as an alias.
	6.2.0: LADDR filter.

CLIENT LIST [TYPE (NORMAL | MASTER | REPLICA | PUBSUB)]@5.0.0 [ID (id: client-id:int...)]@6.2.0
	Describes the client connections, optionally filtered.
	since 2.4.0; O(N), N = client connections
	2.8.12: id field.
	5.0.0: TYPE filter.
	6.0.0: user field.
	6.2.0: argv-mem, tot-mem, laddr and redir fields; ID filter.
	7.0.0: resp, multi-mem, rbs and rbp fields.
	7.0.3: ssub field.

CLIENT NO-EVICT (enabled: ON | OFF)
	Exempts the connection from client eviction, or not.
	since 7.0.0; O(1)

CLIENT NO-TOUCH (enabled: ON | OFF)
	Stops the connection's commands from updating key access times, or not.
	since 7.2.0; O(1)

CLIENT PAUSE timeout:int [mode: WRITE | ALL]@6.2.0
	Suspends client commands (all or writes) for a while.
	since 2.9.50; O(1)
	6.2.0: WRITE mode.

CLIENT REPLY (ON | OFF | SKIP)
	Turns the server's replies on, off or off for one command.
	since 3.2.0; O(1)

CLIENT SETINFO (attr: LIB-NAME libname | LIB-VER libver)
	Records the client library's name or version for this connection.
	since 7.2.0; O(1)

CLIENT SETNAME connection-name
	Names the connection.
	since 2.6.9; O(1)

CLIENT TRACKING (status: ON | OFF) [REDIRECT client-id:int] [PREFIX prefix]... [BCAST] [OPTIN]
    [OPTOUT] [NOLOOP]
	Turns server-assisted client-side caching on or off.
	since 6.0.0; O(1), though some options cost more

CLIENT TRACKINGINFO
	Describes the connection's client-side caching state.
	since 6.2.0; O(1)

CLIENT UNBLOCK client-id:int [TIMEOUT | ERROR]
	Wakes a client blocked in a blocking command.
	since 5.0.0; O(log N), N = client connections

CLIENT UNPAUSE
	Ends a CLIENT PAUSE.
	since 6.2.0; O(N), N = paused clients

ECHO message
	Returns its argument.
	since 1.0.0; O(1)

HELLO [arguments: protover:int [AUTH (username password)] [SETNAME clientname]]
	Negotiates the protocol version and optionally authenticates and names the connection.
	since 6.0.0; O(1)
	6.2.0: protover optional; without arguments the reply describes the connection.

PING [message]
	Checks that the server answers.
	since 1.0.0; O(1)

QUIT
	Closes the connection.
	since 1.0.0; O(1)

RESET
	Returns the connection to its initial state.
	since 6.2.0; O(1)

SELECT index:int
	Switches the connection to another database.
	since 1.0.0; O(1)
`)
	addDocs("pubsub", `
PSUBSCRIBE (pattern: pattern)...
	Subscribes to the channels matching glob-style patterns.
	since 2.0.0; O(N), N = patterns the client already has

PUBLISH channel message
	Sends a message to a channel's subscribers.
	since 2.0.0; O(N + M), N = subscribers of the channel, M = subscribed patterns

PUBSUB
	Groups the subcommands that inspect the pub/sub state.
	since 2.8.0; Per subcommand

PUBSUB CHANNELS [pattern]
	Lists the channels with subscribers, optionally matching a pattern.
	since 2.8.0; O(N), N = active channels

PUBSUB HELP
	Lists the PUBSUB subcommands.
	since 6.2.0; O(1)

PUBSUB NUMPAT
	Counts the patterns subscribed to.
	since 2.8.0; O(1)

PUBSUB NUMSUB [channel...]
	Counts the subscribers of channels.
	since 2.8.0; O(N), N = channels given

PUBSUB SHARDCHANNELS [pattern]
	Lists the shard channels with subscribers, optionally matching a pattern.
	since 7.0.0; O(N), N = active shard channels

PUBSUB SHARDNUMSUB [shardchannel...]
	Counts the subscribers of shard channels.
	since 7.0.0; O(N), N = shard channels given

PUNSUBSCRIBE [pattern...]
	Drops pattern subscriptions, all of them by default.
	since 2.0.0; O(N + M), N = the client's patterns, M = all subscribed patterns

SPUBLISH shardchannel message
	Sends a message to a shard channel's subscribers.
	since 7.0.0; O(N), N = subscribers of the shard channel

SSUBSCRIBE shardchannel...
	Subscribes to shard channels.
	since 7.0.0; O(N), N = shard channels given

SUBSCRIBE channel...
	Subscribes to channels.
	since 2.0.0; O(N), N = channels given

SUNSUBSCRIBE [shardchannel...]
	Drops shard channel subscriptions, all of them by default.
	since 7.0.0; O(N), N = subscribers of a shard channel

UNSUBSCRIBE [channel...]
	Drops channel subscriptions, all of them by default.
	since 2.0.0; O(N), N = subscribers of a channel
`)
	addDocs("transactions", `
DISCARD
	Drops the commands queued since MULTI.
	since 2.0.0; O(N), N = queued commands

EXEC
	Runs the commands queued since MULTI.
	since 1.2.0; That of the queued commands

MULTI
	Starts a transaction.
	since 1.2.0; O(1)

UNWATCH
	Forgets every watched key.
	since 2.2.0; O(1)

WATCH key...
	Makes the next EXEC fail if any of the keys changes.
	since 2.2.0; O(1) per key
`)
}
