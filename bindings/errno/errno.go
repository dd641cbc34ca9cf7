// Package errno is forkjs's errno module: the system's error numbers by
// name (ENOENT, EPIPE, ...) and errorcode, mapping numbers to names, as
// Python's errno module.
package errno

import (
	"strconv"

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
		codes.Set(strconv.Itoa(int(n)), name)
	}
	for _, a := range aliases {
		exports.Set(a.name, int(a.num))
	}
	exports.Set("errorcode", codes)
}
