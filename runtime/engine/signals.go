package engine

import (
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// Signal dispositions, as Python's signal.SIG_DFL and SIG_IGN; a JS
// function is the third kind.
const (
	SigDefault = 0
	SigIgnore  = 1
)

// signals routes OS signals: SIGINT raises KeyboardInterrupt (Python's
// default_int_handler) unless the script chose otherwise; signals with a
// JS handler run it on the loop.
type signals struct {
	rt       *Runtime
	ch       chan os.Signal
	handlers map[int]goja.Value // JS thread: a function, or SigDefault/SigIgnore as numbers
	src      *Source[int]
	done     chan struct{}
}

func (rt *Runtime) sigState() *signals {
	if rt.sigs == nil {
		s := &signals{rt: rt, handlers: map[int]goja.Value{}}
		s.src = NewSource(rt, false, func(sig int) {
			h := s.handlers[sig]
			if fn, ok := goja.AssertFunction(h); ok {
				if _, err := fn(goja.Undefined(), rt.vm.ToValue(sig), goja.Null()); err != nil {
					panic(err)
				}
			} else if sig == int(syscall.SIGINT) {
				panic(rt.toJSError(pyerr.Interrupted))
			}
		})
		rt.sigs = s
		rt.OnLive(func() { s.apply() })
	}
	return rt.sigs
}

// startSignals installs the default SIGINT handling (live only; a forked
// child applies its table when it goes live).
func (rt *Runtime) startSignals() {
	if !rt.replaying {
		rt.sigState().apply()
	}
}

// apply makes the process's signal dispositions match the table. Only
// signals forkjs manages are touched (not, say, the REPL's SIGWINCH).
func (s *signals) apply() {
	if s.ch == nil {
		s.ch = make(chan os.Signal, 16)
		s.done = make(chan struct{})
		go s.run(s.ch, s.done)
	}
	sigs := []int{int(syscall.SIGINT)}
	for sig := range s.handlers {
		sigs = append(sigs, sig)
	}
	sort.Ints(sigs)
	for _, sig := range sigs {
		h, ok := s.handlers[sig]
		ss := syscall.Signal(sig)
		switch {
		case !ok && sig == int(syscall.SIGINT), isFunction(h):
			signal.Notify(s.ch, ss)
		case h != nil && h.ToInteger() == SigIgnore:
			signal.Ignore(ss)
		default:
			// Notify before Reset: Reset alone leaves an ignored signal
			// ignored.
			signal.Notify(s.ch, ss)
			signal.Reset(ss)
		}
	}
}

func isFunction(v goja.Value) bool {
	_, ok := goja.AssertFunction(v)
	return ok
}

// run is the signal goroutine. It gets the channels as arguments: stop
// clears s.done on the JS thread while this goroutine may be reading it.
func (s *signals) run(ch <-chan os.Signal, done <-chan struct{}) {
	for {
		select {
		case sig := <-ch:
			n := int(sig.(syscall.Signal))
			if n == int(syscall.SIGINT) && !s.hasHandler(n) {
				s.rt.keyboardInterrupt()
				continue
			}
			s.src.Send(n)
			s.rt.cancel.wake(wakeSignal)
		case <-done:
			return
		}
	}
}

// hasHandler is read from the signal goroutine: handlersJS is a copy of the
// set of signals with a JS function, updated on the JS thread.
func (s *signals) hasHandler(n int) bool {
	s.rt.sigMu.Lock()
	defer s.rt.sigMu.Unlock()
	return s.rt.sigJS[n]
}

func (s *signals) stop() {
	if s.done != nil {
		close(s.done)
		signal.Stop(s.ch)
		s.done = nil
	}
}

// keyboardInterrupt delivers Ctrl-C: blocking calls and the idle loop wake
// with KeyboardInterrupt; JS that is running is interrupted.
func (rt *Runtime) keyboardInterrupt() {
	rt.cancel.wake(wakeInterrupt)
	if rt.running.Load() && !rt.cancel.armed.Load() {
		rt.vm.Interrupt(pyerr.Interrupted)
	}
}

// Interrupt stops the runtime as Ctrl-C does: a KeyboardInterrupt from the
// current blocking call, or an interrupt of running JS. Safe from any
// goroutine.
func (rt *Runtime) Interrupt() { rt.keyboardInterrupt() }

// SetSignal sets the disposition of sig as Python's signal.signal: handler
// is a JS function, or SigDefault / SigIgnore as a number. It returns the
// previous disposition (a function, a number, or nil for Python's default
// SIGINT handler). Errors: ValueError for SIGKILL/SIGSTOP or a bad number.
func (rt *Runtime) SetSignal(sig int, handler goja.Value) (goja.Value, error) {
	if sig <= 0 || sig >= 65 {
		return nil, pyerr.ValueErrorf("signal number out of range")
	}
	if sig == int(syscall.SIGKILL) || sig == int(syscall.SIGSTOP) {
		return nil, pyerr.OSErrorf(syscall.EINVAL)
	}
	if sig == int(syscall.SIGCHLD) {
		rt.DisableSpares() // its exit must not reach the script's handler
	}
	s := rt.sigState()
	prev, had := s.handlers[sig]
	if !had {
		prev = nil
		if sig != int(syscall.SIGINT) {
			prev = rt.vm.ToValue(SigDefault)
		}
	}
	s.handlers[sig] = handler
	rt.sigMu.Lock()
	if rt.sigJS == nil {
		rt.sigJS = map[int]bool{}
	}
	rt.sigJS[sig] = isFunction(handler)
	rt.sigMu.Unlock()
	_, err := Do(rt, Effect, "signal.signal", ArgsHash(sig), func() (struct{}, error) {
		s.apply()
		return struct{}{}, nil
	})
	return prev, err
}

// GetSignal returns the current disposition of sig, as signal.getsignal.
func (rt *Runtime) GetSignal(sig int) goja.Value {
	s := rt.sigState()
	if h, ok := s.handlers[sig]; ok {
		return h
	}
	if sig == int(syscall.SIGINT) {
		return nil
	}
	return rt.vm.ToValue(SigDefault)
}

// handleWake deals with the reasons a blocking call or the idle loop was
// woken. It returns KeyboardInterrupt for Ctrl-C (or the runtime's
// cancellation), after running any queued signal handlers (and, with
// deliver, callbacks); an exception thrown by one propagates as a panic.
func (rt *Runtime) handleWake(deliver bool) *pyerr.Error {
	r := rt.cancel.take()
	if r&(wakeClosed|wakeCancel) != 0 {
		return &pyerr.Error{Type: "KeyboardInterrupt", Msg: "the run was cancelled"}
	}
	if r&wakeInterrupt != 0 {
		rt.vm.ClearInterrupt()
		return pyerr.Interrupted
	}
	if r&(wakeSignal|wakeCallback) != 0 {
		if deliver {
			rt.runDue()
		} else {
			rt.runSignalsOnly()
		}
	}
	return nil
}

// runSignalsOnly dispatches queued signal deliveries, leaving others.
func (rt *Runtime) runSignalsOnly() {
	if rt.sigs == nil {
		return
	}
	id := rt.sigs.src.cb.id
	l := &rt.loop
	l.mu.Lock()
	var mine, rest []completion
	for _, c := range l.queue {
		if c.id == id {
			mine = append(mine, c)
		} else {
			rest = append(rest, c)
		}
	}
	l.queue = rest
	l.mu.Unlock()
	for _, c := range mine {
		rt.dispatch(c)
	}
}
