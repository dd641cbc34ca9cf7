package subprocess

import (
	"strconv"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/proc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"github.com/forkjs/forkjs/runtime/pyio"
	"golang.org/x/sys/unix"
)

// pipeState says who owns the parent's end of one of a Popen's pipes.
// It changes only on the JS thread, identically in a replaying child.
type pipeState uint8

const (
	pipeNone   pipeState = iota // not a pipe
	pipeRaw                     // a raw fd owned by the Popen
	pipeFile                    // owned by files[i], the script's file object
	pipeComm                    // handed over to communicate
	pipeClosed                  // closed
)

// popen is the Go side of one Popen object. Everything but lp is JS-thread
// state, rebuilt identically by a replaying child from journaled results.
type popen struct {
	id     int
	obj    *goja.Object // the Popen object; nil inside run() and call()
	args   goja.Value
	pid    int
	leader bool
	rc     int
	hasRC  bool
	t      textOpts

	fds   [3]int // the parent's pipe ends (-1: not a pipe)
	state [3]pipeState
	files [3]*pyio.File

	commStarted bool
	out, errOut []byte // output communicate has returned so far

	// lp is the live child; nil in a Popen a forked child rebuilt during
	// replay (the process is its parent's: ChildProcessError).
	lp *liveProc
}

// liveProc is a Popen's live-only state. It is touched only inside host
// calls, which run on the JS thread.
type liveProc struct {
	proc       *proc.Process
	comm       *proc.Communication
	outN, errN int       // bytes of comm's output already journaled
	pending    [2][]byte // output read but not journaled yet (stdout, stderr)
	reaped     bool      // the child's status has been collected
}

// spawnResult is subprocess.Popen's journaled result.
type spawnResult struct {
	Pid    int    `cbor:"1,keyasint"`
	FDs    [3]int `cbor:"2,keyasint"`
	Leader bool   `cbor:"3,keyasint"`
}

// popenInit is Popen's constructor body: popenInit(self, argsArray). It
// starts the child (see start) and sets self.args,
// self.pid and self.returncode (null); text_mode, encoding and errors are
// getters on the prototype.
func (m *mod) popenInit(call goja.FunctionCall) goja.Value {
	vm := m.vm
	self := call.Argument(0).ToObject(vm)
	arr := call.Argument(1).ToObject(vm)
	args := make([]goja.Value, arr.Get("length").ToInteger())
	for i := range args {
		args[i] = arr.Get(strconv.Itoa(i))
	}
	a := m.rt.Params(goja.FunctionCall{This: self, Arguments: args}, "Popen.__init__", 1, popenParams...)
	p := m.start(a, false, [3]bool{})
	p.obj = self
	_ = self.DefineDataPropertySymbol(m.sym, vm.NewDynamicObject(handle{p}), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	self.Set("args", p.args)
	self.Set("pid", p.pid)
	self.Set("returncode", goja.Null())
	return goja.Undefined()
}

// start is Popen.__init__ for popenInit, run and call: it parses the
// arguments as Python does (see parseSpec for the errors; pipe[i] forces
// PIPE for stream i, as run's input and capture_output do), flushes the
// script's buffered files so that output stays in order, and starts the
// child. A failed start raises Python's OSError subclass:
// FileNotFoundError naming the program (or the cwd), PermissionError, ...
func (m *mod) start(a *engine.Call, forTimeout bool, pipe [3]bool) *popen {
	rt := m.rt
	spec, t := m.parseSpec(a, forTimeout, pipe)
	if spec.hasCwd && spec.cwd == "" {
		rt.Throw(pyerr.OSErrorf(unix.ENOENT, ""))
	}
	m.io.FlushAll()
	m.nextID++
	p := &popen{id: m.nextID, args: a.Arg("args"), t: t}
	res, err := engine.Do(rt, engine.Resource, "subprocess.Popen", spec.hash(), func() (spawnResult, error) {
		return m.spawn(p, spec)
	})
	m.check(err)
	p.pid, p.fds, p.leader = res.Pid, res.FDs, res.Leader
	for i, fd := range p.fds {
		if fd >= 0 {
			p.state[i] = pipeRaw
			rt.AddFD(fd)
		}
	}
	if p.leader {
		m.nLeaders++
	}
	return p
}

// handle is the hidden property that ties a Popen object to its *popen (a
// dynamic object: cheap to make, and it keeps p reachable exactly as long
// as the Popen object).
type handle struct{ p *popen }

func (handle) Get(string) goja.Value       { return nil }
func (handle) Set(string, goja.Value) bool { return false }
func (handle) Has(string) bool             { return false }
func (handle) Delete(string) bool          { return false }
func (handle) Keys() []string              { return nil }

// popenOf returns the *popen behind a Popen object, or raises TypeError.
func (m *mod) popenOf(v goja.Value, method string) *popen {
	if o, ok := v.(*goja.Object); ok {
		if h := o.GetSymbol(m.sym); h != nil {
			if hd, ok := h.Export().(handle); ok {
				return hd.p
			}
		}
	}
	m.rt.Throw(pyerr.TypeErrorf("descriptor '%s' for 'Popen' objects doesn't apply to a '%s' object", method, engine.PyType(v)))
	return nil
}

// setRC records the child's return code (Python's Popen.returncode).
func (m *mod) setRC(p *popen, rc int) {
	p.rc, p.hasRC = rc, true
	if p.obj != nil {
		p.obj.Set("returncode", rc)
	}
}

// returncode returns p.returncode as a JS value (null while running).
func (m *mod) returncode(p *popen) goja.Value {
	if !p.hasRC {
		return goja.Null()
	}
	return m.vm.ToValue(p.rc)
}
