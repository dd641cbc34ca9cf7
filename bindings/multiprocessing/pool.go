package multiprocessing

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Pool (js/pool.js), the parent's side. Workers are forked when the pool
// is made (and when one must be replaced); each has a socketpair of its
// own to the parent, so the parent knows which tasks every worker holds
// and can fail exactly those when the worker dies. The parent's ends are
// never visible to the script (no later fork inherits them), and a
// worker hides its end from its own forks: a worker that dies always
// gives its parent an end of file.
//
// Tasks go out through a live dispatcher (poollive.go); every result
// comes back through an engine.Pending, so it is journaled and delivered
// on the loop, or during a blocking call that delivers callbacks
// (AsyncResult.get, Pool.join).
//
// Frames: a task is [u32 tid][CBOR [fname, kind, items, kwds]]; an empty
// frame tells the worker to exit. A reply is [u32 tid][u8 status][CBOR
// value] with status replyOK, replyErr (the value is what the task threw),
// replyInitFailed (the initializer threw; tid 0) or replyReady (tid 0: the
// worker has replayed its way to life and run its initializer; tasks are
// sent only to ready workers, so a worker still replaying holds none).

// Task kinds and reply statuses, shared with js/pool.js.
const (
	taskApply   = 0
	taskMap     = 1
	taskStarmap = 2

	replyOK         = 0
	replyErr        = 1
	replyInitFailed = 2
	replyReady      = 3 // the worker is live and initialised (tid 0)
)

// Pool states, as Python's.
const (
	poolRun = iota
	poolClose
	poolTerminate
)

// pool is one Pool in this process (the JS thread's view).
type pool struct {
	id        int
	gen       int
	maxTasks  int
	state     int
	events    *engine.Source[workerEvent]
	nextTID   int
	pending   map[int]*engine.Pending[[]byte]
	delivered int // results delivered so far, for waits
	workers   map[int]*poolWorker
	alive     int // workers started and not yet reported gone
	nextWID   int
	live      *poolLive
	collect   map[int]bool // map chunks whose results are joined by concat
}

// poolWorker is one worker as the JS thread knows it.
type poolWorker struct {
	wid      int
	name     string
	pid      int
	parentFD int
	childFD  int
}

// workerEvent is a worker's end, delivered (and journaled) on the loop.
type workerEvent struct {
	WID        int    `cbor:"1,keyasint"`
	Pid        int    `cbor:"2,keyasint"`
	Code       int    `cbor:"3,keyasint"`
	Reason     string `cbor:"4,keyasint"`
	InitFailed []byte `cbor:"5,keyasint,omitempty"` // encoded error of a failed initializer
	Failed     int    `cbor:"6,keyasint"`           // tasks that failed with it
}

// channel is pool_channel's journaled result.
type channel struct {
	Parent int `cbor:"1,keyasint"`
	Child  int `cbor:"2,keyasint"`
}

func (m *mod) poolNatives() {
	rt, vm := m.rt, m.vm
	get := func(call goja.FunctionCall) *pool { return lookup(m, m.pools, call, "pool") }
	owned := func(p *pool) {
		if p.gen != m.gen {
			rt.Throw(pyerr.New("ProcessError", "this Pool belongs to the process that created it; a forked child cannot use it"))
		}
	}

	// pool_new(maxtasksperchild) -> id.
	m.set("pool_new", func(call goja.FunctionCall) goja.Value {
		p := &pool{id: m.newID(), gen: m.gen, maxTasks: argInt(call, 0),
			pending: map[int]*engine.Pending[[]byte]{}, workers: map[int]*poolWorker{}, collect: map[int]bool{}}
		p.events = engine.NewSource(rt, false, func(ev workerEvent) { m.workerGone(p, ev) })
		m.pools[p.id] = p
		return vm.ToValue(p.id)
	})

	// pool_channel(id) -> [wid, childFD]: the socketpair of a new worker;
	// the child's end is visible to the script until the worker is
	// forked (pool_started), the parent's end never.
	m.set("pool_channel", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		owned(p)
		ch, err := engine.Do(rt, engine.Resource, "Pool.channel", engine.ArgsHash(p.id), func() (channel, error) {
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
			if err != nil {
				return channel{}, osErr(err)
			}
			// The parent's end is forkjs's own: kept at 64 and above.
			return channel{Parent: engine.HighFD(fds[0]), Child: fds[1]}, nil
		})
		m.check(err)
		p.nextWID++
		w := &poolWorker{wid: p.nextWID, parentFD: ch.Parent, childFD: ch.Child}
		p.workers[w.wid] = w
		rt.AddFD(ch.Child)
		return vm.NewArray(w.wid, ch.Child)
	})

	// pool_started(id, wid, pid, name): the worker runs; the parent closes
	// its copy of the child's end and starts driving the worker.
	m.set("pool_started", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		w := p.workers[argInt(call, 1)]
		w.pid = argInt(call, 2)
		w.name = call.Argument(3).String()
		p.alive++
		engine.Do(rt, engine.Effect, "Pool.started", engine.ArgsHash(p.id, w.wid, w.pid), func() (struct{}, error) {
			unix.Close(w.childFD)
			m.poolLive(p).addWorker(w)
			return struct{}{}, nil
		})
		rt.RemoveFD(w.childFD)
		return goja.Undefined()
	})

	// pool_unused_channel(id, wid): the fork of worker wid failed; its
	// socketpair is closed.
	m.set("pool_unused_channel", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		w := p.workers[argInt(call, 1)]
		if w == nil {
			return goja.Undefined()
		}
		delete(p.workers, w.wid)
		engine.Do(rt, engine.Effect, "Pool.unused_channel", engine.ArgsHash(p.id, w.wid), func() (struct{}, error) {
			unix.Close(w.childFD)
			unix.Close(w.parentFD)
			return struct{}{}, nil
		})
		rt.RemoveFD(w.childFD)
		return goja.Undefined()
	})

	// pool_submit(id, kind, fname, items, kwds) -> tid: encodes the task
	// (TypeError, before anything is sent, if an argument cannot be sent)
	// and queues it for the workers.
	m.set("pool_submit", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		owned(p)
		if p.state != poolRun {
			rt.Throw(pyerr.ValueErrorf("Pool not running"))
		}
		p.nextTID++
		tid := p.nextTID
		// [fname, kind, args, kwds], with args and kwds encoded on their
		// own so that an error names "args[0].cb" or "kwds.x".
		fname := call.Argument(2).String()
		frame := make([]byte, 4, 64)
		binary.BigEndian.PutUint32(frame, uint32(tid))
		frame = ipc.AppendCBORHead(frame, cborArray, 4)
		frame = append(ipc.AppendCBORHead(frame, cborText, uint64(len(fname))), fname...)
		frame = ipc.AppendCBORInt(frame, int64(argInt(call, 1)))
		frame = m.appendEncode(frame, "args", call.Argument(3))
		frame = m.appendEncode(frame, "kwds", call.Argument(4))
		m.submit(p, tid, frame)
		return vm.ToValue(tid)
	})

	// pool_submit_chunks(id, kind, fname, items, chunksize, collect) ->
	// [tids]: map's tasks, one per chunk of items (an array), encoded
	// straight from the array (arrays of primitives skip the codec's
	// set-up). With collect, the chunks' results are delivered as tokens
	// that concat() joins.
	m.set("pool_submit_chunks", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		owned(p)
		if p.state != poolRun {
			rt.Throw(pyerr.ValueErrorf("Pool not running"))
		}
		kind := argInt(call, 1)
		fname := call.Argument(2).String()
		items, ok := isArray(call.Argument(3))
		if !ok {
			rt.Throw(pyerr.TypeErrorf("map(): items must be an array"))
		}
		size := argInt(call, 4)
		collect := call.Argument(5).ToBoolean()
		n := int(items.Get("length").ToInteger())
		var tids []any
		for start := 0; start < n; start += size {
			end := min(start+size, n)
			p.nextTID++
			tid := p.nextTID
			frame := make([]byte, 4, 16+(end-start)*4)
			binary.BigEndian.PutUint32(frame, uint32(tid))
			frame = ipc.AppendCBORHead(frame, cborArray, 4)
			frame = append(ipc.AppendCBORHead(frame, cborText, uint64(len(fname))), fname...)
			frame = ipc.AppendCBORInt(frame, int64(kind))
			var fast bool
			if frame, fast = appendArrayRange(frame, items, start, end); fast {
				frame = append(frame, cborNull)
			} else {
				chunk, err := m.slice(items, vm.ToValue(start), vm.ToValue(end))
				if err != nil {
					panic(err)
				}
				frame = m.appendEncode(frame, fmt.Sprintf("iterable[%d:%d]", start, end), chunk)
				frame = append(frame, cborNull)
			}
			if collect {
				p.collect[tid] = true
			}
			m.submit(p, tid, frame)
			tids = append(tids, tid)
		}
		return vm.NewArray(tids...)
	})

	// concat(chunks) -> one array of all the chunks' elements, in order;
	// a chunk is an array or a token standing for a map chunk's result.
	m.set("concat", func(call goja.FunctionCall) goja.Value {
		lists := call.Argument(0).ToObject(vm)
		k := int(lists.Get("length").ToInteger())
		total := 0
		parts := make([][]any, k)
		for i := 0; i < k; i++ {
			o := lists.Get(indexKey(i)).ToObject(vm)
			if vals, ok := m.chunkVals[o]; ok {
				delete(m.chunkVals, o)
				parts[i] = vals
			} else {
				n := int(o.Get("length").ToInteger())
				vals := make([]any, n)
				for j := range vals {
					vals[j] = o.Get(indexKey(j))
				}
				parts[i] = vals
			}
			total += len(parts[i])
		}
		if k == 1 {
			return vm.NewArray(parts[0]...)
		}
		items := make([]any, 0, total)
		for _, vals := range parts {
			items = append(items, vals...)
		}
		return vm.NewArray(items...)
	})
	// forget(tokens): drops map chunk results that will not be joined.
	m.set("forget", func(call goja.FunctionCall) goja.Value {
		lists := call.Argument(0).ToObject(vm)
		k := int(lists.Get("length").ToInteger())
		for i := 0; i < k; i++ {
			if o, ok := lists.Get(indexKey(i)).(*goja.Object); ok {
				delete(m.chunkVals, o)
			}
		}
		return goja.Undefined()
	})

	// pool_close(id): no more tasks; workers exit when the queue is done.
	m.set("pool_close", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		owned(p)
		if p.state == poolRun {
			p.state = poolClose
			engine.Do(rt, engine.Effect, "Pool.close", engine.ArgsHash(p.id), func() (struct{}, error) {
				m.poolLive(p).close()
				return struct{}{}, nil
			})
		}
		return goja.Undefined()
	})

	// pool_terminate(id) -> [tids]: stops the workers now (SIGTERM, then
	// SIGKILL for any still running 2 s later). Tasks not finished are
	// dropped: their ids are returned for the JS side to fail.
	m.set("pool_terminate", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		owned(p)
		p.state = poolTerminate
		engine.Do(rt, engine.Effect, "Pool.terminate", engine.ArgsHash(p.id), func() (struct{}, error) {
			if p.live != nil {
				p.live.terminate()
			}
			return struct{}{}, nil
		})
		tids := make([]any, 0, len(p.pending))
		for _, tid := range sortedKeys(p.pending) {
			p.pending[tid].Cancel()
			delete(p.pending, tid)
			delete(p.collect, tid)
			tids = append(tids, tid)
		}
		return vm.NewArray(tids...)
	})

	// pool_wait(id, seen, deadline) -> the number of results delivered,
	// once it differs from seen; -1 if monotonic time deadline (seconds;
	// negative: none) passes first. Due callbacks run meanwhile.
	m.set("pool_wait", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		seen := argInt(call, 1)
		dl := call.Argument(2).ToFloat()
		n, err := engine.Block(rt, "Pool.wait", engine.ArgsHash(p.id, seen, dl), true, func(c engine.Cancel) (int, error) {
			if p.delivered != seen {
				return p.delivered, nil
			}
			return -1, waitUntil(dl, c)
		})
		m.check(err)
		return vm.ToValue(n)
	})

	// pool_join(id): waits until every worker has exited and been
	// reaped, running due callbacks meanwhile.
	m.set("pool_join", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		owned(p)
		_, err := engine.Block(rt, "Pool.join", engine.ArgsHash(p.id), true, func(c engine.Cancel) (struct{}, error) {
			if p.alive == 0 {
				if p.live != nil {
					p.live.shutdown()
				}
				return struct{}{}, nil
			}
			<-c.C
			return struct{}{}, engine.ErrWoken
		})
		m.check(err)
		return goja.Undefined()
	})

	// pool_wait_worker(id, wid, timeout) -> whether worker wid has exited
	// (and been reaped) within timeout seconds (null: no limit), running
	// due callbacks meanwhile: join() of a worker that active_children()
	// returned.
	m.set("pool_wait_worker", func(call goja.FunctionCall) goja.Value {
		p := get(call)
		owned(p)
		wid, timeout := argInt(call, 1), argTimeout(call, 2)
		dl := deadlineOf(true, timeout)
		gone, err := engine.Block(rt, "Pool.join_worker", engine.ArgsHash(p.id, wid, timeout), true, func(c engine.Cancel) (bool, error) {
			if _, ok := p.workers[wid]; !ok {
				return true, nil
			}
			var expire <-chan time.Time
			if !dl.IsZero() {
				d := time.Until(dl)
				if d <= 0 {
					return false, nil
				}
				t := time.NewTimer(d)
				defer t.Stop()
				expire = t.C
			}
			select {
			case <-c.C:
				return false, engine.ErrWoken
			case <-expire:
				return false, nil
			}
		})
		m.check(err)
		return vm.ToValue(gone)
	})

	// pool_outstanding(id) -> tasks submitted and not yet delivered.
	m.set("pool_outstanding", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(len(get(call).pending))
	})
	// pool_owned(id) -> whether this process created the pool.
	m.set("pool_owned", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(get(call).gen == m.gen)
	})
	// pool_poll(): runs callbacks that are due now (a busy loop on
	// AsyncResult.ready() sees results arrive, as Python's threads
	// deliver them).
	m.set("pool_poll", func(call goja.FunctionCall) goja.Value {
		engine.Block(rt, "Pool.poll", 0, true, func(c engine.Cancel) (struct{}, error) {
			if fired(c) {
				return struct{}{}, engine.ErrWoken
			}
			return struct{}{}, nil
		})
		return goja.Undefined()
	})
	m.workerNatives()
}

// submit queues task tid (its frame encoded) for p's workers.
func (m *mod) submit(p *pool, tid int, frame []byte) {
	pend := engine.NewPending(m.rt, func(b []byte, err error) { m.taskDone(p, tid, b, err) })
	p.pending[tid] = pend
	engine.Do(m.rt, engine.Effect, "Pool.submit", engine.ArgsHash(p.id, tid, crc(frame)), func() (struct{}, error) {
		m.poolLive(p).submit(&liveTask{tid: tid, frame: frame, pending: pend})
		return struct{}{}, nil
	})
}

// waitUntil blocks until c fires (engine.ErrWoken) or the monotonic
// deadline dl in seconds passes (nil; negative dl: never).
func waitUntil(dl float64, c engine.Cancel) error {
	if dl < 0 {
		<-c.C
		return engine.ErrWoken
	}
	d := time.Duration((dl - monotonic()) * float64(time.Second))
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.C:
		return engine.ErrWoken
	case <-t.C:
		return nil
	}
}

// monotonic reads CLOCK_MONOTONIC in seconds, as time.monotonic().
func monotonic() float64 { return float64(engine.Monotonic()) / 1e9 }

// taskDone delivers a task's result to the JS side (JS thread, live or
// replay): b is [status][CBOR value], or err when the worker died.
func (m *mod) taskDone(p *pool, tid int, b []byte, err error) {
	delete(p.pending, tid)
	if err != nil {
		delete(p.collect, tid)
	}
	p.delivered++
	vm := m.vm
	if err != nil {
		m.callInternal("poolResult", vm.ToValue(p.id), vm.ToValue(tid), vm.ToValue(false), m.rt.NewError(err))
		return
	}
	if len(b) == 0 {
		m.rt.Throw(pyerr.ValueErrorf("multiprocessing: an empty reply from a pool worker"))
	}
	var v goja.Value
	collect := p.collect[tid]
	delete(p.collect, tid)
	if vals, ok := decodePrimitiveArray(vm, b[1:], nil); ok && b[0] == replyOK {
		if collect {
			// Kept here until concat joins the chunks: no JS array for
			// each chunk.
			token := vm.NewObject()
			m.chunkVals[token] = vals
			v = token
		} else {
			v = vm.NewArray(vals...)
		}
	} else {
		v = m.decode(b[1:])
	}
	m.callInternal("poolResult", vm.ToValue(p.id), vm.ToValue(tid), vm.ToValue(b[0] == replyOK), v)
}

// workerGone handles a worker's end (JS thread, live or replay).
func (m *mod) workerGone(p *pool, ev workerEvent) {
	w := p.workers[ev.WID]
	if w == nil {
		return
	}
	delete(p.workers, ev.WID)
	p.alive--
	m.rt.ForgetChild(ev.Pid)
	if ev.Code == engine.DivergenceStatus {
		if err := m.rt.ChildReport(ev.Pid, ev.Code); err != nil {
			m.rt.Throw(err)
		}
	}
	var initErr goja.Value = goja.Null()
	if ev.InitFailed != nil {
		initErr = m.decode(ev.InitFailed)
	}
	vm := m.vm
	m.callInternal("poolWorkerGone", vm.ToValue(p.id), vm.ToValue(w.name), vm.ToValue(ev.Code),
		vm.ToValue(ev.Reason), initErr)
}

// poolLive returns p's dispatcher, starting it on first use (live only).
func (m *mod) poolLive(p *pool) *poolLive {
	if p.live == nil {
		c, err := ipc.NewCancel()
		if err != nil {
			panic(err)
		}
		p.live = newPoolLive(p.maxTasks, p.events, c)
	}
	return p.live
}
