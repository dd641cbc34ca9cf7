package engine

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/forkjs/forkjs/runtime/pyerr"
)

// Class says how a host function meets the outside world, and so what it
// does while a forked child replays its parent's journal (DESIGN §2).
type Class uint8

const (
	// Pure functions (formatting, decoding) run in both modes and are not
	// journaled.
	Pure Class = iota
	// Input functions (getpid, read, time, waitpid) run live and their
	// result is journaled; a replaying child gets the journaled result.
	Input
	// Effect functions (write, kill) run live and their outcome is
	// journaled; a replaying child does nothing and gets the outcome.
	Effect
	// Resource functions (pipe, open, Popen) create something live; a
	// replaying child gets the journaled description (fd numbers, a pid)
	// and rebuilds its wrapper around what it inherited.
	Resource
)

func (c Class) String() string {
	switch c {
	case Pure:
		return "pure"
	case Input:
		return "input"
	case Effect:
		return "effect"
	case Resource:
		return "resource"
	}
	return "class?"
}

// ArgsHash hashes a host call's arguments for divergence detection; it
// accepts integers, floats, strings, byte slices, booleans, nil and slices
// of strings or ints, and hashes anything else by its type only. The hash
// is canonical: it depends only on the values.
func ArgsHash(args ...any) uint32 {
	h := uint32(fnvOffset)
	for _, a := range args {
		switch x := a.(type) {
		case nil:
			h = fnvByte(h, 0)
		case int:
			h = fnvU64(fnvByte(h, 1), uint64(x))
		case int64:
			h = fnvU64(fnvByte(h, 1), uint64(x))
		case uint64:
			h = fnvU64(fnvByte(h, 1), x)
		case float64:
			h = fnvU64(fnvByte(h, 2), math.Float64bits(x))
		case bool:
			h = fnvByte(fnvByte(h, 3), boolByte(x))
		case string:
			h = fnvU64(fnvByte(h, 4), uint64(len(x)))
			for i := 0; i < len(x); i++ {
				h = fnvByte(h, x[i])
			}
		case []byte:
			h = fnvU64(fnvByte(h, 5), uint64(len(x)))
			if len(x) > 2*hashEdge {
				// The length and both ends are enough to tell a replay
				// that went astray; hashing all of a 64 MiB write costs
				// more than the write.
				h = crc32.Update(h, crc32.IEEETable, x[:hashEdge])
				h = crc32.Update(h, crc32.IEEETable, x[len(x)-hashEdge:])
			} else {
				h = crc32.Update(h, crc32.IEEETable, x)
			}
		case []string:
			for _, s := range x {
				for i := 0; i < len(s); i++ {
					h = fnvByte(h, s[i])
				}
				h = fnvByte(h, 0)
			}
		case []int:
			for _, v := range x {
				h = fnvU64(h, uint64(v))
			}
		default:
			h = fnvByte(h, 6)
		}
	}
	return h
}

// FNV-1a, for the small values: table-driven CRC of a few bytes cost more
// than the hashing itself, and its buffer escaped to the heap on every
// call (a Queue.put hashes its arguments each time).
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnvByte(h uint32, b byte) uint32 { return (h ^ uint32(b)) * fnvPrime }

func fnvU64(h uint32, v uint64) uint32 {
	for i := 0; i < 8; i++ {
		h = fnvByte(h, byte(v>>(8*i)))
	}
	return h
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// hashEdge is how much of each end of a large byte argument ArgsHash
// reads.
const hashEdge = 16 << 10

// Do runs a host operation through the boundary. name identifies the
// function ("os.read"), argsHash its arguments (ArgsHash), fn the live
// operation. In a live runtime fn runs and, unless class is Pure, its result
// is journaled; in a replaying child fn does not run and the journaled
// result is returned. Errors come back as *pyerr.Error in both modes, so
// the binding raises the same exception either way.
//
// T must survive a CBOR round trip unchanged (numbers, strings, []byte,
// bools, and structs, slices and maps of those).
func Do[T any](rt *Runtime, class Class, name string, argsHash uint32, fn func() (T, error)) (T, error) {
	if class == Pure {
		v, err := fn()
		if err != nil {
			return v, pyerr.From(err)
		}
		return v, nil
	}
	if rt.replaying {
		return replayCall[T](rt, name, argsHash)
	}
	v, err := fn()
	return recordCall(rt, name, argsHash, v, err)
}

// ErrWoken is what a Block operation returns when its Cancel fires.
var ErrWoken = errors.New("forkjs: blocking call woken")

// Block runs a blocking host operation (Input class) that can be
// interrupted: op must watch c (its channel or its fd in a poll) and return
// ErrWoken when it fires. Ctrl-C then raises KeyboardInterrupt from the
// call; a signal with a JS handler runs the handler and retries op, as
// Python does since PEP 475; with deliver set, callbacks that become due
// (Pool results, timers) run too, as Python's Pool.join runs its callbacks.
// Everything that runs meanwhile is journaled before the call's result.
func Block[T any](rt *Runtime, name string, argsHash uint32, deliver bool, op func(c Cancel) (T, error)) (T, error) {
	if rt.replaying {
		return replayCall[T](rt, name, argsHash)
	}
	for {
		c := rt.cancel.arm(deliver)
		v, err := op(c)
		rt.cancel.disarm()
		if err == ErrWoken || (err == nil && c.fired()) {
			if err == nil {
				// The operation finished as the wake came: keep its result
				// and let the wake be handled at the next blocking point.
				return recordCall(rt, name, argsHash, v, nil)
			}
			if perr := rt.handleWake(deliver); perr != nil {
				var zero T
				return recordCall(rt, name, argsHash, zero, perr)
			}
			continue
		}
		return recordCall(rt, name, argsHash, v, err)
	}
}

func recordCall[T any](rt *Runtime, name string, argsHash uint32, v T, err error) (T, error) {
	s := rt.callSite()
	if err != nil {
		pe := pyerr.From(err)
		payload, merr := encMode.Marshal(pe)
		if merr != nil {
			panic(merr)
		}
		rt.journal.call(name, argsHash, s, statusErr, payload)
		var zero T
		return zero, pe
	}
	head, body, merr := encodePayloadParts(v)
	if merr != nil {
		panic(rt.vm.NewGoError(merr))
	}
	rt.journal.callParts(name, argsHash, s, statusOK, head, body)
	return v, nil
}

func replayCall[T any](rt *Runtime, name string, argsHash uint32) (T, error) {
	var v T
	e := rt.replayNext(name)
	if s := rt.callSite(); e.kind != kindCall || e.name != name || e.argsHash != argsHash || s != e.site {
		rt.diverge(e, fmt.Sprintf("call %s(args #%08x) at %s", name, argsHash, s))
	}
	if e.status == statusErr {
		pe := &pyerr.Error{}
		if err := decMode.Unmarshal(e.payload, pe); err != nil {
			rt.diverge(e, "an undecodable error: "+err.Error())
		}
		return v, pe
	}
	if err := decodePayload(e.payload, &v); err != nil {
		rt.diverge(e, "a result not decodable as the live call's type: "+err.Error())
	}
	return v, nil
}
