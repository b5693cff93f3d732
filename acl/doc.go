// Package acl is Redis 7.0's access control model: users, the rules ACL SETUSER and
// aclfile lines are made of, the permission check of a call, and the descriptions ACL
// LIST and ACL GETUSER give of a user.
//
// Contract:
//
//   - A *User is immutable once built. ACL SETUSER builds a changed copy (Edit, then
//     Apply rules, then Done) and stores it in the user's *Ref; a client holds the Ref,
//     so it sees a change at its next command with one atomic load, and a failed
//     SETUSER changes nothing.
//   - User.Unrestricted is the hot-path test: a user allowed every command, key and
//     channel skips the check entirely (the default user without ACL rules).
//   - Check decides a call with the command row the executor resolved (a subcommand's
//     row for "config get") and the call's arguments, against the root selector and
//     then each (...) selector: the call is allowed if one selector allows the command
//     and all its keys and channels. Otherwise the reason of the selector that got
//     furthest wins (command < key < channel), with the offending argument, as Redis
//     reports it.
//   - Key permissions follow the key specs of the command table: a key spec with
//     "access" needs read permission; "insert", "delete" or "update" need write
//     permission; a key spec with neither (EXISTS, TYPE) needs either.
//   - Channels: PUBLISH/SPUBLISH/SUBSCRIBE/SSUBSCRIBE match the channel against the
//     user's patterns; PSUBSCRIBE needs the pattern itself among the user's patterns.
//   - No-auth commands (AUTH, HELLO, QUIT, RESET) are allowed to every user. CanRun
//     checks the command alone (redis.acl_check_cmd with too few arguments);
//     ReadsAllKeys asks for a selector that allows the command and reads every key
//     (SORT's BY and GET patterns, whose keys no key spec shows).
//   - Descriptions: the command rules of a selector are rebuilt from its permission
//     bits as Redis 7.0 does (a "+@all" or "-@all" base, the categories that gain more
//     than they cost, then single commands), but categories and commands come in the
//     table's order where Redis walks a hash table: a description with several
//     categories or commands can list them in another order than Redis, never with
//     another meaning.
//
// The package knows nothing of clients or the network; server/acl.go wires it in.
package acl
