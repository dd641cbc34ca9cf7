package multiprocessing

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/ipc"
)

// The fast path must write exactly the bytes the codec writes, and read
// back exactly the values the codec reads, for every array it accepts.

func newVM(t *testing.T) (*goja.Runtime, *ipc.Codec) {
	t.Helper()
	vm := goja.New()
	return vm, ipc.NewCodec(vm, ipc.Hooks{})
}

func TestFastArrayMatchesCodec(t *testing.T) {
	vm, codec := newVM(t)
	srcs := []string{
		`[]`,
		`[0, 1, -1, 23, 24, 255, 256, 65535, 65536, 2**32, -(2**32), 2**53, -(2**53), 2**53 + 2, -0, 0.5, -1.25, 1e300, NaN, Infinity, -Infinity]`,
		`[true, false, null, undefined, 'a', '', 'héllo ☃ \u{1F600}', 'x'.repeat(300)]`,
		`Array.from({length: 70000}, (_, i) => i * 1.5 - 1000)`,
	}
	for _, src := range srcs {
		v, err := vm.RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		o := v.(*goja.Object)
		n := int(o.Get("length").ToInteger())
		fast, ok := appendArrayRange(nil, o, 0, n)
		if !ok {
			t.Fatalf("%s: fast path refused", src)
		}
		want, err := codec.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast, want) {
			t.Fatalf("%s: fast encoding differs from the codec's", src)
		}
		vals, ok := decodePrimitiveArray(vm, want, nil)
		if !ok || len(vals) != n {
			t.Fatalf("%s: fast decode refused the codec's bytes", src)
		}
		back, err := codec.Decode(want)
		if err != nil {
			t.Fatal(err)
		}
		bo := back.(*goja.Object)
		for i, xv := range vals {
			x := xv.(goja.Value)
			y := bo.Get(indexKey(i))
			if !x.SameAs(y) || x.ExportType() != y.ExportType() {
				t.Fatalf("%s: element %d decodes as %v (%v), the codec gives %v (%v)", src, i, x, x.ExportType(), y, y.ExportType())
			}
		}
	}
}

func TestFastArrayRandom(t *testing.T) {
	vm, codec := newVM(t)
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		items := make([]any, r.IntN(50))
		for i := range items {
			switch r.IntN(5) {
			case 0:
				items[i] = r.Int64() >> r.IntN(64)
			case 1:
				items[i] = r.NormFloat64() * float64(r.IntN(1<<20))
			case 2:
				items[i] = r.IntN(2) == 0
			case 3:
				items[i] = strings.Repeat("ab", r.IntN(20))
			default:
				items[i] = nil
			}
		}
		arr := vm.NewArray(items...)
		fast, ok := appendArrayRange(nil, arr, 0, len(items))
		if !ok {
			t.Fatalf("round %d: fast path refused %v", round, items)
		}
		want, _ := codec.Encode(arr)
		if !bytes.Equal(fast, want) {
			t.Fatalf("round %d: encodings differ for %v", round, items)
		}
	}
}

func TestFastArrayFallsBack(t *testing.T) {
	vm, codec := newVM(t)
	for _, src := range []string{`[1, {a: 1}]`, `[1, , 3]`, `[1n]`, `[[1]]`, `['\uD800']`, `[Symbol()]`, `[new Date(0)]`} {
		v, err := vm.RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		o := v.(*goja.Object)
		if b, ok := appendArrayRange([]byte{7}, o, 0, int(o.Get("length").ToInteger())); ok || !bytes.Equal(b, []byte{7}) {
			t.Errorf("%s: the fast path should refuse it and leave the buffer alone", src)
		}
		if enc, err := codec.Encode(v); err == nil {
			if _, ok := decodePrimitiveArray(vm, enc, nil); ok {
				t.Errorf("%s: the fast decoder should refuse it", src)
			}
		}
	}
	// Truncated or trailing bytes are refused, never misread.
	enc, _ := codec.Encode(vm.NewArray(1, 2.5, "abc"))
	for i := 0; i < len(enc); i++ {
		if _, ok := decodePrimitiveArray(vm, enc[:i], nil); ok {
			t.Errorf("a message cut to %d bytes was accepted", i)
		}
	}
	if _, ok := decodePrimitiveArray(vm, append(enc, 0), nil); ok {
		t.Error("trailing bytes were accepted")
	}
}

func TestFastTaskMatchesCodec(t *testing.T) {
	vm, codec := newVM(t)
	items, _ := vm.RunString(`[1, 'two', 3.5, null]`)
	frame := ipc.AppendCBORHead(nil, cborArray, 4)
	frame = append(ipc.AppendCBORHead(frame, cborText, 6), "square"...)
	frame = ipc.AppendCBORInt(frame, taskMap)
	frame, ok := appendArrayRange(frame, items.(*goja.Object), 0, 4)
	if !ok {
		t.Fatal("fast path refused")
	}
	frame = append(frame, cborNull)
	want, _ := codec.Encode(vm.NewArray("square", taskMap, items, goja.Null()))
	if !bytes.Equal(frame, want) {
		t.Fatal("a fast task differs from the codec's encoding")
	}
	task, ok := decodeFastTask(vm, frame)
	if !ok {
		t.Fatal("fast task decode refused its own frame")
	}
	got, _ := vm.RunString(`(function (t) { return JSON.stringify(t); })`)
	fn, _ := goja.AssertFunction(got)
	a, _ := fn(goja.Undefined(), task)
	b, _ := codec.Decode(want)
	c, _ := fn(goja.Undefined(), b)
	if a.String() != c.String() {
		t.Fatalf("fast task %s, codec %s", a, c)
	}
}
