package multiprocessing

import (
	"math"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"github.com/forkjs/forkjs/runtime/pyio"
	"golang.org/x/sys/unix"
)

// Host calls behind Process (js/process.js): waiting for, polling and
// signalling children, and ending a child process. Forking itself is
// os.fork() (with its flush and register_at_fork hooks), as Python's
// fork start method uses it.

// exitInfo is a journaled child status: Done once the child has exited
// and been reaped, with Code as Python's exitcode (the exit status, or -N
// after signal N).
type exitInfo struct {
	Done bool `cbor:"1,keyasint"`
	Code int  `cbor:"2,keyasint"`
}

// reap collects pid's status without blocking. A child that stopped
// because its replay diverged raises ForkReplayError here, as os.waitpid
// does.
func (m *mod) reap(pid int) (exitInfo, error) {
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return exitInfo{}, osErr(err)
		}
		if got != pid {
			return exitInfo{}, nil
		}
		m.rt.ForgetChild(pid)
		if ws.Exited() && ws.ExitStatus() == engine.DivergenceStatus {
			if rerr := m.rt.ChildReport(pid, ws.ExitStatus()); rerr != nil {
				return exitInfo{}, rerr
			}
		}
		return exitInfo{Done: true, Code: exitCode(ws)}, nil
	}
}

// exitCode converts a wait status to Python's Process.exitcode.
func exitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return -int(ws.Signal())
	}
	return ws.ExitStatus()
}

// waitExit waits up to timeout seconds (negative: forever) for child pid
// to exit and reaps it; c interrupts the wait (engine.ErrWoken).
func (m *mod) waitExit(pid int, timeout float64, c engine.Cancel) (exitInfo, error) {
	info, err := m.reap(pid)
	if err != nil || info.Done || timeout == 0 {
		return info, err
	}
	pfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return exitInfo{}, osErr(err)
	}
	defer unix.Close(pfd)
	err = pollUntil(pfd, timeout, c)
	if err == errTimedOut {
		return m.reap(pid)
	}
	if err != nil {
		return exitInfo{}, err
	}
	return m.reap(pid)
}

// errTimedOut is pollUntil's timeout.
var errTimedOut = pyerr.New("TimeoutError", "timed out")

// pollUntil waits until fd is readable, timeout seconds pass (negative:
// forever; errTimedOut) or c fires (engine.ErrWoken).
func pollUntil(fd int, timeout float64, c engine.Cancel) error {
	return pollFD(fd, unix.POLLIN, timeout, c)
}

// pollFD waits until fd has one of events (or an error or hang-up), as
// pollUntil does: it watches the engine's cancellation eventfd in the
// same poll(2), so no goroutine is needed.
func pollFD(fd int, events int16, timeout float64, c engine.Cancel) error {
	var dl time.Time
	if timeout >= 0 {
		dl = time.Now().Add(durationOf(timeout))
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: events}, {Fd: int32(c.FD), Events: unix.POLLIN}}
	for {
		ms := -1
		if !dl.IsZero() {
			r := time.Until(dl)
			if r <= 0 {
				return errTimedOut
			}
			ms = int((r + time.Millisecond - 1) / time.Millisecond)
		}
		fds[0].Revents, fds[1].Revents = 0, 0
		_, err := unix.Poll(fds, ms)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return osErr(err)
		}
		if fds[0].Revents != 0 {
			return nil
		}
		if fds[1].Revents != 0 || fired(c) {
			return engine.ErrWoken
		}
	}
}

// durationOf converts seconds to a Duration, saturating.
func durationOf(s float64) time.Duration {
	if s > float64(math.MaxInt64/int64(time.Second)) {
		return math.MaxInt64
	}
	return time.Duration(s * float64(time.Second))
}

func (m *mod) processNatives() {
	rt, vm := m.rt, m.vm
	m.native.Set("os", rt.Exports("os"))
	// Built on first use: a forked child replays require('multiprocessing')
	// and should not pay for what its script never touches (the Bytes
	// class alone is a compile of bytes.js, about 1 ms in a fresh child).
	m.lazyNative("sys", func() goja.Value { return rt.Exports("sys") })
	m.lazyNative("time", func() goja.Value { return rt.Exports("time") })
	m.lazyNative("Bytes", func() goja.Value { return rt.BytesClass() })

	// proc_poll(pid) -> exitcode or null, reaping the child if it ended
	// (Popen.poll). A child this process cannot wait for gives null.
	m.set("proc_poll", func(call goja.FunctionCall) goja.Value {
		pid := argInt(call, 0)
		info, err := engine.Do(rt, engine.Input, "multiprocessing.poll", engine.ArgsHash(pid), func() (exitInfo, error) {
			info, err := m.reap(pid)
			if pe, ok := err.(*pyerr.Error); ok && pe.Errno == int(unix.ECHILD) {
				return exitInfo{}, nil
			}
			return info, err
		})
		m.check(err)
		if !info.Done {
			return goja.Null()
		}
		return vm.ToValue(info.Code)
	})
	// proc_wait(pid, timeout) -> exitcode, or null if the child is still
	// running after timeout seconds (null: no limit). Ctrl-C raises
	// KeyboardInterrupt; ChildProcessError if pid is not a child.
	m.set("proc_wait", func(call goja.FunctionCall) goja.Value {
		pid, timeout := argInt(call, 0), argTimeout(call, 1)
		info, err := engine.Block(rt, "multiprocessing.join", engine.ArgsHash(pid, timeout), false, func(c engine.Cancel) (exitInfo, error) {
			return m.waitExit(pid, timeout, c)
		})
		m.check(err)
		if !info.Done {
			return goja.Null()
		}
		return vm.ToValue(info.Code)
	})
	// proc_kill(pid, sig): sends sig unless the process is gone already.
	m.set("proc_kill", func(call goja.FunctionCall) goja.Value {
		pid, sig := argInt(call, 0), argInt(call, 1)
		_, err := engine.Do(rt, engine.Effect, "multiprocessing.kill", engine.ArgsHash(pid, sig), func() (struct{}, error) {
			if err := unix.Kill(pid, unix.Signal(sig)); err != nil && err != unix.ESRCH {
				return struct{}{}, osErr(err)
			}
			return struct{}{}, nil
		})
		m.check(err)
		return goja.Undefined()
	})
	// proc_alive(pid) -> whether process pid (not necessarily a child, as
	// the parent of a Process) still runs.
	m.set("proc_alive", func(call goja.FunctionCall) goja.Value {
		pid := argInt(call, 0)
		alive, _ := engine.Do(rt, engine.Input, "multiprocessing.alive", engine.ArgsHash(pid), func() (bool, error) {
			return processAlive(pid), nil
		})
		return vm.ToValue(alive)
	})
	// proc_wait_any(pid, timeout) -> whether process pid (not a child)
	// ended within timeout seconds, as parent_process().join(timeout).
	m.set("proc_wait_other", func(call goja.FunctionCall) goja.Value {
		pid, timeout := argInt(call, 0), argTimeout(call, 1)
		ended, err := engine.Block(rt, "multiprocessing.join_parent", engine.ArgsHash(pid, timeout), false, func(c engine.Cancel) (bool, error) {
			pfd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				return true, nil // gone
			}
			defer unix.Close(pfd)
			err = pollUntil(pfd, timeout, c)
			if err == errTimedOut {
				return false, nil
			}
			return err == nil, err
		})
		m.check(err)
		return vm.ToValue(ended)
	})
	// exit(code): ends this process (a Process child after run(), a Pool
	// worker) with the exit hooks that Python's multiprocessing runs
	// there: queues flushed, children joined, files flushed. Never
	// returns.
	m.set("exit", func(call goja.FunctionCall) goja.Value {
		code := argInt(call, 0)
		pyio.For(rt).FlushAll()
		rt.Exit(code)
		return goja.Undefined()
	})
	// format_exception(value) -> the text forkjs prints for an uncaught
	// exception (the message and the JS stack).
	m.set("format_exception", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(rt.Inspect(call.Argument(0), false))
	})
	// gen() -> the fork generation: objects made in another process (one
	// this process was forked from) have a smaller one.
	m.set("gen", func(call goja.FunctionCall) goja.Value { return vm.ToValue(m.gen) })
}

// processAlive reports whether pid runs (a zombie counts as ended).
func processAlive(pid int) bool {
	pfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return false
	}
	defer unix.Close(pfd)
	fds := []unix.PollFd{{Fd: int32(pfd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 0)
		if err == unix.EINTR {
			continue
		}
		return err == nil && n == 0
	}
}
