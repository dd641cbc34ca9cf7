package engine

import (
	_ "embed"
	"errors"
	"path/filepath"
	"sync"
	"unicode/utf16"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

//go:embed bytes.js
var bytesSource string

//go:embed inspect.js
var inspectSource string

// compiled is a JS source compiled once per process and run per runtime.
type compiled struct {
	once sync.Once
	name string
	src  *string
	prg  *goja.Program
}

func (c *compiled) program() *goja.Program {
	c.once.Do(func() { c.prg = goja.MustCompile(c.name, *c.src, true) })
	return c.prg
}

var (
	bytesPrg   = &compiled{name: "<internal:bytes>", src: &bytesSource}
	inspectPrg = &compiled{name: "<internal:inspect>", src: &inspectSource}
)

// runFactory runs a compiled factory function with args and returns the
// object it returns. An interrupt (Ctrl-C, a cancelled context) that lands
// while an internal factory runs would leave it half built for good: the
// factory is run again without it, and the interrupt is re-armed to stop
// the script's own code next.
func (rt *Runtime) runFactory(c *compiled, args ...goja.Value) *goja.Object {
	var pending []any
	defer func() {
		for _, v := range pending {
			rt.vm.Interrupt(v)
		}
	}()
	for {
		obj, err := rt.tryFactory(c, args...)
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			rt.vm.ClearInterrupt()
			pending = append(pending[:0], ie.Value())
			continue
		}
		if err != nil {
			panic(err)
		}
		return obj
	}
}

func (rt *Runtime) tryFactory(c *compiled, args ...goja.Value) (*goja.Object, error) {
	fv, err := rt.vm.RunProgram(c.program())
	if err != nil {
		return nil, err
	}
	fn, _ := goja.AssertFunction(fv)
	ev, err := fn(goja.Undefined(), args...)
	if err != nil {
		return nil, err
	}
	return ev.ToObject(rt.vm), nil
}

// jsHelpers are the formatter's functions, made on first use.
type jsHelpers struct {
	inspect goja.Callable
	format  goja.Callable
}

// bytesClass builds the Bytes class on first use (compiling it is a good
// part of start-up, and many scripts and forked children never need it).
// Building it runs no host call, so a replay is not affected by when.
func (rt *Runtime) bytesClass() *goja.Object {
	if rt.bytesCls == nil {
		vm := rt.vm
		native := vm.NewObject()
		native.Set("decode", rt.jsDecode)
		native.Set("encode", rt.jsEncode)
		NameFunctions(vm, native, 0)
		exp := rt.runFactory(bytesPrg, native)
		rt.bytesCls = exp.Get("Bytes").ToObject(vm)
		rt.bytesRepr = exp.Get("bytesRepr")
		_ = vm.GlobalObject().DefineDataProperty("Bytes", rt.bytesCls, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return rt.bytesCls
}

func (rt *Runtime) installGlobals() {
	vm := rt.vm
	g := vm.GlobalObject()
	// Bytes: a configurable accessor until first use (see bytesClass).
	_ = g.DefineAccessorProperty("Bytes",
		vm.ToValue(func(goja.FunctionCall) goja.Value { return rt.bytesClass() }),
		vm.ToValue(func(call goja.FunctionCall) goja.Value {
			rt.bytesClass()
			_ = g.DefineDataProperty("Bytes", call.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			return goja.Undefined()
		}), goja.FLAG_TRUE, goja.FLAG_FALSE)
	hidden := func(name string, v any) {
		val := vm.ToValue(v)
		if o, ok := val.(*goja.Object); ok && name != "Bytes" {
			// name it for stack traces (a Go function is named by its symbol)
			_ = o.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		_ = g.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	hidden("setTimeout", rt.jsSetTimer(false))
	hidden("setInterval", rt.jsSetTimer(true))
	hidden("clearTimeout", rt.jsClearTimer)
	hidden("clearInterval", rt.jsClearTimer)
	hidden("queueMicrotask", rt.jsQueueMicrotask)
	rt.installRequire()
}

// helpers compiles and runs the formatter on first use. Formatting is pure
// JS, so running it lazily in one process and not in another cannot
// change what a replay sees.
func (rt *Runtime) helpers() *jsHelpers {
	return rt.State(helpersKey{}, func() any {
		exp := rt.runFactory(inspectPrg, rt.bytesClass(), rt.bytesRepr)
		h := &jsHelpers{}
		h.inspect, _ = goja.AssertFunction(exp.Get("inspect"))
		h.format, _ = goja.AssertFunction(exp.Get("format"))
		return h
	}).(*jsHelpers)
}

// Inspect formats v as console.log does for a non-string (Node's
// util.inspect style); colors adds ANSI colours.
func (rt *Runtime) Inspect(v goja.Value, colors bool) string {
	opts := rt.vm.NewObject()
	opts.Set("colors", colors)
	r, err := rt.helpers().inspect(goja.Undefined(), v, opts)
	if err != nil {
		return v.String()
	}
	return r.String()
}

// Format formats arguments as print and console.log do: strings as they
// are, other values inspected, separated by one space; a first string with
// %s/%d/%i/%f/%j/%o/%O placeholders is a format (Node's util.format).
func (rt *Runtime) Format(args []goja.Value) string {
	if len(args) == 1 {
		if s, ok := args[0].Export().(string); ok {
			return s
		}
	}
	r, err := rt.helpers().format(goja.Undefined(), args...)
	if err != nil {
		panic(err)
	}
	return r.String()
}

// NewBytes returns a Bytes object over b (not copied; b now belongs to JS).
func (rt *Runtime) NewBytes(b []byte) goja.Value {
	if b == nil {
		b = []byte{}
	}
	o, err := rt.vm.New(rt.bytesClass(), rt.vm.ToValue(rt.vm.NewArrayBuffer(b)))
	if err != nil {
		panic(err)
	}
	return o
}

// BytesClass returns the Bytes constructor.
func (rt *Runtime) BytesClass() *goja.Object { return rt.bytesClass() }

// codecArgs reads (encoding = 'utf-8', errors = 'strict') from positions
// 1 and 2, as bytes.decode and str.encode take them.
func codecArgs(call goja.FunctionCall) (string, string) {
	enc, errs := "utf-8", "strict"
	if a := call.Argument(1); !goja.IsUndefined(a) {
		enc = a.String()
	}
	if a := call.Argument(2); !goja.IsUndefined(a) {
		errs = a.String()
	}
	return enc, errs
}

func (rt *Runtime) jsDecode(call goja.FunctionCall) goja.Value {
	b, _ := BytesOf(call.Argument(0))
	enc, errs := codecArgs(call)
	res, err := Decode(b, enc, errs)
	if err != nil {
		rt.Throw(err)
	}
	if res.Units != nil {
		return goja.StringFromUTF16(res.Units)
	}
	return rt.vm.ToValue(res.S)
}

func (rt *Runtime) jsEncode(call goja.FunctionCall) goja.Value {
	units := utf16Units(call.Argument(0))
	enc, errs := codecArgs(call)
	out, err := Encode(units, enc, errs)
	if err != nil {
		rt.Throw(err)
	}
	return rt.vm.ToValue(rt.vm.NewArrayBuffer(out))
}

// EncodeString encodes a JS string with a Python codec name and error
// handler (str.encode); errors LookupError, UnicodeEncodeError.
func EncodeString(s goja.Value, encoding, errors string) ([]byte, error) {
	return Encode(utf16Units(s), encoding, errors)
}

// DecodeBytes decodes b with a Python codec name and error handler into a
// JS string value (bytes.decode).
func DecodeBytes(b []byte, encoding, errors string) (goja.Value, error) {
	res, err := Decode(b, encoding, errors)
	if err != nil {
		return nil, err
	}
	if res.Units != nil {
		return goja.StringFromUTF16(res.Units), nil
	}
	return stringValue(res.S), nil
}

var plainVMOnce sync.Once
var plainVMV *goja.Runtime

// plainVM is a bare goja runtime for value helpers that have no runtime.
func plainVM() *goja.Runtime {
	plainVMOnce.Do(func() { plainVMV = goja.New() })
	return plainVMV
}

func stringValue(s string) goja.Value { return plainVM().ToValue(s) }

func utf16Units(v goja.Value) []uint16 {
	s, ok := v.ToString().(goja.String)
	if !ok {
		return utf16.Encode([]rune(v.String()))
	}
	n := s.Length()
	units := make([]uint16, n)
	for i := 0; i < n; i++ {
		units[i] = s.CharAt(i)
	}
	return units
}

// BytesOf returns the bytes of a Bytes, any typed array, DataView or
// ArrayBuffer (shared, not copied), and ok=false for anything else.
func BytesOf(v goja.Value) ([]byte, bool) {
	if v == nil {
		return nil, false
	}
	switch x := v.Export().(type) {
	case []byte:
		return x, true
	case goja.ArrayBuffer:
		return x.Bytes(), true
	}
	if o, ok := v.(*goja.Object); ok {
		var b []byte
		if o.ClassName() == "DataView" || isTypedArray(o) {
			if err := plainVM().ExportTo(o, &b); err == nil {
				return b, true
			}
		}
	}
	return nil, false
}

func isTypedArray(o *goja.Object) bool {
	switch o.ClassName() {
	case "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
		"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array":
		return true
	}
	return false
}

// timers

func (rt *Runtime) jsSetTimer(repeat bool) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			rt.Throw(pyerr.TypeErrorf("The \"callback\" argument must be of type function"))
		}
		ms := call.Argument(1).ToFloat()
		if ms != ms || ms < 1 {
			ms = 1
		}
		var args []goja.Value
		if len(call.Arguments) > 2 {
			args = append(args, call.Arguments[2:]...)
		}
		t := rt.addTimer(fn, int64(ms*1e6), repeat, args)
		// A Timeout whose methods are not enumerable, so that it prints
		// as `Timeout { _timer: 2 }` (the REPL echoes it).
		obj := rt.vm.NewObject()
		obj.SetPrototype(rt.timeoutProto())
		obj.Set("_timer", t.cb.id)
		rt.timerObjs()[t.cb.id] = t
		method := func(name string, fn any) {
			f := rt.vm.ToValue(fn).ToObject(rt.vm)
			_ = f.DefineDataProperty("name", rt.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
			_ = obj.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		method("ref", func() goja.Value { rt.setTimerRef(t, true); return obj })
		method("unref", func() goja.Value { rt.setTimerRef(t, false); return obj })
		method("hasRef", func() bool { return t.cb.ref })
		_ = obj.DefineDataPropertySymbol(goja.SymToPrimitive, rt.vm.ToValue(func() int64 { return int64(t.cb.id) }), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		return obj
	}
}

// timeoutProto is the prototype of timer objects: its constructor is named
// Timeout, as Node's.
func (rt *Runtime) timeoutProto() *goja.Object {
	return rt.State(timeoutKey{}, func() any {
		vm := rt.vm
		ctor := vm.ToValue(func(goja.FunctionCall) goja.Value { return goja.Undefined() }).ToObject(vm)
		_ = ctor.DefineDataProperty("name", vm.ToValue("Timeout"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
		proto := vm.NewObject()
		_ = proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		return proto
	}).(*goja.Object)
}

type timeoutKey struct{}

func (rt *Runtime) timerObjs() map[uint64]*timer {
	return rt.State(timerKey{}, func() any { return map[uint64]*timer{} }).(map[uint64]*timer)
}

type timerKey struct{}

func (rt *Runtime) setTimerRef(t *timer, ref bool) {
	if t.cb.ref == ref {
		return
	}
	t.cb.ref = ref
	if _, ok := rt.loop.cbs[t.cb.id]; ok {
		if ref {
			rt.loop.refs++
		} else {
			rt.loop.refs--
		}
	}
}

func (rt *Runtime) jsClearTimer(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	var id uint64
	if o, ok := v.(*goja.Object); ok {
		id = uint64(o.Get("_timer").ToInteger())
	} else if !goja.IsUndefined(v) && !goja.IsNull(v) {
		id = uint64(v.ToInteger())
	}
	objs := rt.timerObjs()
	if t, ok := objs[id]; ok {
		rt.clearTimer(t)
		delete(objs, id)
	}
	return goja.Undefined()
}

func (rt *Runtime) jsQueueMicrotask(call goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		rt.Throw(pyerr.TypeErrorf("The \"callback\" argument must be of type function"))
	}
	p, resolve, _ := rt.vm.NewPromise()
	then, _ := goja.AssertFunction(rt.vm.ToValue(p).ToObject(rt.vm).Get("then"))
	then(rt.vm.ToValue(p), rt.vm.ToValue(func() { fn(goja.Undefined()) }))
	resolve(nil)
	return goja.Undefined()
}

// modules

func (rt *Runtime) installRequire() {
	reg := require.NewRegistry(
		require.WithLoader(rt.loadSource),
		require.WithPathResolver(func(base, path string) string {
			p := filepath.Join(base, filepath.FromSlash(path))
			if !filepath.IsAbs(p) {
				p = filepath.Join(rt.startDir, p)
			}
			return p
		}),
	)
	for _, name := range rt.hdr.Modules {
		m := rt.modules[name]
		reg.RegisterNativeModule(name, func(vm *goja.Runtime, module *goja.Object) {
			exports := module.Get("exports").ToObject(vm)
			rt.exports[m.Name] = exports
			m.Init(rt, exports)
			if !m.NamesFunctions {
				NameFunctions(vm, exports, 2)
			}
		})
	}
	rt.req = reg.Enable(rt.vm)
	// require(name): built-in module or relative CommonJS file; a missing
	// module raises ModuleNotFoundError ("Cannot find module './x.js'").
	_ = rt.vm.GlobalObject().DefineDataProperty("require", rt.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0)
		if _, ok := name.Export().(string); !ok {
			rt.Throw(pyerr.TypeErrorf("The \"id\" argument must be of type string"))
		}
		v, err := rt.req.Require(name.String())
		if err != nil {
			var ex *goja.Exception
			if errors.As(err, &ex) {
				panic(ex)
			}
			if errors.Is(err, require.InvalidModuleError) || errors.Is(err, require.ModuleFileDoesNotExistError) {
				rt.Throw(pyerr.New("ModuleNotFoundError", "Cannot find module '%s'", name.String()))
			}
			rt.Throw(pyerr.New("ImportError", "%s: %v", name.String(), err))
		}
		return v
	}), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = rt.vm.GlobalObject().Get("require").(*goja.Object).DefineDataProperty("name", rt.vm.ToValue("require"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// loadSource reads a module file through the journal, so a forked child
// compiles exactly what its parent loaded.
func (rt *Runtime) loadSource(path string) ([]byte, error) {
	src, err := Do(rt, Input, "require.load", ArgsHash(path), func() ([]byte, error) {
		return require.DefaultSourceLoader(path)
	})
	if err != nil {
		if pe, ok := err.(*pyerr.Error); ok && (pe.Type == "RuntimeError" || pe.Type == "FileNotFoundError" || pe.Type == "IsADirectoryError") {
			if pe.Msg == require.ModuleFileDoesNotExistError.Error() || pe.Type != "RuntimeError" {
				return nil, require.ModuleFileDoesNotExistError
			}
		}
		return nil, err
	}
	return src, nil
}

// Require loads a module as require(name) does.
func (rt *Runtime) Require(name string) (goja.Value, error) { return rt.req.Require(name) }

func (rt *Runtime) installModules() {
	g := rt.vm.GlobalObject()
	for _, name := range rt.hdr.Modules {
		m := rt.modules[name]
		if m.Eager {
			if _, err := rt.req.Require(name); err != nil {
				panic(err)
			}
			continue
		}
		if !m.Global {
			continue
		}
		name := name
		var getter, setter goja.Value
		getter = rt.vm.ToValue(func(call goja.FunctionCall) goja.Value {
			v, err := rt.req.Require(name)
			if err != nil {
				panic(err)
			}
			_ = g.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			return v
		})
		setter = rt.vm.ToValue(func(call goja.FunctionCall) goja.Value {
			_ = g.DefineDataProperty(name, call.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			return goja.Undefined()
		})
		_ = g.DefineAccessorProperty(name, getter, setter, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// Exports returns a loaded module's exports object, loading it if needed.
func (rt *Runtime) Exports(name string) *goja.Object {
	v, err := rt.req.Require(name)
	if err != nil {
		panic(err)
	}
	return v.ToObject(rt.vm)
}

type helpersKey struct{}
