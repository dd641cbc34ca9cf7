package multiprocessing

import (
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Lock, RLock, Semaphore, BoundedSemaphore, Event and Condition
// (js/synchronize.js): runtime/ipc's futex-based primitives in a shared
// arena. Every operation is a host call, journaled like any other input:
// a replaying child neither takes nor releases anything, it reads what
// its parent got. (Barrier is written in JS over a Condition and two
// shared integers, as CPython's multiprocessing.Barrier is.)

// syncObj is one primitive in this process.
type syncObj struct {
	id   int
	kind string
	ref  *arenaRef
	off  int
	obj  any // *ipc.Lock, *ipc.RLock, *ipc.Semaphore, *ipc.Event, *ipc.Condition: live, attached on first use
}

func (s *syncObj) live() (any, error) {
	if s.obj == nil {
		a, err := s.ref.mapping()
		if err != nil {
			return nil, err
		}
		if s.obj, err = a.Open(s.off); err != nil {
			return nil, osErr(err)
		}
	}
	return s.obj, nil
}

// acquirer is what Lock, RLock, Semaphore and Condition share.
type acquirer interface {
	Acquire(block bool, timeout float64, c *ipc.Cancel) (bool, error)
}

// acquire takes a primitive as Python's acquire(block, timeout): a
// non-blocking try first, then an interruptible wait until dl.
func (m *mod) acquire(a acquirer, block bool, dl time.Time, c engine.Cancel) (bool, error) {
	ok, err := a.Acquire(false, 0, nil)
	if ok || err != nil || !block {
		return ok, syncErr(err)
	}
	timeout := -1.0
	if !dl.IsZero() {
		timeout = time.Until(dl).Seconds()
		if timeout <= 0 {
			return false, nil
		}
	}
	err = m.br.run(c, func(ic *ipc.Cancel) error {
		var err error
		ok, err = a.Acquire(true, timeout, ic)
		return err
	})
	if err == engine.ErrWoken {
		return false, err
	}
	return ok, syncErr(err)
}

func (m *mod) syncNatives() {
	rt, vm := m.rt, m.vm
	get := func(call goja.FunctionCall) *syncObj { return lookup(m, m.syncs, call, "synchronisation object") }

	// sync_new(kind, value, lockId) -> id. kind is "Lock", "RLock",
	// "Semaphore", "BoundedSemaphore", "Event" or "Condition"; value is a
	// semaphore's initial value; lockId a Condition's Lock or RLock (0:
	// a new RLock).
	m.set("sync_new", func(call goja.FunctionCall) goja.Value {
		kind := call.Argument(0).String()
		value := argInt(call, 1)
		var lock *syncObj
		if id := argInt(call, 2); id != 0 {
			lock = m.syncs[id]
		}
		var in *arenaRef
		if lock != nil {
			in = lock.ref
		}
		ref, off := m.alloc("multiprocessing."+kind, engine.ArgsHash(kind, value), in, func(a *ipc.Arena) (int, error) {
			switch kind {
			case "Lock":
				l, err := a.NewLock()
				return offOf(l, err)
			case "RLock":
				l, err := a.NewRLock()
				return offOf(l, err)
			case "Semaphore":
				s, err := a.NewSemaphore(value)
				return offOf(s, err)
			case "BoundedSemaphore":
				if value == 0 {
					return 0, pyerr.ValueErrorf("BoundedSemaphore(0) can never be acquired or released; use a value >= 1")
				}
				s, err := a.NewBoundedSemaphore(value)
				return offOf(s, err)
			case "Event":
				e, err := a.NewEvent()
				return offOf(e, err)
			case "Condition":
				var l any
				if lock != nil {
					o, err := lock.live()
					if err != nil {
						return 0, err
					}
					l = o
				}
				c, err := a.NewCondition(l)
				return offOf(c, err)
			}
			return 0, pyerr.ValueErrorf("unknown synchronisation object %s", kind)
		})
		s := &syncObj{id: m.newID(), kind: kind, ref: ref, off: off}
		m.syncs[s.id] = s
		return vm.ToValue(s.id)
	})

	// sync_acquire(id, block, timeout) -> whether it was acquired
	// (Lock/RLock/Semaphore/Condition.acquire). Ctrl-C interrupts a wait.
	m.set("sync_acquire", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		block := call.Argument(1).ToBoolean()
		timeout := argTimeout(call, 2)
		var dl time.Time
		ok, err := engine.Block(rt, s.kind+".acquire", engine.ArgsHash(s.id, block, timeout), false, func(c engine.Cancel) (bool, error) {
			o, err := s.live()
			if err != nil {
				return false, err
			}
			if dl.IsZero() {
				dl = deadlineOf(block, timeout)
			}
			return m.acquire(o.(acquirer), block, dl, c)
		})
		m.check(err)
		return vm.ToValue(ok)
	})

	// sync_release(id): Lock.release (ValueError if not locked),
	// RLock.release (AssertionError unless held by this process),
	// Semaphore.release (ValueError beyond a BoundedSemaphore's value),
	// Condition.release.
	m.set("sync_release", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		_, err := engine.Do(rt, engine.Effect, s.kind+".release", engine.ArgsHash(s.id), func() (struct{}, error) {
			o, err := s.live()
			if err != nil {
				return struct{}{}, err
			}
			var rerr error
			switch x := o.(type) {
			case *ipc.Lock:
				rerr = x.Release()
			case *ipc.RLock:
				if rerr = x.Release(); rerr != nil {
					rerr = pyerr.New("AssertionError", "attempt to release recursive lock not owned by thread")
				}
			case *ipc.Semaphore:
				rerr = x.Release()
			case *ipc.Condition:
				rerr = x.Release()
				if _, isR := x.Lock().(*ipc.RLock); isR && rerr != nil {
					rerr = pyerr.New("AssertionError", "attempt to release recursive lock not owned by thread")
				}
			}
			return struct{}{}, syncErr(rerr)
		})
		m.check(err)
		return goja.Undefined()
	})

	// sync_value(id) -> a semaphore's value (Semaphore.get_value); for a
	// lock, 1 when free and 0 when held; for an RLock, its recursion
	// count.
	m.set("sync_value", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		v, err := engine.Do(rt, engine.Input, s.kind+".get_value", engine.ArgsHash(s.id), func() (int, error) {
			o, err := s.live()
			if err != nil {
				return 0, err
			}
			switch x := o.(type) {
			case *ipc.Semaphore:
				return x.Value(), nil
			case *ipc.Lock:
				if x.Locked() {
					return 0, nil
				}
				return 1, nil
			case *ipc.RLock:
				return x.Count(), nil
			case *ipc.Event:
				if x.IsSet() {
					return 1, nil
				}
			}
			return 0, nil
		})
		m.check(err)
		return vm.ToValue(v)
	})

	// event_set(id), event_clear(id): Event.set and Event.clear.
	eventOp := func(name string, fn func(e *ipc.Event)) {
		m.set(name, func(call goja.FunctionCall) goja.Value {
			s := get(call)
			e := s
			_, err := engine.Do(rt, engine.Effect, "Event."+name[6:], engine.ArgsHash(s.id), func() (struct{}, error) {
				o, err := e.live()
				if err != nil {
					return struct{}{}, err
				}
				fn(o.(*ipc.Event))
				return struct{}{}, nil
			})
			m.check(err)
			return goja.Undefined()
		})
	}
	eventOp("event_set", (*ipc.Event).Set)
	eventOp("event_clear", (*ipc.Event).Clear)
	// event_wait(id, timeout) -> the flag after waiting up to timeout
	// seconds (null: until set).
	m.set("event_wait", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		timeout := argTimeout(call, 1)
		var dl time.Time
		v, err := engine.Block(rt, "Event.wait", engine.ArgsHash(s.id, timeout), false, func(c engine.Cancel) (bool, error) {
			o, err := s.live()
			if err != nil {
				return false, err
			}
			e := o.(*ipc.Event)
			if e.IsSet() || timeout == 0 {
				return e.IsSet(), nil
			}
			if dl.IsZero() {
				dl = deadlineOf(true, timeout)
			}
			var set bool
			err = m.br.run(c, func(ic *ipc.Cancel) error {
				var err error
				set, err = e.Wait(remainingOf(dl), ic)
				return err
			})
			return set, err
		})
		m.check(err)
		return vm.ToValue(v)
	})

	// cond_wait(id, timeout) -> whether notified before timeout seconds
	// (Condition.wait). AssertionError unless the lock is held here.
	m.set("cond_wait", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		timeout := argTimeout(call, 1)
		var dl time.Time
		v, err := engine.Block(rt, "Condition.wait", engine.ArgsHash(s.id, timeout), false, func(c engine.Cancel) (bool, error) {
			o, err := s.live()
			if err != nil {
				return false, err
			}
			cond := o.(*ipc.Condition)
			if dl.IsZero() {
				dl = deadlineOf(true, timeout)
			}
			var notified bool
			err = m.br.run(c, func(ic *ipc.Cancel) error {
				var err error
				notified, err = cond.Wait(remainingOf(dl), ic)
				return err
			})
			if err == ipc.ErrConditionNotOwned {
				return false, pyerr.New("AssertionError", "must acquire() condition before using wait()")
			}
			if err == engine.ErrWoken {
				// Interrupted after re-acquiring the lock: report the
				// interruption (a retry waits again from the start).
				return false, err
			}
			return notified, syncErr(err)
		})
		m.check(err)
		return vm.ToValue(v)
	})
	// cond_notify(id, n): Condition.notify(n); n < 0 is notify_all.
	m.set("cond_notify", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		n := argInt(call, 1)
		_, err := engine.Do(rt, engine.Effect, "Condition.notify", engine.ArgsHash(s.id, n), func() (struct{}, error) {
			o, err := s.live()
			if err != nil {
				return struct{}{}, err
			}
			cond := o.(*ipc.Condition)
			if n < 0 {
				err = cond.NotifyAll()
			} else {
				err = cond.Notify(n)
			}
			if err == ipc.ErrConditionNotOwned {
				return struct{}{}, pyerr.New("AssertionError", "lock is not owned")
			}
			return struct{}{}, syncErr(err)
		})
		m.check(err)
		return goja.Undefined()
	})
	// sync_owned(id) -> whether this process holds the lock (RLock's
	// _is_owned, Condition's check).
	m.set("sync_owned", func(call goja.FunctionCall) goja.Value {
		s := get(call)
		v, err := engine.Do(rt, engine.Input, s.kind+"._is_owned", engine.ArgsHash(s.id), func() (bool, error) {
			o, err := s.live()
			if err != nil {
				return false, err
			}
			pid := unix.Getpid()
			switch x := o.(type) {
			case *ipc.Lock:
				return x.Owner() == pid, nil
			case *ipc.RLock:
				return x.Owner() == pid && x.Count() > 0, nil
			}
			return false, nil
		})
		m.check(err)
		return vm.ToValue(v)
	})
}

// offOf returns an ipc object's offset.
func offOf(o interface{ Off() int }, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return o.Off(), nil
}

// remainingOf converts a deadline back to a timeout in seconds (-1: none).
func remainingOf(dl time.Time) float64 {
	if dl.IsZero() {
		return -1
	}
	return max(time.Until(dl).Seconds(), 0)
}
