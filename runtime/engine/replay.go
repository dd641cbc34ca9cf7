package engine

import (
	"fmt"
	"os"

	"github.com/forkjs/forkjs/runtime/pyerr"
)

// DivergenceStatus is the exit status of a forked child that stopped
// because its replay of the parent's journal diverged (see ForkReplayError).
const DivergenceStatus = 86

// replayNext returns the next journal entry for a call (what names it, for
// messages). Dispatches found first are run when allowDispatch is set (a
// blocking call delivered them before its result); otherwise they are a
// divergence. The returned entry is a copy.
func (rt *Runtime) replayNext(what string) *entry {
	return rt.replayNextAllow(what, true)
}

func (rt *Runtime) replayNextAllow(what string, allowDispatch bool) *entry {
	for {
		e := rt.replay.peek()
		if e == nil {
			rt.divergeEnd(what)
		}
		if e.kind == kindDispatch && allowDispatch {
			id, status, payload := e.id, e.status, e.payload
			rt.replay.next()
			rt.replayDispatch(id, status, payload)
			continue
		}
		ec := *e
		rt.replay.next()
		return &ec
	}
}

func (rt *Runtime) replayDispatch(id uint64, status byte, payload []byte) {
	cb := rt.loop.cbs[id]
	if cb == nil {
		rt.divergeMsg(fmt.Sprintf("journal entry %d: dispatch of callback %d, which this replay never registered (or already ran)", rt.replay.entries-1, id))
	}
	if cb.timer != nil && cb.timer.interval == 0 {
		rt.loop.timers.remove(cb.timer)
	}
	rt.runCallback(cb, status, payload)
}

// diverge stops a replaying child: entry e was expected, actual happened.
func (rt *Runtime) diverge(e *entry, actual string) {
	rt.divergeMsg(fmt.Sprintf("journal entry %d: expected %s, got %s", e.index, e.describe(), actual))
}

func (rt *Runtime) divergeEnd(what string) {
	rt.divergeMsg(fmt.Sprintf("journal ended after entry %d, but the replay went on to %s at %s without reaching the fork", rt.replay.entries-1, what, rt.callSite()))
}

// divergeMsg reports a divergence to the parent and exits, before any live
// effect: a replaying child has not touched the outside world.
func (rt *Runtime) divergeMsg(msg string) {
	rt.diverged = true
	if rt.replay != nil && rt.replay.more != nil && rt.replay.awaitFork != nil {
		// A spare that nobody has forked yet diverged: it waits for the fork
		// it was made for (or exits quietly if the parent never forks), so
		// that the divergence is reported as the child's.
		rt.replay.awaitFork()
	}
	full := "fork replay diverged: " + msg
	if rt.forks == nil || !rt.forks.reportToParent('D', full) || os.Getenv("FORKJS_DEBUG") != "" {
		fmt.Fprintln(os.Stderr, "forkjs: "+full)
	}
	os.Exit(DivergenceStatus)
}

// divergenceError is what the parent raises for a diverged child.
func divergenceError(pid int, msg string) *pyerr.Error {
	return &pyerr.Error{Type: "ForkReplayError", Msg: fmt.Sprintf("child %d: %s", pid, msg)}
}
