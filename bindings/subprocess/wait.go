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
		ctx, cancel := blockContext(c, deadline)
		defer cancel()
		st, err := lp.proc.Wait(ctx)
		if err != nil {
			if woken(c) {
				return waitResult{}, engine.ErrWoken
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return waitResult{}, nil
			}
			return waitResult{}, pyerr.From(err)
		}
		m.reaped(p)
		return waitResult{RC: st.ReturnCode(), Exited: true}, nil
	})
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
