package subprocess

import (
	_ "embed"
	"sync"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyio"
	"golang.org/x/sys/unix"
)

// Module is subprocess, also a global.
var Module = engine.Register(&engine.Module{Name: "subprocess", Global: true, Init: initModule})

//go:embed subprocess.js
var jsSource string

var (
	compileOnce sync.Once
	jsProgram   *goja.Program
)

// mod is one runtime's subprocess state.
type mod struct {
	rt    *engine.Runtime
	vm    *goja.Runtime
	io    *pyio.IO
	sym   *goja.Symbol // the key of a Popen object's *popen
	proto *goja.Object // Popen.prototype

	completedProto *goja.Object // CompletedProcess.prototype

	translate goja.Callable // universal newlines on a JS string

	nextID   int // Popen ids, assigned on the JS thread
	nLeaders int // Popens started as process-group leaders (JS thread)

	// leaders are the live children that lead a process group and are not
	// reaped yet, killed if the script ends by Ctrl-C. Filled inside host
	// calls only (live), so a replaying child has none of its parent's.
	leaders map[int]*liveProc
}

func initModule(rt *engine.Runtime, exports *goja.Object) {
	vm := rt.VM()
	m := &mod{rt: rt, vm: vm, io: pyio.For(rt), sym: goja.NewSymbol("Popen"), leaders: map[int]*liveProc{}}
	compileOnce.Do(func() { jsProgram = goja.MustCompile("<internal:subprocess>", jsSource, true) })
	fv, err := vm.RunProgram(jsProgram)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fv)
	classes := vm.NewObject()
	for _, name := range []string{"Exception", "ValueError", "TypeError"} {
		classes.Set(name, rt.Errors().Class(name))
	}
	res, err := fn(goja.Undefined(), m.natives(), classes)
	if err != nil {
		panic(err)
	}
	out := res.ToObject(vm)
	m.translate, _ = goja.AssertFunction(out.Get("translateNewlines"))
	ex := out.Get("exports").ToObject(vm)
	for _, k := range ex.Keys() {
		exports.Set(k, ex.Get(k))
	}
	for _, name := range []string{"SubprocessError", "CalledProcessError", "TimeoutExpired"} {
		rt.Errors().Register(name, ex.Get(name).ToObject(vm))
	}
	m.proto = ex.Get("Popen").ToObject(vm).Get("prototype").ToObject(vm)
	m.completedProto = ex.Get("CompletedProcess").ToObject(vm).Get("prototype").ToObject(vm)
	m.installMethods()
	rt.AtExit(m.atExit)
}

// natives are the Go functions subprocess.js calls; scripts cannot see
// them.
func (m *mod) natives() *goja.Object {
	vm := m.vm
	n := vm.NewObject()
	// popenInit(self, argsArray): Popen's constructor body.
	n.Set("popenInit", m.popenInit)
	// run(...) and call(...): subprocess.run and subprocess.call.
	n.Set("run", m.run)
	n.Set("call", m.call)
	// signalName(n) -> "SIGKILL", or null for a number with no name (as
	// Python's signal.Signals(n)).
	n.Set("signalName", func(call goja.FunctionCall) goja.Value {
		sig, ok := engine.ToInt(call.Argument(0))
		if !ok || sig <= 0 || sig >= 65 {
			return goja.Null()
		}
		switch sig {
		case 34:
			return vm.ToValue("SIGRTMIN")
		case 64:
			return vm.ToValue("SIGRTMAX")
		}
		if name := unix.SignalName(unix.Signal(sig)); name != "" {
			return vm.ToValue(name)
		}
		return goja.Null()
	})
	return n
}

func (m *mod) check(err error) {
	if err != nil {
		m.rt.Throw(err)
	}
}
