package proc

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Process is a started child, returned by [Cmd.Start]: Python's Popen
// minus the JavaScript. Its methods are safe for concurrent use.
//
// A child is reaped by [Process.Wait], [Process.Poll] (once it has exited),
// [Process.Communicate] or [Process.KillAndWait]. If the program drops a
// Process without reaping it, or calls [Process.Release], the child is
// reaped in the background when it exits (Python's Popen.__del__ keeps such
// children in subprocess._active for the same reason), so no zombie is left.
type Process struct {
	// Pid is the child's process id.
	Pid int

	// Stdin is the write end of the child's stdin pipe when Cmd.Stdin was
	// [Pipe], else nil. Stdout and Stderr are the read ends of the output
	// pipes likewise. They are blocking *os.File values owned by the caller
	// (Python's Popen.stdin/stdout/stderr); [Process.Communicate] closes
	// them when it is done with them, as Python's communicate does.
	Stdin, Stdout, Stderr *os.File

	h      *handle
	leader bool

	commMu sync.Mutex
	comm   *Communication
}

// handle is the part of a Process that outlives it for background reaping.
type handle struct {
	pid int
	sem chan struct{} // held by the one goroutine blocked in a wait

	mu       sync.Mutex
	state    *State   // set once reaped
	pidf     *os.File // pollable pidfd; nil without pidfd or once reaped
	exited   chan struct{}
	released bool
}

func newProcess(pid, pidfd int, leader bool) *Process {
	h := &handle{pid: pid, sem: make(chan struct{}, 1)}
	if pidfd >= 0 {
		// Non-blocking so that os.NewFile registers it with the poller.
		unix.SetNonblock(pidfd, true)
		h.pidf = os.NewFile(uintptr(pidfd), "pidfd")
	} else {
		h.exited = make(chan struct{})
		go h.watch()
	}
	p := &Process{Pid: pid, h: h, leader: leader}
	runtime.AddCleanup(p, (*handle).reapInBackground, h)
	return p
}

// Leader reports whether the child leads its own process group (it was
// started with Setsid, or Setpgid and Pgid 0), so [Process.SignalGroup]
// can reach it and everything it spawned in that group.
func (p *Process) Leader() bool { return p.leader }

// Signal sends sig to the child, as Python's Popen.send_signal: it first
// polls, and returns [ErrProcessDone] without signalling if the child has
// already exited (it is reaped then, and Wait returns its status). With
// pidfd support the signal goes through pidfd_send_signal, so it can never
// reach another process that reused the pid. Other errors are
// *os.SyscallError values.
func (p *Process) Signal(sig syscall.Signal) error {
	h := p.h
	if h.isReleased() {
		return ErrReleased
	}
	if _, done, err := h.poll(); err != nil {
		return err
	} else if done {
		return ErrProcessDone
	}
	h.mu.Lock()
	f := h.pidf
	if h.state != nil {
		h.mu.Unlock()
		return ErrProcessDone
	}
	if f == nil {
		// No pidfd: kill(2) under the lock, so we cannot reap and let the
		// pid be reused in between.
		err := unix.Kill(h.pid, sig)
		h.mu.Unlock()
		return signalError("kill", err)
	}
	h.mu.Unlock()
	rc, err := f.SyscallConn()
	if err != nil {
		return ErrProcessDone // closed: reaped meanwhile
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.PidfdSendSignal(int(fd), sig, nil, 0)
	}); err != nil {
		return ErrProcessDone
	}
	return signalError("pidfd_send_signal", serr)
}

// SignalGroup sends sig to the child's whole process group (killpg), which
// exists only when the child leads one (see [Process.Leader]); otherwise it
// returns [ErrNotLeader]. It works after the leader has exited as long as
// other members of the group are alive; when none is left it returns
// [ErrProcessDone]. Like os.killpg, it addresses the group by number.
func (p *Process) SignalGroup(sig syscall.Signal) error {
	if !p.leader {
		return ErrNotLeader
	}
	if p.h.isReleased() {
		return ErrReleased
	}
	return signalError("killpg", unix.Kill(-p.Pid, sig))
}

// Kill sends SIGKILL to the child (Python's Popen.kill). See [Process.Signal].
func (p *Process) Kill() error { return p.Signal(syscall.SIGKILL) }

// Terminate sends SIGTERM to the child (Python's Popen.terminate). See
// [Process.Signal].
func (p *Process) Terminate() error { return p.Signal(syscall.SIGTERM) }

// Release stops this Process from being used: later calls of its methods
// return [ErrReleased]. It does not signal the child and does not close the
// pipes. If the child has not been reaped yet it is reaped in the
// background when it exits (its status is then discarded), so no zombie is
// left. Release returns [ErrReleased] if called twice.
func (p *Process) Release() error {
	h := p.h
	h.mu.Lock()
	if h.released {
		h.mu.Unlock()
		return ErrReleased
	}
	h.released = true
	h.mu.Unlock()
	h.reapInBackground()
	return nil
}

func (h *handle) isReleased() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.released
}

// reapInBackground makes sure the child is reaped once it exits.
func (h *handle) reapInBackground() {
	if h.current() != nil {
		return
	}
	go h.wait(context.Background())
}

func signalError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ESRCH):
		return ErrProcessDone
	}
	return os.NewSyscallError(op, err)
}
