package subprocess

import (
	"context"
	"errors"
	"math"
	"syscall"
	"time"

	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/proc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// waitResult is the journaled result of wait, poll and send_signal.
type waitResult struct {
	RC     int  `cbor:"1,keyasint"`
	Exited bool `cbor:"2,keyasint"` // false: still running (timeout, poll)
}

// errNotOurs is what a forked child gets for its parent's Popen: waitpid
// would fail with ECHILD there.
func errNotOurs() error { return pyerr.OSErrorf(unix.ECHILD) }

// blockContext returns a context that ends when c fires (Ctrl-C, a signal
// with a JS handler) or at deadline (zero: never).
func blockContext(c engine.Cancel, deadline time.Time) (context.Context, context.CancelFunc) {
	var ctx context.Context
	var cancel context.CancelFunc
	if deadline.IsZero() {
		ctx, cancel = context.WithCancel(context.Background())
	} else {
		ctx, cancel = context.WithDeadline(context.Background(), deadline)
	}
	go func() {
		select {
		case <-c.C:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// woken reports whether c has fired.
func woken(c engine.Cancel) bool {
	select {
	case <-c.C:
		return true
	default:
		return false
	}
}

// timeoutDuration converts a timeout in seconds; negative means already
// expired, as in Python.
func timeoutDuration(sec float64) time.Duration {
	if sec <= 0 {
		return 0
	}
	if sec > math.MaxInt64/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(sec * float64(time.Second))
}

// waitFor is Popen.wait's blocking part: it waits for the child (at most
// timeout seconds when hasTimeout), interruptible by Ctrl-C. Result Exited
// false means the timeout passed. ChildProcessError for a parent's Popen in
// a forked child.
func (m *mod) waitFor(p *popen, timeout float64, hasTimeout bool) (waitResult, error) {
	if p.hasRC {
		return waitResult{RC: p.rc, Exited: true}, nil
	}
	var deadline time.Time
	return engine.Block(m.rt, "subprocess.wait", engine.ArgsHash(p.id, timeout, hasTimeout), false, func(c engine.Cancel) (waitResult, error) {
		lp := p.lp
		if lp == nil {
			return waitResult{}, errNotOurs()
		}
		if hasTimeout && deadline.IsZero() {
			deadline = time.Now().Add(timeoutDuration(timeout))
		}
		st, err := waitLive(lp, c, deadline)
		if err != nil {
			if err == errTimedOut {
				return waitResult{}, nil
			}
			return waitResult{}, err
		}
		m.reaped(p)
		return waitResult{RC: st.ReturnCode(), Exited: true}, nil
	})
}

// errTimedOut is waitLive's timeout.
var errTimedOut = errors.New("subprocess: timed out")

// waitLive waits for the child to exit and reaps it, blocked in one
// poll(2) on a pidfd and the runtime's cancel eventfd: no goroutine and no
// thread handoff, which matters when a script spawns many short commands.
// It returns engine.ErrWoken when c fires and errTimedOut at deadline
// (zero: none), leaving the child unreaped.
func waitLive(lp *liveProc, c engine.Cancel, deadline time.Time) (*proc.State, error) {
	pidfd := -1
	defer func() {
		if pidfd >= 0 {
			unix.Close(pidfd)
		}
	}()
	for {
		if pidfd < 0 {
			// Opened before the first poll of the status: if the child was
			// still ours then, the pidfd is its own, never a reused pid's.
			// Without pidfds, wait in the poller instead.
			var err error
			if pidfd, err = unix.PidfdOpen(lp.proc.Pid, 0); err != nil {
				return waitCtx(lp, c, deadline)
			}
		}
		st, done, err := lp.proc.Poll()
		if err != nil {
			return nil, pyerr.From(err)
		}
		if done {
			return st, nil
		}
		ms := -1
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return nil, errTimedOut
			}
			ms = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}, {Fd: int32(c.FD), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, ms); err != nil && err != unix.EINTR {
			return nil, pyerr.From(err)
		}
		if fds[1].Revents != 0 && fds[0].Revents == 0 {
			return nil, engine.ErrWoken
		}
	}
}

// waitCtx is waitLive through proc's context-based Wait.
func waitCtx(lp *liveProc, c engine.Cancel, deadline time.Time) (*proc.State, error) {
	ctx, cancel := blockContext(c, deadline)
	defer cancel()
	st, err := lp.proc.Wait(ctx)
	switch {
	case err == nil:
		return st, nil
	case woken(c):
		return nil, engine.ErrWoken
	case errors.Is(err, context.DeadlineExceeded):
		return nil, errTimedOut
	}
	return nil, pyerr.From(err)
}

// poll is Popen.poll's host call: the return code if the child has exited
// (it is then reaped), else Exited false. It never blocks.
func (m *mod) poll(p *popen) (waitResult, error) {
	if p.hasRC {
		return waitResult{RC: p.rc, Exited: true}, nil
	}
	return engine.Do(m.rt, engine.Input, "subprocess.poll", engine.ArgsHash(p.id), func() (waitResult, error) {
		lp := p.lp
		if lp == nil {
			return waitResult{}, errNotOurs()
		}
		return m.pollLive(p)
	})
}

// pollLive polls the live child (inside a host call).
func (m *mod) pollLive(p *popen) (waitResult, error) {
	st, done, err := p.lp.proc.Poll()
	if err != nil {
		return waitResult{}, pyerr.From(err)
	}
	if !done {
		return waitResult{}, nil
	}
	m.reaped(p)
	return waitResult{RC: st.ReturnCode(), Exited: true}, nil
}

// sendSignal is Popen.send_signal: as Python, it polls first and does not
// signal a child already known to have exited (the result then carries its
// return code). OSError for an invalid signal.
func (m *mod) sendSignal(p *popen, sig int) (waitResult, error) {
	if p.hasRC {
		return waitResult{RC: p.rc, Exited: true}, nil
	}
	return engine.Do(m.rt, engine.Effect, "subprocess.send_signal", engine.ArgsHash(p.id, sig), func() (waitResult, error) {
		if p.lp == nil {
			return waitResult{}, errNotOurs()
		}
		if r, err := m.pollLive(p); err != nil || r.Exited {
			return r, err
		}
		err := p.lp.proc.Signal(syscall.Signal(sig))
		if errors.Is(err, proc.ErrProcessDone) {
			return m.pollLive(p)
		}
		if err != nil {
			return waitResult{}, pyerr.From(err)
		}
		return waitResult{}, nil
	})
}
