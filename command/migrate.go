package command

import (
	"bufio"
	"cmp"
	"errors"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/cinnabar-db/cinnabar/persist"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/store"
)

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
// [AUTH2 username password] [KEYS key...] moves keys to another server: it sends AUTH,
// SELECT and one RESTORE per key (the key's DUMP payload and remaining TTL) in one
// write, reads the replies, and deletes the keys the target acknowledged unless COPY.
//
// Redis keeps a connection per target for 10 seconds; Cinnabar dials a fresh one per
// call: a cached connection saves one TCP handshake, little beside the DUMPs, the
// transfer and the RESTOREs, and a fresh one holds no stale state (a selected db, a
// reply left unread after a timeout). The replies are Redis's, including where a failure
// is reported: Redis connects without blocking, so a refused connection surfaces as a
// failed write.
//
// The call runs under its keys' shard locks, network round trip included, as Redis
// runs it with the whole server blocked: the keys cannot change between the DUMP and
// the deletion.

var (
	errMigrateKeys = Err("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string")
	errMigrateConn = Err("IOERR error or timeout connecting to the client")
	errMigrateW    = Err("IOERR error or timeout writing to target instance")
	errMigrateR    = Err("IOERR error or timeout reading to target instance")
	wordRestore    = []byte("RESTORE")
	wordReplace    = []byte("REPLACE")
)

// migrateKeys finds MIGRATE's keys where its KEYS spec cannot (a password may be
// "KEYS"), as Redis's own procedure does: the key argument, or with the KEYS option (not
// last, skipping AUTH's and AUTH2's values) the arguments after it, or none when KEYS
// comes with a key argument that is not empty. All have the first spec's flags.
func migrateKeys(specs []KeySpec, args [][]byte) []KeyRef {
	first, last := 3, 3
	for i := 6; i < len(args)-1; i++ {
		switch strings.ToLower(string(args[i])) {
		case "auth":
			i++
		case "auth2":
			i += 2
		case "keys":
			if len(args[3]) != 0 {
				return nil
			}
			first, last = i+1, len(args)-1
			i = len(args)
		}
	}
	keys := make([]KeyRef, 0, last-first+1)
	for p := first; p <= last; p++ {
		keys = append(keys, KeyRef{p, specs[0].Flags})
	}
	return keys
}

// migrateArgs is a parsed MIGRATE call.
type migrateArgs struct {
	host          string
	port          int
	keys          [][]byte
	db            int64
	timeout       time.Duration
	copy, replace bool
	user, pass    []byte // pass nil: no AUTH
}

func parseMigrate(c *Ctx) (*migrateArgs, error) {
	a := &migrateArgs{keys: c.Args[3:4]}
	for i := 6; i < len(c.Args); i++ {
		more := len(c.Args) - i - 1
		switch {
		case c.Is(i, "copy"):
			a.copy = true
		case c.Is(i, "replace"):
			a.replace = true
		case c.Is(i, "auth") && more >= 1: // keeps an earlier AUTH2's user, as Redis does
			a.pass = c.Args[i+1]
			i++
		case c.Is(i, "auth2") && more >= 2:
			a.user, a.pass = c.Args[i+1], c.Args[i+2]
			i += 2
		case c.Is(i, "keys"):
			if len(c.Args[3]) != 0 {
				return nil, errMigrateKeys
			}
			a.keys = c.Args[i+1:]
			i = len(c.Args)
		default:
			return nil, ErrSyntax
		}
	}
	timeout, err := c.Int(5)
	if err != nil {
		return nil, err
	}
	if a.db, err = c.Int(4); err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = 1000 // Redis's default for a timeout that is not positive
	}
	a.timeout = time.Duration(min(timeout, int64(1<<62)/int64(time.Millisecond))) * time.Millisecond
	a.host, a.port = c.Arg(1), atoi(c.Args[2])
	return a, nil
}

// atoi reads a port as Redis reads it, with C's atoi: leading blanks, a sign, the
// leading digits ("6379x" is 6379, "x" is 0), saturated to a 64-bit long and then cut
// to a 32-bit int.
func atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := i < len(b) && b[i] == '-'
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		i++
	}
	var n uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > 1<<63/10 {
			n = 1 << 63 // saturated: LONG_MAX, or LONG_MIN with a sign
		} else {
			n = min(n*10+uint64(b[i]-'0'), 1<<63)
		}
	}
	var long int64
	switch {
	case neg:
		long = int64(-n) // -(1<<63) is LONG_MIN
	case n >= 1<<63:
		long = math.MaxInt64
	default:
		long = int64(n)
	}
	return int(int32(long))
}

func cmdMigrate(c *Ctx) error {
	a, err := parseMigrate(c)
	if err != nil {
		return err
	}
	// The keys that exist, with their payloads and remaining TTLs, taken before any
	// network round trip.
	type item struct {
		key, payload []byte
		ttl          int64
	}
	var items []item
	now := c.DB.Now()
	for _, k := range a.keys {
		e := c.DB.Lookup(k)
		if e == nil {
			continue
		}
		var ttl int64
		if at := e.ExpireAt(); at != 0 {
			ttl = max(at-now, 1)
		}
		items = append(items, item{k, persist.Dump(e, c.DB.Limits().RDBCompression.Load()), ttl})
	}
	if len(items) == 0 {
		c.W.Simple("NOKEY")
		return nil
	}

	conn, err := dialTarget(a.host, a.port, a.timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	var req []byte
	if a.pass != nil {
		if a.user != nil {
			req = resp.AppendCommand(req, []byte("AUTH"), a.user, a.pass)
		} else {
			req = resp.AppendCommand(req, []byte("AUTH"), a.pass)
		}
	}
	// A fresh Redis connection remembers db -1 as selected, so Redis sends no SELECT
	// for destination-db -1 and the keys land in the target's db 0.
	selectDB := a.db != -1
	if selectDB {
		req = resp.AppendCommand(req, []byte("SELECT"), AppendInt(nil, a.db))
	}
	for _, it := range items {
		args := [][]byte{wordRestore, it.key, AppendInt(nil, it.ttl), it.payload}
		if a.replace {
			args = append(args, wordReplace)
		}
		req = resp.AppendCommand(req, args...)
	}
	_ = conn.SetWriteDeadline(time.Now().Add(a.timeout))
	if _, err := conn.Write(req); err != nil {
		return errMigrateW
	}

	// The replies: AUTH's and SELECT's first; the first error of any is the reply, and a
	// failed AUTH or SELECT fails every key. Keys the target restored are deleted.
	r := bufio.NewReader(conn)
	readLine := func() (string, error) {
		_ = conn.SetReadDeadline(time.Now().Add(a.timeout))
		return readReplyLine(r)
	}
	var setupErr string
	for n := btoi(a.pass != nil) + btoi(selectDB); n > 0; n-- {
		line, err := readLine()
		if err != nil {
			return errMigrateR
		}
		if strings.HasPrefix(line, "-") && setupErr == "" {
			setupErr = line
		}
	}
	var targetErr string
	var deleted [][]byte
	var readErr error
	for _, it := range items {
		var line string
		if line, readErr = readLine(); readErr != nil {
			break // reported below unless the target already returned an error
		}
		switch {
		case setupErr != "" || strings.HasPrefix(line, "-"):
			if targetErr == "" {
				targetErr = cmp.Or(setupErr, line)
			}
		case !a.copy:
			c.DB.Delete(it.key, store.EvDel)
			deleted = append(deleted, it.key)
		}
	}
	if len(deleted) > 0 {
		c.Propagate(append([][]byte{wordDel}, deleted...)...)
	}
	switch {
	case targetErr != "":
		return Errorf("ERR Target instance replied with error: %s", targetErr[1:])
	case readErr != nil:
		return errMigrateR
	}
	c.W.OK()
	return nil
}

// dialTarget connects to the target, mapping failures to the error Redis reports for
// them: a host that does not resolve, a negative port or a timeout fail the connection;
// a refused connection fails the first write.
func dialTarget(host string, port int, timeout time.Duration) (net.Conn, error) {
	if port < 0 {
		return nil, errMigrateConn
	}
	// getaddrinfo keeps the low 16 bits of a larger port; so does the dial here.
	addr := net.JoinHostPort(host, strconv.Itoa(port&0xffff))
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err == nil {
		return conn, nil
	}
	var dnsErr *net.DNSError
	var netErr net.Error
	if errors.As(err, &dnsErr) || errors.As(err, &netErr) && netErr.Timeout() {
		return nil, errMigrateConn
	}
	return nil, errMigrateW
}

// readReplyLine reads one reply line without its CRLF; AUTH, SELECT and RESTORE
// answer with a status or an error, never with more than a line. Like Redis, it takes
// a bare "\n" for a failed read and anything else not starting with "-" for success.
func readReplyLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if line == "\n" {
		return "", errors.New("empty reply line")
	}
	return strings.TrimSuffix(line[:len(line)-1], "\r"), nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
