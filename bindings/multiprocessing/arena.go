package multiprocessing

import (
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Locks, semaphores, events, conditions and the storage of Value and Array
// live in shared-memory arenas (ipc.Arena: a memfd mapped MAP_SHARED). An
// arena is created on first need and never closed; its memfd is a
// descriptor the script can see, so forked children inherit it and find
// every object at the same (fd, offset). A child allocates its own new
// objects in the same arenas (the allocator is safe across processes).

// arenaRef is one arena: its memfd and, once used in this live process,
// its mapping.
type arenaRef struct {
	fd int
	a  *ipc.Arena
}

// mapping returns the arena's mapping in this process (live only).
func (r *arenaRef) mapping() (*ipc.Arena, error) {
	if r.a == nil {
		a, err := ipc.AttachArena(r.fd)
		if err != nil {
			return nil, pyerr.New("OSError", "shared memory of a multiprocessing object is not available in this process: %s", err.Error())
		}
		r.a = a
	}
	return r.a, nil
}

// objRef is a shared object's journaled description.
type objRef struct {
	FD  int `cbor:"1,keyasint"`
	Off int `cbor:"2,keyasint"`
}

// alloc creates a shared object (live: mk allocates it in an arena;
// in replay the journal gives its place) and returns its arena and offset.
// With in set, the object must go in that arena (a Condition next to its
// lock); otherwise the current arena is used, and a new one is made when
// it is full.
func (m *mod) alloc(name string, hash uint32, in *arenaRef, mk func(a *ipc.Arena) (int, error)) (*arenaRef, int) {
	var made *ipc.Arena
	ref, err := engine.Do(m.rt, engine.Resource, name, hash, func() (objRef, error) {
		target := in
		if target == nil {
			target = m.current
		}
		if target != nil {
			a, err := target.mapping()
			if err != nil {
				return objRef{}, err
			}
			off, err := mk(a)
			if err == nil || in != nil || err != ipc.ErrArenaFull {
				return objRef{FD: target.fd, Off: off}, syncErr(err)
			}
		}
		a, err := newArena(ipc.DefaultArenaSize)
		if err != nil {
			return objRef{}, osErr(err)
		}
		off, err := mk(a)
		if err != nil {
			a.Close()
			return objRef{}, syncErr(err)
		}
		made = a
		return objRef{FD: a.Fd(), Off: off}, nil
	})
	m.check(err)
	r := m.arenas[ref.FD]
	if r == nil {
		r = &arenaRef{fd: ref.FD, a: made}
		m.arenas[ref.FD] = r
		m.rt.AddFD(ref.FD)
	}
	if in == nil {
		m.current = r
	}
	return r, ref.Off
}

// newArena creates an arena whose memfd sits at descriptor 64 or above
// (where forkjs keeps descriptors of its own: the script's small numbers
// stay as Python would leave them).
func newArena(size int) (*ipc.Arena, error) {
	a, err := ipc.NewArena(size)
	if err != nil {
		return nil, err
	}
	high, err := unix.FcntlInt(uintptr(a.Fd()), unix.F_DUPFD_CLOEXEC, 64)
	if err != nil {
		return a, nil
	}
	a.Close()
	h, err := ipc.AttachArena(high)
	if err != nil {
		unix.Close(high)
		return nil, err
	}
	return h, nil
}

// syncErr converts an ipc synchronisation error to Python's exception.
func syncErr(err error) error {
	if se, ok := err.(*ipc.SyncError); ok {
		return pyerr.New(se.PyType, "%s", se.Msg)
	}
	if err == nil {
		return nil
	}
	return osErr(err)
}
