package command

// Documentation of the generic keyspace commands, in the format docs.go describes.
func init() {
	addDocs("generic", `
COPY source:key destination:key [DB destination-db:int] [REPLACE]
	Copies a key's value to another key.
	since 6.2.0; O(N) for collections, N = nested items; O(1) for strings

DEL key...
	Deletes keys.
	since 1.0.0; O(N), N = keys; a collection costs O(M), M = its elements

DUMP key
	Serializes a key's value in the RDB format.
	since 2.6.0; O(1) to find the key plus O(N*M) to serialize, N = objects in the value, M = their average size

EXISTS key...
	Counts how many of the given keys exist.
	since 1.0.0; O(N), N = keys given
	3.0.3: several keys.

EXPIRE key seconds:int [condition: NX | XX | GT | LT]@7.0.0
	Sets a key's time to live in seconds.
	since 1.0.0; O(1)
	7.0.0: NX, XX, GT and LT conditions.

EXPIREAT key unix-time-seconds:unix-time [condition: NX | XX | GT | LT]@7.0.0
	Sets a key's expiry as a Unix time in seconds.
	since 1.2.0; O(1)
	7.0.0: NX, XX, GT and LT conditions.

EXPIRETIME key
	Returns a key's expiry as a Unix time in seconds.
	since 7.0.0; O(1)

KEYS pattern
	Lists the keys matching a glob-style pattern.
	since 1.0.0; O(N), N = keys in the database

MIGRATE host port:int (key_or_empty_string: key | "":empty_string) destination-db:int timeout:int
    [COPY]@3.0.0 [REPLACE]@3.0.0
    [authentication: [AUTH password]@4.0.7 | [AUTH2 (username password)]@6.0.0] [KEYS key...]@3.0.6
	Moves keys to another Redis instance atomically.
	since 2.6.0; DUMP and DEL here, RESTORE there, plus an O(N) transfer
	3.0.0: COPY and REPLACE.
	3.0.6: KEYS.
	4.0.7: AUTH.
	6.0.0: AUTH2.

MOVE key db:int
	Moves a key to another database.
	since 1.0.0; O(1)

OBJECT
	Groups the subcommands that inspect stored values.
	since 2.2.3; Per subcommand

OBJECT ENCODING key
	Names the internal encoding of a key's value.
	since 2.2.3; O(1)

OBJECT FREQ key
	Returns the logarithmic access counter of a key (LFU policies).
	since 4.0.0; O(1)

OBJECT HELP
	Lists the OBJECT subcommands.
	since 6.2.0; O(1)

OBJECT IDLETIME key
	Returns the seconds since a key was last accessed.
	since 2.2.3; O(1)

OBJECT REFCOUNT key
	Returns the reference count of a key's value.
	since 2.2.3; O(1)

PERSIST key
	Makes a key persistent by removing its expiry.
	since 2.2.0; O(1)

PEXPIRE key milliseconds:int [condition: NX | XX | GT | LT]@7.0.0
	Sets a key's time to live in milliseconds.
	since 2.6.0; O(1)
	7.0.0: NX, XX, GT and LT conditions.

PEXPIREAT key unix-time-milliseconds:unix-time [condition: NX | XX | GT | LT]@7.0.0
	Sets a key's expiry as a Unix time in milliseconds.
	since 2.6.0; O(1)
	7.0.0: NX, XX, GT and LT conditions.

PEXPIRETIME key
	Returns a key's expiry as a Unix time in milliseconds.
	since 7.0.0; O(1)

PTTL key
	Returns a key's remaining time to live in milliseconds.
	since 2.6.0; O(1)
	2.8.0: -2 for a missing key.

RANDOMKEY
	Returns a random key name.
	since 1.0.0; O(1)

RENAME key newkey:key
	Renames a key, replacing any key of the new name.
	since 1.0.0; O(1)

RENAMENX key newkey:key
	Renames a key only if the new name is free.
	since 1.0.0; O(1)
	3.2.0: renaming a key to itself is no longer an error.

RESTORE key ttl:int serialized-value [REPLACE]@3.0.0 [ABSTTL]@5.0.0 [IDLETIME seconds:int]@5.0.0
    [FREQ frequency:int]@5.0.0
	Creates a key from a DUMP payload.
	since 2.6.0; O(1) to create the key plus O(N*M) to rebuild the value, N = objects, M = their average size; sorted sets O(N*M*log N)
	3.0.0: REPLACE.
	5.0.0: ABSTTL.
	5.0.0: IDLETIME and FREQ.

SCAN cursor:int [MATCH pattern] [COUNT count:int] [TYPE type]@6.0.0
	Iterates over the key names with a cursor.
	since 2.8.0; O(1) per call, O(N) for a full iteration, N = keys
	6.0.0: TYPE filter.

SORT key [BY pattern:pattern=1] [LIMIT (offset:int count:int)] [GET pattern:pattern=1]...
    [order: ASC | DESC] [ALPHA:sorting] [STORE destination:key=2]
	Sorts a list, set or sorted set, optionally by external keys, and returns or stores the result.
	since 1.0.0; O(N + M*log M), N = elements, M = elements returned; O(N) unsorted

SORT_RO key [BY pattern:pattern=1] [LIMIT (offset:int count:int)] [GET pattern:pattern=1]...
    [order: ASC | DESC] [ALPHA:sorting]
	Sorts a list, set or sorted set and returns the result (read-only SORT).
	since 7.0.0; O(N + M*log M), N = elements, M = elements returned; O(N) unsorted

TOUCH key...
	Updates the access time of keys and counts those that exist.
	since 3.2.1; O(N), N = keys given

TTL key
	Returns a key's remaining time to live in seconds.
	since 1.0.0; O(1)
	2.8.0: -2 for a missing key.

TYPE key
	Names the type of a key's value.
	since 1.0.0; O(1)

UNLINK key...
	Deletes keys, freeing their memory in the background.
	since 4.0.0; O(1) per key; the memory is released later, O(N) in allocations

WAIT numreplicas:int timeout:int
	Blocks until the connection's writes reach a number of replicas or a timeout passes.
	since 3.0.0; O(1)
`)
}
