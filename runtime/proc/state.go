package proc

import (
	"strconv"
	"syscall"
)

// State is the final status of a reaped child, as returned by
// [Process.Wait] and [Process.Poll]. It is immutable.
type State struct {
	pid     int
	status  syscall.WaitStatus
	unknown bool
}

// Pid returns the process id the child had.
func (s *State) Pid() int { return s.pid }

// Sys returns the raw wait status in the encoding of waitpid(2), as
// Python's os.waitpid returns it (0 when [State.Unknown]).
func (s *State) Sys() syscall.WaitStatus { return s.status }

// Exited reports whether the child ended by exiting (including the
// [State.Unknown] case, which Python reports as exit status 0).
func (s *State) Exited() bool { return s.status.Exited() }

// ExitCode returns the exit status (0..255), or -1 if the child was killed
// by a signal, as os.ProcessState.ExitCode does.
func (s *State) ExitCode() int {
	if s.status.Exited() {
		return s.status.ExitStatus()
	}
	return -1
}

// Signaled reports whether the child was killed by a signal.
func (s *State) Signaled() bool { return s.status.Signaled() }

// Signal returns the signal that killed the child, or 0 if it exited.
func (s *State) Signal() syscall.Signal {
	if s.status.Signaled() {
		return s.status.Signal()
	}
	return 0
}

// CoreDumped reports whether the child dumped core when it was killed.
func (s *State) CoreDumped() bool { return s.status.CoreDump() }

// ReturnCode returns the status with Python's convention, as
// Popen.returncode and os.waitstatus_to_exitcode: the exit status when the
// child exited, -N when it was killed by signal N.
func (s *State) ReturnCode() int {
	if s.status.Signaled() {
		return -int(s.status.Signal())
	}
	return s.status.ExitStatus()
}

// Success reports whether ReturnCode is 0.
func (s *State) Success() bool { return s.ReturnCode() == 0 }

// Unknown reports that the status could not be collected because the child
// had already been reaped elsewhere (waitid or waitpid failed with ECHILD,
// e.g. after os.wait() in the script or with SIGCHLD set to SIG_IGN). As in
// CPython's Popen._try_wait and _internal_poll, such a child is reported as
// having exited with status 0.
func (s *State) Unknown() bool { return s.unknown }

// Err returns nil when ReturnCode is 0 and an [*ExitError] otherwise.
func (s *State) Err() error {
	if s.Success() {
		return nil
	}
	return &ExitError{s}
}

// String returns "exit status N" or "signal: NAME" (with " (core dumped)"
// when it applies), in the words of os.ProcessState.String.
func (s *State) String() string {
	if s.status.Signaled() {
		str := "signal: " + s.status.Signal().String()
		if s.status.CoreDump() {
			str += " (core dumped)"
		}
		return str
	}
	return "exit status " + strconv.Itoa(s.status.ExitStatus())
}
