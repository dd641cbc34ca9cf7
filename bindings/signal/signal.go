// Package signal is forkjs's signal module: the signal numbers, SIG_DFL
// and SIG_IGN, signal.signal(sig, handler) whose handlers run on the
// event loop, getsignal, alarm, raise_signal and strsignal, as Python's.
package signal

import (
	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Module is signal, also a global.
var Module = engine.Register(&engine.Module{Name: "signal", Global: true, Init: initModule})

func initModule(rt *engine.Runtime, exports *goja.Object) {
	vm := rt.VM()
	for n := unix.Signal(1); n < 32; n++ {
		if name := unix.SignalName(n); name != "" {
			exports.Set(name, int(n))
		}
	}
	exports.Set("SIGIOT", int(unix.SIGIOT))
	exports.Set("SIGPOLL", int(unix.SIGPOLL))
	exports.Set("SIGRTMIN", 34)
	exports.Set("SIGRTMAX", 64)
	exports.Set("NSIG", 65)
	exports.Set("SIG_DFL", engine.SigDefault)
	exports.Set("SIG_IGN", engine.SigIgnore)
	sigArg := func(a *engine.Call) int {
		n := a.Int("signalnum", 0)
		if n < 1 || n > 64 {
			rt.Throw(pyerr.ValueErrorf("signal number out of range"))
		}
		return n
	}
	// signal(signalnum, handler) -> previous handler. handler is a function
	// called on the event loop as handler(signum, null), or SIG_DFL/SIG_IGN.
	exports.Set("signal", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "signal.signal", 2, "signalnum", "handler")
		n := sigArg(a)
		h := a.Arg("handler")
		if _, ok := goja.AssertFunction(h); !ok {
			v, ok := engine.ToInt(h)
			if !ok || (v != engine.SigDefault && v != engine.SigIgnore) {
				rt.Throw(pyerr.TypeErrorf("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object"))
			}
			h = vm.ToValue(v)
		}
		prev, err := rt.SetSignal(n, h)
		if err != nil {
			rt.Throw(err)
		}
		if prev == nil {
			return exports.Get("default_int_handler")
		}
		return prev
	})
	// getsignal(signalnum) -> the current handler.
	exports.Set("getsignal", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "signal.getsignal", 1, "signalnum")
		h := rt.GetSignal(sigArg(a))
		if h == nil {
			return exports.Get("default_int_handler")
		}
		return h
	})
	// default_int_handler(signum, frame): raises KeyboardInterrupt.
	exports.Set("default_int_handler", func(call goja.FunctionCall) goja.Value {
		rt.Throw(pyerr.Interrupted)
		return nil
	})
	// alarm(seconds) -> seconds left on the previous alarm.
	exports.Set("alarm", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "signal.alarm", 1, "seconds")
		s := a.Int("seconds", 0)
		v, _ := engine.Do(rt, engine.Effect, "signal.alarm", engine.ArgsHash(s), func() (int, error) {
			left, err := unix.Alarm(uint(s))
			return int(left), err
		})
		return vm.ToValue(v)
	})
	// raise_signal(signalnum): sends the signal to this process.
	exports.Set("raise_signal", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "signal.raise_signal", 1, "signalnum")
		n := sigArg(a)
		_, err := engine.Do(rt, engine.Effect, "signal.raise_signal", engine.ArgsHash(n), func() (struct{}, error) {
			return struct{}{}, unix.Kill(unix.Getpid(), unix.Signal(n))
		})
		if err != nil {
			rt.Throw(err)
		}
		return goja.Undefined()
	})
	// strsignal(signalnum) -> description ("Interrupt").
	exports.Set("strsignal", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "signal.strsignal", 1, "signalnum")
		n := sigArg(a)
		s := unix.Signal(n).String()
		if len(s) > 0 {
			s = string(s[0]-32*boolInt(s[0] >= 'a' && s[0] <= 'z')) + s[1:]
		}
		return vm.ToValue(s)
	})
}

func boolInt(b bool) byte {
	if b {
		return 1
	}
	return 0
}
