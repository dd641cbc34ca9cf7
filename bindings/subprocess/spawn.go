package subprocess

import (
	"context"
	"errors"
	"sort"
	"syscall"
	"weak"

	"github.com/forkjs/forkjs/runtime/proc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// spawn is the live part of Popen(): it creates the pipes, starts the
// child through runtime/proc and records the live state in p.lp. The
// parent's pipe ends are returned as raw close-on-exec descriptors (3 or
// above) that p owns; the child's ends are closed here. On error nothing
// is left open and no child is left behind.
func (m *mod) spawn(p *popen, s *startSpec) (spawnResult, error) {
	res := spawnResult{FDs: [3]int{-1, -1, -1}}
	cmd := &proc.Cmd{
		Args:       s.argv,
		Executable: s.executable,
		Env:        s.env,
		Dir:        s.cwd,
		PassFDs:    s.passFDs,
		InheritFDs: !s.closeFDs,
		Setsid:     s.newSession,
	}
	if s.pgroup >= 0 {
		cmd.Setpgid, cmd.Pgid = true, s.pgroup
	} else if s.forTimeout && s.shell && !s.newSession && !(s.redir[0].kind == redirInherit && isatty(s.stdio[0])) {
		// run()/call() with a timeout: a shell command line gets its own
		// process group, so the timeout kills everything it started. Not
		// when the shell reads the terminal: a background group would be
		// stopped by SIGTTIN.
		cmd.Setpgid = true
	}
	if s.umask >= 0 {
		u := s.umask
		cmd.Umask = &u
	}
	var childEnds []int
	closeAll := func(fds []int) {
		for _, fd := range fds {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	}
	targets := [3]*proc.Redirect{&cmd.Stdin, &cmd.Stdout, &cmd.Stderr}
	for i, r := range s.redir {
		switch r.kind {
		case redirInherit:
			if s.stdio[i] != i {
				// An embedding runtime's streams are not the process's 0-2.
				*targets[i] = proc.FD(s.stdio[i])
			}
		case redirDevNull:
			*targets[i] = proc.DevNull
		case redirStdout:
			*targets[i] = proc.ToStdout
		case redirFD:
			*targets[i] = proc.FD(r.fd)
		case redirPipe:
			rd, wr, err := newPipe(s.pipesize)
			if err != nil {
				closeAll(childEnds)
				closeAll(res.FDs[:])
				return spawnResult{}, pyerr.From(err)
			}
			child := rd
			res.FDs[i] = wr
			if i > 0 {
				child, res.FDs[i] = wr, rd
			}
			childEnds = append(childEnds, child)
			*targets[i] = proc.FD(child)
		}
	}
	pr, err := cmd.Start()
	closeAll(childEnds)
	if err != nil {
		closeAll(res.FDs[:])
		return spawnResult{}, startError(err)
	}
	lp := &liveProc{proc: pr}
	p.lp = lp
	m.track(pr)
	res.Pid, res.Leader = pr.Pid, pr.Leader()
	if res.Leader {
		m.sweepLeaders()
		m.leaders[p.id] = lp
	}
	return res, nil
}

// track lets an embedding host's cancelled run or Runtime.Close kill and
// reap the child (its whole group when it leads one). The runtime holds
// it weakly: a Popen the script dropped is still reaped by the process
// layer when collected, and then left alone here.
func (m *mod) track(pr *proc.Process) {
	wp := weak.Make(pr)
	m.rt.TrackChild(pr.Pid, func() {
		pr := wp.Value()
		if pr == nil {
			return
		}
		if pr.Leader() {
			pr.SignalGroup(syscall.SIGKILL)
		} else {
			pr.Kill()
		}
		pr.Wait(context.Background())
	})
}

// sweepLeaders reaps group leaders that have exited (Python's
// subprocess._cleanup), so abandoned Popens leave no zombie behind.
func (m *mod) sweepLeaders() {
	ids := make([]int, 0, len(m.leaders))
	for id := range m.leaders {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		lp := m.leaders[id]
		if _, done, err := lp.proc.Poll(); done || err != nil {
			lp.reaped = true
			m.rt.UntrackChild(lp.proc.Pid)
			delete(m.leaders, id)
		}
	}
}

// reaped marks the child collected and forgets it as a group leader.
func (m *mod) reaped(p *popen) {
	p.lp.reaped = true
	m.rt.UntrackChild(p.lp.proc.Pid)
	delete(m.leaders, p.id)
}

// startError turns proc.Cmd.Start's errors into Python's exceptions:
// OSError subclasses with the filename Python attaches (the program, the
// cwd, /dev/null), ValueError for a NUL byte, IndexError for no program.
func startError(err error) error {
	var se *proc.StartError
	switch {
	case errors.As(err, &se):
		if se.Path != "" || se.Op == "exec" || se.Op == "chdir" {
			return pyerr.OSErrorf(se.Err, se.Path)
		}
		return pyerr.OSErrorf(se.Err)
	case errors.Is(err, proc.ErrNulByte):
		return pyerr.ValueErrorf("embedded null byte")
	case errors.Is(err, proc.ErrNoProgram):
		return pyerr.New("IndexError", "list index out of range")
	case errors.Is(err, proc.ErrBadRedirect):
		return pyerr.OSErrorf(unix.EBADF)
	}
	return pyerr.From(err)
}

// newPipe returns a close-on-exec pipe with both ends numbered 3 or more
// (a pipe never takes the place of a closed standard stream), its capacity
// set to size bytes when size > 0 (Python's pipesize=).
func newPipe(size int) (r, w int, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return -1, -1, err
	}
	for i := range p {
		if p[i] > 2 {
			continue
		}
		nfd, err := unix.FcntlInt(uintptr(p[i]), unix.F_DUPFD_CLOEXEC, 3)
		unix.Close(p[i])
		if err != nil {
			unix.Close(p[1-i]) // the other end (already moved if i is 1)
			return -1, -1, err
		}
		p[i] = nfd
	}
	if size > 0 {
		if _, err := unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, size); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return -1, -1, err
		}
	}
	return p[0], p[1], nil
}

// dupCloexec duplicates fd at a number of at least 3, close-on-exec.
func dupCloexec(fd int) (int, error) {
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
}
