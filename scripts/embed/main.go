//go:debug updatemaxprocs=0

// Command embed is an example host program that embeds forkjs: it gives
// scripts a module of its own ("catalog", backed by Go data), runs a
// script that forks three children and a Pool(2) of workers that all use
// it, and prints the combined results. Run it with:
//
//	go run ./scripts/embed
//
// The first line of main is engine.Dispatch(): forked children and pool
// workers are re-executed copies of this program, and Dispatch turns them
// into the right runtime's children instead of running main again.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/engine"
)

// prices is data the host owns.
var prices = map[string]float64{"apple": 0.5, "bread": 2.25, "cheese": 7.8, "dates": 4.1, "eggs": 3.2}

// catalog is the host's module. It is registered in a package-level
// variable so that re-executed children find it before main runs.
var catalog = engine.Register(&engine.Module{
	Name:   "catalog",
	Global: true,
	Init: func(rt *engine.Runtime, exports *goja.Object) {
		// price(item): reads host data; Input, so journaled: children get
		// the parent's answers when they replay.
		exports.Set("price", engine.Func(rt, "catalog.price", engine.Input, func(args []any) (any, error) {
			item, _ := args[0].(string)
			p, ok := prices[item]
			if !ok {
				return nil, fmt.Errorf("no such item: %q", item)
			}
			return p, nil
		}))
		// items(): the catalogue's items, as a sorted list.
		exports.Set("items", engine.Func(rt, "catalog.items", engine.Input, func(args []any) (any, error) {
			names := make([]string, 0, len(prices))
			for n := range prices {
				names = append(names, n)
			}
			sort.Strings(names)
			return names, nil
		}))
	},
})

const script = `
const { Pool } = multiprocessing;
const items = catalog.items();

// Three forked children each price one order and report through a pipe.
const orders = [['apple', 'bread'], ['cheese'], ['dates', 'eggs', 'apple']];
const [r, w] = os.pipe();
const pids = orders.map((order, i) => {
  const pid = os.fork();
  if (pid === 0) {
    const total = order.reduce((sum, item) => sum + catalog.price(item) * 100, 0) / 100;
    os.write(w, JSON.stringify({ i, total }) + '\n');
    os._exit(0);
  }
  return pid;
});
os.close(w);
const reports = os.fdopen(r).read().trim().split('\n').map((l) => JSON.parse(l));
pids.forEach((pid) => os.waitpid(pid, 0));
reports.sort((a, b) => a.i - b.i);

// A pool of two workers prices every item with tax, by function name.
function withTax(item) {
  return [item, Math.round(catalog.price(item) * 1.2 * 100) / 100];
}
const pool = Pool(2);
const taxed = pool.map(withTax, items);
pool.close();
pool.join();

({ orders: reports.map((r) => r.total), taxed: Object.fromEntries(taxed) })
`

func main() {
	engine.Dispatch() // must come first: see the package comment

	rt, err := engine.New(engine.Options{
		Modules: append(bindings.Defaults(), catalog),
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer rt.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := rt.RunString(ctx, script)
	if err != nil {
		fmt.Fprintln(os.Stderr, "script failed:", err)
		os.Exit(1)
	}
	res := v.(map[string]any)
	var totals []string
	for _, t := range res["orders"].([]any) {
		totals = append(totals, fmt.Sprint(t))
	}
	fmt.Println("order totals from 3 forked children:", strings.Join(totals, ", "))
	taxed := res["taxed"].(map[string]any)
	keys := make([]string, 0, len(taxed))
	for k := range taxed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Print("prices with tax from Pool(2):")
	for _, k := range keys {
		fmt.Printf(" %s=%v", k, taxed[k])
	}
	fmt.Println()
}
