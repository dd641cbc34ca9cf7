package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"syscall"
)

var (
	buildIDOnce sync.Once
	buildIDVal  string
)

// buildID identifies this executable, so that a forked child refuses a
// journal written by a different build. It is the Go build ID from the
// ELF note near the start of the file (as `go tool buildid` reads it), or
// the file's identity if there is no note.
func buildID() string {
	buildIDOnce.Do(func() {
		f, err := os.Open("/proc/self/exe")
		if err != nil {
			buildIDVal = "unknown"
			return
		}
		defer f.Close()
		buf := make([]byte, 32<<10)
		n, _ := f.ReadAt(buf, 0)
		buf = buf[:n]
		marker := []byte("Go\x00\x00")
		for off := 0; ; {
			i := bytes.Index(buf[off:], marker)
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if i < 12 {
				continue
			}
			namesz := binary.LittleEndian.Uint32(buf[i-12:])
			descsz := binary.LittleEndian.Uint32(buf[i-8:])
			typ := binary.LittleEndian.Uint32(buf[i-4:])
			if namesz == 4 && typ == 4 && descsz > 0 && descsz < 512 && i+4+int(descsz) <= len(buf) {
				buildIDVal = string(buf[i+4 : i+4+int(descsz)])
				return
			}
		}
		var st syscall.Stat_t
		if fi, err := f.Stat(); err == nil {
			if s, ok := fi.Sys().(*syscall.Stat_t); ok {
				st = *s
			}
		}
		buildIDVal = fmt.Sprintf("file:%d:%d:%d:%d", st.Dev, st.Ino, st.Size, st.Mtim.Nano())
	})
	return buildIDVal
}
