package subprocess

import (
	"syscall"

	"github.com/dop251/goja"
)

// installMethods puts Popen's Go methods and the stdin/stdout/stderr
// accessors on Popen.prototype.
func (m *mod) installMethods() {
	rt, vm := m.rt, m.vm
	method := func(name string, fn func(goja.FunctionCall) goja.Value) {
		f := vm.ToValue(fn).(*goja.Object)
		_ = f.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		_ = m.proto.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	// communicate(input = null, {timeout}) -> [stdout, stderr]: see
	// (*mod).communicate.
	method("communicate", func(call goja.FunctionCall) goja.Value {
		p := m.popenOf(call.This, "communicate")
		a := rt.Params(call, "Popen.communicate", 0, "input", "timeout")
		var input []byte
		if !a.IsNone("input") {
			input = m.inputBytes(p, a)
		}
		hasTimeout := !a.IsNone("timeout")
		timeout := a.Float("timeout", 0)
		return m.communicate(p, input, timeout, hasTimeout, a.Arg("timeout"))
	})
	// wait(timeout = null) -> returncode: waits for the child to exit, as
	// Python's Popen.wait; timeout in seconds, then TimeoutExpired (the
	// child keeps running). KeyboardInterrupt on Ctrl-C. ChildProcessError
	// for a parent's Popen in a forked child.
	method("wait", func(call goja.FunctionCall) goja.Value {
		p := m.popenOf(call.This, "wait")
		a := rt.Params(call, "Popen.wait", 0, "timeout")
		hasTimeout := !a.IsNone("timeout")
		r, err := m.waitFor(p, a.Float("timeout", 0), hasTimeout)
		m.check(err)
		if !r.Exited {
			panic(m.timeoutExpired(p, a.Arg("timeout"), false))
		}
		m.setRC(p, r.RC)
		return vm.ToValue(r.RC)
	})
	// poll() -> returncode, or null while the child runs (never blocks).
	// ChildProcessError for a parent's Popen in a forked child.
	method("poll", func(call goja.FunctionCall) goja.Value {
		p := m.popenOf(call.This, "poll")
		rt.Params(call, "Popen.poll", 0)
		r, err := m.poll(p)
		m.check(err)
		if r.Exited {
			m.setRC(p, r.RC)
		}
		return m.returncode(p)
	})
	signal := func(p *popen, sig int) goja.Value {
		r, err := m.sendSignal(p, sig)
		m.check(err)
		if r.Exited {
			m.setRC(p, r.RC)
		}
		return goja.Undefined()
	}
	// send_signal(sig): sends signal number sig to the child unless it is
	// known to have exited (Python polls first). OSError for a bad number;
	// ChildProcessError for a parent's Popen in a forked child.
	method("send_signal", func(call goja.FunctionCall) goja.Value {
		p := m.popenOf(call.This, "send_signal")
		a := rt.Params(call, "Popen.send_signal", 1, "sig")
		return signal(p, a.Int("sig", 0))
	})
	// terminate(): send_signal(SIGTERM).
	method("terminate", func(call goja.FunctionCall) goja.Value {
		p := m.popenOf(call.This, "terminate")
		rt.Params(call, "Popen.terminate", 0)
		return signal(p, int(syscall.SIGTERM))
	})
	// kill(): send_signal(SIGKILL).
	method("kill", func(call goja.FunctionCall) goja.Value {
		p := m.popenOf(call.This, "kill")
		rt.Params(call, "Popen.kill", 0)
		return signal(p, int(syscall.SIGKILL))
	})
	// text_mode, encoding, errors: the text settings (encoding and errors
	// are null in binary mode), as Python's Popen attributes.
	for _, name := range []string{"text_mode", "encoding", "errors"} {
		getter := vm.ToValue(func(call goja.FunctionCall) goja.Value {
			p := m.popenOf(call.This, name)
			switch {
			case name == "text_mode":
				return vm.ToValue(p.t.text)
			case !p.t.text:
				return goja.Null()
			case name == "encoding":
				return vm.ToValue(p.t.encoding)
			}
			return vm.ToValue(p.t.errors)
		})
		_ = m.proto.DefineAccessorProperty(name, getter, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	// stdin, stdout, stderr: the file objects of the pipes (null when the
	// stream is not a pipe), made on first access.
	for i, name := range []string{"stdin", "stdout", "stderr"} {
		getter := vm.ToValue(func(call goja.FunctionCall) goja.Value {
			return m.pipeFile(m.popenOf(call.This, name), i)
		})
		_ = m.proto.DefineAccessorProperty(name, getter, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}
