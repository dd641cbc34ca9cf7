// Package builtins is forkjs's counterpart of Python's builtins module:
// the globals print, open, input and console (console.log and friends).
package builtins

import (
	"strings"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"github.com/forkjs/forkjs/runtime/pyio"
)

// Module installs the builtins as globals when a runtime starts.
var Module = engine.Register(&engine.Module{Name: "builtins", Eager: true, Init: initModule})

func initModule(rt *engine.Runtime, exports *goja.Object) {
	vm := rt.VM()
	g := vm.GlobalObject()
	set := func(name string, v any) {
		val := vm.ToValue(v) // one function object, shared by exports and the global
		exports.Set(name, val)
		_ = g.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	// print(...args): the arguments formatted as console.log formats them,
	// separated by one space, and a newline, written to sys.stdout.
	set("print", func(call goja.FunctionCall) goja.Value {
		writeTo(rt, "stdout", rt.Format(call.Arguments)+"\n")
		return goja.Undefined()
	})
	// open(file, mode = 'r', {buffering, encoding, errors, newline, closefd}):
	// a file object, as Python's open(); file may be a path or an fd.
	set("open", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "open", 1, "file", "mode", "buffering", "encoding", "errors", "newline", "closefd")
		return Open(rt, a)
	})
	// input(prompt = ''): writes prompt to sys.stdout, reads a line from
	// sys.stdin without its newline; EOFError at end of input.
	set("input", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "input", 0, "prompt")
		if a.Has("prompt") {
			writeTo(rt, "stdout", rt.Format([]goja.Value{a.Arg("prompt")}))
		}
		io := pyio.For(rt)
		io.FlushStd()
		in := stdStream(rt, "stdin")
		f, ok := io.FileOf(in)
		var line goja.Value
		if ok {
			v, err := f.Readline(-1)
			if err != nil {
				rt.Throw(err)
			}
			line = v
		} else {
			fn, _ := goja.AssertFunction(in.ToObject(vm).Get("readline"))
			v, err := fn(in)
			if err != nil {
				panic(err)
			}
			line = v
		}
		s := line.String()
		if s == "" {
			rt.Throw(pyerr.New("EOFError", "EOF when reading a line"))
		}
		return vm.ToValue(strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r"))
	})
	console := vm.NewObject()
	out := func(stream string) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			writeTo(rt, stream, rt.Format(call.Arguments)+"\n")
			return goja.Undefined()
		}
	}
	// console.log/info/debug write to sys.stdout, console.error/warn/trace
	// to sys.stderr, formatted as Node's util.format (no timestamps).
	console.Set("log", out("stdout"))
	console.Set("info", out("stdout"))
	console.Set("debug", out("stdout"))
	console.Set("error", out("stderr"))
	console.Set("warn", out("stderr"))
	console.Set("trace", func(call goja.FunctionCall) goja.Value {
		stack := vm.NewGoError(nil)
		_ = stack
		writeTo(rt, "stderr", "Trace: "+rt.Format(call.Arguments)+"\n")
		return goja.Undefined()
	})
	set("console", console)
}

// stdStream returns sys.stdout / sys.stderr / sys.stdin as the script
// currently has it (it may have been replaced).
func stdStream(rt *engine.Runtime, name string) goja.Value {
	return rt.Exports("sys").Get(name)
}

// writeTo writes s to sys.<stream>: directly for forkjs file objects,
// through its write method for anything else the script put there.
func writeTo(rt *engine.Runtime, stream, s string) {
	v := stdStream(rt, stream)
	io := pyio.For(rt)
	if f, ok := io.FileOf(v); ok {
		if _, err := f.Write(rt.VM().ToValue(s)); err != nil {
			rt.Throw(err)
		}
		return
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return // Python: print with sys.stdout None does nothing
	}
	fn, ok := goja.AssertFunction(v.ToObject(rt.VM()).Get("write"))
	if !ok {
		rt.Throw(pyerr.New("AttributeError", "'%s' object has no attribute 'write'", engine.PyType(v)))
	}
	if _, err := fn(v, rt.VM().ToValue(s)); err != nil {
		panic(err)
	}
}

// Open implements open() for builtins and os.fdopen: a path or an fd.
func Open(rt *engine.Runtime, a *engine.Call) goja.Value {
	io := pyio.For(rt)
	mode := a.Str("mode", "r")
	opts := pyio.Options{Encoding: a.Str("encoding", ""), Errors: a.Str("errors", "")}
	if !a.IsNone("newline") {
		nl := a.Str("newline", "")
		opts.Newline = &nl
	}
	if a.Has("buffering") {
		b := a.Int("buffering", -1)
		if b == 1 {
			lb := true
			opts.LineBuffering = &lb
		}
	}
	file := a.Arg("file")
	var f *pyio.File
	var err error
	if n, ok := engine.ToInt(file); ok && engine.PyType(file) == "int" {
		cf := a.Bool("closefd", true)
		opts.CloseFD = &cf
		f, err = io.Wrap(int(n), int(n), mode, opts)
	} else {
		if !a.Bool("closefd", true) {
			rt.Throw(pyerr.ValueErrorf("Cannot use closefd=False with file name"))
		}
		f, err = io.Open(a.Str("file", ""), mode, opts)
	}
	if err != nil {
		rt.Throw(err)
	}
	return f.Value()
}
