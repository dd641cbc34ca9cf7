package ipc

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// An Arena is a memfd mapped MAP_SHARED that holds many synchronisation
// objects and shared byte regions, so that a script creating a hundred
// Locks uses one descriptor, not a hundred. It is created before a fork and
// inherited: forkjs passes the descriptor to its re-executed child at the
// same number, and the child calls AttachArena(fd) and then Open(offset) (or
// the typed Attach* methods) for each object; (fd, offset) is the whole
// descriptor of an object, two integers the engine can journal.
//
// Layout: a 64-byte header (magic, version, size, bump pointer), then
// objects, each starting on a 64-byte boundary (a cache line, so that two
// busy locks do not share one) with a 4-byte kind tag. Allocation is a
// lock-free bump of the shared pointer; nothing is ever freed (objects live
// as long as the arena: in Python terms, as long as the program).
//
// Go values returned for objects point into the mapping: they must not be
// used after Close.
type Arena struct {
	fd  int
	mem []byte
}

const (
	arenaMagic   = 0x48534a46 // "FJSH" little-endian
	arenaVersion = 1
	arenaHeader  = 64
	objAlign     = 64

	// DefaultArenaSize is a good size for an arena of locks and small
	// values: 1 MiB holds about 16000 locks. Pages are only allocated when
	// touched.
	DefaultArenaSize = 1 << 20
)

// Offsets in the arena header.
const (
	hdrMagic   = 0
	hdrVersion = 4
	hdrSize    = 8
	hdrNext    = 16
)

// Object kinds, stored in the first 4 bytes of each object.
const (
	kindLock uint32 = iota + 1
	kindRLock
	kindSemaphore
	kindBoundedSemaphore
	kindEvent
	kindCondition
	kindBarrier
	kindRegion
	kindRing
)

var kindNames = map[uint32]string{
	kindLock: "Lock", kindRLock: "RLock", kindSemaphore: "Semaphore",
	kindBoundedSemaphore: "BoundedSemaphore", kindEvent: "Event",
	kindCondition: "Condition", kindBarrier: "Barrier", kindRegion: "Region", kindRing: "Ring",
}

// ErrArenaFull is returned when an arena has no room for a new object;
// the engine then creates another arena.
var ErrArenaFull = errors.New("ipc: shared-memory arena is full")

// NewArena creates an arena of size bytes (rounded up to the page size;
// DefaultArenaSize if size <= 0) in a new close-on-exec memfd.
func NewArena(size int) (*Arena, error) {
	if size <= 0 {
		size = DefaultArenaSize
	}
	page := unix.Getpagesize()
	size = (size + page - 1) / page * page
	fd, err := unix.MemfdCreate("forkjs-shm", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("ipc: memfd_create: %w", err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("ipc: sizing shared memory: %w", err)
	}
	a, err := mapArena(fd, size)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	a.u32(hdrVersion).Store(arenaVersion)
	atomic.StoreUint64(a.u64p(hdrSize), uint64(size))
	atomic.StoreUint64(a.u64p(hdrNext), arenaHeader)
	a.u32(hdrMagic).Store(arenaMagic) // last: marks the header complete
	return a, nil
}

// AttachArena maps the arena whose memfd was inherited as fd (in a child
// process). The arena keeps fd; Close closes it.
func AttachArena(fd int) (*Arena, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("ipc: attaching shared memory fd %d: %w", fd, err)
	}
	if st.Size < arenaHeader {
		return nil, fmt.Errorf("ipc: fd %d is not a forkjs arena (size %d)", fd, st.Size)
	}
	a, err := mapArena(fd, int(st.Size))
	if err != nil {
		return nil, err
	}
	if a.u32(hdrMagic).Load() != arenaMagic || a.u32(hdrVersion).Load() != arenaVersion ||
		atomic.LoadUint64(a.u64p(hdrSize)) != uint64(st.Size) {
		a.unmap()
		return nil, fmt.Errorf("ipc: fd %d is not a forkjs arena of this version", fd)
	}
	return a, nil
}

func mapArena(fd, size int) (*Arena, error) {
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("ipc: mapping shared memory: %w", err)
	}
	return &Arena{fd: fd, mem: mem}, nil
}

func (a *Arena) unmap() {
	if a.mem != nil {
		_ = unix.Munmap(a.mem)
		a.mem = nil
	}
}

// Fd returns the arena's memfd, to pass to child processes.
func (a *Arena) Fd() int { return a.fd }

// Size returns the arena's size in bytes.
func (a *Arena) Size() int { return len(a.mem) }

// Used returns how many bytes are allocated, header included.
func (a *Arena) Used() int { return int(atomic.LoadUint64(a.u64p(hdrNext))) }

// Close unmaps the arena and closes its descriptor. Objects of the arena
// must not be used afterwards. Other processes are unaffected.
func (a *Arena) Close() error {
	a.unmap()
	return unix.Close(a.fd)
}

func (a *Arena) u32(off int) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&a.mem[off]))
}

func (a *Arena) i32(off int) *atomic.Int32 {
	return (*atomic.Int32)(unsafe.Pointer(&a.mem[off]))
}

func (a *Arena) u64p(off int) *uint64 {
	return (*uint64)(unsafe.Pointer(&a.mem[off]))
}

// alloc reserves size bytes on a 64-byte boundary, zeroed (fresh memfd
// pages are zero and nothing is reused), and tags them with kind. Other
// processes may allocate concurrently: the bump pointer is advanced by
// compare-and-swap.
func (a *Arena) alloc(size int, kind uint32) (int, error) {
	next := a.u64p(hdrNext)
	for {
		off := atomic.LoadUint64(next)
		end := off + uint64(size+objAlign-1)/objAlign*objAlign
		if end > uint64(len(a.mem)) {
			return 0, ErrArenaFull
		}
		if atomic.CompareAndSwapUint64(next, off, end) {
			a.u32(int(off)).Store(kind)
			return int(off), nil
		}
	}
}

// Kind returns the type name of the object at off ("Lock", "Event", ...),
// or an error if off does not start an object.
func (a *Arena) Kind(off int) (string, error) {
	k, err := a.kindAt(off)
	if err != nil {
		return "", err
	}
	return kindNames[k], nil
}

func (a *Arena) kindAt(off int) (uint32, error) {
	if off < arenaHeader || off%objAlign != 0 || off+objAlign > len(a.mem) ||
		uint64(off) >= atomic.LoadUint64(a.u64p(hdrNext)) {
		return 0, fmt.Errorf("ipc: no shared object at offset %d", off)
	}
	k := a.u32(off).Load()
	if kindNames[k] == "" {
		return 0, fmt.Errorf("ipc: no shared object at offset %d", off)
	}
	return k, nil
}

func (a *Arena) expect(off int, kinds ...uint32) (uint32, error) {
	k, err := a.kindAt(off)
	if err != nil {
		return 0, err
	}
	for _, want := range kinds {
		if k == want {
			return k, nil
		}
	}
	return 0, fmt.Errorf("ipc: object at offset %d is a %s, not a %s", off, kindNames[k], kindNames[kinds[0]])
}

// Open returns the object at off as its own type: *Lock, *RLock,
// *Semaphore (also for a BoundedSemaphore), *Event, *Condition, *Barrier,
// *Region or *Ring.
func (a *Arena) Open(off int) (any, error) {
	k, err := a.kindAt(off)
	if err != nil {
		return nil, err
	}
	switch k {
	case kindLock:
		return a.AttachLock(off)
	case kindRLock:
		return a.AttachRLock(off)
	case kindSemaphore, kindBoundedSemaphore:
		return a.AttachSemaphore(off)
	case kindEvent:
		return a.AttachEvent(off)
	case kindCondition:
		return a.AttachCondition(off)
	case kindBarrier:
		return a.AttachBarrier(off)
	case kindRing:
		return a.AttachRing(off)
	default:
		return a.AttachRegion(off)
	}
}

// dupCloexec duplicates fd with close-on-exec set.
func dupCloexec(fd int) (int, error) {
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
}
