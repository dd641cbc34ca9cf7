package engine

import (
	"sort"

	"golang.org/x/sys/unix"
)

// Fork state: live-only Go state that a real fork would copy into the
// child and a replay cannot rebuild, such as the bytes a file object read
// ahead (Python's child sees its parent's buffered input). The parent
// saves it at the fork into a memfd handed to the child, which restores it
// when it goes live.

type forkStateProvider struct {
	save    func() []byte
	restore func([]byte)
}

// ForkState registers live-only state to copy into forked children: save
// runs in the parent at each fork (nil or empty means nothing to copy) and
// restore runs in the child when it goes live, with what save returned.
// Register it on the JS thread in both parent and child (at module
// initialisation, which a child replays), under a key unique to the
// binding.
func (rt *Runtime) ForkState(key string, save func() []byte, restore func([]byte)) {
	if rt.forkStates == nil {
		rt.forkStates = map[string]forkStateProvider{}
	}
	rt.forkStates[key] = forkStateProvider{save, restore}
}

// forkStateBlob saves every provider's state into a memfd; -1 if none.
func (rt *Runtime) forkStateBlob() (fd int, size int64) {
	if len(rt.forkStates) == 0 {
		return -1, 0
	}
	keys := make([]string, 0, len(rt.forkStates))
	for k := range rt.forkStates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	blob := map[string][]byte{}
	for _, k := range keys {
		if b := rt.forkStates[k].save(); len(b) > 0 {
			blob[k] = b
		}
	}
	if len(blob) == 0 {
		return -1, 0
	}
	data, err := encMode.Marshal(blob)
	if err != nil {
		return -1, 0
	}
	mfd, err := unix.MemfdCreate("forkjs-forkstate", unix.MFD_CLOEXEC)
	if err != nil {
		return -1, 0
	}
	mfd = HighFD(mfd)
	for off := 0; off < len(data); {
		n, err := unix.Pwrite(mfd, data[off:], int64(off))
		if err != nil {
			unix.Close(mfd)
			return -1, 0
		}
		off += n
	}
	return mfd, int64(len(data))
}

// readForkState reads a fork-state blob from fd (then closed).
func readForkState(fd int, size int64) []byte {
	if fd < 0 || size <= 0 {
		return nil
	}
	defer unix.Close(fd)
	buf := make([]byte, size)
	for off := int64(0); off < size; {
		n, err := unix.Pread(fd, buf[off:], off)
		if err != nil || n == 0 {
			return nil
		}
		off += int64(n)
	}
	return buf
}

// restoreForkState hands each provider its saved state (child, going live).
func (rt *Runtime) restoreForkState(data []byte) {
	if len(data) == 0 {
		return
	}
	var blob map[string][]byte
	if err := decMode.Unmarshal(data, &blob); err != nil {
		return
	}
	keys := make([]string, 0, len(blob))
	for k := range blob {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if p, ok := rt.forkStates[k]; ok {
			p.restore(blob[k])
		}
	}
}
