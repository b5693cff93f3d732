package command

// Documentation of the server and cluster commands, in the format docs.go describes.
func init() {
	addDocs("server", `
ACL
	Groups the access control subcommands.
	since 6.0.0; Per subcommand

ACL CAT [categoryname]
	Lists the ACL categories, or the commands of one.
	since 6.0.0; O(1), the sets being fixed

ACL DELUSER username...
	Deletes ACL users.
	since 6.0.0; O(1) amortized per user

ACL DRYRUN username command [arg...]
	Tells whether a user may run a command, without running it.
	since 7.0.0; O(1)

ACL GENPASS [bits:int]
	Returns random bits suitable as a password.
	since 6.0.0; O(1)

ACL GETUSER username
	Describes the rules of an ACL user.
	since 6.0.0; O(N), N = password, command and pattern rules of the user
	6.2.0: pub/sub channel patterns.
	7.0.0: selectors; key and channel patterns shown as rules.

ACL HELP
	Lists the ACL subcommands.
	since 6.0.0; O(1)

ACL LIST
	Lists the ACL users in the ACL file format.
	since 6.0.0; O(N), N = users

ACL LOAD
	Reloads the users from the ACL file.
	since 6.0.0; O(N), N = users

ACL LOG [operation: count:int | RESET]
	Shows or clears the recent ACL denials.
	since 6.0.0; O(N), N = entries shown

ACL SAVE
	Writes the users to the ACL file.
	since 6.0.0; O(N), N = users

ACL SETUSER username [rule...]
	Creates an ACL user or changes its rules.
	since 6.0.0; O(N), N = rules given
	6.2.0: pub/sub channel patterns.
	7.0.0: selectors and key permissions.

ACL USERS
	Lists the ACL user names.
	since 6.0.0; O(N), N = users

ACL WHOAMI
	Returns the connection's user name.
	since 6.0.0; O(1)

BGREWRITEAOF
	Rewrites the append-only file in the background.
	since 1.0.0; O(1)

BGSAVE [SCHEDULE]@3.2.2
	Saves the data set to disk in the background.
	since 1.0.0; O(1)
	3.2.2: SCHEDULE.

COMMAND
	Describes every command.
	since 2.8.13; O(N), N = commands

COMMAND COUNT
	Counts the commands.
	since 2.8.13; O(1)

COMMAND DOCS [command-name...]
	Returns the documentation of commands.
	since 7.0.0; O(N), N = commands asked for

COMMAND GETKEYS
	Extracts the key names from a full command line.
	since 2.8.13; O(N), N = arguments of the command

COMMAND GETKEYSANDFLAGS
	Extracts the key names and their access flags from a full command line.
	since 7.0.0; O(N), N = arguments of the command

COMMAND HELP
	Lists the COMMAND subcommands.
	since 5.0.0; O(1)

COMMAND INFO [command-name...]
	Describes the given commands, or all of them.
	since 2.8.13; O(N), N = commands asked for
	7.0.0: all commands when none is named.

COMMAND LIST [FILTERBY (filterby: MODULE module-name | ACLCAT category | PATTERN pattern)]
	Lists the command names, optionally filtered.
	since 7.0.0; O(N), N = commands

CONFIG
	Groups the configuration subcommands.
	since 2.0.0; Per subcommand

CONFIG GET (parameter: parameter)...
	Returns the configuration parameters matching patterns.
	since 2.0.0; O(N), N = parameters given
	7.0.0: several patterns.

CONFIG HELP
	Lists the CONFIG subcommands.
	since 5.0.0; O(1)

CONFIG RESETSTAT
	Resets the statistics INFO reports.
	since 2.0.0; O(1)

CONFIG REWRITE
	Writes the running configuration back to the configuration file.
	since 2.8.0; O(1)

CONFIG SET (parameter value)...
	Changes configuration parameters at run time.
	since 2.0.0; O(N), N = parameters given
	7.0.0: several parameters.

DBSIZE
	Counts the keys of the selected database.
	since 1.0.0; O(1)

DEBUG
	Runs debugging and testing subcommands.
	since 1.0.0; Per subcommand
	syscmd

FAILOVER [TO (target: host port:int [FORCE])] [ABORT] [TIMEOUT milliseconds:int]
	Hands the master role to a replica in a coordinated way.
	since 6.2.0; O(1)

FLUSHALL [async: ASYNC@4.0.0 | SYNC@6.2.0]
	Deletes every key of every database.
	since 1.0.0; O(N), N = keys in all databases
	4.0.0: ASYNC.
	6.2.0: SYNC.

FLUSHDB [async: ASYNC@4.0.0 | SYNC@6.2.0]
	Deletes every key of the selected database.
	since 1.0.0; O(N), N = keys in the database
	4.0.0: ASYNC.
	6.2.0: SYNC.

INFO [section...]
	Reports server information and statistics by section.
	since 1.0.0; O(1)
	7.0.0: several sections.

LASTSAVE
	Returns the Unix time of the last successful save.
	since 1.0.0; O(1)

LATENCY
	Groups the latency monitoring subcommands.
	since 2.8.13; Per subcommand

LATENCY DOCTOR
	Writes a readable analysis of the recorded latencies.
	since 2.8.13; O(1)

LATENCY GRAPH event
	Draws the recorded latency samples of an event.
	since 2.8.13; O(1)

LATENCY HELP
	Lists the LATENCY subcommands.
	since 2.8.13; O(1)

LATENCY HISTOGRAM [command...]
	Returns latency histograms of commands.
	since 7.0.0; O(N), N = commands reported

LATENCY HISTORY event
	Returns the recorded latency samples of an event.
	since 2.8.13; O(1)

LATENCY LATEST
	Returns the latest latency sample of every event.
	since 2.8.13; O(1)

LATENCY RESET [event...]
	Clears the recorded latencies of events, or of all.
	since 2.8.13; O(1)

LOLWUT [VERSION version:int]
	Draws computer art and shows the version.
	since 5.0.0

MEMORY
	Groups the memory introspection subcommands.
	since 4.0.0; Per subcommand

MEMORY DOCTOR
	Writes a readable report of memory problems.
	since 4.0.0; O(1)

MEMORY HELP
	Lists the MEMORY subcommands.
	since 4.0.0; O(1)

MEMORY MALLOC-STATS
	Returns the allocator's statistics.
	since 4.0.0; Depends on the memory allocated; may be slow

MEMORY PURGE
	Asks the allocator to return free memory.
	since 4.0.0; Depends on the memory allocated; may be slow

MEMORY STATS
	Reports the memory usage in detail.
	since 4.0.0; O(1)

MEMORY USAGE key [SAMPLES count:int]
	Estimates the memory a key and its value use.
	since 4.0.0; O(N), N = samples

MODULE
	Groups the module management subcommands.
	since 4.0.0; Per subcommand

MODULE HELP
	Lists the MODULE subcommands.
	since 5.0.0; O(1)

MODULE LIST
	Lists the loaded modules.
	since 4.0.0; O(N), N = loaded modules

MODULE LOAD path [arg...]
	Loads a module from a shared library.
	since 4.0.0; O(1)

MODULE LOADEX path [CONFIG (configs: name value)]... [ARGS (args: arg)...]
	Loads a module with configuration and arguments.
	since 7.0.0; O(1)

MODULE UNLOAD name
	Unloads a module.
	since 4.0.0; O(1)

MONITOR
	Streams every command the server receives.
	since 1.0.0

PSYNC replicationid offset:int
	Starts or resumes replication from this server (internal).
	since 2.8.0

REPLCONF
	Configures the replication stream (internal).
	since 3.0.0; O(1)
	syscmd

REPLICAOF (args: (host-port: host port:int) | (no-one: NO ONE))
	Makes the server a replica of another one, or a master again.
	since 5.0.0; O(1)

RESTORE-ASKING key ttl:int serialized-value [REPLACE]@3.0.0 [ABSTTL]@5.0.0
    [IDLETIME seconds:int]@5.0.0 [FREQ frequency:int]@5.0.0
	Creates a key from a DUMP payload during a cluster migration (internal).
	since 3.0.0; O(1) to create the key plus O(N*M) to rebuild the value, N = objects, M = their average size; sorted sets O(N*M*log N)
	3.0.0: REPLACE.
	5.0.0: ABSTTL.
	5.0.0: IDLETIME and FREQ.
	syscmd

ROLE
	Tells the replication role of the server and its state.
	since 2.8.12; O(1)

SAVE
	Saves the data set to disk, blocking other work.
	since 1.0.0; O(N), N = keys in all databases

SHUTDOWN [NOSAVE | SAVE] [NOW]@7.0.0 [FORCE]@7.0.0 [ABORT]@7.0.0
	Stops the server, saving first unless told otherwise.
	since 1.0.0; O(N) when saving, N = keys in all databases; O(1) otherwise
	7.0.0: NOW, FORCE and ABORT.

SLAVEOF (args: (host-port: host port:int) | (no-one: NO ONE))
	Makes the server a replica of another one, or a master again (old name of REPLICAOF).
	since 1.0.0; O(1)
	deprecated 5.0.0; REPLICAOF

SLOWLOG
	Groups the slow log subcommands.
	since 2.2.12; Per subcommand

SLOWLOG GET [count:int]
	Returns slow log entries.
	since 2.2.12; O(N), N = entries returned
	4.0.0: client address and name in each entry.

SLOWLOG HELP
	Lists the SLOWLOG subcommands.
	since 6.2.0; O(1)

SLOWLOG LEN
	Counts the slow log entries.
	since 2.2.12; O(1)

SLOWLOG RESET
	Empties the slow log.
	since 2.2.12; O(N), N = entries

SWAPDB index1:int index2:int
	Exchanges the contents of two databases.
	since 4.0.0; O(N), N = clients watching or blocked on keys of either database

SYNC
	Starts full replication from this server (internal).
	since 1.0.0

TIME
	Returns the server's clock.
	since 2.6.0; O(1)
`)
	addDocs("cluster", `
ASKING
	Tells a cluster node that the next command follows an ASK redirection.
	since 3.0.0; O(1)

CLUSTER
	Groups the cluster management subcommands.
	since 3.0.0; Per subcommand

CLUSTER ADDSLOTS slot:int...
	Assigns hash slots to the node receiving the command.
	since 3.0.0; O(N), N = slots given

CLUSTER ADDSLOTSRANGE (start-slot:int end-slot:int)...
	Assigns ranges of hash slots to the node receiving the command.
	since 7.0.0; O(N), N = slots covered by the ranges

CLUSTER BUMPEPOCH
	Moves the node's configuration epoch forward.
	since 3.0.0; O(1)

CLUSTER COUNT-FAILURE-REPORTS node-id
	Counts the live failure reports about a node.
	since 3.0.0; O(N), N = failure reports

CLUSTER COUNTKEYSINSLOT slot:int
	Counts the local keys of a hash slot.
	since 3.0.0; O(1)

CLUSTER DELSLOTS slot:int...
	Unassigns hash slots from the node receiving the command.
	since 3.0.0; O(N), N = slots given

CLUSTER DELSLOTSRANGE (start-slot:int end-slot:int)...
	Unassigns ranges of hash slots from the node receiving the command.
	since 7.0.0; O(N), N = slots covered by the ranges

CLUSTER FAILOVER [options: FORCE | TAKEOVER]
	Makes a replica take over from its master by a manual failover.
	since 3.0.0; O(1)

CLUSTER FLUSHSLOTS
	Clears the node's own slot assignments.
	since 3.0.0; O(1)

CLUSTER FORGET node-id
	Drops a node from the node table.
	since 3.0.0; O(1)

CLUSTER GETKEYSINSLOT slot:int count:int
	Lists local key names of a hash slot.
	since 3.0.0; O(log N), N = keys requested

CLUSTER HELP
	Lists the CLUSTER subcommands.
	since 5.0.0; O(1)

CLUSTER INFO
	Reports the cluster state as seen by this node.
	since 3.0.0; O(1)

CLUSTER KEYSLOT key:string
	Computes the hash slot of a key name.
	since 3.0.0; O(N), N = bytes in the key name

CLUSTER LINKS
	Lists the TCP links between this node and its peers.
	since 7.0.0; O(N), N = cluster nodes

CLUSTER MEET ip port:int [cluster_bus_port:int]@4.0.0
	Makes the node handshake with another node to join its cluster.
	since 3.0.0; O(1)
	4.0.0: optional cluster bus port.

CLUSTER MYID
	Returns this node's ID.
	since 3.0.0; O(1)

CLUSTER NODES
	Returns the cluster configuration as this node knows it.
	since 3.0.0; O(N), N = cluster nodes

CLUSTER REPLICAS node-id
	Lists the replicas of a master node.
	since 5.0.0; O(1)

CLUSTER REPLICATE node-id
	Turns the node into a replica of the given master.
	since 3.0.0; O(1)

CLUSTER RESET [HARD | SOFT]
	Resets a cluster node, soft or hard.
	since 3.0.0; O(N), N = known nodes; may flush the data set

CLUSTER SAVECONFIG
	Writes the cluster configuration to disk.
	since 3.0.0; O(1)

CLUSTER SET-CONFIG-EPOCH config-epoch:int
	Sets the configuration epoch of a fresh node.
	since 3.0.0; O(1)

CLUSTER SETSLOT slot:int (subcommand: IMPORTING node-id | MIGRATING node-id | NODE node-id | STABLE)
	Changes the binding of a hash slot to a node.
	since 3.0.0; O(1)

CLUSTER SHARDS
	Describes the cluster's shards and their nodes.
	since 7.0.0; O(N), N = cluster nodes

CLUSTER SLAVES node-id
	Lists the replicas of a master node (old name of CLUSTER REPLICAS).
	since 3.0.0; O(1)
	deprecated 5.0.0; CLUSTER REPLICAS

CLUSTER SLOTS
	Maps slot ranges to the nodes that serve them.
	since 3.0.0; O(N), N = cluster nodes
	4.0.0: node IDs in the reply.
	7.0.0: extra networking metadata per node.
	deprecated 7.0.0; CLUSTER SHARDS

READONLY
	Allows reads from a cluster replica on this connection.
	since 3.0.0; O(1)

READWRITE
	Stops reads from a cluster replica on this connection.
	since 3.0.0; O(1)
`)
}
