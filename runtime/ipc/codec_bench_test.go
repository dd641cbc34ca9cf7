package ipc

import (
	"testing"

	"github.com/dop251/goja"
)

func benchValue(b *testing.B, src string) (*testEnv, goja.Value) {
	env := newTestEnv(&testing.T{})
	v, err := env.rt.RunString(src)
	if err != nil {
		b.Fatal(err)
	}
	return env, v
}

func benchEncode(b *testing.B, src string) {
	env, v := benchValue(b, src)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		out, err := env.codec.AppendEncode(buf[:0], "value", v)
		if err != nil {
			b.Fatal(err)
		}
		buf = out
	}
	b.SetBytes(int64(len(buf)))
}

func benchDecode(b *testing.B, src string) {
	env, v := benchValue(b, src)
	data, err := env.codec.Encode(v)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := env.codec.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

const (
	srcSmallDict = `({i: 1, s: 'x', a: [1, 2]})`
	srcBytes1MiB = `new Bytes(1 << 20)`
	srcArray10k  = `Array.from({length: 10000}, (_, i) => i * 1.5)`
	srcObjs1k    = `Array.from({length: 1000}, (_, i) => ({id: i, name: 'item' + i, tags: ['a', 'b']}))`
)

func BenchmarkEncodeSmallDict(b *testing.B) { benchEncode(b, srcSmallDict) }
func BenchmarkDecodeSmallDict(b *testing.B) { benchDecode(b, srcSmallDict) }
func BenchmarkEncodeBytes1MiB(b *testing.B) { benchEncode(b, srcBytes1MiB) }
func BenchmarkDecodeBytes1MiB(b *testing.B) { benchDecode(b, srcBytes1MiB) }
func BenchmarkEncodeArray10k(b *testing.B)  { benchEncode(b, srcArray10k) }
func BenchmarkDecodeArray10k(b *testing.B)  { benchDecode(b, srcArray10k) }
func BenchmarkEncodeObjects1k(b *testing.B) { benchEncode(b, srcObjs1k) }
func BenchmarkDecodeObjects1k(b *testing.B) { benchDecode(b, srcObjs1k) }
