package ipc

import (
	"sync/atomic"
	"unsafe"
)

// Region is a block of shared bytes, the storage of multiprocessing.Value
// and multiprocessing.Array: the engine lays out the typecode's elements
// in Bytes() and pairs the region with an RLock for get_lock(), as Python
// does. Bytes are zero when allocated. Accesses are plain memory accesses:
// like Python's, they are atomic only for naturally aligned words and only
// the lock makes read-modify-write safe.
//
// Layout: kind, size (8 bytes at +8); the data starts at +64, so it is
// 64-byte aligned for any element type.
type Region struct {
	off  int
	data []byte
}

// NewRegion allocates size zeroed bytes.
func (a *Arena) NewRegion(size int) (*Region, error) {
	if size < 0 {
		size = 0
	}
	off, err := a.alloc(objAlign+size, kindRegion)
	if err != nil {
		return nil, err
	}
	atomic.StoreUint64(a.u64p(off+8), uint64(size))
	return a.AttachRegion(off)
}

// AttachRegion returns the Region at off.
func (a *Arena) AttachRegion(off int) (*Region, error) {
	if _, err := a.expect(off, kindRegion); err != nil {
		return nil, err
	}
	size := int(atomic.LoadUint64(a.u64p(off + 8)))
	start := off + objAlign
	if size < 0 || start+size > len(a.mem) {
		return nil, ErrArenaFull
	}
	return &Region{off: off, data: a.mem[start : start+size : start+size]}, nil
}

// Off returns the Region's offset in its arena.
func (r *Region) Off() int { return r.off }

// Bytes returns the shared bytes. Writes are seen by every process that
// attached the region.
func (r *Region) Bytes() []byte { return r.data }

// Pointer returns the address of the first byte, for typed access
// (aligned to 64 bytes).
func (r *Region) Pointer() unsafe.Pointer {
	if len(r.data) == 0 {
		return nil
	}
	return unsafe.Pointer(&r.data[0])
}
