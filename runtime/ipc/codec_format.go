package ipc

// Wire format of the value codec.
//
// One message is exactly one CBOR data item (RFC 8949) with definite
// lengths only. JavaScript values map to it as follows; everything else is
// refused by the encoder with an *UnsendableError.
//
//	undefined               simple value 23
//	null                    simple value 22
//	true, false             simple values 21, 20
//	Number, integral        major type 0/1 integer (|n| <= 2^53, not -0)
//	Number, other           float64; NaN, ±Infinity and -0 as float16
//	BigInt                  tag 2 / tag 3 bignum (always, even when small,
//	                        so that 1n does not come back as 1)
//	string                  text string; a string holding an unpaired UTF-16
//	                        surrogate (not representable in UTF-8) is
//	                        27(["UTF16", bytes of UTF-16LE code units])
//	plain object            map with text-string keys, in property order
//	Array                   array of its elements (a dense array without
//	                        holes); an array with holes, or a very long
//	                        sparse one, is 27(["Array", length, map]) whose
//	                        map holds the own enumerable properties, integer
//	                        keys for indices and text keys for the others
//	Map                     tag 259 (map with keys of any type), entries
//	                        in insertion order
//	Set                     tag 258 (finite set) over an array, in order
//	Date                    tag 1 with epoch seconds (integer, or float when
//	                        that keeps the exact millisecond); otherwise
//	                        27(["Date", milliseconds]); an invalid Date is
//	                        tag 1 over NaN
//	RegExp                  27(["RegExp", source, flags])
//	Bytes (engine class)    byte string
//	Uint8Array etc.         RFC 8746 typed-array tags, little-endian:
//	                        64 Uint8, 68 Uint8Clamped, 72 Int8, 69 Uint16,
//	                        77 Int16, 70 Uint32, 78 Int32, 71 BigUint64,
//	                        79 BigInt64, 85 Float32, 86 Float64; the decoder
//	                        also accepts the big-endian tags 65-67, 73-75,
//	                        81, 82
//	ArrayBuffer             27(["ArrayBuffer", bytes])
//	DataView                27(["DataView", bytes])
//	Error                   27(["Error", name, message, stack or null,
//	                        {own enumerable extras}, cause?]); cause only
//	                        when the error has an own "cause" property
//	Number/String/Boolean/  27(["Object", primitive]): the wrapper object
//	BigInt wrapper objects  Object(primitive)
//
// Tag 27 is the registered "generic object" tag (type name, then
// constructor arguments; http://cbor.schmorp.de/generic-object); using it
// for the JavaScript-specific kinds avoids inventing private tag numbers.
//
// Identity: an object reached more than once in the graph is written once,
// wrapped in tag 28 (shareable), and every later occurrence is tag 29
// (sharedref) with the index of that shareable in order of appearance
// (http://cbor.schmorp.de/value-sharing). So `x = {p: a, q: a}` decodes with
// `x.p === x.q`, and `o.self = o` decodes to a cycle. Only objects that are
// actually shared carry tag 28, so ordinary messages pay nothing for it.
//
// Copy semantics that differ from the original value (all as in HTML's
// structured clone unless noted):
//   - Objects of any prototype that are ordinary objects (class instances
//     included) arrive as plain objects carrying their own enumerable string
//     properties; methods on the prototype are not sent. Symbol-keyed
//     properties and non-enumerable ones are dropped; getters are called.
//   - Extra named properties on a dense array (no holes) are dropped
//     (HTML keeps them; we keep speed). An array with holes keeps its holes
//     and its named properties.
//   - A typed array, DataView or Bytes carries only the bytes it views: it
//     arrives with a fresh ArrayBuffer of its own, byteOffset 0. Two views
//     of one buffer arrive as views of two buffers.
//   - Property names containing unpaired surrogates are not preserved
//     (goja exposes property names as UTF-8 Go strings).
//   - An Error arrives as an instance of the class the engine registers for
//     its name (Hooks.NewError), with the sender's stack.

// Tag numbers used by the codec.
const (
	tagDateString  = 0     // RFC 8949 standard date/time string (decode only)
	tagEpoch       = 1     // RFC 8949 epoch-based date/time
	tagPosBignum   = 2     // RFC 8949 unsigned bignum
	tagNegBignum   = 3     // RFC 8949 negative bignum
	tagGeneric     = 27    // serialised object with type name and arguments
	tagShareable   = 28    // value-sharing: marks a value that is referenced again
	tagSharedRef   = 29    // value-sharing: reference to the n-th shareable
	tagTypedFirst  = 64    // RFC 8746: first typed-array tag
	tagTypedLast   = 87    // RFC 8746: last typed-array tag
	tagSet         = 258   // finite set (array of distinct members)
	tagMap         = 259   // map with keys of any type
	tagSelfDescrib = 55799 // self-described CBOR (ignored on decode)
)

// RFC 8746 typed-array tags written by the encoder (little-endian forms).
const (
	tagUint8        = 64
	tagUint16LE     = 69
	tagUint32LE     = 70
	tagBigUint64LE  = 71
	tagUint8Clamped = 68
	tagInt8         = 72
	tagInt16LE      = 77
	tagInt32LE      = 78
	tagBigInt64LE   = 79
	tagFloat32LE    = 85
	tagFloat64LE    = 86
)

// Type names inside tag 27.
const (
	genRegExp      = "RegExp"
	genArrayBuffer = "ArrayBuffer"
	genDataView    = "DataView"
	genError       = "Error"
	genArray       = "Array"
	genDate        = "Date"
	genObject      = "Object"
	genUTF16       = "UTF16"
)
