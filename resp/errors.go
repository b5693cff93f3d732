package resp

// Redis's canonical error replies, byte for byte as Redis 7.0 sends them.
const (
	ErrSyntax         = "ERR syntax error"
	ErrWrongType      = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNotInteger     = "ERR value is not an integer or out of range"
	ErrNotFloat       = "ERR value is not a valid float"
	ErrOverflow       = "ERR increment or decrement would overflow"
	ErrNoSuchKey      = "ERR no such key"
	ErrDBIndex        = "ERR DB index is out of range"
	ErrInvalidExpire  = "ERR invalid expire time in '%s' command"
	ErrNoAuth         = "NOAUTH Authentication required."
	ErrWrongPass      = "WRONGPASS invalid username-password pair or user is disabled."
	ErrStringTooLong  = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrBitOffset      = "ERR bit offset is not an integer or out of range"
	ErrBitValue       = "ERR bit is not an integer or out of range"
	ErrOffsetRange    = "ERR offset is out of range"
	ErrNaNOrInf       = "ERR increment would produce NaN or Infinity"
	ErrSameObject     = "ERR source and destination objects are the same"
	ErrTimeoutInvalid = "ERR timeout is not a float or out of range"
	ErrTimeoutNeg     = "ERR timeout is negative"
	ErrOOM            = "OOM command not allowed when used memory > 'maxmemory'."
)
