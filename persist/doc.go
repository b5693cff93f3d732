// Package persist is the RDB encoding of values as Redis 7.0 writes it (RDB version
// 10): the body of DUMP payloads and of RDB files; and the formats of Redis 7.0's
// multi-part append-only file (aof.go).
//
// # The AOF
//
// An AOF directory holds a manifest (ParseManifest, Manifest.Bytes: the lines
// "file <name> seq <n> type <b|h|i>", byte for byte as Redis writes them), one base
// (an RDB file, or commands) and INCR files of commands as RESP arrays. ReadCommand
// reads one command and tells a torn write (ErrTruncated: the data ends inside a
// command, which the server may cut off) from bad data (*AOFError, with the offset),
// which is never skipped. WriteAOFBase writes a base of commands for
// aof-use-rdb-preamble no, as Redis's rewrite does (SET, RPUSH, SADD, ZADD, HMSET of
// at most 64 elements, PEXPIREAT), except that a stream is a RESTORE of its DUMP
// payload where Redis writes XADD, XSETID and XGROUP commands; both servers load
// either.
//
// # Contract
//
// An Encoder writes RDB primitives (lengths, strings with their integer and LZF
// encodings, doubles, millisecond times, opcodes) and whole values (WriteValue: the
// type byte and the encoding) to an io.Writer, keeping the CRC64 of what it wrote. A
// Decoder reads them back (ReadValue) from a bytes.Reader or a bufio.Reader. An RDB
// file writer adds the file's framing (magic, AUX fields, SELECTDB, expiry and
// LRU/LFU opcodes before each key, the EOF opcode and the checksum) around the same
// calls; nothing here assumes a DUMP. WriteRDB writes a keyspace whose shards the
// caller holds; an Image takes keys in any order, in parts filled by different
// goroutines (a store.Snapshot's emissions), and frames them as the same file; a
// CommandBase does the same for an AOF base made of commands. Dump, VerifyPayload and ReadPayload frame one
// value as DUMP and RESTORE do: value, RDB version (2 bytes LE), CRC64 (8 bytes LE).
//
// Reading never panics and never returns a half-built value: malformed input gives a
// *FormatError. Every length is checked against the data left before anything is
// allocated for it. The values it builds are new store values (not yet in a
// database), in the encoding Redis 7.0 would give them on load under the current
// limits.
//
// # What is written
//
// The encoding follows the value's current encoding (OBJECT ENCODING), as Redis's:
// strings (0) as integers when they are one's canonical form, LZF-compressed when
// rdbcompression is on, they are longer than 20 bytes and liblzf fits them in 4 bytes
// less;
// lists as QUICKLIST_2 (18) of listpack nodes; sets as SET_INTSET (11) or SET (2);
// hashes as HASH_LISTPACK (16) or HASH (4); sorted sets as ZSET_LISTPACK (17) or
// ZSET_2 (5); streams as STREAM_LISTPACKS_2 (19), the stream type of RDB 10 (types 20
// and 21, a set listpack and STREAM_LISTPACKS_3, came with RDB 11 in Redis 7.2: Redis
// 7.0 refuses them, and so does this package). The LZF compressor makes liblzf's
// choices, so compressed strings are Redis's bytes too.
//
// A DUMP is therefore byte-identical to Redis 7.0's for the same value, except:
//
//   - Hashtable sets and hashes list their members in hash-table order. Redis's
//     depends on a hash seed it draws at start-up, so no two Redis processes agree
//     either; the contents are the same.
//   - Lists of more than one node: which elements share a node is decided as Redis's
//     quicklist decides it for elements pushed one by one at the tail under the
//     list's list-max-listpack-size (see list.go). A list built by tail pushes dumps
//     as Redis's; Redis's nodes after LPUSH, LINSERT, LREM, LSET, LTRIM... depend on
//     the list's history, not only its contents. With list-compress-depth above 0,
//     Redis writes its LZF-compressed inner nodes as they are; here every node is
//     written like an uncompressed one. Elements of 1 GB or more go in plain nodes,
//     as in Redis.
//   - Intsets are written at the narrowest width their members need. Redis never
//     narrows an intset: after the member that widened it is removed (or after
//     RESTORE of a wider intset) its dump keeps the wider width.
//   - A value restored from a payload Redis did not write dumps in canonical form: a
//     listpack sorted set's scores as Redis formats them ("1.5" for "1.50"), its
//     members in order (Redis keeps an unsorted listpack unsorted), a quicklist's
//     nodes re-cut and plain nodes of small elements packed.
//
// Streams dump byte for byte as Redis's: the store keeps them in nodes of the same
// shape (same boundaries, deleted entries kept, same master entries), so their
// listpacks are rebuilt exactly. Their consumer groups carry wall-clock times
// (delivery and seen times), which only agree between two servers for a restored
// value.
//
// # What is read
//
// Every encoding Redis 7.0 loads: those above and LIST (1), ZSET (3, scores as text),
// ZIPMAP (9), LIST_ZIPLIST (10), ZSET_ZIPLIST (12), HASH_ZIPLIST (13), QUICKLIST of
// ziplists (14) and STREAM_LISTPACKS (15, without the counters RDB 10 added, which
// are derived as Redis derives them). Values take the encoding Redis gives them on
// load: sets, hashes written as HASH or ZIPMAP and sorted sets written as ZSET or
// ZSET_2 take the encoding their members call for under the current limits (large
// ones are built whole, in tables sized for them, as Redis's loader does); hashes and
// sorted sets
// written compact stay compact whatever their value lengths, converting only when
// they have more entries than the *-max-listpack-entries limit. Empty collections are
// refused, as Redis refuses them (streams may be empty).
//
// Validation is what Redis does with sanitize-dump-payload yes (duplicate members and
// fields, listpack, ziplist, zipmap and intset integrity, stream node structure,
// consumer group PEL consistency), whatever that setting says, plus checks that keep
// the store's invariants and that Redis 7.0 leaves out: stream entries must ascend,
// stay within the stream's last ID and match their node's counts and the stream's
// length, and no score may be NaN. The compat tests compare both servers' replies to
// malformed payloads and allow only these differences.
//
// Redis's own leniencies are kept, since payloads that Redis accepts must restore:
// a value that runs short reads on into the payload's footer, bytes left between the
// value and the footer are ignored, a string-encoding marker in a length position
// reads as its 6-bit number, an unknown length encoding as the greatest length (which
// only some positions refuse), LZF data declared to expand to nothing is an empty
// string whatever it holds, a stream node's listpack element count is not checked,
// and text scores are read as C's strtod reads them.
package persist
