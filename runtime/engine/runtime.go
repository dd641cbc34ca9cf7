package engine

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Runtime is one JS runtime: a goja VM, its event loop, its journal and its
// modules. All methods except Interrupt must be called from one goroutine.
type Runtime struct {
	vm   *goja.Runtime
	opts Options
	errs *pyerr.Table

	journal   *journalWriter
	replay    *journalReader // set while a forked child replays
	replaying bool
	diverged  bool

	loop   loop
	cancel *waker

	fds   map[int]bool // descriptors the script can see (passed to forks)
	stdio [3]int       // the fds behind sys.stdin, sys.stdout, sys.stderr
	pumps []*pump

	rng       *rand.PCG
	req       *require.RequireModule
	modules   map[string]*Module
	exports   map[string]goja.Value
	bytesCls  *goja.Object
	bytesRepr goja.Value
	hdr       header

	atFork []func()
	onLive []func()
	atExit []func()

	exitCode int // the status runExit is ending with; -1 before

	callDepth   int
	frameBuf    []goja.StackFrame
	sigs        *signals
	forks       *forker
	startDir    string
	closed      bool
	state       map[any]any
	running     atomic.Bool // JS is executing on the JS thread
	flushHook   func()
	sigMu       sync.Mutex
	sigJS       map[int]bool // signals with a JS handler, for the signal goroutine
	cancelled   atomic.Bool  // the current run's context ended
	tainted     bool         // running JS was interrupted: forking is off
	exitFailure int          // see FailExit

	forkStates    map[string]forkStateProvider
	forkStateData []byte // a child's saved state, restored when it goes live
	tracked       map[int]func()
}

// header pins what a forked child needs before replaying: everything that
// is not in the JS heap or the journal's entries.
type header struct {
	Version     int      `cbor:"1,keyasint"`
	BuildID     string   `cbor:"2,keyasint"`
	Modules     []string `cbor:"3,keyasint"`
	Args        []string `cbor:"4,keyasint"`
	Env         []string `cbor:"5,keyasint"`
	TZ          string   `cbor:"6,keyasint"`
	TZSet       bool     `cbor:"7,keyasint"`
	MaxStack    int      `cbor:"8,keyasint"`
	Stdio       [3]int   `cbor:"9,keyasint"`
	Interactive bool     `cbor:"10,keyasint"`
	Dir         string   `cbor:"11,keyasint"`
	OwnEnv      bool     `cbor:"12,keyasint"`
}

const journalVersion = 1

// New creates a runtime configured by opts. It returns an error if a module
// in opts.Modules was not registered with Register.
func New(opts Options) (*Runtime, error) {
	h := header{
		Version:     journalVersion,
		Args:        opts.Args,
		Env:         opts.Env,
		MaxStack:    opts.MaxCallStackSize,
		Interactive: opts.Interactive,
	}
	if h.Env == nil {
		h.Env = os.Environ()
		h.OwnEnv = true
	}
	h.TZ, h.TZSet = os.LookupEnv("TZ")
	if h.MaxStack <= 0 {
		h.MaxStack = defaultMaxCallStack
	}
	for _, m := range opts.Modules {
		if Lookup(m.Name) != m {
			return nil, fmt.Errorf("forkjs: module %q is not registered: declare it with engine.Register in a package-level var so forked children can rebuild it", m.Name)
		}
		h.Modules = append(h.Modules, m.Name)
	}
	dir, err := os.Getwd()
	if err != nil {
		dir = "/"
	}
	h.Dir = dir
	rt := newRuntime(h, nil)
	var pumpErr error
	rt.stdio, pumpErr = rt.setupStdio(opts)
	if pumpErr != nil {
		return nil, pumpErr
	}
	rt.hdr.Stdio = rt.stdio
	rt.opts = opts
	if opts.MemoryLimit > 0 {
		go rt.memoryWatch(opts.MemoryLimit)
	}
	payload, err := encMode.Marshal(rt.hdr)
	if err != nil {
		return nil, err
	}
	rt.journal.header(payload)
	rt.start()
	return rt, nil
}

// newRuntime builds the VM and engine state shared by New and a forked
// child's start-up; r is the journal to replay, or nil.
func newRuntime(h header, r *journalReader) *Runtime {
	initFDs()
	rt := &Runtime{
		vm:       goja.New(),
		journal:  newJournalWriter(),
		replay:   r,
		fds:      map[int]bool{},
		modules:  map[string]*Module{},
		exports:  map[string]goja.Value{},
		hdr:      h,
		stdio:    h.Stdio,
		cancel:   newWaker(),
		startDir: h.Dir,
		state:    map[any]any{},
		exitCode: -1,
	}
	rt.replaying = r != nil
	rt.journal.onOff = func() {
		if rt.forks != nil {
			rt.DisableSpares() // a spare holds the dropped journal's memory
		}
	}
	rt.opts.Args = h.Args
	rt.opts.Env = h.Env
	rt.opts.Interactive = h.Interactive
	rt.loop.init()
	rt.vm.SetMaxCallStackSize(h.MaxStack)
	rt.vm.SetTimeSource(rt.now)
	rt.vm.SetRandSource(rt.random)
	rt.errs = pyerr.Install(rt.vm)
	rt.trackRejections()
	for _, name := range h.Modules {
		rt.modules[name] = Lookup(name)
	}
	return rt
}

// start runs the journaled part of start-up, identical in parent and child.
func (rt *Runtime) start() {
	seed, _ := Do(rt, Input, "engine.seed", 0, func() ([2]uint64, error) {
		return [2]uint64{rand.Uint64(), rand.Uint64()}, nil
	})
	rt.rng = rand.NewPCG(seed[0], seed[1])
	initial, _ := Do(rt, Input, "engine.fds", 0, func() ([]int, error) { return inheritedFDs(rt.stdio), nil })
	for _, fd := range initial {
		rt.fds[fd] = true
	}
	rt.installGlobals()
	rt.sigState()
	rt.installModules()
}

// inheritedFDs lists the descriptors the script starts with: its stdio and
// any descriptor this process inherited without close-on-exec, as Python
// sees every inherited fd.
func inheritedFDs(stdio [3]int) []int {
	set := map[int]bool{}
	for _, fd := range stdio {
		if fd >= 0 {
			set[fd] = true
		}
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err == nil {
		for _, e := range ents {
			var fd int
			if _, err := fmt.Sscan(e.Name(), &fd); err != nil {
				continue
			}
			flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
			if err == nil && flags&unix.FD_CLOEXEC == 0 && fd > 2 {
				set[fd] = true
			}
		}
	}
	out := make([]int, 0, len(set))
	for fd := range set {
		out = append(out, fd)
	}
	sort.Ints(out)
	return out
}

// VM returns the goja runtime, for bindings that build JS values.
func (rt *Runtime) VM() *goja.Runtime { return rt.vm }

// Replaying reports whether this runtime is a forked child still replaying
// its parent's journal: host calls do not reach the OS.
func (rt *Runtime) Replaying() bool { return rt.replaying }

// Args returns sys.argv as the runtime was created with.
func (rt *Runtime) Args() []string { return rt.opts.Args }

// StartEnv returns the environment the script started with, as
// "KEY=value" strings (pinned in the journal header for forked children).
func (rt *Runtime) StartEnv() []string { return rt.hdr.Env }

// StartDir returns the working directory at start-up (script paths are
// resolved against it).
func (rt *Runtime) StartDir() string { return rt.startDir }

// Stdio returns the descriptors behind the script's standard streams.
func (rt *Runtime) Stdio() [3]int { return rt.stdio }

// Interactive reports whether this runtime runs a REPL session.
func (rt *Runtime) Interactive() bool { return rt.opts.Interactive }

// State returns a per-runtime value stored under key, creating it with mk
// on first use: the place for a binding's per-runtime state.
func (rt *Runtime) State(key any, mk func() any) any {
	v, ok := rt.state[key]
	if !ok {
		v = mk()
		rt.state[key] = v
	}
	return v
}

// AtFork registers fn to run in a child right after os.fork() returns 0
// there, as Python's os.register_at_fork(after_in_child=...). It runs in
// replay too (in grandchildren), so it must act only through the host
// boundary or on JS-visible state.
func (rt *Runtime) AtFork(fn func()) { rt.atFork = append(rt.atFork, fn) }

// OnLive registers fn to run once when a replaying child becomes live, to
// re-create OS state the journal cannot carry (signal handlers, goroutines).
func (rt *Runtime) OnLive(fn func()) { rt.onLive = append(rt.onLive, fn) }

// AtExit registers fn to run when the script ends normally or by
// sys.exit, in the live process (flushing buffers, joining children).
// Functions run in reverse order of registration, as Python's atexit.
func (rt *Runtime) AtExit(fn func()) { rt.atExit = append(rt.atExit, fn) }

// AddFD records that the script can see fd, so that a fork passes it.
func (rt *Runtime) AddFD(fd int) { rt.fds[fd] = true }

// RemoveFD records that fd is closed.
func (rt *Runtime) RemoveFD(fd int) { delete(rt.fds, fd) }

// HasFD reports whether the script can see fd.
func (rt *Runtime) HasFD(fd int) bool { return rt.fds[fd] }

func (rt *Runtime) now() time.Time {
	if rt.replaying {
		e := rt.replayNext("clock")
		if e.kind != kindClock {
			rt.diverge(e, "clock read (Date) at "+rt.callSite().String())
		}
		return time.Unix(0, e.clock)
	}
	t := time.Now()
	rt.journal.clock(t.UnixNano())
	return time.Unix(0, t.UnixNano())
}

func (rt *Runtime) random() float64 {
	return float64(rt.rng.Uint64()>>11) / (1 << 53)
}

// Throw raises err in JS: an *pyerr.Error (or any error, via pyerr.From)
// becomes an instance of its Python-named class. It does not return.
func (rt *Runtime) Throw(err error) {
	panic(rt.toJSError(pyerr.From(err)))
}

// NewError builds the JS exception for err without throwing it.
func (rt *Runtime) NewError(err error) *goja.Object { return rt.toJSError(pyerr.From(err)) }

func (rt *Runtime) toJSError(e *pyerr.Error) *goja.Object { return rt.errs.New(e) }

// Errors returns the runtime's exception class table, for modules that
// define classes of their own (Register) or need one (Class).
func (rt *Runtime) Errors() *pyerr.Table { return rt.errs }

// callSite returns the innermost JS frame calling into Go.
func (rt *Runtime) callSite() site {
	rt.frameBuf = rt.vm.CaptureCallStack(3, rt.frameBuf[:0])
	for i := range rt.frameBuf {
		f := &rt.frameBuf[i]
		if name := f.SrcName(); name != "<native>" {
			p := f.Position()
			return site{file: name, line: p.Line, col: p.Column}
		}
	}
	return site{}
}

// catch runs fn and returns what it threw: a *goja.Exception, a goja
// uncatchable error (interrupt, stack overflow), or nil.
func (rt *Runtime) catch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				if _, ok := e.(*goja.InterruptedError); ok {
					// JS stopped at an arbitrary instruction: no replay can
					// stop at the same point, so this runtime can no longer
					// fork (see Fork).
					rt.tainted = true
					err = e
					return
				}
				if _, ok := e.(*goja.StackOverflowError); ok {
					err = e
					return
				}
			}
			panic(r)
		}
	}()
	if ex := rt.vm.Try(fn); ex != nil {
		return ex
	}
	return nil
}

// callJS runs fn (which calls into JS) as a top-level turn: promise jobs
// it queued run before callJS returns.
func (rt *Runtime) callJS(fn func()) {
	rt.callDepth++
	defer func() { rt.callDepth-- }()
	fn()
	if rt.callDepth == 1 {
		rt.flushJobs()
		rt.throwUnhandled()
	}
}

var emptyProgram = &compiled{name: "", src: new(string)}

// flushJobs runs queued promise reactions (goja runs them when the
// outermost JS call returns; an empty program is such a call).
func (rt *Runtime) flushJobs() {
	if _, err := rt.vm.RunProgram(emptyProgram.program()); err != nil {
		panic(err)
	}
}

// Close ends the runtime: it runs the script's exit hooks if a run left
// them pending (flushing file buffers, joining or terminating
// multiprocessing children as Python does at exit), then kills every child
// process the runtime started that is still running and reaps it, and
// releases the runtime's descriptors. The runtime cannot be used again.
func (rt *Runtime) Close() error {
	if rt.closed {
		return nil
	}
	if !rt.replaying && len(rt.atExit) > 0 {
		rt.runExit(0)
	}
	rt.killChildren()
	rt.closed = true
	rt.cancel.wake(wakeClosed)
	for _, p := range rt.pumps {
		p.close()
	}
	if rt.sigs != nil {
		rt.sigs.stop()
	}
	if rt.forks != nil {
		rt.forks.close()
	}
	rt.cancel.close()
	rt.journal.release()
	return nil
}

// pump connects a non-file io.Reader or io.Writer to a pipe.
type pump struct {
	fd     int // the script's end
	done   chan struct{}
	writer bool // the pump copies from the pipe to the host's writer
}

// close closes the script's end; for an output pump it waits until
// everything written has reached the host's writer (forked children that
// still hold the pipe are killed by Close before this).
func (p *pump) close() {
	unix.Close(p.fd)
	if p.writer {
		<-p.done
	}
}

func (rt *Runtime) setupStdio(opts Options) ([3]int, error) {
	var fds [3]int
	streams := []any{opts.Stdin, opts.Stdout, opts.Stderr}
	for i, s := range streams {
		if s == nil || s == (*os.File)(nil) {
			fds[i] = i
			continue
		}
		if f, ok := s.(*os.File); ok {
			fds[i] = int(f.Fd())
			continue
		}
		// By position, not by type: a *bytes.Buffer is both a Reader and a
		// Writer.
		if i == 0 {
			r, ok := s.(io.Reader)
			if !ok {
				return fds, fmt.Errorf("forkjs: Options.Stdin must be an io.Reader")
			}
			pr, pw, err := os.Pipe()
			if err != nil {
				return fds, err
			}
			fd, err := unix.FcntlInt(pr.Fd(), unix.F_DUPFD_CLOEXEC, 3)
			if err != nil {
				return fds, err
			}
			pr.Close()
			p := &pump{fd: fd, done: make(chan struct{})}
			go func() { io.Copy(pw, r); pw.Close(); close(p.done) }()
			rt.pumps = append(rt.pumps, p)
			fds[i] = fd
			continue
		}
		w, ok := s.(io.Writer)
		if !ok {
			return fds, fmt.Errorf("forkjs: Options.Stdout and Stderr must be io.Writers")
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			return fds, err
		}
		fd, err := unix.FcntlInt(pw.Fd(), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			return fds, err
		}
		pw.Close()
		p := &pump{fd: fd, done: make(chan struct{}), writer: true}
		go func() { io.Copy(w, pr); pr.Close(); close(p.done) }()
		rt.pumps = append(rt.pumps, p)
		fds[i] = fd
	}
	return fds, nil
}
