// Command loader is the small helper bench/compare.sh drives: it speaks raw RESP over
// TCP, so it depends on nothing but the standard library and starts fast.
//
//	loader freeport                          print a free loopback TCP port
//	loader wait -addr A [-timeout 10s]       wait until A answers PING
//	loader do -addr A CMD [ARG ...]          send one command, print its reply;
//	                                         exit 3 on an error reply, 1 on I/O failure
//	loader mem -n 1000000 -size 100 NAME=ADDR@PID ...
//	                                         load n keys into each server in turn and print
//	                                         a markdown table of memory per key
//	loader fill -addr A -n N CMD ARG...      send CMD n times, pipelined; __i__ in an ARG
//	                                         becomes 000000000000, 000000000001, ...
//	loader run -addr A -workload W [-c 50] [-P 1] [-n N] [-duration D]
//	                                         load the server with workload multi, pubsub or
//	                                         xreadgroup (see run.go) and print "W rps"
//
// Every network operation has a deadline, so the tool never hangs on a wedged server.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cinnabar-db/cinnabar/resp"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "freeport":
		err = freePort()
	case "wait":
		err = waitCmd(os.Args[2:])
	case "do":
		err = doCmd(os.Args[2:])
	case "mem":
		err = memCmd(os.Args[2:])
	case "fill":
		err = fillCmd(os.Args[2:])
	case "run":
		err = runCmd(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		var ee exitErr
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		fmt.Fprintln(os.Stderr, "loader:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: loader freeport | wait -addr A | do -addr A CMD ARG... | mem [flags] NAME=ADDR@PID... | fill [flags] CMD ARG... | run -workload multi|pubsub|xreadgroup [flags]")
	os.Exit(2)
}

// exitErr makes main exit with that status and print nothing more.
type exitErr int

func (e exitErr) Error() string { return "exit " + strconv.Itoa(int(e)) }

func freePort() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	return nil
}

func waitCmd(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:6379", "server address")
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this long")
	_ = fs.Parse(args)
	deadline := time.Now().Add(*timeout)
	for {
		reply, err := oneCommand(*addr, time.Second, "PING")
		if err == nil && reply == "+PONG\r\n" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer PING within %v (last: %q, %v)", *addr, *timeout, reply, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func doCmd(args []string) error {
	fs := flag.NewFlagSet("do", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:6379", "server address")
	timeout := fs.Duration("timeout", 10*time.Second, "deadline for the whole exchange")
	_ = fs.Parse(args)
	if fs.NArg() == 0 {
		return errors.New("do: no command")
	}
	reply, err := oneCommand(*addr, *timeout, fs.Args()...)
	if err != nil {
		return err
	}
	fmt.Print(strings.NewReplacer("\r\n", "\n").Replace(reply))
	if strings.HasPrefix(reply, "-") {
		return exitErr(3)
	}
	return nil
}

// oneCommand dials addr, sends one command and returns its raw reply.
func oneCommand(addr string, timeout time.Duration, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write(resp.AppendCommand(nil, args...)); err != nil {
		return "", err
	}
	var sb strings.Builder
	err = readReply(bufio.NewReader(c), &sb)
	return sb.String(), err
}

// target is one server of a mem run.
type target struct {
	name, addr string
	pid        int
}

// sample is one measurement of a server's memory.
type sample struct {
	used, rss uint64 // bytes
	gcs       string // go_gc_cycles when the server reports it
}

func memCmd(args []string) error {
	fs := flag.NewFlagSet("mem", flag.ExitOnError)
	n := fs.Int("n", 1_000_000, "keys to load into each server")
	size := fs.Int("size", 100, "value size in bytes")
	batch := fs.Int("batch", 1000, "commands per pipelined batch")
	settle := fs.Duration("settle", 2*time.Second, "wait before the second measurement")
	timeout := fs.Duration("timeout", 120*time.Second, "deadline for loading one server")
	_ = fs.Parse(args)
	var targets []target
	for _, a := range fs.Args() {
		name, rest, ok1 := strings.Cut(a, "=")
		addr, pid, ok2 := strings.Cut(rest, "@")
		p, err := strconv.Atoi(pid)
		if !ok1 || !ok2 || err != nil {
			return fmt.Errorf("mem: target %q is not NAME=ADDR@PID", a)
		}
		targets = append(targets, target{name, addr, p})
	}
	if len(targets) == 0 {
		return errors.New("mem: no targets")
	}
	type result struct {
		before, after, settled sample
		loadTime               time.Duration
	}
	results := make([]result, len(targets))
	for i, t := range targets {
		var res result
		var err error
		if res.before, err = measure(t); err != nil {
			return err
		}
		start := time.Now()
		if err := load(t.addr, *n, *size, *batch, *timeout); err != nil {
			return fmt.Errorf("loading %s: %w", t.name, err)
		}
		res.loadTime = time.Since(start)
		reply, err := oneCommand(t.addr, 10*time.Second, "DBSIZE")
		if err != nil || strings.TrimSpace(reply) != ":"+strconv.Itoa(*n) {
			return fmt.Errorf("%s: DBSIZE after loading %d keys: %q %v", t.name, *n, reply, err)
		}
		if res.after, err = measure(t); err != nil {
			return err
		}
		time.Sleep(*settle)
		if res.settled, err = measure(t); err != nil {
			return err
		}
		results[i] = res
		fmt.Fprintf(os.Stderr, "loader: %s: %d keys in %v\n", t.name, *n, res.loadTime.Round(time.Millisecond))
	}
	perKey := func(a, b uint64) float64 { return (float64(b) - float64(a)) / float64(*n) }
	fmt.Printf("Memory after loading %d keys with %d-byte values (SET, pipelined in batches of %d):\n\n", *n, *size, *batch)
	fmt.Println("| server | when | used_memory / key | RSS / key | used_memory total | RSS total | load time |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
	for i, t := range targets {
		r := results[i]
		for _, row := range []struct {
			when string
			s    sample
		}{{"right after load", r.after}, {fmt.Sprintf("after %v", *settle), r.settled}} {
			when := row.when
			if row.s.gcs != "" {
				when += fmt.Sprintf(" (GC cycles %s)", row.s.gcs)
			}
			fmt.Printf("| %s | %s | %.1f B | %.1f B | %.1f MiB | %.1f MiB | %.2f s |\n", t.name, when,
				perKey(r.before.used, row.s.used), perKey(r.before.rss, row.s.rss),
				mib(row.s.used), mib(row.s.rss), r.loadTime.Seconds())
		}
	}
	if len(targets) >= 2 {
		// Ratios of every later target to the first (the reference).
		fmt.Println()
		ref := results[0]
		for i := 1; i < len(targets); i++ {
			r := results[i]
			fmt.Printf("Ratio %s/%s per key: used_memory %.2f (settled %.2f), RSS %.2f (settled %.2f)\n",
				targets[i].name, targets[0].name,
				perKey(r.before.used, r.after.used)/perKey(ref.before.used, ref.after.used),
				perKey(r.before.used, r.settled.used)/perKey(ref.before.used, ref.settled.used),
				perKey(r.before.rss, r.after.rss)/perKey(ref.before.rss, ref.after.rss),
				perKey(r.before.rss, r.settled.rss)/perKey(ref.before.rss, ref.settled.rss))
		}
	}
	return nil
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// measure reads INFO memory's used_memory and the process's VmRSS.
func measure(t target) (sample, error) {
	var s sample
	info, err := oneCommand(t.addr, 10*time.Second, "INFO", "memory")
	if err != nil {
		return s, fmt.Errorf("%s: INFO memory: %w", t.name, err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "used_memory":
			s.used, _ = strconv.ParseUint(v, 10, 64)
		case "go_gc_cycles":
			s.gcs = v
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", t.pid))
	if err != nil {
		return s, fmt.Errorf("%s: %w", t.name, err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			s.rss = kb * 1024
		}
	}
	if s.used == 0 || s.rss == 0 {
		return s, fmt.Errorf("%s: could not read used_memory (%d) or VmRSS (%d)", t.name, s.used, s.rss)
	}
	return s, nil
}

// load writes n SET commands (keys mem:00000000..., values of size bytes) and fails on
// any error reply.
func load(addr string, n, size, batch int, timeout time.Duration) error {
	value := []byte(strings.Repeat("v", size))
	return pipeline(addr, n, batch, timeout, func(b []byte, i int) []byte {
		key := fmt.Sprintf("mem:%08d", i)
		copy(value, key) // make every value distinct
		return resp.AppendCommand(b, "SET", key, string(value))
	})
}

// fillCmd sends n copies of a command template, pipelined; "__i__" in any argument
// becomes the copy's index as 12 zero-padded digits, the form redis-benchmark gives its
// __rand_int__, so a benchmark with -r n finds every key or member it picks.
func fillCmd(args []string) error {
	fs := flag.NewFlagSet("fill", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:6379", "server address")
	n := fs.Int("n", 1000, "commands to send")
	batch := fs.Int("batch", 1000, "commands per pipelined batch")
	timeout := fs.Duration("timeout", 120*time.Second, "deadline for the whole fill")
	_ = fs.Parse(args)
	template := fs.Args()
	if len(template) == 0 {
		return errors.New("fill: no command")
	}
	cmd := make([]string, len(template))
	return pipeline(*addr, *n, *batch, *timeout, func(b []byte, i int) []byte {
		num := fmt.Sprintf("%012d", i)
		for j, a := range template {
			cmd[j] = strings.ReplaceAll(a, "__i__", num)
		}
		return resp.AppendCommand(b, cmd...)
	})
}

// pipeline sends the n commands gen appends for i = 0..n-1 over one connection, in
// batches of batch while it reads the replies, and fails on the first error reply. The
// whole exchange has one deadline, timeout.
func pipeline(addr string, n, batch int, timeout time.Duration, gen func(b []byte, i int) []byte) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	writeErr := make(chan error, 1)
	go func() {
		w := bufio.NewWriterSize(c, 64<<10)
		var buf []byte
		for i := 0; i < n; i += batch {
			buf = buf[:0]
			for j := i; j < i+batch && j < n; j++ {
				buf = gen(buf, j)
			}
			if _, err := w.Write(buf); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- w.Flush()
	}()
	r := bufio.NewReaderSize(c, 64<<10)
	for i := 0; i < n; i++ {
		first, err := r.Peek(1)
		if err == nil && first[0] == '-' {
			_, err = readExpect(r, '+') // returns the error reply as a serverError
		} else if err == nil {
			err = readReply(r, nil)
		}
		if err != nil {
			return fmt.Errorf("reply %d: %w", i, err)
		}
	}
	return <-writeErr
}
