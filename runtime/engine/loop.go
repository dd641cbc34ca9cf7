package engine

import (
	"container/heap"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// The event loop. One goroutine (the JS thread) owns the goja runtime.
// Other goroutines hand results back by completing a callback registered on
// the loop; each delivery is a journal entry (kindDispatch) with its
// payload, so a replaying child runs the same callbacks with the same data
// in the same order, without the goroutines.

// callback is a registered receiver of deliveries; ids are assigned on the
// JS thread in program order, so they are the same in a replaying child.
type callback struct {
	id      uint64
	deliver func(status byte, payload []byte) // decodes and runs, JS thread
	repeat  bool                              // a Source: many deliveries
	ref     bool                              // keeps the loop alive
	live    bool                              // survives a child going live
	timer   *timer
}

// completion is a delivery queued by a goroutine.
type completion struct {
	id      uint64
	status  byte
	payload []byte
}

type loop struct {
	mu      sync.Mutex
	queue   []completion
	notify  chan struct{} // capacity 1: the queue became non-empty
	cbs     map[uint64]*callback
	nextID  uint64
	refs    int
	timers  timerHeap
	running bool
}

func (l *loop) init() {
	l.notify = make(chan struct{}, 1)
	l.cbs = map[uint64]*callback{}
}

func (l *loop) register(cb *callback) {
	l.nextID++
	cb.id = l.nextID
	l.cbs[cb.id] = cb
	if cb.ref {
		l.refs++
	}
}

func (l *loop) unregister(cb *callback) {
	if _, ok := l.cbs[cb.id]; !ok {
		return
	}
	delete(l.cbs, cb.id)
	if cb.ref {
		l.refs--
	}
}

// enqueue is called from any goroutine.
func (rt *Runtime) enqueue(c completion) {
	l := &rt.loop
	l.mu.Lock()
	l.queue = append(l.queue, c)
	l.mu.Unlock()
	select {
	case l.notify <- struct{}{}:
	default:
	}
	rt.cancel.wake(wakeCallback)
}

// Pending is a one-shot asynchronous result delivered on the loop: create
// it on the JS thread with NewPending, hand Complete to a goroutine. While
// outstanding it keeps the loop (and so the script) alive.
type Pending[T any] struct {
	rt   *Runtime
	cb   *callback
	once sync.Once
}

// NewPending registers a one-shot callback: then runs on the JS thread with
// the value or error passed to Complete. In a replaying child Complete is
// never called; the journal delivers the same value instead. A Pending
// created before a fork and still outstanding is dropped in the child, as
// the parent's threads do not survive a real fork.
func NewPending[T any](rt *Runtime, then func(T, error)) *Pending[T] {
	p := &Pending[T]{rt: rt}
	p.cb = &callback{ref: true}
	p.cb.deliver = func(status byte, payload []byte) {
		var v T
		var err error
		if status == statusErr {
			pe := &pyerr.Error{}
			if derr := decMode.Unmarshal(payload, pe); derr != nil {
				panic(rt.vm.NewGoError(derr))
			}
			err = pe
		} else if derr := decodePayload(payload, &v); derr != nil {
			panic(rt.vm.NewGoError(derr))
		}
		then(v, err)
	}
	rt.loop.register(p.cb)
	return p
}

// Complete delivers the result; safe from any goroutine, effective once.
func (p *Pending[T]) Complete(v T, err error) {
	p.once.Do(func() { p.rt.enqueue(encodeCompletion(p.cb.id, v, err)) })
}

// Cancel drops the callback without running it (JS thread only).
func (p *Pending[T]) Cancel() { p.rt.loop.unregister(p.cb) }

func encodeCompletion(id uint64, v any, err error) completion {
	if err != nil {
		payload, merr := encMode.Marshal(pyerr.From(err))
		if merr != nil {
			panic(merr)
		}
		return completion{id: id, status: statusErr, payload: payload}
	}
	payload, merr := encodePayload(v)
	if merr != nil {
		panic(merr)
	}
	return completion{id: id, status: statusOK, payload: payload}
}

// Source delivers a stream of values on the loop (signals, messages). It
// keeps the loop alive only if ref is set, and survives into a forked
// child, whose binding restarts the feeding goroutine in an OnLive hook.
type Source[T any] struct {
	rt *Runtime
	cb *callback
}

// NewSource registers a repeating callback (JS thread only).
func NewSource[T any](rt *Runtime, ref bool, handler func(T)) *Source[T] {
	s := &Source[T]{rt: rt}
	s.cb = &callback{repeat: true, ref: ref, live: true}
	s.cb.deliver = func(status byte, payload []byte) {
		var v T
		if derr := decodePayload(payload, &v); derr != nil {
			panic(rt.vm.NewGoError(derr))
		}
		handler(v)
	}
	rt.loop.register(s.cb)
	return s
}

// Send queues one delivery; safe from any goroutine.
func (s *Source[T]) Send(v T) { s.rt.enqueue(encodeCompletion(s.cb.id, v, nil)) }

// Close unregisters the source (JS thread only).
func (s *Source[T]) Close() { s.rt.loop.unregister(s.cb) }

// dispatch runs one delivery and journals it (live mode).
func (rt *Runtime) dispatch(c completion) {
	cb := rt.loop.cbs[c.id]
	if cb == nil {
		return // cancelled after completion was queued
	}
	rt.journal.dispatch(c.id, c.status, c.payload)
	rt.runCallback(cb, c.status, c.payload)
}

func (rt *Runtime) runCallback(cb *callback, status byte, payload []byte) {
	if !cb.repeat {
		rt.loop.unregister(cb)
	}
	rt.callJS(func() { cb.deliver(status, payload) })
}

// timers

type timer struct {
	cb       *callback
	due      int64 // monotonic ns
	interval int64 // ns; 0 for a one-shot
	fn       goja.Callable
	args     []goja.Value
	index    int
	seq      uint64
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *timerHeap) Push(x any)   { t := x.(*timer); t.index = len(*h); *h = append(*h, t) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	t.index = -1
	return t
}
func (h timerHeap) peek() *timer { return h[0] }
func (h *timerHeap) remove(t *timer) {
	if t.index >= 0 {
		heap.Remove(h, t.index)
	}
}

// monoNow reads the monotonic clock in ns. CLOCK_MONOTONIC is system-wide,
// so a forked child's timers keep their parent's due times; the reading is
// journaled because timer due times decide what a live child runs next.
func (rt *Runtime) monoNow() int64 {
	v, _ := Do(rt, Input, "loop.now", 0, func() (int64, error) { return Monotonic(), nil })
	return v
}

// addTimer schedules fn after delay ns (JS thread).
func (rt *Runtime) addTimer(fn goja.Callable, delay int64, repeat bool, args []goja.Value) *timer {
	if delay < 0 {
		delay = 0
	}
	t := &timer{fn: fn, args: args, due: rt.monoNow() + delay}
	if repeat {
		t.interval = max(delay, int64(time.Millisecond))
	}
	t.cb = &callback{ref: true, repeat: repeat, live: true, timer: t}
	t.cb.deliver = func(byte, []byte) { rt.fireTimer(t) }
	rt.loop.register(t.cb)
	t.seq = t.cb.id
	heap.Push(&rt.loop.timers, t)
	return t
}

func (rt *Runtime) clearTimer(t *timer) {
	rt.loop.timers.remove(t)
	rt.loop.unregister(t.cb)
}

func (rt *Runtime) fireTimer(t *timer) {
	if t.interval > 0 {
		t.due += t.interval
		if t.index < 0 {
			heap.Push(&rt.loop.timers, t)
		} else {
			heap.Fix(&rt.loop.timers, t.index)
		}
	} else {
		rt.loop.timers.remove(t)
		delete(rt.timerObjs(), t.cb.id) // clearTimeout of a fired timer is a no-op
	}
	if _, err := t.fn(goja.Undefined(), t.args...); err != nil {
		panic(err)
	}
}

// runDue runs queued completions and due timers once (live mode); it
// reports whether it ran anything.
func (rt *Runtime) runDue() bool {
	l := &rt.loop
	l.mu.Lock()
	q := l.queue
	l.queue = nil
	l.mu.Unlock()
	ran := len(q) > 0
	for i, c := range q {
		func() {
			defer func() {
				if r := recover(); r != nil {
					// Keep the rest for the next turn, then propagate.
					l.mu.Lock()
					l.queue = append(append([]completion{}, q[i+1:]...), l.queue...)
					l.mu.Unlock()
					panic(r)
				}
			}()
			rt.dispatch(c)
		}()
	}
	if len(l.timers) > 0 {
		now := Monotonic()
		for len(l.timers) > 0 && l.timers.peek().due <= now {
			t := l.timers.peek()
			ran = true
			if t.interval == 0 {
				heap.Pop(&l.timers)
			}
			rt.dispatch(completion{id: t.cb.id})
		}
	}
	return ran
}

// alive reports whether anything keeps the loop running.
func (rt *Runtime) alive() bool {
	return rt.loop.refs > 0
}

// runLoop runs the event loop until nothing keeps it alive (live mode).
// It returns the first uncaught exception.
func (rt *Runtime) runLoop() error {
	for {
		if err := rt.catch(func() {
			// Marked running so that Ctrl-C interrupts a callback stuck in JS.
			rt.running.Store(true)
			defer rt.running.Store(false)
			rt.runDue()
		}); err != nil {
			return err
		}
		if err := rt.pendingDivergence(); err != nil {
			return rt.catch(func() { panic(rt.toJSError(pyerr.From(err))) })
		}
		if !rt.alive() {
			rt.loop.mu.Lock()
			empty := len(rt.loop.queue) == 0
			rt.loop.mu.Unlock()
			if empty {
				return nil
			}
			continue
		}
		if _, err := rt.idleWait(nil); err != nil {
			return err
		}
	}
}

// idleWait blocks until a completion arrives, a timer is due, a wake
// reason (Ctrl-C, a signal) is pending or a receive from stop succeeds
// (stopped is then true; a nil stop never fires).
func (rt *Runtime) idleWait(stop <-chan struct{}) (stopped bool, err error) {
	l := &rt.loop
	var tc <-chan time.Time
	if len(l.timers) > 0 {
		d := time.Duration(l.timers.peek().due - Monotonic())
		if d <= 0 {
			return false, nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		tc = t.C
	}
	l.mu.Lock()
	n := len(l.queue)
	l.mu.Unlock()
	if n > 0 {
		return false, nil
	}
	c := rt.cancel.arm(false)
	defer rt.cancel.disarm()
	select {
	case <-l.notify:
	case <-tc:
	case <-stop:
		return true, nil
	case <-c.C:
		return false, rt.catch(func() {
			if perr := rt.handleWake(false); perr != nil {
				panic(rt.toJSError(perr))
			}
		})
	}
	return false, nil
}
