package pyerr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Error is a Python exception as plain data: the class to raise and the
// attributes to give it. It is what host functions return (directly or via
// From) and what the journal records.
type Error struct {
	// Type is the Python class name: "OSError", "FileNotFoundError",
	// "ValueError", "TypeError", "KeyboardInterrupt", or a class a module
	// registered (for example "CalledProcessError").
	Type string `cbor:"1,keyasint"`
	// Msg is the message for non-OSError classes.
	Msg string `cbor:"2,keyasint,omitempty"`
	// Errno, Strerror, Filename and Filename2 are OSError's attributes;
	// Errno 0 means the exception is not errno-based.
	Errno     int    `cbor:"3,keyasint,omitempty"`
	Strerror  string `cbor:"4,keyasint,omitempty"`
	Filename  string `cbor:"5,keyasint,omitempty"`
	Filename2 string `cbor:"6,keyasint,omitempty"`
	// HasFilename distinguishes filename '' from no filename.
	HasFilename bool `cbor:"7,keyasint,omitempty"`
	// Args, when set, are the constructor's arguments instead of the ones
	// derived from the fields above (numbers, strings, booleans, nil).
	Args []any `cbor:"8,keyasint,omitempty"`
	// Stack, when set, replaces the JS stack (an error raised in another
	// process carries that process's stack).
	Stack string `cbor:"9,keyasint,omitempty"`
	// Attrs are extra attributes set on the JS object (numbers, strings,
	// booleans, nil), in sorted key order.
	Attrs map[string]any `cbor:"10,keyasint,omitempty"`
}

// Error formats the exception as Python's traceback last line does:
// "FileNotFoundError: [Errno 2] No such file or directory: 'x'".
func (e *Error) Error() string {
	if e.Errno != 0 {
		msg := fmt.Sprintf("[Errno %d] %s", e.Errno, e.Strerror)
		if e.HasFilename {
			msg += fmt.Sprintf(": '%s'", e.Filename)
			if e.Filename2 != "" {
				msg += fmt.Sprintf(" -> '%s'", e.Filename2)
			}
		}
		return e.Type + ": " + msg
	}
	if e.Msg == "" {
		return e.Type
	}
	return e.Type + ": " + e.Msg
}

// New returns an exception of class typ with a formatted message, for
// example New("ValueError", "invalid mode: %q", mode).
func New(typ, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Type: typ, Msg: format}
	}
	return &Error{Type: typ, Msg: fmt.Sprintf(format, args...)}
}

// TypeErrorf returns a JS TypeError, raised for arguments of the wrong type
// as Python raises TypeError.
func TypeErrorf(format string, args ...any) *Error { return New("TypeError", format, args...) }

// ValueErrorf returns a ValueError, raised for arguments of the right type
// but a wrong value.
func ValueErrorf(format string, args ...any) *Error { return New("ValueError", format, args...) }

// OSErrorf returns an OSError subclass chosen by errno, as Python's
// OSError(errno, strerror, filename) does; filename is optional.
func OSErrorf(errno syscall.Errno, filename ...string) *Error {
	e := &Error{Type: ClassForErrno(errno), Errno: int(errno), Strerror: Strerror(errno)}
	if len(filename) > 0 {
		e.Filename, e.HasFilename = filename[0], true
	}
	if len(filename) > 1 {
		e.Filename2 = filename[1]
	}
	return e
}

// Strerror returns the C library's message for errno, as Python's
// os.strerror does ("No such file or directory").
func Strerror(errno syscall.Errno) string {
	s := unix.ErrnoName(errno)
	if s == "" {
		return fmt.Sprintf("Unknown error %d", int(errno))
	}
	// x/sys messages are lower-case; glibc's start upper-case.
	msg := errno.Error()
	if msg == "" {
		return fmt.Sprintf("Unknown error %d", int(errno))
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// ClassForErrno returns the OSError subclass Python raises for errno (PEP
// 3151): ENOENT gives FileNotFoundError, EPIPE BrokenPipeError, and so on;
// any other errno gives OSError.
func ClassForErrno(errno syscall.Errno) string {
	switch errno {
	case unix.EAGAIN, unix.EALREADY, unix.EINPROGRESS:
		return "BlockingIOError"
	case unix.ECHILD:
		return "ChildProcessError"
	case unix.EPIPE, unix.ESHUTDOWN:
		return "BrokenPipeError"
	case unix.ECONNABORTED:
		return "ConnectionAbortedError"
	case unix.ECONNREFUSED:
		return "ConnectionRefusedError"
	case unix.ECONNRESET:
		return "ConnectionResetError"
	case unix.EEXIST:
		return "FileExistsError"
	case unix.ENOENT:
		return "FileNotFoundError"
	case unix.EISDIR:
		return "IsADirectoryError"
	case unix.ENOTDIR:
		return "NotADirectoryError"
	case unix.EINTR:
		return "InterruptedError"
	case unix.EACCES, unix.EPERM:
		return "PermissionError"
	case unix.ESRCH:
		return "ProcessLookupError"
	case unix.ETIMEDOUT:
		return "TimeoutError"
	}
	return "OSError"
}

// Interrupted is the error blocking host calls return when Ctrl-C
// (SIGINT with its default handler) interrupts them: a KeyboardInterrupt.
var Interrupted = &Error{Type: "KeyboardInterrupt"}

// From converts any Go error to *Error: an *Error is returned as is,
// syscall.Errno and the os package's path and syscall errors become the
// OSError subclass of their errno (keeping the file name), exec.ErrNotFound
// becomes FileNotFoundError, context cancellation KeyboardInterrupt and a
// deadline TimeoutError; anything else is a RuntimeError with its message.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	var perr *os.PathError
	if errors.As(err, &perr) {
		var errno syscall.Errno
		if errors.As(perr.Err, &errno) {
			return OSErrorf(errno, perr.Path)
		}
	}
	var lerr *os.LinkError
	if errors.As(err, &lerr) {
		var errno syscall.Errno
		if errors.As(lerr.Err, &errno) {
			return OSErrorf(errno, lerr.Old, lerr.New)
		}
	}
	var eerr *exec.Error
	if errors.As(err, &eerr) && errors.Is(eerr.Err, exec.ErrNotFound) {
		return OSErrorf(unix.ENOENT, eerr.Name)
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return OSErrorf(errno)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return Interrupted
	case errors.Is(err, context.DeadlineExceeded):
		return New("TimeoutError", "timed out")
	}
	return New("RuntimeError", "%s", err.Error())
}
