package pyos

import (
	"os"
	"sort"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

func pathErr(err error, path string) error {
	if e, ok := err.(unix.Errno); ok {
		return pyerr.OSErrorf(e, path)
	}
	if pe, ok := err.(*os.PathError); ok {
		if e, ok := pe.Err.(unix.Errno); ok {
			return pyerr.OSErrorf(e, path)
		}
	}
	return err
}

// StatResult is os.stat's result, journaled.
type StatResult struct {
	Mode  uint32  `cbor:"1,keyasint"`
	Ino   uint64  `cbor:"2,keyasint"`
	Dev   uint64  `cbor:"3,keyasint"`
	Nlink uint64  `cbor:"4,keyasint"`
	UID   uint32  `cbor:"5,keyasint"`
	GID   uint32  `cbor:"6,keyasint"`
	Size  int64   `cbor:"7,keyasint"`
	Atime float64 `cbor:"8,keyasint"`
	Mtime float64 `cbor:"9,keyasint"`
	Ctime float64 `cbor:"10,keyasint"`
}

func ts(t unix.Timespec) float64 { return float64(t.Sec) + float64(t.Nsec)/1e9 }

// Stat stats path (following symlinks unless lstat) through the journal.
func Stat(rt *engine.Runtime, path string, lstat bool) (StatResult, error) {
	name := "os.stat"
	if lstat {
		name = "os.lstat"
	}
	return engine.Do(rt, engine.Input, name, engine.ArgsHash(path), func() (StatResult, error) {
		var st unix.Stat_t
		var err error
		if lstat {
			err = unix.Lstat(path, &st)
		} else {
			err = unix.Stat(path, &st)
		}
		if err != nil {
			return StatResult{}, pathErr(err, path)
		}
		return StatResult{Mode: st.Mode, Ino: st.Ino, Dev: st.Dev, Nlink: st.Nlink, UID: st.Uid, GID: st.Gid,
			Size: st.Size, Atime: ts(st.Atim), Mtime: ts(st.Mtim), Ctime: ts(st.Ctim)}, nil
	})
}

func (m *mod) statObject(s StatResult) goja.Value {
	o := m.vm.NewObject()
	o.Set("st_mode", s.Mode)
	o.Set("st_ino", s.Ino)
	o.Set("st_dev", s.Dev)
	o.Set("st_nlink", s.Nlink)
	o.Set("st_uid", s.UID)
	o.Set("st_gid", s.GID)
	o.Set("st_size", s.Size)
	o.Set("st_atime", s.Atime)
	o.Set("st_mtime", s.Mtime)
	o.Set("st_ctime", s.Ctime)
	return o
}

func (m *mod) fsFuncs() {
	rt, vm := m.rt, m.vm
	// getcwd() -> the working directory.
	m.set("getcwd", func(call goja.FunctionCall) goja.Value {
		rt.Params(call, "os.getcwd", 0)
		v, err := engine.Do(rt, engine.Input, "os.getcwd", 0, func() (string, error) {
			d, err := unix.Getwd()
			return d, errnoOf(err)
		})
		m.check(err)
		return vm.ToValue(v)
	})
	// chdir(path): FileNotFoundError, NotADirectoryError.
	m.set("chdir", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.chdir", 1, "path")
		p := a.Str("path", "")
		_, err := engine.Do(rt, engine.Effect, "os.chdir", engine.ArgsHash(p), func() (struct{}, error) {
			return struct{}{}, pathErr(unix.Chdir(p), p)
		})
		m.check(err)
		return goja.Undefined()
	})
	// listdir(path = '.') -> names, sorted (Python's order is arbitrary;
	// sorting makes scripts deterministic).
	m.set("listdir", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.listdir", 0, "path")
		p := a.Str("path", ".")
		names, err := engine.Do(rt, engine.Input, "os.listdir", engine.ArgsHash(p), func() ([]string, error) {
			f, err := os.Open(p)
			if err != nil {
				return nil, pathErr(err, p)
			}
			defer f.Close()
			n, err := f.Readdirnames(-1)
			if err != nil {
				return nil, pathErr(err, p)
			}
			sort.Strings(n)
			return n, nil
		})
		m.check(err)
		out := make([]any, len(names))
		for i, n := range names {
			out[i] = n
		}
		return vm.NewArray(out...)
	})
	pathEffect := func(name string, fn func(p string, a *engine.Call) error, extra ...string) {
		m.set(name, func(call goja.FunctionCall) goja.Value {
			a := rt.Params(call, "os."+name, 1, append([]string{"path"}, extra...)...)
			p := a.Str("path", "")
			_, err := engine.Do(rt, engine.Effect, "os."+name, engine.ArgsHash(p), func() (struct{}, error) {
				return struct{}{}, fn(p, a)
			})
			m.check(err)
			return goja.Undefined()
		})
	}
	// mkdir(path, mode = 0o777), makedirs(path, mode, exist_ok = false),
	// remove/unlink(path), rmdir(path): as Python's.
	pathEffect("mkdir", func(p string, a *engine.Call) error {
		return pathErr(unix.Mkdir(p, uint32(a.Int("mode", 0o777))), p)
	}, "mode")
	pathEffect("makedirs", func(p string, a *engine.Call) error {
		if !a.Bool("exist_ok", false) {
			if _, err := os.Stat(p); err == nil {
				return pyerr.OSErrorf(unix.EEXIST, p)
			}
		}
		err := os.MkdirAll(p, os.FileMode(a.Int("mode", 0o777)))
		return pathErr(err, p)
	}, "mode", "exist_ok")
	pathEffect("remove", func(p string, a *engine.Call) error { return pathErr(unix.Unlink(p), p) })
	pathEffect("unlink", func(p string, a *engine.Call) error { return pathErr(unix.Unlink(p), p) })
	pathEffect("rmdir", func(p string, a *engine.Call) error { return pathErr(unix.Rmdir(p), p) })
	// rename(src, dst), replace(src, dst).
	for _, name := range []string{"rename", "replace"} {
		name := name
		m.set(name, func(call goja.FunctionCall) goja.Value {
			a := rt.Params(call, "os."+name, 2, "src", "dst")
			src, dst := a.Str("src", ""), a.Str("dst", "")
			_, err := engine.Do(rt, engine.Effect, "os."+name, engine.ArgsHash(src, dst), func() (struct{}, error) {
				if err := unix.Rename(src, dst); err != nil {
					return struct{}{}, pyerr.OSErrorf(err.(unix.Errno), src, dst)
				}
				return struct{}{}, nil
			})
			m.check(err)
			return goja.Undefined()
		})
	}
	// stat(path) / lstat(path) -> {st_mode, st_size, st_mtime, ...}.
	for _, name := range []string{"stat", "lstat"} {
		lstat := name == "lstat"
		m.set(name, func(call goja.FunctionCall) goja.Value {
			a := rt.Params(call, "os."+name, 1, "path")
			s, err := Stat(rt, a.Str("path", ""), lstat)
			m.check(err)
			return m.statObject(s)
		})
	}
	// access(path, mode) -> bool, with F_OK R_OK W_OK X_OK.
	m.set("access", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.access", 2, "path", "mode")
		p, mode := a.Str("path", ""), a.Int("mode", 0)
		ok, _ := engine.Do(rt, engine.Input, "os.access", engine.ArgsHash(p, mode), func() (bool, error) {
			return unix.Access(p, uint32(mode)) == nil, nil
		})
		return vm.ToValue(ok)
	})
	// symlink(src, dst), readlink(path).
	m.set("symlink", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.symlink", 2, "src", "dst")
		src, dst := a.Str("src", ""), a.Str("dst", "")
		_, err := engine.Do(rt, engine.Effect, "os.symlink", engine.ArgsHash(src, dst), func() (struct{}, error) {
			if err := unix.Symlink(src, dst); err != nil {
				return struct{}{}, pyerr.OSErrorf(err.(unix.Errno), src, dst)
			}
			return struct{}{}, nil
		})
		m.check(err)
		return goja.Undefined()
	})
	m.set("readlink", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.readlink", 1, "path")
		p := a.Str("path", "")
		v, err := engine.Do(rt, engine.Input, "os.readlink", engine.ArgsHash(p), func() (string, error) {
			s, err := os.Readlink(p)
			return s, pathErr(err, p)
		})
		m.check(err)
		return vm.ToValue(v)
	})
}
