package ipc

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// Low-level CBOR writing. The encoder builds bytes by hand because going
// through reflection (cbor.Marshal of an intermediate Go tree) would double
// the allocations of the hot path; the format is simple and the decoder
// checks everything it reads.

// CBOR major types, pre-shifted.
const (
	majUint   = 0 << 5
	majNegint = 1 << 5
	majBytes  = 2 << 5
	majText   = 3 << 5
	majArray  = 4 << 5
	majMap    = 5 << 5
	majTag    = 6 << 5
	majSimple = 7 << 5
)

// Encoded simple values and float16 specials.
const (
	cborFalse     = 0xf4
	cborTrue      = 0xf5
	cborNull      = 0xf6
	cborUndefined = 0xf7
	cborFloat16   = 0xf9
	cborFloat32   = 0xfa
	cborFloat64   = 0xfb
)

// appendHead appends a CBOR head: major type (pre-shifted) and argument n
// in its shortest form, as RFC 8949 §4.2.1 preferred serialisation asks.
// AppendCBORHead, AppendCBORInt and AppendCBORNumber append exactly what
// the codec writes for a CBOR head (major type and argument), an integer
// and a JavaScript Number (integral values within ±2^53 as integers, the
// specials as float16, others as float64), for fast paths elsewhere that
// must produce the codec's bytes (multiprocessing's arrays of primitives).
func AppendCBORHead(b []byte, major byte, n uint64) []byte { return appendHead(b, major, n) }

// AppendCBORInt: see AppendCBORHead.
func AppendCBORInt(b []byte, i int64) []byte { return appendInt(b, i) }

// AppendCBORNumber: see AppendCBORHead.
func AppendCBORNumber(b []byte, f float64) []byte { return appendNumber(b, f) }

// ReadCBORHead reads the CBOR head at b[off:] as the codec does: the major
// type (pre-shifted), the additional information, its argument and the
// offset just past the head. ok is false if b ends first, or for an
// indefinite length or reserved additional information (which the codec
// never writes).
func ReadCBORHead(b []byte, off int) (major, ai byte, arg uint64, next int, ok bool) {
	if off >= len(b) {
		return 0, 0, 0, off, false
	}
	ib := b[off]
	off++
	major, ai = ib&0xe0, ib&0x1f
	var n int
	switch {
	case ai < 24:
		return major, ai, uint64(ai), off, true
	case ai == 24:
		n = 1
	case ai == 25:
		n = 2
	case ai == 26:
		n = 4
	case ai == 27:
		n = 8
	default:
		return 0, 0, 0, off, false
	}
	if len(b)-off < n {
		return 0, 0, 0, off, false
	}
	for i := 0; i < n; i++ {
		arg = arg<<8 | uint64(b[off+i])
	}
	return major, ai, arg, off + n, true
}

func appendHead(b []byte, major byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(b, major|byte(n))
	case n <= math.MaxUint8:
		return append(b, major|24, byte(n))
	case n <= math.MaxUint16:
		return append(b, major|25, byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return append(b, major|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, major|27), n)
	}
}

// appendInt appends a signed integer as major type 0 or 1.
func appendInt(b []byte, i int64) []byte {
	if i >= 0 {
		return appendHead(b, majUint, uint64(i))
	}
	return appendHead(b, majNegint, uint64(-1-i))
}

// maxSafeInt is 2^53: beyond it a float64 no longer holds every integer, so
// integral Numbers above it are written as floats to stay exact.
const maxSafeInt = 1 << 53

// appendNumber appends a JavaScript Number: integral values in the safe
// range as CBOR integers (compact, and what other CBOR readers expect),
// the specials as float16, everything else as float64.
func appendNumber(b []byte, f float64) []byte {
	if f == math.Trunc(f) && f >= -maxSafeInt && f <= maxSafeInt {
		if f == 0 && math.Signbit(f) {
			return append(b, cborFloat16, 0x80, 0x00)
		}
		return appendInt(b, int64(f))
	}
	switch {
	case math.IsNaN(f):
		return append(b, cborFloat16, 0x7e, 0x00)
	case math.IsInf(f, 1):
		return append(b, cborFloat16, 0x7c, 0x00)
	case math.IsInf(f, -1):
		return append(b, cborFloat16, 0xfc, 0x00)
	}
	return binary.BigEndian.AppendUint64(append(b, cborFloat64), math.Float64bits(f))
}

// appendText appends a text string; s must be valid UTF-8.
func appendText(b []byte, s string) []byte {
	return append(appendHead(b, majText, uint64(len(s))), s...)
}

// appendBytes appends a byte string.
func appendBytes(b []byte, p []byte) []byte {
	return append(appendHead(b, majBytes, uint64(len(p))), p...)
}

// sharedRefPlaceholder is the fixed-width form of 29(ordinal) the encoder
// writes before it knows the final index; see encoder.finish.
const sharedRefPlaceholderLen = 7

func appendSharedRefPlaceholder(b []byte, ordinal uint32) []byte {
	return append(b, majTag|24, tagSharedRef, majUint|26,
		byte(ordinal>>24), byte(ordinal>>16), byte(ordinal>>8), byte(ordinal))
}

// hostLittleEndian reports the byte order of the machine: goja typed
// arrays hold elements in host order, the wire holds little-endian.
var hostLittleEndian = func() bool {
	var x uint16 = 1
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// appendLittleEndian appends raw, a sequence of host-order elements of size
// bytes each, in little-endian order.
func appendLittleEndian(b, raw []byte, size int) []byte {
	if hostLittleEndian || size == 1 {
		return append(b, raw...)
	}
	return appendSwapped(b, raw, size)
}

// appendSwapped appends raw with the bytes of each size-byte element
// reversed.
func appendSwapped(b, raw []byte, size int) []byte {
	for i := 0; i+size <= len(raw); i += size {
		for j := size - 1; j >= 0; j-- {
			b = append(b, raw[i+j])
		}
	}
	return b
}
