// Package pyos is forkjs's os module: processes (fork, waitpid, kill),
// descriptors (pipe, read, write, dup2), files (open, fdopen), the
// environment, and os.path. Names, arguments and errors follow Python's
// os module; every call reaches the OS through the engine's host
// boundary.
package pyos

import (
	"fmt"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/bindings/builtins"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"github.com/forkjs/forkjs/runtime/pyio"
	"golang.org/x/sys/unix"
)

// Module is os, also a global.
var Module = engine.Register(&engine.Module{Name: "os", Global: true, Init: initModule, NamesFunctions: true})

type mod struct {
	rt      *engine.Runtime
	vm      *goja.Runtime
	exports *goja.Object
	// register_at_fork hooks (JS functions)
	before, afterParent, afterChild []goja.Callable
}

func initModule(rt *engine.Runtime, exports *goja.Object) {
	m := &mod{rt: rt, vm: rt.VM(), exports: exports}
	m.fdFuncs()
	m.processFuncs()
	m.fsFuncs()
	m.constants()
	m.environ()
	exports.Set("path", m.pathModule())
}

func (m *mod) set(name string, fn func(goja.FunctionCall) goja.Value) {
	m.exports.Set(name, engine.NamedFunc(m.vm, name, fn))
}

func (m *mod) check(err error) {
	if err != nil {
		m.rt.Throw(err)
	}
}

func errnoOf(err error) error {
	if e, ok := err.(unix.Errno); ok {
		return pyerr.OSErrorf(e)
	}
	return err
}

// maxReadBuffer bounds the buffer of one os.read.
const maxReadBuffer = 64 << 20

func (m *mod) fdFuncs() {
	rt, vm := m.rt, m.vm
	// pipe() -> [r, w]: a new pipe; both ends non-inheritable (PEP 446).
	m.set("pipe", func(call goja.FunctionCall) goja.Value {
		rt.Params(call, "os.pipe", 0)
		p, err := engine.Do(rt, engine.Resource, "os.pipe", 0, func() ([2]int, error) {
			var p [2]int
			err := unix.Pipe2(p[:], unix.O_CLOEXEC)
			return p, errnoOf(err)
		})
		m.check(err)
		rt.AddFD(p[0])
		rt.AddFD(p[1])
		return vm.NewArray(p[0], p[1])
	})
	// read(fd, n) -> Bytes: at most n bytes; empty at EOF. Blocks until
	// data arrives (Ctrl-C raises KeyboardInterrupt). OSError (EBADF...).
	m.set("read", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.read", 2, "fd", "length")
		fd, n64 := a.Int("fd", 0), a.Int64("length", 0)
		if n64 < 0 {
			rt.Throw(pyerr.ValueErrorf("negative length"))
		}
		// One read(2) returns at most what the descriptor has ready; a huge
		// length only bounds the buffer (a short read is within read's
		// contract), instead of allocating gigabytes up front.
		n := int(min(n64, maxReadBuffer))
		b, err := engine.Block(rt, "os.read", engine.ArgsHash(fd, n), false, func(c engine.Cancel) ([]byte, error) {
			buf := make([]byte, n)
			k, err := pyio.ReadFD(fd, buf, c)
			if err != nil {
				return nil, errnoOf(err)
			}
			return buf[:k], nil
		})
		m.check(err)
		return rt.NewBytes(b)
	})
	// write(fd, data) -> int: bytes written (data: bytes-like or string,
	// UTF-8 encoded). BrokenPipeError when the reader is gone.
	m.set("write", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.write", 2, "fd", "data")
		fd := a.Int("fd", 0)
		data := a.Bytes("data")
		n, err := engine.Block(rt, "os.write", engine.ArgsHash(fd, data), false, func(c engine.Cancel) (int, error) {
			k, err := pyio.WriteFD(fd, data, c)
			return k, errnoOf(err)
		})
		m.check(err)
		return vm.ToValue(n)
	})
	// close(fd): OSError (EBADF) for a descriptor that is not open.
	m.set("close", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.close", 1, "fd")
		fd := a.Int("fd", 0)
		if !rt.ScriptCanClose(fd) {
			rt.Throw(pyerr.OSErrorf(unix.EBADF)) // forkjs's own: not the script's to close
		}
		rt.RemoveFD(fd)
		_, err := engine.Do(rt, engine.Effect, "os.close", engine.ArgsHash(fd), func() (struct{}, error) {
			return struct{}{}, errnoOf(unix.Close(fd))
		})
		m.check(err)
		return goja.Undefined()
	})
	// closerange(lo, hi): closes lo <= fd < hi, ignoring errors.
	m.set("closerange", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.closerange", 2, "fd_low", "fd_high")
		lo, hi := a.Int("fd_low", 0), a.Int("fd_high", 0)
		for fd := lo; fd < hi && fd < 1<<16; fd++ {
			rt.RemoveFD(fd)
		}
		engine.Do(rt, engine.Effect, "os.closerange", engine.ArgsHash(lo, hi), func() (struct{}, error) {
			for fd := lo; fd < hi && fd < 1<<16; fd++ {
				if rt.ScriptCanClose(fd) {
					unix.Close(fd)
				}
			}
			return struct{}{}, nil
		})
		return goja.Undefined()
	})
	// dup(fd) -> new non-inheritable fd.
	m.set("dup", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.dup", 1, "fd")
		fd := a.Int("fd", 0)
		nfd, err := engine.Do(rt, engine.Resource, "os.dup", engine.ArgsHash(fd), func() (int, error) {
			n, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
			return n, errnoOf(err)
		})
		m.check(err)
		rt.AddFD(nfd)
		return vm.ToValue(nfd)
	})
	// dup2(fd, fd2, inheritable = true) -> fd2.
	m.set("dup2", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.dup2", 2, "fd", "fd2", "inheritable")
		fd, fd2 := a.Int("fd", 0), a.Int("fd2", 0)
		inh := a.Bool("inheritable", true)
		if !rt.ScriptCanClose(fd2) {
			rt.Throw(pyerr.OSErrorf(unix.EBUSY, fmt.Sprintf("fd %d (used by the forkjs runtime)", fd2)))
		}
		_, err := engine.Do(rt, engine.Resource, "os.dup2", engine.ArgsHash(fd, fd2, inh), func() (int, error) {
			flags := 0
			if !inh {
				flags = unix.O_CLOEXEC
			}
			if fd == fd2 {
				_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
				return fd2, errnoOf(err)
			}
			return fd2, errnoOf(unix.Dup3(fd, fd2, flags))
		})
		m.check(err)
		rt.AddFD(fd2)
		return vm.ToValue(fd2)
	})
	// open(path, flags, mode = 0o777) -> fd (non-inheritable).
	m.set("open", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.open", 2, "path", "flags", "mode", "*", "dir_fd")
		path, flags, mode := a.Str("path", ""), a.Int("flags", 0), a.Int("mode", 0o777)
		fd, err := engine.Do(rt, engine.Resource, "os.open", engine.ArgsHash(path, flags, mode), func() (int, error) {
			fd, err := unix.Open(path, flags|unix.O_CLOEXEC, uint32(mode))
			if err != nil {
				return 0, pyerr.OSErrorf(err.(unix.Errno), path)
			}
			return fd, nil
		})
		m.check(err)
		rt.AddFD(fd)
		return vm.ToValue(fd)
	})
	// fdopen(fd, mode = 'r', {buffering, encoding, errors, newline, closefd}):
	// a file object over fd, as Python's os.fdopen.
	m.set("fdopen", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.fdopen", 1, "file", "mode", "buffering", "encoding", "errors", "newline", "closefd")
		if engine.PyType(a.Arg("file")) != "int" {
			rt.Throw(pyerr.TypeErrorf("fdopen() argument 'fd' must be int, not %s", engine.PyType(a.Arg("file"))))
		}
		return builtins.Open(rt, a)
	})
	// set_inheritable(fd, inheritable): whether exec'd children get fd.
	m.set("set_inheritable", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.set_inheritable", 2, "fd", "inheritable")
		fd, inh := a.Int("fd", 0), a.Bool("inheritable", false)
		_, err := engine.Do(rt, engine.Effect, "os.set_inheritable", engine.ArgsHash(fd, inh), func() (struct{}, error) {
			flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
			if err != nil {
				return struct{}{}, errnoOf(err)
			}
			if inh {
				flags &^= unix.FD_CLOEXEC
			} else {
				flags |= unix.FD_CLOEXEC
			}
			_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags)
			return struct{}{}, errnoOf(err)
		})
		m.check(err)
		return goja.Undefined()
	})
	// get_inheritable(fd) -> bool.
	m.set("get_inheritable", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.get_inheritable", 1, "fd")
		fd := a.Int("fd", 0)
		v, err := engine.Do(rt, engine.Input, "os.get_inheritable", engine.ArgsHash(fd), func() (bool, error) {
			flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
			return flags&unix.FD_CLOEXEC == 0, errnoOf(err)
		})
		m.check(err)
		return vm.ToValue(v)
	})
	// isatty(fd) -> bool.
	m.set("isatty", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.isatty", 1, "fd")
		fd := a.Int("fd", 0)
		v, _ := engine.Do(rt, engine.Input, "os.isatty", engine.ArgsHash(fd), func() (bool, error) {
			_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
			return err == nil, nil
		})
		return vm.ToValue(v)
	})
}
