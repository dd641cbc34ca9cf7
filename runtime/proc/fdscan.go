package proc

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxProbeFD bounds the descriptor numbers probed one by one when
// /proc/self/fd cannot be read.
const maxProbeFD = 65536

// inheritableFDs returns the open descriptors above 2 that are not
// close-on-exec, i.e. those an exec'd child would inherit. It reads
// /proc/self/fd, or probes every number up to the RLIMIT_NOFILE soft limit
// (at most maxProbeFD) when /proc is not mounted. Descriptors opened by
// other goroutines after the scan are not seen: Go opens everything
// close-on-exec, so only code that deliberately clears the flag can race.
func inheritableFDs() []int {
	var out []int
	dfd, err := unix.Open("/proc/self/fd", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return probeInheritableFDs()
	}
	defer unix.Close(dfd)
	var buf [4096]byte
	for {
		n, err := unix.Getdents(dfd, buf[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break
		}
		for off := 0; off < n; {
			// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
			reclen := int(*(*uint16)(unsafe.Pointer(&buf[off+16])))
			fd, ok := parseFD(buf[off+19 : off+reclen])
			off += reclen
			if !ok || fd <= 2 || fd == dfd {
				continue
			}
			if inheritable(fd) {
				out = append(out, fd)
			}
		}
	}
	return out
}

// parseFD parses the NUL-terminated decimal name of a /proc/self/fd entry.
func parseFD(name []byte) (int, bool) {
	fd, digits := 0, 0
	for _, c := range name {
		if c == 0 {
			break
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		fd = fd*10 + int(c-'0')
		digits++
	}
	return fd, digits > 0
}

// inheritable reports whether fd is open and not close-on-exec.
func inheritable(fd int) bool {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil && flags&unix.FD_CLOEXEC == 0
}

// probeInheritableFDs is inheritableFDs without /proc.
func probeInheritableFDs() []int {
	var out []int
	limit := maxProbeFD
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur < uint64(limit) {
		limit = int(rl.Cur)
	}
	for fd := 3; fd < limit; fd++ {
		if inheritable(fd) {
			out = append(out, fd)
		}
	}
	return out
}
