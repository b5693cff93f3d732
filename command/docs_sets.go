package command

// Documentation of the set commands, in the format docs.go describes.
func init() {
	addDocs("set", `
SADD key member...
	Adds members to a set.
	since 1.0.0; O(1) per member
	2.4.0: several members.

SCARD key
	Counts the members of a set.
	since 1.0.0; O(1)

SDIFF key...
	Returns the members of the first set that no other set has.
	since 1.0.0; O(N), N = members of all the sets

SDIFFSTORE destination:key key...
	Stores the members of the first set that no other set has.
	since 1.0.0; O(N), N = members of all the sets

SINTER key...
	Returns the members common to all sets.
	since 1.0.0; O(N*M), N = smallest set size, M = sets

SINTERCARD numkeys:int key... [LIMIT limit:int]
	Counts the members common to all sets, up to an optional limit.
	since 7.0.0; O(N*M), N = smallest set size, M = sets

SINTERSTORE destination:key key...
	Stores the members common to all sets.
	since 1.0.0; O(N*M), N = smallest set size, M = sets

SISMEMBER key member
	Tells whether a value is a member of a set.
	since 1.0.0; O(1)

SMEMBERS key
	Returns every member of a set.
	since 1.0.0; O(N), N = set size

SMISMEMBER key member...
	Tells for each value whether it is a member of a set.
	since 6.2.0; O(N), N = values given

SMOVE source:key destination:key member
	Moves a member from one set to another.
	since 1.0.0; O(1)

SPOP key [count:int]@3.2.0
	Removes and returns random members of a set.
	since 1.0.0; O(1), or O(N) with a count N
	3.2.0: count.

SRANDMEMBER key [count:int]@2.6.0
	Returns random members of a set without removing them.
	since 1.0.0; O(1), or O(N) with a count N (its absolute value)
	2.6.0: count.

SREM key member...
	Removes members from a set.
	since 1.0.0; O(N), N = members given
	2.4.0: several members.

SSCAN key cursor:int [MATCH pattern] [COUNT count:int]
	Iterates over the members of a set with a cursor.
	since 2.8.0; O(1) per call, O(N) for a full iteration, N = set size

SUNION key...
	Returns the members of any of the sets.
	since 1.0.0; O(N), N = members of all the sets

SUNIONSTORE destination:key key...
	Stores the members of any of the sets.
	since 1.0.0; O(N), N = members of all the sets
`)
}
