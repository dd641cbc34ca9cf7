package engine

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Descriptor numbers. Python scripts expect their first os.pipe() to be
// [3, 4] and may dup2 onto small numbers or closerange(3, ...) them, so
// forkjs keeps its own descriptors (the journal, eventfds, status pipes,
// the Go runtime's epoll) at lowFDs and above, and refuses to let a script
// close a descriptor it cannot see (ScriptCanClose).

// lowFDs is the first descriptor number forkjs uses for itself.
const lowFDs = 64

var fdsOnce sync.Once

// initFDs runs once per process, before the first runtime makes any
// descriptor: it frees the Go runtime's cgroup files (held open only to
// update GOMAXPROCS, which main packages turn off with
// //go:debug updatemaxprocs=0) and makes the Go runtime create its epoll
// instance above lowFDs.
func initFDs() {
	fdsOnce.Do(func() {
		if !updatesMaxProcs() {
			closeCgroupFiles()
		}
		devnull, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return
		}
		var held []int
		for fd := 3; fd < lowFDs; fd++ {
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
				continue // open already (inherited, or devnull itself)
			}
			if unix.Dup3(devnull, fd, unix.O_CLOEXEC) == nil {
				held = append(held, fd)
			}
		}
		// A Go pipe registers with the poller, which creates the epoll
		// instance and its eventfd, now above the placeholders.
		if r, w, err := os.Pipe(); err == nil {
			r.Close()
			w.Close()
		}
		for _, fd := range held {
			unix.Close(fd)
		}
		unix.Close(devnull)
	})
}

// updatesMaxProcs reports whether the Go runtime re-reads the cgroup CPU
// limit (GODEBUG updatemaxprocs, default on).
func updatesMaxProcs() bool {
	env := os.Getenv("GODEBUG")
	if strings.Contains(env, "updatemaxprocs=1") {
		return true
	}
	if strings.Contains(env, "updatemaxprocs=0") {
		return false
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "DefaultGODEBUG" && strings.Contains(s.Value, "updatemaxprocs=0") {
				return false
			}
		}
	}
	return true
}

func closeCgroupFiles() {
	for fd := 3; fd < 16; fd++ {
		var buf [256]byte
		n, err := unix.Readlink("/proc/self/fd/"+strconv.Itoa(fd), buf[:])
		if err != nil {
			continue
		}
		if strings.HasPrefix(string(buf[:n]), "/sys/fs/cgroup/") {
			if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC != 0 {
				unix.Close(fd)
			}
		}
	}
}

// HighFD moves fd to the lowest free number at or above lowFDs (keeping
// it close-on-exec) and returns the new number; on failure it returns fd
// unchanged. Everything forkjs opens for itself goes through it, so that
// small numbers stay free for the script, as in Python.
func HighFD(fd int) int {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, lowFDs)
	if err != nil {
		return fd
	}
	unix.Close(fd)
	return nfd
}

// ScriptCanClose reports whether the script may close or replace fd: it
// may if fd is one of its own descriptors or not open at all; it may not
// if fd belongs to forkjs or the Go runtime (closing those would crash the
// process, so os.close raises EBADF and os.closerange skips them, as if
// they were not open).
func (rt *Runtime) ScriptCanClose(fd int) bool {
	if rt.fds[fd] {
		return true
	}
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err != nil
}
