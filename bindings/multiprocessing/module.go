// Package multiprocessing is forkjs's multiprocessing module, Python's
// multiprocessing with the fork start method (SPEC "multiprocessing",
// DESIGN §4): Process, Queue, JoinableQueue, SimpleQueue, Pipe, Pool, Lock,
// RLock, Semaphore, BoundedSemaphore, Event, Condition, Barrier, Value and
// Array.
//
// The module is two layers. The JS layer (js/*.js, run once per runtime)
// defines the classes scripts see: their arguments, states and errors
// follow Python's. It calls the Go layer through a "native" object whose
// functions are the module's host calls: every one of them reaches the OS
// only through engine.Do or engine.Block, so a forked child replaying its
// parent's journal sees the same results and performs no effect.
//
// Live-only state (goroutines that feed queues and drive pool workers,
// mappings of shared memory, buffers) lives in Go structs keyed by ids
// the JS thread assigns in program order; a replaying child has the same
// structs without the live parts and builds them lazily once it is live.
//
// What scripts should know, beyond Python's documentation:
//
//   - A Pool sends a task's function by name, as Python pickles it: only
//     a top-level named binding of the script (a function declaration, or
//     a top-level const/let/var holding a function) can be sent; arrow
//     functions, closures and methods are refused at once with TypeError.
//     Workers are forked when the pool is made, so a function defined
//     after that is not in them (AttributeError from get()).
//   - Task functions run synchronously in the worker: one that returns a
//     Promise is an error. Values cross by structured clone (ipc's codec).
//   - Queues, connections, locks, shared values and pools reach another
//     process by inheritance only (it is forked after they were made);
//     sending one raises RuntimeError, as in Python.
//   - Joining processes that use queues (Python's warning, unchanged): a
//     process waits at exit until its queue feeder has written what it
//     put; if nobody gets the items and the queue's buffer is full, it
//     never exits. Get the items before joining, or cancel_join_thread().
//   - Fork early: every fork (Process.start, Pool workers, a replacement
//     worker) re-runs in the child what the parent did before it,
//     including the messages it received (the journal keeps them).
//   - Pool workers ignore SIGINT: Ctrl-C is the parent's, which ends the
//     script and terminates its workers; a worker that dies fails the
//     tasks it held with ProcessError and is replaced.
package multiprocessing

import (
	"embed"
	"sort"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// Module is multiprocessing, also a global.
var Module = engine.Register(&engine.Module{Name: "multiprocessing", Global: true, Init: initModule})

//go:embed js/*.js
var jsSources embed.FS

// mod is one runtime's multiprocessing state. Everything in it is used on
// the JS thread only, except what the live parts (goroutines) guard
// themselves.
type mod struct {
	rt       *engine.Runtime
	vm       *goja.Runtime
	codec    *ipc.Codec
	native   *goja.Object
	internal *goja.Object

	nextID int
	// gen counts the forks between the process that created the runtime
	// and this one: AtFork increments it in every child, so an object
	// remembers which process made it (a Pool belongs to its creator).
	gen int

	br     bridge
	putBuf []byte // Queue.put's encoding buffer, between puts

	arenas  map[int]*arenaRef // shared-memory arenas for locks and values, by fd
	current *arenaRef         // the arena new objects go to
	queues  map[int]*queue
	conns   map[int]*conn
	syncs   map[int]*syncObj
	shared  map[int]*sharedObj
	pools   map[int]*pool
	worker  *workerSide // set in a pool worker

	exports *goja.Object
	loaded  map[string]bool // JS files whose factory has run

	slice     goja.Callable          // Array.prototype.slice, as the module found it
	chunkVals map[*goja.Object][]any // map chunk results (goja.Values), by their token
}

type modKey struct{}

func initModule(rt *engine.Runtime, exports *goja.Object) {
	vm := rt.VM()
	m := &mod{
		rt: rt, vm: vm,
		arenas: map[int]*arenaRef{},
		queues: map[int]*queue{},
		conns:  map[int]*conn{},
		syncs:  map[int]*syncObj{},
		shared: map[int]*sharedObj{},
		pools:  map[int]*pool{},

		chunkVals: map[*goja.Object][]any{},
	}
	rt.State(modKey{}, func() any { return m })
	// queue.Empty and queue.Full are queue's classes; make sure they exist.
	if _, err := rt.Require("queue"); err != nil {
		panic(err)
	}
	m.codec = ipc.NewCodec(vm, ipc.Hooks{
		IsBytes:  func(o *goja.Object) bool { return vm.InstanceOf(o, rt.BytesClass()) },
		NewBytes: func(b []byte) goja.Value { return rt.NewBytes(b) },
		NewError: m.newError,
	})
	ic, err := ipc.NewCancel()
	if err != nil {
		rt.Throw(err)
	}
	m.br.ic = ic

	m.slice, _ = goja.AssertFunction(vm.Get("Array").ToObject(vm).Get("prototype").ToObject(vm).Get("slice"))
	m.native = vm.NewObject()
	m.internal = vm.NewObject()
	m.processNatives()
	m.connNatives()
	m.queueNatives()
	m.syncNatives()
	m.sharedNatives()
	m.poolNatives()
	m.native.Set("classes", m.classTable())
	engine.NameFunctions(vm, m.native, 0)

	m.loaded = map[string]bool{}
	m.exports = exports
	for _, f := range jsFiles[:eagerFiles] {
		m.load(f)
	}
	m.defineLazy()
	// Registered for raising from Go, made when first raised (util.js
	// makes them on first use). multiprocessing.TimeoutError is not the
	// builtin TimeoutError (an OSError): it has a qualified name.
	for _, name := range []string{"ProcessError", "BufferTooShort", "AuthenticationError", "TimeoutError"} {
		key := name
		if name == "TimeoutError" {
			key = "multiprocessing.TimeoutError"
		}
		rt.Errors().RegisterLazy(key, func() *goja.Object { return exports.Get(name).ToObject(vm) })
	}

	rt.AtFork(func() { m.afterFork() })
	rt.AtExit(func() { m.callInternal("exitFunction") })
}

// classTable gives the JS layer the exception classes it raises, taken
// from the engine's table so that a script reassigning a global cannot
// change them.
//
// Each entry is looked up on first use: looking one up builds the whole
// table of Python's exception classes, which a forked child that raises
// none should not pay for (about 2 ms in a fresh child).
func (m *mod) classTable() *goja.Object {
	o := m.vm.NewObject()
	for _, name := range []string{
		"Exception", "ValueError", "TypeError", "AssertionError", "EOFError", "OSError",
		"IndexError", "RuntimeError", "KeyboardInterrupt", "SystemExit", "AttributeError",
		"NotImplementedError", "ReferenceError", "Empty", "Full", "BrokenPipeError",
	} {
		get := m.vm.ToValue(func(goja.FunctionCall) goja.Value {
			c := m.rt.Errors().Class(name)
			_ = o.DefineDataProperty(name, c, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			return c
		})
		_ = o.DefineAccessorProperty(name, get, nil, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	return o
}

// newError is the codec's error constructor: the class registered under
// name (Python's and the modules' exceptions), or Error with that name.
func (m *mod) newError(name, message string) *goja.Object {
	cls := m.rt.Errors().Class(name)
	if cls == nil {
		cls = m.rt.Errors().Class("Error")
	}
	obj, err := m.vm.New(cls, m.vm.ToValue(message))
	if err != nil {
		obj, _ = m.vm.New(m.rt.Errors().Class("Error"), m.vm.ToValue(message))
	}
	if obj.Get("name").String() != name {
		_ = obj.DefineDataProperty("name", m.vm.ToValue(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return obj
}

// newID returns the next object id (JS thread, program order).
func (m *mod) newID() int {
	m.nextID++
	return m.nextID
}

// set defines a native function for the JS layer.
func (m *mod) set(name string, fn func(goja.FunctionCall) goja.Value) {
	m.native.Set(name, fn)
}

// check raises err in JS if it is not nil.
func (m *mod) check(err error) {
	if err != nil {
		m.rt.Throw(err)
	}
}

// lookup returns the object whose id is a native call's first argument,
// or throws ValueError naming what it should have been (a forged or stale
// id: the JS layer only passes ids it was given).
func lookup[T any](m *mod, objs map[int]*T, call goja.FunctionCall, what string) *T {
	o := objs[argInt(call, 0)]
	if o == nil {
		m.rt.Throw(pyerr.ValueErrorf("not a multiprocessing %s", what))
	}
	return o
}

// callInternal calls a function the JS layer put on the internal object.
func (m *mod) callInternal(name string, args ...goja.Value) goja.Value {
	fn, ok := goja.AssertFunction(m.internal.Get(name))
	if !ok {
		panic(m.vm.NewGoError(pyerr.New("RuntimeError", "multiprocessing: no internal function %s", name)))
	}
	v, err := fn(goja.Undefined(), args...)
	if err != nil {
		panic(err)
	}
	return v
}

// afterFork runs in every forked child where fork returned 0 (live or in
// replay): objects made before the fork now belong to another process.
func (m *mod) afterFork() {
	m.gen++
	for _, id := range sortedKeys(m.queues) {
		m.queues[id].afterFork()
	}
	m.callInternal("afterFork")
}

// arg helpers for natives called by the JS layer with normalised
// positional arguments.

func argInt(call goja.FunctionCall, i int) int {
	v := call.Argument(i)
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return 0
	}
	return int(v.ToInteger())
}

// argTimeout reads a timeout in seconds; null or undefined is -1
// (forever), and a negative or NaN timeout is 0, as Python's waits treat
// it.
func argTimeout(call goja.FunctionCall, i int) float64 {
	v := call.Argument(i)
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return -1
	}
	f := v.ToFloat()
	if f != f || f < 0 {
		return 0
	}
	return f
}

func sortedKeys[V any](mp map[int]V) []int {
	keys := make([]int, 0, len(mp))
	for k := range mp {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}
