package pyio

import (
	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// makeProto builds the prototype shared by all file objects.
func (io *IO) makeProto() *goja.Object {
	rt := io.rt
	vm := rt.VM()
	p := vm.NewObject()
	method := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = p.DefineDataProperty(name, vm.ToValue(fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	check := func(err error) {
		if err != nil {
			rt.Throw(err)
		}
	}
	// read(size = -1): str or Bytes; '' / empty at EOF.
	method("read", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		a := rt.Params(call, "read", 0, "size")
		v, err := f.Read(int(min(a.Int64("size", -1), 1<<40)))
		check(err)
		return v
	})
	// readline(size = -1): one line with its newline; '' at EOF.
	method("readline", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		a := rt.Params(call, "readline", 0, "size")
		v, err := f.Readline(a.Int("size", -1))
		check(err)
		return v
	})
	// readlines(hint = -1): the remaining lines as an array.
	method("readlines", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		a := rt.Params(call, "readlines", 0, "hint")
		hint := a.Int("hint", -1)
		var lines []any
		total := 0
		for {
			v, err := f.Readline(-1)
			check(err)
			n := lengthOf(v)
			if n == 0 {
				break
			}
			lines = append(lines, v)
			total += n
			if hint > 0 && total >= hint {
				break
			}
		}
		return vm.ToValue(vm.NewArray(lines...))
	})
	// write(s): str in text mode, bytes-like in binary mode; returns the count.
	method("write", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		n, err := f.Write(call.Argument(0))
		check(err)
		return vm.ToValue(n)
	})
	// writelines(lines): writes each item; no newlines are added.
	method("writelines", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		vm.ForOf(call.Argument(0), func(v goja.Value) bool {
			_, err := f.Write(v)
			check(err)
			return true
		})
		return goja.Undefined()
	})
	method("flush", func(call goja.FunctionCall) goja.Value {
		check(closedSafe(io, call, rt).Flush())
		return goja.Undefined()
	})
	method("close", func(call goja.FunctionCall) goja.Value {
		if f, ok := io.FileOf(call.This); ok {
			check(f.Close())
		}
		return goja.Undefined()
	})
	method("fileno", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		check(f.s.checkOpen())
		return vm.ToValue(f.s.fd)
	})
	method("isatty", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		check(f.s.checkOpen())
		return vm.ToValue(f.s.tty)
	})
	method("readable", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(closedSafe(io, call, rt).s.readable)
	})
	method("writable", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(closedSafe(io, call, rt).s.writable)
	})
	method("seekable", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		_, err := f.Tell()
		return vm.ToValue(err == nil)
	})
	// seek(offset, whence = 0) -> new position.
	method("seek", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		a := rt.Params(call, "seek", 1, "offset", "whence")
		pos, err := f.Seek(a.Int64("offset", 0), a.Int("whence", 0))
		check(err)
		return vm.ToValue(pos)
	})
	method("tell", func(call goja.FunctionCall) goja.Value {
		pos, err := closedSafe(io, call, rt).Tell()
		check(err)
		return vm.ToValue(pos)
	})
	// Iteration by line: for (const line of f).
	_ = p.DefineDataPropertySymbol(goja.SymIterator, vm.ToValue(func(call goja.FunctionCall) goja.Value { return call.This }), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	method("next", func(call goja.FunctionCall) goja.Value {
		f := closedSafe(io, call, rt)
		v, err := f.Readline(-1)
		check(err)
		res := vm.NewObject()
		if lengthOf(v) == 0 {
			res.Set("done", true)
			res.Set("value", goja.Undefined())
		} else {
			res.Set("done", false)
			res.Set("value", v)
		}
		return res
	})
	getter := func(name string, fn func(f *File) goja.Value) {
		g := vm.ToValue(func(call goja.FunctionCall) goja.Value {
			o, ok := call.This.(*goja.Object)
			if !ok {
				return goja.Undefined()
			}
			h := o.Get("_h")
			if h == nil {
				return goja.Undefined()
			}
			f, ok := io.files[int(h.ToInteger())]
			if !ok {
				return fn(nil)
			}
			return fn(f)
		})
		_ = p.DefineAccessorProperty(name, g, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	getter("closed", func(f *File) goja.Value { return vm.ToValue(f == nil || f.s.closed) })
	getter("buffer", func(f *File) goja.Value {
		if f == nil {
			return goja.Undefined()
		}
		return f.Buffer().Value()
	})
	_ = p.DefineDataPropertySymbol(goja.SymToStringTag, vm.ToValue("TextIOWrapper"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	ctor := vm.ToValue(func(call goja.ConstructorCall) *goja.Object {
		rt.Throw(pyerr.TypeErrorf("cannot create file objects directly; use open() or os.fdopen()"))
		return nil
	}).(*goja.Object)
	_ = ctor.DefineDataProperty("name", vm.ToValue("TextIOWrapper"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = p.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	ctor.Set("prototype", p)
	engine.NameFunctions(vm, p, 0)
	return p
}

// closedSafe returns the File for this, or raises ValueError if closed.
func closedSafe(io *IO, call goja.FunctionCall, rt *engine.Runtime) *File {
	o, ok := call.This.(*goja.Object)
	if ok {
		if h := o.Get("_h"); h != nil && !goja.IsUndefined(h) {
			if f, ok := io.files[int(h.ToInteger())]; ok {
				return f
			}
			rt.Throw(pyerr.ValueErrorf("I/O operation on closed file."))
		}
	}
	rt.Throw(pyerr.TypeErrorf("descriptor requires a file object"))
	return nil
}

func lengthOf(v goja.Value) int {
	if s, ok := v.Export().(string); ok {
		return len(s)
	}
	if b, ok := engine.BytesOf(v); ok {
		return len(b)
	}
	return 0
}
