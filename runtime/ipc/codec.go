package ipc

import (
	"fmt"

	"github.com/dop251/goja"
	"github.com/fxamacker/cbor/v2"
)

// Hooks are the engine-defined parts of the codec: the Bytes class and the
// Python-named error classes live in the engine, not here.
type Hooks struct {
	// IsBytes reports whether o is an instance of the engine's Bytes class
	// (a Uint8Array subclass). Bytes travel as CBOR byte strings. Nil means
	// there is no Bytes class: every Uint8Array travels as a typed array.
	IsBytes func(o *goja.Object) bool

	// NewBytes builds a Bytes instance owning b (b is a fresh copy the hook
	// may keep). Nil means byte strings decode as plain Uint8Arrays.
	NewBytes func(b []byte) goja.Value

	// NewError builds an empty error of the class registered for name (for
	// example "OSError", "ValueError", "TypeError") with the given message,
	// falling back to Error for unknown names while keeping name. The codec
	// then defines the sender's stack, the cause and the own enumerable
	// extras (errno, code, returncode, ...) on the returned object, in their
	// original order; it does so after construction so that an error that
	// refers to itself decodes. Nil means: the standard JavaScript error
	// constructors by name, otherwise Error with an own name property.
	NewError func(name, message string) *goja.Object
}

// Limits bound what Decode accepts, so that a hostile or corrupt message
// costs at most a clear error. Zero fields take the defaults below.
type Limits struct {
	// MaxDepth is the deepest nesting of containers (objects, arrays, maps,
	// sets, errors) in one message. Default 512; at most 16000. It also
	// bounds Encode, so that everything encoded can be decoded.
	MaxDepth int
	// MaxBytes is the largest message Decode accepts, in bytes. Default
	// 1 GiB.
	MaxBytes int
	// MaxItems is the largest number of CBOR data items in one message.
	// Default 64 Mi.
	MaxItems int
}

// Default limits.
const (
	DefaultMaxDepth = 512
	DefaultMaxBytes = 1 << 30
	DefaultMaxItems = 64 << 20
	maxMaxDepth     = 16000
)

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxDepth > maxMaxDepth {
		l.MaxDepth = maxMaxDepth
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxItems <= 0 {
		l.MaxItems = DefaultMaxItems
	}
	return l
}

// Codec converts goja values to CBOR and back with structured-clone
// semantics (see codec_format.go for the exact mapping). A Codec belongs to
// one goja.Runtime and, like it, must only be used from the goroutine that
// owns that runtime. It keeps scratch buffers between calls, so reuse one
// Codec per runtime.
type Codec struct {
	rt     *goja.Runtime
	hooks  Hooks
	limits Limits
	in     intrinsics
	inErr  error // from capturing in, on first use
	inDone bool
	wf     cbor.DecMode // well-formedness checker with the limits applied

	enc encoder
	dec decoder
}

// NewCodec returns a codec for rt with the engine's hooks and default
// limits. On its first Encode or Decode it captures the built-in
// constructors and prototype methods it uses (Map.prototype.forEach,
// Date.prototype.getTime, ...), so that monkey-patching by a script after
// that point cannot change what is sent.
func NewCodec(rt *goja.Runtime, h Hooks) *Codec {
	c, err := NewCodecLimits(rt, h, Limits{})
	if err != nil {
		// Only reachable if goja lacks a built-in; a programming error.
		panic(err)
	}
	return c
}

// NewCodecLimits is NewCodec with explicit decoding limits. The error is
// always nil now; a runtime lacking a built-in the codec needs makes the
// first Encode or Decode fail instead.
func NewCodecLimits(rt *goja.Runtime, h Hooks, l Limits) (*Codec, error) {
	l = l.withDefaults()
	c := &Codec{rt: rt, hooks: h, limits: l}
	// Each JavaScript level can cost up to four CBOR nesting levels
	// (28(27([... {...}]))), so give the well-formedness check room and let
	// the decoder enforce MaxDepth exactly.
	nest := 4*l.MaxDepth + 8
	if nest > 65535 {
		nest = 65535
	}
	wf, err := cbor.DecOptions{
		MaxNestedLevels:  nest,
		MaxArrayElements: 2147483647,
		MaxMapPairs:      2147483647,
		IndefLength:      cbor.IndefLengthForbidden,
	}.DecMode()
	if err != nil {
		return nil, fmt.Errorf("ipc: cbor options: %w", err)
	}
	c.wf = wf
	c.enc.c = c
	c.dec.c = c
	return c, nil
}

// ready captures the built-ins on the codec's first use: materialising
// goja's lazily built constructors (typed arrays, Proxy, Promise, ...)
// cost a forked child about 2 ms at require('multiprocessing') even when
// it never sends a value.
func (c *Codec) ready() error {
	if !c.inDone {
		c.inDone = true
		c.inErr = c.in.capture(c.rt)
	}
	return c.inErr
}

// Limits returns the limits in force.
func (c *Codec) Limits() Limits { return c.limits }

// UnsendableError reports a value that cannot cross a process boundary. It
// names where the value sits inside the message (Path, e.g. "args[1].cb")
// and why (Rule). The engine raises it as a Python-style TypeError.
type UnsendableError struct {
	Path string // JavaScript-like path from the root, e.g. `args[0].callback`
	What string // what was found: "function", "symbol", "Promise", ...
	Rule string // why it cannot be sent
}

// Error formats as "cannot send WHAT at PATH: RULE".
func (e *UnsendableError) Error() string {
	return "cannot send " + e.What + " at " + e.Path + ": " + e.Rule
}

// DecodeError reports a malformed or over-limit message. Offset is the byte
// offset where the problem was found, or -1 when it concerns the whole
// message.
type DecodeError struct {
	Offset int
	Msg    string
	Err    error // underlying cause (a cbor error, a JavaScript exception), if any
}

// Error formats as "ipc: malformed message at byte N: MSG".
func (e *DecodeError) Error() string {
	s := "ipc: malformed message"
	if e.Offset >= 0 {
		s += fmt.Sprintf(" at byte %d", e.Offset)
	}
	s += ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *DecodeError) Unwrap() error { return e.Err }
