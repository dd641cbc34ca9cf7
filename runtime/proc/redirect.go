package proc

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Redirect says what one of the child's standard descriptors is connected
// to. The zero value inherits the parent's descriptor of the same number.
type Redirect struct {
	kind redirectKind
	fd   int
}

type redirectKind uint8

const (
	redirInherit redirectKind = iota
	redirDevNull
	redirPipe
	redirFD
	redirStdout
)

var (
	// Inherit gives the child the parent's descriptor (Python's None). It is
	// the zero value of Redirect. If the parent's descriptor is closed, it
	// stays closed in the child.
	Inherit = Redirect{}

	// DevNull connects the descriptor to /dev/null (Python's DEVNULL).
	DevNull = Redirect{kind: redirDevNull}

	// Pipe creates a pipe (Python's PIPE). The parent's end is returned in
	// Process.Stdin, Process.Stdout or Process.Stderr as a blocking
	// close-on-exec *os.File owned by the caller.
	Pipe = Redirect{kind: redirPipe}

	// ToStdout, for Stderr only, makes descriptor 2 the same open file as
	// descriptor 1, so both streams keep their relative write order
	// (Python's STDOUT). With an inherited Stdout it is the parent's
	// descriptor 1.
	ToStdout = Redirect{kind: redirStdout}
)

// FD connects the descriptor to the parent's open descriptor fd, which stays
// the caller's (Python's stdin=fd or stdin=fileobj). Use it to build
// pipelines: FD(int(p1.Stdout.Fd())) as the next child's Stdin. Start fails
// with a [*StartError] (Op "fd", EBADF) if fd is not open. The caller must
// keep any *os.File owning fd alive until Start returns.
func FD(fd int) Redirect { return Redirect{kind: redirFD, fd: fd} }

// String describes the redirect: "inherit", "devnull", "pipe", "fd N" or
// "stdout".
func (r Redirect) String() string {
	switch r.kind {
	case redirInherit:
		return "inherit"
	case redirDevNull:
		return "devnull"
	case redirPipe:
		return "pipe"
	case redirFD:
		return "fd " + strconv.Itoa(r.fd)
	case redirStdout:
		return "stdout"
	}
	return "invalid"
}

// fdIsOpen reports whether fd is an open descriptor of this process.
func fdIsOpen(fd int) bool {
	if fd < 0 {
		return false
	}
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// aboveStdio moves fd to a number of at least 3 if it is below, keeping it
// close-on-exec. Descriptors 0..2 are avoided so that a pipe never takes the
// place of a closed standard stream (the Go runtime raises SIGPIPE for EPIPE
// on an *os.File numbered 1 or 2).
func aboveStdio(fd int) (int, error) {
	if fd > 2 {
		return fd, nil
	}
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	unix.Close(fd)
	if err != nil {
		return -1, err
	}
	return nfd, nil
}

// newPipe returns a close-on-exec pipe with both ends numbered 3 or more,
// sized to size bytes when size > 0.
func newPipe(size int) (r, w int, err error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return -1, -1, err
	}
	if p[0], err = aboveStdio(p[0]); err != nil {
		unix.Close(p[1])
		return -1, -1, err
	}
	if p[1], err = aboveStdio(p[1]); err != nil {
		unix.Close(p[0])
		return -1, -1, err
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

// openDevNull opens /dev/null read-write and close-on-exec.
func openDevNull() (int, error) {
	fd, err := unix.Open(os.DevNull, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	return aboveStdio(fd)
}
