package ipc

import (
	"sync/atomic"
	"time"
)

// mutex is the futex word of Lock and RLock (Drepper, "Futexes Are
// Tricky", mutex 2): 0 unlocked, 1 locked, 2 locked with possible
// sleepers, so an uncontended acquire and release make no syscall.
type mutex struct {
	state *atomic.Uint32
}

func (m mutex) tryLock() bool { return m.state.CompareAndSwap(0, 1) }

func (m mutex) lock(dl time.Time, c *Cancel) error {
	if m.state.CompareAndSwap(0, 1) {
		return nil
	}
	for {
		// Announce a sleeper (2) unless the lock was free, in which case
		// the swap took it (still marked 2: a wake may be spurious, never
		// lost).
		if m.state.Swap(2) == 0 {
			return nil
		}
		if err := wait(m.state, 2, dl, c); err != nil {
			return err
		}
	}
}

// unlock releases; false if the mutex was not locked.
func (m mutex) unlock() bool {
	for {
		v := m.state.Load()
		if v == 0 {
			return false
		}
		if m.state.CompareAndSwap(v, 0) {
			if v == 2 {
				wake(m.state, 1)
			}
			return true
		}
	}
}

// Lock is a cross-process non-recursive lock, as multiprocessing.Lock:
// any process may release it, and releasing it unlocked is an error. It
// records the pid of the process that holds it (Owner), which Condition
// uses to check that its lock is held.
//
// A process that dies holding a Lock leaves it locked, as in Python (whose
// semaphores are equally unaware of their holder's death): waiters block
// until their timeout. Owner lets a supervisor notice a dead holder.
//
// Layout (one 64-byte block): kind, state, owner pid.
type Lock struct {
	a     *Arena
	off   int
	m     mutex
	owner *atomic.Uint32
}

// NewLock allocates an unlocked Lock.
func (a *Arena) NewLock() (*Lock, error) {
	off, err := a.alloc(objAlign, kindLock)
	if err != nil {
		return nil, err
	}
	return a.AttachLock(off)
}

// AttachLock returns the Lock at off (in this or another process).
func (a *Arena) AttachLock(off int) (*Lock, error) {
	if _, err := a.expect(off, kindLock); err != nil {
		return nil, err
	}
	return &Lock{a: a, off: off, m: mutex{a.u32(off + 4)}, owner: a.u32(off + 8)}, nil
}

// Off returns the Lock's offset in its arena: with the arena's fd, its
// descriptor for another process.
func (l *Lock) Off() int { return l.off }

// Acquire takes the lock, as multiprocessing.Lock.acquire(block, timeout):
// with block false it only tries; otherwise it waits up to timeout seconds
// (negative: forever). It reports whether the lock was taken, and returns
// ErrCancelled if c fires while waiting.
func (l *Lock) Acquire(block bool, timeout float64, c *Cancel) (bool, error) {
	if l.m.tryLock() {
		l.owner.Store(mypid)
		return true, nil
	}
	err := l.m.lock(waitDeadline(block, timeout), c)
	if err == ErrTimeout {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	l.owner.Store(mypid)
	return true, nil
}

// Release unlocks, as multiprocessing.Lock.release: ErrReleasedTooMany if
// it was not locked.
func (l *Lock) Release() error {
	prev := l.owner.Swap(0)
	if !l.m.unlock() {
		l.owner.CompareAndSwap(0, prev)
		return ErrReleasedTooMany
	}
	return nil
}

// Locked reports whether the lock is held (by anyone).
func (l *Lock) Locked() bool { return l.m.state.Load() != 0 }

// Owner returns the pid of the holder, or 0 when unlocked.
func (l *Lock) Owner() int { return int(l.owner.Load()) }

// isMine reports whether this process holds the lock, and how many levels
// (always 1 for a Lock).
func (l *Lock) isMine() (bool, int) { return l.Locked() && l.owner.Load() == mypid, 1 }

// RLock is a cross-process recursive lock, as multiprocessing.RLock: the
// holding process may acquire it again and must release it as many times;
// the owner is the process (pid), since a forkjs process runs its script on
// one thread. Releasing it from a process that does not hold it is
// ErrNotOwner.
//
// Layout: kind, state, owner pid, recursion count.
type RLock struct {
	a     *Arena
	off   int
	m     mutex
	owner *atomic.Uint32
	count *atomic.Uint32
}

// NewRLock allocates an unlocked RLock.
func (a *Arena) NewRLock() (*RLock, error) {
	off, err := a.alloc(objAlign, kindRLock)
	if err != nil {
		return nil, err
	}
	return a.AttachRLock(off)
}

// AttachRLock returns the RLock at off.
func (a *Arena) AttachRLock(off int) (*RLock, error) {
	if _, err := a.expect(off, kindRLock); err != nil {
		return nil, err
	}
	return &RLock{a: a, off: off, m: mutex{a.u32(off + 4)}, owner: a.u32(off + 8), count: a.u32(off + 12)}, nil
}

// Off returns the RLock's offset in its arena.
func (r *RLock) Off() int { return r.off }

// Acquire takes the lock or, if this process holds it, one more level of
// it, as multiprocessing.RLock.acquire(block, timeout); see Lock.Acquire.
func (r *RLock) Acquire(block bool, timeout float64, c *Cancel) (bool, error) {
	if r.owner.Load() == mypid && r.m.state.Load() != 0 {
		r.count.Add(1)
		return true, nil
	}
	if !r.m.tryLock() {
		err := r.m.lock(waitDeadline(block, timeout), c)
		if err == ErrTimeout {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	r.owner.Store(mypid)
	r.count.Store(1)
	return true, nil
}

// Release drops one level; the lock is free when the last level is
// released. ErrNotOwner if this process does not hold it.
func (r *RLock) Release() error {
	if r.owner.Load() != mypid || r.count.Load() == 0 {
		return ErrNotOwner
	}
	if r.count.Add(^uint32(0)) == 0 {
		r.owner.Store(0)
		r.m.unlock()
	}
	return nil
}

// Owner returns the pid of the holder, or 0 when unlocked.
func (r *RLock) Owner() int { return int(r.owner.Load()) }

// Count returns the recursion level held by its owner (0 when unlocked).
func (r *RLock) Count() int { return int(r.count.Load()) }

func (r *RLock) isMine() (bool, int) {
	return r.owner.Load() == mypid && r.count.Load() > 0, int(r.count.Load())
}

// restore re-takes the lock at the recursion level a Condition wait saved.
func (r *RLock) restore(level int) error {
	if err := r.m.lock(time.Time{}, nil); err != nil {
		return err
	}
	r.owner.Store(mypid)
	r.count.Store(uint32(level))
	return nil
}
