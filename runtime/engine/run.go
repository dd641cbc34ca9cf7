package engine

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

type runMode byte

const (
	modeScript runMode = 0 // a script: its completion value is returned
	modeREPL   runMode = 1 // a REPL entry: a defined result is also stored in _
	modeExit   runMode = 2 // no code: the exit hooks run here
	modeSet    runMode = 3 // the host set a global (Runtime.Set)
)

// evalRun compiles and runs top-level code. Live, it first journals the
// code, so that a forked child runs the same code at the same point.
func (rt *Runtime) evalRun(name string, mode runMode, src []byte) (goja.Value, error) {
	if !rt.replaying {
		payload := make([]byte, 0, len(src)+1)
		payload = append(append(payload, byte(mode)), src...)
		rt.journal.run(name, payload)
		if mode == modeScript && mayFork(src) {
			rt.earlySpare()
		}
	}
	prg, err := goja.Compile(name, string(src), false)
	if err != nil {
		return nil, rt.syntaxError(err)
	}
	var res goja.Value
	err = rt.catch(func() {
		rt.callDepth++
		defer func() { rt.callDepth-- }()
		rt.running.Store(true)
		defer rt.running.Store(false)
		var rerr error
		res, rerr = rt.vm.RunProgram(prg)
		if rerr != nil {
			panic(rerr)
		}
		rt.throwUnhandled()
	})
	if err != nil {
		return nil, err
	}
	if mode == modeREPL && res != nil && !goja.IsUndefined(res) {
		rt.vm.Set("_", res)
	}
	return res, nil
}

// syntaxRE parses goja's compile errors: "SyntaxError: FILE: Line L:C MSG
// (and N more errors)".
var syntaxRE = regexp.MustCompile(`^(?:SyntaxError: )?(.*): Line (\d+):(\d+) (.*?)(?: \(and \d+ more errors?\))?$`)

// syntaxError turns a compile error into a thrown SyntaxError whose
// message is goja's and whose stack names the file, line and column.
func (rt *Runtime) syntaxError(err error) error {
	msg, where := err.Error(), ""
	if m := syntaxRE.FindStringSubmatch(msg); m != nil {
		msg, where = m[4], m[1]+":"+m[2]+":"+m[3]
	}
	return rt.catch(func() {
		obj, _ := rt.vm.New(rt.errs.Class("SyntaxError"), rt.vm.ToValue(msg))
		stack := "SyntaxError: " + msg
		if where != "" {
			stack += "\n    at " + where
		}
		_ = obj.DefineDataProperty("stack", rt.vm.ToValue(stack), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		panic(obj)
	})
}

// RunScript runs src (named name in stack traces) as a top-level script of
// this runtime, without running the event loop, and returns its completion
// value. A thrown exception comes back as a *goja.Exception.
func (rt *Runtime) RunScript(name string, src string) (goja.Value, error) {
	return rt.evalRun(name, modeScript, []byte(src))
}

// EvalREPL runs one REPL entry: like RunScript, and a result other than
// undefined is stored in the global _. A Ctrl-C that arrives while the entry
// runs belongs to it: it is not reported again afterwards.
func (rt *Runtime) EvalREPL(src string) (goja.Value, error) {
	return rt.EvalREPLFile("<repl>", src)
}

// EvalREPLFile is EvalREPL for an entry read from a file (the REPL's .load):
// stack traces name the file.
func (rt *Runtime) EvalREPLFile(name, src string) (goja.Value, error) {
	rt.vm.ClearInterrupt()
	defer func() {
		rt.vm.ClearInterrupt()
		rt.cancel.drop(wakeInterrupt)
	}()
	return rt.evalRun(name, modeREPL, []byte(src))
}

// RunLoop runs the event loop until no timer, callback or child keeps it
// alive, and returns the first uncaught exception.
func (rt *Runtime) RunLoop() error { return rt.runLoop() }

// RunMain runs a program the way the forkjs command does: the script, then
// its event loop, then its exit hooks. It returns the exit status: 0, the
// sys.exit code, 1 after an uncaught exception (printed to stderr with its
// stack) or 130 after Ctrl-C. In a forked child that becomes live inside
// the script, the child finishes the same way and exits without returning.
func (rt *Runtime) RunMain(name string, src []byte) int {
	rt.startSignals()
	_, err := rt.evalRun(name, modeScript, src)
	code := -1
	if err != nil {
		code = rt.exitStatus(err)
	}
	return rt.finishMain(code)
}

// finishMain runs the loop (unless the script already ended with code) and
// the exit hooks; it returns the exit status.
func (rt *Runtime) finishMain(code int) int {
	if code < 0 {
		if err := rt.runLoop(); err != nil {
			code = rt.exitStatus(err)
		} else {
			code = 0
		}
	}
	return rt.runExit(code)
}

// runExit runs AtExit hooks (last registered first); an exception in one
// is printed and, like Python's atexit, does not stop the others.
func (rt *Runtime) runExit(code int) int {
	if !rt.replaying {
		rt.journal.run("<exit>", []byte{byte(modeExit)})
	}
	rt.exitCode = code
	for i := len(rt.atExit) - 1; i >= 0; i-- {
		fn := rt.atExit[i]
		if err := rt.catch(func() { rt.callJS(fn) }); err != nil {
			if c := rt.exitStatus(err); c != 0 && code == 0 {
				code = c
			}
		}
	}
	rt.atExit = nil
	if rt.exitFailure != 0 && code == 0 {
		code = rt.exitFailure
	}
	if !rt.replaying {
		rt.recordJournal()
	}
	rt.retireSpares()
	return code
}

// FailExit makes a script that would end with status 0 end with code
// instead; exit hooks use it for failures Python reports at exit (120 when
// flushing sys.stdout fails).
func (rt *Runtime) FailExit(code int) {
	if rt.exitFailure == 0 {
		rt.exitFailure = code
	}
}

// ExitCode returns, while AtExit hooks run, the status the script is
// ending with (130 after Ctrl-C, 1 after an uncaught exception, the
// sys.exit code otherwise); it is -1 before the script ends. The journal
// does not carry it (a replay runs the hooks with status 0), so a hook
// must read it only inside the live function of a host call (Do), never
// to decide which host calls it makes.
func (rt *Runtime) ExitCode() int { return rt.exitCode }

// Exit runs the exit hooks and ends the process with code, as Python's
// sys.exit does at top level (Finish does the same without exiting). It
// is also how process bodies that must never return into the script end
// (a multiprocessing.Process child after run(), a Pool worker).
//
// A replaying runtime reaches Exit only when a recorded journal is
// replayed to its end (--replay-check): a forked child that ended this
// way journaled its exit hooks after an "<exit>" entry. The replay then
// matches that entry, replays the hooks, requires the journal to end there
// and exits 0, as a replay check that ran to the end does.
func (rt *Runtime) Exit(code int) {
	if rt.replaying {
		e := rt.replayNextAllow("exit", false)
		if e.kind != kindRun || e.name != "<exit>" {
			rt.diverge(e, "the process exit at "+rt.callSite().String())
		}
		rt.runExit(code)
		if !rt.replay.done() {
			rt.divergeMsg(fmt.Sprintf("journal left over after the exit at entry %d", rt.replay.entries-1))
		}
		os.Exit(0)
	}
	os.Exit(rt.runExit(code))
}

// ExitNow ends the process at once with code, without exit hooks or
// flushing buffers, as Python's os._exit. With FORKJS_RECORD it still
// writes the journal, ending in an "<_exit>" entry, so that a forked child
// that left this way is part of the determinism self-test; a replay check
// that reaches that entry requires the journal to end there and exits 0.
func (rt *Runtime) ExitNow(code int) {
	if rt.replaying {
		e := rt.replayNextAllow("os._exit", false)
		if e.kind != kindRun || e.name != "<_exit>" {
			rt.diverge(e, "os._exit at "+rt.callSite().String())
		}
		if !rt.replay.done() {
			rt.divergeMsg(fmt.Sprintf("journal left over after os._exit at entry %d", rt.replay.entries-1))
		}
		os.Exit(0)
	}
	if os.Getenv(recordEnv) != "" {
		rt.journal.run("<_exit>", []byte{byte(modeExit)})
		rt.recordJournal()
	}
	rt.retireSpares()
	os.Exit(code)
}

// exitStatus maps an uncaught exception to an exit status and prints it
// (Python's rules: SystemExit's code; 130 for KeyboardInterrupt; 1 and the
// stack on stderr otherwise).
func (rt *Runtime) exitStatus(err error) int {
	// The script has stopped: an interrupt still pending (a Ctrl-C that
	// raced with the one that ended it) must not stop the JS that prints
	// the error or the exit hooks.
	rt.vm.ClearInterrupt()
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		rt.PrintError(err)
		return 130
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if obj, ok := ex.Value().(*goja.Object); ok {
			if rt.isInstance(obj, "SystemExit") {
				return rt.systemExitCode(obj)
			}
			if rt.isInstance(obj, "KeyboardInterrupt") {
				rt.PrintError(err)
				return 130
			}
		}
	}
	rt.PrintError(err)
	return 1
}

func (rt *Runtime) isInstance(obj *goja.Object, class string) bool {
	cls := rt.errs.Class(class)
	return cls != nil && rt.vm.InstanceOf(obj, cls)
}

// systemExitCode follows Python: None is 0, an int is the status, anything
// else is printed to stderr and gives 1.
func (rt *Runtime) systemExitCode(obj *goja.Object) int {
	c := obj.Get("code")
	if c == nil || goja.IsNull(c) || goja.IsUndefined(c) {
		return 0
	}
	switch x := c.Export().(type) {
	case int64:
		return int(x) & 0xff
	case float64:
		if x == float64(int64(x)) {
			return int(int64(x)) & 0xff
		}
	case bool:
		if x {
			return 1
		}
		return 0
	}
	rt.writeStderr(rt.Format([]goja.Value{c}) + "\n")
	return 1
}

// PrintError prints an uncaught exception to the script's stderr: its
// stack (file:line:column frames) or, for an interrupt, KeyboardInterrupt.
func (rt *Runtime) PrintError(err error) {
	rt.writeStderr(rt.FormatError(err) + "\n")
}

// PrintRaw writes s to the script's stderr (live only), for messages such
// as Python's "Exception ignored in ...".
func (rt *Runtime) PrintRaw(s string) { rt.writeStderr(s) }

// FormatError renders an exception as PrintError prints it.
func (rt *Runtime) FormatError(err error) string {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if pe, ok := ie.Value().(*pyerr.Error); ok {
			return pe.Type
		}
		return "KeyboardInterrupt"
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return "RangeError: Maximum call stack size exceeded"
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		v := ex.Value()
		if obj, ok := v.(*goja.Object); ok && obj.Get("stack") != nil {
			s := rt.Inspect(v, false)
			if !strings.Contains(s, "\n") && len(ex.Stack()) > 0 {
				s += "\n" + formatFrames(ex.Stack())
			}
			return "Uncaught " + s
		}
		s := "Uncaught " + rt.Inspect(v, false)
		if len(ex.Stack()) > 0 {
			s += "\n" + formatFrames(ex.Stack())
		}
		return s
	}
	return err.Error()
}

func formatFrames(frames []goja.StackFrame) string {
	var b strings.Builder
	n := 0
	for _, f := range frames {
		if strings.HasPrefix(f.SrcName(), "<internal:") {
			continue
		}
		if n > 0 {
			b.WriteByte('\n')
		}
		n++
		b.WriteString("    at ")
		name := f.FuncName()
		p := f.Position()
		loc := fmt.Sprintf("%s:%d:%d", f.SrcName(), p.Line, p.Column)
		if f.SrcName() == "<native>" {
			loc = "native"
		}
		if name != "" && name != "<anonymous>" {
			fmt.Fprintf(&b, "%s (%s)", name, loc)
		} else {
			b.WriteString(loc)
		}
	}
	return b.String()
}

// writeStderr writes to the script's stderr descriptor directly, after the
// binding-level buffers had a chance to flush (stderr is unbuffered for
// diagnostics, as Python's is line-buffered).
func (rt *Runtime) writeStderr(s string) {
	if rt.replaying {
		return
	}
	if f := rt.flushHook; f != nil {
		f()
	}
	b := []byte(s)
	for len(b) > 0 {
		n, err := unix.Write(rt.stdio[2], b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		b = b[n:]
	}
}

// SetFlushHook sets the function that flushes buffered standard streams
// before the engine writes diagnostics (set by the module that owns
// sys.stdout).
func (rt *Runtime) SetFlushHook(fn func()) { rt.flushHook = fn }
