// Package pysys is forkjs's sys module: argv, exit, the standard streams,
// platform, executable and version.
package pysys

import (
	"os"
	"runtime"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"github.com/forkjs/forkjs/runtime/pyio"
)

// Module is sys, also a global.
var Module = engine.Register(&engine.Module{Name: "sys", Global: true, Init: initModule, NamesFunctions: true})

func initModule(rt *engine.Runtime, exports *goja.Object) {
	vm := rt.VM()
	args := make([]any, 0, len(rt.Args()))
	for _, a := range rt.Args() {
		args = append(args, a)
	}
	exports.Set("argv", vm.NewArray(args...))
	// exit(code = null): raises SystemExit(code); at top level the script
	// ends with that status (0 for null, 1 and the message for a string).
	exports.Set("exit", engine.NamedFunc(vm, "exit", func(call goja.FunctionCall) goja.Value {
		cls := rt.Errors().Class("SystemExit")
		var obj *goja.Object
		var err error
		if len(call.Arguments) == 0 {
			obj, err = vm.New(cls)
		} else {
			obj, err = vm.New(cls, call.Argument(0))
		}
		if err != nil {
			panic(err)
		}
		panic(obj)
	}))
	io := pyio.For(rt)
	std := rt.Stdio()
	modes := []string{"r", "w", "w"}
	names := []string{"<stdin>", "<stdout>", "<stderr>"}
	for i, name := range []string{"stdin", "stdout", "stderr"} {
		opts := pyio.Options{}
		if i == 2 {
			lb := true // Python's stderr is line-buffered
			opts.LineBuffering = &lb
		}
		f, err := io.Wrap(std[i], names[i], modes[i], opts)
		if err != nil {
			rt.Throw(err)
		}
		io.SetStd(i, f)
		exports.Set(name, f.Value())
		exports.Set("__"+name+"__", f.Value())
	}
	exports.Set("platform", runtime.GOOS)
	exe, err := engine.Do(rt, engine.Input, "sys.executable", 0, func() (string, error) { return os.Executable() })
	if err != nil {
		exe = ""
	}
	exports.Set("executable", exe)
	exports.Set("version", engine.Version+" (forkjs on goja, "+runtime.Version()+")")
	exports.Set("version_info", vm.NewArray(engine.VersionMajor, engine.VersionMinor, engine.VersionPatch))
	exports.Set("maxsize", int64(1<<53-1))
	exports.Set("byteorder", "little")
	// getrecursionlimit(): the JS call depth limit.
	exports.Set("getrecursionlimit", engine.NamedFunc(vm, "getrecursionlimit", func() int { return rt.MaxCallStackSize() }))
	_ = pyerr.New
}
