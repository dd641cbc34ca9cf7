package subprocess

import (
	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// runParams and callParams are run()'s and call()'s signatures: Popen's,
// plus their own keyword-only arguments.
var (
	runParams  = withKeywords("input", "capture_output", "timeout", "check")
	callParams = withKeywords("timeout")
)

// withKeywords returns popenParams with more keyword-only names.
func withKeywords(names ...string) []string {
	for i, n := range popenParams {
		if n == "*" {
			out := append([]string(nil), popenParams[:i+1]...)
			out = append(out, names...)
			return append(out, popenParams[i+1:]...)
		}
	}
	panic("popenParams has no keyword-only part")
}

// run is subprocess.run(args, {input, capture_output, timeout, check,
// ...Popen options}) -> CompletedProcess, as Python's: it starts the
// command, communicates (input: Bytes or string) and waits. On timeout
// (seconds) the child, or its whole process group when it leads one, is
// killed and reaped, then TimeoutExpired is raised with the output read so
// far; any other exception (KeyboardInterrupt included) kills the child
// the same way. check: CalledProcessError (returncode, cmd, output,
// stderr) for a non-zero status. ValueError for input with stdin, or
// capture_output with stdout or stderr. Written in Go rather than JS only
// because it is the hot path of scripts that spawn a lot.
func (m *mod) run(call goja.FunctionCall) goja.Value {
	rt := m.rt
	a := rt.Params(call, "Popen.__init__", 1, runParams...)
	hasInput := !a.IsNone("input")
	if hasInput && !a.IsNone("stdin") {
		rt.Throw(pyerr.ValueErrorf("stdin and input arguments may not both be used."))
	}
	capture := a.Bool("capture_output", false)
	if capture && (!a.IsNone("stdout") || !a.IsNone("stderr")) {
		rt.Throw(pyerr.ValueErrorf("stdout and stderr arguments may not be used with capture_output."))
	}
	hasTimeout := !a.IsNone("timeout")
	timeout := a.Float("timeout", 0)
	p := m.start(a, hasTimeout, [3]bool{hasInput, capture, capture})
	var input []byte
	var res goja.Value
	m.guard(p, func() {
		if hasInput {
			input = m.inputBytes(p, a)
		}
		res = m.communicate(p, input, timeout, hasTimeout, a.Arg("timeout"))
	})
	m.exit(p)
	arr := res.(*goja.Object)
	out, errOut := arr.Get("0"), arr.Get("1")
	if a.Bool("check", false) && p.rc != 0 {
		panic(m.newError("CalledProcessError", m.vm.ToValue(p.rc), p.args, out, errOut))
	}
	return m.completed(p.args, p.rc, out, errOut)
}

// call is subprocess.call(args, {timeout, ...Popen options}) -> return
// code, as Python's: it starts the command and waits for it. On timeout
// (TimeoutExpired) or any other exception (KeyboardInterrupt included) the
// child, or its process group when it leads one, is killed and reaped.
func (m *mod) call(call goja.FunctionCall) goja.Value {
	a := m.rt.Params(call, "Popen.__init__", 1, callParams...)
	hasTimeout := !a.IsNone("timeout")
	timeout := a.Float("timeout", 0)
	p := m.start(a, hasTimeout, [3]bool{})
	m.guard(p, func() {
		r, err := m.waitFor(p, timeout, hasTimeout)
		m.check(err)
		if !r.Exited {
			panic(m.timeoutExpired(p, a.Arg("timeout"), false))
		}
		m.setRC(p, r.RC)
	})
	m.exit(p)
	return m.vm.ToValue(p.rc)
}

// guard runs fn; if it throws, the child is killed and reaped and its
// pipes closed (killAndWait, then exit) before the exception goes on, as
// the except and with clauses of Python's run and call do.
func (m *mod) guard(p *popen, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			exc, _ := r.(goja.Value)
			func() {
				// The original exception matters more than a failed cleanup.
				defer func() { recover() }()
				m.killAndWait(p, exc)
				m.exit(p)
			}()
			panic(r)
		}
	}()
	fn()
}

// inputBytes converts communicate's and run's input: a string is encoded
// with the Popen's encoding in text mode and as UTF-8 otherwise; Bytes and
// other byte arrays are used as they are.
func (m *mod) inputBytes(p *popen, a *engine.Call) []byte {
	v := a.Arg("input")
	if _, isStr := v.Export().(string); isStr && p.t.text {
		b, err := engine.EncodeString(v, p.t.encoding, p.t.errors)
		m.check(err)
		return b
	}
	return a.Bytes("input")
}

// newError constructs one of the module's exception classes.
func (m *mod) newError(class string, args ...goja.Value) *goja.Object {
	obj, err := m.vm.New(m.rt.Errors().Class(class), args...)
	if err != nil {
		panic(err)
	}
	return obj
}

// completed makes a CompletedProcess(args, returncode, stdout, stderr)
// without going through its JS constructor.
func (m *mod) completed(args goja.Value, rc int, out, errOut goja.Value) goja.Value {
	obj := m.vm.CreateObject(m.completedProto)
	obj.Set("args", args)
	obj.Set("returncode", rc)
	obj.Set("stdout", out)
	obj.Set("stderr", errOut)
	return obj
}
