package multiprocessing

import (
	"errors"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// Glue between the JS layer and runtime/ipc: the value codec with Python
// errors, and the bridge from the engine's cancellation to ipc's.

// maxMessage bounds a received message, in bytes (the codec's own limit).
const maxMessage = ipc.DefaultMaxBytes

// appendEncode appends v's structured-clone encoding to dst. A value that
// cannot cross a process boundary raises TypeError naming its path and
// the rule; an exception thrown while reading v (a getter) propagates.
func (m *mod) appendEncode(dst []byte, root string, v goja.Value) []byte {
	out, err := m.codec.AppendEncode(dst, root, v)
	if err != nil {
		m.throwEncode(err)
	}
	return out
}

func (m *mod) throwEncode(err error) {
	var ue *ipc.UnsendableError
	if errors.As(err, &ue) {
		m.rt.Throw(pyerr.TypeErrorf("%s", ue.Error()))
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		panic(ex)
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		panic(ie)
	}
	m.rt.Throw(err)
}

// decode rebuilds a received value; a malformed message raises
// ValueError (the connection or queue is then suspect, as after Python's
// UnpicklingError).
func (m *mod) decode(b []byte) goja.Value {
	v, err := m.codec.Decode(b)
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			panic(ie)
		}
		m.rt.Throw(pyerr.ValueErrorf("multiprocessing: received a malformed message: %s", err.Error()))
	}
	return v
}

// bridge turns the engine's Cancel (a channel and an eventfd the engine
// owns) into the ipc.Cancel that ipc's futex and poll waits watch. One
// ipc.Cancel per runtime serves every blocking call of the JS thread.
type bridge struct {
	ic *ipc.Cancel
}

// run calls fn with an ipc.Cancel that fires when c does. ipc's
// ErrCancelled (nothing happened, the call can be retried) becomes
// engine.ErrWoken, so that engine.Block handles Ctrl-C and signals and
// then retries.
func (b *bridge) run(c engine.Cancel, fn func(ic *ipc.Cancel) error) error {
	b.ic.Reset()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-c.C:
			b.ic.Fire()
		case <-stop:
		}
	}()
	err := fn(b.ic)
	close(stop)
	<-done
	if err == ipc.ErrCancelled {
		return engine.ErrWoken
	}
	return err
}

// fired reports whether c has fired (without blocking).
func fired(c engine.Cancel) bool {
	select {
	case <-c.C:
		return true
	default:
		return false
	}
}

// osErr converts err to a Python exception, keeping nil nil (pyerr.From
// returns a typed nil pointer, which is not a nil error).
func osErr(err error) error {
	if err == nil {
		return nil
	}
	return pyerr.From(err)
}
