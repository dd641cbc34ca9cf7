// Package engine is forkjs's JavaScript runtime: a goja VM with an event
// loop, Python-named exceptions, modules, and os.fork() by deterministic
// replay. The forkjs command is one program built on it; a Go program can
// embed it the same way and still fork, start multiprocessing Processes and
// run Pools.
//
// # Embedding
//
// Create a runtime with New, run code with RunString or RunFile, and read
// results as Go values:
//
//	func main() {
//		engine.Dispatch() // first, always: see "Forking" below
//		rt, err := engine.New(engine.Options{Modules: bindings.Defaults()})
//		if err != nil {
//			log.Fatal(err)
//		}
//		defer rt.Close()
//		rt.Set("config", map[string]any{"workers": 3})
//		v, err := rt.RunString(ctx, `config.workers * 2`)
//		// v == int64(6)
//	}
//
// Options is usable as its zero value. Its fields choose the standard
// streams (any io.Reader/io.Writer: non-file streams are connected through
// pipes so forked children can use them too), sys.argv, the environment,
// which modules the script may use (bindings.Defaults() gives all of them;
// leave out subprocess and multiprocessing to deny process creation), the
// JS call depth limit and a memory guard.
//
// RunString runs the code and then its event loop until no timer, callback
// or asynchronous result is pending. A cancelled or expired context stops
// running JS and every blocking call (sleep, waitpid, communicate, queue
// and pool waits) and kills the children the run started; RunString then
// returns an error wrapping ctx.Err(). An uncaught exception comes back as
// *ScriptError, sys.exit(n) with n != 0 as *ExitError.
//
// Values cross between Go and JS through a deterministic conversion (Set,
// Get, Export, ToJS, Func): maps and structs become objects with sorted
// keys, []byte becomes Bytes, time.Time a Date, *big.Int a BigInt.
//
// # Host functions and the host boundary
//
// Nothing in a script reaches the operating system except through the host
// boundary: Do and Block for binding authors, Func for embedders. Each host
// function has a Class. Pure functions run everywhere and are not
// recorded. Input functions (reading a file, the clock, the host's own
// data), Effect functions (writing, signalling) and Resource functions
// (creating pipes, processes) run only in a live process and their results
// are recorded in the runtime's journal. This is what makes fork possible,
// so a host function must declare its class honestly: a function that
// returns different values on different calls must not be Pure.
//
// A host program adds its own functions in a Module registered with
// Register in a package-level variable:
//
//	var Host = engine.Register(&engine.Module{
//		Name:   "inventory",
//		Global: true,
//		Init: func(rt *engine.Runtime, exports *goja.Object) {
//			exports.Set("stock", engine.Func(rt, "inventory.stock", engine.Input,
//				func(args []any) (any, error) { return lookup(args[0].(string)) }))
//		},
//	})
//
// # Forking
//
// Go cannot fork(2) a running program, so os.fork() re-executes the
// program's own binary (/proc/self/exe). The new process must become the
// child of the runtime that forked: Dispatch, called first in main, sees
// that it was started as a forked child, rebuilds the same runtime from the
// journal its parent passed (the registered modules are found by name),
// replays the parent's JS up to the fork, runs the rest of the script live
// and exits. It never returns in such a process. A program that forgets to
// call Dispatch starts a second copy of itself at every fork.
//
// Several runtimes in one process each fork correctly: each has its own
// journal, and a child rebuilds only the runtime that forked.
//
// The child re-runs what its parent did before the fork, so a fork costs
// the parent's work so far; fork early. After the first fork a runtime
// keeps one pre-started spare child ready, so later forks cost one message
// and the replay of what happened since. If a replay ever diverges, the
// child stops before any effect with exit status DivergenceStatus and the
// parent raises ForkReplayError where it waits for it.
//
// # The event loop
//
// One goroutine owns the JS runtime. setTimeout and friends, promises,
// async functions, signal handlers and asynchronous results of host
// operations (NewPending, NewSource) run on it, each delivery recorded in
// the journal so that a replaying child sees them in the same order. A run
// ends when its code is done and nothing keeps the loop alive.
//
// # Errors
//
// Host functions return Go errors; *pyerr.Error names the Python exception
// class to raise (pyerr.From converts errno-carrying errors to OSError
// subclasses). Scripts see Python's names and hierarchy: FileNotFoundError
// is an OSError with errno, strerror and filename.
package engine
