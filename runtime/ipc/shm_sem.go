package ipc

import (
	"errors"
	"math"
	"sync/atomic"
	"time"
)

// sem is a counting semaphore on three futex words: value, the number of
// sleepers (so release makes a syscall only when someone sleeps) and the
// bound (0: unbounded). It is embedded in Semaphore and, three times, in
// Condition.
type sem struct {
	value   *atomic.Uint32
	waiters *atomic.Uint32
	max     *atomic.Uint32
}

func (a *Arena) semAt(off int) sem {
	return sem{value: a.u32(off), waiters: a.u32(off + 4), max: a.u32(off + 8)}
}

func (s sem) tryAcquire() bool {
	for {
		v := s.value.Load()
		if v == 0 {
			return false
		}
		if s.value.CompareAndSwap(v, v-1) {
			return true
		}
	}
}

// acquire decrements, waiting while the value is 0. The sleeper count is
// raised before the futex re-checks the value, and release raises the
// value before reading the count: with Go's sequentially consistent
// atomics one of the two always sees the other, so no wake is lost.
func (s sem) acquire(dl time.Time, c *Cancel) error {
	for {
		if s.tryAcquire() {
			return nil
		}
		s.waiters.Add(1)
		err := wait(s.value, 0, dl, c)
		s.waiters.Add(^uint32(0))
		if err != nil {
			// A release may have raised the value just as we gave up;
			// taking it now keeps timeouts honest without losing it.
			if s.tryAcquire() {
				return nil
			}
			return err
		}
	}
}

func (s sem) release() error {
	for {
		v := s.value.Load()
		if m := s.max.Load(); m != 0 && v >= m {
			return ErrReleasedTooMany
		}
		if v == math.MaxUint32 {
			return &SyncError{"OverflowError", "semaphore value too large"}
		}
		if s.value.CompareAndSwap(v, v+1) {
			break
		}
	}
	if s.waiters.Load() != 0 {
		wake(s.value, 1)
	}
	return nil
}

// Semaphore is a cross-process counting semaphore, as
// multiprocessing.Semaphore, or multiprocessing.BoundedSemaphore when made
// by NewBoundedSemaphore (then releasing above the initial value is
// ErrReleasedTooMany).
//
// Layout: kind, value, sleepers, bound.
type Semaphore struct {
	off int
	s   sem
}

// NewSemaphore allocates a Semaphore with the given initial value (>= 0).
func (a *Arena) NewSemaphore(value int) (*Semaphore, error) {
	return a.newSemaphore(value, kindSemaphore)
}

// NewBoundedSemaphore allocates a BoundedSemaphore with the given initial
// value, which is also its maximum.
func (a *Arena) NewBoundedSemaphore(value int) (*Semaphore, error) {
	return a.newSemaphore(value, kindBoundedSemaphore)
}

func (a *Arena) newSemaphore(value int, kind uint32) (*Semaphore, error) {
	if value < 0 || value >= math.MaxUint32 {
		return nil, &SyncError{"ValueError", "semaphore initial value must be >= 0"}
	}
	if kind == kindBoundedSemaphore && value == 0 {
		// A bound of 0 would read as "unbounded"; a BoundedSemaphore(0)
		// can never be released anyway.
		return nil, errors.New("ipc: BoundedSemaphore(0) cannot be released; use a value >= 1")
	}
	off, err := a.alloc(objAlign, kind)
	if err != nil {
		return nil, err
	}
	s := a.semAt(off + 4)
	s.value.Store(uint32(value))
	if kind == kindBoundedSemaphore {
		s.max.Store(uint32(value))
	}
	return &Semaphore{off: off, s: s}, nil
}

// AttachSemaphore returns the Semaphore or BoundedSemaphore at off.
func (a *Arena) AttachSemaphore(off int) (*Semaphore, error) {
	if _, err := a.expect(off, kindSemaphore, kindBoundedSemaphore); err != nil {
		return nil, err
	}
	return &Semaphore{off: off, s: a.semAt(off + 4)}, nil
}

// Off returns the Semaphore's offset in its arena.
func (s *Semaphore) Off() int { return s.off }

// Bounded reports whether this is a BoundedSemaphore.
func (s *Semaphore) Bounded() bool { return s.s.max.Load() != 0 }

// Acquire decrements the value, as Semaphore.acquire(block, timeout): with
// block false it only tries; otherwise it waits up to timeout seconds
// (negative: forever) for the value to be positive. It reports whether it
// decremented, and returns ErrCancelled if c fires while waiting.
func (s *Semaphore) Acquire(block bool, timeout float64, c *Cancel) (bool, error) {
	if s.s.tryAcquire() {
		return true, nil
	}
	err := s.s.acquire(waitDeadline(block, timeout), c)
	if err == ErrTimeout {
		return false, nil
	}
	return err == nil, err
}

// Release increments the value and wakes one waiter, as
// Semaphore.release(); ErrReleasedTooMany for a BoundedSemaphore already at
// its bound.
func (s *Semaphore) Release() error { return s.s.release() }

// Value returns the current value (Semaphore.get_value()).
func (s *Semaphore) Value() int { return int(s.s.value.Load()) }
