package persist

import (
	"errors"
	"strings"
	"testing"
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
