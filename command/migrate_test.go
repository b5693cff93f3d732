package command

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
)

// fakeTarget accepts one connection, records the commands it gets (without their
// payloads) and answers each with the next of replies.
func fakeTarget(t *testing.T, replies ...string) (port string, got <-chan []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan []string, 1)
	go func() {
		defer close(out)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		var cmds []string
		for _, reply := range replies {
			cmd, ok := readTestCommand(r)
			if !ok {
				break
			}
			cmds = append(cmds, cmd)
			if _, err := conn.Write([]byte(reply)); err != nil {
				break
			}
		}
		out <- cmds
	}()
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port, out
}

// readTestCommand reads one request as words joined by spaces, a RESTORE payload
// shown as "<payload>".
func readTestCommand(r *bufio.Reader) (string, bool) {
	header, err := r.ReadString('\n')
	if err != nil || header[0] != '*' {
		return "", false
	}
	n, _ := strconv.Atoi(strings.TrimSpace(header[1:]))
	words := make([]string, n)
	for i := range words {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", false
		}
		size, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", false
		}
		words[i] = string(buf[:size])
		if i == 3 && words[0] == "RESTORE" {
			words[i] = "<payload>"
		}
	}
	return strings.Join(words, " "), true
}

// TestMigrateRequest checks what MIGRATE sends on a frozen clock (AUTH2, SELECT, the
// RESTOREs with the remaining TTL, at least 1 ms, and REPLACE) and that only the keys
// the target accepted are deleted.
func TestMigrateRequest(t *testing.T) {
	ks, clk := frozenKS()
	now := clk.UnixMilli()
	run(t, ks, "set", "a", "1")
	run(t, ks, "set", "b", "2")
	run(t, ks, "set", "c", "3")
	run(t, ks, "pexpireat", "b", strconv.FormatInt(now+1500, 10))
	port, got := fakeTarget(t, "+OK\r\n", "+OK\r\n", "+OK\r\n", "-BUSYKEY exists\r\n", "+OK\r\n")
	expect(t, ks,
		[]string{"migrate", "127.0.0.1", port, "", "4", "1000", "replace", "auth2", "u", "p", "keys", "a", "b", "nokey", "c",
			"-ERR Target instance replied with error: BUSYKEY exists\r\n"},
		[]string{"exists", "a", "b", "c", ":1\r\n"},
		[]string{"exists", "b", ":1\r\n"},
	)
	want := []string{"AUTH u p", "SELECT 4", "RESTORE a 0 <payload> REPLACE",
		"RESTORE b 1500 <payload> REPLACE", "RESTORE c 0 <payload> REPLACE"}
	if cmds := <-got; strings.Join(cmds, "|") != strings.Join(want, "|") {
		t.Errorf("target got %q, want %q", cmds, want)
	}
}

func TestMigratePortAsAtoi(t *testing.T) {
	for in, want := range map[string]int{"6379": 6379, "6379x": 6379, "x": 0, " +12": 12, "-1": -1, "": 0, "4294967297": 1,
		"99999999999999999999": -1, "-99999999999999999999": 0} {
		if got := atoi([]byte(in)); got != want {
			t.Errorf("atoi(%q) = %d, want %d", in, got, want)
		}
	}
}
