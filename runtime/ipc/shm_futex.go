package ipc

import (
	"math"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Futex operations without FUTEX_PRIVATE_FLAG: the word lives in a
// MAP_SHARED mapping and the waiters are in other processes, so the kernel
// must key the wait on the physical page, which the private variants skip.
const (
	futexWait = 0 // FUTEX_WAIT
	futexWake = 1 // FUTEX_WAKE
)

// cancelSlice bounds each futex sleep when a Cancel is given: a fired
// Cancel is noticed within this time. (A futex cannot also wait on the
// Cancel's eventfd; 20 wake-ups a second per blocked process cost nothing.)
const cancelSlice = 50 * time.Millisecond

// wait sleeps while *w == val, until a wake, the deadline (ErrTimeout) or c
// firing (ErrCancelled). It may return nil spuriously; callers re-check
// their condition in a loop, as every futex user must.
func wait(w *atomic.Uint32, val uint32, dl time.Time, c *Cancel) error {
	for {
		if c.Fired() {
			return ErrCancelled
		}
		sleep := time.Duration(-1)
		if c != nil {
			sleep = cancelSlice
		}
		if r := remaining(dl); r >= 0 {
			if r == 0 {
				return ErrTimeout
			}
			if sleep < 0 || r < sleep {
				sleep = r
			}
		}
		var tsp unsafe.Pointer
		var ts unix.Timespec
		if sleep >= 0 {
			ts = unix.NsecToTimespec(int64(sleep))
			tsp = unsafe.Pointer(&ts)
		}
		_, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWait,
			uintptr(val), uintptr(tsp), 0, 0)
		switch errno {
		case unix.ETIMEDOUT:
			// A slice or the deadline ended: loop to check both.
			if w.Load() != val {
				return nil
			}
			continue
		default:
			// 0 (woken), EAGAIN (value already changed), EINTR: let the
			// caller re-check.
			return nil
		}
	}
}

// wake wakes up to n processes sleeping on w.
func wake(w *atomic.Uint32, n int) {
	if n > math.MaxInt32 {
		n = math.MaxInt32
	}
	_, _, _ = unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWake, uintptr(n), 0, 0, 0)
}

// mypid identifies this process as the owner of locks. forkjs children are
// re-executed, not forked, so the value computed at start-up is theirs.
var mypid = uint32(unix.Getpid())

// waitDeadline turns Python's acquire(block, timeout) into a deadline:
// non-blocking is a deadline already past.
func waitDeadline(block bool, timeout float64) time.Time {
	if !block {
		return time.Unix(0, 1)
	}
	return deadline(timeout)
}
