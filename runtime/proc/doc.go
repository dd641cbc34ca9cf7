// Package proc is forkjs's plain-Go process layer: it starts programs,
// wires their standard streams, waits for them, signals them and talks to
// them through pipes, with the semantics that Python's subprocess module
// needs. The JavaScript binding (bindings/subprocess) sits on top of it; this
// package imports nothing from goja or any JS code.
//
// It is in the style of os/exec, with the differences Python requires:
//
//   - A [Cmd] describes one child: program ([Cmd.Path] or Python's
//     executable= in [Cmd.Executable]), argv, environment, working
//     directory, standard streams ([Redirect]: inherit, [DevNull], [Pipe],
//     [FD], [ToStdout]), a new session or process group, pass_fds, umask and
//     pipe size. [Cmd.Start] returns a [*Process].
//   - Programs without a slash are searched on the PATH of the child's
//     environment ([LookPath]), as POSIX Python does when env= is given.
//   - Only 0, 1, 2 and [Cmd.PassFDs] reach the child (Python's
//     close_fds=True); every descriptor this package creates is
//     close-on-exec in the parent.
//   - Start failures are [*StartError] values naming the step that failed
//     (chdir, exec, ...), the errno and the filename Python would attach to
//     its OSError.
//   - [Process.Wait] is cancellable by a context; [Process.Poll] never
//     blocks; a child whose status was taken by someone else (ECHILD) is
//     reported with return code 0, as Python's Popen does. [State.ReturnCode]
//     follows Python's convention (-N after signal N).
//   - [Process.Communicate] (and the lower-level [Communication]) writes
//     input and reads stdout and stderr concurrently, so no amount of data
//     can deadlock it; a context deadline leaves the child running and the
//     exchange resumable without losing a byte, as Python's
//     TimeoutExpired-then-communicate() pattern requires.
//   - [Process.KillAndWait] is the timeout path of subprocess.run: it kills
//     the child or, when the child leads a process group, the whole group,
//     collects the output for a short grace period, closes the pipes and
//     reaps the child.
//
// How waiting works: on Linux 5.4 and later each child is started with
// clone(CLONE_PIDFD); the pidfd is registered with Go's network poller, so
// a blocked Wait holds no OS thread and a context cancels it at once, and
// waitid(P_PIDFD) reaps exactly this child even if its pid has been reused.
// On older kernels a goroutine waits with waitid(WNOWAIT) and the status is
// reaped with wait4(WNOHANG) afterwards, so it is never lost either.
//
// Descriptors handed back to the caller ([Process.Stdin], [Process.Stdout],
// [Process.Stderr]) are blocking *os.File values, like Python's pipe files.
// Communicate works on duplicates registered with Go's poller; the
// O_NONBLOCK flag this needs is shared with the caller's descriptor while
// Communicate runs, and is cleared again before it returns.
//
// SIGPIPE: the Go runtime turns SIGPIPE from writes on descriptors other
// than 1 and 2 into EPIPE errors, for os.File writes and raw write(2) calls
// alike; pipes created here never get numbers 0, 1 or 2, so a write to the
// stdin of a child that has exited fails with EPIPE and never kills the
// calling process. Children start with Go's signal handlers reset to the
// default (SIGPIPE included); signals the caller has set to SIG_IGN stay
// ignored in the child (Python's restore_signals is not implemented).
//
// This package is Linux-only.
package proc
