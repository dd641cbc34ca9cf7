package engine

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// Call parses a JS call's arguments the way Python binds parameters (SPEC
// rule 3): positional parameters in order, and a trailing options object
// holding any parameter by name. Wrong types raise TypeError with Python's
// wording; unknown options raise "got an unexpected keyword argument".
type Call struct {
	rt       *Runtime
	fn       string
	args     []goja.Value
	kw       *goja.Object
	names    []string
	kwOnly   map[string]bool
	required int
	This     goja.Value
}

// Params binds call's arguments for function fn ("os.waitpid"): the first
// required names are required positional parameters, the rest of names
// optional ones; names after a "*" entry are keyword-only. A plain object
// (prototype Object.prototype or null) in the last position at or after
// the required ones is the options object.
func (rt *Runtime) Params(call goja.FunctionCall, fn string, required int, names ...string) *Call {
	c := &Call{rt: rt, fn: fn, args: call.Arguments, required: required, This: call.This}
	for i, n := range names {
		if n == "*" {
			c.kwOnly = map[string]bool{}
			for _, k := range names[i+1:] {
				c.kwOnly[k] = true
			}
			c.names = names[:i]
			break
		}
	}
	if c.kwOnly == nil {
		c.names = names
	}
	if n := len(c.args); n > 0 && n-1 >= required {
		if o, ok := c.args[n-1].(*goja.Object); ok && isPlainObject(rt.vm, o) && (n-1 >= len(c.names) || n-1 >= required) {
			c.kw = o
			c.args = c.args[:n-1]
		}
	}
	if len(c.args) > len(c.names) {
		if len(c.names) == 0 {
			panic(rt.toJSError(pyerr.TypeErrorf("%s() takes no arguments (%d given)", fn, len(c.args))))
		}
		panic(rt.toJSError(pyerr.TypeErrorf("%s() takes at most %d positional arguments (%d given)", fn, len(c.names), len(c.args))))
	}
	if c.kw != nil {
		for _, k := range c.kw.Keys() {
			if !c.allowed(k) {
				panic(rt.toJSError(pyerr.TypeErrorf("%s() got an unexpected keyword argument '%s'", fn, k)))
			}
		}
	}
	for i := 0; i < required; i++ {
		if !c.Has(c.names[i]) {
			panic(rt.toJSError(pyerr.TypeErrorf("%s() missing required argument '%s' (pos %d)", fn, c.names[i], i+1)))
		}
	}
	return c
}

func (c *Call) allowed(k string) bool {
	if c.kwOnly[k] {
		return true
	}
	for _, n := range c.names {
		if n == k {
			return true
		}
	}
	return false
}

func isPlainObject(vm *goja.Runtime, o *goja.Object) bool {
	if o.ClassName() != "Object" {
		return false
	}
	p := o.Prototype()
	return p == nil || p == vm.GlobalObject().Get("Object").ToObject(vm).Get("prototype").(*goja.Object)
}

// Arg returns the parameter called name: positional if given, else from
// the options object, else undefined.
func (c *Call) Arg(name string) goja.Value {
	for i, n := range c.names {
		if n == name {
			if i < len(c.args) && !goja.IsUndefined(c.args[i]) {
				return c.args[i]
			}
			break
		}
	}
	if c.kw != nil {
		if v := c.kw.Get(name); v != nil {
			return v
		}
	}
	return goja.Undefined()
}

// Has reports whether name was given (undefined counts as not given).
func (c *Call) Has(name string) bool { return !goja.IsUndefined(c.Arg(name)) }

// IsNone reports whether name was not given or is null (Python's None).
func (c *Call) IsNone(name string) bool {
	v := c.Arg(name)
	return goja.IsUndefined(v) || goja.IsNull(v)
}

func (c *Call) typeErr(format string, args ...any) {
	panic(c.rt.toJSError(pyerr.TypeErrorf(format, args...)))
}

// PyType names a JS value's type as Python would name its counterpart.
func PyType(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v) || goja.IsNull(v):
		return "NoneType"
	}
	switch x := v.Export().(type) {
	case string:
		return "str"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		if x == math.Trunc(x) {
			return "int"
		}
		return "float"
	case *big.Int:
		return "int"
	}
	if o, ok := v.(*goja.Object); ok {
		switch o.ClassName() {
		case "Array":
			return "list"
		case "Function":
			return "function"
		case "Map":
			return "dict"
		case "Set":
			return "set"
		}
		if _, ok := BytesOf(v); ok {
			return "bytes"
		}
		return "dict"
	}
	return "object"
}

// ToInt converts v to an integer as Python's operator.index does: numbers
// must be integral; booleans count; anything else is a TypeError.
func ToInt(v goja.Value) (int64, bool) {
	switch x := v.Export().(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			switch {
			case x >= 9.223372036854775e18:
				return math.MaxInt64, true // saturate: callers range-check
			case x <= -9.223372036854775e18:
				return math.MinInt64, true
			}
			return int64(x), true
		}
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), true
		}
		if x.Sign() > 0 {
			return math.MaxInt64, true
		}
		return math.MinInt64, true
	}
	return 0, false
}

// Int returns name as a C int (fds, pids, signals, flags, modes), or def
// if it was not given or is null. TypeError for a non-integer;
// OverflowError outside the 32-bit range, as Python's argument parsing
// does (a larger number would otherwise be truncated and name a different
// process or descriptor).
func (c *Call) Int(name string, def int) int {
	n := c.Int64(name, int64(def))
	if n > math.MaxInt32 {
		panic(c.rt.toJSError(pyerr.New("OverflowError", "signed integer is greater than maximum")))
	}
	if n < math.MinInt32 {
		panic(c.rt.toJSError(pyerr.New("OverflowError", "signed integer is less than minimum")))
	}
	return int(n)
}

// Int64 returns name as a 64-bit integer (sizes, offsets), or def.
// TypeError for a non-integer, OverflowError beyond 64 bits.
func (c *Call) Int64(name string, def int64) int64 {
	if c.IsNone(name) {
		return def
	}
	v := c.Arg(name)
	n, ok := ToInt(v)
	if !ok {
		c.typeErr("'%s' object cannot be interpreted as an integer", PyType(v))
	}
	if n == math.MaxInt64 || n == math.MinInt64 {
		panic(c.rt.toJSError(pyerr.New("OverflowError", "Python int too large to convert to C long")))
	}
	return n
}

// Float returns name as a number (seconds, usually), or def.
func (c *Call) Float(name string, def float64) float64 {
	if c.IsNone(name) {
		return def
	}
	v := c.Arg(name)
	switch x := v.Export().(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case bool:
		if x {
			return 1
		}
		return 0
	}
	c.typeErr("%s() argument '%s' must be a real number, not %s", c.fn, name, PyType(v))
	return 0
}

// Str returns name as a string, or def; other types are a TypeError.
func (c *Call) Str(name string, def string) string {
	if c.IsNone(name) {
		return def
	}
	v := c.Arg(name)
	if s, ok := v.Export().(string); ok {
		return s
	}
	c.typeErr("%s() argument '%s' must be str, not %s", c.fn, name, PyType(v))
	return ""
}

// Bool returns the truthiness of name (Python accepts any object), or def.
func (c *Call) Bool(name string, def bool) bool {
	if !c.Has(name) {
		return def
	}
	return c.Arg(name).ToBoolean()
}

// Bytes returns name as bytes: a Bytes/typed array/ArrayBuffer (shared,
// not copied) or a string (UTF-8 encoded, SPEC rule 5). Anything else is
// a TypeError ("a bytes-like object is required").
func (c *Call) Bytes(name string) []byte {
	v := c.Arg(name)
	if s, ok := v.Export().(string); ok {
		return []byte(s)
	}
	if b, ok := BytesOf(v); ok {
		return b
	}
	c.typeErr("a bytes-like object is required, not '%s'", PyType(v))
	return nil
}

// Func returns name as a JS function, or nil if not given; a non-function
// is a TypeError.
func (c *Call) Func(name string) goja.Callable {
	if c.IsNone(name) {
		return nil
	}
	fn, ok := goja.AssertFunction(c.Arg(name))
	if !ok {
		c.typeErr("%s() argument '%s' must be callable, not %s", c.fn, name, PyType(c.Arg(name)))
	}
	return fn
}

// Strings returns name as a list of strings (an array of str), or nil.
func (c *Call) Strings(name string) []string {
	if c.IsNone(name) {
		return nil
	}
	v := c.Arg(name)
	o, ok := v.(*goja.Object)
	if !ok || o.ClassName() != "Array" {
		c.typeErr("%s() argument '%s' must be a list of str, not %s", c.fn, name, PyType(v))
	}
	n := int(o.Get("length").ToInteger())
	out := make([]string, n)
	for i := 0; i < n; i++ {
		e := o.Get(strconv.Itoa(i))
		s, ok := e.Export().(string)
		if !ok {
			c.typeErr("%s() argument '%s' must contain str, not %s", c.fn, name, PyType(e))
		}
		out[i] = s
	}
	return out
}

// Name returns the function name used in messages.
func (c *Call) Name() string { return c.fn }

// Fail raises TypeError with a message about this call.
func (c *Call) Fail(format string, args ...any) {
	c.typeErr(format, args...)
}

// Kwargs returns the options object, or nil.
func (c *Call) Kwargs() *goja.Object { return c.kw }

// Positional returns how many positional arguments were given.
func (c *Call) Positional() int { return len(c.args) }

var _ = strings.TrimSpace
