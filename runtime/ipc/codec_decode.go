package ipc

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/x448/float16"
)

// Decode rebuilds the value encoded in b (see codec_format.go) in the
// codec's runtime. b is not retained. Input is untrusted: b is first checked
// for well-formedness by fxamacker/cbor (definite lengths, nesting bounded
// by the limits, no trailing bytes), then decoded by a parser that checks
// every type and bound again and counts depth and items against Limits.
// Any problem is a *DecodeError; decoding never panics.
func (c *Codec) Decode(b []byte) (goja.Value, error) {
	if len(b) > c.limits.MaxBytes {
		return nil, &DecodeError{Offset: -1, Msg: "message of " + strconv.Itoa(len(b)) + " bytes exceeds the limit of " + strconv.Itoa(c.limits.MaxBytes)}
	}
	if err := c.ready(); err != nil {
		return nil, err
	}
	if err := c.wf.Wellformed(b); err != nil {
		return nil, &DecodeError{Offset: -1, Msg: "not well-formed CBOR", Err: err}
	}
	d := &c.dec
	d.begin(b)
	defer d.end()
	return d.run()
}

// decodeAbort carries a *DecodeError out of the recursive decoder.
type decodeAbort struct{ err *DecodeError }

type decoder struct {
	c     *Codec
	b     []byte
	off   int
	depth int
	items int

	slots   []goja.Value      // shareables in order of appearance (nil while being built)
	arrays  []interface{}     // stack of array elements being collected
	values  []goja.Value      // stack of values for calls (Array.prototype.push)
	keys    map[string]string // interned property names
	scratch []byte
}

func (d *decoder) begin(b []byte) {
	d.b, d.off, d.depth, d.items = b, 0, 0, 0
}

func (d *decoder) end() {
	d.b = nil
	clear(d.slots)
	d.slots = d.slots[:0]
	clear(d.arrays[:cap(d.arrays)])
	d.arrays = d.arrays[:0]
	clear(d.values[:cap(d.values)])
	d.values = d.values[:0]
	if cap(d.arrays) > 1<<16 {
		d.arrays = nil
	}
	if cap(d.slots) > 1<<16 {
		d.slots = nil
	}
	if cap(d.values) > 1<<16 {
		d.values = nil
	}
}

func (d *decoder) run() (v goja.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			switch x := r.(type) {
			case decodeAbort:
				v, err = nil, x.err
			case *goja.Exception:
				v, err = nil, &DecodeError{Offset: d.off, Msg: "rebuilding a value failed", Err: x}
			case *goja.InterruptedError:
				v, err = nil, x
			default:
				panic(r)
			}
		}
	}()
	v = d.value(-1)
	if d.off != len(d.b) {
		d.fail("trailing bytes after the value")
	}
	return v, nil
}

func (d *decoder) fail(msg string) {
	panic(decodeAbort{&DecodeError{Offset: d.off, Msg: msg}})
}

func (d *decoder) failErr(msg string, err error) {
	panic(decodeAbort{&DecodeError{Offset: d.off, Msg: msg, Err: err}})
}

// head reads one CBOR head: the major type (pre-shifted), the additional
// information and its argument.
func (d *decoder) head() (major, ai byte, arg uint64) {
	major, ai, arg, next, ok := ReadCBORHead(d.b, d.off)
	if !ok {
		if d.off < len(d.b) {
			d.off++ // errors point past the initial byte
			if d.b[d.off-1]&0x1f > 27 {
				d.fail("indefinite length or reserved additional information")
			}
		}
		d.fail("unexpected end of message")
	}
	d.off = next
	return major, ai, arg
}

// take returns the next n bytes of the message, still inside b.
func (d *decoder) take(n uint64) []byte {
	if n > uint64(len(d.b)-d.off) {
		d.fail("string longer than the message")
	}
	p := d.b[d.off : d.off+int(n)]
	d.off += int(n)
	return p
}

// count charges n more data items against the limit. Every item takes at
// least one byte, so a well-formed message cannot promise more items than
// it has bytes left; checking that first rejects absurd lengths before any
// allocation is sized by them.
func (d *decoder) count(n uint64) {
	if n > uint64(len(d.b)-d.off) {
		d.fail("container claims more items than the message holds")
	}
	d.items += int(n)
	if d.items > d.c.limits.MaxItems {
		d.fail("more than " + strconv.Itoa(d.c.limits.MaxItems) + " items")
	}
}

func (d *decoder) enter() {
	d.depth++
	if d.depth > d.c.limits.MaxDepth {
		d.fail("nested more than " + strconv.Itoa(d.c.limits.MaxDepth) + " levels deep")
	}
}

// value decodes one item. slot is the shareable slot this item fills (-1
// for none): containers store themselves there before decoding their
// contents, so that references back to them (cycles) resolve.
func (d *decoder) value(slot int) goja.Value {
	rt := d.c.rt
	major, ai, arg := d.head()
	switch major {
	case majUint:
		if arg <= math.MaxInt64 {
			return rt.ToValue(int64(arg))
		}
		return rt.ToValue(float64(arg))
	case majNegint:
		if arg <= math.MaxInt64 {
			return rt.ToValue(-1 - int64(arg))
		}
		return rt.ToValue(-1 - float64(arg))
	case majBytes:
		return d.bytesValue(d.take(arg))
	case majText:
		return rt.ToValue(d.text(arg))
	case majArray:
		return d.array(arg, slot)
	case majMap:
		return d.object(arg, slot)
	case majTag:
		return d.tagged(arg, slot)
	default: // majSimple
		return d.simple(ai, arg)
	}
}

func (d *decoder) simple(ai byte, arg uint64) goja.Value {
	switch ai {
	case 20:
		return d.c.rt.ToValue(false)
	case 21:
		return d.c.rt.ToValue(true)
	case 22:
		return goja.Null()
	case 23:
		return goja.Undefined()
	case 25:
		return d.c.rt.ToValue(float64(float16.Frombits(uint16(arg)).Float32()))
	case 26:
		return d.c.rt.ToValue(float64(math.Float32frombits(uint32(arg))))
	case 27:
		return d.c.rt.ToValue(math.Float64frombits(arg))
	}
	d.fail("unsupported simple value " + strconv.FormatUint(arg, 10))
	return nil
}

func (d *decoder) text(n uint64) string {
	p := d.take(n)
	if !utf8.Valid(p) {
		d.fail("text string is not valid UTF-8")
	}
	return string(p)
}

// key reads a text string used as a property name, interning it: the same
// few names recur in every message of a queue.
func (d *decoder) key() string {
	major, _, n := d.head()
	if major != majText {
		d.fail("object keys must be text strings")
	}
	p := d.take(n)
	if k, ok := d.keys[string(p)]; ok {
		return k
	}
	if !utf8.Valid(p) {
		d.fail("text string is not valid UTF-8")
	}
	k := string(p)
	if len(k) <= 32 {
		if d.keys == nil {
			d.keys = make(map[string]string)
		}
		if len(d.keys) < 4096 {
			d.keys[k] = k
		}
	}
	return k
}

func (d *decoder) bytesValue(p []byte) goja.Value {
	b := make([]byte, len(p))
	copy(b, p)
	if f := d.c.hooks.NewBytes; f != nil {
		return f(b)
	}
	return d.construct(d.c.in.typedCtors[tagUint8], d.c.rt.ToValue(d.c.rt.NewArrayBuffer(b)))
}

func (d *decoder) construct(ctor *goja.Object, args ...goja.Value) *goja.Object {
	o, err := d.c.rt.New(ctor, args...)
	if err != nil {
		d.failErr("rebuilding a value failed", err)
	}
	return o
}

func (d *decoder) call(f goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	v, err := f(this, args...)
	if err != nil {
		d.failErr("rebuilding a value failed", err)
	}
	return v
}

func (d *decoder) array(n uint64, slot int) goja.Value {
	d.count(n)
	d.enter()
	defer func() { d.depth-- }()
	rt := d.c.rt
	if slot >= 0 {
		// Shared, maybe cyclic: the array must exist before its elements.
		arr := rt.NewArray()
		d.slots[slot] = arr
		start := len(d.values)
		for i := uint64(0); i < n; i++ {
			d.values = append(d.values, d.value(-1))
		}
		d.call(d.c.in.arrayPush, arr, d.values[start:]...)
		clear(d.values[start:])
		d.values = d.values[:start]
		return arr
	}
	start := len(d.arrays)
	for i := uint64(0); i < n; i++ {
		d.arrays = append(d.arrays, d.value(-1))
	}
	arr := rt.NewArray(d.arrays[start:]...)
	clear(d.arrays[start:])
	d.arrays = d.arrays[:start]
	return arr
}

func (d *decoder) object(n uint64, slot int) goja.Value {
	d.count(2 * n)
	d.enter()
	defer func() { d.depth-- }()
	o := d.c.rt.NewObject()
	if slot >= 0 {
		d.slots[slot] = o
	}
	for i := uint64(0); i < n; i++ {
		k := d.key()
		d.define(o, k, d.value(-1))
	}
	return o
}

// define creates an own enumerable data property, as structured clone's
// CreateDataProperty does: "__proto__" becomes a property, not a prototype
// change, and no setter on the prototype runs.
func (d *decoder) define(o *goja.Object, k string, v goja.Value) {
	if err := o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
		d.failErr("setting property "+strconv.Quote(k), err)
	}
}

func (d *decoder) tagged(tag uint64, slot int) goja.Value {
	rt := d.c.rt
	switch {
	case tag == tagShareable:
		idx := len(d.slots)
		d.slots = append(d.slots, nil)
		v := d.value(idx)
		d.slots[idx] = v
		return v
	case tag == tagSharedRef:
		major, _, idx := d.head()
		if major != majUint || idx >= uint64(len(d.slots)) {
			d.fail("shared reference to an unknown value")
		}
		v := d.slots[idx]
		if v == nil {
			d.fail("shared reference to a value that is still being built")
		}
		return v
	case tag == tagEpoch:
		major, ai, arg := d.head()
		var secs float64
		switch major {
		case majUint:
			secs = float64(arg)
		case majNegint:
			secs = -1 - float64(arg)
		case majSimple:
			if ai < 25 || ai > 27 {
				d.fail("tag 1 needs a number")
			}
			secs = d.simple(ai, arg).ToFloat()
		default:
			d.fail("tag 1 needs a number")
		}
		return d.date(math.Round(secs * 1000))
	case tag == tagDateString:
		major, _, n := d.head()
		if major != majText {
			d.fail("tag 0 needs a text string")
		}
		t, err := time.Parse(time.RFC3339Nano, d.text(n))
		if err != nil {
			d.failErr("tag 0 needs an RFC 3339 date", err)
		}
		return d.date(float64(t.UnixMilli()))
	case tag == tagPosBignum || tag == tagNegBignum:
		major, _, n := d.head()
		if major != majBytes {
			d.fail("bignum tag needs a byte string")
		}
		x := new(big.Int).SetBytes(d.take(n))
		if tag == tagNegBignum {
			x.Add(x, big.NewInt(1)).Neg(x)
		}
		return rt.ToValue(x)
	case tag >= tagTypedFirst && tag <= tagTypedLast:
		return d.typedArray(tag)
	case tag == tagSet:
		return d.set(slot)
	case tag == tagMap:
		return d.mapValue(slot)
	case tag == tagGeneric:
		return d.generic(slot)
	case tag == tagSelfDescrib:
		return d.value(slot)
	}
	d.fail("unsupported tag " + strconv.FormatUint(tag, 10))
	return nil
}

func (d *decoder) date(ms float64) goja.Value {
	return d.construct(d.c.in.dateCtor, d.c.rt.ToValue(ms))
}

func (d *decoder) typedArray(tag uint64) goja.Value {
	ctor := d.c.in.typedCtors[tag]
	if ctor == nil {
		d.fail("unsupported typed-array tag " + strconv.FormatUint(tag, 10))
	}
	major, _, n := d.head()
	if major != majBytes {
		d.fail("typed-array tag needs a byte string")
	}
	p := d.take(n)
	size := typedElemSize(tag)
	if len(p)%size != 0 {
		d.fail("typed-array length is not a multiple of its element size")
	}
	// A fresh allocation is 8-byte aligned, as multi-byte views need.
	b := make([]byte, len(p))
	littleOnWire := tag&4 != 0 || size == 1
	if littleOnWire == hostLittleEndian {
		copy(b, p)
	} else {
		appendSwapped(b[:0], p, size)
	}
	rt := d.c.rt
	return d.construct(ctor, rt.ToValue(rt.NewArrayBuffer(b)))
}

func (d *decoder) set(slot int) goja.Value {
	major, _, n := d.head()
	if major != majArray {
		d.fail("tag 258 needs an array")
	}
	d.count(n)
	d.enter()
	defer func() { d.depth-- }()
	s := d.construct(d.c.in.setCtor)
	if slot >= 0 {
		d.slots[slot] = s
	}
	for i := uint64(0); i < n; i++ {
		d.call(d.c.in.setAdd, s, d.value(-1))
	}
	return s
}

func (d *decoder) mapValue(slot int) goja.Value {
	major, _, n := d.head()
	if major != majMap {
		d.fail("tag 259 needs a map")
	}
	d.count(2 * n)
	d.enter()
	defer func() { d.depth-- }()
	m := d.construct(d.c.in.mapCtor)
	if slot >= 0 {
		d.slots[slot] = m
	}
	for i := uint64(0); i < n; i++ {
		k := d.value(-1)
		v := d.value(-1)
		d.call(d.c.in.mapSet, m, k, v)
	}
	return m
}

// generic decodes 27([name, args...]).
func (d *decoder) generic(slot int) goja.Value {
	major, _, n := d.head()
	if major != majArray || n < 1 {
		d.fail("tag 27 needs an array starting with a type name")
	}
	d.count(n)
	d.enter()
	defer func() { d.depth-- }()
	major, _, l := d.head()
	if major != majText {
		d.fail("tag 27 needs an array starting with a type name")
	}
	name := string(d.take(l))
	args := n - 1
	want := func(lo, hi uint64) {
		if args < lo || args > hi {
			d.fail("wrong number of arguments for " + strconv.Quote(name))
		}
	}
	rt := d.c.rt
	switch name {
	case genUTF16:
		want(1, 1)
		p := d.byteString()
		if len(p)%2 != 0 {
			d.fail("UTF16 string of odd length")
		}
		u := make([]uint16, len(p)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(p[2*i:])
		}
		return goja.StringFromUTF16(u)
	case genRegExp:
		want(2, 2)
		src := d.stringValue()
		flags := d.stringValue()
		return d.construct(d.c.in.regexpCtor, src, flags)
	case genArrayBuffer:
		want(1, 1)
		p := d.byteString()
		return rt.ToValue(rt.NewArrayBuffer(append([]byte(nil), p...)))
	case genDataView:
		want(1, 1)
		p := d.byteString()
		buf := rt.ToValue(rt.NewArrayBuffer(append([]byte(nil), p...)))
		return d.construct(d.c.in.dataViewCtor, buf)
	case genDate:
		want(1, 1)
		return d.date(d.number())
	case genObject:
		want(1, 1)
		p := d.value(-1)
		if _, isObj := p.(*goja.Object); isObj || goja.IsUndefined(p) || goja.IsNull(p) {
			d.fail("Object() box needs a number, string, boolean or bigint")
		}
		return d.call(d.c.in.objectFn, goja.Undefined(), p)
	case genArray:
		want(2, 2)
		return d.sparseArray(slot)
	case genError:
		want(4, 5)
		return d.errorValue(slot, args == 5)
	}
	d.fail("unknown type name " + strconv.Quote(name) + " in tag 27")
	return nil
}

func (d *decoder) byteString() []byte {
	major, _, n := d.head()
	if major != majBytes {
		d.fail("expected a byte string")
	}
	return d.take(n)
}

// stringValue reads a string, in either of its encodings.
func (d *decoder) stringValue() goja.Value {
	v := d.value(-1)
	if _, ok := v.(goja.String); !ok {
		d.fail("expected a string")
	}
	return v
}

func (d *decoder) number() float64 {
	v := d.value(-1)
	if !goja.IsNumber(v) {
		d.fail("expected a number")
	}
	return v.ToFloat()
}

// maxArrayLength is the largest ECMAScript array length, 2^32-1.
const maxArrayLength = math.MaxUint32

func (d *decoder) sparseArray(slot int) goja.Value {
	major, _, length := d.head()
	if major != majUint || length > maxArrayLength {
		d.fail("array length must be an integer below 2^32")
	}
	arr := d.c.rt.NewArray()
	if slot >= 0 {
		d.slots[slot] = arr
	}
	if err := arr.Set("length", length); err != nil {
		d.failErr("setting array length", err)
	}
	major, _, n := d.head()
	if major != majMap {
		d.fail("sparse array needs a map of properties")
	}
	d.count(2 * n)
	for i := uint64(0); i < n; i++ {
		var k string
		if d.off < len(d.b) && d.b[d.off]&0xe0 == majUint {
			_, _, idx := d.head()
			if idx >= maxArrayLength {
				d.fail("array index out of range")
			}
			k = strconv.FormatUint(idx, 10)
		} else {
			k = d.key()
		}
		d.define(arr, k, d.value(-1))
	}
	return arr
}

func (d *decoder) errorValue(slot int, hasCause bool) goja.Value {
	name := d.stringValue().String()
	msg := d.stringValue().String()
	stack := d.value(-1)
	if _, ok := stack.(goja.String); !ok && !goja.IsNull(stack) {
		d.fail("error stack must be a string or null")
	}
	e := d.newError(name, msg)
	if slot >= 0 {
		d.slots[slot] = e
	}
	if !goja.IsNull(stack) {
		if err := e.DefineDataProperty("stack", stack, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			d.failErr("setting the error's stack", err)
		}
	}
	major, _, n := d.head()
	if major != majMap {
		d.fail("error extras must be a map")
	}
	d.count(2 * n)
	for i := uint64(0); i < n; i++ {
		k := d.key()
		if err := e.DefineDataProperty(k, d.value(-1), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			d.failErr("setting error property "+strconv.Quote(k), err)
		}
	}
	if hasCause {
		if err := e.DefineDataProperty("cause", d.value(-1), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			d.failErr("setting the error's cause", err)
		}
	}
	return e
}

func (d *decoder) newError(name, msg string) *goja.Object {
	rt := d.c.rt
	if f := d.c.hooks.NewError; f != nil {
		if e := f(name, msg); e != nil {
			return e
		}
		d.fail("the engine could not build an error named " + strconv.Quote(name))
	}
	ctor := d.c.in.errorCtors[name]
	if ctor == nil {
		e := d.construct(d.c.in.errorCtors["Error"], rt.ToValue(msg))
		if err := e.DefineDataProperty("name", rt.ToValue(name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			d.failErr("setting the error's name", err)
		}
		return e
	}
	return d.construct(ctor, rt.ToValue(msg))
}
