package engine

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"time"

	"github.com/dop251/goja"
)

// Values between Go and JS. A Go value handed to JS (Set, Func results) is
// first encoded as canonical CBOR, which is also what the journal keeps,
// and the JS value is built from the decoded form: maps and structs become
// plain objects with sorted keys, so the result is the same in a parent and
// in a replaying child, whatever Go's map order.

// canonical turns any Go value into its canonical CBOR bytes. Functions,
// channels and other values with no data representation are an error.
func canonical(v any) ([]byte, error) {
	b, err := encMode.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("forkjs: cannot pass %T to JS: %w", v, err)
	}
	return b, nil
}

// toJSFromCBOR decodes canonical CBOR and builds the JS value.
func (rt *Runtime) toJSFromCBOR(b []byte) (goja.Value, error) {
	if len(b) == 0 {
		return goja.Undefined(), nil
	}
	var v any
	if err := decMode.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return rt.toJS(v), nil
}

// ToJS converts a Go value to JS deterministically: nil is null; bools,
// numbers and strings are themselves; []byte is a Bytes; time.Time a Date;
// *big.Int a BigInt; slices are arrays; maps and structs are plain objects
// with their keys sorted (struct fields by their cbor/json names). It
// returns an error for values with no data representation (functions,
// channels). The conversion goes through the same canonical encoding the
// journal uses.
func (rt *Runtime) ToJS(v any) (goja.Value, error) {
	if gv, ok := v.(goja.Value); ok {
		return gv, nil
	}
	b, err := canonical(v)
	if err != nil {
		return nil, err
	}
	return rt.toJSFromCBOR(b)
}

func (rt *Runtime) toJS(v any) goja.Value {
	vm := rt.vm
	switch x := v.(type) {
	case nil:
		return goja.Null()
	case bool, string, int64, uint64, float64, float32:
		return vm.ToValue(x)
	case []byte:
		return rt.NewBytes(append([]byte(nil), x...))
	case time.Time:
		d, _ := vm.New(vm.Get("Date"), vm.ToValue(float64(x.UnixNano())/1e6))
		return d
	case big.Int:
		return vm.ToValue(&x)
	case *big.Int:
		return vm.ToValue(x)
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = rt.toJS(e)
		}
		return vm.NewArray(items...)
	case map[any]any:
		keys := make([]string, 0, len(x))
		vals := map[string]any{}
		for k, e := range x {
			ks := fmt.Sprint(k)
			keys = append(keys, ks)
			vals[ks] = e
		}
		sort.Strings(keys)
		obj := vm.NewObject()
		for _, k := range keys {
			obj.Set(k, rt.toJS(vals[k]))
		}
		return obj
	}
	return vm.ToValue(fmt.Sprint(v))
}

// Export converts a JS value to Go: undefined and null are nil; booleans,
// strings; numbers are int64 when integral (within ±2^53) and float64
// otherwise; BigInt is *big.Int; Bytes and typed arrays are []byte (a
// copy); Date is time.Time; arrays are []any; other objects are
// map[string]any of their own enumerable properties. Functions are
// returned as the goja.Value itself.
func (rt *Runtime) Export(v goja.Value) any {
	return rt.export(v, 0)
}

func (rt *Runtime) export(v goja.Value, depth int) any {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	if depth > 100 {
		return nil
	}
	switch x := v.Export().(type) {
	case bool, string, int64:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 && !(x == 0 && math.Signbit(x)) {
			return int64(x)
		}
		return x
	case *big.Int:
		return x
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return v.Export()
	}
	if b, ok := BytesOf(o); ok {
		return append([]byte(nil), b...)
	}
	if _, isFn := goja.AssertFunction(o); isFn {
		return v
	}
	switch o.ClassName() {
	case "Date":
		if t, ok := o.Export().(time.Time); ok {
			return t
		}
	case "Array":
		n := int(o.Get("length").ToInteger())
		out := make([]any, n)
		for i := 0; i < n; i++ {
			out[i] = rt.export(o.Get(strconv.Itoa(i)), depth+1)
		}
		return out
	}
	out := map[string]any{}
	for _, k := range o.Keys() {
		out[k] = rt.export(o.Get(k), depth+1)
	}
	return out
}
