package proc

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// aLongTimeAgo is a deadline in the past, used to wake blocked poller calls.
var aLongTimeAgo = time.Unix(1, 0)

// Wait waits for the child to exit, reaps it and returns its [*State], as
// Python's Popen.wait. It returns at once if the child was already reaped;
// every later call returns the same State. If ctx is done first, Wait
// returns ctx.Err() (context.DeadlineExceeded for a timeout, Python's
// TimeoutExpired) and the child is left running and unreaped, so Wait can
// be called again. A child already reaped by someone else gives a State
// with Unknown() true and return code 0, as in Python. After
// [Process.Release] it returns [ErrReleased].
//
// A blocked Wait holds no OS thread when pidfds work (Linux 5.4+).
func (p *Process) Wait(ctx context.Context) (*State, error) {
	if p.h.isReleased() {
		return nil, ErrReleased
	}
	return p.h.wait(ctx)
}

// Poll reaps the child if it has exited, without blocking, as Python's
// Popen.poll: it returns (state, true, nil) once the child has been reaped
// (by this or any earlier call) and (nil, false, nil) while it runs. ECHILD
// is handled as in [Process.Wait]. After [Process.Release] it returns
// [ErrReleased].
func (p *Process) Poll() (*State, bool, error) {
	if p.h.isReleased() {
		return nil, false, ErrReleased
	}
	return p.h.poll()
}

// current returns the reaped state, or nil.
func (h *handle) current() *State {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.state
}

func (h *handle) wait(ctx context.Context) (*State, error) {
	if st := h.current(); st != nil {
		return st, nil
	}
	if ctx.Err() != nil {
		// Like Python's wait(timeout=0): an exited child is still reaped.
		if st, done, err := h.poll(); done || err != nil {
			return st, err
		}
		return nil, ctx.Err()
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()

	h.mu.Lock()
	st, f := h.state, h.pidf
	h.mu.Unlock()
	switch {
	case st != nil:
		return st, nil
	case f != nil:
		return h.waitPidfd(ctx, f)
	case h.exited != nil:
		return h.waitExited(ctx)
	}
	return nil, errors.New("proc: internal error: no way to wait")
}

// waitPidfd blocks in the poller until the pidfd is readable (the child
// has exited), then reaps with waitid(P_PIDFD, WNOHANG).
func (h *handle) waitPidfd(ctx context.Context, f *os.File) (*State, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return h.afterClosed(err)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		f.SetReadDeadline(aLongTimeAgo)
		close(fired)
	})
	var st *State
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		st, rerr = h.reapPidfd(int(fd))
		return st != nil || rerr != nil
	})
	if !stop() {
		<-fired
		f.SetReadDeadline(time.Time{})
	}
	switch {
	case st != nil:
		h.dropPidfd()
		return st, nil
	case rerr != nil:
		return nil, rerr
	case errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return h.afterClosed(err)
}

// afterClosed handles an error from the pidfd file: if it was closed
// because another call reaped the child, that state is the answer.
func (h *handle) afterClosed(err error) (*State, error) {
	if st := h.current(); st != nil {
		return st, nil
	}
	return nil, err
}

// reapPidfd reaps the child through its pidfd if it has exited.
func (h *handle) reapPidfd(fd int) (*State, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state != nil {
		return h.state, nil
	}
	var info siginfoChild
	err := waitid(unix.P_PIDFD, fd, &info, unix.WEXITED|unix.WNOHANG)
	switch {
	case err == unix.ECHILD:
		h.state = &State{pid: h.pid, unknown: true}
	case err != nil:
		return nil, os.NewSyscallError("waitid", err)
	case info.Pid == 0:
		return nil, nil
	default:
		h.state = &State{pid: h.pid, status: info.waitStatus()}
	}
	return h.state, nil
}

// dropPidfd closes the pidfd once the child is reaped. It must not be
// called with h.mu held or from inside a SyscallConn callback.
func (h *handle) dropPidfd() {
	h.mu.Lock()
	f := h.pidf
	h.pidf = nil
	h.mu.Unlock()
	if f != nil {
		f.Close()
	}
}

func (h *handle) poll() (*State, bool, error) {
	h.mu.Lock()
	st, f := h.state, h.pidf
	h.mu.Unlock()
	if st != nil {
		return st, true, nil
	}
	if f == nil {
		st, err := h.reapPid()
		return st, st != nil, err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		st, err := h.afterClosed(err)
		return st, st != nil, err
	}
	var rerr error
	if err := rc.Control(func(fd uintptr) { st, rerr = h.reapPidfd(int(fd)) }); err != nil {
		st, err := h.afterClosed(err)
		return st, st != nil, err
	}
	if st != nil {
		h.dropPidfd()
	}
	return st, st != nil, rerr
}

// watch is the fallback without pidfds: it blocks (one OS thread) until the
// child has exited, without reaping it, then closes h.exited.
func (h *handle) watch() {
	var info siginfoChild
	waitid(unix.P_PID, h.pid, &info, unix.WEXITED|unix.WNOWAIT)
	close(h.exited)
}

// waitExited is the fallback wait: the watcher says when to reap.
func (h *handle) waitExited(ctx context.Context) (*State, error) {
	select {
	case <-h.exited:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	for {
		st, err := h.reapPid()
		if st != nil || err != nil {
			return st, err
		}
		// Not reapable although waitid said it exited: cannot happen with
		// a sane kernel; retry gently rather than spin or block.
		select {
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// reapPid is the fallback reap: wait4(pid, WNOHANG) under the lock.
func (h *handle) reapPid() (*State, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state != nil {
		return h.state, nil
	}
	var ws unix.WaitStatus
	var wpid int
	var err error
	for {
		wpid, err = unix.Wait4(h.pid, &ws, unix.WNOHANG, nil)
		if err != unix.EINTR {
			break
		}
	}
	switch {
	case err == unix.ECHILD:
		h.state = &State{pid: h.pid, unknown: true}
	case err != nil:
		return nil, os.NewSyscallError("wait4", err)
	case wpid == 0:
		return nil, nil
	default:
		h.state = &State{pid: h.pid, status: syscall.WaitStatus(ws)}
	}
	return h.state, nil
}
