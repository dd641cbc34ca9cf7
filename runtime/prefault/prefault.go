// Package prefault maps, in a forked child or a spare, the memory its
// start-up is about to touch, in bulk, before it touches it.
//
// A forkjs child is a fresh process that initialises the Go runtime and
// goja, compiles the modules' JavaScript and replays its parent's journal:
// it takes a page fault on nearly every page of heap it allocates and of
// the binary it runs. On the 2-vCPU VMs forkjs is measured on, a fault
// costs about 10 µs and a page mapped in bulk (madvise MADV_POPULATE_*)
// under 1 µs; faults were about half of a child's start-up. Mapping the
// binary's read-only segments and the first MiBs of the heap up front made
// Process start+join about 8% faster (see README, Performance). The main
// forkjs process does not do it: `forkjs -e 0` did not get faster, and
// its RSS would grow by the pages it never uses.
//
// The package has no effect on kernels without MADV_POPULATE_READ/WRITE
// (before Linux 5.14): madvise fails and nothing happens.
package prefault

import (
	"bytes"
	"syscall"
	"unsafe"
)

// Linux's madvise advice values (Linux 5.14).
const (
	madvPopulateRead  = 22
	madvPopulateWrite = 23
)

// heapBytes is how much of the heap, from the first object allocated, is
// mapped: about what a child replaying `require('multiprocessing')`
// allocates before its first garbage collection.
const heapBytes = 4 << 20

// maxBinaryBytes bounds the binary mapped, for large embedding programs.
const maxBinaryBytes = 32 << 20

var heapProbe *[64]byte

func init() {
	_, child := syscall.Getenv("FORKJS_CHILD")
	_, spare := syscall.Getenv("FORKJS_SPARE")
	if !child && !spare {
		return
	}
	heapProbe = new([64]byte) // on the heap: the package variable keeps it
	base := uintptr(unsafe.Pointer(heapProbe)) &^ (1<<20 - 1)
	heapProbe = nil
	madvise(base, heapBytes, madvPopulateWrite)
	for _, r := range binaryRanges(readMaps(), exePath(), maxBinaryBytes) {
		madvise(r[0], r[1]-r[0], madvPopulateRead)
	}
}

func madvise(addr, n uintptr, advice int) {
	syscall.RawSyscall(syscall.SYS_MADVISE, addr, n, uintptr(advice))
}

func exePath() []byte {
	var buf [4096]byte
	n, err := syscall.Readlink("/proc/self/exe", buf[:])
	if err != nil || n <= 0 {
		return nil
	}
	return append([]byte(nil), buf[:n]...)
}

func readMaps() []byte {
	fd, err := syscall.Open("/proc/self/maps", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer syscall.Close(fd)
	var out []byte
	buf := make([]byte, 16<<10)
	for {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

// binaryRanges returns the [start, end) address ranges of the read-only
// mappings of the file exe in a /proc/self/maps text (the binary's code
// and constants; its writable data is private and left alone), up to max
// bytes in all.
func binaryRanges(maps, exe []byte, max uintptr) [][2]uintptr {
	if len(exe) == 0 {
		return nil
	}
	var out [][2]uintptr
	var total uintptr
	for len(maps) > 0 {
		line := maps
		if i := bytes.IndexByte(maps, '\n'); i >= 0 {
			line, maps = maps[:i], maps[i+1:]
		} else {
			maps = nil
		}
		// start-end perms offset dev inode path
		f := bytes.Fields(line)
		if len(f) < 6 || !bytes.Equal(f[5], exe) || len(f[1]) < 2 || f[1][1] == 'w' {
			continue
		}
		dash := bytes.IndexByte(f[0], '-')
		if dash < 0 {
			continue
		}
		start, ok1 := parseHex(f[0][:dash])
		end, ok2 := parseHex(f[0][dash+1:])
		if !ok1 || !ok2 || end <= start {
			continue
		}
		if total+(end-start) > max {
			end = start + (max - total)
		}
		if end > start {
			out = append(out, [2]uintptr{start, end})
			total += end - start
		}
		if total >= max {
			break
		}
	}
	return out
}

func parseHex(b []byte) (uintptr, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var v uintptr
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uintptr(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uintptr(c-'a'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
