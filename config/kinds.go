package config

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/cinnabar-db/cinnabar/resp"
)

// kind says how a setting's arguments are parsed and how its value is printed.
type kind uint8

const (
	kBool    kind = iota // yes/no; value int64 1/0
	kInt                 // strict decimal integer; value int64
	kOctal               // octal integer (unixsocketperm); value int64
	kMem                 // memory size with units; value int64 (uint64 bits when unsigned)
	kString              // any string; value string
	kEnum                // one word of a list; value int64
	kFlags               // one or more words of a list, OR-ed; value int64
	kSpecial             // own parser and printer (save, bind, ...); value of its own type
)

// Reasons, as Redis prints them after "CONFIG SET failed (...) - ".
var (
	errBool     = errors.New("argument must be 'yes' or 'no'")
	errInt      = errors.New("argument couldn't be parsed into an integer")
	errOctal    = errors.New("argument couldn't be parsed as an octal number")
	errMem      = errors.New("argument must be a memory value")
	errArgCount = errors.New("wrong number of arguments")
)

func errRange(min, max int64, octal bool) error {
	if octal {
		return errors.New("argument must be between " + strconv.FormatInt(min, 8) + " and " +
			strconv.FormatInt(max, 8) + " inclusive")
	}
	return errors.New("argument must be between " + strconv.FormatInt(min, 10) + " and " +
		strconv.FormatInt(max, 10) + " inclusive")
}

func errEnum(words []string) error {
	return errors.New("argument(s) must be one of the following: " + strings.Join(words, ", "))
}

// special holds the parser and printers of a setting with its own syntax.
type special struct {
	// multi: the setting takes several arguments (config file) or a space separated list
	// (CONFIG SET); otherwise exactly one argument.
	multi bool
	// parse builds a new value from args; cur is the current value (never modified);
	// appendMode is set for the second and later lines of the same setting in a config file.
	parse  func(cur any, args []string, appendMode bool) (any, error)
	format func(v any) string
	// rewrite returns the config file lines for v (without a default comparison: the
	// caller marks lines that equal the default's lines as not forced).
	rewrite func(name string, v any) []string
}

// parseValue parses the arguments of row r into a new value.
func parseValue(r *row, cur any, args []string, appendMode bool) (any, error) {
	var v any
	var err error
	switch r.kind {
	case kSpecial:
		if !r.sp.multi && len(args) != 1 {
			return nil, errArgCount
		}
		v, err = r.sp.parse(cur, args, appendMode)
	case kFlags:
		if len(args) == 0 {
			return nil, errEnum(r.words)
		}
		var bits int64
		for _, a := range args {
			i := wordIndex(r.words, a)
			if i < 0 {
				return nil, errEnum(r.words)
			}
			bits |= r.vals[i]
		}
		v = bits
	default:
		if len(args) != 1 {
			return nil, errArgCount
		}
		v, err = parseScalar(r, args[0])
	}
	if err != nil {
		return nil, err
	}
	if r.check != nil {
		if err := r.check(v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func parseScalar(r *row, a string) (any, error) {
	switch r.kind {
	case kBool:
		switch {
		case strings.EqualFold(a, "yes"):
			return int64(1), nil
		case strings.EqualFold(a, "no"):
			return int64(0), nil
		}
		return nil, errBool
	case kInt:
		n, ok := parseStrictInt(a)
		if !ok {
			return nil, errInt
		}
		if n < r.min || n > r.max {
			return nil, errRange(r.min, r.max, false)
		}
		if r.norm != nil {
			n = r.norm(n)
		}
		return n, nil
	case kOctal:
		if a == "" || strings.Trim(a, "01234567") != "" {
			return nil, errOctal
		}
		n, err := strconv.ParseInt(a, 8, 64)
		if err != nil {
			return nil, errOctal
		}
		if n < r.min || n > r.max {
			return nil, errRange(r.min, r.max, true)
		}
		return n, nil
	case kMem:
		u, ok := parseMemory(a)
		if !ok {
			return nil, errMem
		}
		if !r.unsigned && (u > uint64(r.max) || int64(u) < r.min) {
			return nil, errRange(r.min, r.max, false)
		}
		return int64(u), nil
	case kString:
		return a, nil
	case kEnum:
		i := wordIndex(r.words, a)
		if i < 0 {
			return nil, errEnum(r.words)
		}
		return r.vals[i], nil
	}
	panic("config: bad kind")
}

// format prints v as CONFIG GET does.
func format(r *row, v any) string {
	switch r.kind {
	case kBool:
		if v.(int64) != 0 {
			return "yes"
		}
		return "no"
	case kInt:
		return strconv.FormatInt(v.(int64), 10)
	case kOctal:
		return strconv.FormatInt(v.(int64), 8)
	case kMem:
		if r.unsigned {
			return strconv.FormatUint(uint64(v.(int64)), 10)
		}
		return strconv.FormatInt(v.(int64), 10)
	case kString:
		return v.(string)
	case kEnum:
		for i, x := range r.vals {
			if x == v.(int64) {
				return r.words[i]
			}
		}
		return ""
	case kFlags:
		bits := v.(int64)
		var out []string
		for i, x := range r.vals {
			if (bits == 0 && x == 0) || (x != 0 && bits&x == x) {
				out = append(out, r.words[i])
				if bits == 0 {
					break
				}
			}
		}
		return strings.Join(out, " ")
	case kSpecial:
		return r.sp.format(v)
	}
	panic("config: bad kind")
}

// rewriteLines returns the config file lines for v.
func rewriteLines(r *row, v any) []string {
	switch r.kind {
	case kSpecial:
		if r.sp.rewrite != nil {
			return r.sp.rewrite(r.name, v)
		}
		if s := r.sp.format(v); s != "" {
			return []string{r.name + " " + s}
		}
		return []string{r.name + ` ""`}
	case kString:
		s := v.(string)
		if s == "" && r.def == "" {
			return nil
		}
		return []string{r.name + " " + quote(s)}
	case kMem:
		return []string{r.name + " " + memUnits(uint64(v.(int64)))}
	}
	return []string{r.name + " " + format(r, v)}
}

func wordIndex(words []string, a string) int {
	for i, w := range words {
		if strings.EqualFold(w, a) {
			return i
		}
	}
	return -1
}

// parseStrictInt parses like Redis's string2ll: an optional '-', no '+', no leading zeros,
// no spaces, and the value must fit in an int64.
func parseStrictInt(s string) (int64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	if d == "" || (d[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseLooseInt parses like C's strtoll with a check that the whole string was used:
// leading blanks and a sign are allowed. It saturates on overflow and reports it.
func parseLooseInt(s string) (n int64, ok, overflow bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" {
		return 0, false, false
	}
	var u uint64
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c < '0' || c > '9' {
			return 0, false, false
		}
		if u > (math.MaxUint64-9)/10 {
			overflow = true
		} else {
			u = u*10 + uint64(c-'0')
		}
	}
	switch {
	case neg && (overflow || u > 1<<63):
		return math.MinInt64, true, true
	case neg:
		return -int64(u), true, false
	case overflow || u > math.MaxInt64:
		return math.MaxInt64, true, true
	}
	return int64(u), true, false
}

// ParseMemory parses a memory value as the config file takes them (see parseMemory),
// for commands that take one (DEBUG QUICKLIST-PACKED-THRESHOLD).
func ParseMemory(s string) (uint64, bool) { return parseMemory(s) }

// parseMemory parses "1gb", "100mb", "4k", "1024": leading decimal digits (possibly none,
// meaning 0) and an optional case-insensitive unit b, k, kb, m, mb, g, gb. k/m/g are powers
// of 1000, kb/mb/gb of 1024. Digits saturate and the product wraps, as in Redis.
func parseMemory(s string) (uint64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1 << 10
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1 << 20
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1 << 30
	default:
		return 0, false
	}
	var n uint64
	if i > 0 {
		var err error
		n, err = strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			n = math.MaxUint64
		}
	}
	return n * mul, true
}

// memUnits prints a byte count the way CONFIG REWRITE does: in the largest of gb, mb, kb
// that divides it exactly.
func memUnits(v uint64) string {
	switch {
	case v == 0:
		return "0"
	case v%(1<<30) == 0:
		return strconv.FormatUint(v>>30, 10) + "gb"
	case v%(1<<20) == 0:
		return strconv.FormatUint(v>>20, 10) + "mb"
	case v%(1<<10) == 0:
		return strconv.FormatUint(v>>10, 10) + "kb"
	}
	return strconv.FormatUint(v, 10)
}

// quote prints s as a double-quoted config file argument that splitArgs reads back.
func quote(s string) string { return string(resp.AppendRepr(nil, []byte(s))) }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// splitArgs splits a config file line into arguments: blank separated words, "double
// quoted" strings with \n \r \t \b \a \xHH and \<char> escapes, and 'single quoted' strings
// with only \' as an escape. A closing quote must be followed by a blank or the end of the
// line. ok is false for unbalanced quotes.
func splitArgs(line string) (args []string, ok bool) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return args, true
		}
		var cur []byte
		inDouble, inSingle := false, false
		for done := false; !done; i++ {
			switch {
			case inDouble:
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x':
					h, ok1 := unhex(line[i+2])
					l, ok2 := unhex(line[i+3])
					if ok1 && ok2 {
						cur = append(cur, h<<4|l)
						i += 3
					} else {
						cur = append(cur, 'x')
						i++
					}
				case c == '\\' && i+1 < len(line):
					i++
					switch e := line[i]; e {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					default:
						cur = append(cur, e)
					}
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, c)
				}
			case inSingle:
				if i >= len(line) {
					return nil, false
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					cur = append(cur, '\'')
					i++
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					done = true
				default:
					cur = append(cur, c)
				}
			default:
				if i >= len(line) {
					done = true
					break
				}
				switch c := line[i]; {
				case isSpace(c):
					done = true
				case c == '"':
					inDouble = true
				case c == '\'':
					inSingle = true
				default:
					cur = append(cur, c)
				}
			}
		}
		args = append(args, string(cur))
	}
}
