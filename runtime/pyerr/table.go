package pyerr

import (
	_ "embed"
	"sort"
	"sync"
	"syscall"

	"github.com/dop251/goja"
)

//go:embed classes.js
var classesSource string

var (
	compileOnce sync.Once
	classesPrg  *goja.Program
)

// Table holds one runtime's exception classes by Python name. The classes
// are built on first use (compiling them costs start-up time that most
// scripts never need): the globals are accessors until then.
type Table struct {
	rt      *goja.Runtime
	classes map[string]*goja.Object
	lazy    map[string]func() *goja.Object
	built   bool
}

// Names lists the classes classes.js defines (checked by a test), in the
// order their globals are installed.
var Names = []string{
	"ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BlockingIOError",
	"BrokenPipeError", "BufferError", "ChildProcessError", "ConnectionAbortedError", "ConnectionError",
	"ConnectionRefusedError", "ConnectionResetError", "EOFError", "EnvironmentError", "Exception",
	"FileExistsError", "FileNotFoundError", "FloatingPointError", "ForkReplayError", "GeneratorExit",
	"IOError", "ImportError", "IndexError", "InterruptedError", "IsADirectoryError", "KeyError",
	"KeyboardInterrupt", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError",
	"NotADirectoryError", "NotImplementedError", "OSError", "OverflowError", "PermissionError",
	"ProcessLookupError", "RecursionError", "RuntimeError", "StopIteration", "SystemExit",
	"TimeoutError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnsupportedOperation",
	"ValueError", "ZeroDivisionError",
}

// Install puts Python's exception classes on rt's global object (as
// Python's builtins are) and returns the table used to raise them. The
// native JS classes (Error, TypeError, RangeError, SyntaxError,
// ReferenceError, EvalError, URIError) are in the table under their names.
func Install(rt *goja.Runtime) *Table {
	t := &Table{rt: rt, classes: map[string]*goja.Object{}}
	global := rt.GlobalObject()
	for _, k := range []string{"Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"} {
		t.classes[k] = global.Get(k).ToObject(rt)
	}
	for _, k := range Names {
		name := k
		get := rt.ToValue(func(goja.FunctionCall) goja.Value { t.build(); return global.Get(name) })
		set := rt.ToValue(func(call goja.FunctionCall) goja.Value {
			t.build()
			_ = global.DefineDataProperty(name, call.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			return goja.Undefined()
		})
		_ = global.DefineAccessorProperty(name, get, set, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return t
}

// build compiles and runs classes.js once, replacing the accessors.
func (t *Table) build() {
	if t.built {
		return
	}
	t.built = true
	rt := t.rt
	compileOnce.Do(func() {
		classesPrg = goja.MustCompile("<internal:pyerr>", classesSource, true)
	})
	fnv, err := rt.RunProgram(classesPrg)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	errnoClass := func(n int) any {
		c := ClassForErrno(syscall.Errno(n))
		if c == "OSError" {
			return nil
		}
		return c
	}
	tv, err := fn(goja.Undefined(), rt.ToValue(errnoClass))
	if err != nil {
		panic(err)
	}
	obj := tv.ToObject(rt)
	global := rt.GlobalObject()
	for _, k := range Names {
		cls := obj.Get(k).ToObject(rt)
		t.classes[k] = cls
		_ = global.DefineDataProperty(k, cls, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// Register adds a module's exception class (for example subprocess's
// CalledProcessError) so that host functions can raise it by name.
func (t *Table) Register(name string, cls *goja.Object) { t.classes[name] = cls }

// RegisterLazy is Register for a class made on first use: build runs
// when Class first asks for name (a module's classes extend Exception,
// and building them builds the whole table, which a forked child that
// never raises them should not pay for).
func (t *Table) RegisterLazy(name string, build func() *goja.Object) {
	if t.lazy == nil {
		t.lazy = map[string]func() *goja.Object{}
	}
	t.lazy[name] = build
}

// Class returns the class registered under name, or nil.
func (t *Table) Class(name string) *goja.Object {
	if c, ok := t.classes[name]; ok {
		return c
	}
	if build, ok := t.lazy[name]; ok {
		delete(t.lazy, name)
		c := build()
		t.classes[name] = c
		return c
	}
	t.build()
	return t.classes[name]
}

// New builds the JS exception e describes. An unknown Type falls back to
// RuntimeError with the type name kept in the message, so a missing class
// never hides the error.
func (t *Table) New(e *Error) *goja.Object {
	rt := t.rt
	cls := t.Class(e.Type)
	msg := e.Msg
	if cls == nil {
		cls = t.Class("RuntimeError")
		msg = e.Type + ": " + e.Msg
	}
	var args []goja.Value
	switch {
	case e.Args != nil:
		for _, a := range e.Args {
			args = append(args, rt.ToValue(a))
		}
	case e.Errno != 0:
		args = []goja.Value{rt.ToValue(e.Errno), rt.ToValue(e.Strerror)}
		if e.HasFilename || e.Filename2 != "" {
			args = append(args, rt.ToValue(e.Filename))
			if e.Filename2 != "" {
				args = append(args, goja.Null(), rt.ToValue(e.Filename2))
			}
		}
	case msg != "" || e.Type == "SystemExit":
		if msg != "" {
			args = []goja.Value{rt.ToValue(msg)}
		}
	}
	obj, err := rt.New(cls, args...)
	if err != nil {
		// A constructor that throws (a user's subclass) still gives an error.
		obj = rt.NewGoError(err)
	}
	if len(e.Attrs) > 0 {
		keys := make([]string, 0, len(e.Attrs))
		for k := range e.Attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			_ = obj.Set(k, e.Attrs[k])
		}
	}
	if e.Stack != "" {
		_ = obj.DefineDataProperty("stack", rt.ToValue(e.Stack), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return obj
}
