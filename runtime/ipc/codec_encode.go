package ipc

import (
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// Encode returns the CBOR encoding of v (see codec_format.go). Paths in an
// *UnsendableError start at "value"; use AppendEncode to name the root.
// A JavaScript exception thrown by a getter while reading v is returned as
// the *goja.Exception itself.
func (c *Codec) Encode(v goja.Value) ([]byte, error) {
	return c.AppendEncode(nil, "value", v)
}

// AppendEncode appends the encoding of v to dst and returns the extended
// slice, like append: callers that frame messages can reserve header space
// in dst and send header and payload with one write. root names v in error
// paths (for example "args" gives "args[1].cb"). On error dst is returned
// unchanged (its spare capacity may have been written).
func (c *Codec) AppendEncode(dst []byte, root string, v goja.Value) (out []byte, err error) {
	if err := c.ready(); err != nil {
		return dst, err
	}
	e := &c.enc
	e.begin(dst, root)
	defer e.end()
	if err := e.run(v); err != nil {
		return dst, err
	}
	return e.finish(), nil
}

// encodeAbort carries an error out of the recursive encoder by panic: the
// happy path then pays nothing for error propagation.
type encodeAbort struct{ err error }

// pathSeg is one step of the path to the value being encoded. Paths are
// only rendered to text when an error is reported.
type pathSeg struct {
	kind uint8
	idx  int
	key  string
}

const (
	segKey      = iota // .name or ["odd name"]
	segIndex           // [i]
	segMapKey          // .keys()[i]
	segMapValue        // .get(KEY)
	segSetItem         // .values()[i]
)

type refFix struct {
	pos int    // offset of the placeholder in buf
	ord uint32 // ordinal of the object referred to
}

// smallSeen is how many objects are tracked by linear search before the
// encoder switches to a map; most messages hold a handful of objects.
const smallSeen = 16

type encoder struct {
	c     *Codec
	buf   []byte
	base  int // len(dst): bytes before the message that must be kept
	root  string
	depth int

	objs   []*goja.Object // objects by ordinal (order of first appearance)
	starts []int          // offset in buf where each object's encoding begins
	shared []bool         // whether the object is referenced again
	index  map[*goja.Object]uint32
	fixes  []refFix

	path    []pathSeg
	tmp     []goja.Value // stack of collected Map/Set entries
	u16     []uint16
	collect goja.Value // JS callback appending Map/Set entries to tmp
	pairs   bool       // collect appends (key, value) rather than value
}

func (e *encoder) begin(dst []byte, root string) {
	e.buf = dst
	e.base = len(dst)
	e.root = root
	e.depth = 0
	if e.collect == nil {
		e.collect = e.c.rt.ToValue(func(call goja.FunctionCall) goja.Value {
			if e.pairs {
				e.tmp = append(e.tmp, call.Argument(1), call.Argument(0))
			} else {
				e.tmp = append(e.tmp, call.Argument(0))
			}
			return goja.Undefined()
		})
	}
}

// end drops references to the message's objects so that the scratch state
// does not keep them alive, and trims scratch space a huge message grew.
func (e *encoder) end() {
	clear(e.objs)
	e.objs = e.objs[:0]
	e.starts = e.starts[:0]
	e.shared = e.shared[:0]
	e.fixes = e.fixes[:0]
	e.index = nil
	clear(e.tmp[:cap(e.tmp)])
	e.tmp = e.tmp[:0]
	e.path = e.path[:0]
	e.buf = nil
	if cap(e.objs) > 1<<16 {
		e.objs, e.starts, e.shared = nil, nil, nil
	}
	if cap(e.tmp) > 1<<16 {
		e.tmp = nil
	}
}

func (e *encoder) run(v goja.Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch x := r.(type) {
			case encodeAbort:
				err = x.err
			case *goja.Exception:
				err = x
			case *goja.InterruptedError:
				err = x
			default:
				panic(r)
			}
		}
	}()
	e.value(v)
	return nil
}

func (e *encoder) fail(what, rule string) {
	panic(encodeAbort{&UnsendableError{Path: e.renderPath(), What: what, Rule: rule}})
}

// check turns an error from a captured built-in into an abort.
func (e *encoder) check(err error) {
	if err != nil {
		panic(encodeAbort{err})
	}
}

func (e *encoder) renderPath() string {
	var sb strings.Builder
	sb.WriteString(e.root)
	for _, s := range e.path {
		switch s.kind {
		case segKey:
			if isIdentifier(s.key) {
				sb.WriteByte('.')
				sb.WriteString(s.key)
			} else {
				sb.WriteByte('[')
				sb.WriteString(strconv.Quote(s.key))
				sb.WriteByte(']')
			}
		case segIndex:
			sb.WriteByte('[')
			sb.WriteString(strconv.Itoa(s.idx))
			sb.WriteByte(']')
		case segMapKey:
			sb.WriteString(".keys()[")
			sb.WriteString(strconv.Itoa(s.idx))
			sb.WriteByte(']')
		case segMapValue:
			sb.WriteString(".get(")
			sb.WriteString(s.key)
			sb.WriteByte(')')
		case segSetItem:
			sb.WriteString(".values()[")
			sb.WriteString(strconv.Itoa(s.idx))
			sb.WriteByte(']')
		}
	}
	return sb.String()
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

var (
	typeInt64  = reflect.TypeOf(int64(0))
	typeFloat  = reflect.TypeOf(float64(0))
	typeBool   = reflect.TypeOf(false)
	typeBigInt = reflect.TypeOf((*big.Int)(nil))
	typeBytes  = reflect.TypeOf([]byte(nil))
)

func (e *encoder) value(v goja.Value) {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, cborUndefined)
	case *goja.Object:
		e.object(x)
	case goja.String:
		e.str(x)
	case *goja.Symbol:
		e.fail("symbol", "symbols cannot be sent between processes")
	default:
		// goja's primitive types are unexported; their export type is the
		// cheapest public discriminator.
		switch t := v.ExportType(); t {
		case typeInt64:
			e.buf = appendInt(e.buf, v.ToInteger())
		case typeFloat:
			e.buf = appendNumber(e.buf, v.ToFloat())
		case typeBool:
			if v.ToBoolean() {
				e.buf = append(e.buf, cborTrue)
			} else {
				e.buf = append(e.buf, cborFalse)
			}
		case nil:
			if goja.IsUndefined(v) {
				e.buf = append(e.buf, cborUndefined)
			} else {
				e.buf = append(e.buf, cborNull)
			}
		case typeBigInt:
			e.bigint(v.Export().(*big.Int))
		default:
			e.fail("value of Go type "+t.String(), "only JavaScript data can be sent between processes")
		}
	}
}

// str writes a string exactly, UTF-16 code unit for code unit. goja hands
// out strings as UTF-8, replacing unpaired surrogates with U+FFFD, so a
// string that is not plain valid UTF-8 free of U+FFFD is re-read by code
// unit to decide.
func (e *encoder) str(s goja.String) {
	gs := s.String()
	if utf8.ValidString(gs) && !strings.Contains(gs, "\uFFFD") {
		e.buf = appendText(e.buf, gs)
		return
	}
	n := s.Length()
	u := e.u16[:0]
	for i := 0; i < n; i++ {
		u = append(u, s.CharAt(i))
	}
	e.u16 = u[:0]
	if !hasLoneSurrogate(u) {
		e.buf = appendText(e.buf, string(utf16.Decode(u)))
		return
	}
	e.buf = append(e.buf, majTag|24, tagGeneric, majArray|2)
	e.buf = appendText(e.buf, genUTF16)
	e.buf = appendHead(e.buf, majBytes, uint64(2*len(u)))
	for _, c := range u {
		e.buf = append(e.buf, byte(c), byte(c>>8))
	}
}

func hasLoneSurrogate(u []uint16) bool {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 0xD800 && c <= 0xDBFF:
			if i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] <= 0xDFFF {
				i++
				continue
			}
			return true
		case c >= 0xDC00 && c <= 0xDFFF:
			return true
		}
	}
	return false
}

func (e *encoder) bigint(x *big.Int) {
	if x.Sign() >= 0 {
		e.buf = append(e.buf, majTag|tagPosBignum)
		e.buf = appendBytes(e.buf, x.Bytes())
		return
	}
	// Tag 3 holds -1-x, i.e. |x|-1.
	m := new(big.Int).Neg(x)
	m.Sub(m, big.NewInt(1))
	e.buf = append(e.buf, majTag|tagNegBignum)
	e.buf = appendBytes(e.buf, m.Bytes())
}

// lookup returns the ordinal of an object already written in this message.
func (e *encoder) lookup(o *goja.Object) (uint32, bool) {
	if e.index != nil {
		ord, ok := e.index[o]
		return ord, ok
	}
	for i, x := range e.objs {
		if x == o {
			return uint32(i), true
		}
	}
	return 0, false
}

func (e *encoder) register(o *goja.Object) {
	ord := uint32(len(e.objs))
	e.objs = append(e.objs, o)
	e.starts = append(e.starts, len(e.buf))
	e.shared = append(e.shared, false)
	switch {
	case e.index != nil:
		e.index[o] = ord
	case len(e.objs) > smallSeen:
		e.index = make(map[*goja.Object]uint32, 2*len(e.objs))
		for i, x := range e.objs {
			e.index[x] = uint32(i)
		}
	}
}

// finish inserts tag 28 before every object that is referenced again and
// rewrites the fixed-width reference placeholders as 29(index), where index
// counts the shareables in order of appearance, as the decoder will.
func (e *encoder) finish() []byte {
	if len(e.fixes) == 0 {
		return e.buf
	}
	final := make([]uint32, len(e.objs))
	var n uint32
	for ord, sh := range e.shared {
		if sh {
			final[ord] = n
			n++
		}
	}
	buf := e.buf
	out := make([]byte, 0, len(buf)+2*int(n)+2*len(e.fixes))
	out = append(out, buf[:e.base]...)
	last := e.base
	ord, fi := 0, 0
	for {
		for ord < len(e.shared) && !e.shared[ord] {
			ord++
		}
		nextObj, nextFix := math.MaxInt, math.MaxInt
		if ord < len(e.shared) {
			nextObj = e.starts[ord]
		}
		if fi < len(e.fixes) {
			nextFix = e.fixes[fi].pos
		}
		if nextObj == math.MaxInt && nextFix == math.MaxInt {
			break
		}
		if nextObj < nextFix {
			out = append(out, buf[last:nextObj]...)
			out = append(out, majTag|24, tagShareable)
			last = nextObj
			ord++
		} else {
			out = append(out, buf[last:nextFix]...)
			out = append(out, majTag|24, tagSharedRef)
			out = appendHead(out, majUint, uint64(final[e.fixes[fi].ord]))
			last = nextFix + sharedRefPlaceholderLen
			fi++
		}
	}
	return append(out, buf[last:]...)
}

func (e *encoder) object(o *goja.Object) {
	if ord, ok := e.lookup(o); ok {
		e.shared[ord] = true
		e.fixes = append(e.fixes, refFix{pos: len(e.buf), ord: ord})
		e.buf = appendSharedRefPlaceholder(e.buf, ord)
		return
	}
	if e.depth >= e.c.limits.MaxDepth {
		e.fail("object nested too deeply", "values nested more than "+strconv.Itoa(e.c.limits.MaxDepth)+" levels deep cannot be sent")
	}
	e.register(o)
	e.depth++
	e.objectBody(o)
	e.depth--
}

func (e *encoder) objectBody(o *goja.Object) {
	in := &e.c.in
	t := o.ExportType()
	if t == in.tProxy {
		e.fail("Proxy", "proxies cannot be sent between processes; send the target's data instead")
	}
	switch cls := o.ClassName(); cls {
	case "Object":
		switch t {
		case in.tPlain:
			e.ordinaryOrExotic(o)
		case in.tMap:
			e.mapObject(o)
		case in.tSet:
			e.setObject(o)
		case in.tArrayBuffer:
			e.generic1(genArrayBuffer)
			e.buf = appendBytes(e.buf, o.Export().(goja.ArrayBuffer).Bytes())
		case in.tPromise:
			e.fail("Promise", "a Promise cannot be sent between processes; send its result once it settles")
		case in.tSymbolBox:
			e.fail("Symbol object", "symbols cannot be sent between processes")
		case in.tBigIntBox:
			e.boxed(o, in.bigintValueOf)
		default:
			if tag, ok := in.tTyped[t]; ok {
				e.typedArray(o, tag)
				return
			}
			// A Go value exposed to scripts: copy its enumerable
			// properties like an ordinary object.
			e.plain(o)
		}
	case "Array":
		e.array(o)
	case "Error":
		e.errorObject(o)
	case "Date":
		e.date(o)
	case "RegExp":
		e.regexp(o)
	case "Number":
		e.boxed(o, in.numberValueOf)
	case "String":
		e.boxed(o, in.stringValueOf)
	case "Boolean":
		e.boxed(o, in.boolValueOf)
	case "Arguments":
		e.plain(o)
	default:
		if _, ok := goja.AssertFunction(o); ok {
			e.fail("function", "functions cannot be sent between processes (only a top-level named function can be passed to a Pool by name)")
		}
		e.fail(cls+" object", "only data (primitives, plain objects, arrays, Map, Set, Date, RegExp, Bytes, typed arrays, ArrayBuffer, Error) can be sent between processes")
	}
}

// ordinaryOrExotic handles objects goja exports as maps: ordinary objects
// of any prototype, but also WeakMap, WeakSet, DataView, generators and
// built-in iterators, which are told apart by their prototype chain (a
// DataView is then confirmed by a brand check). Objects with such internal
// state are refused, as HTML's algorithm refuses them, rather than copied
// as empty objects.
func (e *encoder) ordinaryOrExotic(o *goja.Object) {
	in := &e.c.in
	if p := o.Prototype(); p != nil && p != in.objectProto {
		for ; p != nil; p = p.Prototype() {
			switch p {
			case in.weakMapProto:
				e.fail("WeakMap", "weak collections cannot be sent between processes")
			case in.weakSetProto:
				e.fail("WeakSet", "weak collections cannot be sent between processes")
			case in.iteratorProto:
				e.fail("iterator", "iterators and generators cannot be sent between processes; send an array of their values ([...it]) instead")
			case in.dataViewProto:
				if _, err := in.dataViewLen(o); err == nil {
					var b []byte
					e.check(e.c.rt.ExportTo(o, &b))
					e.generic1(genDataView)
					e.buf = appendBytes(e.buf, b)
					return
				}
			}
		}
	}
	e.plain(o)
}

// plain writes the own enumerable string-keyed properties, in order.
func (e *encoder) plain(o *goja.Object) {
	keys := o.Keys()
	e.buf = appendHead(e.buf, majMap, uint64(len(keys)))
	e.props(o, keys)
}

func (e *encoder) props(o *goja.Object, keys []string) {
	for _, k := range keys {
		e.buf = appendText(e.buf, k)
		e.path = append(e.path, pathSeg{kind: segKey, key: k})
		e.value(o.Get(k))
		e.path = e.path[:len(e.path)-1]
	}
}

// generic1 starts 27([name, x]); the caller writes x.
func (e *encoder) generic1(name string) {
	e.buf = append(e.buf, majTag|24, tagGeneric, majArray|2)
	e.buf = appendText(e.buf, name)
}

// denseLimit is the length up to which an array is read in one go; longer
// arrays are first checked for sparseness so that `a[1e9] = 1` costs what
// it holds, not what its length says.
const denseLimit = 1 << 16

func (e *encoder) array(o *goja.Object) {
	n := o.Get("length").ToInteger()
	var keys []string
	if n > denseLimit {
		keys = o.Keys()
		if int64(len(keys)) < n {
			e.sparseArray(o, n, keys)
			return
		}
	}
	// Read all elements first: a hole (Get gives nil) switches to the
	// sparse form before anything is written.
	start := len(e.tmp)
	for i := int64(0); i < n; i++ {
		v := o.Get(indexKey(i))
		if v == nil {
			clear(e.tmp[start:])
			e.tmp = e.tmp[:start]
			e.sparseArray(o, n, keys)
			return
		}
		e.tmp = append(e.tmp, v)
	}
	e.buf = appendHead(e.buf, majArray, uint64(n))
	for i := 0; i < int(n); i++ {
		e.path = append(e.path, pathSeg{kind: segIndex, idx: i})
		e.value(e.tmp[start+i])
		e.path = e.path[:len(e.path)-1]
	}
	clear(e.tmp[start:])
	e.tmp = e.tmp[:start]
}

// indexKeys caches the decimal strings of small indices: goja reads array
// elements by property name, and formatting each index would allocate.
var indexKeys = func() []string {
	k := make([]string, 1024)
	for i := range k {
		k[i] = strconv.Itoa(i)
	}
	return k
}()

func indexKey(i int64) string {
	if i < int64(len(indexKeys)) {
		return indexKeys[i]
	}
	return strconv.FormatInt(i, 10)
}

// sparseArray writes 27(["Array", length, {index or name: value}]).
func (e *encoder) sparseArray(o *goja.Object, n int64, keys []string) {
	if keys == nil {
		keys = o.Keys()
	}
	e.buf = append(e.buf, majTag|24, tagGeneric, majArray|3)
	e.buf = appendText(e.buf, genArray)
	e.buf = appendInt(e.buf, n)
	e.buf = appendHead(e.buf, majMap, uint64(len(keys)))
	for _, k := range keys {
		if idx, ok := arrayIndex(k); ok {
			e.buf = appendHead(e.buf, majUint, uint64(idx))
			e.path = append(e.path, pathSeg{kind: segIndex, idx: int(idx)})
		} else {
			e.buf = appendText(e.buf, k)
			e.path = append(e.path, pathSeg{kind: segKey, key: k})
		}
		e.value(o.Get(k))
		e.path = e.path[:len(e.path)-1]
	}
}

// arrayIndex parses a canonical array index ("0", "17", not "017"), below
// 2^32-1 as ECMAScript defines it.
func arrayIndex(k string) (uint32, bool) {
	if k == "" || len(k) > 10 || k[0] == '0' && len(k) > 1 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n >= math.MaxUint32 {
		return 0, false
	}
	return uint32(n), true
}

func (e *encoder) mapObject(o *goja.Object) {
	in := &e.c.in
	start := len(e.tmp)
	e.pairs = true
	_, err := in.mapForEach(o, e.collect)
	e.check(err)
	n := (len(e.tmp) - start) / 2
	e.buf = append(e.buf, majTag|25, byte(tagMap>>8), byte(tagMap&0xff))
	e.buf = appendHead(e.buf, majMap, uint64(n))
	for i := 0; i < n; i++ {
		k := e.tmp[start+2*i]
		e.path = append(e.path, pathSeg{kind: segMapKey, idx: i})
		e.value(k)
		e.path[len(e.path)-1] = pathSeg{kind: segMapValue, key: keyDisplay(k, i)}
		e.value(e.tmp[start+2*i+1])
		e.path = e.path[:len(e.path)-1]
	}
	clear(e.tmp[start:])
	e.tmp = e.tmp[:start]
}

// keyDisplay renders a Map key for an error path: primitives as literals,
// objects by entry number.
func keyDisplay(k goja.Value, i int) string {
	switch x := k.(type) {
	case goja.String:
		return strconv.Quote(x.String())
	case *goja.Object, *goja.Symbol, nil:
		return "<key #" + strconv.Itoa(i) + ">"
	}
	return k.String()
}

func (e *encoder) setObject(o *goja.Object) {
	in := &e.c.in
	start := len(e.tmp)
	e.pairs = false
	_, err := in.setForEach(o, e.collect)
	e.check(err)
	n := len(e.tmp) - start
	e.buf = append(e.buf, majTag|25, byte(tagSet>>8), byte(tagSet&0xff))
	e.buf = appendHead(e.buf, majArray, uint64(n))
	for i := 0; i < n; i++ {
		e.path = append(e.path, pathSeg{kind: segSetItem, idx: i})
		e.value(e.tmp[start+i])
		e.path = e.path[:len(e.path)-1]
	}
	clear(e.tmp[start:])
	e.tmp = e.tmp[:start]
}

func (e *encoder) date(o *goja.Object) {
	t, err := e.c.in.dateGetTime(o)
	e.check(err)
	ms := t.ToFloat()
	switch {
	case math.IsNaN(ms):
		e.buf = append(e.buf, majTag|tagEpoch, cborFloat16, 0x7e, 0x00)
	case math.Mod(ms, 1000) == 0:
		e.buf = append(e.buf, majTag|tagEpoch)
		e.buf = appendInt(e.buf, int64(ms/1000))
	case math.Round(ms/1000*1000) == ms:
		e.buf = append(e.buf, majTag|tagEpoch, cborFloat64)
		e.buf = appendFloat64Bits(e.buf, ms/1000)
	default:
		e.generic1(genDate)
		e.buf = appendInt(e.buf, int64(ms))
	}
}

func appendFloat64Bits(b []byte, f float64) []byte {
	u := math.Float64bits(f)
	return append(b, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32), byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

func (e *encoder) regexp(o *goja.Object) {
	in := &e.c.in
	src, err := in.regexpSource(o)
	e.check(err)
	flags, err := in.regexpFlags(o)
	e.check(err)
	e.buf = append(e.buf, majTag|24, tagGeneric, majArray|3)
	e.buf = appendText(e.buf, genRegExp)
	e.str(toString(src))
	e.str(toString(flags))
}

// boxed writes a Number/String/Boolean/BigInt wrapper object as
// 27(["Object", primitive]); valueOf is the captured built-in, which also
// brand-checks o.
func (e *encoder) boxed(o *goja.Object, valueOf goja.Callable) {
	p, err := valueOf(o)
	e.check(err)
	e.generic1(genObject)
	e.value(p)
}

func (e *encoder) typedArray(o *goja.Object, tag uint64) {
	h := &e.c.hooks
	if tag == tagUint8 {
		if h.IsBytes != nil && h.IsBytes(o) {
			e.buf = appendBytes(e.buf, o.Export().([]byte))
			return
		}
		if name, err := e.c.in.typedTag(o); err == nil && name.String() == "Uint8ClampedArray" {
			tag = tagUint8Clamped
		}
	}
	var raw []byte
	e.check(e.c.rt.ExportTo(o, &raw))
	if tag < 256 {
		e.buf = append(e.buf, majTag|24, byte(tag))
	} else {
		e.buf = appendHead(e.buf, majTag, tag)
	}
	e.buf = appendHead(e.buf, majBytes, uint64(len(raw)))
	e.buf = appendLittleEndian(e.buf, raw, typedElemSize(tag))
}

// typedElemSize is the element size in bytes of an RFC 8746 tag.
func typedElemSize(tag uint64) int {
	ll := tag & 3
	if tag&16 != 0 { // float: ll 0..3 = 16, 32, 64, 128 bits
		return 2 << ll
	}
	return 1 << ll
}

func (e *encoder) errorObject(o *goja.Object) {
	name := o.Get("name")
	if name == nil || goja.IsUndefined(name) {
		name = e.c.rt.ToValue("Error")
	}
	msg := o.Get("message")
	if msg == nil || goja.IsUndefined(msg) {
		msg = e.c.rt.ToValue("")
	}
	stack := o.Get("stack")
	var extras []string
	for _, k := range o.Keys() {
		if k != "name" && k != "message" && k != "stack" {
			extras = append(extras, k)
		}
	}
	// A non-enumerable own cause (what `new Error(m, {cause})` makes)
	// travels in its own slot; an enumerable one is an ordinary extra.
	var cause goja.Value
	hasCause := false
	if !contains(extras, "cause") {
		for _, k := range o.GetOwnPropertyNames() {
			if k == "cause" {
				hasCause = true
				cause = o.Get("cause")
			}
		}
	}
	n := uint64(5)
	if hasCause {
		n = 6
	}
	e.buf = append(e.buf, majTag|24, tagGeneric)
	e.buf = appendHead(e.buf, majArray, n)
	e.buf = appendText(e.buf, genError)
	e.str(toString(name))
	e.str(toString(msg))
	if s, ok := stack.(goja.String); ok {
		e.str(s)
	} else {
		e.buf = append(e.buf, cborNull)
	}
	e.buf = appendHead(e.buf, majMap, uint64(len(extras)))
	e.props(o, extras)
	if hasCause {
		e.path = append(e.path, pathSeg{kind: segKey, key: "cause"})
		e.value(cause)
		e.path = e.path[:len(e.path)-1]
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// toString converts v with JavaScript's ToString (which may call a
// script's toString and throw).
func toString(v goja.Value) goja.String {
	if s, ok := v.(goja.String); ok {
		return s
	}
	if s, ok := v.ToString().(goja.String); ok {
		return s
	}
	return goja.StringFromUTF16(utf16.Encode([]rune(v.String())))
}
