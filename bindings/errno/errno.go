// Package errno is forkjs's errno module: the system's error numbers by
// name (ENOENT, EPIPE, ...) and errorcode, mapping numbers to names, as
// Python's errno module.
package errno

import (
	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"golang.org/x/sys/unix"
)

// Module is errno, also a global.
var Module = engine.Register(&engine.Module{Name: "errno", Global: true, Init: initModule})

// aliases are Python's extra names for numbers that have a primary name.
var aliases = []struct {
	name string
	num  unix.Errno
}{
	{"EWOULDBLOCK", unix.EWOULDBLOCK}, {"EDEADLOCK", unix.EDEADLK}, {"ENOTSUP", unix.ENOTSUP},
}

func initModule(rt *engine.Runtime, exports *goja.Object) {
	codes := rt.VM().NewObject()
	for n := unix.Errno(1); n < 134; n++ {
		name := unix.ErrnoName(n)
		if name == "" {
			continue
		}
		exports.Set(name, int(n))
		codes.Set(itoa(int(n)), name)
	}
	for _, a := range aliases {
		exports.Set(a.name, int(a.num))
	}
	exports.Set("errorcode", codes)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [8]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
