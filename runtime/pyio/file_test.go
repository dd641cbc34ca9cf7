package pyio_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyio"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	engine.Dispatch()
	os.Exit(m.Run())
}

func newIO(t *testing.T) (*engine.Runtime, *pyio.IO) {
	rt, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt, pyio.For(rt)
}

// pipeWith returns a read end fed by a goroutine writing the chunks with
// pauses, so reads see them one at a time.
func pipeWith(t *testing.T, chunks ...string) int {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	go func() {
		for _, c := range chunks {
			unix.Write(p[1], []byte(c))
			time.Sleep(20 * time.Millisecond)
		}
		unix.Close(p[1])
	}()
	return p[0]
}

func str(v goja.Value) string { return v.String() }

// Universal newlines across chunk boundaries: a '\r' at the end of one
// read and '\n' at the start of the next is one newline; a UTF-8 character
// split across reads decodes whole.
func TestTextReadAcrossChunks(t *testing.T) {
	_, io := newIO(t)
	fd := pipeWith(t, "one\r", "\ntwo\rthree\xe4", "\xbd\xa0\r\n", "last")
	f, err := io.Wrap(fd, fd, "r", pyio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for {
		v, err := f.Readline(-1)
		if err != nil {
			t.Fatal(err)
		}
		if str(v) == "" {
			break
		}
		lines = append(lines, str(v))
	}
	want := []string{"one\n", "two\n", "three你\n", "last"}
	if len(lines) != len(want) {
		t.Fatalf("lines %q want %q", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("lines %q want %q", lines, want)
		}
	}
	f.Close()
}

// read(n) counts characters in text mode; binary readline keeps bytes.
func TestReadNAndBinary(t *testing.T) {
	_, io := newIO(t)
	fd := pipeWith(t, "héllo wörld\nrest")
	f, _ := io.Wrap(fd, fd, "r", pyio.Options{})
	v, _ := f.Read(5)
	if str(v) != "héllo" {
		t.Fatalf("read(5) = %q", str(v))
	}
	rest, _ := f.Read(-1)
	if str(rest) != " wörld\nrest" {
		t.Fatalf("read() = %q", str(rest))
	}
	fd2 := pipeWith(t, "a\r\nb\n")
	b, _ := io.Wrap(fd2, fd2, "rb", pyio.Options{})
	l, _ := b.Readline(-1)
	if got, _ := engine.BytesOf(l); string(got) != "a\r\n" {
		t.Fatalf("binary readline = %q", got)
	}
}

// Files: writes are buffered until flush/close, encodings apply, and
// seek/tell account for buffers.
func TestFileWriteSeek(t *testing.T) {
	rt, io := newIO(t)
	path := filepath.Join(t.TempDir(), "f.txt")
	f, err := io.Open(path, "w+", pyio.Options{Encoding: "gbk"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(rt.VM().ToValue("你好\n")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); len(data) != 0 {
		t.Fatalf("write not buffered: %q", data)
	}
	if pos, _ := f.Tell(); pos != 5 {
		t.Fatalf("tell = %d", pos)
	}
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	v, _ := f.Read(-1)
	if str(v) != "你好\n" {
		t.Fatalf("read back %q", str(v))
	}
	f.Close()
	if data, _ := os.ReadFile(path); string(data) != "\xc4\xe3\xba\xc3\n" {
		t.Fatalf("file holds %q", data)
	}
	if _, err := io.Open(filepath.Join(t.TempDir(), "missing", "x"), "r", pyio.Options{}); err == nil || err.Error() == "" {
		t.Fatal("open of a missing file succeeded")
	}
	if _, err := io.Open(path, "rw", pyio.Options{}); err == nil {
		t.Fatal("mode rw accepted")
	}
}

// tell() on a text file is where the next character is in the file, and
// seek(tell()) resumes there, with read-ahead and universal newlines.
func TestTextTellSeek(t *testing.T) {
	_, io := newIO(t)
	path := filepath.Join(t.TempDir(), "in.txt")
	os.WriteFile(path, []byte("first\r\nsecond\nthird\rfourth\n"), 0o644)
	f, err := io.Open(path, "r", pyio.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := f.Readline(-1)
	pos, _ := f.Tell()
	if str(l) != "first\n" || pos != 7 {
		t.Fatalf("readline %q tell %d", str(l), pos)
	}
	v, _ := f.Read(3)
	pos, _ = f.Tell()
	if str(v) != "sec" || pos != 10 {
		t.Fatalf("read(3) %q tell %d", str(v), pos)
	}
	f.Seek(pos, 0)
	rest, _ := f.Read(-1)
	if str(rest) != "ond\nthird\nfourth\n" {
		t.Fatalf("after seek: %q", str(rest))
	}
	g, _ := io.Open(path, "r", pyio.Options{Encoding: "latin-1"})
	g.Read(8)
	if pos, _ := g.Tell(); pos != 9 { // "first\r\ns" is 8 characters, 9 bytes
		t.Fatalf("latin-1 tell %d", pos)
	}
}
