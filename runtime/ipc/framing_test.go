package ipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func pipe(t testing.TB) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func TestFrameRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 100, PipeBuf - HeaderSize, PipeBuf - HeaderSize + 1, 65536, 1 << 20}
	for _, mode := range []string{"exact", "buffered"} {
		t.Run(mode, func(t *testing.T) {
			r, w := pipe(t)
			go func() {
				for i, n := range sizes {
					if err := WriteFrame(w, payload(n, byte(i))); err != nil {
						t.Error(err)
					}
				}
				unix.Close(w)
			}()
			fr := NewFrameReader(r, 2<<20)
			for i, n := range sizes {
				var got []byte
				var err error
				if mode == "exact" {
					got, err = ReadFrame(r, 2<<20)
				} else {
					got, err = fr.ReadFrame(nil, -1)
				}
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				if !bytes.Equal(got, payload(n, byte(i))) {
					t.Fatalf("frame %d: wrong content (len %d, want %d)", i, len(got), n)
				}
			}
			var err error
			if mode == "exact" {
				_, err = ReadFrame(r, 2<<20)
			} else {
				_, err = fr.ReadFrame(nil, -1)
			}
			if err != io.EOF {
				t.Fatalf("after the last frame: %v, want io.EOF", err)
			}
		})
	}
}

func TestFrameTruncated(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"mid-header", []byte{0, 0}},
		{"mid-payload", []byte{0, 0, 0, 5, 'a', 'b'}},
	} {
		for _, buffered := range []bool{false, true} {
			t.Run(fmt.Sprint(tc.name, buffered), func(t *testing.T) {
				r, w := pipe(t)
				unix.Write(w, tc.data)
				unix.Close(w)
				var err error
				if buffered {
					_, err = NewFrameReader(r, 100).ReadFrame(nil, -1)
				} else {
					_, err = ReadFrame(r, 100)
				}
				if err != io.ErrUnexpectedEOF {
					t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
				}
			})
		}
	}
}

func TestFrameTooLarge(t *testing.T) {
	r, w := pipe(t)
	if err := WriteFrame(w, make([]byte, 101)); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFrame(r, 100)
	var fe *FrameTooLargeError
	if !errors.As(err, &fe) || fe.Size != 101 {
		t.Fatalf("got %v", err)
	}
}

func TestFrameTimeoutAndPoll(t *testing.T) {
	r, w := pipe(t)
	start := time.Now()
	_, err := ReadFrameCancel(r, 100, nil, 0.1)
	if err != ErrTimeout {
		t.Fatalf("got %v, want ErrTimeout", err)
	}
	if el := time.Since(start); el < 90*time.Millisecond || el > 5*time.Second {
		t.Fatalf("timeout of 0.1 s took %v", el)
	}
	if ok, err := Poll(r, 0, nil); ok || err != nil {
		t.Fatalf("Poll on an empty pipe: %v %v", ok, err)
	}
	if ok, err := Poll(r, 0.05, nil); ok || err != nil {
		t.Fatalf("Poll(0.05) on an empty pipe: %v %v", ok, err)
	}
	WriteFrame(w, []byte("hi"))
	if ok, err := Poll(r, 0, nil); !ok || err != nil {
		t.Fatalf("Poll after a write: %v %v", ok, err)
	}
	fr := NewFrameReader(r, 100)
	if ok, _ := fr.Poll(-1, nil); !ok {
		t.Fatal("FrameReader.Poll")
	}
	if p, err := fr.ReadFrame(nil, 0); err != nil || string(p) != "hi" {
		t.Fatalf("ReadFrame with timeout 0 and data ready: %q %v", p, err)
	}
	if _, err := fr.ReadFrame(nil, 0.05); err != ErrTimeout {
		t.Fatalf("FrameReader timeout: %v", err)
	}
}

func TestFrameCancel(t *testing.T) {
	c, err := NewCancel()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, w := pipe(t)
	go func() {
		time.Sleep(50 * time.Millisecond)
		c.Fire()
	}()
	if _, err := ReadFrameCancel(r, 100, c, -1); !errors.Is(err, ErrCancelled) {
		t.Fatalf("read: got %v, want ErrCancelled", err)
	}
	if _, err := NewFrameReader(r, 100).ReadFrame(c, -1); !errors.Is(err, ErrCancelled) {
		t.Fatalf("buffered read of a fired Cancel: %v", err)
	}
	if ok, err := Poll(r, -1, c); ok || !errors.Is(err, ErrCancelled) {
		t.Fatalf("poll: %v %v", ok, err)
	}
	c.Reset()
	if c.Fired() {
		t.Fatal("Reset did not clear")
	}
	// A write into a full pipe is cancellable too.
	if err := unix.SetNonblock(w, true); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		c.Fire()
	}()
	err = WriteFrameCancel(w, make([]byte, 1<<20), c, -1)
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("write into a full pipe: %v", err)
	}
	c.Reset()
	// Nothing is read after the partial frame: the error said so.
	_ = r
}

func TestFrameSocketpair(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	for _, dir := range [][2]int{{fds[0], fds[1]}, {fds[1], fds[0]}} {
		go WriteFrame(dir[0], payload(300000, 3))
		got, err := ReadFrameCancel(dir[1], 1<<20, nil, 5)
		if err != nil || !bytes.Equal(got, payload(300000, 3)) {
			t.Fatalf("socketpair: %v", err)
		}
	}
}

func TestFrameBatch(t *testing.T) {
	r, w := pipe(t)
	var buf []byte
	for i := 0; i < 10; i++ {
		var start int
		buf, start = BeginFrame(buf)
		buf = strconv.AppendInt(buf, int64(i), 10)
		if err := EndFrame(buf, start); err != nil {
			t.Fatal(err)
		}
	}
	buf = AppendFrame(buf, []byte("last"))
	if err := WriteFull(w, buf, nil, -1); err != nil {
		t.Fatal(err)
	}
	fr := NewFrameReader(r, 100)
	for i := 0; i < 10; i++ {
		p, err := fr.ReadFrame(nil, 1)
		if err != nil || string(p) != strconv.Itoa(i) {
			t.Fatalf("frame %d: %q %v", i, p, err)
		}
	}
	if p, _ := fr.ReadFrame(nil, 1); string(p) != "last" {
		t.Fatalf("last frame %q", p)
	}
}

func init() {
	helpers["frame-writer"] = func(args []string) int {
		id, _ := strconv.Atoi(args[0])
		count, _ := strconv.Atoi(args[1])
		for i := 0; i < count; i++ {
			p := make([]byte, 64)
			binary.BigEndian.PutUint32(p, uint32(id))
			binary.BigEndian.PutUint32(p[4:], uint32(i))
			copy(p[8:], bytes.Repeat([]byte{byte(id)}, 56))
			if err := WriteFrame(3, p); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	}
}

// Small frames (below PIPE_BUF) from several processes never interleave,
// without any lock.
func TestFrameManyWriterProcesses(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const writers, count = 4, 2000
	var cmds []*exec.Cmd
	for i := 0; i < writers; i++ {
		cmd := helperCmd(t, "frame-writer", []*os.File{w}, strconv.Itoa(i), strconv.Itoa(count))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	w.Close()
	rfd := int(r.Fd())
	unix.SetNonblock(rfd, false)
	next := make([]uint32, writers)
	fr := NewFrameReader(rfd, 1000)
	for n := 0; n < writers*count; n++ {
		p, err := fr.ReadFrame(nil, 30)
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		id, seq := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
		if len(p) != 64 || id >= writers || seq != next[id] || !bytes.Equal(p[8:], bytes.Repeat([]byte{byte(id)}, 56)) {
			t.Fatalf("frame %d corrupt: id %d seq %d", n, id, seq)
		}
		next[id]++
	}
	if _, err := fr.ReadFrame(nil, 30); err != io.EOF {
		t.Fatalf("want EOF after all writers exit, got %v", err)
	}
	waitAll(t, cmds...)
}

func init() {
	helpers["locked-big-writer"] = func(args []string) int {
		a := attachHelperArena()
		l, err := a.AttachLock(atoi(args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		id := atoi(args[0])
		s := NewStream(4)
		for i := 0; i < atoi(args[2]); i++ {
			p := bytes.Repeat([]byte{byte(id)}, 20000+i)
			binary.BigEndian.PutUint32(p, uint32(i))
			if ok, err := l.Acquire(true, 30, nil); !ok || err != nil {
				return 1
			}
			err := s.WriteFrame(p, nil, -1)
			l.Release()
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	}
}

// Frames larger than PIPE_BUF from several processes stay whole when the
// writers hold a shared Lock around each frame, as Queue's writer lock.
func TestFrameLargeWritersWithLock(t *testing.T) {
	a, af := newArena(t)
	l, _ := a.NewLock()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const writers, count = 3, 40
	var cmds []*exec.Cmd
	for i := 0; i < writers; i++ {
		cmd := helperCmd(t, "locked-big-writer", []*os.File{af, w}, strconv.Itoa(i), strconv.Itoa(l.Off()), strconv.Itoa(count))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	w.Close()
	fr := NewFrameReader(int(r.Fd()), 1<<20)
	next := make([]int, writers)
	for n := 0; n < writers*count; n++ {
		p, err := fr.ReadFrame(nil, 30)
		if err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		id := int(p[len(p)-1])
		seq := int(binary.BigEndian.Uint32(p))
		if id >= writers || seq != next[id] || len(p) != 20000+seq || !bytes.Equal(p[4:], bytes.Repeat([]byte{byte(id)}, len(p)-4)) {
			t.Fatalf("frame %d interleaved or corrupt (id %d seq %d len %d)", n, id, seq, len(p))
		}
		next[id]++
	}
	waitAll(t, cmds...)
}
