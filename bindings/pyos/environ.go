package pyos

import (
	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// envObject is os.environ: a live mapping of the script's environment.
// Assigning a key sets the variable for later children (putenv); values
// must be strings, as Python requires.
type envObject struct{ m *mod }

func (e envObject) Get(key string) goja.Value {
	if v, ok := e.m.rt.Getenv(key); ok {
		return e.m.vm.ToValue(v)
	}
	return nil
}

func (e envObject) Set(key string, val goja.Value) bool {
	s, ok := val.Export().(string)
	if !ok {
		e.m.rt.Throw(pyerr.TypeErrorf("str expected, not %s", engine.PyType(val)))
	}
	if err := e.m.rt.Setenv(key, s); err != nil {
		e.m.rt.Throw(err)
	}
	return true
}

func (e envObject) Has(key string) bool {
	_, ok := e.m.rt.Getenv(key)
	return ok
}

func (e envObject) Delete(key string) bool {
	if err := e.m.rt.Unsetenv(key); err != nil {
		e.m.rt.Throw(err)
	}
	return true
}

func (e envObject) Keys() []string { return e.m.rt.EnvKeys() }

func (m *mod) environ() {
	rt, vm := m.rt, m.vm
	m.exports.Set("environ", vm.NewDynamicObject(envObject{m}))
	// getenv(key, default = null) -> string or default.
	m.set("getenv", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.getenv", 1, "key", "default")
		if v, ok := rt.Getenv(a.Str("key", "")); ok {
			return vm.ToValue(v)
		}
		if a.Has("default") {
			return a.Arg("default")
		}
		return goja.Null()
	})
	// putenv(key, value) / unsetenv(key): as assigning / deleting in environ.
	m.set("putenv", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.putenv", 2, "key", "value")
		m.check(rt.Setenv(a.Str("key", ""), a.Str("value", "")))
		return goja.Undefined()
	})
	m.set("unsetenv", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.unsetenv", 1, "key")
		m.check(rt.Unsetenv(a.Str("key", "")))
		return goja.Undefined()
	})
}
