package ipc

import (
	"encoding/binary"
	"time"
)

// FrameReaderSize is the read-ahead buffer of a FrameReader, in bytes.
const FrameReaderSize = 64 << 10

// FrameReader reads frames from a descriptor that this process reads
// alone (a Connection end), filling a 64 KiB buffer per read(2) so that a
// stream of small frames costs a syscall per buffer, not two per frame.
//
// Because it reads ahead, bytes of later frames sit in this process's
// memory: never share the descriptor with another reader (use a Stream
// under a Lock for that), and note that a child made by forkjs's replay
// fork does not inherit the buffer: the engine must not fork while
// Buffered() > 0 on a descriptor the child will read, or must hand the
// buffered bytes over. Not safe for concurrent use.
type FrameReader struct {
	s    *Stream
	max  int
	buf  []byte
	r, w int
}

// NewFrameReader returns a reader of frames on fd whose payloads may be up
// to max bytes. Make fd non-blocking for cheap cancellable reads.
func NewFrameReader(fd int, max int) *FrameReader {
	return NewStream(fd).NewFrameReader(max)
}

// NewFrameReader returns a reader with read-ahead over s's descriptor.
func (s *Stream) NewFrameReader(max int) *FrameReader {
	return &FrameReader{s: s, max: max, buf: make([]byte, FrameReaderSize)}
}

// Buffered returns how many bytes have been read from the descriptor but
// not yet returned as frames.
func (fr *FrameReader) Buffered() int { return fr.w - fr.r }

// Poll reports whether a frame (or EOF) can be read within timeout
// seconds (0: just check; negative: forever), as Connection.poll.
func (fr *FrameReader) Poll(timeout float64, c *Cancel) (bool, error) {
	if fr.Buffered() > 0 {
		return true, nil
	}
	return fr.s.Poll(timeout, c)
}

// ReadFrame returns the next frame's payload, valid until the next call.
// Errors, timeout and cancellation are as for ReadFrameCancel.
func (fr *FrameReader) ReadFrame(c *Cancel, timeout float64) ([]byte, error) {
	dl := deadline(timeout)
	for fr.Buffered() < HeaderSize {
		if err := fr.fill(c, dl, fr.Buffered() == 0); err != nil {
			return nil, err
		}
		dl = time.Time{} // a frame has started: no timeout for the rest
	}
	n := int(binary.BigEndian.Uint32(fr.buf[fr.r:]))
	if n > fr.max {
		return nil, &FrameTooLargeError{Size: n, Max: fr.max}
	}
	fr.r += HeaderSize
	if n > len(fr.buf)-HeaderSize {
		// Too big for the buffer: read the remainder straight into the
		// payload.
		p := make([]byte, n)
		k := copy(p, fr.buf[fr.r:fr.w])
		fr.r, fr.w = 0, 0
		if err := fr.s.readFull(p[k:], c, time.Time{}, false); err != nil {
			return nil, err
		}
		return p, nil
	}
	for fr.Buffered() < n {
		if err := fr.fill(c, time.Time{}, false); err != nil {
			return nil, err
		}
	}
	p := fr.buf[fr.r : fr.r+n]
	fr.r += n
	return p, nil
}

// fill reads more bytes after moving the unread tail to the front. start
// says no byte of the current frame has arrived yet.
func (fr *FrameReader) fill(c *Cancel, dl time.Time, start bool) error {
	if fr.r > 0 {
		fr.w = copy(fr.buf, fr.buf[fr.r:fr.w])
		fr.r = 0
	}
	n, err := fr.s.readSome(fr.buf[fr.w:], c, dl, start)
	fr.w += n
	return err
}
