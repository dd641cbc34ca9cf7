package proc

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// StartError reports which step of starting a child failed, in the way
// Python's _posixsubprocess reports it, so that the binding can raise
// OSError(errno, strerror, filename) with the right subclass
// (FileNotFoundError, PermissionError, NotADirectoryError, ...).
//
// Op is the step:
//
//   - "chdir": changing to [Cmd.Dir] failed; Path is the directory
//     (Python: filename=cwd).
//   - "exec": the program could not be found or executed (ENOENT, EACCES,
//     ENOEXEC, ...); Path is the program as the caller gave it, not the
//     resolved one (Python: filename=executable or args[0]).
//   - "fd": a descriptor given in [FD] or [Cmd.PassFDs] is not open
//     (EBADF); Path is empty (Python raises OSError without a filename).
//   - "pipe": creating or sizing a pipe failed; Path is empty.
//   - "open": opening /dev/null for [DevNull] failed; Path is "/dev/null".
//   - "setpgid": the child could not join process group Pgid (EPERM);
//     Path is empty (Python's process_group= fails the same way).
//
// Err is the errno. Unwrap returns it, so errors.Is(err, fs.ErrNotExist)
// and errors.Is(err, syscall.ENOENT) both work.
type StartError struct {
	Op   string
	Path string
	Err  syscall.Errno
}

// Error formats the error as "proc: OP "PATH": MESSAGE", for example
// `proc: exec "nosuchprog": no such file or directory`. Python's wording
// ("[Errno 2] No such file or directory: 'nosuchprog'") is the binding's
// job; the fields carry everything it needs.
func (e *StartError) Error() string {
	if e.Path == "" {
		return "proc: " + e.Op + ": " + e.Err.Error()
	}
	return "proc: " + e.Op + " " + strconv.Quote(e.Path) + ": " + e.Err.Error()
}

// Unwrap returns the errno.
func (e *StartError) Unwrap() error { return e.Err }

// ExitError is returned by [State.Err] for a child that did not exit with
// status 0, in the manner of os/exec's ExitError. The binding uses it for
// check=True (Python's CalledProcessError carries the same return code).
type ExitError struct {
	*State
}

// Error returns "exit status N" or "signal: NAME", as os/exec does.
func (e *ExitError) Error() string { return e.State.String() }

var (
	// ErrProcessDone is returned by signalling methods when the child has
	// already been reaped (Python's send_signal silently skips this case;
	// the binding should ignore it). It is os.ErrProcessDone.
	ErrProcessDone = os.ErrProcessDone

	// ErrReleased is returned by [Process] methods after [Process.Release].
	ErrReleased = errors.New("proc: process released")

	// ErrNotLeader is returned by [Process.SignalGroup] when the child was
	// started without Setsid or Setpgid with Pgid 0, so it leads no group.
	ErrNotLeader = errors.New("proc: process does not lead a process group")

	// ErrInputAfterStart is returned by [Process.Communicate] when input is
	// given to a resumed communication (Python: ValueError "Cannot send
	// input after starting communication").
	ErrInputAfterStart = errors.New("proc: cannot send input after starting communication")

	// ErrNulByte is returned by [Cmd.Start] when the program, an argument,
	// an environment entry or Dir contains a NUL byte (Python: ValueError
	// "embedded null byte").
	ErrNulByte = errors.New("proc: embedded null byte")

	// ErrNoProgram is returned by [Cmd.Start] when neither Executable, Path
	// nor Args[0] names a program.
	ErrNoProgram = errors.New("proc: no program to run")

	// ErrBadRedirect is returned by [Cmd.Start] for [ToStdout] used on
	// Stdin or Stdout, or an unknown Redirect.
	ErrBadRedirect = errors.New("proc: invalid redirect")
)
