package engine

import (
	"errors"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// Hooks for hosts that drive a runtime themselves instead of through
// RunMain: the REPL reads input while the event loop runs, ends the session
// on SystemExit or Ctrl-D, and echoes results between buffered output.

// RunLoopUntil runs the event loop (due timers, delivered callbacks, signal
// handlers) until a receive from stop succeeds, then returns nil. Unlike
// RunLoop it does not return when nothing keeps the loop alive: it waits
// for stop. It returns early with the first uncaught exception a callback
// throws, or KeyboardInterrupt for Ctrl-C (while it waits, or while a
// callback runs JS); calling it again resumes the loop. What callbacks
// write to sys.stdout and sys.stderr is flushed after each turn, since the
// host is waiting for input. The REPL calls it while a line is being read.
func (rt *Runtime) RunLoopUntil(stop <-chan struct{}) error {
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		ran := false
		err := rt.catch(func() {
			// Marked running so that Ctrl-C interrupts a callback stuck in
			// JS; a Ctrl-C that interrupted one is used up.
			rt.running.Store(true)
			defer rt.running.Store(false)
			ran = rt.runDue()
		})
		if ran || err != nil {
			rt.FlushStdio() // the host is waiting: show callbacks' output now
		}
		if err != nil {
			var ie *goja.InterruptedError
			if errors.As(err, &ie) {
				rt.cancel.drop(wakeInterrupt)
			}
			return err
		}
		if err := rt.pendingDivergence(); err != nil {
			return rt.catch(func() { panic(rt.toJSError(pyerr.From(err))) })
		}
		stopped, err := rt.idleWait(stop)
		if stopped || err != nil {
			return err
		}
	}
}

// StartSignals installs forkjs's signal handling as RunMain does: SIGINT
// raises KeyboardInterrupt (in the running code, a blocking call or the
// idle loop) instead of killing the process, and signals given a JS handler
// with signal.signal run it. Hosts that run code without RunMain call it
// once before running code.
func (rt *Runtime) StartSignals() { rt.startSignals() }

// Finish ends a session the way the end of RunMain does, without exiting
// the process: it runs the exit hooks (flushing buffered output, joining
// children) and returns the exit status, code unless a hook failed.
func (rt *Runtime) Finish(code int) int { return rt.runExit(code) }

// SystemExitStatus reports whether err (from EvalREPL, RunScript or the
// loop) is an uncaught SystemExit and, if so, the exit status it asks for,
// by Python's rules: a null code is 0, an integer is the status, anything
// else is printed to stderr and gives 1.
func (rt *Runtime) SystemExitStatus(err error) (int, bool) {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if obj, ok := ex.Value().(*goja.Object); ok && rt.isInstance(obj, "SystemExit") {
			return rt.systemExitCode(obj), true
		}
	}
	return 0, false
}

// FlushStdio writes out what sys.stdout and sys.stderr hold in their
// buffers, as the engine does before printing a diagnostic; the REPL calls
// it before echoing a result so that output appears in order.
func (rt *Runtime) FlushStdio() {
	if f := rt.flushHook; f != nil && !rt.replaying {
		f()
	}
}

// drop discards a pending wake reason (the others stay pending).
func (w *waker) drop(reason uint32) {
	r := w.take()
	if rest := r &^ reason; rest != 0 {
		w.wake(rest)
	}
}
