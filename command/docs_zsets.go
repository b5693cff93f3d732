package command

// Documentation of the sorted set and geo commands, in the format docs.go describes.
func init() {
	addDocs("sorted-set", `
BZMPOP timeout:double numkeys:int key... (where: MIN | MAX) [COUNT count:int]
	Pops the lowest or highest scored members from the first non-empty of several sorted sets, blocking until one has some.
	since 7.0.0; O(K + M*log N), K = keys given, N = set size, M = members popped

BZPOPMAX key... timeout:double
	Pops the highest scored member from the first non-empty of several sorted sets, blocking until one has one.
	since 5.0.0; O(log N), N = set size
	6.0.0: timeout is a double, not an integer.

BZPOPMIN key... timeout:double
	Pops the lowest scored member from the first non-empty of several sorted sets, blocking until one has one.
	since 5.0.0; O(log N), N = set size
	6.0.0: timeout is a double, not an integer.

ZADD key [condition: NX | XX]@3.0.2 [comparison: GT | LT]@6.2.0 [CH:change]@3.0.2
    [INCR:increment]@3.0.2 (score:double member)...
	Adds members with scores to a sorted set, or updates their scores.
	since 1.2.0; O(log N) per member, N = set size
	2.4.0: several members.
	3.0.2: XX, NX, CH and INCR.
	6.2.0: GT and LT.

ZCARD key
	Counts the members of a sorted set.
	since 1.2.0; O(1)

ZCOUNT key min:double max:double
	Counts the members of a sorted set within a score range.
	since 2.0.0; O(log N), N = set size

ZDIFF numkeys:int key... [WITHSCORES]
	Returns the members of the first sorted set that no other set has.
	since 6.2.0; O(L + (N-K)*log N), L = members of all the sets, N = first set size, K = result size

ZDIFFSTORE destination:key numkeys:int key...
	Stores the members of the first sorted set that no other set has.
	since 6.2.0; O(L + (N-K)*log N), L = members of all the sets, N = first set size, K = result size

ZINCRBY key increment:int member
	Adds to the score of a sorted set member.
	since 1.2.0; O(log N), N = set size

ZINTER numkeys:int key... [WEIGHTS weight:int...] [AGGREGATE (aggregate: SUM | MIN | MAX)]
    [WITHSCORES]
	Returns the members common to all sorted sets, with combined scores.
	since 6.2.0; O(N*K + M*log M), N = smallest set size, K = sets, M = result size

ZINTERCARD numkeys:int key... [LIMIT limit:int]
	Counts the members common to all sorted sets, up to an optional limit.
	since 7.0.0; O(N*K), N = smallest set size, K = sets

ZINTERSTORE destination:key numkeys:int key... [WEIGHTS weight:int...]
    [AGGREGATE (aggregate: SUM | MIN | MAX)]
	Stores the members common to all sorted sets, with combined scores.
	since 2.0.0; O(N*K + M*log M), N = smallest set size, K = sets, M = result size

ZLEXCOUNT key min max
	Counts the members of a sorted set within a lexicographical range.
	since 2.8.9; O(log N), N = set size

ZMPOP numkeys:int key... (where: MIN | MAX) [COUNT count:int]
	Pops the lowest or highest scored members from the first non-empty of several sorted sets.
	since 7.0.0; O(K + M*log N), K = keys given, N = set size, M = members popped

ZMSCORE key member...
	Returns the scores of several sorted set members.
	since 6.2.0; O(N), N = members given

ZPOPMAX key [count:int]
	Removes and returns the highest scored members of a sorted set.
	since 5.0.0; O(M*log N), N = set size, M = members popped

ZPOPMIN key [count:int]
	Removes and returns the lowest scored members of a sorted set.
	since 5.0.0; O(M*log N), N = set size, M = members popped

ZRANDMEMBER key [options: count:int [WITHSCORES]]
	Returns random members of a sorted set, optionally with scores.
	since 6.2.0; O(N), N = members returned

ZRANGE key start stop [sortby: BYSCORE | BYLEX]@6.2.0 [REV]@6.2.0
    [LIMIT (offset:int count:int)]@6.2.0 [WITHSCORES]
	Returns sorted set members by rank, score or lexicographical range.
	since 1.2.0; O(log N + M), N = set size, M = members returned
	6.2.0: REV, BYSCORE, BYLEX and LIMIT.

ZRANGEBYLEX key min max [LIMIT (offset:int count:int)]
	Returns sorted set members within a lexicographical range.
	since 2.8.9; O(log N + M), N = set size, M = members returned
	deprecated 6.2.0; ZRANGE with the BYLEX argument

ZRANGEBYSCORE key min:double max:double [WITHSCORES]@2.0.0 [LIMIT (offset:int count:int)]
	Returns sorted set members within a score range.
	since 1.0.5; O(log N + M), N = set size, M = members returned
	2.0.0: WITHSCORES.
	deprecated 6.2.0; ZRANGE with the BYSCORE argument

ZRANGESTORE dst:key src:key min max [sortby: BYSCORE | BYLEX] [REV] [LIMIT (offset:int count:int)]
	Stores sorted set members chosen by rank, score or lexicographical range.
	since 6.2.0; O(log N + M), N = set size, M = members stored

ZRANK key member
	Returns a member's rank in a sorted set, lowest score first.
	since 2.0.0; O(log N)

ZREM key member...
	Removes members from a sorted set.
	since 1.2.0; O(M*log N), N = set size, M = members given
	2.4.0: several members.

ZREMRANGEBYLEX key min max
	Removes the sorted set members within a lexicographical range.
	since 2.8.9; O(log N + M), N = set size, M = members removed

ZREMRANGEBYRANK key start:int stop:int
	Removes the sorted set members within a rank range.
	since 2.0.0; O(log N + M), N = set size, M = members removed

ZREMRANGEBYSCORE key min:double max:double
	Removes the sorted set members within a score range.
	since 1.2.0; O(log N + M), N = set size, M = members removed

ZREVRANGE key start:int stop:int [WITHSCORES]
	Returns sorted set members by rank, highest score first.
	since 1.2.0; O(log N + M), N = set size, M = members returned
	deprecated 6.2.0; ZRANGE with the REV argument

ZREVRANGEBYLEX key max min [LIMIT (offset:int count:int)]
	Returns sorted set members within a lexicographical range, in reverse order.
	since 2.8.9; O(log N + M), N = set size, M = members returned
	deprecated 6.2.0; ZRANGE with the REV and BYLEX arguments

ZREVRANGEBYSCORE key max:double min:double [WITHSCORES] [LIMIT (offset:int count:int)]
	Returns sorted set members within a score range, highest score first.
	since 2.2.0; O(log N + M), N = set size, M = members returned
	2.1.6: exclusive min and max.
	deprecated 6.2.0; ZRANGE with the REV and BYSCORE arguments

ZREVRANK key member
	Returns a member's rank in a sorted set, highest score first.
	since 2.0.0; O(log N)

ZSCAN key cursor:int [MATCH pattern] [COUNT count:int]
	Iterates over the members and scores of a sorted set with a cursor.
	since 2.8.0; O(1) per call, O(N) for a full iteration, N = set size

ZSCORE key member
	Returns a sorted set member's score.
	since 1.2.0; O(1)

ZUNION numkeys:int key... [WEIGHTS weight:int...] [AGGREGATE (aggregate: SUM | MIN | MAX)]
    [WITHSCORES]
	Returns the members of any of the sorted sets, with combined scores.
	since 6.2.0; O(N + M*log M), N = sizes of the inputs added up, M = result size

ZUNIONSTORE destination:key numkeys:int key... [WEIGHTS weight:int...]
    [AGGREGATE (aggregate: SUM | MIN | MAX)]
	Stores the members of any of the sorted sets, with combined scores.
	since 2.0.0; O(N + M*log M), N = sizes of the inputs added up, M = result size
`)
	addDocs("geo", `
GEOADD key [condition: NX | XX]@6.2.0 [CH:change]@6.2.0 (longitude:double latitude:double member)...
	Adds members with their longitude and latitude to a geospatial sorted set.
	since 3.2.0; O(log N) per member added, N = set size
	6.2.0: CH, NX and XX.

GEODIST key member1 member2 [unit: M | KM | FT | MI]
	Returns the distance between two members of a geospatial set.
	since 3.2.0; O(log N)

GEOHASH key member...
	Returns the geohash strings of members of a geospatial set.
	since 3.2.0; O(log N) per member, N = set size

GEOPOS key member...
	Returns the longitude and latitude of members of a geospatial set.
	since 3.2.0; O(N), N = members asked for

GEORADIUS key longitude:double latitude:double radius:double (unit: M | KM | FT | MI) [WITHCOORD]
    [WITHDIST] [WITHHASH] [count: COUNT count:int [ANY]@6.2.0] [order: ASC | DESC] [STORE key]
    [STOREDIST key]
	Finds the members within a radius of a point, optionally storing them.
	since 3.2.0; O(N + log M), N = elements in the bounding box of the circle, M = set size
	6.2.0: ANY with COUNT.
	7.0.0: upper-case units.
	deprecated 6.2.0; GEOSEARCH and GEOSEARCHSTORE with the BYRADIUS argument

GEORADIUS_RO key longitude:double latitude:double radius:double (unit: M | KM | FT | MI) [WITHCOORD]
    [WITHDIST] [WITHHASH] [count: COUNT count:int [ANY]@6.2.0] [order: ASC | DESC]
	Finds the members within a radius of a point (read-only GEORADIUS).
	since 3.2.10; O(N + log M), N = elements in the bounding box of the circle, M = set size
	6.2.0: ANY with COUNT.
	deprecated 6.2.0; GEOSEARCH with the BYRADIUS argument

GEORADIUSBYMEMBER key member radius:double (unit: M | KM | FT | MI) [WITHCOORD] [WITHDIST]
    [WITHHASH] [count: COUNT count:int [ANY]] [order: ASC | DESC] [STORE key] [STOREDIST key]
	Finds the members within a radius of another member, optionally storing them.
	since 3.2.0; O(N + log M), N = elements in the bounding box of the circle, M = set size
	7.0.0: upper-case units.
	deprecated 6.2.0; GEOSEARCH and GEOSEARCHSTORE with the BYRADIUS and FROMMEMBER arguments

GEORADIUSBYMEMBER_RO key member radius:double (unit: M | KM | FT | MI) [WITHCOORD] [WITHDIST]
    [WITHHASH] [count: COUNT count:int [ANY]] [order: ASC | DESC]
	Finds the members within a radius of another member (read-only GEORADIUSBYMEMBER).
	since 3.2.10; O(N + log M), N = elements in the bounding box of the circle, M = set size
	deprecated 6.2.0; GEOSEARCH with the BYRADIUS and FROMMEMBER arguments

GEOSEARCH key (from: FROMMEMBER member | FROMLONLAT (longitude:double latitude:double))
    (by: (circle: BYRADIUS radius:double (unit: M | KM | FT | MI)) | (box: BYBOX width:double
    height:double (unit: M | KM | FT | MI))) [order: ASC | DESC] [count: COUNT count:int [ANY]]
    [WITHCOORD] [WITHDIST] [WITHHASH]
	Finds the members inside a circle or a box around a point or a member.
	since 6.2.0; O(N + log M), N = elements in the bounding box of the shape, M = set size
	7.0.0: upper-case units.

GEOSEARCHSTORE destination:key source:key
    (from: FROMMEMBER member | FROMLONLAT (longitude:double latitude:double))
    (by: (circle: BYRADIUS radius:double (unit: M | KM | FT | MI)) | (box: BYBOX width:double
    height:double (unit: M | KM | FT | MI))) [order: ASC | DESC] [count: COUNT count:int [ANY]]
    [STOREDIST]
	Finds the members inside a circle or a box and stores them in a key.
	since 6.2.0; O(N + log M), N = elements in the bounding box of the shape, M = set size
	7.0.0: upper-case units.
`)
}
