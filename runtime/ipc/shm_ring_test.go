package ipc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestRingInProcess(t *testing.T) {
	a, _ := newArena(t)
	r, err := a.NewRing(1000)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{0, 1, 100, 995, 996, 997, 5000, 100000, 3}
	go func() {
		for i, n := range sizes {
			if err := r.WriteFrame(payload(n, byte(i)), nil, 10); err != nil {
				t.Error(err)
			}
		}
	}()
	var buf []byte
	for i, n := range sizes {
		buf, err = r.ReadFrame(buf[:0], 1<<20, nil, 10)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(buf, payload(n, byte(i))) {
			t.Fatalf("frame %d: wrong content (len %d, want %d)", i, len(buf), n)
		}
	}
	if !r.Empty() {
		t.Fatal("not empty")
	}
	start := time.Now()
	if _, err := r.ReadFrame(nil, 100, nil, 0.1); err != ErrTimeout {
		t.Fatalf("empty ring: %v", err)
	}
	if el := time.Since(start); el < 90*time.Millisecond || el > 10*time.Second {
		t.Fatalf("timeout of 0.1 s took %v", el)
	}
	// An oversized frame is skipped with an error; the next one reads.
	r.WriteFrame(make([]byte, 500), nil, -1)
	r.WriteFrame([]byte("next"), nil, -1)
	var fe *FrameTooLargeError
	if _, err := r.ReadFrame(nil, 100, nil, 1); !errors.As(err, &fe) {
		t.Fatalf("oversized: %v", err)
	}
	if p, err := r.ReadFrame(nil, 100, nil, 1); err != nil || string(p) != "next" {
		t.Fatalf("after oversized: %q %v", p, err)
	}
	// A full ring makes a writer wait: timeout, then cancellation.
	r.WriteFrame(make([]byte, 900), nil, -1)
	if err := r.WriteFrame(make([]byte, 200), nil, 0.05); err != ErrTimeout {
		t.Fatalf("write into a full ring: %v", err)
	}
	c, _ := NewCancel()
	defer c.Close()
	go func() { time.Sleep(30 * time.Millisecond); c.Fire() }()
	if err := r.WriteFrame(make([]byte, 200), c, -1); err != ErrCancelled {
		t.Fatalf("cancelled write: %v", err)
	}
	c.Reset()
	if p, _ := r.ReadFrame(nil, 1000, nil, 1); len(p) != 900 {
		t.Fatal("frame before the refused ones")
	}
	if !r.Empty() {
		t.Fatal("refused writes left bytes behind")
	}
	if o, err := a.Open(r.Off()); err != nil {
		t.Fatal(err)
	} else if _, ok := o.(*Ring); !ok {
		t.Fatalf("Open gave %T", o)
	}
}

// ringMsg builds a self-checking frame: writer id, sequence, length-prefixed
// random bytes and their CRC.
func ringMsg(id, seq int, rng *rand.Rand) []byte {
	n := rng.IntN(64)
	if rng.IntN(20) == 0 {
		n = rng.IntN(40000) // some frames larger than the ring
	}
	p := make([]byte, 12+n)
	binary.BigEndian.PutUint32(p, uint32(id))
	binary.BigEndian.PutUint32(p[4:], uint32(seq))
	for i := 12; i < len(p); i++ {
		p[i] = byte(rng.Uint32())
	}
	binary.BigEndian.PutUint32(p[8:], crc32.ChecksumIEEE(p[12:]))
	return p
}

func init() {
	helpers["ring-writer"] = func(args []string) int {
		a := attachHelperArena()
		r, err := a.AttachRing(atoi(args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		id, count := atoi(args[0]), atoi(args[2])
		rng := rand.New(rand.NewPCG(uint64(id), 1))
		for i := 0; i < count; i++ {
			if err := r.WriteFrame(ringMsg(id, i, rng), nil, 30); err != nil {
				fmt.Fprintln(os.Stderr, "write", err)
				return 1
			}
		}
		return 0
	}
	helpers["ring-reader"] = func(args []string) int {
		a := attachHelperArena()
		r, _ := a.AttachRing(atoi(args[1]))
		reg, _ := a.AttachRegion(atoi(args[2]))
		total := uint64(atoi(args[3]))
		consumed := u64at(reg, 0)
		last := map[uint32]int64{}
		var buf []byte
		var err error
		for consumed.Load() < total {
			buf, err = r.ReadFrame(buf[:0], 1<<20, nil, 0.05)
			if err == ErrTimeout {
				continue
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "read", err)
				return 1
			}
			id, seq := binary.BigEndian.Uint32(buf), int64(binary.BigEndian.Uint32(buf[4:]))
			if crc32.ChecksumIEEE(buf[12:]) != binary.BigEndian.Uint32(buf[8:]) {
				fmt.Fprintln(os.Stderr, "corrupt frame from", id, seq)
				return 1
			}
			if prev, ok := last[id]; ok && seq <= prev {
				fmt.Fprintln(os.Stderr, "out of order", id, seq, prev)
				return 1
			}
			last[id] = seq
			consumed.Add(1)
		}
		return 0
	}
}

// Several writer and reader processes share one small Ring; frames of all
// sizes, some larger than the ring, arrive whole, in per-writer order, once.
func TestRingProcesses(t *testing.T) {
	a, f := newArena(t)
	r, err := a.NewRing(16 << 10)
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := a.NewRegion(8)
	const writers, readers, count = 3, 3, 1500
	var cmds = startHelpers(t, writers, "ring-writer", f, strconv.Itoa(r.Off()), strconv.Itoa(count))
	cmds = append(cmds, startHelpers(t, readers, "ring-reader", f, strconv.Itoa(r.Off()), strconv.Itoa(reg.Off()), strconv.Itoa(writers*count))...)
	waitAll(t, cmds...)
	if got := u64at(reg, 0).Load(); got != writers*count {
		t.Fatalf("consumed %d frames, want %d", got, writers*count)
	}
	if !r.Empty() {
		t.Fatal("ring not empty")
	}
}

// TryWriteFrame writes only what fits at once, and nothing while another
// writer holds the lock.
func TestRingTryWriteFrame(t *testing.T) {
	a, _ := newArena(t)
	r, err := a.NewRing(100)
	if err != nil {
		t.Fatal(err)
	}
	if r.TryWriteFrame(make([]byte, 97)) {
		t.Fatal("a frame larger than the ring was written")
	}
	if !r.TryWriteFrame([]byte("first")) {
		t.Fatal("an empty ring refused a small frame")
	}
	if r.TryWriteFrame(make([]byte, 100-2*HeaderSize-4)) {
		t.Fatal("a frame larger than the free space was written")
	}
	if got := r.Buffered(); got != HeaderSize+5 {
		t.Fatalf("buffered %d bytes after a refused write, want %d", got, HeaderSize+5)
	}
	if ok, err := r.wlock.Acquire(false, 0, nil); !ok || err != nil {
		t.Fatal("write lock:", ok, err)
	}
	if r.TryWriteFrame([]byte("x")) {
		t.Fatal("written while another writer held the lock")
	}
	r.wlock.Release()
	if !r.TryWriteFrame([]byte("second")) {
		t.Fatal("refused after the lock was released")
	}
	for _, want := range []string{"first", "second"} {
		p, err := r.ReadFrame(nil, 100, nil, 1)
		if err != nil || string(p) != want {
			t.Fatalf("read %q %v, want %q", p, err, want)
		}
	}
}
