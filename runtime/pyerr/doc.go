// Package pyerr gives forkjs its Python-named exceptions: the JS classes of
// Python's hierarchy (BaseException, OSError and its errno subclasses,
// ValueError, SystemExit, KeyboardInterrupt, ...) and Error, the Go value
// that host functions return to raise one of them.
//
// Host functions never build JS exceptions themselves. They return a Go
// error; the engine turns it into *Error with From and throws an instance of
// the class Error.Type names. Because *Error is plain data, the engine can
// journal it and a replaying child raises exactly the same exception.
package pyerr
