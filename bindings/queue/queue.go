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

func initModule(rt *engine.Runtime, exports *goja.Object) {
	vm := rt.VM()
	fv, err := vm.RunString(classes)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fv)
	res, err := fn(goja.Undefined(), rt.Errors().Class("Exception"))
	if err != nil {
		panic(err)
	}
	o := res.ToObject(vm)
	for _, name := range []string{"Empty", "Full"} {
		cls := o.Get(name).ToObject(vm)
		exports.Set(name, cls)
		rt.Errors().Register(name, cls)
	}
}
