package command

// Documentation of the list commands, in the format docs.go describes.
func init() {
	addDocs("list", `
BLMOVE source:key destination:key (wherefrom: LEFT | RIGHT) (whereto: LEFT | RIGHT) timeout:double
	Moves an element from one list to another, blocking until one is available.
	since 6.2.0; O(1)

BLMPOP timeout:double numkeys:int key... (where: LEFT | RIGHT) [COUNT count:int]
	Pops elements from the first non-empty of several lists, blocking until one has some.
	since 7.0.0; O(N + M), N = keys given, M = elements popped

BLPOP key... timeout:double
	Pops the head of the first non-empty of several lists, blocking until one has an element.
	since 2.0.0; O(N), N = keys given
	6.0.0: timeout is a double, not an integer.

BRPOP key... timeout:double
	Pops the tail of the first non-empty of several lists, blocking until one has an element.
	since 2.0.0; O(N), N = keys given
	6.0.0: timeout is a double, not an integer.

BRPOPLPUSH source:key destination:key timeout:double
	Moves a list's tail to another list's head, blocking until there is one.
	since 2.2.0; O(1)
	6.0.0: timeout is a double, not an integer.
	deprecated 6.2.0; BLMOVE with the RIGHT and LEFT arguments

LINDEX key index:int
	Returns the list element at an index.
	since 1.0.0; O(N), N = elements walked to reach the index

LINSERT key (where: BEFORE | AFTER) pivot element
	Inserts an element before or after a pivot element of a list.
	since 2.2.0; O(N), N = elements walked to reach the pivot

LLEN key
	Returns the length of a list.
	since 1.0.0; O(1)

LMOVE source:key destination:key (wherefrom: LEFT | RIGHT) (whereto: LEFT | RIGHT)
	Moves an element from one end of a list to an end of another.
	since 6.2.0; O(1)

LMPOP numkeys:int key... (where: LEFT | RIGHT) [COUNT count:int]
	Pops elements from the first non-empty of several lists.
	since 7.0.0; O(N + M), N = keys given, M = elements popped

LPOP key [count:int]@6.2.0
	Removes and returns elements from the head of a list.
	since 1.0.0; O(N), N = elements returned
	6.2.0: count.

LPOS key element [RANK rank:int] [COUNT num-matches:int] [MAXLEN len:int]
	Returns the positions of elements equal to a value in a list.
	since 6.0.6; O(N), N = list length; less near the ends or with MAXLEN

LPUSH key element...
	Adds elements to the head of a list.
	since 1.0.0; O(1) per element
	2.4.0: several elements.

LPUSHX key element...
	Adds elements to the head of a list that already exists.
	since 2.2.0; O(1) per element
	4.0.0: several elements.

LRANGE key start:int stop:int
	Returns a range of list elements.
	since 1.0.0; O(S + N), S = distance of the start from the nearer end, N = elements returned

LREM key count:int element
	Removes elements equal to a value from a list.
	since 1.0.0; O(N + M), N = list length, M = elements removed

LSET key index:int element
	Replaces the list element at an index.
	since 1.0.0; O(N), N = list length; O(1) at either end

LTRIM key start:int stop:int
	Keeps only a range of a list's elements.
	since 1.0.0; O(N), N = elements removed

RPOP key [count:int]@6.2.0
	Removes and returns elements from the tail of a list.
	since 1.0.0; O(N), N = elements returned
	6.2.0: count.

RPOPLPUSH source:key destination:key
	Moves a list's tail to another list's head.
	since 1.2.0; O(1)
	deprecated 6.2.0; LMOVE with the RIGHT and LEFT arguments

RPUSH key element...
	Adds elements to the tail of a list.
	since 1.0.0; O(1) per element
	2.4.0: several elements.

RPUSHX key element...
	Adds elements to the tail of a list that already exists.
	since 2.2.0; O(1) per element
	4.0.0: several elements.
`)
}
