package ipc

// SyncError is a misuse of a synchronisation primitive. PyType names the
// Python exception the engine raises, as CPython's multiprocessing and
// threading modules raise it.
type SyncError struct {
	PyType string // "ValueError", "RuntimeError" or "BrokenBarrierError"
	Msg    string
}

// Error formats as "PYTYPE: MESSAGE".
func (e *SyncError) Error() string { return e.PyType + ": " + e.Msg }

// Errors of the shared-memory primitives; compare with errors.Is.
var (
	// ErrReleasedTooMany: releasing an unlocked Lock or a BoundedSemaphore
	// at its initial value (multiprocessing raises ValueError).
	ErrReleasedTooMany = &SyncError{"ValueError", "semaphore or lock released too many times"}
	// ErrNotOwner: releasing an RLock this process does not hold.
	ErrNotOwner = &SyncError{"RuntimeError", "cannot release un-acquired lock"}
	// ErrConditionNotOwned: wait or notify without holding the
	// Condition's lock.
	ErrConditionNotOwned = &SyncError{"RuntimeError", "cannot wait on un-acquired lock"}
	// ErrBrokenBarrier: the Barrier was aborted, reset, timed out or its
	// action failed (threading.BrokenBarrierError).
	ErrBrokenBarrier = &SyncError{"BrokenBarrierError", "barrier is broken"}
)
