package command

// Documentation of the scripting and function commands, in the format docs.go describes.
func init() {
	addDocs("scripting", `
EVAL script numkeys:int [key...] [arg...]
	Runs a Lua script.
	since 2.6.0; That of the script

EVAL_RO script numkeys:int [key...] [arg...]
	Runs a Lua script that may not write.
	since 7.0.0; That of the script

EVALSHA sha1 numkeys:int [key...] [arg...]
	Runs a cached Lua script by its SHA1 digest.
	since 2.6.0; That of the script

EVALSHA_RO sha1 numkeys:int [key...] [arg...]
	Runs a cached Lua script that may not write, by its SHA1 digest.
	since 7.0.0; That of the script

FCALL function numkeys:int [key...] [arg...]
	Calls a function.
	since 7.0.0; That of the function

FCALL_RO function numkeys:int [key...] [arg...]
	Calls a function that may not write.
	since 7.0.0; That of the function

FUNCTION
	Groups the function management subcommands.
	since 7.0.0; Per subcommand

FUNCTION DELETE library-name
	Deletes a function library.
	since 7.0.0; O(1)

FUNCTION DUMP
	Serializes every function library.
	since 7.0.0; O(N), N = functions

FUNCTION FLUSH [async: ASYNC | SYNC]
	Deletes every function library.
	since 7.0.0; O(N), N = functions deleted

FUNCTION HELP
	Lists the FUNCTION subcommands.
	since 7.0.0; O(1)

FUNCTION KILL
	Stops the running function, if it has not written.
	since 7.0.0; O(1)

FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
	Describes the function libraries.
	since 7.0.0; O(N), N = functions

FUNCTION LOAD [REPLACE] function-code
	Loads a function library from its source code.
	since 7.0.0; O(1), compilation aside

FUNCTION RESTORE serialized-value [policy: FLUSH | APPEND | REPLACE]
	Loads function libraries from a FUNCTION DUMP payload.
	since 7.0.0; O(N), N = functions in the payload

FUNCTION STATS
	Describes the running function and the engines.
	since 7.0.0; O(1)

SCRIPT
	Groups the Lua script cache subcommands.
	since 2.6.0; Per subcommand

SCRIPT DEBUG (mode: YES | SYNC | NO)
	Sets the debugging mode of the scripts this connection runs.
	since 3.2.0; O(1)

SCRIPT EXISTS sha1...
	Tells which SHA1 digests name cached scripts.
	since 2.6.0; O(N), N = digests given

SCRIPT FLUSH [async: ASYNC | SYNC]@6.2.0
	Empties the script cache.
	since 2.6.0; O(N), N = cached scripts
	6.2.0: ASYNC and SYNC.

SCRIPT HELP
	Lists the SCRIPT subcommands.
	since 5.0.0; O(1)

SCRIPT KILL
	Stops the running script, if it has not written.
	since 2.6.0; O(1)

SCRIPT LOAD script
	Compiles a Lua script and caches it without running it.
	since 2.6.0; O(N), N = bytes of the script
`)
}
