package engine

import (
	"io"
)

// Options configures a Runtime. The zero value is usable: the process's
// standard streams, no arguments, the process environment, no modules.
type Options struct {
	// Stdin, Stdout and Stderr are the script's standard streams (sys.stdin,
	// sys.stdout, sys.stderr, and fds 0-2 of a forked child). An *os.File
	// is used directly by its descriptor; any other reader or writer is
	// connected through a pipe pumped by a goroutine, so forked children
	// can write to it too. nil means the process's own stream.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// Args is sys.argv: Args[0] is the script's name.
	Args []string

	// Env is the environment the script starts with (os.environ), as
	// "KEY=value" strings; nil means the process environment. Children
	// started by the script see it.
	Env []string

	// Modules are the modules the script can require, and that are globals.
	// Each must have been registered with Register, so that a forked child
	// can rebuild the same runtime (see Dispatch). bindings.Defaults() gives
	// all of forkjs's modules.
	Modules []*Module

	// MaxCallStackSize bounds JS call depth; beyond it a RangeError-like
	// uncatchable stack overflow ends the run, the same way every time.
	// Zero means 10000 frames.
	MaxCallStackSize int

	// MemoryLimit, when positive, interrupts the script with MemoryError
	// once the process's Go heap exceeds this many bytes (checked every
	// 50 ms; goja has no per-runtime accounting, so this is process-wide).
	MemoryLimit int64

	// Interactive marks a REPL session: a forked child runs only the rest of
	// the input being evaluated, then exits instead of reading more.
	Interactive bool
}

const defaultMaxCallStack = 10000
