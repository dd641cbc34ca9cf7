package multiprocessing

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/x448/float16"
)

// A fast path for arrays of primitives (numbers, booleans, null,
// undefined, plain strings), which is what Pool.map moves by the million:
// it writes and reads exactly the CBOR that runtime/ipc's codec writes and
// reads for such arrays (see ipc's codec_format.go), without the codec's
// per-call set-up and without building intermediate JS arrays. Anything
// else (objects, holes, BigInts, odd strings) falls back to the codec, so
// the results are the same either way.

// CBOR major types and simple values, as in ipc's codec.
const (
	cborUint   = 0x00
	cborNegint = 0x20
	cborText   = 0x60
	cborArray  = 0x80
	cborSimple = 0xe0
	cborFalse  = 0xf4
	cborTrue   = 0xf5
	cborNull   = 0xf6
	cborUndef  = 0xf7
	cborF16    = 0xf9
	cborF32    = 0xfa
	cborF64    = 0xfb
)

var (
	typeInt64 = reflect.TypeOf(int64(0))
	typeFloat = reflect.TypeOf(float64(0))
	typeBool  = reflect.TypeOf(false)
)

// appendPrimitive appends v if it is a primitive the fast path handles.
func appendPrimitive(b []byte, v goja.Value) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return b, false // a hole
	case *goja.Object, *goja.Symbol:
		return b, false
	case goja.String:
		s := x.String()
		if !utf8.ValidString(s) || strings.Contains(s, "\uFFFD") {
			return b, false
		}
		return append(ipc.AppendCBORHead(b, cborText, uint64(len(s))), s...), true
	}
	switch v.ExportType() {
	case typeInt64:
		return ipc.AppendCBORInt(b, v.ToInteger()), true
	case typeFloat:
		return ipc.AppendCBORNumber(b, v.ToFloat()), true
	case typeBool:
		if v.ToBoolean() {
			return append(b, cborTrue), true
		}
		return append(b, cborFalse), true
	case nil:
		if goja.IsUndefined(v) {
			return append(b, cborUndef), true
		}
		return append(b, cborNull), true
	}
	return b, false
}

// Element access goes through property names: the decimal strings of
// indices are cached, small ones from the start and up to bigIndexKeys on
// first need (map chunks are that long; 2-3 MB, only in processes that
// move such arrays).
const (
	smallIndexKeys = 4096
	bigIndexKeys   = 1 << 17
)

var (
	// indexKeys is built on first use: 4096 strings at start-up cost
	// every forkjs process half a millisecond.
	indexKeys    = sync.OnceValue(func() []string { return makeIndexKeys(smallIndexKeys) })
	bigKeysOnce  sync.Once
	bigIndexKeyz []string
)

func makeIndexKeys(n int) []string {
	k := make([]string, n)
	for i := range k {
		k[i] = strconv.Itoa(i)
	}
	return k
}

func indexKey(i int) string {
	if i < smallIndexKeys {
		return indexKeys()[i]
	}
	if i < bigIndexKeys {
		bigKeysOnce.Do(func() { bigIndexKeyz = makeIndexKeys(bigIndexKeys) })
		return bigIndexKeyz[i]
	}
	return strconv.Itoa(i)
}

// isArray reports whether v is a JS Array.
func isArray(v goja.Value) (*goja.Object, bool) {
	o, ok := v.(*goja.Object)
	return o, ok && o.ClassName() == "Array"
}

// appendArrayRange appends elements [start, end) of array o as one CBOR
// array, if every one of them is a fast primitive; otherwise it returns
// b unchanged and false.
func appendArrayRange(b []byte, o *goja.Object, start, end int) ([]byte, bool) {
	orig := len(b)
	b = ipc.AppendCBORHead(b, cborArray, uint64(end-start))
	for i := start; i < end; i++ {
		var ok bool
		if b, ok = appendPrimitive(b, o.Get(indexKey(i))); !ok {
			return b[:orig], false
		}
	}
	return b, true
}

// fastReader decodes the codec's CBOR for an array of primitives.
type fastReader struct {
	vm  *goja.Runtime
	b   []byte
	off int
}

func (r *fastReader) head() (major, ai byte, arg uint64, ok bool) {
	major, ai, arg, r.off, ok = ipc.ReadCBORHead(r.b, r.off)
	return major, ai, arg, ok
}

// primitive decodes one element as the codec would, or reports false for
// anything but a primitive (the caller then uses the codec).
func (r *fastReader) primitive() (goja.Value, bool) {
	major, ai, arg, ok := r.head()
	if !ok {
		return nil, false
	}
	switch major {
	case cborUint:
		if arg <= math.MaxInt64 {
			return r.vm.ToValue(int64(arg)), true
		}
		return r.vm.ToValue(float64(arg)), true
	case cborNegint:
		if arg <= math.MaxInt64 {
			return r.vm.ToValue(-1 - int64(arg)), true
		}
		return r.vm.ToValue(-1 - float64(arg)), true
	case cborText:
		if arg > uint64(len(r.b)-r.off) {
			return nil, false
		}
		p := r.b[r.off : r.off+int(arg)]
		if !utf8.Valid(p) {
			return nil, false
		}
		r.off += int(arg)
		return r.vm.ToValue(string(p)), true
	case cborSimple:
		switch ai {
		case 20:
			return r.vm.ToValue(false), true
		case 21:
			return r.vm.ToValue(true), true
		case 22:
			return goja.Null(), true
		case 23:
			return goja.Undefined(), true
		case 25:
			return r.vm.ToValue(float64(float16.Frombits(uint16(arg)).Float32())), true
		case 26:
			return r.vm.ToValue(float64(math.Float32frombits(uint32(arg)))), true
		case 27:
			return r.vm.ToValue(math.Float64frombits(arg)), true
		}
	}
	return nil, false
}

// decodePrimitiveArray decodes b if it is exactly one CBOR array of
// primitives, appending the elements (goja.Values) to dst, in the form
// goja.Runtime.NewArray takes.
func decodePrimitiveArray(vm *goja.Runtime, b []byte, dst []any) ([]any, bool) {
	r := fastReader{vm: vm, b: b}
	major, _, n, ok := r.head()
	if !ok || major != cborArray || n > uint64(len(b)) {
		return dst, false
	}
	orig := len(dst)
	dst = slices.Grow(dst, int(n))
	for i := uint64(0); i < n; i++ {
		v, ok := r.primitive()
		if !ok {
			return dst[:orig], false
		}
		dst = append(dst, v)
	}
	if r.off != len(b) {
		return dst[:orig], false
	}
	return dst, true
}

// decodeFastTask decodes a map task written by pool_submit_chunks's fast
// path, [fname, kind, [primitives...], null], into the same JS value the
// codec would build; false for anything else.
func decodeFastTask(vm *goja.Runtime, b []byte) (goja.Value, bool) {
	r := fastReader{vm: vm, b: b}
	if major, _, n, ok := r.head(); !ok || major != cborArray || n != 4 {
		return nil, false
	}
	fname, ok := r.primitive()
	if !ok || !goja.IsString(fname) {
		return nil, false
	}
	kind, ok := r.primitive()
	if !ok {
		return nil, false
	}
	start := r.off
	major, _, n, ok := r.head()
	if !ok || major != cborArray || n > uint64(len(b)) {
		return nil, false
	}
	vals := make([]any, 0, n)
	for i := uint64(0); i < n; i++ {
		v, ok := r.primitive()
		if !ok {
			return nil, false
		}
		vals = append(vals, v)
	}
	_ = start
	if r.off != len(b)-1 || b[r.off] != cborNull {
		return nil, false
	}
	return vm.NewArray(fname, kind, vm.NewArray(vals...), goja.Null()), true
}
