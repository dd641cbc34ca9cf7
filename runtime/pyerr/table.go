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

// Table holds one runtime's exception classes by Python name.
type Table struct {
	rt      *goja.Runtime
	classes map[string]*goja.Object
}

// Install defines Python's exception classes in rt, puts each on the global
// object (as Python's builtins are), and returns the table used to raise
// them. The native JS classes (Error, TypeError, RangeError, SyntaxError,
// ReferenceError) are in the table too, under their own names.
func Install(rt *goja.Runtime) *Table {
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
	t := &Table{rt: rt, classes: map[string]*goja.Object{}}
	obj := tv.ToObject(rt)
	keys := obj.Keys()
	sort.Strings(keys) // deterministic global installation order
	global := rt.GlobalObject()
	for _, k := range keys {
		cls := obj.Get(k).ToObject(rt)
		t.classes[k] = cls
		_ = global.DefineDataProperty(k, cls, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	for _, k := range []string{"Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"} {
		t.classes[k] = global.Get(k).ToObject(rt)
	}
	return t
}

// Register adds a module's exception class (for example subprocess's
// CalledProcessError) so that host functions can raise it by name.
func (t *Table) Register(name string, cls *goja.Object) { t.classes[name] = cls }

// Class returns the class registered under name, or nil.
func (t *Table) Class(name string) *goja.Object { return t.classes[name] }

// New builds the JS exception e describes. An unknown Type falls back to
// RuntimeError with the type name kept in the message, so a missing class
// never hides the error.
func (t *Table) New(e *Error) *goja.Object {
	rt := t.rt
	cls := t.classes[e.Type]
	msg := e.Msg
	if cls == nil {
		cls = t.classes["RuntimeError"]
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
