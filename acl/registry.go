package acl

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Ref is a user as its clients hold it: the user's current version. SETUSER replaces
// the version; a deleted user's Ref keeps its last one (its clients are disconnected).
type Ref struct{ p atomic.Pointer[User] }

// Load returns the user's current version.
func (r *Ref) Load() *User { return r.p.Load() }

// Superuser returns a Ref for the server's own clients (loading the AOF): allowed
// everything, as Redis's internal clients have no user to check.
func Superuser() *Ref {
	r := &Ref{}
	r.p.Store(&User{Unrestricted: true})
	return r
}

// Registry is the set of users, by name.
type Registry struct {
	Model *Model
	mu    sync.RWMutex
	users map[string]*Ref
	deflt *Ref // never deleted nor replaced: clients start with it
}

// NewRegistry returns a registry holding only the default user (on, nopass, every
// permission).
func NewRegistry(m *Model) *Registry {
	r := &Registry{Model: m, users: map[string]*Ref{}, deflt: &Ref{}}
	r.deflt.p.Store(m.defaultUser())
	r.users["default"] = r.deflt
	return r
}

func (m *Model) defaultUser() *User {
	u := m.NewUser("default").Edit()
	for _, rule := range []string{"on", "nopass", "~*", "&*", "+@all"} {
		_ = u.Apply(rule)
	}
	return u.Done()
}

// Default returns the default user.
func (r *Registry) Default() *Ref { return r.deflt }

// Get returns the user called name, or nil.
func (r *Registry) Get(name string) *Ref {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.users[name]
}

// ErrBadName is a user name ACL SETUSER refuses.
var ErrBadName = fmt.Errorf("ERR Usernames can't contain spaces or null characters")

// SetUser applies rules to the user called name, creating it if needed. Either every
// rule applies or nothing changes. It returns the user's Ref.
func (r *Registry) SetUser(name string, rules []string) (*Ref, error) {
	if strings.ContainsAny(name, " \x00") {
		return nil, ErrBadName
	}
	name = strings.Clone(name) // callers pass views of request buffers
	r.mu.Lock()
	defer r.mu.Unlock()
	ref := r.users[name]
	var u *User
	if ref != nil {
		u = ref.Load().Edit()
	} else {
		u = r.Model.NewUser(name).Edit()
	}
	for _, rule := range rules {
		if err := u.Apply(rule); err != nil {
			return nil, err
		}
	}
	if ref == nil {
		ref = &Ref{}
		r.users[name] = ref
	}
	ref.p.Store(u.Done())
	return ref, nil
}

// Delete removes users; it returns the Refs of those that existed. The default user
// cannot be deleted: the caller checks.
func (r *Registry) Delete(names ...string) []*Ref {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*Ref
	for _, n := range names {
		if ref := r.users[n]; ref != nil && ref != r.deflt {
			delete(r.users, n)
			out = append(out, ref)
		}
	}
	return out
}

// Names returns the user names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.users))
	for n := range r.users {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Lines returns every user as an aclfile line ("user ..."), sorted by name: ACL LIST
// and ACL SAVE.
func (r *Registry) Lines() []string {
	var out []string
	for _, n := range r.Names() {
		if ref := r.Get(n); ref != nil {
			out = append(out, "user "+ref.Load().Rule())
		}
	}
	return out
}

// ParseLines builds the users of lines of arguments ("user <name> <rules>...", empty
// lines skipped). The caller splits them, as Redis does: an aclfile's at blanks, a
// config file's user directives with quotes honoured. source names the lines in errors
// (the file's path). Like Redis it reports every faulty line, each as Redis words it,
// in one error.
func (r *Registry) ParseLines(source string, lines [][]string) (map[string]*User, error) {
	users := map[string]*User{}
	seen := map[string]bool{}
	var errs strings.Builder
	for i, f := range lines {
		if len(f) == 0 {
			continue
		}
		if f[0] != "user" || len(f) < 2 {
			fmt.Fprintf(&errs, "%s:%d should start with user keyword followed by the username. ", source, i+1)
			continue
		}
		name := f[1]
		if strings.ContainsAny(name, " \x00") { // one quoted argument for the whole line: Redis refuses it too
			fmt.Fprintf(&errs, "%s:%d: Spaces not allowed in ACL usernames. ", source, i+1)
			continue
		}
		if seen[name] {
			fmt.Fprintf(&errs, "%s:%d: Duplicate user '%s' found. ", source, i+1, name)
			continue
		}
		rules, bad, err := MergeSelectors(f[2:])
		if err != nil {
			fmt.Fprintf(&errs, "%s:%d: Unmatched parenthesis in acl selector starting at '%s'. ", source, i+1, bad)
			continue
		}
		u := r.Model.NewUser(name).Edit()
		for _, rule := range rules {
			if err := u.Apply(rule); err != nil {
				fmt.Fprintf(&errs, "%s:%d: Error in applying operation '%s': %s. ", source, i+1, rule, err)
				break
			}
		}
		seen[name] = true
		users[name] = u.Done()
	}
	if errs.Len() > 0 {
		return nil, errors.New(errs.String())
	}
	return users, nil
}

// Replace makes users (from ParseLines) the registry's users, as ACL LOAD does: the
// default user keeps its Ref, with the new version or, if users lack it, the version
// NewRegistry makes. It returns the Refs of the other users it replaced, whose clients
// must be disconnected.
func (r *Registry) Replace(users map[string]*User) []*Ref {
	r.mu.Lock()
	defer r.mu.Unlock()
	var old []*Ref
	for n, ref := range r.users {
		if ref != r.deflt {
			old = append(old, ref)
			delete(r.users, n)
		}
	}
	// One store of the default user: a client must never see the permissive
	// replacement in between.
	d := users["default"]
	if d == nil {
		d = r.Model.defaultUser()
	}
	r.deflt.p.Store(d)
	for n, u := range users {
		if n == "default" {
			continue
		}
		ref := &Ref{}
		ref.p.Store(u)
		r.users[n] = ref
	}
	return old
}
