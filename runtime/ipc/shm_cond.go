package ipc

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Condition is a cross-process condition variable over a Lock or RLock of
// the same arena, as multiprocessing.Condition. It uses CPython's own
// algorithm (multiprocessing/synchronize.py): three semaphores counting
// sleepers, wake-ups and woken processes, so that Notify(n) wakes at most n
// waiters and returns only once they have woken.
//
// As in Python, a process killed while waiting leaves its sleeper count
// behind, and a later Notify may wait for it to wake.
//
// Layout: kind, lock kind, lock offset (8 bytes), then the sleeping, woken
// and wait semaphores (12 bytes each).
type Condition struct {
	off      int
	lock     condLock
	sleeping sem
	woken    sem
	waitSem  sem
}

// condLock is what a Condition needs from its lock.
type condLock interface {
	Acquire(block bool, timeout float64, c *Cancel) (bool, error)
	Release() error
	Off() int
	isMine() (bool, int)
	releaseAll()
	restore(level int) error
}

// NewCondition allocates a Condition over lock, a *Lock or *RLock of this
// arena, or a new RLock if lock is nil (Python's default).
func (a *Arena) NewCondition(lock any) (*Condition, error) {
	var kind uint32
	switch l := lock.(type) {
	case nil:
		r, err := a.NewRLock()
		if err != nil {
			return nil, err
		}
		lock, kind = r, kindRLock
	case *Lock:
		if l.a != a {
			return nil, fmt.Errorf("ipc: a Condition's lock must live in the same arena")
		}
		kind = kindLock
	case *RLock:
		if l.a != a {
			return nil, fmt.Errorf("ipc: a Condition's lock must live in the same arena")
		}
		kind = kindRLock
	default:
		return nil, fmt.Errorf("ipc: a Condition needs a Lock or RLock, not %T", lock)
	}
	off, err := a.alloc(objAlign, kindCondition)
	if err != nil {
		return nil, err
	}
	a.u32(off + 4).Store(kind)
	atomic.StoreUint64(a.u64p(off+8), uint64(lock.(condLock).Off()))
	return a.AttachCondition(off)
}

// AttachCondition returns the Condition at off, with its lock.
func (a *Arena) AttachCondition(off int) (*Condition, error) {
	if _, err := a.expect(off, kindCondition); err != nil {
		return nil, err
	}
	lockOff := int(atomic.LoadUint64(a.u64p(off + 8)))
	var lock condLock
	var err error
	if a.u32(off+4).Load() == kindLock {
		lock, err = a.AttachLock(lockOff)
	} else {
		lock, err = a.AttachRLock(lockOff)
	}
	if err != nil {
		return nil, err
	}
	return &Condition{off: off, lock: lock,
		sleeping: a.semAt(off + 16), woken: a.semAt(off + 28), waitSem: a.semAt(off + 40)}, nil
}

// Off returns the Condition's offset in its arena.
func (c *Condition) Off() int { return c.off }

// Lock returns the underlying *Lock or *RLock.
func (c *Condition) Lock() any { return c.lock }

// Acquire acquires the underlying lock (Condition.acquire).
func (c *Condition) Acquire(block bool, timeout float64, cancel *Cancel) (bool, error) {
	return c.lock.Acquire(block, timeout, cancel)
}

// Release releases the underlying lock (Condition.release).
func (c *Condition) Release() error { return c.lock.Release() }

// Wait releases the lock (every level of an RLock), sleeps until notified
// or timeout seconds pass (negative: forever), re-acquires the lock at its
// former level and reports whether it was notified, as Condition.wait.
// The caller must hold the lock (ErrConditionNotOwned). If cancel fires the
// lock is still re-acquired before ErrCancelled is returned, so the caller's
// "finally: release" stays correct.
func (c *Condition) Wait(timeout float64, cancel *Cancel) (bool, error) {
	mine, level := c.lock.isMine()
	if !mine {
		return false, ErrConditionNotOwned
	}
	if err := c.sleeping.release(); err != nil {
		return false, err
	}
	c.lock.releaseAll()
	err := c.waitSem.acquire(deadline(timeout), cancel)
	_ = c.woken.release()
	if rerr := c.lock.restore(level); rerr != nil && err == nil {
		err = rerr
	}
	if err == ErrTimeout {
		return false, nil
	}
	return err == nil, err
}

// Notify wakes up to n waiters and waits until they have woken, as
// Condition.notify(n). The caller must hold the lock.
func (c *Condition) Notify(n int) error {
	if mine, _ := c.lock.isMine(); !mine {
		return ErrConditionNotOwned
	}
	// Account for waiters that timed out since the last notify.
	for c.woken.tryAcquire() {
		c.sleeping.tryAcquire()
	}
	sleepers := 0
	for sleepers < n && c.sleeping.tryAcquire() {
		if err := c.waitSem.release(); err != nil {
			return err
		}
		sleepers++
	}
	for i := 0; i < sleepers; i++ {
		if err := c.woken.acquire(time.Time{}, nil); err != nil {
			return err
		}
	}
	// Re-zero the wait semaphore in case some waiters timed out just now.
	for c.waitSem.tryAcquire() {
	}
	return nil
}

// NotifyAll wakes every waiter (Condition.notify_all).
func (c *Condition) NotifyAll() error { return c.Notify(1<<31 - 1) }

// WaitFor waits until pred returns true, re-checking after each wake-up,
// for at most timeout seconds overall (negative: forever), and returns
// pred's last result, as Condition.wait_for. An error from pred ends the
// wait and is returned.
func (c *Condition) WaitFor(pred func() (bool, error), timeout float64, cancel *Cancel) (bool, error) {
	ok, err := pred()
	if ok || err != nil {
		return ok, err
	}
	dl := deadline(timeout)
	for !ok {
		wt := -1.0
		if !dl.IsZero() {
			wt = time.Until(dl).Seconds()
			if wt <= 0 {
				break
			}
		}
		if _, err := c.Wait(wt, cancel); err != nil {
			return false, err
		}
		if ok, err = pred(); err != nil {
			return false, err
		}
	}
	return ok, nil
}

// releaseAll and restore let a Condition drop and re-take its lock.

func (l *Lock) releaseAll() { _ = l.Release() }

func (l *Lock) restore(int) error {
	if err := l.m.lock(time.Time{}, nil); err != nil {
		return err
	}
	l.owner.Store(mypid)
	return nil
}

func (r *RLock) releaseAll() {
	r.count.Store(0)
	r.owner.Store(0)
	r.m.unlock()
}
