package multiprocessing

import (
	"sync"

	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"golang.org/x/sys/unix"
)

// feeder is Python's Queue feeder thread: Queue.put encodes the value on
// the JS thread, appends the frame here and returns at once; a goroutine
// writes the frames into the queue's shared-memory ring, waiting for room
// as long as it must. A process that exits waits for its feeders to
// flush (Queue.join_thread), unless cancel_join_thread() was called:
// hence Python's warning that joining a process which put items on a queue
// nobody reads can deadlock.
//
// A feeder exists only in the live process that put something; a forked
// child starts without one (its parent's buffered items are the parent's
// to write, as after Python's Queue._after_fork).
type feeder struct {
	ring   *ipc.Ring
	cancel *ipc.Cancel // fired to abandon the buffer

	mu       sync.Mutex
	buf      [][]byte
	writing  bool
	closing  bool          // close(): exit once flushed
	closeFD  int           // descriptor to close when the goroutine ends, or -1
	work     chan struct{} // capacity 1: buf grew or closing was set
	idle     chan struct{} // closed while buf is empty and nothing is being written
	finished chan struct{} // closed when the goroutine has ended
	ended    bool          // the goroutine has ended and closed cancel (mu)
}

func newFeeder(ring *ipc.Ring) (*feeder, error) {
	c, err := ipc.NewCancel()
	if err != nil {
		return nil, err
	}
	f := &feeder{ring: ring, cancel: c, closeFD: -1, work: make(chan struct{}, 1),
		idle: make(chan struct{}), finished: make(chan struct{})}
	close(f.idle)
	go f.run()
	return f, nil
}

// push queues one frame's payload (JS thread).
func (f *feeder) push(frame []byte) {
	f.mu.Lock()
	if len(f.buf) == 0 && !f.writing {
		f.idle = make(chan struct{})
	}
	f.buf = append(f.buf, frame)
	f.mu.Unlock()
	select {
	case f.work <- struct{}{}:
	default:
	}
}

// tryWrite writes frame straight into the ring from the JS thread when
// nothing is buffered or being written and the ring has room now, which
// keeps the order of puts and saves waking the goroutine; false means the
// caller pushes it instead.
func (f *feeder) tryWrite(frame []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.buf) != 0 || f.writing || f.closing || f.ended {
		return false
	}
	return f.ring.TryWriteFrame(frame)
}

// buffered returns how many frames wait in this process.
func (f *feeder) buffered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.buf)
	if f.writing {
		n++
	}
	return n
}

func (f *feeder) run() {
	defer close(f.finished)
	for {
		f.mu.Lock()
		for len(f.buf) == 0 {
			if f.closing || f.cancel.Fired() {
				if f.closeFD >= 0 {
					unix.Close(f.closeFD)
				}
				f.ended = true
				f.cancel.Close()
				f.mu.Unlock()
				return
			}
			f.mu.Unlock()
			<-f.work
			f.mu.Lock()
		}
		batch := f.buf
		f.buf = nil
		f.writing = true
		f.mu.Unlock()
		for i, frame := range batch {
			if err := f.ring.WriteFrame(frame, f.cancel, -1); err != nil {
				// Abandoned (cancel_join_thread at exit, or the process
				// is ending): the rest of the batch is dropped too.
				clear(batch[i:])
				break
			}
			batch[i] = nil
		}
		f.mu.Lock()
		f.writing = false
		if len(f.buf) == 0 {
			close(f.idle)
		}
		f.mu.Unlock()
	}
}

// close lets the goroutine end once everything is written, closing fd
// (the queue's shared memory descriptor, or -1) then (Queue.close).
func (f *feeder) close(fd int) {
	f.mu.Lock()
	f.closing = true
	f.closeFD = fd
	f.mu.Unlock()
	select {
	case f.work <- struct{}{}:
	default:
	}
}

// abandon drops what is buffered and stops the goroutine.
func (f *feeder) abandon() {
	f.mu.Lock()
	if !f.ended {
		f.cancel.Fire()
	}
	f.buf = nil
	f.closing = true
	f.mu.Unlock()
	select {
	case f.work <- struct{}{}:
	default:
	}
}

// waitFlushed blocks until every buffered frame is in the ring (the
// engine's Cancel c interrupts it: engine.ErrWoken). After close, it waits
// for the goroutine to end, as Python's join_thread joins the feeder
// thread (which has closed the queue's descriptor then).
func (f *feeder) waitFlushed(c engine.Cancel) error {
	f.mu.Lock()
	ch := f.idle
	if f.closing {
		ch = f.finished
	}
	f.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-f.finished:
		return nil
	case <-c.C:
		return engine.ErrWoken
	}
}
