package engine

import (
	"fmt"
	"os"
	"time"
)

// FORKJS_TRACE=1 prints fork timing to stderr: when a child starts, has
// rebuilt its runtime, and goes live, relative to the parent's fork call.
var traceFork = os.Getenv("FORKJS_TRACE") != ""

func tracef(format string, args ...any) {
	if traceFork {
		fmt.Fprintf(os.Stderr, "[forkjs %d %s] %s\n", os.Getpid(), time.Now().Format("15:04:05.000000"), fmt.Sprintf(format, args...))
	}
}
