package multiprocessing

import (
	"sync"

	"github.com/dop251/goja"
)

// The JS layer is loaded in parts. Compiling all of it costs a fresh
// process 15-20 ms (more than running it), and every forked child and pool
// worker is a fresh process that replays the module's set-up; so only
// util.js and process.js run at once, and each other file is compiled and
// run when the script first touches one of its exports (a configurable
// accessor that loads the file, then steps aside). Loading happens at the
// same point of the script in a replaying child, and runs no host call.

// jsFile is one JS source: a factory function(native, internal, exports).
type jsFile struct {
	name    string
	exports []string // what it adds to the module (for the lazy accessors)
	deps    []string // files whose internal.* it uses, loaded first
	once    sync.Once
	program *goja.Program
}

// jsFiles in load order; the first eagerFiles load with the module.
var jsFiles = []*jsFile{
	{name: "util.js"},
	{name: "process.js"},
	{name: "connection.js", exports: []string{"Pipe"}},
	{name: "queue.js", exports: []string{"Queue", "JoinableQueue", "SimpleQueue"}},
	{name: "synchronize.js", exports: []string{"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Event", "Condition", "Barrier", "BrokenBarrierError"}},
	{name: "sharedctypes.js", exports: []string{"Value", "RawValue", "Array", "RawArray"}, deps: []string{"synchronize.js"}},
	{name: "pool.js", exports: []string{"Pool", "AsyncResult"}},
}

const eagerFiles = 2

// compiled compiles f once per process (goja programs are shared by
// runtimes).
func (f *jsFile) compiled() *goja.Program {
	f.once.Do(func() {
		src, err := jsSources.ReadFile("js/" + f.name)
		if err != nil {
			panic(err)
		}
		f.program = goja.MustCompile("<internal:multiprocessing/"+f.name+">", string(src), true)
	})
	return f.program
}

func fileNamed(name string) *jsFile {
	for _, f := range jsFiles {
		if f.name == name {
			return f
		}
	}
	panic("multiprocessing: no JS file " + name)
}

// load runs f's factory in this runtime (after its dependencies), once.
func (m *mod) load(f *jsFile) {
	if m.loaded[f.name] {
		return
	}
	m.loaded[f.name] = true
	for _, d := range f.deps {
		m.load(fileNamed(d))
	}
	for _, name := range f.exports {
		m.exports.Delete(name) // the lazy accessor
	}
	fv, err := m.vm.RunProgram(f.compiled())
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(fv)
	if _, err := fn(goja.Undefined(), m.native, m.internal, m.exports); err != nil {
		panic(err)
	}
}

// defineLazy puts an accessor on the module for each export of a file not
// loaded yet: reading it (or assigning it) loads the file.
func (m *mod) defineLazy() {
	for _, f := range jsFiles[eagerFiles:] {
		if m.loaded[f.name] {
			continue
		}
		for _, name := range f.exports {
			get := m.vm.ToValue(func(goja.FunctionCall) goja.Value {
				m.load(f)
				return m.exports.Get(name)
			})
			set := m.vm.ToValue(func(call goja.FunctionCall) goja.Value {
				m.load(f)
				m.exports.Set(name, call.Argument(0))
				return goja.Undefined()
			})
			m.exports.DefineAccessorProperty(name, get, set, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
	}
}

// lazyNative defines native[name] as the value build returns, computed on
// the first read, when the property becomes a plain data property.
func (m *mod) lazyNative(name string, build func() goja.Value) {
	get := m.vm.ToValue(func(goja.FunctionCall) goja.Value {
		v := build()
		_ = m.native.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		return v
	})
	_ = m.native.DefineAccessorProperty(name, get, nil, goja.FLAG_TRUE, goja.FLAG_TRUE)
}
