package proc

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// DefaultGrace is a reasonable grace period for [Process.KillAndWait]:
// the time given to a killed child's pipes to deliver their last bytes
// (CPython waits 0.25 s for a child after Ctrl-C in Popen.__exit__).
const DefaultGrace = 250 * time.Millisecond

// KillAndWait is the timeout path of Python's subprocess.run (kill, then
// wait), made safe against grandchildren that hold the pipes:
//
//  1. It sends SIGKILL to the child's whole process group when the child
//     leads one (Setsid, or Setpgid with Pgid 0) and to the child alone
//     otherwise. A child that is already gone is not an error.
//  2. It keeps reading stdout and stderr for at most grace (a duration),
//     collecting whatever the dying processes had written.
//  3. It closes the pipes that are still open (stops reading; a surviving
//     grandchild gets EPIPE if it writes) and reaps the child.
//
// It returns all output of the Process's communication, including what
// earlier [Process.Communicate] calls returned, and the final state. The
// error is the first failure to signal or wait (ErrProcessDone is not one).
// Since the child was sent SIGKILL, the final wait does not take a context.
// It must not be called while a Communicate on the same Process is still
// running (it would wait for it): cancel that call's context first.
func (p *Process) KillAndWait(grace time.Duration) (stdout, stderr []byte, st *State, err error) {
	var kerr error
	if p.leader {
		kerr = p.SignalGroup(syscall.SIGKILL)
	} else {
		kerr = p.Kill()
	}
	if errors.Is(kerr, ErrProcessDone) {
		kerr = nil
	}
	c := p.communication()
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	stdout, stderr, _ = c.Run(ctx)
	cancel()
	c.Close()
	st, err = p.Wait(context.Background())
	if kerr != nil {
		err = kerr
	}
	return stdout, stderr, st, err
}
