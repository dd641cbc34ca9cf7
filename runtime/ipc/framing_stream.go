package ipc

import (
	"encoding/binary"
	"io"
	"time"

	"golang.org/x/sys/unix"
)

// Stream reads and writes frames on one descriptor, remembering its mode
// (non-blocking, packet) so that each call costs only the syscalls that
// move data. Without read-ahead it is safe for several processes to share
// the descriptor under a cross-process Lock. If the descriptor's flags are
// changed later, make a new Stream. A Stream holds no buffer between calls
// and is safe for concurrent use only as its descriptor is (one reader and
// one writer at a time).
type Stream struct {
	fd       int
	nonblock bool // O_NONBLOCK: try the syscall first, poll on EAGAIN
}

// NewStream inspects fd's flags once and returns a Stream for it. An fd
// whose flags cannot be read is treated as blocking.
func NewStream(fd int) *Stream {
	s := &Stream{fd: fd}
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err == nil {
		s.nonblock = fl&unix.O_NONBLOCK != 0
	}
	return s
}

// Fd returns the descriptor.
func (s *Stream) Fd() int { return s.fd }

// Poll reports whether the descriptor has data (or EOF) within timeout
// seconds; see the package-level Poll.
func (s *Stream) Poll(timeout float64, c *Cancel) (bool, error) {
	return Poll(s.fd, timeout, c)
}

// WriteFrame writes one frame with one write(2) (writev for large
// payloads); see WriteFrameCancel for cancellation and timeout.
func (s *Stream) WriteFrame(payload []byte, c *Cancel, timeout float64) error {
	if uint64(len(payload)) > MaxFrameSize {
		return &FrameTooLargeError{Size: len(payload), Max: MaxFrameSize}
	}
	if len(payload) <= PipeBuf-HeaderSize {
		// Small: one contiguous write, atomic on pipes; copying a small
		// payload costs less than a writev.
		return s.write([][]byte{AppendFrame(make([]byte, 0, HeaderSize+len(payload)), payload)}, c, deadline(timeout))
	}
	var hdr [HeaderSize]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(payload)))
	return s.write([][]byte{hdr[:], payload}, c, deadline(timeout))
}

// WriteFull writes b, one or more complete frames; see WriteFull.
func (s *Stream) WriteFull(b []byte, c *Cancel, timeout float64) error {
	return s.write([][]byte{b}, c, deadline(timeout))
}

func (s *Stream) write(iov [][]byte, c *Cancel, dl time.Time) error {
	total := 0
	for _, b := range iov {
		total += len(b)
	}
	written := 0
	// With a cancel or a deadline, a blocking descriptor is polled before
	// each write: write(2) itself could not be interrupted. A non-blocking
	// one is written first and polled only on EAGAIN.
	mustPoll := (c != nil || !dl.IsZero()) && !s.nonblock
	for len(iov) > 0 {
		if c.Fired() {
			return interrupted(ErrCancelled, written, total)
		}
		if mustPoll {
			if _, err := waitFd(s.fd, unix.POLLOUT, c, dl); err != nil {
				return interrupted(err, written, total)
			}
		}
		var n int
		var err error
		if len(iov) == 1 {
			n, err = unix.Write(s.fd, iov[0])
		} else {
			n, err = unix.Writev(s.fd, iov)
		}
		if n > 0 {
			written += n
			for n > 0 {
				if n >= len(iov[0]) {
					n -= len(iov[0])
					iov = iov[1:]
				} else {
					iov[0] = iov[0][n:]
					n = 0
				}
			}
			for len(iov) > 0 && len(iov[0]) == 0 {
				iov = iov[1:]
			}
			continue
		}
		switch err {
		case nil, unix.EINTR:
			continue
		case unix.EAGAIN:
			if _, err := waitFd(s.fd, unix.POLLOUT, c, dl); err != nil {
				return interrupted(err, written, total)
			}
			continue
		}
		return err
	}
	return nil
}

// ReadFrame reads exactly one frame; see ReadFrameCancel.
func (s *Stream) ReadFrame(max int, c *Cancel, timeout float64) ([]byte, error) {
	dl := deadline(timeout)
	var hdr [HeaderSize]byte
	if err := s.readFull(hdr[:], c, dl, true); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(hdr[:]))
	if n > max {
		return nil, &FrameTooLargeError{Size: n, Max: max}
	}
	payload := make([]byte, n)
	if err := s.readFull(payload, c, time.Time{}, false); err != nil {
		return nil, err
	}
	return payload, nil
}

// readFull fills b. first says b starts a frame: then EOF before any byte
// is io.EOF and the deadline applies until the first byte.
func (s *Stream) readFull(b []byte, c *Cancel, dl time.Time, first bool) error {
	got := 0
	for got < len(b) {
		n, err := s.readSome(b[got:], c, dl, first && got == 0)
		if err != nil {
			return err
		}
		got += n
		dl = time.Time{}
	}
	return nil
}

// readSome performs one successful read(2) into b, waiting as needed.
// start says no byte of the frame has been read yet: EOF is then io.EOF
// (else io.ErrUnexpectedEOF), the deadline applies, and an interruption
// leaves the stream intact (else the error says it is broken).
func (s *Stream) readSome(b []byte, c *Cancel, dl time.Time, start bool) (int, error) {
	mustPoll := (c != nil || !dl.IsZero()) && !s.nonblock
	for {
		if mustPoll || c.Fired() {
			if _, err := waitFd(s.fd, unix.POLLIN, c, dl); err != nil {
				if !start {
					return 0, midFrame(err)
				}
				return 0, err
			}
		}
		n, err := unix.Read(s.fd, b)
		if n > 0 {
			return n, nil
		}
		switch err {
		case nil: // end of stream
			if start {
				return 0, io.EOF
			}
			return 0, io.ErrUnexpectedEOF
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			if _, err := waitFd(s.fd, unix.POLLIN, c, dl); err != nil {
				if !start {
					return 0, midFrame(err)
				}
				return 0, err
			}
			continue
		}
		return 0, err
	}
}
