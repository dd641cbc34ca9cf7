package multiprocessing

import (
	"errors"
	"hash/crc32"
	"math"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Queue, JoinableQueue and SimpleQueue (js/queue.js) over a Ring in a
// memfd of their own: frames of any size from any number of processes,
// no syscall per message, and a maxsize counted by a shared semaphore as
// Python counts it. The memfd is a descriptor the script can see, so a
// forked child inherits the queue.
//
// Every value a process gets from a queue is the journaled result of the
// get (the encoded bytes), decoded in both live and replaying processes
// from the same bytes: the journal grows by each message received.

// Queue kinds.
const (
	kindQueue = iota
	kindJoinable
	kindSimple
)

// RingSize is the capacity of a queue's ring, in bytes: frames larger
// than this stream through it in pieces.
const RingSize = 256 << 10

// semMax is the semaphore value of an unbounded queue (Python's
// SEM_VALUE_MAX).
const semMax = math.MaxInt32

// queueDesc is a queue's journaled description: its memfd and the offsets
// of its objects there.
type queueDesc struct {
	FD         int `cbor:"1,keyasint"`
	Ring       int `cbor:"2,keyasint"`
	Sem        int `cbor:"3,keyasint"`
	Cond       int `cbor:"4,keyasint,omitempty"`
	Unfinished int `cbor:"5,keyasint,omitempty"`
}

// queue is one Queue object in this process.
type queue struct {
	id         int
	kind       int
	maxsize    int
	desc       queueDesc
	closed     bool
	cancelJoin bool
	live       *queueLive
}

// queueLive is the queue's state in a live process: the mapping of its
// memfd and the feeder.
type queueLive struct {
	arena      *ipc.Arena
	ring       *ipc.Ring
	sem        *ipc.Semaphore
	cond       *ipc.Condition
	unfinished *ipc.Semaphore
	feeder     *feeder
	rbuf       []byte
	broken     error
}

func (q *queue) afterFork() {
	// As Python's Queue._after_fork: no buffer, no feeder, not closed
	// here; the live state is rebuilt from the inherited memfd.
	q.live = nil
	q.closed = false
	q.cancelJoin = false
}

// attach returns the live state, mapping the queue's memfd on first use
// (live only).
func (q *queue) attach() (*queueLive, error) {
	if q.live != nil {
		if q.live.broken != nil {
			return nil, q.live.broken
		}
		return q.live, nil
	}
	a, err := ipc.AttachArena(q.desc.FD)
	if err != nil {
		return nil, pyerr.New("OSError", "this queue's shared memory is not available in this process: %s", err.Error())
	}
	return q.bind(a)
}

func (q *queue) bind(a *ipc.Arena) (*queueLive, error) {
	l := &queueLive{arena: a}
	var err error
	if l.ring, err = a.AttachRing(q.desc.Ring); err != nil {
		return nil, err
	}
	if l.sem, err = a.AttachSemaphore(q.desc.Sem); err != nil {
		return nil, err
	}
	if q.kind == kindJoinable {
		if l.cond, err = a.AttachCondition(q.desc.Cond); err != nil {
			return nil, err
		}
		if l.unfinished, err = a.AttachSemaphore(q.desc.Unfinished); err != nil {
			return nil, err
		}
	}
	q.live = l
	return l, nil
}

// newQueue creates the shared objects of a queue (live) in a new memfd.
func (q *queue) create() (queueDesc, error) {
	a, err := newArena(RingSize + 64<<10)
	if err != nil {
		return queueDesc{}, err
	}
	fail := func(err error) (queueDesc, error) {
		a.Close()
		return queueDesc{}, err
	}
	d := queueDesc{FD: a.Fd()}
	r, err := a.NewRing(RingSize)
	if err != nil {
		return fail(err)
	}
	d.Ring = r.Off()
	size := semMax
	if q.maxsize > 0 {
		size = q.maxsize
	}
	s, err := a.NewSemaphore(size)
	if err != nil {
		return fail(err)
	}
	d.Sem = s.Off()
	if q.kind == kindJoinable {
		c, err := a.NewCondition(nil)
		if err != nil {
			return fail(err)
		}
		u, err := a.NewSemaphore(0)
		if err != nil {
			return fail(err)
		}
		d.Cond, d.Unfinished = c.Off(), u.Off()
	}
	q.desc = d
	if _, err := q.bind(a); err != nil {
		return fail(err)
	}
	return d, nil
}

func (m *mod) queueNatives() {
	rt, vm := m.rt, m.vm

	get := func(call goja.FunctionCall) *queue { return lookup(m, m.queues, call, "queue") }
	closedErr := func(q *queue) {
		if q.closed {
			rt.Throw(pyerr.ValueErrorf("Queue is closed"))
		}
	}

	// queue_new(kind, maxsize) -> id: a new queue's shared objects.
	m.set("queue_new", func(call goja.FunctionCall) goja.Value {
		kind, maxsize := argInt(call, 0), argInt(call, 1)
		if maxsize > semMax {
			maxsize = 0
		}
		q := &queue{id: m.newID(), kind: kind, maxsize: max(maxsize, 0)}
		d, err := engine.Do(rt, engine.Resource, "multiprocessing.Queue", engine.ArgsHash(kind, q.maxsize), q.create)
		m.check(err)
		q.desc = d
		rt.AddFD(d.FD)
		m.queues[q.id] = q
		return vm.ToValue(q.id)
	})

	// queue_put(id, obj, block, timeout): encodes obj now (TypeError if
	// it cannot be sent), takes a slot (queue.Full when none frees up in
	// time) and writes the frame into the ring if it can do so at once,
	// or else hands it to the feeder; SimpleQueue writes it before
	// returning.
	m.set("queue_put", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		closedErr(q)
		// Encoded into a buffer reused from put to put unless the feeder
		// keeps it (a put made by a getter during encoding gets its own).
		buf := m.putBuf
		m.putBuf = nil
		payload := m.appendEncode(buf[:0], "obj", call.Argument(1))
		kept := false
		defer func() {
			if !kept && cap(payload) <= 64<<10 {
				m.putBuf = payload
			}
		}()
		block := call.Argument(2).ToBoolean()
		timeout := argTimeout(call, 3)
		if q.kind == kindSimple {
			_, err := engine.Block(rt, "SimpleQueue.put", engine.ArgsHash(q.id, crc(payload)), false, func(c engine.Cancel) (struct{}, error) {
				l, err := q.attach()
				if err != nil {
					return struct{}{}, err
				}
				return struct{}{}, writeNow(&m.br, l, payload, c)
			})
			m.check(err)
			return goja.Undefined()
		}
		var dl time.Time
		_, err := engine.Block(rt, "Queue.put", engine.ArgsHash(q.id, crc(payload), block, timeout), false, func(c engine.Cancel) (struct{}, error) {
			l, err := q.attach()
			if err != nil {
				return struct{}{}, err
			}
			if dl.IsZero() {
				dl = deadlineOf(block, timeout)
			}
			ok, err := acquireSem(&m.br, l.sem, block, dl, c)
			if err != nil {
				return struct{}{}, err
			}
			if !ok {
				return struct{}{}, pyerr.New("Full", "")
			}
			if q.kind == kindJoinable {
				if err := joinablePut(&m.br, l, c); err != nil {
					l.sem.Release()
					return struct{}{}, err
				}
			}
			// Python's put hands every item to a feeder thread; writing
			// it here when the feeder is idle and the ring has room is
			// the same to every reader, and costs no thread hand-off.
			if l.feeder == nil {
				if l.ring.TryWriteFrame(payload) {
					return struct{}{}, nil
				}
				if l.feeder, err = newFeeder(l.ring); err != nil {
					// no goroutine to hand it to: write it now
					l.feeder = nil
					return struct{}{}, writeNow(&m.br, l, payload, c)
				}
			} else if l.feeder.tryWrite(payload) {
				return struct{}{}, nil
			}
			kept = true
			l.feeder.push(payload)
			return struct{}{}, nil
		})
		m.check(err)
		return goja.Undefined()
	})

	// queue_get(id, block, timeout) -> the next value; queue.Empty when
	// none arrives in time (or at once with block false).
	m.set("queue_get", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		closedErr(q)
		block := call.Argument(1).ToBoolean() || q.kind == kindSimple
		timeout := argTimeout(call, 2)
		if q.kind == kindSimple {
			timeout = -1
		}
		var dl time.Time
		b, err := engine.Block(rt, "Queue.get", engine.ArgsHash(q.id, block, timeout), false, func(c engine.Cancel) ([]byte, error) {
			l, err := q.attach()
			if err != nil {
				return nil, err
			}
			if dl.IsZero() {
				dl = deadlineOf(block, timeout)
			}
			b, err := q.read(&m.br, l, dl, c)
			if err != nil {
				return nil, err
			}
			if q.kind != kindSimple {
				l.sem.Release()
			}
			return b, nil
		})
		m.check(err)
		return m.decode(b)
	})

	// queue_qsize(id) -> approximate number of items (Queue.qsize).
	m.set("queue_qsize", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		n, err := engine.Do(rt, engine.Input, "Queue.qsize", engine.ArgsHash(q.id), func() (int, error) {
			l, err := q.attach()
			if err != nil {
				return 0, err
			}
			size := semMax
			if q.maxsize > 0 {
				size = q.maxsize
			}
			return size - l.sem.Value(), nil
		})
		m.check(err)
		return vm.ToValue(n)
	})
	// queue_empty(id) -> whether no item is ready to get (Queue.empty).
	m.set("queue_empty", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		closedErr(q)
		empty, err := engine.Do(rt, engine.Input, "Queue.empty", engine.ArgsHash(q.id), func() (bool, error) {
			l, err := q.attach()
			if err != nil {
				return false, err
			}
			return l.ring.Empty(), nil
		})
		m.check(err)
		return vm.ToValue(empty)
	})
	// queue_full(id) -> whether maxsize items are in the queue.
	m.set("queue_full", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		full, err := engine.Do(rt, engine.Input, "Queue.full", engine.ArgsHash(q.id), func() (bool, error) {
			l, err := q.attach()
			if err != nil {
				return false, err
			}
			return l.sem.Value() == 0, nil
		})
		m.check(err)
		return vm.ToValue(full)
	})
	// queue_close(id): no more puts or gets from this process; the feeder
	// flushes what is buffered, then the descriptor is closed.
	m.set("queue_close", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		if q.closed {
			return goja.Undefined()
		}
		q.closed = true
		fd := q.desc.FD
		engine.Do(rt, engine.Effect, "Queue.close", engine.ArgsHash(q.id), func() (struct{}, error) {
			if q.live != nil && q.live.feeder != nil {
				q.live.feeder.close(fd)
			} else {
				unix.Close(fd)
			}
			return struct{}{}, nil
		})
		rt.RemoveFD(fd)
		return goja.Undefined()
	})
	// queue_join_thread(id): waits until the feeder has written everything
	// this process put (Queue.join_thread; Ctrl-C interrupts).
	m.set("queue_join_thread", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		m.check(m.flushQueue(q))
		return goja.Undefined()
	})
	// queue_cancel_join_thread(id): this process will not wait for the
	// feeder at exit; buffered items may be lost.
	m.set("queue_cancel_join_thread", func(call goja.FunctionCall) goja.Value {
		get(call).cancelJoin = true
		return goja.Undefined()
	})
	// queues_at_exit(): the exit-time flush of every feeder (Python's
	// _finalize_join), in creation order.
	m.set("queues_at_exit", func(call goja.FunctionCall) goja.Value {
		for _, id := range sortedKeys(m.queues) {
			q := m.queues[id]
			if q.cancelJoin {
				engine.Do(rt, engine.Effect, "Queue.abandon", engine.ArgsHash(q.id), func() (struct{}, error) {
					if q.live != nil && q.live.feeder != nil {
						q.live.feeder.abandon()
					}
					return struct{}{}, nil
				})
				continue
			}
			m.check(m.flushQueue(q))
		}
		return goja.Undefined()
	})
	// queue_task_done(id): JoinableQueue.task_done; ValueError if called
	// more times than items were put.
	m.set("queue_task_done", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		_, err := engine.Block(rt, "JoinableQueue.task_done", engine.ArgsHash(q.id), false, func(c engine.Cancel) (struct{}, error) {
			l, err := q.attach()
			if err != nil {
				return struct{}{}, err
			}
			if err := lockCond(&m.br, l.cond, c); err != nil {
				return struct{}{}, err
			}
			defer l.cond.Release()
			if ok, _ := l.unfinished.Acquire(false, 0, nil); !ok {
				return struct{}{}, pyerr.ValueErrorf("task_done() called too many times")
			}
			if l.unfinished.Value() == 0 {
				l.cond.NotifyAll()
			}
			return struct{}{}, nil
		})
		m.check(err)
		return goja.Undefined()
	})
	// queue_join(id): JoinableQueue.join, until every item put has been
	// marked done.
	m.set("queue_join", func(call goja.FunctionCall) goja.Value {
		q := get(call)
		_, err := engine.Block(rt, "JoinableQueue.join", engine.ArgsHash(q.id), false, func(c engine.Cancel) (struct{}, error) {
			l, err := q.attach()
			if err != nil {
				return struct{}{}, err
			}
			if err := lockCond(&m.br, l.cond, c); err != nil {
				return struct{}{}, err
			}
			defer l.cond.Release()
			for l.unfinished.Value() != 0 {
				if err := m.br.run(c, func(ic *ipc.Cancel) error {
					_, err := l.cond.Wait(-1, ic)
					return err
				}); err != nil {
					return struct{}{}, err
				}
			}
			return struct{}{}, nil
		})
		m.check(err)
		return goja.Undefined()
	})
}

// flushQueue waits for q's feeder in this process, if it has one.
func (m *mod) flushQueue(q *queue) error {
	_, err := engine.Block(m.rt, "Queue.join_thread", engine.ArgsHash(q.id), false, func(c engine.Cancel) (struct{}, error) {
		if q.live == nil || q.live.feeder == nil {
			return struct{}{}, nil
		}
		return struct{}{}, q.live.feeder.waitFlushed(c)
	})
	return err
}

// read takes the next frame, waiting until dl (zero: forever; in the
// past: only what is there now).
func (q *queue) read(br *bridge, l *queueLive, dl time.Time, c engine.Cancel) ([]byte, error) {
	b, err := l.ring.ReadFrame(l.rbuf[:0], maxMessage, nil, 0)
	if err == ipc.ErrTimeout && (dl.IsZero() || time.Until(dl) > 0) {
		timeout := -1.0
		if !dl.IsZero() {
			timeout = max(time.Until(dl).Seconds(), 0)
		}
		err = br.run(c, func(ic *ipc.Cancel) error {
			var err error
			b, err = l.ring.ReadFrame(l.rbuf[:0], maxMessage, ic, timeout)
			return err
		})
	}
	if err == ipc.ErrTimeout {
		return nil, pyerr.New("Empty", "")
	}
	if err != nil {
		if err != engine.ErrWoken && errors.Is(err, ipc.ErrCancelled) {
			l.broken = pyerr.New("OSError", "the queue is broken: a get was interrupted in the middle of a message")
			return nil, engine.ErrWoken
		}
		return nil, err
	}
	if cap(b) <= 1<<20 {
		l.rbuf = b
	}
	return b, nil
}

// writeNow writes one frame into the ring before returning
// (SimpleQueue.put, which has no feeder).
func writeNow(br *bridge, l *queueLive, payload []byte, c engine.Cancel) error {
	if len(payload)+ipc.HeaderSize <= RingSize {
		// Fits: either there is room now or nothing is written.
		if err := l.ring.WriteFrame(payload, nil, 0); err != ipc.ErrTimeout {
			return err
		}
	}
	err := br.run(c, func(ic *ipc.Cancel) error { return l.ring.WriteFrame(payload, ic, -1) })
	if err != nil && err != engine.ErrWoken && errors.Is(err, ipc.ErrCancelled) {
		l.broken = pyerr.New("OSError", "the queue is broken: a put was interrupted in the middle of a message")
		return engine.ErrWoken
	}
	return err
}

// joinablePut counts one more unfinished task under the queue's
// condition (JoinableQueue.put).
func joinablePut(br *bridge, l *queueLive, c engine.Cancel) error {
	if err := lockCond(br, l.cond, c); err != nil {
		return err
	}
	defer l.cond.Release()
	return l.unfinished.Release()
}

// lockCond acquires a Condition's lock, interruptibly.
func lockCond(br *bridge, cond *ipc.Condition, c engine.Cancel) error {
	if ok, _ := cond.Acquire(false, 0, nil); ok {
		return nil
	}
	return br.run(c, func(ic *ipc.Cancel) error {
		_, err := cond.Acquire(true, -1, ic)
		return err
	})
}

// acquireSem takes one unit of s: at once if block is false, else
// waiting until dl (zero: forever). It reports whether it did.
func acquireSem(br *bridge, s *ipc.Semaphore, block bool, dl time.Time, c engine.Cancel) (bool, error) {
	if ok, _ := s.Acquire(false, 0, nil); ok || !block {
		return ok, nil
	}
	timeout := -1.0
	if !dl.IsZero() {
		timeout = time.Until(dl).Seconds()
		if timeout <= 0 {
			return false, nil
		}
	}
	var ok bool
	err := br.run(c, func(ic *ipc.Cancel) error {
		var err error
		ok, err = s.Acquire(true, timeout, ic)
		return err
	})
	return ok, err
}

// deadlineOf turns Python's (block, timeout) into a deadline: the zero
// time for "forever", a time in the past for "only now".
func deadlineOf(block bool, timeout float64) time.Time {
	if !block {
		return time.Unix(0, 1)
	}
	if timeout < 0 {
		return time.Time{}
	}
	return time.Now().Add(durationOf(timeout))
}

// crc hashes a payload for the journal's divergence check.
func crc(b []byte) uint64 { return uint64(crc32.ChecksumIEEE(b))<<32 | uint64(len(b)) }
