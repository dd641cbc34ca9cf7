package proc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pattern returns n deterministic bytes that are not all alike, so that a
// lost, duplicated or reordered chunk is caught.
func pattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// TestCommunicateLarge moves 50 MiB in, 50 MiB out and 10 MiB on stderr.
// The two orders are the classic deadlocks of a naive implementation: the
// child fills stderr before reading stdin, or writes stderr while we write.
func TestCommunicateLarge(t *testing.T) {
	const inSize, errSize = 50 << 20, 10 << 20
	input := pattern(inSize)
	wantErr := bytes.Repeat([]byte("x"), errSize)
	gen := "head -c " + strconv.Itoa(errSize) + " /dev/zero | tr '\\0' x >&2"
	for _, script := range []string{
		gen + "; cat",
		"(" + gen + ") & cat; wait",
	} {
		t.Run(script, func(t *testing.T) {
			p := start(t, &Cmd{Args: []string{"sh", "-c", script}, Stdin: Pipe, Stdout: Pipe, Stderr: Pipe})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			out, errOut, err := p.Communicate(ctx, input)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, input) {
				t.Fatalf("stdout: %d bytes, differs from the %d bytes of input", len(out), len(input))
			}
			if !bytes.Equal(errOut, wantErr) {
				t.Fatalf("stderr: %d bytes, want %d x's", len(errOut), errSize)
			}
			st, done, _ := p.Poll()
			if !done || st.ReturnCode() != 0 {
				t.Fatalf("not reaped after Communicate: %v", st)
			}
			if p.Stdin.Fd() != ^uintptr(0) || p.Stdout.Fd() != ^uintptr(0) {
				t.Fatal("Communicate left the pipes open")
			}
		})
	}
}

// Python's pattern: communicate(timeout) raises TimeoutExpired with the
// output so far; communicate() again returns all of it, nothing lost.
func TestCommunicateTimeoutThenResume(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sh", "-c", "echo a; sleep 1; echo b; echo e >&2"}, Stdout: Pipe, Stderr: Pipe})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	out1, err1, err := p.Communicate(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first call: err %v", err)
	}
	if string(err1) != "" || err1 == nil {
		t.Fatalf("first call: err %q", err1)
	}
	if string(out1) != "a\n" {
		if len(out1) != 0 {
			t.Fatalf("first call: out %q", out1)
		}
		t.Logf("sh took over 300 ms to echo; the resume check proves less this time")
	}
	if _, done, _ := p.Poll(); done {
		t.Fatal("child was stopped by the timeout")
	}
	// The pipes are back in blocking mode for the caller between calls.
	if fl, _ := unix.FcntlInt(p.Stdout.Fd(), unix.F_GETFL, 0); fl&unix.O_NONBLOCK != 0 {
		t.Fatal("stdout left non-blocking after timeout")
	}
	if _, _, err := p.Communicate(context.Background(), []byte("late")); err != ErrInputAfterStart {
		t.Fatalf("input on resume: %v", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	out2, err2, err := p.Communicate(ctx2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(out2) != "a\nb\n" || string(err2) != "e\n" {
		t.Fatalf("second call: out %q err %q", out2, err2)
	}
	if string(out1) != "a\n" && len(out1) != 0 {
		t.Fatalf("first result changed to %q", out1)
	}
	// Done: a third call returns the same at once.
	out3, _, err := p.Communicate(context.Background(), nil)
	if err != nil || string(out3) != "a\nb\n" {
		t.Fatalf("third call: %q %v", out3, err)
	}
}

// A timeout in the middle of writing a large input loses nothing either.
func TestCommunicateTimeoutDuringInput(t *testing.T) {
	input := pattern(8 << 20)
	p := start(t, &Cmd{Args: []string{"sh", "-c", "sleep 0.5; exec cat"}, Stdin: Pipe, Stdout: Pipe})
	var out []byte
	var err error
	timeouts := 0
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		in := input
		if i > 0 {
			in = nil
		}
		out, _, err = p.Communicate(ctx, in)
		cancel()
		if err == nil {
			break
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal(err)
		}
		timeouts++
		if i > 2000 {
			t.Fatal("never finished")
		}
	}
	if timeouts == 0 {
		t.Fatal("no timeout happened; the test proves nothing")
	}
	if !bytes.Equal(out, input) {
		t.Fatalf("after %d timeouts: %d bytes out of %d, or corrupted", timeouts, len(out), len(input))
	}
}

func TestCommunicateNoInputClosesStdin(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"cat"}, Stdin: Pipe, Stdout: Pipe})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, errOut, err := p.Communicate(ctx, nil)
	if err != nil || len(out) != 0 || out == nil || errOut != nil {
		t.Fatalf("got %q %q %v", out, errOut, err)
	}
}

func TestCommunicateWithoutPipes(t *testing.T) {
	p := start(t, sh("exit 4"))
	out, errOut, err := p.Communicate(t.Context(), []byte("ignored"))
	if err != nil || out != nil || errOut != nil {
		t.Fatalf("got %q %q %v", out, errOut, err)
	}
	if st, _, _ := p.Poll(); st.ReturnCode() != 4 {
		t.Fatalf("rc %v", st)
	}
}

// The child exits without reading: EPIPE on stdin is ignored, as Python
// ignores BrokenPipeError in communicate, and the output still arrives.
func TestCommunicateIgnoresEPIPE(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sh", "-c", "echo bye"}, Stdin: Pipe, Stdout: Pipe})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _, err := p.Communicate(ctx, pattern(4<<20))
	if err != nil || string(out) != "bye\n" {
		t.Fatalf("got %q %v", out, err)
	}
}

func TestCommunicationStandalone(t *testing.T) {
	// Communication works on any pipe files, here two children of ours.
	p := start(t, &Cmd{Args: []string{"tr", "a-z", "A-Z"}, Stdin: Pipe, Stdout: Pipe})
	c := NewCommunication(p.Stdin, p.Stdout, nil, []byte("hello"))
	out, errOut, err := c.Run(t.Context())
	if err != nil || string(out) != "HELLO" || errOut != nil || !c.Done() {
		t.Fatalf("got %q %q %v done=%v", out, errOut, err, c.Done())
	}
	waitCtx(t, p)
}

// Writing to the stdin of a child that has exited gives EPIPE, never a
// SIGPIPE that kills us: through *os.File and through raw write(2).
func TestWriteToExitedChildIsEPIPE(t *testing.T) {
	p := start(t, &Cmd{Path: "/bin/true", Stdin: Pipe})
	waitCtx(t, p)
	if _, err := p.Stdin.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("os.File write: %v", err)
	}
	if _, err := unix.Write(int(p.Stdin.Fd()), []byte("x")); err != unix.EPIPE {
		t.Fatalf("raw write: %v", err)
	}
	// A pipe made with a raw syscall, outside this package, too.
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[0])
	if _, err := unix.Write(fds[1], []byte("x")); err != unix.EPIPE {
		t.Fatalf("raw pipe write: %v", err)
	}
	unix.Close(fds[1])
}

// p1 | p2 through FD: when p2 exits early and the parent has closed its copy
// of p1's stdout, p1 dies of SIGPIPE, as in a shell pipeline.
func TestPipelineSIGPIPE(t *testing.T) {
	p1 := start(t, &Cmd{Args: []string{"yes"}, Stdout: Pipe})
	p2 := start(t, &Cmd{Args: []string{"head", "-c", "10"}, Stdin: FD(int(p1.Stdout.Fd())), Stdout: Pipe})
	p1.Stdout.Close() // Python's docs: allow p1 to receive a SIGPIPE if p2 exits.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _, err := p2.Communicate(ctx, nil)
	if err != nil || string(out) != "y\ny\ny\ny\ny\n" {
		t.Fatalf("p2: %q %v", out, err)
	}
	st, err := p1.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ReturnCode() != -int(syscall.SIGPIPE) {
		t.Fatalf("p1 ended with %v, want SIGPIPE", st)
	}
}

func TestPipelineData(t *testing.T) {
	p1 := start(t, &Cmd{Args: []string{"sh", "-c", "echo one; echo two; echo three"}, Stdout: Pipe})
	p2 := start(t, &Cmd{Args: []string{"grep", "t"}, Stdin: FD(int(p1.Stdout.Fd())), Stdout: Pipe})
	p1.Stdout.Close()
	out, _, err := p2.Communicate(t.Context(), nil)
	if err != nil || string(out) != "two\nthree\n" {
		t.Fatalf("got %q %v", out, err)
	}
	waitCtx(t, p1)
}

// run(timeout=1) on `sh -c 'sleep 30 & sleep 30'` in a new session: the
// grandchild holds the pipe, the group kill ends it and we return at once.
func TestKillAndWaitProcessGroup(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sh", "-c", "sleep 30 & echo $!; sleep 30"}, Setsid: true, Stdout: Pipe, Stderr: Pipe})
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	out, _, err := p.Communicate(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Communicate: %q %v", out, err)
	}
	out, _, st, err := p.KillAndWait(DefaultGrace)
	elapsed := time.Since(t0)
	if err != nil {
		t.Fatal(err)
	}
	if st.ReturnCode() != -9 {
		t.Fatalf("rc %d", st.ReturnCode())
	}
	if elapsed > 3*time.Second {
		t.Fatalf("took %v", elapsed)
	}
	gpid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	if gpid <= 0 || !gone(gpid, 5*time.Second) {
		t.Fatalf("grandchild %q survived the group kill", out)
	}
}

// Without a group only the child can be killed; the grandchild keeps the
// pipe, and KillAndWait stops reading after the grace period.
func TestKillAndWaitGrandchildHoldsPipe(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sh", "-c", "sleep 30 & echo $!; exec sleep 30"}, Stdout: Pipe})
	// Communicate with short timeouts until the grandchild's pid is out.
	var out []byte
	for deadline := time.Now().Add(10 * time.Second); !bytes.Contains(out, []byte("\n")); {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		var err error
		out, _, err = p.Communicate(ctx, nil)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Communicate: %q %v", out, err)
		}
		if time.Now().After(deadline) {
			t.Fatal("no output from sh")
		}
	}
	gpid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	if gpid > 0 {
		defer syscall.Kill(gpid, syscall.SIGKILL)
	}
	t0 := time.Now()
	out, _, st, err := p.KillAndWait(DefaultGrace)
	if err != nil || st.ReturnCode() != -9 {
		t.Fatalf("%v %v", st, err)
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
	if strings.TrimSpace(string(out)) != strconv.Itoa(gpid) {
		t.Fatalf("output %q lost", out)
	}
	if p.Stdout.Fd() != ^uintptr(0) {
		t.Fatal("stdout still open")
	}
}

func TestKillAndWaitAfterExit(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sh", "-c", "echo done"}, Stdout: Pipe})
	waitCtx(t, p)
	out, _, st, err := p.KillAndWait(DefaultGrace)
	if err != nil || st.ReturnCode() != 0 || string(out) != "done\n" {
		t.Fatalf("%q %v %v", out, st, err)
	}
}

func TestPipeEndsAreBlockingFiles(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sh", "-c", "read x; echo got $x"}, Stdin: Pipe, Stdout: Pipe})
	for _, f := range []*os.File{p.Stdin, p.Stdout} {
		if fl, _ := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0); fl&unix.O_NONBLOCK != 0 {
			t.Fatal("pipe end is non-blocking")
		}
	}
	p.Stdin.Write([]byte("hi\n"))
	buf := make([]byte, 64)
	n, err := p.Stdout.Read(buf)
	if err != nil || string(buf[:n]) != "got hi\n" {
		t.Fatalf("%q %v", buf[:n], err)
	}
}

// A failing stream ends Run at once with its error, instead of waiting for
// the other streams' EOF; the others stay resumable.
func TestCommunicateErrorStopsOthers(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sleep", "30"}, Stderr: Pipe})
	dir, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	c := NewCommunication(nil, dir, p.Stderr, nil) // read(2) on a directory: EISDIR
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t0 := time.Now()
	_, errOut, err := c.Run(ctx)
	if !errors.Is(err, syscall.EISDIR) || errOut == nil {
		t.Fatalf("got %q %v", errOut, err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	if fl, err := unix.FcntlInt(p.Stderr.Fd(), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Fatalf("stderr pipe closed or left non-blocking: %v", err)
	}
}
