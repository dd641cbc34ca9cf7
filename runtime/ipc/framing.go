package ipc

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"golang.org/x/sys/unix"
)

// Frames: a 4-byte big-endian payload length, then the payload. This is the
// transport of multiprocessing.Queue, SimpleQueue and Connection (Pipe), over
// pipes or socketpairs.
//
// Atomicity. A write of at most PipeBuf bytes to a pipe is atomic, so
// frames up to PipeBuf bytes including the header, written with one call as
// these functions do, never interleave with other writers. Larger writes
// can be split by the kernel and interleave with another process's frames:
// a descriptor written by several processes must then be guarded by a
// cross-process Lock (as multiprocessing.Queue's writer lock is) held for
// the whole WriteFrame or WriteFull.
//
// Readers. ReadFrame reads exactly one frame and nothing more (a header
// read, then a payload read), so several processes may take turns reading
// one pipe under a cross-process Lock, as Queue.get does. FrameReader reads
// ahead in large chunks and is for a descriptor that one process reads
// alone (a Connection end).
//
// (Packet-mode pipes, O_DIRECT, would make a frame one read(2), but each
// packet costs a page allocation and a pipe slot; measured here they were
// slower than two reads, so they are not used.)
//
// Blocking descriptors and non-blocking ones (O_NONBLOCK) both work: every
// wait is a poll(2) on the descriptor and the Cancel's eventfd, and EAGAIN
// just means "poll again". Non-blocking descriptors are faster when a
// Cancel or timeout is given (the read or write is tried first; a blocking
// descriptor must be polled before every call), and only with them is a
// write of a large frame into a full pipe interruptible at every point.
// The engine should create Queue and Pipe descriptors O_NONBLOCK.

// HeaderSize is the size of a frame header in bytes.
const HeaderSize = 4

// MaxFrameSize is the largest payload a header can describe, in bytes.
const MaxFrameSize = math.MaxUint32

// PipeBuf is POSIX PIPE_BUF on Linux: writes up to this many bytes to a
// pipe are atomic.
const PipeBuf = 4096

// FrameTooLargeError is returned by a reader when a header announces more
// than the caller's maximum. The header has been consumed, so the stream is
// no longer usable; the engine closes the connection.
type FrameTooLargeError struct {
	Size, Max int
}

// Error formats as "ipc: frame of N bytes exceeds the limit of M".
func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("ipc: frame of %d bytes exceeds the limit of %d", e.Size, e.Max)
}

// AppendFrame appends a header and payload to dst, for batching several
// frames into one WriteFull.
func AppendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}

// BeginFrame appends a placeholder header to dst and returns the extended
// slice and the frame's start offset: append the payload (for example with
// Codec.AppendEncode), then call EndFrame. This avoids copying payloads.
func BeginFrame(dst []byte) (buf []byte, start int) {
	return append(dst, 0, 0, 0, 0), len(dst)
}

// EndFrame fills in the header of the frame begun at start, whose payload
// runs to the end of buf. It fails if the payload is too large for a header.
func EndFrame(buf []byte, start int) error {
	n := len(buf) - start - HeaderSize
	if n < 0 {
		return fmt.Errorf("ipc: EndFrame without BeginFrame")
	}
	if uint64(n) > MaxFrameSize {
		return &FrameTooLargeError{Size: n, Max: MaxFrameSize}
	}
	binary.BigEndian.PutUint32(buf[start:], uint32(n))
	return nil
}

// WriteFrame writes one frame to fd with a single write (header and
// payload together, by writev for large payloads), blocking until it is
// written. It is not cancellable; see WriteFrameCancel.
func WriteFrame(fd int, payload []byte) error {
	return WriteFrameCancel(fd, payload, nil, -1)
}

// WriteFrameCancel is WriteFrame that gives up when c fires or after
// timeout seconds (negative: no timeout), returning ErrCancelled or
// ErrTimeout. If that happens after part of the frame was written, the
// error says so and the stream holds a partial frame: the engine must treat
// the connection as broken (Python's Connection is equally unusable after a
// KeyboardInterrupt in send). It inspects fd's flags on every call; a
// Stream does that once.
func WriteFrameCancel(fd int, payload []byte, c *Cancel, timeout float64) error {
	return NewStream(fd).WriteFrame(payload, c, timeout)
}

// WriteFull writes all of b (typically several frames built with
// AppendFrame or BeginFrame/EndFrame) to fd, with the same cancellation and
// timeout rules as WriteFrameCancel.
func WriteFull(fd int, b []byte, c *Cancel, timeout float64) error {
	return NewStream(fd).WriteFull(b, c, timeout)
}

// Poll reports whether fd has data (or EOF) to read within timeout seconds
// (0: just check; negative: wait forever), as Python's Connection.poll. It
// returns ErrCancelled if c fires first.
func Poll(fd int, timeout float64, c *Cancel) (bool, error) {
	_, err := waitFd(fd, unix.POLLIN, c, deadline(timeout))
	if err == ErrTimeout {
		return false, nil
	}
	return err == nil, err
}

// ReadFrame reads exactly one frame from fd, blocking until it arrives. It
// returns io.EOF if the stream ends cleanly before a frame, and
// io.ErrUnexpectedEOF if it ends inside one. max bounds the payload size
// (a *FrameTooLargeError beyond it).
func ReadFrame(fd int, max int) ([]byte, error) {
	return NewStream(fd).ReadFrame(max, nil, -1)
}

// ReadFrameCancel is ReadFrame with cancellation and a timeout in seconds
// (negative: none). The timeout covers the wait for the frame to start,
// as Queue.get's does; once its first byte has arrived the rest is
// awaited without one (the writer is mid-frame), but cancellation still
// applies and then leaves the stream unusable. It inspects fd's flags on
// every call; a Stream does that once.
func ReadFrameCancel(fd int, max int, c *Cancel, timeout float64) ([]byte, error) {
	return NewStream(fd).ReadFrame(max, c, timeout)
}

// waitFd polls fd for events (and c's eventfd) until fd is ready, c fires
// or the deadline passes. It returns the revents of fd; POLLHUP and POLLERR
// count as ready, so that the following read or write reports EOF or EPIPE.
func waitFd(fd int, events int16, c *Cancel, dl time.Time) (int16, error) {
	var fds [2]unix.PollFd
	fds[0] = unix.PollFd{Fd: int32(fd), Events: events}
	nfds := 1
	if c != nil {
		fds[1] = unix.PollFd{Fd: int32(c.fd), Events: unix.POLLIN}
		nfds = 2
	}
	for {
		if c.Fired() {
			return 0, ErrCancelled
		}
		ms := -1
		if r := remaining(dl); r >= 0 {
			ms = int((r + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := unix.Poll(fds[:nfds], ms)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if c.Fired() {
			return 0, ErrCancelled
		}
		if n > 0 && fds[0].Revents != 0 {
			if fds[0].Revents&unix.POLLNVAL != 0 {
				return 0, unix.EBADF
			}
			return fds[0].Revents, nil
		}
		if ms == 0 || (!dl.IsZero() && remaining(dl) == 0) {
			return 0, ErrTimeout
		}
	}
}

func interrupted(err error, written, total int) error {
	if written == 0 {
		return err
	}
	return fmt.Errorf("%w after writing %d of %d bytes; the stream now holds a partial frame", err, written, total)
}

func midFrame(err error) error {
	return fmt.Errorf("%w in the middle of a frame; the stream is no longer usable", err)
}
