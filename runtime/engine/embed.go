package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// ScriptError is an exception a script did not catch, as RunString and
// RunFile return it.
type ScriptError struct {
	// Name is the exception's class name ("ValueError", "TypeError").
	Name string
	// Message is its message.
	Message string
	// Stack is the JS stack, file:line:column frames.
	Stack string
	// Value is the thrown JS value.
	Value goja.Value
}

func (e *ScriptError) Error() string {
	if e.Message == "" {
		return e.Name
	}
	return e.Name + ": " + e.Message
}

// ExitError reports a script that called sys.exit with a code (nil code
// and 0 are not errors): Code is the exit status, as Python's SystemExit.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// RunString runs code (named "<string>" in stack traces) as a top-level
// script, then the event loop until no timer, callback or async result is
// pending, and returns the script's completion value converted to Go (see
// Export). Errors: *ScriptError for an uncaught exception, *ExitError for
// sys.exit with a non-zero code, and ctx.Err() (wrapped, so errors.Is
// works) when ctx is cancelled or times out: running JS and blocking host
// calls (sleep, waitpid, communicate, queue and pool waits) stop within
// moments, and every child process the runtime started is killed and
// reaped before RunString returns.
//
// In a forked child of this runtime (see Dispatch) the rest of the code
// runs in the child, which then exits: RunString never returns there.
func (rt *Runtime) RunString(ctx context.Context, code string) (any, error) {
	return rt.runCtx(ctx, "<string>", []byte(code))
}

// RunFile runs the script in path like RunString; path names it in stack
// traces and relative require() calls resolve against its directory.
// Errors: as RunString, and *os.PathError if path cannot be read.
func (rt *Runtime) RunFile(ctx context.Context, path string) (any, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return rt.runCtx(ctx, path, src)
}

func (rt *Runtime) runCtx(ctx context.Context, name string, src []byte) (any, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if rt.closed {
		return nil, errors.New("forkjs: runtime is closed")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rt.startSignals()
	stop := rt.watchContext(ctx)
	res, err := rt.evalRun(name, modeScript, src)
	if err == nil {
		err = rt.runLoop()
	}
	stop()
	if rt.flushHook != nil && !rt.replaying {
		rt.flushHook() // the host sees the script's output when the run returns
	}
	if cerr := ctx.Err(); cerr != nil && rt.cancelled.Load() {
		rt.killChildren()
		rt.cancel.clearCancel()
		rt.vm.ClearInterrupt()
		rt.cancelled.Store(false)
		return nil, fmt.Errorf("forkjs: script cancelled: %w", cerr)
	}
	if err != nil {
		return nil, rt.scriptError(err)
	}
	return rt.Export(res), nil
}

// watchContext wakes blocking calls and interrupts JS when ctx ends; the
// returned function stops watching.
func (rt *Runtime) watchContext(ctx context.Context) func() {
	if ctx.Done() == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			rt.cancelled.Store(true)
			rt.cancel.wake(wakeCancel)
			if rt.running.Load() && !rt.cancel.armed.Load() {
				rt.vm.Interrupt(ctx.Err())
			}
		case <-done:
		}
	}()
	return func() { close(done); wg.Wait() }
}

// scriptError converts what a run threw into a Go error.
func (rt *Runtime) scriptError(err error) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if e, ok := ie.Value().(error); ok {
			return e
		}
		return &ScriptError{Name: "KeyboardInterrupt", Message: fmt.Sprint(ie.Value())}
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return &ScriptError{Name: "RangeError", Message: "Maximum call stack size exceeded"}
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		return err
	}
	v := ex.Value()
	se := &ScriptError{Value: v, Name: "Error", Message: v.String()}
	if obj, ok := v.(*goja.Object); ok {
		if rt.isInstance(obj, "SystemExit") {
			code := rt.systemExitCode(obj)
			if code == 0 {
				return nil
			}
			return &ExitError{Code: code}
		}
		if n := obj.Get("name"); n != nil {
			se.Name = n.String()
		}
		if m := obj.Get("message"); m != nil {
			se.Message = m.String()
		}
		if s := obj.Get("stack"); s != nil {
			se.Stack = rt.FormatError(err)
		}
	}
	return se
}

// Set gives the script a global variable name holding value, converted as
// ToJS does (deterministically). The assignment is journaled, so forked
// children see it too. Errors: a value with no data representation (a Go
// function: register host functions with a Module and Func instead).
func (rt *Runtime) Set(name string, value any) error {
	b, err := canonical(value)
	if err != nil {
		return err
	}
	if !rt.replaying {
		payload := append([]byte{byte(modeSet), byte(len(name) >> 8), byte(len(name))}, name...)
		rt.journal.run("<set>", append(payload, b...))
	}
	return rt.applySet(name, b)
}

func (rt *Runtime) applySet(name string, b []byte) error {
	v, err := rt.toJSFromCBOR(b)
	if err != nil {
		return err
	}
	return rt.vm.Set(name, v)
}

// replaySet applies a journaled Set in a replaying child.
func (rt *Runtime) replaySet(payload []byte) {
	if len(payload) < 2 {
		rt.divergeMsg("malformed Set entry in the journal")
	}
	n := int(payload[0])<<8 | int(payload[1])
	if len(payload) < 2+n {
		rt.divergeMsg("malformed Set entry in the journal")
	}
	if err := rt.applySet(string(payload[2:2+n]), payload[2+n:]); err != nil {
		rt.divergeMsg("journaled Set failed: " + err.Error())
	}
}

// Get returns the global variable name converted to Go (see Export), or
// nil if it is not defined.
func (rt *Runtime) Get(name string) any {
	var v goja.Value
	if err := rt.catch(func() {
		if rt.vm.GlobalObject().Get(name) != nil {
			v = rt.vm.Get(name)
			return
		}
		// a top-level let/const binding is not a property of globalThis
		if fn, err := rt.vm.RunString("(function(){ try { return " + name + "; } catch (e) { return undefined; } })()"); err == nil && isIdentifier(name) {
			v = fn
		}
	}); err != nil {
		return nil
	}
	return rt.Export(v)
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

// Func makes a JS function around a host function, for a Module's Init.
// name identifies it in the journal ("host.weather"); class says how it
// meets the outside world (see Class): an Input or Effect function runs
// live and its result is journaled, so a forked child replaying the script
// gets the parent's results instead of calling fn again. fn receives the
// JS arguments converted by Export and returns a value converted by ToJS
// (maps become objects with sorted keys) or an error, raised in JS as an
// exception of its Python class (*pyerr.Error) or RuntimeError.
func Func(rt *Runtime, name string, class Class, fn func(args []any) (any, error)) goja.Value {
	return rt.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		args := make([]any, len(call.Arguments))
		hashArgs := make([]any, len(call.Arguments))
		for i, a := range call.Arguments {
			args[i] = rt.Export(a)
			if b, err := canonical(args[i]); err == nil {
				hashArgs[i] = b
			}
		}
		b, err := Do(rt, class, name, ArgsHash(hashArgs...), func() ([]byte, error) {
			v, err := fn(args)
			if err != nil {
				return nil, err
			}
			return canonical(v)
		})
		if err != nil {
			rt.Throw(err)
		}
		v, err := rt.toJSFromCBOR(b)
		if err != nil {
			rt.Throw(err)
		}
		return v
	})
}

// TrackChild records a child process the runtime started that is not a
// forked child (a subprocess.Popen child, say), with the function that
// kills and reaps it, so that a cancelled run or Close ends it. kill runs
// on the goroutine that called RunString or Close, after the script
// stopped. Bindings call UntrackChild once they reaped the child.
func (rt *Runtime) TrackChild(pid int, kill func()) {
	if rt.replaying {
		return
	}
	if rt.tracked == nil {
		rt.tracked = map[int]func(){}
	}
	rt.tracked[pid] = kill
}

// UntrackChild forgets a child recorded with TrackChild.
func (rt *Runtime) UntrackChild(pid int) { delete(rt.tracked, pid) }

// killChildren kills every tracked child and forked child and reaps them.
func (rt *Runtime) killChildren() {
	for pid, kill := range rt.tracked {
		kill()
		delete(rt.tracked, pid)
	}
	if rt.forks == nil {
		return
	}
	var pids []int
	for pid := range rt.forks.children {
		unix.Kill(pid, syscall.SIGKILL)
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(pid, &ws, 0, nil)
			if err != unix.EINTR {
				break
			}
		}
		rt.ForgetChild(pid)
	}
}

// memoryWatch interrupts the runtime with MemoryError when the process's
// Go heap exceeds limit bytes (checked every 50 ms; process-wide, so only
// approximate when several runtimes share a process).
func (rt *Runtime) memoryWatch(limit int64) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	var ms runtime.MemStats
	for range t.C {
		if rt.closed {
			return
		}
		runtime.ReadMemStats(&ms) // not runtime/metrics: its init costs every start-up
		if int64(ms.HeapAlloc) > limit {
			rt.vm.Interrupt(pyerr.New("MemoryError", "the script used more than %d bytes of memory", limit))
			rt.cancel.wake(wakeInterrupt)
		}
	}
}
