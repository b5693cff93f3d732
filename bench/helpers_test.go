package bench

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/config"
	"github.com/cinnabar-db/cinnabar/resp"
	"github.com/cinnabar-db/cinnabar/server"
)

// startServer starts an in-process server with the given number of lock shards (0 is
// the server's default) on a free loopback port; b.Cleanup closes it.
func startServer(b *testing.B, shards int) *server.Server {
	b.Helper()
	cfg, err := config.Parse([]string{"--port", "0", "--bind", "127.0.0.1", "--save", ""})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := server.New(cfg, server.Options{Shards: shards, Log: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv
}

// pipeline is a client connection that sends prebuilt batches of commands whose replies
// all have the same known length, so that the client side allocates nothing per
// operation and allocs/op measures the server.
type pipeline struct {
	c       net.Conn
	r       *bufio.Reader
	req     []byte // every command of the cycle, back to back
	offs    []int  // offs[i] is where command i starts; offs[len] == len(req)
	next    int    // the next command to send
	reply   []byte // buffer for replies
	replyN  int    // bytes of one reply
	replyOK byte   // the first byte every reply must have
}

// newPipeline connects to addr; cmds are sent in a cycle, and each reply is replyN
// bytes starting with first.
func newPipeline(b *testing.B, addr string, cmds [][][]byte, depth, replyN int, first byte) *pipeline {
	b.Helper()
	reqs := make([][]byte, len(cmds))
	for i, args := range cmds {
		reqs[i] = resp.AppendCommand(nil, args...)
	}
	return newRequestPipeline(b, addr, reqs, depth, replyN, first)
}

// newRequestPipeline is newPipeline for requests already encoded: one request may hold
// several commands (a transaction) whose replies together are replyN bytes.
func newRequestPipeline(b *testing.B, addr string, reqs [][]byte, depth, replyN int, first byte) *pipeline {
	b.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	p := &pipeline{c: c, r: bufio.NewReaderSize(c, 64<<10), replyN: replyN, replyOK: first,
		reply: make([]byte, depth*replyN)}
	for _, r := range reqs {
		p.offs = append(p.offs, len(p.req))
		p.req = append(p.req, r...)
	}
	p.offs = append(p.offs, len(p.req))
	return p
}

// do sends the next n commands of the cycle (wrapping around) and reads their replies.
// measure runs b.N of the pipeline's commands, depth at a time, after one warm-up
// round (which also grows the connection's buffers), counting allocations.
func (p *pipeline) measure(b *testing.B, depth int) {
	b.Helper()
	if err := p.do(depth); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += depth {
		if err := p.do(min(depth, b.N-done)); err != nil {
			b.Fatal(err)
		}
	}
}

func (p *pipeline) do(n int) error {
	_ = p.c.SetDeadline(time.Now().Add(30 * time.Second))
	for sent := 0; sent < n; {
		k := min(n-sent, len(p.offs)-1-p.next)
		if _, err := p.c.Write(p.req[p.offs[p.next]:p.offs[p.next+k]]); err != nil {
			return err
		}
		sent += k
		p.next = (p.next + k) % (len(p.offs) - 1)
	}
	buf := p.reply[:n*p.replyN]
	if _, err := io.ReadFull(p.r, buf); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if buf[i*p.replyN] != p.replyOK {
			return fmt.Errorf("unexpected reply %q", buf[i*p.replyN:])
		}
	}
	return nil
}

// keyNames returns n distinct keys spread over every shard.
func keyNames(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key:%012d", i))
	}
	return keys
}

// value returns a value of size bytes.
func value(size int) []byte {
	v := make([]byte, size)
	for i := range v {
		v[i] = 'a' + byte(i%26)
	}
	return v
}

// getReplyLen is the length of a GET reply carrying a value of size bytes.
func getReplyLen(size int) int { return 1 + len(strconv.Itoa(size)) + 2 + size + 2 }

// fill stores every key with val through one pipelined connection.
func fill(b *testing.B, addr string, keys [][]byte, val []byte) {
	b.Helper()
	cmds := make([][][]byte, len(keys))
	for i, k := range keys {
		cmds[i] = [][]byte{[]byte("SET"), k, val}
	}
	p := newPipeline(b, addr, cmds, 1000, len("+OK\r\n"), '+')
	for i := 0; i < len(keys); i += 1000 {
		if err := p.do(min(1000, len(keys)-i)); err != nil {
			b.Fatal(err)
		}
	}
	p.c.Close()
}

// cpuMeter reports the process's CPU time per op (the metric "cpu-ns/op"): on a shared
// machine it varies less than the wall time. The in-process client's share is in it.
type cpuMeter time.Duration

func startCPU() cpuMeter { return cpuMeter(processCPU()) }

func (m cpuMeter) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-time.Duration(m))/float64(b.N), "cpu-ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
