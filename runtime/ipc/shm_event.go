package ipc

import "sync/atomic"

// Event is a cross-process event flag, as multiprocessing.Event: Set wakes
// every process in Wait, Clear resets it.
//
// Layout: kind, flag.
type Event struct {
	off  int
	flag *atomic.Uint32
}

// NewEvent allocates a cleared Event.
func (a *Arena) NewEvent() (*Event, error) {
	off, err := a.alloc(objAlign, kindEvent)
	if err != nil {
		return nil, err
	}
	return a.AttachEvent(off)
}

// AttachEvent returns the Event at off.
func (a *Arena) AttachEvent(off int) (*Event, error) {
	if _, err := a.expect(off, kindEvent); err != nil {
		return nil, err
	}
	return &Event{off: off, flag: a.u32(off + 4)}, nil
}

// Off returns the Event's offset in its arena.
func (e *Event) Off() int { return e.off }

// IsSet reports the flag (Event.is_set()).
func (e *Event) IsSet() bool { return e.flag.Load() != 0 }

// Set sets the flag and wakes all waiters (Event.set()).
func (e *Event) Set() {
	if e.flag.Swap(1) == 0 {
		wake(e.flag, 1<<31-1)
	}
}

// Clear resets the flag (Event.clear()).
func (e *Event) Clear() { e.flag.Store(0) }

// Wait blocks until the flag is set or timeout seconds pass (negative:
// forever) and returns the flag, as Event.wait(timeout); ErrCancelled if c
// fires first.
func (e *Event) Wait(timeout float64, c *Cancel) (bool, error) {
	dl := deadline(timeout)
	for e.flag.Load() == 0 {
		switch err := wait(e.flag, 0, dl, c); err {
		case nil:
		case ErrTimeout:
			return e.IsSet(), nil
		default:
			return false, err
		}
	}
	return true, nil
}
