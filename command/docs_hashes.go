package command

// Documentation of the hash commands, in the format docs.go describes.
func init() {
	addDocs("hash", `
HDEL key field...
	Deletes fields of a hash.
	since 2.0.0; O(N), N = fields given
	2.4.0: several fields.

HEXISTS key field
	Tells whether a hash has a field.
	since 2.0.0; O(1)

HGET key field
	Returns the value of a hash field.
	since 2.0.0; O(1)

HGETALL key
	Returns every field and value of a hash.
	since 2.0.0; O(N), N = hash size

HINCRBY key field increment:int
	Adds an integer to a hash field.
	since 2.0.0; O(1)

HINCRBYFLOAT key field increment:double
	Adds a floating-point number to a hash field.
	since 2.6.0; O(1)

HKEYS key
	Returns the field names of a hash.
	since 2.0.0; O(N), N = hash size

HLEN key
	Counts the fields of a hash.
	since 2.0.0; O(1)

HMGET key field...
	Returns the values of several hash fields.
	since 2.0.0; O(N), N = fields given

HMSET key (field value)...
	Sets several hash fields (older form of HSET).
	since 2.0.0; O(N), N = fields given
	deprecated 4.0.0; HSET with multiple field-value pairs

HRANDFIELD key [options: count:int [WITHVALUES]]
	Returns random fields of a hash, optionally with their values.
	since 6.2.0; O(N), N = fields returned

HSCAN key cursor:int [MATCH pattern] [COUNT count:int]
	Iterates over the fields and values of a hash with a cursor.
	since 2.8.0; O(1) per call, O(N) for a full iteration, N = hash size

HSET key (field value)...
	Sets fields of a hash.
	since 2.0.0; O(1) per field set
	4.0.0: several field-value pairs.

HSETNX key field value
	Sets a hash field only if it does not exist yet.
	since 2.0.0; O(1)

HSTRLEN key field
	Returns the length of a hash field's value.
	since 3.2.0; O(1)

HVALS key
	Returns the values of a hash.
	since 2.0.0; O(N), N = hash size
`)
}
