package engine_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/engine"
)

// hostModule is a host program's own module. It is registered in a
// package-level var, so that a forked child (which starts from main, not
// from the code that created the runtime) finds it by name.
var hostModule = engine.Register(&engine.Module{
	Name:   "inventory",
	Global: true,
	Init: func(rt *engine.Runtime, exports *goja.Object) {
		// stock(item) reads data the host owns: an Input function, so its
		// results are journaled and forked children see the same values.
		exports.Set("stock", engine.Func(rt, "inventory.stock", engine.Input, func(args []any) (any, error) {
			item, _ := args[0].(string)
			return map[string]any{"item": item, "count": int64(len(item) * 10), "warehouse": "north"}, nil
		}))
	},
})

var calls atomic.Int64

// counterModule's next() returns a different value on every call.
var counterModule = engine.Register(&engine.Module{
	Name: "counter",
	Init: func(rt *engine.Runtime, exports *goja.Object) {
		exports.Set("next", engine.Func(rt, "counter.next", engine.Input, func(args []any) (any, error) {
			return calls.Add(1) * 100, nil
		}))
	},
})

func ExampleNew() {
	rt, err := engine.New(engine.Options{
		Args:    []string{"example.js"},
		Modules: bindings.Defaults(),
		Stdout:  os.Stdout,
	})
	if err != nil {
		panic(err)
	}
	defer rt.Close()
	_, err = rt.RunString(context.Background(), `print('argv:', sys.argv, 'pid > 0:', os.getpid() > 0)`)
	fmt.Println("error:", err)
	// Output:
	// argv: [ 'example.js' ] pid > 0: true
	// error: <nil>
}

func ExampleRuntime_RunString() {
	rt, _ := engine.New(engine.Options{Modules: bindings.Defaults()})
	defer rt.Close()
	rt.Set("config", map[string]any{"workers": 3, "name": "demo"})
	v, err := rt.RunString(context.Background(), `
		const squares = [];
		for (let i = 0; i < config.workers; i++) squares.push(i * i);
		({ name: config.name, squares })`)
	fmt.Println(v, err)

	_, err = rt.RunString(context.Background(), `throw new ValueError('bad input')`)
	fmt.Println(err)
	_, err = rt.RunString(context.Background(), `sys.exit(3)`)
	fmt.Println(err)
	// Output:
	// map[name:demo squares:[0 1 4]] <nil>
	// ValueError: bad input
	// exit status 3
}

// A host function used by forked children: each child reports through a
// pipe; the parent combines the reports.
func ExampleFunc() {
	rt, _ := engine.New(engine.Options{Modules: append(bindings.Defaults(), hostModule), Stdout: os.Stdout})
	defer rt.Close()
	v, err := rt.RunString(context.Background(), `
		const items = ['bolts', 'nuts', 'washers'];
		const [r, w] = os.pipe();
		const pids = items.map((item) => {
			const pid = os.fork();
			if (pid === 0) {
				const s = inventory.stock(item);
				os.write(w, JSON.stringify(s) + '\n');
				os._exit(0);
			}
			return pid;
		});
		os.close(w);
		pids.forEach((pid) => os.waitpid(pid, 0));
		const reports = os.fdopen(r).read().trim().split('\n').map((l) => JSON.parse(l));
		reports.sort((a, b) => a.count - b.count).map((s) => s.item + '=' + s.count).join(' ')`)
	fmt.Println(v, err)
	// Output:
	// nuts=40 bolts=50 washers=70 <nil>
}
