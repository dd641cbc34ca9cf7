package ipc

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"time"
)

// Ring is a multi-producer, multi-consumer queue of frames in shared
// memory: an alternative transport for multiprocessing.Queue that needs no
// syscall per message. Through a pipe every message costs a write(2) and
// two read(2)s (about 2 µs each on the target VM, which caps a Queue near
// 90k messages/s); through a Ring a put and a get are a lock, a copy and an
// atomic publish, and a futex wake only when the other side sleeps.
//
// Frames have the same shape as on a pipe (4-byte big-endian length, then
// the payload) and any size: a frame larger than the free space is written
// in pieces while the writer holds the write lock, and read in pieces under
// the read lock. Writers take turns on a write Lock and readers on a read
// Lock, so between the two lock holders the ring is single-producer
// single-consumer and lock-free.
//
// There is no end-of-stream: unlike a pipe, a Ring does not notice that its
// writers died (Python's Queue.get blocks forever then too; use a timeout).
// A writer interrupted in the middle of a frame larger than the free space
// leaves a partial frame; the error says so and the Ring is then unusable.
//
// Layout: a 64-byte header (kind, capacity, offsets of the two Locks), the
// reader's cache line (head, head sequence, sleeping writers), the
// writer's (tail, tail sequence, sleeping readers), then the data.
type Ring struct {
	off    int
	cap    uint64
	data   []byte
	wlock  *Lock
	rlock  *Lock
	head   *uint64 // bytes consumed, ever
	tail   *uint64 // bytes published, ever
	hseq   *atomic.Uint32
	tseq   *atomic.Uint32
	wsleep *atomic.Uint32 // writers sleeping for space
	wneed  *uint64        // free bytes the sleeping writer waits for
	rsleep *atomic.Uint32 // readers sleeping for data
}

const (
	ringHead = 64  // head, hseq, wsleep, wneed
	ringTail = 128 // tail, tseq, rsleep
	ringData = 192
	// DefaultRingSize is the default data capacity of a Ring, in bytes.
	DefaultRingSize = 256 << 10
)

// NewRing allocates a Ring with capacity bytes of data space (at least
// 64; DefaultRingSize if capacity <= 0).
func (a *Arena) NewRing(capacity int) (*Ring, error) {
	if capacity <= 0 {
		capacity = DefaultRingSize
	}
	if capacity < 64 {
		capacity = 64
	}
	wl, err := a.NewLock()
	if err != nil {
		return nil, err
	}
	rl, err := a.NewLock()
	if err != nil {
		return nil, err
	}
	off, err := a.alloc(ringData+capacity, kindRing)
	if err != nil {
		return nil, err
	}
	atomic.StoreUint64(a.u64p(off+8), uint64(capacity))
	atomic.StoreUint64(a.u64p(off+16), uint64(wl.Off()))
	atomic.StoreUint64(a.u64p(off+24), uint64(rl.Off()))
	return a.AttachRing(off)
}

// AttachRing returns the Ring at off.
func (a *Arena) AttachRing(off int) (*Ring, error) {
	if _, err := a.expect(off, kindRing); err != nil {
		return nil, err
	}
	capacity := atomic.LoadUint64(a.u64p(off + 8))
	if capacity == 0 || uint64(off)+ringData+capacity > uint64(len(a.mem)) {
		return nil, fmt.Errorf("ipc: corrupt Ring at offset %d", off)
	}
	wl, err := a.AttachLock(int(atomic.LoadUint64(a.u64p(off + 16))))
	if err != nil {
		return nil, err
	}
	rl, err := a.AttachLock(int(atomic.LoadUint64(a.u64p(off + 24))))
	if err != nil {
		return nil, err
	}
	start := off + ringData
	return &Ring{
		off: off, cap: capacity, data: a.mem[start : start+int(capacity)],
		wlock: wl, rlock: rl,
		head: a.u64p(off + ringHead), hseq: a.u32(off + ringHead + 8), wsleep: a.u32(off + ringHead + 12),
		wneed: a.u64p(off + ringHead + 16),
		tail:  a.u64p(off + ringTail), tseq: a.u32(off + ringTail + 8), rsleep: a.u32(off + ringTail + 12),
	}, nil
}

// Off returns the Ring's offset in its arena.
func (r *Ring) Off() int { return r.off }

// Buffered returns the number of bytes written and not yet read.
func (r *Ring) Buffered() int {
	return int(atomic.LoadUint64(r.tail) - atomic.LoadUint64(r.head))
}

// Empty reports whether no frame is waiting (Queue.empty(), equally
// unreliable with concurrent users).
func (r *Ring) Empty() bool { return r.Buffered() == 0 }

// WriteFrame appends one frame, waiting for space as needed, as a pipe
// write would block. Cancellation and timeout (seconds, negative: none)
// are as for WriteFrameCancel; the timeout covers taking the write lock and
// waiting for space.
func (r *Ring) WriteFrame(payload []byte, c *Cancel, timeout float64) error {
	if uint64(len(payload)) > MaxFrameSize {
		return &FrameTooLargeError{Size: len(payload), Max: MaxFrameSize}
	}
	dl := deadline(timeout)
	if ok, err := r.wlock.Acquire(true, remainingSeconds(dl), c); err != nil || !ok {
		if err == nil {
			err = ErrTimeout
		}
		return err
	}
	defer r.wlock.Release()
	var hdr [HeaderSize]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(payload)))
	total := HeaderSize + len(payload)
	// A frame that fits in the ring is copied whole and published once,
	// so readers never wait in the middle of it and an interruption
	// leaves nothing behind. A larger one streams through in pieces.
	if uint64(total) <= r.cap {
		if err := r.waitSpace(uint64(total), dl, c); err != nil {
			return err
		}
		tail := atomic.LoadUint64(r.tail)
		r.copyIn(tail, hdr[:])
		r.copyIn(tail+HeaderSize, payload)
		r.publish(tail + uint64(total))
		return nil
	}
	written := 0
	for _, part := range [2][]byte{hdr[:], payload} {
		for len(part) > 0 {
			if err := r.waitSpace(1, dl, c); err != nil {
				return interrupted(err, written, total)
			}
			tail := atomic.LoadUint64(r.tail)
			n := min(uint64(len(part)), r.cap-(tail-atomic.LoadUint64(r.head)))
			r.copyIn(tail, part[:n])
			r.publish(tail + n)
			part = part[n:]
			written += int(n)
			dl = time.Time{} // the frame has started: finish it
		}
	}
	return nil
}

func (r *Ring) copyIn(pos uint64, p []byte) {
	i := int(pos % r.cap)
	n := copy(r.data[i:], p)
	copy(r.data, p[n:])
}

func (r *Ring) copyOut(pos uint64, p []byte) {
	i := int(pos % r.cap)
	n := copy(p, r.data[i:])
	copy(p[n:], r.data)
}

// publish makes bytes up to tail visible (the atomic store orders the copy
// before it) and wakes a sleeping reader.
// TryWriteFrame appends one frame only if that needs no wait: the write
// lock is free and the ring has room for the whole frame now. It reports
// whether the frame was written; nothing is written otherwise. A
// multiprocessing Queue puts this way while its feeder has nothing
// buffered, so a put costs no hand-off to another thread.
func (r *Ring) TryWriteFrame(payload []byte) bool {
	total := uint64(HeaderSize + len(payload))
	if total > r.cap || !r.wlock.m.tryLock() {
		return false
	}
	r.wlock.owner.Store(mypid)
	defer r.wlock.Release()
	tail := atomic.LoadUint64(r.tail)
	if r.cap-(tail-atomic.LoadUint64(r.head)) < total {
		return false
	}
	var hdr [HeaderSize]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(payload)))
	r.copyIn(tail, hdr[:])
	r.copyIn(tail+HeaderSize, payload)
	r.publish(tail + total)
	return true
}

func (r *Ring) publish(tail uint64) {
	atomic.StoreUint64(r.tail, tail)
	r.tseq.Add(1)
	if r.rsleep.Load() != 0 {
		wake(r.tseq, 1<<31-1)
	}
}

func (r *Ring) consume(head uint64) {
	atomic.StoreUint64(r.head, head)
	r.hseq.Add(1)
	if r.wsleep.Load() != 0 && r.cap-(atomic.LoadUint64(r.tail)-head) >= atomic.LoadUint64(r.wneed) {
		wake(r.hseq, 1<<31-1)
	}
}

// spinWait is how many times a side re-checks before sleeping: a peer in
// the middle of a put or get usually finishes within microseconds, while a
// futex sleep and wake cost two syscalls.
const spinWait = 2000

// waitSpace waits until at least need bytes are free. A writer that has
// to sleep waits for a quarter of the ring (or its frame, if larger) so
// that a fast producer and a slower consumer meet once per batch, not once
// per message. The sleeper count is raised before the re-check, and consume
// stores head before bumping the sequence and reading the count: either
// the re-check sees the new head or the futex sees the new sequence, so no
// wake is lost. (Only the write-lock holder can be waiting here.)
func (r *Ring) waitSpace(need uint64, dl time.Time, c *Cancel) error {
	free := func() uint64 { return r.cap - (atomic.LoadUint64(r.tail) - atomic.LoadUint64(r.head)) }
	for i := 0; i < spinWait; i++ {
		if free() >= need {
			return nil
		}
	}
	atomic.StoreUint64(r.wneed, max(need, r.cap/4))
	r.wsleep.Add(1)
	defer r.wsleep.Add(^uint32(0))
	for {
		seq := r.hseq.Load()
		if free() >= atomic.LoadUint64(r.wneed) {
			return nil
		}
		if err := wait(r.hseq, seq, dl, c); err != nil {
			if free() >= need {
				return nil
			}
			return err
		}
	}
}

// waitData waits until bytes beyond head are published; see waitSpace.
func (r *Ring) waitData(head uint64, dl time.Time, c *Cancel) error {
	for i := 0; i < spinWait; i++ {
		if atomic.LoadUint64(r.tail) != head {
			return nil
		}
	}
	seq := r.tseq.Load()
	r.rsleep.Add(1)
	defer r.rsleep.Add(^uint32(0))
	if atomic.LoadUint64(r.tail) != head {
		return nil
	}
	return wait(r.tseq, seq, dl, c)
}

// ReadFrame removes the next frame and appends its payload to dst (pass
// a reused buffer's [:0] to avoid allocating). Frames above max bytes are a
// *FrameTooLargeError (the frame is skipped, so the Ring stays usable).
// The timeout (seconds, negative: none) covers taking the read lock and
// waiting for a frame to start; cancellation applies throughout, and in
// the middle of a frame leaves the Ring unusable.
func (r *Ring) ReadFrame(dst []byte, max int, c *Cancel, timeout float64) ([]byte, error) {
	dl := deadline(timeout)
	if ok, err := r.rlock.Acquire(true, remainingSeconds(dl), c); err != nil || !ok {
		if err == nil {
			err = ErrTimeout
		}
		return dst, err
	}
	defer r.rlock.Release()
	var hdr [HeaderSize]byte
	if err := r.readBytes(hdr[:], dl, c, true); err != nil {
		return dst, err
	}
	n := int(binary.BigEndian.Uint32(hdr[:]))
	if n > max {
		err := r.skip(uint64(n), c)
		if err == nil {
			err = &FrameTooLargeError{Size: n, Max: max}
		}
		return dst, err
	}
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	if err := r.readBytes(dst[start:], time.Time{}, c, false); err != nil {
		return dst[:start], err
	}
	return dst, nil
}

// readBytes fills p from the ring, consuming as it goes so that a frame
// larger than the ring can stream through.
func (r *Ring) readBytes(p []byte, dl time.Time, c *Cancel, start bool) error {
	for len(p) > 0 {
		head := atomic.LoadUint64(r.head)
		avail := atomic.LoadUint64(r.tail) - head
		if avail == 0 {
			if err := r.waitData(head, dl, c); err != nil {
				if !start {
					return midFrame(err)
				}
				return err
			}
			continue
		}
		n := min(uint64(len(p)), avail)
		r.copyOut(head, p[:n])
		r.consume(head + n)
		p = p[n:]
		start = false
		dl = time.Time{}
	}
	return nil
}

func (r *Ring) skip(n uint64, c *Cancel) error {
	for n > 0 {
		head := atomic.LoadUint64(r.head)
		avail := atomic.LoadUint64(r.tail) - head
		if avail == 0 {
			if err := r.waitData(head, time.Time{}, c); err != nil {
				return midFrame(err)
			}
			continue
		}
		k := min(n, avail)
		r.consume(head + k)
		n -= k
	}
	return nil
}

// remainingSeconds converts a deadline back to a timeout for Acquire.
func remainingSeconds(dl time.Time) float64 {
	r := remaining(dl)
	if r < 0 {
		return -1
	}
	return r.Seconds()
}
