package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// SavePoint is one "save <seconds> <changes>" rule: snapshot when at least Changes writes
// happened in the last Seconds seconds.
type SavePoint struct {
	Seconds int64
	Changes int64
}

// BufferLimit is one class of client-output-buffer-limit. Zero means no limit.
type BufferLimit struct {
	Hard, Soft  uint64
	SoftSeconds int64
}

// Client classes of client-output-buffer-limit, in Redis's printing order.
const (
	ClassNormal = iota
	ClassReplica
	ClassPubSub
)

// Keyspace notification flags, as stored by notify-keyspace-events (Int returns them OR-ed).
const (
	NotifyKeyspace = 1 << iota // K
	NotifyKeyevent             // E
	NotifyGeneric              // g
	NotifyString               // $
	NotifyList                 // l
	NotifySet                  // s
	NotifyHash                 // h
	NotifyZset                 // z
	NotifyExpired              // x
	NotifyEvicted              // e
	NotifyStream               // t
	NotifyKeyMiss              // m
	NotifyModule               // d
	NotifyNew                  // n
	// NotifyAll is what 'A' stands for: every class but m (key miss) and n (new key).
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZset |
		NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// splitSet splits a CONFIG SET value of a multi-argument setting on single spaces, the way
// Redis does (so "a  b" has an empty argument); "" gives no arguments.
func splitSet(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, " ")
}

// ---- save ----

var errSave = errors.New("Invalid save parameters")

var spSave = &special{
	multi: true,
	parse: func(cur any, args []string, appendMode bool) (any, error) {
		if len(args) == 0 || (len(args) == 1 && args[0] == "") {
			return []SavePoint(nil), nil
		}
		if len(args) == 1 { // one argument holding the pairs: --save "900 1 300 10"
			args = strings.Fields(args[0])
		}
		if len(args)%2 != 0 {
			return nil, errSave
		}
		var out []SavePoint
		if appendMode {
			out = append(out, cur.([]SavePoint)...)
		}
		for i := 0; i < len(args); i += 2 {
			secs, ok1, _ := parseLooseInt(args[i])
			changes, ok2, _ := parseLooseInt(args[i+1])
			if !ok1 || !ok2 || secs < 1 || changes < 0 {
				return nil, errSave
			}
			// Redis keeps the change count in a C int.
			out = append(out, SavePoint{Seconds: secs, Changes: int64(int32(changes))})
		}
		return out, nil
	},
	format: func(v any) string {
		var b []string
		for _, p := range v.([]SavePoint) {
			b = append(b, strconv.FormatInt(p.Seconds, 10), strconv.FormatInt(p.Changes, 10))
		}
		return strings.Join(b, " ")
	},
	rewrite: func(name string, v any) []string {
		pts := v.([]SavePoint)
		if len(pts) == 0 {
			return []string{name + ` ""`}
		}
		var out []string
		for _, p := range pts {
			out = append(out, name+" "+strconv.FormatInt(p.Seconds, 10)+" "+strconv.FormatInt(p.Changes, 10))
		}
		return out
	},
}

// ---- bind ----

const maxBind = 16

var spBind = &special{
	multi: true,
	parse: func(_ any, args []string, _ bool) (any, error) {
		if len(args) > maxBind {
			return nil, errors.New("Too many bind addresses specified.")
		}
		out := []string{}
		for _, a := range args {
			if a != "" {
				out = append(out, a)
			}
		}
		return out, nil
	},
	format: func(v any) string { return strings.Join(v.([]string), " ") },
	rewrite: func(name string, v any) []string {
		addrs := v.([]string)
		if len(addrs) == 0 {
			return []string{name + ` ""`}
		}
		return []string{name + " " + strings.Join(addrs, " ")}
	},
}

// ---- client-output-buffer-limit ----

var classNames = [3]string{"normal", "slave", "pubsub"}

func classIndex(s string) int {
	switch strings.ToLower(s) {
	case "normal":
		return ClassNormal
	case "slave", "replica":
		return ClassReplica
	case "pubsub":
		return ClassPubSub
	}
	return -1
}

var spBufferLimit = &special{
	multi: true,
	parse: func(cur any, args []string, _ bool) (any, error) {
		if len(args)%4 != 0 {
			return nil, errors.New("Wrong number of arguments in buffer limit configuration.")
		}
		out, _ := cur.([3]BufferLimit) // zero when building the default
		for i := 0; i < len(args); i += 4 {
			class := classIndex(args[i])
			if class < 0 {
				return nil, errors.New("Invalid client class specified in buffer limit configuration.")
			}
			hard, ok1 := parseMemory(args[i+1])
			soft, ok2 := parseMemory(args[i+2])
			secs, ok3, over := parseLooseInt(args[i+3])
			if !ok1 || !ok2 || !ok3 || over || secs < 0 {
				return nil, errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
			}
			out[class] = BufferLimit{Hard: hard, Soft: soft, SoftSeconds: secs}
		}
		return out, nil
	},
	format: func(v any) string {
		var b []string
		for i, l := range v.([3]BufferLimit) {
			b = append(b, classNames[i], strconv.FormatUint(l.Hard, 10), strconv.FormatUint(l.Soft, 10),
				strconv.FormatInt(l.SoftSeconds, 10))
		}
		return strings.Join(b, " ")
	},
	rewrite: func(name string, v any) []string {
		var out []string
		for i, l := range v.([3]BufferLimit) {
			class := classNames[i]
			if i == ClassReplica {
				class = "replica"
			}
			out = append(out, name+" "+class+" "+memUnits(l.Hard)+" "+memUnits(l.Soft)+" "+
				strconv.FormatInt(l.SoftSeconds, 10))
		}
		return out
	},
}

// ---- notify-keyspace-events ----

// notifyChars maps the per-class characters in printing order.
var notifyChars = []struct {
	c    byte
	flag int64
}{
	{'g', NotifyGeneric}, {'$', NotifyString}, {'l', NotifyList}, {'s', NotifySet},
	{'h', NotifyHash}, {'z', NotifyZset}, {'x', NotifyExpired}, {'e', NotifyEvicted},
	{'t', NotifyStream}, {'d', NotifyModule}, {'n', NotifyNew},
}

func parseNotify(s string) (int64, bool) {
	var flags int64
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 'A':
			flags |= NotifyAll
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 'm':
			flags |= NotifyKeyMiss
		default:
			found := false
			for _, nc := range notifyChars {
				if nc.c == c {
					flags |= nc.flag
					found = true
				}
			}
			if !found {
				return 0, false
			}
		}
	}
	return flags, true
}

func formatNotify(flags int64) string {
	var b []byte
	if flags&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, nc := range notifyChars {
			if flags&nc.flag != 0 {
				b = append(b, nc.c)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if flags&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if flags&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

var spNotify = &special{
	parse: func(_ any, args []string, _ bool) (any, error) {
		f, ok := parseNotify(args[0])
		if !ok {
			return nil, errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
		}
		return f, nil
	},
	format:  func(v any) string { return formatNotify(v.(int64)) },
	rewrite: func(name string, v any) []string { return []string{name + " " + quote(formatNotify(v.(int64)))} },
}

// ---- oom-score-adj-values ----

var spOOM = &special{
	multi: true,
	parse: func(_ any, args []string, _ bool) (any, error) {
		if len(args) != 3 {
			return nil, errArgCount
		}
		var out [3]int64
		for i, a := range args {
			n, ok, over := parseLooseInt(a)
			if !ok || over || n < -2000 || n > 2000 {
				return nil, errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
			}
			out[i] = n
		}
		return out, nil
	},
	format: func(v any) string {
		a := v.([3]int64)
		return strconv.FormatInt(a[0], 10) + " " + strconv.FormatInt(a[1], 10) + " " + strconv.FormatInt(a[2], 10)
	},
}

// ---- latency-tracking-info-percentiles ----

func parseFloatC(s string) (float64, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if t == "" || strings.ContainsRune(t, '_') {
		return 0, false
	}
	u := strings.ToLower(strings.TrimLeft(t, "+-"))
	if strings.HasPrefix(u, "0x") && !strings.Contains(u, "p") {
		t += "p0"
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

func formatPercentile(f float64) string {
	s := strconv.FormatFloat(f, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

var spPercentiles = &special{
	multi: true,
	parse: func(_ any, args []string, _ bool) (any, error) {
		out := []float64{}
		for _, a := range args {
			f, ok := parseFloatC(a)
			if !ok {
				return nil, errors.New("Invalid latency-tracking-info-percentiles parameters")
			}
			if !(f >= 0 && f <= 100) {
				return nil, errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
			}
			out = append(out, f)
		}
		return out, nil
	},
	format: func(v any) string {
		var b []string
		for _, f := range v.([]float64) {
			b = append(b, formatPercentile(f))
		}
		return strings.Join(b, " ")
	},
}

// ---- maxmemory-clients: a memory value or a percentage of maxmemory (stored negated) ----

var spMemOrPercent = &special{
	parse: func(_ any, args []string, _ bool) (any, error) {
		a := args[0]
		var v int64
		if p, ok := strings.CutSuffix(a, "%"); ok {
			n, ok := parseStrictInt(p)
			if !ok || n < 0 {
				return nil, errors.New("argument must be a memory or percent value")
			}
			v = -n
		} else {
			u, ok := parseMemory(a)
			if !ok {
				return nil, errors.New("argument must be a memory or percent value")
			}
			v = int64(u)
		}
		if v < 0 && (v == -v || -v > 100) {
			return nil, errors.New("percentage argument must be less or equal to 100")
		}
		return v, nil
	},
	format: func(v any) string {
		if n := v.(int64); n < 0 {
			return strconv.FormatInt(-n, 10) + "%"
		}
		return strconv.FormatInt(v.(int64), 10)
	},
	rewrite: func(name string, v any) []string {
		if n := v.(int64); n < 0 {
			return []string{name + " " + strconv.FormatInt(-n, 10) + "%"}
		}
		return []string{name + " " + memUnits(uint64(v.(int64)))}
	},
}

// ---- replicaof: "host port", or "" when not a replica ----

var spReplicaOf = &special{
	multi: true,
	parse: func(_ any, args []string, _ bool) (any, error) {
		if len(args) != 2 {
			return nil, errArgCount
		}
		if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
			return "", nil
		}
		port, ok := parseStrictInt(args[1])
		if !ok || port < 0 || port > 65535 {
			return nil, errors.New("Invalid master port")
		}
		return args[0] + " " + strconv.FormatInt(port, 10), nil
	},
	format: func(v any) string { return v.(string) },
	rewrite: func(name string, v any) []string {
		if v.(string) == "" {
			return nil
		}
		return []string{name + " " + v.(string)}
	},
}

// ---- dir: an existing directory, kept as an absolute path ----

// errnoText turns an OS error into C's strerror text ("No such file or directory").
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

var spDir = &special{
	parse: func(_ any, args []string, _ bool) (any, error) {
		fi, err := os.Stat(args[0])
		if err != nil {
			return nil, errors.New(errnoText(err))
		}
		if !fi.IsDir() {
			return nil, errors.New(errnoText(syscall.ENOTDIR))
		}
		abs, err := filepath.Abs(args[0])
		if err != nil {
			return nil, errors.New(errnoText(err))
		}
		return abs, nil
	},
	format:  func(v any) string { return v.(string) },
	rewrite: func(name string, v any) []string { return []string{name + " " + quote(v.(string))} },
}

// ---- string checks ----

func checkBaseName(what, kind string, allowEmpty bool) func(any) error {
	return func(v any) error {
		s := v.(string)
		if s == "" && !allowEmpty {
			return errors.New(what + " can't be empty")
		}
		if strings.Contains(s, "/") || s == "." || s == ".." {
			return errors.New(what + " can't be a path, just a " + kind)
		}
		return nil
	}
}

func checkHostname(v any) error {
	s := v.(string)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return errors.New("Hostnames may only contain alphanumeric characters, hyphens or dots")
		}
	}
	return nil
}

// checkProcTitle accepts a template whose {variables} are all known, where "{{" and "}}"
// stand for braces, and which does not expand to blanks only.
func checkProcTitle(v any) error {
	bad := errors.New("template format is invalid or contains unknown variables")
	s := v.(string)
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '{' && i+1 < len(s) && s[i+1] == '{':
			out.WriteByte('{')
			i++
		case s[i] == '}' && i+1 < len(s) && s[i+1] == '}':
			out.WriteByte('}')
			i++
		case s[i] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return bad
			}
			switch s[i+1 : i+end] {
			case "title", "listen-addr", "server-mode", "port", "tls-port", "unixsocket", "config-file":
				out.WriteString("x")
			default:
				return bad
			}
			i += end
		default:
			out.WriteByte(s[i])
		}
	}
	if strings.TrimSpace(out.String()) == "" {
		return bad
	}
	return nil
}

func checkShutdown(v any) error {
	if v.(int64)&(shutdownSave|shutdownNoSave) == shutdownSave|shutdownNoSave {
		return errors.New("shutdown options SAVE and NOSAVE can't be used simultaneously")
	}
	return nil
}

const (
	shutdownSave   = 1
	shutdownNoSave = 2
)
