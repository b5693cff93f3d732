package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests run the server as a process: this test binary re-executes itself with
// CINNABAR_RUN_MAIN set, and then behaves as the server executable.
func TestMain(m *testing.M) {
	if os.Getenv("CINNABAR_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

var readyRE = regexp.MustCompile(`^Ready to accept connections tcp port=(\d+) pid=(\d+)$`)

// startProcess runs the server with args and returns its port once it is ready. Its
// dir is a fresh temporary directory unless args set one, so a snapshot saved at exit
// never lands in the source tree.
func startProcess(t *testing.T, args ...string) (*exec.Cmd, int) {
	t.Helper()
	if !slices.Contains(args, "--dir") {
		args = append([]string{"--dir", t.TempDir()}, args...)
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CINNABAR_RUN_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if readyRE.MatchString(sc.Text()) {
				lines <- sc.Text()
			}
		}
	}()
	select {
	case line := <-lines:
		m := readyRE.FindStringSubmatch(line)
		if pid, _ := strconv.Atoi(m[2]); pid != cmd.Process.Pid {
			t.Fatalf("ready line names pid %d, the process is %d", pid, cmd.Process.Pid)
		}
		port, _ := strconv.Atoi(m[1])
		return cmd, port
	case <-time.After(10 * time.Second):
		t.Fatal("no ready line")
	}
	return nil, 0
}

func send(t *testing.T, port int, cmd string) string {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(c).ReadString('\n')
	return line
}

func TestPortZeroReadyLineAndPidfile(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "cinnabar.pid")
	cmd, port := startProcess(t, "--port", "0", "--daemonize", "no", "--pidfile", pidfile, "--dir", dir)
	if port == 0 {
		t.Fatal("port 0 in the ready line")
	}
	if got := send(t, port, "PING"); got != "+PONG\r\n" {
		t.Fatalf("PING: %q", got)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil || strings.TrimSpace(string(data)) != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("pidfile: %q, %v", data, err)
	}
	// The working directory follows dir.
	if got := send(t, port, "CONFIG GET dir"); !strings.HasPrefix(got, "*2") {
		t.Fatalf("CONFIG GET dir: %q", got)
	}
	send(t, port, "SHUTDOWN NOSAVE")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SHUTDOWN did not stop the process")
	}
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Fatalf("pidfile left behind: %v", err)
	}
}

// stop sends sig and waits for a clean exit.
func stop(t *testing.T, cmd *exec.Cmd, sig os.Signal) {
	t.Helper()
	_ = cmd.Process.Signal(sig)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%v did not stop the process", sig)
	}
}

// With save points configured, SIGTERM saves a snapshot first, as Redis does; the next
// start loads it.
func TestSignalSavesSnapshot(t *testing.T) {
	dir := t.TempDir()
	cmd, port := startProcess(t, "--port", "0", "--dir", dir, "--save", "900 1")
	if got := send(t, port, "SET k survives"); got != "+OK\r\n" {
		t.Fatalf("SET: %q", got)
	}
	stop(t, cmd, syscall.SIGTERM)
	_, port = startProcess(t, "--port", "0", "--dir", dir, "--save", "")
	if got := send(t, port, "STRLEN k"); got != ":8\r\n" {
		t.Fatalf("STRLEN after restart: %q", got)
	}
}

func TestSignalShutdown(t *testing.T) {
	cmd, port := startProcess(t, "--port", "0")
	if got := send(t, port, "PING"); got != "+PONG\r\n" {
		t.Fatalf("PING: %q", got)
	}
	stop(t, cmd, os.Interrupt)
}

// A write the client saw acknowledged survives kill -9: the AOF has it before the
// reply leaves (under always fsynced, which only a power cut could tell apart; under
// everysec written to the file). Clients write concurrently (replies share writes and
// fsyncs) until the process is killed mid-stream.
func TestAOFSurvivesKill(t *testing.T) {
	for _, policy := range []string{"always", "everysec"} {
		t.Run(policy, func(t *testing.T) { testSurvivesKill(t, policy) })
	}
}

func testSurvivesKill(t *testing.T, policy string) {
	dir := t.TempDir()
	cmd, port := startProcess(t, "--port", "0", "--dir", dir, "--appendonly", "yes", "--appendfsync", policy)
	const writers = 4
	acked := make([][]string, writers)
	done := make(chan struct{})
	for w := range writers {
		go func() {
			defer func() { done <- struct{}{} }()
			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				return
			}
			defer c.Close()
			r := bufio.NewReader(c)
			for i := 0; ; i++ {
				key := "k" + strconv.Itoa(w) + ":" + strconv.Itoa(i)
				if _, err := c.Write([]byte("SET " + key + " v\r\n")); err != nil {
					return
				}
				if line, err := r.ReadString('\n'); err != nil || line != "+OK\r\n" {
					return
				}
				acked[w] = append(acked[w], key)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	for range writers {
		<-done
	}
	_ = cmd.Wait()
	_, port = startProcess(t, "--port", "0", "--dir", dir, "--appendonly", "yes")
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	var keys []string
	var req []byte
	for w := range writers {
		for _, key := range acked[w] {
			keys = append(keys, key)
			req = append(req, "EXISTS "+key+"\r\n"...)
		}
	}
	go func() { _, _ = c.Write(req) }() // pipelined; the replies are read meanwhile
	r := bufio.NewReader(c)
	for _, key := range keys {
		if got, err := r.ReadString('\n'); err != nil || got != ":1\r\n" {
			t.Fatalf("acknowledged %s lost after kill -9: %q %v", key, got, err)
		}
	}
	total := len(keys)
	if total == 0 {
		t.Fatal("no write was acknowledged")
	}
	t.Logf("%d acknowledged writes survived", total)
}
