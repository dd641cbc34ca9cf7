package proc

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

const is64bit = ^uint(0) >> 63 // 1 on 64-bit hosts, 0 on 32-bit ones.

const isMIPS = runtime.GOARCH == "mips" || runtime.GOARCH == "mipsle" ||
	runtime.GOARCH == "mips64" || runtime.GOARCH == "mips64le"

// siginfoChild is siginfo_t as waitid(2) fills it for SIGCHLD.
type siginfoChild struct {
	Signo int32
	f1    int32 // si_errno, or si_code on MIPS
	f2    int32 // si_code, or si_errno on MIPS
	_     [is64bit]int32

	Pid    int32
	Uid    uint32
	Status int32

	_ [128 - (6+is64bit)*4]byte
}

// Compile-time check that siginfoChild and unix.Siginfo have the same size.
var _ [unsafe.Sizeof(unix.Siginfo{}) - unsafe.Sizeof(siginfoChild{})]byte
var _ [unsafe.Sizeof(siginfoChild{}) - unsafe.Sizeof(unix.Siginfo{})]byte

func (s *siginfoChild) code() int32 {
	if isMIPS {
		return s.f1
	}
	return s.f2
}

// si_code values for SIGCHLD.
const (
	cldExited    = 1
	cldKilled    = 2
	cldDumped    = 3
	cldTrapped   = 4
	cldStopped   = 5
	cldContinued = 6
)

// waitStatus converts the siginfo to the waitpid(2) status encoding.
func (s *siginfoChild) waitStatus() syscall.WaitStatus {
	switch s.code() {
	case cldExited:
		return syscall.WaitStatus(s.Status << 8)
	case cldKilled:
		return syscall.WaitStatus(s.Status)
	case cldDumped:
		return syscall.WaitStatus(s.Status) | 0x80
	case cldTrapped, cldStopped:
		return syscall.WaitStatus(s.Status<<8) | 0x7f
	case cldContinued:
		return 0xffff
	}
	return 0
}

// waitid calls waitid(2), retrying on EINTR.
func waitid(idtype, id int, info *siginfoChild, options int) error {
	for {
		err := unix.Waitid(idtype, id, (*unix.Siginfo)(unsafe.Pointer(info)), options, nil)
		if err != unix.EINTR {
			return err
		}
	}
}

// forceNoPidfd makes Start use the fallback wait path; set by tests only.
var forceNoPidfd bool

// pidfdWorks reports whether pidfd_open, waitid(P_PIDFD) and
// pidfd_send_signal all work here (Linux 5.4+, not blocked by seccomp).
var pidfdWorks = sync.OnceValue(func() bool {
	fd, err := unix.PidfdOpen(os.Getpid(), 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	var info siginfoChild
	// We are not our own parent: a working waitid(P_PIDFD) says ECHILD.
	if err := waitid(unix.P_PIDFD, fd, &info, unix.WEXITED|unix.WNOHANG); err != unix.ECHILD {
		return false
	}
	return unix.PidfdSendSignal(fd, 0, nil, 0) == nil
})

func usePidfd() bool { return !forceNoPidfd && pidfdWorks() }
