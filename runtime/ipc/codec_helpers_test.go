package ipc

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/dop251/goja"
)

// The test engine mimics what runtime/engine provides: a Bytes class that
// extends Uint8Array and Python-named error classes.
const testPrelude = `
class Bytes extends Uint8Array {
	decode() { return String.fromCharCode.apply(null, this); }
}
class OSError extends Error {}
OSError.prototype.name = 'OSError';
class FileNotFoundError extends OSError {}
FileNotFoundError.prototype.name = 'FileNotFoundError';
class ValueError extends Error {}
ValueError.prototype.name = 'ValueError';
var pyErrors = {OSError, FileNotFoundError, ValueError};

function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }
function same(a, b, msg) {
	if (!Object.is(a, b)) throw new Error('assertion failed: ' + msg + ': got ' + String(a) + ', want ' + String(b));
}
function keys(o) { return JSON.stringify(Object.keys(o)); }
`

type testEnv struct {
	t     *testing.T
	rt    *goja.Runtime
	codec *Codec
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	rt := goja.New()
	if _, err := rt.RunString(testPrelude); err != nil {
		t.Fatal(err)
	}
	bytesCtor := rt.Get("Bytes").ToObject(rt)
	pyErrors := rt.Get("pyErrors").ToObject(rt)
	h := Hooks{
		IsBytes: func(o *goja.Object) bool { return rt.InstanceOf(o, bytesCtor) },
		NewBytes: func(b []byte) goja.Value {
			o, err := rt.New(bytesCtor, rt.ToValue(rt.NewArrayBuffer(b)))
			if err != nil {
				panic(err)
			}
			return o
		},
		NewError: func(name, message string) *goja.Object {
			ctorName := name
			if pyErrors.Get(name) == nil {
				ctorName = ""
			}
			var ctor *goja.Object
			if ctorName != "" {
				ctor = pyErrors.Get(ctorName).ToObject(rt)
			} else if g := rt.Get(name); g != nil && (name == "TypeError" || name == "RangeError" || name == "Error") {
				ctor = g.ToObject(rt)
			} else {
				ctor = rt.Get("Error").ToObject(rt)
			}
			o, err := rt.New(ctor, rt.ToValue(message))
			if err != nil {
				panic(err)
			}
			if o.Get("name").String() != name {
				_ = o.DefineDataProperty("name", rt.ToValue(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			}
			return o
		},
	}
	env := &testEnv{t: t, rt: rt, codec: NewCodec(rt, h)}
	// roundtrip(v) encodes and decodes v; encodeHex(v) shows the bytes;
	// sendError(v, root) returns the Encode error message or null.
	rt.Set("roundtrip", func(v goja.Value) goja.Value {
		b, err := env.codec.Encode(v)
		if err != nil {
			panic(rt.NewGoError(err))
		}
		out, err := env.codec.Decode(b)
		if err != nil {
			panic(rt.NewGoError(err))
		}
		return out
	})
	rt.Set("encodeHex", func(v goja.Value) string {
		b, err := env.codec.Encode(v)
		if err != nil {
			panic(rt.NewGoError(err))
		}
		return hex.EncodeToString(b)
	})
	rt.Set("sendError", func(v goja.Value, root string) goja.Value {
		_, err := env.codec.AppendEncode(nil, root, v)
		if err == nil {
			return goja.Null()
		}
		var ue *UnsendableError
		if !errors.As(err, &ue) {
			return rt.ToValue("OTHER: " + err.Error())
		}
		return rt.ToValue(err.Error())
	})
	return env
}

// run executes JS test code; any thrown exception fails the test.
func (e *testEnv) run(name, src string) goja.Value {
	e.t.Helper()
	v, err := e.rt.RunScript(name, src)
	if err != nil {
		e.t.Fatalf("%s: %v", name, err)
	}
	return v
}
