// Command server runs Cinnabar, shaped like redis-server:
//
//	server [/path/to/redis.conf] [--option value ...]
//
// Options are redis.conf's directives; --help and --version print and exit.
//
// Once it listens, the server prints one machine-readable line on standard output (also
// when the log goes elsewhere), so scripts can start it with --port 0 and learn the
// port it picked:
//
//	Ready to accept connections tcp port=<port> pid=<pid>
//
// (or "tls port=<port>" when it listens for TLS connections only, with --port 0 and
// --tls-port).
//
// --daemonize yes detaches it (the line then goes to /dev/null: use --pidfile, or a
// fixed port); --pidfile writes the process id, removed again at a clean shutdown. The
// working directory follows the dir setting, at start and on CONFIG SET dir.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/cinnabar-db/cinnabar/config"
	"github.com/cinnabar-db/cinnabar/server"
)

const usage = `Usage: server [/path/to/redis.conf] [options] [-]
       server - (read config from stdin)
       server -v or --version
       server -h or --help

Examples:
       server (run the server with default config: 127.0.0.1:6379)
       server /etc/redis/6379.conf
       server --port 7777
       server --port 0              (pick a free port; the ready line names it)
       server /etc/myredis.conf --loglevel verbose --maxmemory 1gb
`

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 1 {
		switch args[0] {
		case "-h", "--help":
			fmt.Print(usage)
			return 0
		case "-v", "--version":
			fmt.Printf("Cinnabar server v=%s (Redis %s compatible)\n", server.Version, server.RedisVersion)
			return 0
		}
	}
	cfg, err := config.Parse(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "\n*** FATAL CONFIG ERROR ***\n%v\n", err)
		return 1
	}
	if cfg.Bool("daemonize") && os.Getenv("CINNABAR_DAEMONIZED") == "" {
		return daemonize()
	}
	if err := os.Chdir(cfg.String("dir")); err != nil {
		fmt.Fprintf(os.Stderr, "Can't chdir to '%s': %v\n", cfg.String("dir"), err)
		return 1
	}
	srv, err := server.New(cfg, server.Options{Chdir: true})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return 1
	}
	if err := srv.Listen(); err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return 1
	}
	if pidfile := cfg.String("pidfile"); pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "Failed to write PID file: %v\n", err)
		}
		defer os.Remove(pidfile)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	// Last, once the pidfile exists and signals are handled: whoever waits for this
	// line may act on the process at once.
	fmt.Fprintf(os.Stdout, "%s\n", readyLine(srv.Port(), srv.TLSPort(), os.Getpid()))
	select {
	case s := <-sig:
		fmt.Fprintf(os.Stderr, "Received %v scheduling shutdown...\n", s)
		// As SHUTDOWN without options: a snapshot first when save points are set.
		if err := srv.SaveBeforeExit(); err != nil {
			fmt.Fprintf(os.Stderr, "Error trying to save the DB: %v\n", err)
			_ = srv.Close()
			return 1
		}
	case <-srv.Done():
	}
	_ = srv.Close()
	return 0
}

// readyLine is the line printed once the server listens: the plain-text port, or the
// TLS port when there is only TLS.
func readyLine(port, tlsPort, pid int) string {
	if port == 0 {
		return fmt.Sprintf("Ready to accept connections tls port=%d pid=%d", tlsPort, pid)
	}
	return fmt.Sprintf("Ready to accept connections tcp port=%d pid=%d", port, pid)
}

// daemonize restarts the process detached from the terminal, as redis-server's
// "daemonize yes" does, and returns the parent's exit code.
func daemonize() int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "daemonize: %v\n", err)
		return 1
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "daemonize: %v\n", err)
		return 1
	}
	proc, err := os.StartProcess(exe, os.Args, &os.ProcAttr{
		Env:   append(os.Environ(), "CINNABAR_DAEMONIZED=1"),
		Files: []*os.File{devnull, devnull, devnull},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "daemonize: %v\n", err)
		return 1
	}
	_ = proc.Release()
	return 0
}
