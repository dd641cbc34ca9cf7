package engine

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

// Module is a built-in JS module implemented in Go, such as os or
// subprocess. Modules must be registered (Register) at package level, so
// that a forked child, which starts from main, finds the same modules by
// name before it replays its parent's journal.
type Module struct {
	// Name is the require() name and, with Global, the global's name.
	Name string
	// Global makes the module also a configurable global property, loaded
	// on first use (SPEC rule 1).
	Global bool
	// Eager runs Init when the runtime is created instead of at first use;
	// for modules that install globals of their own (builtins).
	Eager bool
	// Init fills in exports. It runs on the JS thread, once per runtime,
	// and reaches the OS only through the host boundary (Do, Block).
	Init func(rt *Runtime, exports *goja.Object)
	// NamesFunctions says Init names every function it exports (with
	// NamedFunc), so the engine does not walk the exports with NameFunctions
	// after it: the walk reads a property descriptor per property, and
	// cost a forked child about 1 ms for os alone.
	NamesFunctions bool
}

// NamedFunc returns fn (any function goja can wrap) as a JS function named
// name, as a module's exports should show it in stack traces and inspect:
// goja names a Go function after its Go symbol.
func NamedFunc(vm *goja.Runtime, name string, fn any) *goja.Object {
	o := vm.ToValue(fn).(*goja.Object)
	_ = o.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return o
}

var (
	registryMu sync.Mutex
	registry   = map[string]*Module{}
)

// Register records m under m.Name and returns it, for use in a package-level
// var: `var Module = engine.Register(&engine.Module{...})`. It panics if
// another module has that name.
func Register(m *Module) *Module {
	registryMu.Lock()
	defer registryMu.Unlock()
	if old, ok := registry[m.Name]; ok && old != m {
		panic(fmt.Sprintf("forkjs: module %q registered twice", m.Name))
	}
	registry[m.Name] = m
	return m
}

// Lookup returns the registered module called name, or nil.
func Lookup(name string) *Module {
	registryMu.Lock()
	defer registryMu.Unlock()
	return registry[name]
}

// Registered returns the names of all registered modules, sorted.
func Registered() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NameFunctions gives every native function among obj's own data
// properties (and, to depth levels, its plain-object properties' and its
// classes' prototypes') the property's name, so stack traces and inspect
// show "waitpid", not a Go symbol. It reads property descriptors, so no
// getter runs.
func NameFunctions(vm *goja.Runtime, obj *goja.Object, depth int) {
	getDesc, _ := goja.AssertFunction(vm.Get("Object").ToObject(vm).Get("getOwnPropertyDescriptor"))
	nameFunctions(vm, getDesc, obj, depth)
}

func nameFunctions(vm *goja.Runtime, getDesc goja.Callable, obj *goja.Object, depth int) {
	for _, k := range obj.GetOwnPropertyNames() {
		d, err := getDesc(goja.Undefined(), obj, vm.ToValue(k))
		if err != nil || goja.IsUndefined(d) {
			continue
		}
		v := d.ToObject(vm).Get("value")
		o, ok := v.(*goja.Object)
		if !ok {
			continue
		}
		if _, isFn := goja.AssertFunction(o); isFn {
			if n := o.Get("name"); n != nil && strings.ContainsAny(n.String(), "/.(") {
				_ = o.DefineDataProperty("name", vm.ToValue(k), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			}
			// a class's methods live on its prototype
			if p, ok := o.Get("prototype").(*goja.Object); ok && depth > 0 {
				nameFunctions(vm, getDesc, p, 0)
			}
			continue
		}
		if depth > 0 && o.ClassName() == "Object" {
			nameFunctions(vm, getDesc, o, depth-1)
		}
	}
}
