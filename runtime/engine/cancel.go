package engine

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Cancel is what a blocking host operation watches: C is closed, and FD (an
// eventfd) becomes readable, when the operation must stop and return
// ErrWoken. FD lets an operation blocked in poll(2) wake too.
type Cancel struct {
	C  <-chan struct{}
	FD int
	w  *waker
	g  uint64
}

// fired reports whether this Cancel has fired.
func (c Cancel) fired() bool {
	select {
	case <-c.C:
		return true
	default:
		return false
	}
}

// Wake reasons, a bit set.
const (
	wakeInterrupt uint32 = 1 << iota // Ctrl-C with the default handler
	wakeSignal                       // a signal with a JS handler is queued
	wakeCallback                     // a completion or timer is due
	wakeClosed                       // the runtime is closing
	wakeCancel                       // the run's context ended
)

// waker wakes the JS thread out of blocking calls and the idle loop.
// Reasons accumulate until the JS thread takes them.
type waker struct {
	mu      sync.Mutex
	ch      chan struct{}
	efd     int
	armed   atomic.Bool
	deliver atomic.Bool // the current blocking call wants callbacks
	reasons atomic.Uint32
	gen     uint64
}

func newWaker() *waker {
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		panic("forkjs: eventfd: " + err.Error())
	}
	return &waker{ch: make(chan struct{}), efd: HighFD(efd)}
}

// arm returns the Cancel for a blocking call. If a relevant reason is
// already pending, the Cancel is fired at once.
func (w *waker) arm(deliver bool) Cancel {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.deliver.Store(deliver)
	w.armed.Store(true)
	c := Cancel{C: w.ch, FD: w.efd, w: w, g: w.gen}
	if w.relevant(w.reasons.Load(), deliver) {
		w.fireLocked()
	}
	return c
}

func (w *waker) disarm() {
	w.armed.Store(false)
}

func (w *waker) relevant(r uint32, deliver bool) bool {
	if deliver {
		return r != 0
	}
	return r&^wakeCallback != 0
}

// wake adds a reason and fires the current Cancel if it cares.
func (w *waker) wake(reason uint32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reasons.Or(reason)
	if reason == wakeCallback && w.armed.Load() && !w.deliver.Load() {
		// Blocking call that does not deliver callbacks: leave it be; the
		// idle loop has its own channel for completions.
		return
	}
	w.fireLocked()
}

func (w *waker) fireLocked() {
	select {
	case <-w.ch:
	default:
		close(w.ch)
		var one = [8]byte{1}
		unix.Write(w.efd, one[:])
	}
}

// take returns the pending reasons and re-arms the waker; closed stays.
func (w *waker) take() uint32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := w.reasons.Swap(0)
	if sticky := r & (wakeClosed | wakeCancel); sticky != 0 {
		w.reasons.Store(sticky) // keeps waking every blocking call
		return r
	}
	select {
	case <-w.ch:
		w.ch = make(chan struct{})
		var buf [8]byte
		unix.Read(w.efd, buf[:])
		w.gen++
	default:
	}
	return r
}

// clearCancel drops a context cancellation after the run returned.
func (w *waker) clearCancel() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reasons.And(^wakeCancel)
	select {
	case <-w.ch:
		if w.reasons.Load() == 0 {
			w.ch = make(chan struct{})
			var buf [8]byte
			unix.Read(w.efd, buf[:])
			w.gen++
		}
	default:
	}
}

func (w *waker) close() {
	unix.Close(w.efd)
}
