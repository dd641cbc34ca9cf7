package engine

import (
	"time"

	"golang.org/x/sys/unix"
)

// monoBase pairs one CLOCK_MONOTONIC reading with Go's monotonic clock,
// which reads the same clock through the vDSO: x/sys's ClockGettime is a
// real system call, and a host call journals a clock read (a third of a
// Queue.get's cost went there).
var monoBase, monoStart = func() (int64, time.Time) {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano(), time.Now()
}()

// Monotonic returns CLOCK_MONOTONIC in nanoseconds (time since boot, the
// clock of Python's time.monotonic), without a system call. It is the same
// clock in every process, so values read before and after a fork compare.
func Monotonic() int64 { return monoBase + int64(time.Since(monoStart)) }
