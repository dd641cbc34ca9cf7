// Package pyio implements Python's file objects for forkjs: the objects
// returned by open(), os.fdopen(), sys.stdin/stdout/stderr and the pipes of
// subprocess.Popen. Text mode reads and writes strings (with an encoding,
// an error handler and universal newlines); binary mode reads and writes
// Bytes. Writes are buffered as Python buffers them: line-buffered on a
// terminal, in 8 KiB blocks otherwise, flushed on close and at exit.
//
// Every operation that touches a descriptor goes through the engine's host
// boundary, so a forked child replays its parent's reads and writes without
// repeating them. Buffers live only in the live process: a child's buffers
// start empty, so output buffered before a fork is never written twice.
package pyio
