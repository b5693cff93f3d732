package server

// Version is Cinnabar's own version; RedisVersion is the Redis version whose behaviour it
// implements, reported where clients look for a Redis version (INFO, HELLO).
const (
	Version      = "0.1.0"
	RedisVersion = "7.0.15"
)
