package engine

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Entries written by journalWriter read back identically, names interned.
func TestJournalRoundTrip(t *testing.T) {
	w := newJournalWriter()
	w.header([]byte{1, 2, 3})
	w.call("os.read", 0xdeadbeef, site{"a.js", 3, 7}, statusOK, []byte("payload"))
	w.call("os.read", 7, site{"a.js", 4, 1}, statusErr, nil)
	w.dispatch(42, statusOK, []byte{9})
	w.run("<repl>", []byte{byte(modeREPL), 'x'})
	w.clock(-123456789)
	r := &journalReader{data: append([]byte(nil), w.buf...)}
	want := []entry{
		{kind: kindHeader, payload: []byte{1, 2, 3}},
		{kind: kindCall, name: "os.read", argsHash: 0xdeadbeef, site: site{"a.js", 3, 7}, payload: []byte("payload")},
		{kind: kindCall, name: "os.read", argsHash: 7, site: site{"a.js", 4, 1}, status: statusErr},
		{kind: kindDispatch, id: 42, payload: []byte{9}},
		{kind: kindRun, name: "<repl>", payload: []byte{byte(modeREPL), 'x'}},
		{kind: kindClock, clock: -123456789},
	}
	for i, w := range want {
		e := r.next()
		if e == nil {
			t.Fatalf("entry %d missing", i)
		}
		if e.index != i || e.kind != w.kind || e.name != w.name || e.argsHash != w.argsHash || e.site != w.site ||
			e.status != w.status || e.id != w.id || e.clock != w.clock || !bytes.Equal(e.payload, w.payload) {
			t.Fatalf("entry %d: got %+v want %+v", i, *e, w)
		}
	}
	if !r.done() || r.next() != nil {
		t.Fatal("journal not exhausted")
	}
}

// A truncated journal panics with errCorrupt, never reads out of bounds.
func TestJournalCorrupt(t *testing.T) {
	w := newJournalWriter()
	w.call("os.write", 1, site{"b.js", 1, 1}, statusOK, bytes.Repeat([]byte{'x'}, 100))
	for cut := 1; cut < len(w.buf); cut++ {
		func() {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(errCorrupt); !ok {
						t.Fatalf("cut %d: panic %v", cut, r)
					}
				}
			}()
			r := &journalReader{data: w.buf[:cut]}
			for r.next() != nil {
			}
		}()
	}
}

// Host call results survive the journal encoding with their types.
func TestPayloadRoundTrip(t *testing.T) {
	check := func(v any, out any) {
		b, err := encodePayload(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := decodePayload(b, out); err != nil {
			t.Fatalf("%T %v: %v", v, v, err)
		}
	}
	for _, n := range []int{0, 1, -1, 23, 24, 255, 256, 65535, 65536, math.MaxInt32, -math.MaxInt32, math.MaxInt64, math.MinInt64} {
		var got int
		check(n, &got)
		if got != n {
			t.Fatalf("int %d came back %d", n, got)
		}
	}
	var s string
	check("héllo", &s)
	var b []byte
	check([]byte{0, 1, 2}, &b)
	var f float64
	check(math.Inf(-1), &f)
	var ok bool
	check(true, &ok)
	var pair [2]int
	check([2]int{3, 4}, &pair)
	if s != "héllo" || len(b) != 3 || !math.IsInf(f, -1) || !ok || pair != [2]int{3, 4} {
		t.Fatalf("round trip: %q %v %v %v %v", s, b, f, ok, pair)
	}
	pe := &pyerr.Error{Type: "FileNotFoundError", Errno: 2, Strerror: "No such file or directory", Filename: "x", HasFilename: true}
	raw, _ := encMode.Marshal(pe)
	var back pyerr.Error
	if err := decMode.Unmarshal(raw, &back); err != nil || back.Error() != pe.Error() {
		t.Fatalf("error round trip: %v %v", back, err)
	}
}

// ArgsHash depends on values only.
func TestArgsHash(t *testing.T) {
	if ArgsHash(1, "a", []byte("b")) != ArgsHash(1, "a", []byte("b")) {
		t.Fatal("hash not deterministic")
	}
	if ArgsHash(1, "a") == ArgsHash(1, "b") || ArgsHash(1) == ArgsHash(2) || ArgsHash("ab", "c") == ArgsHash("a", "bc") {
		t.Fatal("hash collides on simple inputs")
	}
	// The kind of a value counts, not just its bits.
	kinds := []uint32{ArgsHash(1), ArgsHash(1.0), ArgsHash(true), ArgsHash(nil), ArgsHash("1"), ArgsHash([]byte("1")), ArgsHash(uint64(2))}
	for i := range kinds {
		for j := range kinds[:i] {
			if kinds[i] == kinds[j] {
				t.Fatalf("kinds %d and %d hash alike", i, j)
			}
		}
	}
	big := make([]byte, 3*hashEdge)
	h := ArgsHash(big)
	big[len(big)-1] = 1
	if ArgsHash(big) == h {
		t.Fatal("the end of a large byte argument is not hashed")
	}
}

// An entry left in the buffer by a script that then computes without
// another host call still reaches a following spare: the tail flush
// writes it and sends the new length, with no further write.
func TestTailFlushTellsFollowers(t *testing.T) {
	w := newJournalWriter()
	defer w.release()
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sv[0])
	defer unix.Close(sv[1])
	followedCalls := 0
	w.followed = func() { followedCalls++ }
	w.tellFollowers(true)
	w.addFollower(sv[0])
	w.run("<a>", []byte("first")) // flushed at once: none for followEvery
	w.run("<b>", []byte("second"))
	w.mu.Lock() // the tail flush may run from here on
	buffered, want := len(w.buf), w.size+int64(len(w.buf))
	w.mu.Unlock()
	if followedCalls != 1 || buffered == 0 {
		t.Fatalf("after two quick entries: %d flushes told, %d bytes buffered; want 1 and the second entry", followedCalls, buffered)
	}
	unix.SetsockoptTimeval(sv[1], unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 10})
	var msg [16]byte
	n, err := unix.Read(sv[1], msg[:])
	if err != nil || n != 9 || msg[0] != 'X' {
		t.Fatalf("no 'X' message from the tail flush: %d bytes, %v", n, err)
	}
	if got := int64(binary.LittleEndian.Uint64(msg[1:9])); got != want {
		t.Fatalf("'X' says %d bytes, want %d", got, want)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) != 0 || w.size != want {
		t.Fatalf("after the tail flush: %d bytes buffered, size %d; want 0 and %d", len(w.buf), w.size, want)
	}
}

// A spare whose exec finishes after the journal grew (the script read the
// clock and then computed without host calls) is told the length at once,
// not at the next flush; while spares may not follow, none is told.
func TestAddFollowerToldAtOnce(t *testing.T) {
	w := newJournalWriter()
	defer w.release()
	w.run("<a>", []byte("entry"))
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	pair := func() [2]int {
		sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(sv[0]); unix.Close(sv[1]) })
		return [2]int{sv[0], sv[1]}
	}
	var msg [16]byte

	w.tellFollowers(false)
	quiet := pair()
	w.addFollower(quiet[0])
	if n, _, err := unix.Recvfrom(quiet[1], msg[:], unix.MSG_DONTWAIT); err != unix.EAGAIN {
		t.Fatalf("a spare was told while spares may not follow: %d bytes, %v", n, err)
	}

	w.tellFollowers(true)
	late := pair()
	w.addFollower(late[0])
	n, _, err := unix.Recvfrom(late[1], msg[:], unix.MSG_DONTWAIT)
	if err != nil || n != 9 || msg[0] != 'X' {
		t.Fatalf("the added spare was not told at once: %d bytes, %v", n, err)
	}
	if got := int64(binary.LittleEndian.Uint64(msg[1:9])); got != w.size {
		t.Fatalf("'X' says %d bytes, want %d", got, w.size)
	}
}
