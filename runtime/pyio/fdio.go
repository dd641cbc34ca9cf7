package pyio

import (
	"github.com/forkjs/forkjs/runtime/engine"
	"golang.org/x/sys/unix"
)

// Interruptible descriptor I/O. A read or write that would block must be
// interruptible by Ctrl-C (engine.Cancel), but the Go runtime restarts
// system calls after signals, so a plain blocking read(2) cannot be
// interrupted. Each call first tries the operation with RWF_NOWAIT (one
// system call when data or room is there, the common case) and only if it
// would block waits in poll(2) together with the cancel descriptor.
// Descriptors that do not support RWF_NOWAIT (some sockets, ttys on older
// kernels) fall back to poll then read/write.

// ReadFD reads at most len(buf) bytes from fd, as read(2), waiting until
// data arrives or c fires (engine.ErrWoken). EBADF for a descriptor not
// open for reading.
func ReadFD(fd int, buf []byte, c engine.Cancel) (int, error) {
	iov := [][]byte{buf}
	for {
		n, err := unix.Preadv2(fd, iov, -1, unix.RWF_NOWAIT)
		switch err {
		case nil:
			return n, nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			if err := waitFD(fd, unix.POLLIN, c); err != nil {
				return 0, err
			}
			continue
		case unix.EOPNOTSUPP, unix.EINVAL, unix.ESPIPE:
			if err := waitFD(fd, unix.POLLIN, c); err != nil {
				return 0, err
			}
			for {
				n, err := unix.Read(fd, buf)
				if err == unix.EINTR {
					continue
				}
				if err == unix.EAGAIN {
					break
				}
				return n, err
			}
			continue
		}
		return 0, err
	}
}

// WriteFD writes all of data to fd, waiting for room as needed; if c fires
// after part was written it returns the count so far (as Python's
// os.write after a signal), or engine.ErrWoken if nothing was. EPIPE when
// the reader is gone, EBADF for a descriptor not open for writing.
func WriteFD(fd int, data []byte, c engine.Cancel) (int, error) {
	total := 0
	nowait := true
	for len(data) > 0 {
		var n int
		var err error
		if nowait {
			n, err = unix.Pwritev2(fd, [][]byte{data}, -1, unix.RWF_NOWAIT)
			if err == unix.EOPNOTSUPP || err == unix.EINVAL || err == unix.ESPIPE {
				nowait = false
				continue
			}
		} else {
			if err = waitFD(fd, unix.POLLOUT, c); err == nil {
				n, err = unix.Write(fd, data)
			}
		}
		switch {
		case err == nil:
			total += n
			data = data[n:]
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			if werr := waitFD(fd, unix.POLLOUT, c); werr != nil {
				if werr == engine.ErrWoken && total > 0 {
					return total, nil
				}
				return total, werr
			}
		case err == engine.ErrWoken && total > 0:
			return total, nil
		default:
			return total, err
		}
	}
	return total, nil
}
