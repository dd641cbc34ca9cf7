package ipc

import (
	"errors"
	"math"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// ErrCancelled is returned by a blocking call that was interrupted by its
// Cancel (Ctrl-C in forkjs: the engine raises KeyboardInterrupt).
var ErrCancelled = errors.New("ipc: interrupted")

// ErrTimeout is returned by a blocking call whose timeout elapsed before it
// could complete (queue.Empty, a false poll(), ...).
var ErrTimeout = errors.New("ipc: timed out")

// Cancel is a level-triggered cancellation signal for blocking calls,
// because goja.Runtime.Interrupt does not stop a Go call in progress. Once
// fired it stays fired until Reset. It is both an atomic flag, which
// futex waits check between slices, and an eventfd, which poll(2)-based
// waits (framing) watch next to their descriptor, so a read blocked on a
// pipe returns at once. It is local to the process (close-on-exec).
// A nil *Cancel is valid and never fires. Safe for concurrent use.
type Cancel struct {
	fired atomic.Bool
	fd    int
}

// NewCancel creates an unfired Cancel. Its eventfd is placed at
// descriptor 64 or above, where forkjs keeps the descriptors it uses for
// itself, so that small numbers stay free for scripts.
func NewCancel() (*Cancel, error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, err
	}
	if high, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 64); err == nil {
		unix.Close(fd)
		fd = high
	}
	return &Cancel{fd: fd}, nil
}

// Fire cancels every current and future blocking call using c until Reset.
// It is safe to call from a signal-handling goroutine.
func (c *Cancel) Fire() {
	if c == nil || c.fired.Swap(true) {
		return
	}
	var one = [8]byte{1}
	_, _ = unix.Write(c.fd, one[:]) // eventfd counter: native-endian uint64 1
}

// Fired reports whether c has fired.
func (c *Cancel) Fired() bool { return c != nil && c.fired.Load() }

// Reset clears the signal (after the engine has raised KeyboardInterrupt).
func (c *Cancel) Reset() {
	if c == nil {
		return
	}
	var buf [8]byte
	_, _ = unix.Read(c.fd, buf[:]) // drain; EAGAIN when already clear
	c.fired.Store(false)
}

// Fd returns the eventfd that is readable while c is fired, for callers
// that run their own poll loops.
func (c *Cancel) Fd() int { return c.fd }

// Close releases the eventfd.
func (c *Cancel) Close() error {
	if c == nil {
		return nil
	}
	return unix.Close(c.fd)
}

// deadline turns a timeout in seconds into an absolute time; a negative
// timeout (Python's None) means no deadline, reported as the zero Time.
func deadline(timeout float64) time.Time {
	if timeout < 0 || math.IsNaN(timeout) {
		return time.Time{}
	}
	if timeout > 1e9 { // ~31 years: treat as forever, and avoid overflow
		return time.Time{}
	}
	return time.Now().Add(time.Duration(timeout * float64(time.Second)))
}

// remaining returns the time left before d, 0 if past, and -1 for no
// deadline.
func remaining(d time.Time) time.Duration {
	if d.IsZero() {
		return -1
	}
	r := time.Until(d)
	if r < 0 {
		return 0
	}
	return r
}
