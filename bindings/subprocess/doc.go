// Package subprocess is forkjs's subprocess module: Popen, run, call,
// check_call, check_output, getoutput, getstatusoutput, CompletedProcess,
// PIPE/DEVNULL/STDOUT and the exceptions SubprocessError,
// CalledProcessError and TimeoutExpired, with the names, arguments and
// semantics of Python's subprocess module (SPEC, "subprocess").
//
// The process work is runtime/proc's; this package turns JS arguments into
// a proc.Cmd, and every OS interaction goes through the engine's host
// boundary, so a forked child replays a Popen's pid, pipes, output and
// return code from the journal without running anything:
//
//   - Popen(...) is one Resource call ("subprocess.Popen") that creates the
//     pipes, starts the child and returns the pid and the pipe fds.
//   - communicate, wait, poll, send_signal and the timeout path of run are
//     host calls whose results (output chunks, return codes, timeouts) are
//     journaled; the JS exceptions (TimeoutExpired, CalledProcessError) are
//     built from those results on the JS thread.
//   - Blocking calls (wait, communicate) go through engine.Block: Ctrl-C
//     raises KeyboardInterrupt and a signal handler runs, then the call
//     resumes where it was.
//
// Live-only state (the *proc.Process and the proc.Communication) hangs off
// each Popen's Go struct, so it is never present in a Popen that a forked
// child rebuilt during replay: there wait, poll, communicate and the
// signalling methods raise ChildProcessError (the child is the parent's).
//
// Pipe ends are raw descriptors owned by the Popen until the script asks
// for p.stdin/p.stdout/p.stderr (a file object is made on first access) or
// communicate takes them over, so run() never builds file objects.
package subprocess
