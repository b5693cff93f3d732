package command

import "github.com/cinnabar-db/cinnabar/store"

// ofType checks that a looked-up entry holds a value of type t: a missing key (nil)
// stays nil, another type is WRONGTYPE.
func ofType(e *store.Entry, t store.Type) (*store.Entry, error) {
	if e != nil && e.Type() != t {
		return nil, ErrWrongType
	}
	return e, nil
}

// valueOf is ofType returning the value itself, taken from the entry by get
// ((*store.Entry).List and the like): nil for a missing key.
func valueOf[T any](e *store.Entry, t store.Type, get func(*store.Entry) *T) (*T, error) {
	e, err := ofType(e, t)
	if e == nil {
		return nil, err
	}
	return get(e), nil
}
