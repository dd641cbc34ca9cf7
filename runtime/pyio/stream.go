package pyio

import (
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// bufferSize is Python's io.DEFAULT_BUFFER_SIZE.
const bufferSize = 8192

// stream is the buffered descriptor under a file object (Python's
// BufferedReader/BufferedWriter); a text file and its .buffer share one.
type stream struct {
	fd       int
	closefd  bool
	closed   bool
	readable bool
	writable bool
	seekable int // -1 unknown, 0 no, 1 yes
	tty      bool
	lineBuf  bool // flush text writes at each newline
	wbuf     []byte
	flushErr error  // a flush that failed with nobody to tell (reported at exit)
	rbuf     []byte // raw bytes read ahead, not yet consumed
	eof      bool
}

// writeAll writes b to fd, retrying short writes and EINTR. A blocked
// write can be interrupted (Ctrl-C) through c.
func writeAll(fd int, b []byte, c *engine.Cancel) error {
	if c != nil {
		_, err := WriteFD(fd, b, *c)
		return err
	}
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// waitFD waits until fd is ready for events or c fires (ErrWoken); a
// descriptor not open for that direction fails at once with EBADF.
func waitFD(fd int, events int16, c engine.Cancel) error {
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err != nil {
		return err
	} else if acc := fl & unix.O_ACCMODE; (events == unix.POLLOUT && acc == unix.O_RDONLY) || (events == unix.POLLIN && acc == unix.O_WRONLY) {
		return unix.EBADF
	}
	pfd := []unix.PollFd{{Fd: int32(fd), Events: events}, {Fd: int32(c.FD), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(pfd, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if pfd[1].Revents != 0 {
			return engine.ErrWoken
		}
		return nil
	}
}

// flush writes the buffered bytes. With a Cancel the write can be
// interrupted (Ctrl-C); what was written is dropped from the buffer.
func (s *stream) flush(c ...engine.Cancel) error {
	if len(s.wbuf) == 0 {
		return nil
	}
	var err error
	if len(c) > 0 {
		var n int
		n, err = WriteFD(s.fd, s.wbuf, c[0])
		s.wbuf = append(s.wbuf[:0], s.wbuf[n:]...)
		if err != nil {
			return err
		}
		return nil
	}
	err = writeAll(s.fd, s.wbuf, nil)
	s.wbuf = s.wbuf[:0]
	return err
}

// write buffers b, flushing when the buffer is full (large writes go
// straight to the descriptor, as BufferedWriter does); c makes a blocked
// write interruptible.
func (s *stream) write(b []byte, forceFlush bool, c engine.Cancel) error {
	if len(s.wbuf)+len(b) > bufferSize {
		if err := s.flush(c); err != nil {
			return err
		}
		if len(b) >= bufferSize {
			_, err := WriteFD(s.fd, b, c)
			return err
		}
	}
	s.wbuf = append(s.wbuf, b...)
	if forceFlush {
		return s.flush(c)
	}
	return nil
}

// fill reads more raw bytes into rbuf; it reports false at EOF. The read
// waits in poll first so that Ctrl-C can interrupt it.
func (s *stream) fill(c engine.Cancel, size int) (bool, error) {
	if s.eof {
		return false, nil
	}
	if size < bufferSize {
		size = bufferSize
	}
	if cap(s.rbuf)-len(s.rbuf) < size {
		nb := make([]byte, len(s.rbuf), len(s.rbuf)+size)
		copy(nb, s.rbuf)
		s.rbuf = nb
	}
	n, err := ReadFD(s.fd, s.rbuf[len(s.rbuf):len(s.rbuf)+size], c)
	if err != nil {
		return false, err
	}
	if n == 0 {
		s.eof = true
		return false, nil
	}
	s.rbuf = s.rbuf[:len(s.rbuf)+n]
	return true, nil
}

// readAll reads to EOF.
func (s *stream) readAll(c engine.Cancel) ([]byte, error) {
	for {
		more, err := s.fill(c, 64<<10)
		if err != nil {
			return nil, err
		}
		if !more {
			out := s.rbuf
			s.rbuf = nil
			return out, nil
		}
	}
}

// readSome returns up to n bytes, reading at most once if none are
// buffered (Python's BufferedReader.read1 is what os-level readers see;
// read(n) loops until n bytes or EOF).
func (s *stream) readN(c engine.Cancel, n int) ([]byte, error) {
	for len(s.rbuf) < n {
		more, err := s.fill(c, n-len(s.rbuf))
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
	}
	k := min(n, len(s.rbuf))
	out := append([]byte(nil), s.rbuf[:k]...)
	s.rbuf = s.rbuf[k:]
	return out, nil
}

func (s *stream) checkOpen() error {
	if s.closed {
		return pyerr.ValueErrorf("I/O operation on closed file.")
	}
	return nil
}

func isatty(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
