package pyos

import (
	"os"
	"runtime"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"github.com/forkjs/forkjs/runtime/pyio"
	"golang.org/x/sys/unix"
)

// WaitResult is os.waitpid's journaled result.
type WaitResult struct {
	Pid    int `cbor:"1,keyasint"`
	Status int `cbor:"2,keyasint"`
}

// Waitpid waits for a child as Python's os.waitpid(pid, options): pid > 0
// a child, -1 any child, 0 or < -1 a process group. It blocks (unless
// WNOHANG) and can be interrupted by Ctrl-C. A forked child that stopped
// because its replay diverged raises ForkReplayError here. Errors:
// ChildProcessError (ECHILD), InterruptedError never (calls are retried).
func Waitpid(rt *engine.Runtime, pid, options int) (WaitResult, error) {
	if pid <= 0 {
		// A wait for any child must not see forkjs's pre-started spare.
		rt.DisableSpares()
	}
	return engine.Block(rt, "os.waitpid", engine.ArgsHash(pid, options), false, func(c engine.Cancel) (WaitResult, error) {
		for {
			var ws unix.WaitStatus
			got, err := unix.Wait4(pid, &ws, options|unix.WNOHANG, nil)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return WaitResult{}, errnoOf(err)
			}
			if got > 0 {
				rt.ForgetChild(got)
				if ws.Exited() && ws.ExitStatus() == engine.DivergenceStatus {
					if rerr := rt.ChildReport(got, ws.ExitStatus()); rerr != nil {
						return WaitResult{}, rerr
					}
				}
				return WaitResult{Pid: got, Status: int(ws)}, nil
			}
			if options&unix.WNOHANG != 0 {
				return WaitResult{}, nil
			}
			if err := waitChildEvent(pid, c); err != nil {
				return WaitResult{}, err
			}
		}
	})
}

// waitChildEvent blocks until a child matching pid can be waited for, or
// c fires. It never reaps (WNOWAIT): Waitpid reaps.
func waitChildEvent(pid int, c engine.Cancel) error {
	if pid > 0 {
		pfd, err := unix.PidfdOpen(pid, 0)
		if err == nil {
			defer unix.Close(pfd)
			fds := []unix.PollFd{{Fd: int32(pfd), Events: unix.POLLIN}, {Fd: int32(c.FD), Events: unix.POLLIN}}
			for {
				_, err := unix.Poll(fds, -1)
				if err == unix.EINTR {
					continue
				}
				if fds[0].Revents != 0 {
					return nil
				}
				if fds[1].Revents != 0 {
					return engine.ErrWoken
				}
				return errnoOf(err)
			}
		}
		if err == unix.ESRCH {
			return pyerr.OSErrorf(unix.ECHILD)
		}
	}
	idtype, id := unix.P_ALL, 0
	switch {
	case pid > 0:
		idtype, id = unix.P_PID, pid
	case pid == 0:
		idtype, id = unix.P_PGID, unix.Getpgrp()
	case pid < -1:
		idtype, id = unix.P_PGID, -pid
	}
	done := make(chan error, 1)
	go func() {
		for {
			var info unix.Siginfo
			err := unix.Waitid(idtype, id, &info, unix.WEXITED|unix.WNOWAIT, nil)
			if err == unix.EINTR {
				continue
			}
			done <- err
			return
		}
	}()
	select {
	case err := <-done:
		return errnoOf(err)
	case <-c.C:
		return engine.ErrWoken
	}
}

// runHook runs a register_at_fork hook; an exception in it is printed
// ("Exception ignored in ...") and does not stop the fork, as in Python.
func (m *mod) runHook(h goja.Callable) {
	if _, err := h(goja.Undefined()); err != nil {
		if _, ok := err.(*goja.Exception); !ok {
			panic(err) // an interrupt: not the hook's own exception
		}
		pyio.For(m.rt).FlushStd()
		m.rt.PrintRaw("Exception ignored in a register_at_fork hook:\n" + m.rt.FormatError(err) + "\n")
	}
}

func (m *mod) processFuncs() {
	rt, vm := m.rt, m.vm
	intInput := func(name string, fn func() int) {
		m.set(name, func(call goja.FunctionCall) goja.Value {
			rt.Params(call, "os."+name, 0)
			v, _ := engine.Do(rt, engine.Input, "os."+name, 0, func() (int, error) { return fn(), nil })
			return vm.ToValue(v)
		})
	}
	// getpid(), getppid(), getuid() ...: as Python's os functions.
	intInput("getpid", os.Getpid)
	intInput("getppid", os.Getppid)
	intInput("getuid", os.Getuid)
	intInput("geteuid", os.Geteuid)
	intInput("getgid", os.Getgid)
	intInput("getegid", os.Getegid)
	intInput("getpgrp", unix.Getpgrp)
	// cpu_count(): the number of CPUs usable by this process.
	intInput("cpu_count", func() int {
		var set unix.CPUSet
		if unix.SchedGetaffinity(0, &set) == nil {
			if n := set.Count(); n > 0 {
				return n
			}
		}
		return runtime.NumCPU()
	})
	// getpgid(pid) -> process group id.
	m.set("getpgid", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.getpgid", 1, "pid")
		pid := a.Int("pid", 0)
		v, err := engine.Do(rt, engine.Input, "os.getpgid", engine.ArgsHash(pid), func() (int, error) {
			g, err := unix.Getpgid(pid)
			return g, errnoOf(err)
		})
		m.check(err)
		return vm.ToValue(v)
	})
	// setsid() -> session id; setpgid(pid, pgrp).
	m.set("setsid", func(call goja.FunctionCall) goja.Value {
		rt.Params(call, "os.setsid", 0)
		v, err := engine.Do(rt, engine.Effect, "os.setsid", 0, func() (int, error) {
			s, err := unix.Setsid()
			return s, errnoOf(err)
		})
		m.check(err)
		return vm.ToValue(v)
	})
	m.set("setpgid", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.setpgid", 2, "pid", "pgrp")
		pid, pg := a.Int("pid", 0), a.Int("pgrp", 0)
		_, err := engine.Do(rt, engine.Effect, "os.setpgid", engine.ArgsHash(pid, pg), func() (struct{}, error) {
			return struct{}{}, errnoOf(unix.Setpgid(pid, pg))
		})
		m.check(err)
		return goja.Undefined()
	})
	// fork() -> pid in the parent, 0 in the child (fork by replay: see the
	// README's cost model). Runs register_at_fork hooks as Python does.
	m.set("fork", func(call goja.FunctionCall) goja.Value {
		rt.Params(call, "os.fork", 0)
		for i := len(m.before) - 1; i >= 0; i-- {
			m.runHook(m.before[i])
		}
		// Unlike Python, flush every file first, so output buffered
		// before the fork comes out once and in order.
		pyio.For(rt).FlushAll()
		pid, err := rt.Fork()
		m.check(err)
		hooks := m.afterParent
		if pid == 0 {
			hooks = m.afterChild
		}
		for _, h := range hooks {
			m.runHook(h)
		}
		return vm.ToValue(pid)
	})
	// register_at_fork({before, after_in_parent, after_in_child}).
	m.set("register_at_fork", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.register_at_fork", 0, "*", "before", "after_in_parent", "after_in_child")
		if !a.Has("before") && !a.Has("after_in_parent") && !a.Has("after_in_child") {
			rt.Throw(pyerr.TypeErrorf("At least one argument is required."))
		}
		if f := a.Func("before"); f != nil {
			m.before = append(m.before, f)
		}
		if f := a.Func("after_in_parent"); f != nil {
			m.afterParent = append(m.afterParent, f)
		}
		if f := a.Func("after_in_child"); f != nil {
			m.afterChild = append(m.afterChild, f)
		}
		return goja.Undefined()
	})
	// waitpid(pid, options) -> [pid, status]; [0, 0] with WNOHANG and no
	// child ready. ChildProcessError if there is no such child.
	m.set("waitpid", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.waitpid", 2, "pid", "options")
		r, err := Waitpid(rt, a.Int("pid", 0), a.Int("options", 0))
		m.check(err)
		return vm.NewArray(r.Pid, r.Status)
	})
	// wait() -> [pid, status] of any child.
	m.set("wait", func(call goja.FunctionCall) goja.Value {
		rt.Params(call, "os.wait", 0)
		r, err := Waitpid(rt, -1, 0)
		m.check(err)
		return vm.NewArray(r.Pid, r.Status)
	})
	// kill(pid, sig): ProcessLookupError if there is no such process.
	m.set("kill", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.kill", 2, "pid", "signal")
		pid, sig := a.Int("pid", 0), a.Int("signal", 0)
		_, err := engine.Do(rt, engine.Effect, "os.kill", engine.ArgsHash(pid, sig), func() (struct{}, error) {
			return struct{}{}, errnoOf(unix.Kill(pid, unix.Signal(sig)))
		})
		m.check(err)
		return goja.Undefined()
	})
	// killpg(pgid, sig).
	m.set("killpg", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.killpg", 2, "pgid", "signal")
		pg, sig := a.Int("pgid", 0), a.Int("signal", 0)
		_, err := engine.Do(rt, engine.Effect, "os.killpg", engine.ArgsHash(pg, sig), func() (struct{}, error) {
			return struct{}{}, errnoOf(unix.Kill(-pg, unix.Signal(sig)))
		})
		m.check(err)
		return goja.Undefined()
	})
	// _exit(n): ends the process at once, without exit hooks, finally
	// blocks or flushing buffers (Python's os._exit).
	m.set("_exit", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os._exit", 1, "n")
		n := a.Int("n", 0)
		rt.ExitNow(n & 0xff)
		return goja.Undefined()
	})
	// Wait-status macros, as Python's os.WIFEXITED etc.
	status := func(name string, fn func(unix.WaitStatus) any) {
		m.set(name, func(call goja.FunctionCall) goja.Value {
			a := rt.Params(call, "os."+name, 1, "status")
			return vm.ToValue(fn(unix.WaitStatus(a.Int("status", 0))))
		})
	}
	status("WIFEXITED", func(w unix.WaitStatus) any { return w.Exited() })
	status("WEXITSTATUS", func(w unix.WaitStatus) any { return int(w>>8) & 0xff })
	status("WIFSIGNALED", func(w unix.WaitStatus) any { return w.Signaled() })
	status("WTERMSIG", func(w unix.WaitStatus) any { return int(w & 0x7f) })
	status("WIFSTOPPED", func(w unix.WaitStatus) any { return w.Stopped() })
	status("WSTOPSIG", func(w unix.WaitStatus) any { return int(w>>8) & 0xff })
	status("WIFCONTINUED", func(w unix.WaitStatus) any { return w.Continued() })
	status("WCOREDUMP", func(w unix.WaitStatus) any { return w.CoreDump() })
	// waitstatus_to_exitcode(status): the exit code, or -signal.
	m.set("waitstatus_to_exitcode", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.waitstatus_to_exitcode", 1, "status")
		w := unix.WaitStatus(a.Int("status", 0))
		switch {
		case w.Exited():
			return vm.ToValue(w.ExitStatus())
		case w.Signaled():
			return vm.ToValue(-int(w.Signal()))
		}
		rt.Throw(pyerr.ValueErrorf("invalid wait status: %d", int(w)))
		return nil
	})
	// strerror(code) -> the C library's message.
	m.set("strerror", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.strerror", 1, "code")
		return vm.ToValue(pyerr.Strerror(unix.Errno(a.Int("code", 0))))
	})
	// umask(mask) -> previous mask.
	m.set("umask", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.umask", 1, "mask")
		mask := a.Int("mask", 0)
		v, _ := engine.Do(rt, engine.Effect, "os.umask", engine.ArgsHash(mask), func() (int, error) {
			return unix.Umask(mask), nil
		})
		return vm.ToValue(v)
	})
	// urandom(n) -> Bytes of n random bytes.
	m.set("urandom", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.urandom", 1, "size")
		n := a.Int("size", 0)
		if n < 0 {
			rt.Throw(pyerr.ValueErrorf("negative argument not allowed"))
		}
		if n > 1<<30 {
			rt.Throw(pyerr.New("MemoryError", "os.urandom(%d): too large", n))
		}
		b, err := engine.Do(rt, engine.Input, "os.urandom", engine.ArgsHash(n), func() ([]byte, error) {
			b := make([]byte, n)
			_, err := unix.Getrandom(b, 0)
			return b, errnoOf(err)
		})
		m.check(err)
		return rt.NewBytes(b)
	})
}
