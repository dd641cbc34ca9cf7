package ipc

import (
	"testing"

	"github.com/dop251/goja"
)

// FuzzDecode feeds arbitrary bytes to Decode: it must return a value or an
// error, never panic or hang. Values that decode are re-encoded and decoded
// again, which must succeed: whatever we accept, we can send on.
func FuzzDecode(f *testing.F) {
	env := newTestEnv(&testing.T{})
	seeds := []string{
		`({i: 1, s: 'x', a: [1, 2]})`,
		`(() => { const a = {}; const o = {p: a, q: a}; o.self = o; return o; })()`,
		`new Map([[1, new Set(['a', 2n])], [{}, new Date(5)]])`,
		`[1, , 3, /re/g, new Int32Array([1, -2]), new Bytes([1]), new ArrayBuffer(2), new DataView(new ArrayBuffer(4))]`,
		`(() => { const e = new TypeError('m', {cause: 1}); e.errno = 2; return [e, '\uD800', -0, NaN, 2n ** 70n, -(2n ** 70n)]; })()`,
		`(() => { const a = []; a[100000] = Object(1); a.x = new Date(1.5); return a; })()`,
	}
	for _, s := range seeds {
		v, err := env.rt.RunString(s)
		if err != nil {
			f.Fatal(err)
		}
		b, err := env.codec.Encode(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := env.codec.Decode(b)
		if err != nil {
			if v != nil {
				t.Fatal("value and error")
			}
			return
		}
		var again []byte
		var encErr error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("re-encode panicked: %v", r)
				}
			}()
			again, encErr = env.codec.Encode(v)
		}()
		if encErr != nil {
			if _, ok := encErr.(*goja.Exception); ok {
				return // e.g. a decoded RegExp whose flags getter throws cannot happen, but stay lenient
			}
			t.Fatalf("decoded value cannot be re-encoded: %v", encErr)
		}
		if _, err := env.codec.Decode(again); err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
	})
}
