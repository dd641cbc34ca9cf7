package ipc

import (
	"math"
	"sync/atomic"
)

// Barrier states, as in CPython's threading.Barrier.
const (
	barrierFilling   = 0
	barrierDraining  = 1
	barrierResetting = -1
	barrierBroken    = -2
)

// Barrier is a cross-process barrier for a fixed number of parties, as
// multiprocessing.Barrier: a port of CPython's threading.Barrier (which
// multiprocessing runs over a shared Condition) onto a Condition and two
// shared counters. Its optional action is a Go callback passed to Wait,
// because it is a script function of whichever process arrives last.
//
// Layout: kind, parties, state, count, default timeout (float64 bits),
// offsets of its Lock and Condition.
type Barrier struct {
	off     int
	parties int
	state   *atomic.Int32
	count   *atomic.Int32
	timeout *uint64
	cond    *Condition
}

// NewBarrier allocates a Barrier for parties processes (>= 1) whose Wait
// times out after timeout seconds by default (negative: never).
func (a *Arena) NewBarrier(parties int, timeout float64) (*Barrier, error) {
	if parties < 1 || parties > math.MaxInt32 {
		return nil, &SyncError{"ValueError", "parties must be >= 1"}
	}
	lock, err := a.NewLock()
	if err != nil {
		return nil, err
	}
	cond, err := a.NewCondition(lock)
	if err != nil {
		return nil, err
	}
	off, err := a.alloc(objAlign, kindBarrier)
	if err != nil {
		return nil, err
	}
	a.u32(off + 4).Store(uint32(parties))
	if math.IsNaN(timeout) {
		timeout = -1
	}
	atomic.StoreUint64(a.u64p(off+16), math.Float64bits(timeout))
	atomic.StoreUint64(a.u64p(off+24), uint64(cond.Off()))
	return a.AttachBarrier(off)
}

// AttachBarrier returns the Barrier at off.
func (a *Arena) AttachBarrier(off int) (*Barrier, error) {
	if _, err := a.expect(off, kindBarrier); err != nil {
		return nil, err
	}
	cond, err := a.AttachCondition(int(atomic.LoadUint64(a.u64p(off + 24))))
	if err != nil {
		return nil, err
	}
	return &Barrier{off: off, parties: int(a.u32(off + 4).Load()), state: a.i32(off + 8),
		count: a.i32(off + 12), timeout: a.u64p(off + 16), cond: cond}, nil
}

// Off returns the Barrier's offset in its arena.
func (b *Barrier) Off() int { return b.off }

// Parties returns the number of parties (Barrier.parties).
func (b *Barrier) Parties() int { return b.parties }

// Wait blocks until all parties have called Wait and returns this
// caller's arrival index, 0 to parties-1, as Barrier.wait(timeout). A
// negative timeout means the barrier's default. The last party to arrive
// runs action (if not nil) before releasing the others; if action fails
// the barrier breaks and its error is returned. ErrBrokenBarrier if the
// barrier is or becomes broken (abort, reset while waiting, or a timeout,
// which breaks it for everyone); ErrCancelled if cancel fires.
func (b *Barrier) Wait(timeout float64, cancel *Cancel, action func() error) (int, error) {
	if timeout < 0 || math.IsNaN(timeout) {
		timeout = math.Float64frombits(atomic.LoadUint64(b.timeout))
	}
	if _, err := b.cond.Acquire(true, -1, cancel); err != nil {
		return 0, err
	}
	defer b.cond.Release()
	if err := b.enter(cancel); err != nil {
		return 0, err
	}
	index := int(b.count.Load())
	b.count.Add(1)
	defer b.exit()
	if index+1 == b.parties {
		return index, b.release(action)
	}
	return index, b.wait(timeout, cancel)
}

// enter waits while the barrier drains or resets.
func (b *Barrier) enter(cancel *Cancel) error {
	for s := b.state.Load(); s == barrierDraining || s == barrierResetting; s = b.state.Load() {
		if _, err := b.cond.Wait(-1, cancel); err != nil {
			return err
		}
	}
	if b.state.Load() < 0 {
		return ErrBrokenBarrier
	}
	return nil
}

func (b *Barrier) release(action func() error) error {
	if action != nil {
		if err := action(); err != nil {
			b.breakLocked()
			return err
		}
	}
	b.state.Store(barrierDraining)
	return b.cond.NotifyAll()
}

func (b *Barrier) wait(timeout float64, cancel *Cancel) error {
	ok, err := b.cond.WaitFor(func() (bool, error) { return b.state.Load() != barrierFilling, nil }, timeout, cancel)
	if err != nil {
		return err
	}
	if !ok {
		b.breakLocked()
		return ErrBrokenBarrier
	}
	if b.state.Load() < 0 {
		return ErrBrokenBarrier
	}
	return nil
}

// exit lets the last party out end draining or resetting.
func (b *Barrier) exit() {
	if b.count.Add(-1) == 0 {
		if s := b.state.Load(); s == barrierResetting || s == barrierDraining {
			b.state.Store(barrierFilling)
			_ = b.cond.NotifyAll()
		}
	}
}

// Reset returns the barrier to its initial state; processes waiting in it
// get ErrBrokenBarrier (Barrier.reset()).
func (b *Barrier) Reset(cancel *Cancel) error {
	if _, err := b.cond.Acquire(true, -1, cancel); err != nil {
		return err
	}
	defer b.cond.Release()
	if b.count.Load() > 0 {
		if s := b.state.Load(); s == barrierFilling || s == barrierBroken {
			b.state.Store(barrierResetting)
		}
	} else {
		b.state.Store(barrierFilling)
	}
	return b.cond.NotifyAll()
}

// Abort breaks the barrier: current and future Wait calls get
// ErrBrokenBarrier until Reset (Barrier.abort()).
func (b *Barrier) Abort(cancel *Cancel) error {
	if _, err := b.cond.Acquire(true, -1, cancel); err != nil {
		return err
	}
	defer b.cond.Release()
	b.breakLocked()
	return nil
}

func (b *Barrier) breakLocked() {
	b.state.Store(barrierBroken)
	_ = b.cond.NotifyAll()
}

// NWaiting returns the number of parties waiting (Barrier.n_waiting).
func (b *Barrier) NWaiting() int {
	if b.state.Load() == barrierFilling {
		return int(b.count.Load())
	}
	return 0
}

// Broken reports whether the barrier is broken (Barrier.broken).
func (b *Barrier) Broken() bool { return b.state.Load() == barrierBroken }
