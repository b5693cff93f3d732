package command

// Documentation of the stream commands, in the format docs.go describes.
func init() {
	addDocs("stream", `
XACK key group id...
	Acknowledges pending entries of a consumer group, removing them from its PEL.
	since 5.0.0; O(1) per ID

XADD key [NOMKSTREAM]@6.2.0
    [trim: (strategy: MAXLEN | MINID@6.2.0) [operator: =:equal | ~:approximately] threshold [LIMIT
    count:int]@6.2.0] (id_or_auto: *:auto_id | id) (field value)...
	Appends an entry to a stream, optionally trimming it.
	since 5.0.0; O(1) to add; O(N) to trim, N = entries evicted
	6.2.0: NOMKSTREAM, the MINID strategy and LIMIT.
	7.0.0: IDs of the form <ms>-*.

XAUTOCLAIM key group consumer min-idle-time start [COUNT count:int] [JUSTID]
	Transfers pending entries idle for long enough to a consumer, scanning the PEL from a start ID.
	since 6.2.0; O(1) for a small COUNT
	7.0.0: the reply lists the deleted entries it dropped from the PEL.

XCLAIM key group consumer min-idle-time id... [IDLE ms:int] [TIME unix-time-milliseconds:unix-time]
    [RETRYCOUNT count:int] [FORCE] [JUSTID] [LASTID id]
	Transfers pending entries to a consumer.
	since 5.0.0; O(log N), N = entries in the group's PEL

XDEL key id...
	Deletes entries from a stream.
	since 5.0.0; O(1) per entry

XGROUP
	Groups the consumer group subcommands.
	since 5.0.0; Per subcommand

XGROUP CREATE key groupname (id: id | $:new_id) [MKSTREAM] [ENTRIESREAD entries_read:int]
	Creates a consumer group on a stream.
	since 5.0.0; O(1)
	7.0.0: ENTRIESREAD.

XGROUP CREATECONSUMER key groupname consumername
	Creates a consumer in a consumer group.
	since 6.2.0; O(1)

XGROUP DELCONSUMER key groupname consumername
	Deletes a consumer from a consumer group.
	since 5.0.0; O(1)

XGROUP DESTROY key groupname
	Deletes a consumer group.
	since 5.0.0; O(N), N = entries in the group's PEL

XGROUP HELP
	Lists the XGROUP subcommands.
	since 5.0.0; O(1)

XGROUP SETID key groupname (id: id | $:new_id) [ENTRIESREAD entries_read:int]
	Moves a consumer group's last delivered ID.
	since 5.0.0; O(1)
	7.0.0: ENTRIESREAD.

XINFO
	Groups the stream introspection subcommands.
	since 5.0.0; Per subcommand

XINFO CONSUMERS key groupname
	Describes the consumers of a consumer group.
	since 5.0.0; O(1)

XINFO GROUPS key
	Describes the consumer groups of a stream.
	since 5.0.0; O(1)
	7.0.0: entries-read and lag fields.

XINFO HELP
	Lists the XINFO subcommands.
	since 5.0.0; O(1)

XINFO STREAM key [FULL (full: [COUNT count:int])]
	Describes a stream, in summary or in full.
	since 5.0.0; O(1)
	6.0.0: FULL.
	7.0.0: max-deleted-entry-id, entries-added, recorded-first-entry-id, entries-read and lag fields.

XLEN key
	Counts the entries of a stream.
	since 5.0.0; O(1)

XPENDING key group [filters: [IDLE min-idle-time:int]@6.2.0 start end count:int [consumer]]
	Summarizes or lists the pending entries of a consumer group.
	since 5.0.0; O(N), N = entries returned; O(M) with IDLE, M = entries scanned; plus O(N) over consumers for the summary
	6.2.0: IDLE and exclusive ranges.

XRANGE key start end [COUNT count:int]
	Returns the stream entries within an ID range.
	since 5.0.0; O(N), N = entries returned
	6.2.0: exclusive ranges.

XREAD [COUNT count:int] [BLOCK milliseconds:int] STREAMS (streams: key... id...)
	Reads entries newer than given IDs from streams, optionally blocking.
	since 5.0.0; O(N) per stream, N = entries returned

XREADGROUP GROUP (group consumer) [COUNT count:int] [BLOCK milliseconds:int] [NOACK]
    STREAMS (streams: key... id...)
	Reads entries from streams as a consumer of a group, optionally blocking.
	since 5.0.0; O(M) per stream, M = entries returned

XREVRANGE key end start [COUNT count:int]
	Returns the stream entries within an ID range, newest first.
	since 5.0.0; O(N), N = entries returned
	6.2.0: exclusive ranges.

XSETID key last-id [ENTRIESADDED entries_added:int]@7.0.0 [MAXDELETEDID max_deleted_entry_id]@7.0.0
	Sets a stream's last ID and counters (internal, for replication).
	since 5.0.0; O(1)
	7.0.0: ENTRIESADDED and MAXDELETEDID.

XTRIM key
    (trim: (strategy: MAXLEN | MINID@6.2.0) [operator: =:equal | ~:approximately] threshold [LIMIT
    count:int]@6.2.0)
	Removes the oldest entries of a stream beyond a length or below an ID.
	since 5.0.0; O(N), N = entries evicted
	6.2.0: the MINID strategy and LIMIT.
`)
}
