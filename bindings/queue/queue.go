// Package queue is forkjs's queue module: the exceptions Empty and Full
// that multiprocessing queues raise, as Python's queue module.
package queue

import (
	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
)

// Module is queue, also a global.
var Module = engine.Register(&engine.Module{Name: "queue", Global: true, Init: initModule})

const classes = `(function (Exception) {
  class Empty extends Exception {}
  Object.defineProperty(Empty, 'name', { value: 'Empty' });
  Object.defineProperty(Empty.prototype, 'name', { value: 'Empty', writable: true, configurable: true });
  class Full extends Exception {}
  Object.defineProperty(Full, 'name', { value: 'Full' });
  Object.defineProperty(Full.prototype, 'name', { value: 'Full', writable: true, configurable: true });
  return { Empty, Full };
})`

// initModule defines Empty and Full as accessors that build both classes
// on first use, and registers them with the runtime's exception table the
// same way: they extend Exception, whose table costs a forked child about
// 2 ms to build, and multiprocessing loads this module in every child.
func initModule(rt *engine.Runtime, exports *goja.Object) {
	vm := rt.VM()
	var built *goja.Object
	build := func() *goja.Object {
		if built == nil {
			fv, err := vm.RunString(classes)
			if err != nil {
				panic(err)
			}
			fn, _ := goja.AssertFunction(fv)
			res, err := fn(goja.Undefined(), rt.Errors().Class("Exception"))
			if err != nil {
				panic(err)
			}
			built = res.ToObject(vm)
			for _, name := range []string{"Empty", "Full"} {
				_ = exports.DefineDataProperty(name, built.Get(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			}
		}
		return built
	}
	for _, name := range []string{"Empty", "Full"} {
		rt.Errors().RegisterLazy(name, func() *goja.Object { return build().Get(name).ToObject(vm) })
		get := vm.ToValue(func(goja.FunctionCall) goja.Value { return rt.Errors().Class(name) })
		set := vm.ToValue(func(call goja.FunctionCall) goja.Value {
			build()
			_ = exports.DefineDataProperty(name, call.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			return goja.Undefined()
		})
		_ = exports.DefineAccessorProperty(name, get, set, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
}
