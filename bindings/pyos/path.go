package pyos

import (
	"path/filepath"
	"strings"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Python's posixpath, over strings.

// Join joins path components as os.path.join: an absolute component
// discards everything before it.
func Join(a string, rest ...string) string {
	p := a
	for _, b := range rest {
		switch {
		case strings.HasPrefix(b, "/"):
			p = b
		case p == "" || strings.HasSuffix(p, "/"):
			p += b
		default:
			p += "/" + b
		}
	}
	return p
}

// Split returns (head, tail) as os.path.split.
func Split(p string) (string, string) {
	i := strings.LastIndexByte(p, '/') + 1
	head, tail := p[:i], p[i:]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head, tail
}

// Splitext splits off the extension as os.path.splitext (leading dots of
// the last component do not start an extension).
func Splitext(p string) (string, string) {
	sep := strings.LastIndexByte(p, '/')
	dot := strings.LastIndexByte(p, '.')
	if dot > sep {
		i := sep + 1
		for i < dot && p[i] == '.' {
			i++
		}
		if i < dot {
			return p[:dot], p[dot:]
		}
	}
	return p, ""
}

// Normpath normalises as os.path.normpath (keeping a leading '//').
func Normpath(p string) string {
	if p == "" {
		return "."
	}
	c := filepath.Clean(p)
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		c = "/" + c
	}
	return c
}

func (m *mod) pathModule() *goja.Object {
	rt, vm := m.rt, m.vm
	p := vm.NewObject()
	str := func(fn string, a *engine.Call, name string) string {
		v := a.Arg(name)
		s, ok := v.Export().(string)
		if !ok {
			rt.Throw(pyerr.TypeErrorf("expected str, bytes or os.PathLike object, not %s", engine.PyType(v)))
		}
		return s
	}
	set := func(name string, fn func(goja.FunctionCall) goja.Value) { p.Set(name, engine.NamedFunc(vm, name, fn)) }
	// join(a, ...p)
	set("join", func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) == 0 {
			rt.Throw(pyerr.TypeErrorf("join() missing 1 required positional argument: 'a'"))
		}
		parts := make([]string, len(call.Arguments))
		for i, v := range call.Arguments {
			s, ok := v.Export().(string)
			if !ok {
				rt.Throw(pyerr.TypeErrorf("join() argument must be str, bytes, or os.PathLike object, not '%s'", engine.PyType(v)))
			}
			parts[i] = s
		}
		return vm.ToValue(Join(parts[0], parts[1:]...))
	})
	one := func(name string, fn func(string) any) {
		set(name, func(call goja.FunctionCall) goja.Value {
			a := rt.Params(call, "os.path."+name, 1, "path")
			return vm.ToValue(fn(str(name, a, "path")))
		})
	}
	one("basename", func(s string) any { _, t := Split(s); return t })
	one("dirname", func(s string) any { h, _ := Split(s); return h })
	one("split", func(s string) any { h, t := Split(s); return vm.NewArray(h, t) })
	one("splitext", func(s string) any { r, e := Splitext(s); return vm.NewArray(r, e) })
	one("isabs", func(s string) any { return strings.HasPrefix(s, "/") })
	one("normpath", func(s string) any { return Normpath(s) })
	cwd := func() string {
		d, err := engine.Do(rt, engine.Input, "os.getcwd", 0, func() (string, error) {
			d, err := unix.Getwd()
			return d, errnoOf(err)
		})
		m.check(err)
		return d
	}
	one("abspath", func(s string) any {
		if !strings.HasPrefix(s, "/") {
			s = Join(cwd(), s)
		}
		return Normpath(s)
	})
	one("expanduser", func(s string) any {
		if s != "~" && !strings.HasPrefix(s, "~/") {
			return s
		}
		home, _ := rt.Getenv("HOME")
		if home == "" {
			return s
		}
		return strings.TrimRight(home, "/") + s[1:]
	})
	one("realpath", func(s string) any {
		v, _ := engine.Do(rt, engine.Input, "os.path.realpath", engine.ArgsHash(s), func() (string, error) {
			abs := s
			if !strings.HasPrefix(abs, "/") {
				d, _ := unix.Getwd()
				abs = Join(d, abs)
			}
			if r, err := filepath.EvalSymlinks(abs); err == nil {
				return r, nil
			}
			return Normpath(abs), nil
		})
		return v
	})
	statPred := func(name string, lstat bool, fn func(StatResult) bool) {
		one(name, func(s string) any {
			st, err := Stat(rt, s, lstat)
			return err == nil && fn(st)
		})
	}
	statPred("exists", false, func(StatResult) bool { return true })
	statPred("lexists", true, func(StatResult) bool { return true })
	statPred("isfile", false, func(s StatResult) bool { return s.Mode&unix.S_IFMT == unix.S_IFREG })
	statPred("isdir", false, func(s StatResult) bool { return s.Mode&unix.S_IFMT == unix.S_IFDIR })
	statPred("islink", true, func(s StatResult) bool { return s.Mode&unix.S_IFMT == unix.S_IFLNK })
	statNum := func(name string, fn func(StatResult) any) {
		set(name, func(call goja.FunctionCall) goja.Value {
			a := rt.Params(call, "os.path."+name, 1, "filename")
			st, err := Stat(rt, str(name, a, "filename"), false)
			m.check(err)
			return vm.ToValue(fn(st))
		})
	}
	statNum("getsize", func(s StatResult) any { return s.Size })
	statNum("getmtime", func(s StatResult) any { return s.Mtime })
	statNum("getatime", func(s StatResult) any { return s.Atime })
	statNum("getctime", func(s StatResult) any { return s.Ctime })
	// relpath(path, start = '.')
	set("relpath", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "os.path.relpath", 1, "path", "start")
		target := str("relpath", a, "path")
		start := "."
		if a.Has("start") {
			start = str("relpath", a, "start")
		}
		d := cwd()
		abs := func(s string) string {
			if !strings.HasPrefix(s, "/") {
				s = Join(d, s)
			}
			return Normpath(s)
		}
		r, err := filepath.Rel(abs(start), abs(target))
		if err != nil {
			rt.Throw(pyerr.ValueErrorf("%s", err.Error()))
		}
		return vm.ToValue(r)
	})
	p.Set("sep", "/")
	p.Set("curdir", ".")
	p.Set("pardir", "..")
	p.Set("extsep", ".")
	p.Set("pathsep", ":")
	p.Set("devnull", "/dev/null")
	return p
}
