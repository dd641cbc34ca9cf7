package multiprocessing

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// Value and Array (js/sharedctypes.js): typed elements in a shared Region,
// laid out as ctypes lays them out on Linux (little-endian; 'l' and 'L'
// are 8 bytes, 'u' is a 4-byte wchar_t). A synchronized object reads and
// writes under its lock (an RLock by default), as Python's Synchronized
// wrappers do. Every access is a journaled host call.

// typecodes: element size in bytes.
var typecodes = map[byte]int{
	'c': 1, 'b': 1, 'B': 1, 'h': 2, 'H': 2, 'i': 4, 'I': 4,
	'l': 8, 'L': 8, 'q': 8, 'Q': 8, 'f': 4, 'd': 8, 'u': 4,
}

const typecodeList = "c, b, B, u, h, H, i, I, l, L, q, Q, f or d"

// sharedObj is one Value or Array in this process.
type sharedObj struct {
	id     int
	tc     byte
	size   int
	n      int // elements; 1 for a Value
	ref    *arenaRef
	off    int
	lock   *syncObj // nil: unsynchronized (lock=false)
	region *ipc.Region
}

func (s *sharedObj) live() ([]byte, error) {
	if s.region == nil {
		a, err := s.ref.mapping()
		if err != nil {
			return nil, err
		}
		if s.region, err = a.AttachRegion(s.off); err != nil {
			return nil, osErr(err)
		}
	}
	return s.region.Bytes(), nil
}

// elem is one element value in Go form: F for numbers, or B/U for 'c' and
// 'u' elements.
type elem struct {
	F float64 `cbor:"1,keyasint,omitempty"`
	I int64   `cbor:"2,keyasint,omitempty"`
	U uint64  `cbor:"3,keyasint,omitempty"`
}

// toElem converts a JS value for typecode tc as ctypes does: integer
// types wrap around to their width, floats must be numbers; TypeError
// otherwise.
func toElem(tc byte, v goja.Value) (elem, error) {
	switch tc {
	case 'c':
		if b, ok := engine.BytesOf(v); ok {
			if len(b) == 1 {
				return elem{U: uint64(b[0])}, nil
			}
		} else if n, ok := engine.ToInt(v); ok {
			if n >= 0 && n < 256 {
				return elem{U: uint64(n)}, nil
			}
		}
		return elem{}, pyerr.TypeErrorf("one character bytes, bytearray or integer expected")
	case 'u':
		s, ok := v.Export().(string)
		if !ok || utf8.RuneCountInString(s) != 1 {
			return elem{}, pyerr.TypeErrorf("unicode string of length 1 expected instead of %s", engine.PyType(v))
		}
		return elem{U: uint64([]rune(s)[0])}, nil
	case 'f', 'd':
		switch x := v.Export().(type) {
		case int64:
			return elem{F: float64(x)}, nil
		case float64:
			return elem{F: x}, nil
		case bool:
			if x {
				return elem{F: 1}, nil
			}
			return elem{}, nil
		case *big.Int:
			f, _ := new(big.Float).SetInt(x).Float64()
			return elem{F: f}, nil
		}
		return elem{}, pyerr.TypeErrorf("must be real number, not %s", engine.PyType(v))
	}
	switch x := v.Export().(type) {
	case *big.Int:
		// wrap to 64 bits, as ctypes does for any width
		u := new(big.Int).And(x, new(big.Int).SetUint64(math.MaxUint64))
		return elem{U: u.Uint64()}, nil
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) {
			return elem{}, pyerr.TypeErrorf("int expected instead of float")
		}
		if x < 0 {
			return elem{U: uint64(int64(x))}, nil
		}
		return elem{U: uint64(x)}, nil
	}
	n, ok := engine.ToInt(v)
	if !ok {
		return elem{}, pyerr.TypeErrorf("int expected instead of %s", engine.PyType(v))
	}
	return elem{U: uint64(n)}, nil
}

// store writes e at element i of b.
func store(tc byte, b []byte, i int, e elem) {
	switch tc {
	case 'c', 'b', 'B':
		b[i] = byte(e.U)
	case 'h', 'H':
		binary.LittleEndian.PutUint16(b[2*i:], uint16(e.U))
	case 'i', 'I', 'u':
		binary.LittleEndian.PutUint32(b[4*i:], uint32(e.U))
	case 'l', 'L', 'q', 'Q':
		binary.LittleEndian.PutUint64(b[8*i:], e.U)
	case 'f':
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(e.F)))
	case 'd':
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(e.F))
	}
}

// load reads element i of b as a JS-ready number (or a code for 'c'/'u').
func load(tc byte, b []byte, i int) float64 {
	switch tc {
	case 'c', 'B':
		return float64(b[i])
	case 'b':
		return float64(int8(b[i]))
	case 'h':
		return float64(int16(binary.LittleEndian.Uint16(b[2*i:])))
	case 'H':
		return float64(binary.LittleEndian.Uint16(b[2*i:]))
	case 'i':
		return float64(int32(binary.LittleEndian.Uint32(b[4*i:])))
	case 'I', 'u':
		return float64(binary.LittleEndian.Uint32(b[4*i:]))
	case 'l', 'q':
		return float64(int64(binary.LittleEndian.Uint64(b[8*i:])))
	case 'L', 'Q':
		return float64(binary.LittleEndian.Uint64(b[8*i:]))
	case 'f':
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
	case 'd':
		return math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return 0
}

// toJS turns a loaded element into its JS value.
func (m *mod) toJS(tc byte, f float64) goja.Value {
	switch tc {
	case 'c':
		return m.rt.NewBytes([]byte{byte(f)})
	case 'u':
		return m.vm.ToValue(string(rune(f)))
	}
	return m.vm.ToValue(f)
}

// withLock runs fn under s's lock, if it has one (interruptibly).
func (m *mod) withLock(s *sharedObj, c engine.Cancel, fn func(b []byte) error) error {
	b, err := s.live()
	if err != nil {
		return err
	}
	if s.lock == nil {
		return fn(b)
	}
	o, err := s.lock.live()
	if err != nil {
		return err
	}
	if _, err := m.acquire(o.(acquirer), true, time.Time{}, c); err != nil {
		return err
	}
	defer func() {
		switch l := o.(type) {
		case *ipc.Lock:
			l.Release()
		case *ipc.RLock:
			l.Release()
		case *ipc.Semaphore:
			l.Release()
		case *ipc.Condition:
			l.Release()
		}
	}()
	return fn(b)
}

func (m *mod) sharedNatives() {
	rt, vm := m.rt, m.vm
	get := func(call goja.FunctionCall) *sharedObj { return lookup(m, m.shared, call, "shared object") }
	index := func(s *sharedObj, v goja.Value) int {
		i, ok := engine.ToInt(v)
		if !ok {
			rt.Throw(pyerr.TypeErrorf("indices must be integers"))
		}
		if i < 0 {
			i += int64(s.n)
		}
		if i < 0 || i >= int64(s.n) {
			rt.Throw(pyerr.New("IndexError", "invalid index"))
		}
		return int(i)
	}

	// shared_new(typecode, count, init, lockId) -> id: count zeroed
	// elements (init: an array of values, or null); lockId is the
	// synchronizing lock's id, or 0 for none.
	m.set("shared_new", func(call goja.FunctionCall) goja.Value {
		tcs := call.Argument(0).String()
		size, ok := 0, false
		if len(tcs) == 1 {
			size, ok = typecodes[tcs[0]]
		}
		if !ok {
			rt.Throw(pyerr.TypeErrorf("bad typecode (must be %s)", typecodeList))
		}
		tc := tcs[0]
		n := argInt(call, 1)
		if n < 0 {
			rt.Throw(pyerr.ValueErrorf("array size must be >= 0"))
		}
		var init []elem
		if v := call.Argument(2); !goja.IsNull(v) && !goja.IsUndefined(v) {
			o := v.ToObject(vm)
			k := int(o.Get("length").ToInteger())
			for i := 0; i < k; i++ {
				e, err := toElem(tc, o.Get(strconv.Itoa(i)))
				m.check(err)
				init = append(init, e)
			}
		}
		var lock *syncObj
		if id := argInt(call, 3); id != 0 {
			lock = m.syncs[id]
		}
		ref, off := m.alloc("multiprocessing.sharedctypes", engine.ArgsHash(tcs, n, len(init)), nil, func(a *ipc.Arena) (int, error) {
			r, err := a.NewRegion(n * size)
			if err != nil {
				return 0, err
			}
			for i, e := range init {
				store(tc, r.Bytes(), i, e)
			}
			return r.Off(), nil
		})
		s := &sharedObj{id: m.newID(), tc: tc, size: size, n: n, ref: ref, off: off, lock: lock}
		m.shared[s.id] = s
		return vm.ToValue(s.id)
	})
	// shared_view(id) -> id of the same storage without its lock
	// (get_obj()).
	m.set("shared_view", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		v := *s
		v.id, v.lock = m.newID(), nil
		m.shared[v.id] = &v
		return vm.ToValue(v.id)
	})
	// shared_get(id, i) -> element i (Value.value is element 0);
	// IndexError outside the array (negative indices count from the end).
	m.set("shared_get", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		i := index(s, call.Argument(1))
		v, err := engine.Block(rt, "multiprocessing.get", engine.ArgsHash(s.id, i), false, func(c engine.Cancel) (float64, error) {
			var v float64
			return v, m.withLock(s, c, func(b []byte) error { v = load(s.tc, b, i); return nil })
		})
		m.check(err)
		return m.toJS(s.tc, v)
	})
	// shared_set(id, i, value): stores element i (TypeError for a value
	// of the wrong type).
	m.set("shared_set", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		i := index(s, call.Argument(1))
		e, err := toElem(s.tc, call.Argument(2))
		m.check(err)
		_, err = engine.Block(rt, "multiprocessing.set", engine.ArgsHash(s.id, i, e.F, int64(e.U)), false, func(c engine.Cancel) (struct{}, error) {
			return struct{}{}, m.withLock(s, c, func(b []byte) error { store(s.tc, b, i, e); return nil })
		})
		m.check(err)
		return goja.Undefined()
	})
	// shared_slice(id, start, stop) -> the elements [start, stop) as an
	// array (or Bytes for 'c', a string for 'u'), read under the lock at
	// once.
	m.set("shared_slice", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		start, stop := clampSlice(argInt(call, 1), argInt(call, 2), s.n)
		raw, err := engine.Block(rt, "multiprocessing.slice", engine.ArgsHash(s.id, start, stop), false, func(c engine.Cancel) ([]byte, error) {
			var out []byte
			return out, m.withLock(s, c, func(b []byte) error {
				out = append([]byte{}, b[start*s.size:stop*s.size]...)
				return nil
			})
		})
		m.check(err)
		switch s.tc {
		case 'c':
			return rt.NewBytes(raw)
		case 'u':
			var sb strings.Builder
			for i := 0; i < stop-start; i++ {
				sb.WriteRune(rune(load('u', raw, i)))
			}
			return vm.ToValue(sb.String())
		}
		items := make([]any, stop-start)
		for i := range items {
			items[i] = load(s.tc, raw, i)
		}
		return vm.NewArray(items...)
	})
	// shared_set_slice(id, start, values): stores values from start on
	// (ValueError if they do not fit).
	m.set("shared_set_slice", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		start := argInt(call, 1)
		var vals []elem
		v := call.Argument(2)
		if b, ok := engine.BytesOf(v); ok && s.tc == 'c' {
			for _, x := range b {
				vals = append(vals, elem{U: uint64(x)})
			}
		} else if str, ok := v.Export().(string); ok && s.tc == 'u' {
			for _, r := range str {
				vals = append(vals, elem{U: uint64(r)})
			}
		} else {
			o := v.ToObject(vm)
			k := int(o.Get("length").ToInteger())
			for i := 0; i < k; i++ {
				e, err := toElem(s.tc, o.Get(strconv.Itoa(i)))
				m.check(err)
				vals = append(vals, e)
			}
		}
		if start < 0 || start+len(vals) > s.n {
			rt.Throw(pyerr.ValueErrorf("Can only assign sequence of same size"))
		}
		h := engine.ArgsHash(s.id, start, len(vals))
		_, err := engine.Block(rt, "multiprocessing.set_slice", h, false, func(c engine.Cancel) (struct{}, error) {
			return struct{}{}, m.withLock(s, c, func(b []byte) error {
				for i, e := range vals {
					store(s.tc, b, start+i, e)
				}
				return nil
			})
		})
		m.check(err)
		return goja.Undefined()
	})
}

// clampSlice bounds [start, stop) to [0, n] with Python's negative
// indices.
func clampSlice(start, stop, n int) (int, int) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = min(max(start, 0), n)
	stop = min(max(stop, start), n)
	return start, stop
}
