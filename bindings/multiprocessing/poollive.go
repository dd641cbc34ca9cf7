package multiprocessing

import (
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// poolLive is a Pool's dispatcher in the process that owns it: a queue of
// tasks not yet sent, and per worker a writer goroutine (tasks out) and a
// reader goroutine (results in, then the worker's end). Results complete
// the tasks' Pendings; a worker's end fails the tasks it held and is
// reported on the pool's event source.
type poolLive struct {
	mu          sync.Mutex
	workers     []*workerLive
	queue       []*liveTask
	closed      bool
	terminated  bool
	maxTasks    int
	inflightMax int
	events      *engine.Source[workerEvent]
	cancel      *ipc.Cancel // fired by terminate: writers stop
	rr          int         // round-robin start for picking workers
}

// liveTask is a task in the dispatcher.
type liveTask struct {
	tid     int
	frame   []byte
	pending *engine.Pending[[]byte]
	sent    time.Time // when it was handed to a worker
}

// workerLive is one worker in the dispatcher.
type workerLive struct {
	wid, pid   int
	name       string
	fd         int
	inflight   map[int]*liveTask
	sent       int
	ready      bool // it said it is live and initialised
	quick      bool // its last task ran for less than slowTask
	lastResult time.Time
	stopping   bool // the exit frame is queued
	dead       bool
	out        [][]byte
	wake       *sync.Cond // on poolLive.mu: out grew or the worker is gone
	initFailed []byte
	writerDone chan struct{}
}

// A worker holds one task at a time, as a Python worker takes the next
// task only when it is idle, so that tasks never queue behind a long one
// while another worker could run them (and the first worker to come up
// does not take every task submitted before the others are live). Once
// its last task ran for less than slowTask, it holds up to inflightBusy
// of them, so that it never idles while the parent sends and small tasks
// travel in batches; and again only inflightSlow (the one running and the
// next) once its oldest task has been out longer than slowTask. A worker
// that dies fails at most the tasks it holds.
const (
	inflightPerWorker = 8
	inflightSlow      = 2
	slowTask          = 20 * time.Millisecond
)

// killGrace is how long terminate waits after SIGTERM before SIGKILL.
const killGrace = 2 * time.Second

func newPoolLive(maxTasks int, events *engine.Source[workerEvent], cancel *ipc.Cancel) *poolLive {
	return &poolLive{maxTasks: maxTasks, inflightMax: inflightPerWorker, events: events, cancel: cancel}
}

// addWorker starts driving a forked worker.
func (pl *poolLive) addWorker(w *poolWorker) {
	wl := &workerLive{wid: w.wid, pid: w.pid, name: w.name, fd: w.parentFD,
		inflight: map[int]*liveTask{}, writerDone: make(chan struct{})}
	pl.mu.Lock()
	wl.wake = sync.NewCond(&pl.mu)
	pl.workers = append(pl.workers, wl)
	if pl.terminated {
		unix.Kill(wl.pid, unix.SIGTERM)
	}
	pl.schedule()
	pl.mu.Unlock()
	go pl.writer(wl)
	go pl.reader(wl)
}

// submit queues a task and sends it if a worker has room.
func (pl *poolLive) submit(t *liveTask) {
	pl.mu.Lock()
	pl.queue = append(pl.queue, t)
	pl.schedule()
	pl.mu.Unlock()
}

// close makes workers exit once every queued task is sent.
func (pl *poolLive) close() {
	pl.mu.Lock()
	pl.closed = true
	pl.schedule()
	pl.mu.Unlock()
}

// terminate stops every worker now.
func (pl *poolLive) terminate() {
	pl.mu.Lock()
	pl.terminated = true
	pl.queue = nil
	var pids []int
	for _, w := range pl.workers {
		if !w.dead {
			pids = append(pids, w.pid)
			unix.Kill(w.pid, unix.SIGTERM)
		}
		w.wake.Broadcast()
	}
	cancel := pl.cancel
	pl.mu.Unlock()
	cancel.Fire()
	if len(pids) > 0 {
		go func() {
			time.Sleep(killGrace)
			pl.mu.Lock()
			defer pl.mu.Unlock()
			for _, w := range pl.workers {
				if !w.dead {
					unix.Kill(w.pid, unix.SIGKILL)
				}
			}
		}()
	}
}

// shutdown releases what the dispatcher holds once every worker is gone
// (after Pool.join).
func (pl *poolLive) shutdown() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.cancel != nil && (pl.closed || pl.terminated) && pl.inflight() == 0 {
		for _, w := range pl.workers {
			if !w.dead {
				return
			}
		}
		pl.cancel.Close()
		pl.cancel = nil
	}
}

// schedule hands queued tasks to workers with room (pl.mu held).
func (pl *poolLive) schedule() {
	for len(pl.queue) > 0 && !pl.terminated {
		w := pl.pick()
		if w == nil {
			break
		}
		t := pl.queue[0]
		pl.queue[0] = nil
		pl.queue = pl.queue[1:]
		t.sent = time.Now()
		w.inflight[t.tid] = t
		w.sent++
		w.out = append(w.out, t.frame)
		if pl.maxTasks > 0 && w.sent >= pl.maxTasks {
			w.stop()
		}
		w.wake.Signal()
	}
	if len(pl.queue) == 0 {
		pl.queue = nil
		// As Python's pool, workers of a closed pool are told to exit only
		// once every task has come back: until then one that dies is
		// replaced.
		if pl.closed && pl.inflight() == 0 {
			for _, w := range pl.workers {
				if !w.dead && !w.stopping { // (ready or not: a closed pool is done)
					w.stop()
					w.wake.Signal()
				}
			}
		}
	}
}

// inflight counts the tasks workers hold (pl.mu held).
func (pl *poolLive) inflight() int {
	n := 0
	for _, w := range pl.workers {
		n += len(w.inflight)
	}
	return n
}

// busySince returns how long w's oldest task has been out.
func (w *workerLive) busySince(now time.Time) time.Duration {
	var d time.Duration
	for _, t := range w.inflight {
		d = max(d, now.Sub(t.sent))
	}
	return d
}

// stop queues the exit frame (an empty frame).
func (w *workerLive) stop() {
	w.stopping = true
	w.out = append(w.out, nil)
}

// pick returns the worker with room and the fewest tasks, or nil.
func (pl *poolLive) pick() *workerLive {
	var best *workerLive
	n := len(pl.workers)
	now := time.Now()
	for k := 0; k < n; k++ {
		w := pl.workers[(pl.rr+k)%n]
		if !w.ready || w.dead || w.stopping || len(w.inflight) >= pl.inflightMax {
			continue
		}
		if !w.quick && len(w.inflight) >= 1 {
			continue
		}
		if len(w.inflight) >= inflightSlow && w.busySince(now) > slowTask {
			continue
		}
		if best == nil || len(w.inflight) < len(best.inflight) {
			best = w
		}
	}
	if best != nil {
		pl.rr++
	}
	return best
}

// writer sends w's frames, batching what accumulated.
func (pl *poolLive) writer(w *workerLive) {
	defer close(w.writerDone)
	var buf []byte
	for {
		pl.mu.Lock()
		for len(w.out) == 0 && !w.dead && !pl.terminated {
			w.wake.Wait()
		}
		if w.dead || pl.terminated {
			pl.mu.Unlock()
			return
		}
		out := w.out
		w.out = nil
		pl.mu.Unlock()
		buf = buf[:0]
		last := false
		for _, f := range out {
			if f == nil {
				buf = binary.BigEndian.AppendUint32(buf, 0)
				last = true
				continue
			}
			buf = binary.BigEndian.AppendUint32(buf, uint32(len(f)))
			buf = append(buf, f...)
		}
		if err := ipc.WriteFull(w.fd, buf, pl.cancel, -1); err != nil || last {
			// A dead worker (EPIPE) is the reader's to report.
			return
		}
		if cap(buf) > 4<<20 {
			buf = nil
		}
	}
}

// reader delivers w's results, then its end.
func (pl *poolLive) reader(w *workerLive) {
	fr := ipc.NewFrameReader(w.fd, maxMessage)
	for {
		f, err := fr.ReadFrame(nil, -1)
		if err != nil || len(f) < 5 {
			break
		}
		tid := int(binary.BigEndian.Uint32(f))
		status := f[4]
		if status == replyInitFailed {
			w.initFailed = append([]byte{}, f[5:]...)
			continue
		}
		if status == replyReady {
			pl.mu.Lock()
			w.ready = true
			pl.schedule()
			pl.mu.Unlock()
			continue
		}
		pl.mu.Lock()
		t := w.inflight[tid]
		delete(w.inflight, tid)
		if t != nil {
			// The task ran from when it was sent or when the one before
			// it came back, whichever is later: a worker runs its tasks
			// one after another.
			now := time.Now()
			start := t.sent
			if w.lastResult.After(start) {
				start = w.lastResult
			}
			w.quick = now.Sub(start) < slowTask
			w.lastResult = now
		}
		pl.mu.Unlock()
		if t != nil {
			t.pending.Complete(f[4:], nil)
		}
		pl.mu.Lock()
		pl.schedule()
		pl.mu.Unlock()
	}
	pl.mu.Lock()
	w.dead = true
	failed := w.inflight
	w.inflight = nil
	w.wake.Broadcast()
	pl.mu.Unlock()
	<-w.writerDone
	unix.Close(w.fd)

	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(w.pid, &ws, 0, nil)
		if err != unix.EINTR {
			break
		}
	}
	code, reason := exitCode(ws), describeExit(ws)
	tids := make([]int, 0, len(failed))
	for tid := range failed {
		tids = append(tids, tid)
	}
	sort.Ints(tids)
	for _, tid := range tids {
		failed[tid].pending.Complete(nil, &pyerr.Error{Type: "ProcessError",
			Msg:   fmt.Sprintf("pool worker %s (pid %d) %s before finishing this task", w.name, w.pid, reason),
			Attrs: map[string]any{"pid": w.pid, "exitcode": code}})
	}
	pl.events.Send(workerEvent{WID: w.wid, Pid: w.pid, Code: code, Reason: reason, InitFailed: w.initFailed, Failed: len(tids)})
	pl.mu.Lock()
	pl.schedule()
	pl.mu.Unlock()
}

// describeExit says how a process ended, for messages.
func describeExit(ws unix.WaitStatus) string {
	if ws.Signaled() {
		sig := ws.Signal()
		return fmt.Sprintf("was killed by signal %d (%s)", int(sig), signalName(sig))
	}
	return fmt.Sprintf("exited with code %d", ws.ExitStatus())
}

func signalName(s unix.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}
