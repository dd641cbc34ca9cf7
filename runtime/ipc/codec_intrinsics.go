package ipc

import (
	"fmt"
	"reflect"

	"github.com/dop251/goja"
)

// intrinsics are the built-ins the codec uses, captured once from a pristine
// runtime. Calling the prototype methods directly (rather than looking them
// up on each value) both resists monkey-patching and performs the brand
// checks the HTML algorithm relies on: Map.prototype.forEach throws on
// anything that is not a real Map.
type intrinsics struct {
	objectProto   *goja.Object
	objectFn      goja.Callable // Object(v): boxes a primitive
	arrayPush     goja.Callable
	mapCtor       *goja.Object
	mapForEach    goja.Callable
	mapSet        goja.Callable
	setCtor       *goja.Object
	setForEach    goja.Callable
	setAdd        goja.Callable
	dateCtor      *goja.Object
	dateGetTime   goja.Callable
	regexpCtor    *goja.Object
	regexpSource  goja.Callable
	regexpFlags   goja.Callable
	typedTag      goja.Callable // %TypedArray%.prototype[@@toStringTag] getter
	dataViewCtor  *goja.Object
	dataViewProto *goja.Object
	dataViewLen   goja.Callable // DataView.prototype.byteLength getter
	weakMapProto  *goja.Object
	weakSetProto  *goja.Object
	iteratorProto *goja.Object // %IteratorPrototype%: generators and built-in iterators
	numberValueOf goja.Callable
	stringValueOf goja.Callable
	boolValueOf   goja.Callable
	bigintValueOf goja.Callable
	errorCtors    map[string]*goja.Object // standard error constructors by name
	typedCtors    map[uint64]*goja.Object // typed-array constructor by RFC 8746 tag (LE and byte forms)

	// Export types goja reports for the object kinds that share the class
	// name "Object"; comparing reflect.Type values is the cheapest public
	// way to tell them apart.
	tMap, tSet, tPlain, tProxy, tPromise, tArrayBuffer, tSymbolBox, tBigIntBox reflect.Type
	tTyped                                                                     map[reflect.Type]uint64
}

const captureScript = `(function () {
	var d = function (o, k) { return Object.getOwnPropertyDescriptor(o, k).get; };
	var TA = Object.getPrototypeOf(Int8Array.prototype);
	return {
		objectProto: Object.prototype, objectFn: Object, arrayPush: Array.prototype.push,
		mapCtor: Map, mapForEach: Map.prototype.forEach, mapSet: Map.prototype.set,
		setCtor: Set, setForEach: Set.prototype.forEach, setAdd: Set.prototype.add,
		dateCtor: Date, dateGetTime: Date.prototype.getTime,
		regexpCtor: RegExp, regexpSource: d(RegExp.prototype, 'source'), regexpFlags: d(RegExp.prototype, 'flags'),
		typedTag: d(TA, Symbol.toStringTag),
		dataViewCtor: DataView, dataViewProto: DataView.prototype, dataViewLen: d(DataView.prototype, 'byteLength'),
		weakMapProto: WeakMap.prototype, weakSetProto: WeakSet.prototype,
		iteratorProto: Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
		numberValueOf: Number.prototype.valueOf, stringValueOf: String.prototype.valueOf,
		boolValueOf: Boolean.prototype.valueOf, bigintValueOf: BigInt.prototype.valueOf,
		errors: {Error: Error, TypeError: TypeError, RangeError: RangeError, SyntaxError: SyntaxError,
			ReferenceError: ReferenceError, EvalError: EvalError, URIError: URIError},
		typed: [Uint8Array, Uint8ClampedArray, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array,
			BigUint64Array, BigInt64Array, Float32Array, Float64Array],
		samples: [new Map(), new Set(), {}, new Proxy({}, {}), Promise.resolve(), new ArrayBuffer(0),
			Object(Symbol()), Object(0n)]
	};
})()`

func (in *intrinsics) capture(rt *goja.Runtime) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ipc: capturing built-ins: %v", r)
		}
	}()
	v, err := rt.RunString(captureScript)
	if err != nil {
		return fmt.Errorf("ipc: capturing built-ins: %w", err)
	}
	o := v.ToObject(rt)
	obj := func(k string) *goja.Object { return o.Get(k).ToObject(rt) }
	fn := func(k string) goja.Callable {
		f, ok := goja.AssertFunction(o.Get(k))
		if !ok {
			panic("missing " + k)
		}
		return f
	}
	in.objectProto = obj("objectProto")
	in.objectFn = fn("objectFn")
	in.arrayPush = fn("arrayPush")
	in.mapCtor, in.mapForEach, in.mapSet = obj("mapCtor"), fn("mapForEach"), fn("mapSet")
	in.setCtor, in.setForEach, in.setAdd = obj("setCtor"), fn("setForEach"), fn("setAdd")
	in.dateCtor, in.dateGetTime = obj("dateCtor"), fn("dateGetTime")
	in.regexpCtor, in.regexpSource, in.regexpFlags = obj("regexpCtor"), fn("regexpSource"), fn("regexpFlags")
	in.typedTag = fn("typedTag")
	in.dataViewCtor, in.dataViewProto, in.dataViewLen = obj("dataViewCtor"), obj("dataViewProto"), fn("dataViewLen")
	in.weakMapProto, in.weakSetProto = obj("weakMapProto"), obj("weakSetProto")
	in.iteratorProto = obj("iteratorProto")
	in.numberValueOf, in.stringValueOf = fn("numberValueOf"), fn("stringValueOf")
	in.boolValueOf, in.bigintValueOf = fn("boolValueOf"), fn("bigintValueOf")

	in.errorCtors = map[string]*goja.Object{}
	errs := obj("errors")
	for _, k := range errs.Keys() {
		in.errorCtors[k] = errs.Get(k).ToObject(rt)
	}

	typed := obj("typed")
	tags := []uint64{tagUint8, tagUint8Clamped, tagInt8, tagUint16LE, tagInt16LE, tagUint32LE, tagInt32LE,
		tagBigUint64LE, tagBigInt64LE, tagFloat32LE, tagFloat64LE}
	in.typedCtors = map[uint64]*goja.Object{}
	in.tTyped = map[reflect.Type]uint64{}
	for i, tag := range tags {
		ctor := typed.Get(fmt.Sprint(i)).ToObject(rt)
		in.typedCtors[tag] = ctor
		if be, ok := bigEndianTag(tag); ok {
			in.typedCtors[be] = ctor
		}
		if tag == tagUint8Clamped {
			continue // same export type as Uint8Array; told apart by @@toStringTag
		}
		sample, err := rt.New(ctor)
		if err != nil {
			return err
		}
		in.tTyped[sample.ExportType()] = tag
	}

	samples := obj("samples")
	st := func(i int) reflect.Type { return samples.Get(fmt.Sprint(i)).ToObject(rt).ExportType() }
	in.tMap, in.tSet, in.tPlain, in.tProxy = st(0), st(1), st(2), st(3)
	in.tPromise, in.tArrayBuffer, in.tSymbolBox, in.tBigIntBox = st(4), st(5), st(6), st(7)
	return nil
}

// bigEndianTag maps a little-endian RFC 8746 tag to its big-endian twin
// (bit 2 clear); single-byte element types have none.
func bigEndianTag(tag uint64) (uint64, bool) {
	if tag&3 == 0 || tag&4 == 0 {
		return 0, false
	}
	return tag &^ 4, true
}
