package persist

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/cinnabar-db/cinnabar/clock"
	"github.com/cinnabar-db/cinnabar/store"
)

func TestManifestRoundTrip(t *testing.T) {
	m := Manifest{
		Base:    AOFFile{Name: BaseName("appendonly.aof", 2, true), Seq: 2, Type: AOFBase},
		History: []AOFFile{{Name: IncrName("appendonly.aof", 1), Seq: 1, Type: AOFHistory}},
		Incr:    []AOFFile{{Name: IncrName("appendonly.aof", 2), Seq: 2, Type: AOFIncr}, {Name: IncrName("appendonly.aof", 3), Seq: 3, Type: AOFIncr}},
	}
	// Redis 7.0.15's bytes for a manifest of this shape.
	want := "file appendonly.aof.2.base.rdb seq 2 type b\n" +
		"file appendonly.aof.1.incr.aof seq 1 type h\n" +
		"file appendonly.aof.2.incr.aof seq 2 type i\n" +
		"file appendonly.aof.3.incr.aof seq 3 type i\n"
	if got := string(m.Bytes()); got != want {
		t.Fatalf("manifest:\n%s\nwant:\n%s", got, want)
	}
	back, err := ParseManifest([]byte("# comment\n\n" + want))
	if err != nil {
		t.Fatal(err)
	}
	if string(back.Bytes()) != want {
		t.Fatalf("round trip:\n%s", back.Bytes())
	}
	if BaseName("x.aof", 7, false) != "x.aof.7.base.aof" {
		t.Fatal(BaseName("x.aof", 7, false))
	}
}

func TestManifestMalformed(t *testing.T) {
	for _, text := range []string{
		"",                         // nothing listed
		"file a seq 1\n",           // no type
		"file a seq 1 type\n",      // odd fields
		"file a seq x type i\n",    // bad seq
		"file a seq 0 type i\n",    // seq must be positive
		"file a seq 1 type z\n",    // unknown type
		"file a seq 1 type ii\n",   // type is one letter
		"file ../a seq 1 type i\n", // a path
		"file a seq 1 type b\nfile b seq 2 type b\n", // two bases
		"file a seq 2 type i\nfile b seq 2 type i\n", // INCR seqs must rise
	} {
		if _, err := ParseManifest([]byte(text)); err == nil {
			t.Errorf("%q: accepted", text)
		}
	}
}

func TestReadCommand(t *testing.T) {
	stream := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n#TS:1700000000\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$0\r\n\r\n"
	var got []string
	for p := []byte(stream); len(p) > 0; {
		args, n, err := ReadCommand(p)
		if err != nil {
			t.Fatal(err)
		}
		if args != nil {
			var parts []string
			for _, a := range args {
				parts = append(parts, string(a))
			}
			got = append(got, strings.Join(parts, " "))
		}
		p = p[n:]
	}
	if strings.Join(got, "|") != "SELECT 0|set k " {
		t.Fatalf("commands: %q", got)
	}
	// Every proper prefix of a command is a torn write, never a format error.
	cmd := "*3\r\n$3\r\nset\r\n$1\r\nk\r\n$2\r\nvv\r\n"
	for i := 1; i < len(cmd); i++ {
		if _, _, err := ReadCommand([]byte(cmd[:i])); !errors.Is(err, ErrTruncated) {
			t.Errorf("prefix %q: %v", cmd[:i], err)
		}
	}
	for _, tc := range []struct {
		data string
		at   int
	}{
		{"set k v\r\n", 0},
		{"*x\r\n", 0},
		{"*0\r\n", 0},
		{"*1\n$1\r\na\r\n", 0},
		{"*1\r\n:1\r\n", 4},
		{"*1\r\n$-1\r\n", 4},
		{"*1\r\n$1\r\nab\r\n", 9},
	} {
		_, _, err := ReadCommand([]byte(tc.data))
		var ae *AOFError
		if !errors.As(err, &ae) || ae.Offset != tc.at {
			t.Errorf("%q: %v, want a format error at %d", tc.data, err, tc.at)
		}
	}
}

// A base of commands rebuilds each key as Redis's rewrite does: 64 elements a command,
// PEXPIREAT after a key with a deadline, scores as %.17g.
func TestWriteAOFBase(t *testing.T) {
	ks := store.New(3, 1, &clock.Clock{})
	lim := &ks.Limits
	l := store.NewList(lim.ListMaxListpackSize.Load())
	for i := range 130 {
		l.PushBack([]byte(strconv.Itoa(i)))
	}
	list := store.NewListEntry(l)
	list.SetExpireAt(4102444800000)
	ks.DB(0).Load("list", list)
	ks.DB(0).Load("z", store.NewZSetFrom([]store.ZPair{{Member: "a", Score: 0.1}, {Member: "b", Score: math.Inf(-1)}}, lim))
	set := store.NewSet()
	set.SetValue().Add([]byte("7"), lim) // an intset: members are formatted on the fly
	set.SetValue().Add([]byte("-3"), lim)
	ks.DB(2).Load("s", set)
	var buf bytes.Buffer
	if err := WriteAOFBase(&buf, ks, []string{"#!lua name=l\n"}, false); err != nil {
		t.Fatal(err)
	}
	var got []string
	for p := buf.Bytes(); len(p) > 0; {
		args, n, err := ReadCommand(p)
		if err != nil {
			t.Fatal(err)
		}
		line := string(args[0])
		switch string(args[0]) {
		case "RPUSH":
			line += fmt.Sprintf(" %s %d elements from %s", args[1], len(args)-2, args[2])
		default:
			for _, a := range args[1:] {
				line += " " + string(a)
			}
		}
		got = append(got, line)
		p = p[n:]
	}
	want := []string{
		"FUNCTION LOAD #!lua name=l\n",
		"SELECT 0",
		"RPUSH list 64 elements from 0", "RPUSH list 64 elements from 64", "RPUSH list 2 elements from 128",
		"PEXPIREAT list 4102444800000",
		"ZADD z -inf b 0.10000000000000001 a",
		"SELECT 2",
		"SADD s -3 7",
	}
	if got[2] == want[6] { // keys come in hash order
		got = append(append(got[:2:2], got[3:7]...), append([]string{got[2]}, got[7:]...)...)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("base:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
