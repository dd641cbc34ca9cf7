package bindings_test

import (
	"context"
	"strings"
	"testing"

	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/engine"
)

// Every function a module exports shows its property name, not the Go
// symbol goja gives a Go function ("github.com/.../pyos.(*mod).fdFuncs.
// func3"), whether the module names its functions itself (NamesFunctions)
// or the engine walks its exports. The walk here is NameFunctions's: own
// properties, class prototypes, and plain objects two levels down, read
// through descriptors so that no getter runs.
func TestExportedFunctionNames(t *testing.T) {
	rt, err := engine.New(engine.Options{Modules: bindings.Defaults()})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	for _, m := range bindings.Defaults() {
		got, err := rt.RunString(context.Background(), `(function (mod) {
			const bad = [];
			const walk = (obj, path, depth) => {
				for (const k of Object.getOwnPropertyNames(obj)) {
					const d = Object.getOwnPropertyDescriptor(obj, k);
					const v = d && d.value;
					if (typeof v === 'function') {
						if (/[\/.(]/.test(v.name)) bad.push(path + '.' + k + ' is named ' + v.name);
						if (depth > 0 && v.prototype && typeof v.prototype === 'object') walk(v.prototype, path + '.' + k + '.prototype', 0);
					} else if (depth > 0 && v && typeof v === 'object' && Object.prototype.toString.call(v) === '[object Object]') {
						walk(v, path + '.' + k, depth - 1);
					}
				}
			};
			walk(require(mod), mod, 2);
			return bad.join('\n');
		})(`+"`"+m.Name+"`"+`)`)
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if s, _ := got.(string); strings.TrimSpace(s) != "" {
			t.Errorf("module %s (NamesFunctions %v):\n%s", m.Name, m.NamesFunctions, s)
		}
	}
}

// require('multiprocessing') (which loads queue) leaves Python's
// exception table unbuilt, since every forked child replays it; the
// classes are still there, the same objects, once asked for.
func TestMultiprocessingBuildsExceptionsOnFirstUse(t *testing.T) {
	rt, err := engine.New(engine.Options{Modules: bindings.Defaults()})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	got, err := rt.RunString(context.Background(), `
		const unbuilt = () => typeof Object.getOwnPropertyDescriptor(globalThis, 'ValueError').get === 'function';
		const mp = require('multiprocessing');
		const before = unbuilt();
		const ok = mp.ProcessError.prototype instanceof Exception && mp.TimeoutError.prototype instanceof mp.ProcessError &&
			queue.Empty.prototype instanceof Exception && queue.Empty === require('queue').Empty;
		let raised = null;
		try { new mp.Queue().get(true, 0.01); } catch (e) { raised = e instanceof queue.Empty; }
		[before, unbuilt(), ok, raised].join(' ')`)
	if err != nil {
		t.Fatal(err)
	}
	if got != "true false true true" {
		t.Fatalf("unbuilt after require, unbuilt after use, classes right, Empty raised: %v", got)
	}
}
