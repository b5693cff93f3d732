// Package script runs Redis's Lua: EVAL scripts and FUNCTION libraries, on gopher-lua
// (Lua 5.1), with the sandbox, the redis.* API, the libraries (cjson, cmsgpack, bit,
// struct) and the reply conversions of Redis 7.0.
//
// # Contract with the server
//
// The package knows nothing of connections or the keyspace. It declares Host, which the
// server implements: Host.Call runs one command for redis.call and returns its reply as
// RESP bytes, errors included; the host applies the rules for commands called from
// scripts (unknown command, noscript, read-only scripts) and its own locking. Neither
// side copies: the arguments are the engine's buffers, valid during the call, and the
// reply is the host's, valid until the next call. The server runs every script with
// all keyspace shards held, so runs never overlap; the engine's mutexes only protect
// its caches from commands that do not take those locks (SCRIPT LOAD/EXISTS/FLUSH,
// FUNCTION LIST/DUMP/STATS).
//
//	server (EVAL, FCALL) ──Eval/FCall──► Engine ──► sandbox (LState) ──► Lua code
//	                                                      │ redis.call
//	server ◄──────────── Host.Call(args) ◄────────────────┘
//
// A Run carries a context: cancelling it (SCRIPT KILL, FUNCTION KILL, server shutdown)
// aborts the script at its next Lua instruction, even through pcall.
//
// # States and caches
//
// EVAL scripts are compiled once per SHA1 (EVAL and SCRIPT LOAD fill the cache) and run
// in pooled Lua states that are reset between runs; a state keeps the closure of the
// last script it ran, and redis.call's argument buffers, for the next run. Functions live in one state of
// their own, which FUNCTION FLUSH and RESTORE replace.
//
// The sandbox mirrors Redis's: the globals and the library tables are read-only
// (reached through proxies, see sandbox.go), reading an undefined global is an error,
// and os, io, package, debug, require, loadfile, dofile, print are absent. math.random
// is Redis's drand48 generator, which Redis 7.0 never reseeds between scripts.
//
// # Errors
//
// A script's error reply is the error text followed by " script: <sha or function>,
// on @user_script:<line>." for the Lua line where it was raised; an error raised as a
// table uses its err field as is, any other value becomes "ERR " and its text. Lua's
// pcall returns an {err=...} table's field as a string, as in Redis.
//
// # FUNCTION DUMP
//
// Payloads use Redis's RDB-based format (see dump.go), so they move between Redis 7.0
// and Cinnabar in both directions. Cinnabar never LZF-compresses what it writes (it
// reads compressed payloads), so its payloads are byte-identical to Redis's only for
// libraries Redis stores uncompressed.
//
// # Known differences from Redis
//
//   - Runtime error messages raised by the Lua VM itself are gopher-lua's ("attempt to
//     index a non-table object(nil) with key 'b'" where Lua 5.1 says "attempt to index
//     local 'a' (a nil value)"); compile errors keep Lua's shape ("user_script:1: ...
//     near 'x'") but not always its words. Errors raised by the sandbox, the redis.*
//     API and the libraries match Redis's texts.
//   - Converting a number to a string inside Lua with .. or string.format('%s') uses
//     Go's shortest formatting ("0.3333333333333333") instead of Lua's "%.14g";
//     tostring, redis.call arguments, cjson and the replies use Redis's formats.
//   - Table iteration order is gopher-lua's (insertion order), not C Lua's hash order:
//     pairs(), JSON objects and MessagePack maps with several keys, and {map=...}
//     replies, list their members in a different order than Redis does.
//   - A script ends with "ERR lua callstack overflow" (no script location) when its
//     recursion exceeds the call stack; Redis reports "stack overflow" with the line.
//   - error() with a table that has no err field crashes Redis 7.0.15; here it is
//     reported as "ERR table: 0x...".
//   - gcinfo and collectgarbage("count") return indicative figures (Go's collector owns
//     the memory); collectgarbage never forces a collection.
//   - SCRIPT DEBUG (the Lua debugger) is not supported.
package script
