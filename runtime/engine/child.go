package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"
	"unsafe"

	// a forked child or spare maps its start-up memory in bulk
	_ "github.com/forkjs/forkjs/runtime/prefault"
	"golang.org/x/sys/unix"
)

// Dispatch must be the first call in the main function of every program
// that runs forkjs runtimes, before flag parsing or any output:
//
//	func main() {
//		engine.Dispatch()
//		...
//	}
//
// forkjs forks by re-executing the program's own binary (/proc/self/exe).
// In such a re-executed child Dispatch rebuilds the parent's runtime from
// the journal it was handed, replays it to the fork point, runs the rest
// of the script live and exits the process: it never returns. In any other
// process it returns at once. A program that forgets to call it makes every
// os.fork() start a second copy of the whole program instead of a child.
func Dispatch() {
	if !IsChild() {
		return
	}
	TuneGC()
	setProcessName()
	if spec, ok := os.LookupEnv(spareEnv); ok {
		os.Unsetenv(spareEnv)
		os.Exit(runSpare(spec))
	}
	spec, ok := os.LookupEnv(childEnv)
	if !ok {
		return
	}
	os.Unsetenv(childEnv)
	os.Exit(runChild(spec))
}

// setProcessName names a re-executed child after its program (ps shows
// "forkjs", as a forked Python child shows "python3"), instead of "exe"
// from /proc/self/exe.
func setProcessName() {
	name := filepath.Base(os.Args[0])
	if len(name) > 15 {
		name = name[:15]
	}
	unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&append([]byte(name), 0)[0])), 0, 0, 0)
}

// TuneGC sets the garbage collector's target to 400% unless GOGC is set:
// scripts allocate a buffer per read and a journal entry per host call, and
// the default 100% spends a fifth of a pipe copy's time collecting. The
// forkjs command and forked children call it; an embedding program
// decides for itself.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// IsChild reports whether this process was started as a forked child (for
// tests that must avoid side effects before Dispatch).
func IsChild() bool {
	_, ok := os.LookupEnv(childEnv)
	_, spare := os.LookupEnv(spareEnv)
	return ok || spare
}

func runChild(specText string) int {
	tracef("child start")
	var spec childSpec
	if err := json.Unmarshal([]byte(specText), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "forkjs: bad fork spec:", err)
		return DivergenceStatus
	}
	// ForkExec cleared close-on-exec on every fd it passed: restore the
	// parent's flags so descriptors do not leak into grandchildren.
	unix.CloseOnExec(spec.Journal)
	unix.CloseOnExec(spec.Status)
	var state []byte
	if spec.State > 0 {
		state = readForkState(spec.State, spec.StateN)
	}
	for _, f := range spec.FDs {
		if f[1] != 0 {
			unix.CloseOnExec(f[0])
		}
	}
	if spec.BuildID != buildID() {
		fmt.Fprintf(os.Stderr, "forkjs: fork refused: the journal comes from build %s, this is %s\n", spec.BuildID, buildID())
		return DivergenceStatus
	}
	var data []byte
	if spec.Len > 0 {
		var err error
		data, err = unix.Mmap(spec.Journal, 0, int(spec.Len), unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			fmt.Fprintln(os.Stderr, "forkjs: fork: mapping the journal:", err)
			return DivergenceStatus
		}
	}
	// The mapping outlives the descriptor: close it so that nothing of the
	// parent's stays open in the child beyond what the script can see.
	unix.Close(spec.Journal)
	r := &journalReader{data: data, mapped: data != nil}
	rt, code := childRuntime(r, &spec)
	if rt == nil {
		return code
	}
	rt.forkStateData = state
	tracef("child runtime built")
	return rt.childMain()
}

// childRuntime rebuilds the parent's runtime from the journal's header.
func childRuntime(r *journalReader, spec *childSpec) (rt *Runtime, code int) {
	e := r.next()
	if e == nil || e.kind != kindHeader {
		fmt.Fprintln(os.Stderr, "forkjs: fork: the journal has no header")
		return nil, DivergenceStatus
	}
	var h header
	if err := decMode.Unmarshal(e.payload, &h); err != nil || h.Version != journalVersion {
		fmt.Fprintln(os.Stderr, "forkjs: fork: unreadable journal header", err)
		return nil, DivergenceStatus
	}
	for _, name := range h.Modules {
		if Lookup(name) == nil {
			fmt.Fprintf(os.Stderr, "forkjs: fork: module %q is not registered in this program; register it at package level\n", name)
			return nil, DivergenceStatus
		}
	}
	pinTimeZone(h)
	rt = newRuntime(h, r)
	if spec != nil {
		rt.state[childSpecKey{}] = spec
		rt.forks = newForker()
		rt.forks.parentStatus = spec.Status
	}
	return rt, 0
}

// pinTimeZone makes time.Local the parent's: goja formats dates in
// time.Local, which Go reads once from $TZ.
func pinTimeZone(h header) {
	cur, curSet := os.LookupEnv("TZ")
	if h.TZSet {
		os.Setenv("TZ", h.TZ)
	} else {
		os.Unsetenv("TZ")
	}
	_ = time.Local.String() // loads the zone now, from the pinned $TZ
	if curSet {
		os.Setenv("TZ", cur)
	} else {
		os.Unsetenv("TZ")
	}
}

// childMain replays the journal's top-level entries (code the host ran,
// callbacks the loop dispatched) until the fork point makes the child live
// inside one of them, then finishes the script live and returns the exit
// status.
func (rt *Runtime) childMain() int {
	code, live := rt.replayTopLevel()
	if !live {
		return code
	}
	return rt.finishMain(code)
}

// replayTopLevel runs the journal's top-level entries. It returns live=true
// once the child went live (with the exit status if the run that made it
// live ended the script), or the divergence status otherwise.
func (rt *Runtime) replayTopLevel() (code int, live bool) {
	rt.start()
	for rt.replaying {
		e := rt.replay.next()
		if e == nil {
			if rt.childSpec() == nil {
				return 0, false // a whole recorded run replayed: done
			}
			rt.divergeMsg(fmt.Sprintf("journal ended after entry %d at top level without reaching the fork", rt.replay.entries-1))
		}
		switch e.kind {
		case kindRun:
			mode, src := e.payload[0], e.payload[1:]
			if runMode(mode) == modeExit {
				rt.runExit(0)
				continue
			}
			if runMode(mode) == modeSet {
				rt.replaySet(src)
				continue
			}
			_, err := rt.evalRun(e.name, runMode(mode), src)
			if !rt.replaying {
				if err != nil {
					return rt.exitStatus(err), true
				}
				if rt.opts.Interactive {
					// A REPL child runs only the rest of the input that
					// forked, then its callbacks, then exits.
					return -1, true
				}
				return -1, true
			}
		case kindDispatch:
			id, status, payload := e.id, e.status, e.payload
			err := rt.catch(func() { rt.callJS(func() { rt.replayDispatch(id, status, payload) }) })
			if !rt.replaying {
				if err != nil {
					return rt.exitStatus(err), true
				}
				return -1, true
			}
		default:
			rt.divergeMsg(fmt.Sprintf("journal entry %d: %s at top level", e.index, e.describe()))
		}
	}
	return -1, true
}
