package proc

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// minRead is the smallest buffer space offered to one read(2), in bytes.
const minRead = 64 << 10

// Communication is the resumable state of Python's Popen.communicate for
// one child: the input not yet written and the output read so far. Create
// it with [NewCommunication] and drive it with [Communication.Run];
// [Process.Communicate] keeps one per Process.
type Communication struct {
	mu                    sync.Mutex
	stdin, stdout, stderr *os.File
	input                 []byte
	off                   int
	out, errOut           []byte
	started               bool
}

// NewCommunication prepares to write input to stdin and read stdout and
// stderr until EOF. Any of the files may be nil (that stream is skipped);
// they must be pipes, FIFOs or sockets that the Communication may close.
// input is not copied and must not be modified until the exchange is done.
// As in Python, input is ignored when stdin is nil, and stdin is closed
// without writing when input is empty.
func NewCommunication(stdin, stdout, stderr *os.File, input []byte) *Communication {
	c := &Communication{stdin: stdin, stdout: stdout, stderr: stderr, input: input}
	if stdout != nil {
		c.out = []byte{}
	}
	if stderr != nil {
		c.errOut = []byte{}
	}
	return c
}

// Run writes the rest of the input and reads both outputs concurrently
// until stdin has taken all input (or the reader went away: EPIPE is
// ignored, as Python ignores BrokenPipeError) and both outputs reached EOF.
// It closes each file as soon as it is done with it, so the child sees EOF
// on its stdin.
//
// It returns everything read from stdout and stderr since the
// Communication was created (nil for a nil file). If ctx is done first, it
// returns what was read so far and ctx.Err() (context.DeadlineExceeded for
// a timeout, Python's TimeoutExpired); the child is not touched, unfinished
// files stay open, and a later Run continues where this one stopped and
// again returns all output. Other read or write errors are returned the
// same way. Once everything is done Run returns at once with the same
// result.
//
// While Run is active it works on non-blocking duplicates of the files
// (O_NONBLOCK is shared with the originals during that time) registered
// with Go's poller, so no OS thread is blocked; the originals' flags are
// restored before Run returns. Reads offer at least 64 KiB at a time
// straight into the result buffers; input is written from the caller's
// slice without copying. The returned slices have no spare capacity and
// are not modified by later calls.
func (c *Communication) Run(ctx context.Context) (stdout, stderr []byte, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started {
		c.started = true
		if c.stdin != nil && len(c.input) <= c.off {
			c.stdin.Close() // EPIPE and friends do not matter here.
			c.stdin = nil
		}
	}
	var streams []*stream
	open := func(f *os.File) *stream {
		if f == nil || err != nil {
			return nil
		}
		s, serr := newStream(f)
		if serr != nil {
			err = serr
			return nil
		}
		streams = append(streams, s)
		return s
	}
	in, out, errOut := open(c.stdin), open(c.stdout), open(c.stderr)
	if err != nil {
		for _, s := range streams {
			s.suspend()
		}
		return c.result(err)
	}
	if len(streams) == 0 {
		return c.result(nil)
	}

	// Wake every stream when ctx is done, or when one stream fails (the
	// error is returned at once instead of after the others' EOF).
	var interruptOnce sync.Once
	interrupt := func() {
		interruptOnce.Do(func() {
			for _, s := range streams {
				s.dup.SetDeadline(aLongTimeAgo)
			}
		})
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		interrupt()
		close(fired)
	})
	var wg sync.WaitGroup
	if in != nil {
		wg.Go(func() {
			c.write(in)
			if in.err != nil && !errors.Is(in.err, os.ErrDeadlineExceeded) {
				interrupt()
			}
		})
	}
	for _, r := range []struct {
		s   *stream
		buf *[]byte
	}{{out, &c.out}, {errOut, &c.errOut}} {
		if r.s != nil {
			wg.Go(func() {
				read(r.s, r.buf)
				if r.s.err != nil && !errors.Is(r.s.err, os.ErrDeadlineExceeded) {
					interrupt()
				}
			})
		}
	}
	wg.Wait()
	if !stop() {
		<-fired
	}

	var firstErr error
	timedOut := false
	for _, s := range streams {
		if s.done {
			continue
		}
		s.suspend()
		if errors.Is(s.err, os.ErrDeadlineExceeded) {
			timedOut = true
		} else if firstErr == nil {
			firstErr = s.err // a real failure wins over the deadlines it caused
		}
	}
	if in != nil && in.done {
		c.stdin = nil
	}
	if out != nil && out.done {
		c.stdout = nil
	}
	if errOut != nil && errOut.done {
		c.stderr = nil
	}
	if firstErr == nil && timedOut {
		firstErr = ctx.Err()
		if firstErr == nil { // cannot happen: only ctx sets deadlines
			firstErr = context.DeadlineExceeded
		}
	}
	return c.result(firstErr)
}

// Done reports whether all input has been written (or refused) and both
// outputs have reached EOF.
func (c *Communication) Done() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.started && c.stdin == nil && c.stdout == nil && c.stderr == nil
}

// Close closes the files that are still open, abandoning the rest of the
// exchange (used after killing the child, when a grandchild may keep the
// pipes open forever). Later Runs return the output read so far.
func (c *Communication) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.started = true
	var first error
	for _, f := range []**os.File{&c.stdin, &c.stdout, &c.stderr} {
		if *f != nil {
			if err := (*f).Close(); err != nil && first == nil && !errors.Is(err, syscall.EPIPE) {
				first = err
			}
			*f = nil
		}
	}
	return first
}

func (c *Communication) result(err error) ([]byte, []byte, error) {
	var out, errOut []byte
	if c.out != nil {
		out = c.out[:len(c.out):len(c.out)]
	}
	if c.errOut != nil {
		errOut = c.errOut[:len(c.errOut):len(c.errOut)]
	}
	return out, errOut, err
}

// write sends the rest of the input; EPIPE ends it quietly.
func (c *Communication) write(s *stream) {
	n, err := s.dup.Write(c.input[c.off:])
	c.off += n
	if err == nil || errors.Is(err, syscall.EPIPE) {
		s.finish()
		return
	}
	s.err = err
}

// read appends to *buf until EOF, an error or the deadline.
func read(s *stream, buf *[]byte) {
	b := *buf
	for {
		if cap(b)-len(b) < minRead {
			b = slices.Grow(b, max(cap(b), minRead))
		}
		n, err := s.dup.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			s.finish()
			break
		}
		if err != nil {
			s.err = err
			break
		}
	}
	*buf = b
}

// stream is one file during a Run: the caller's file and our non-blocking
// duplicate of it.
type stream struct {
	orig      *os.File
	dup       *os.File
	setNB     bool // we set O_NONBLOCK and must clear it again
	done      bool
	err       error
	closeOnce sync.Once
}

// newStream duplicates f (at a number of at least 3, close-on-exec) and
// puts the shared open file description into non-blocking mode, so that
// the duplicate is handled by Go's poller.
func newStream(f *os.File) (*stream, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var nfd int
	var setNB bool
	var ferr error
	cerr := rc.Control(func(fd uintptr) {
		var flags int
		flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0)
		if ferr != nil {
			return
		}
		nfd, ferr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 3)
		if ferr != nil {
			return
		}
		if flags&unix.O_NONBLOCK == 0 {
			if ferr = unix.SetNonblock(nfd, true); ferr != nil {
				unix.Close(nfd)
				return
			}
			setNB = true
		}
	})
	if cerr != nil {
		return nil, cerr
	}
	if ferr != nil {
		return nil, os.NewSyscallError("fcntl", ferr)
	}
	return &stream{orig: f, dup: os.NewFile(uintptr(nfd), f.Name()), setNB: setNB}, nil
}

// finish closes both the duplicate and the original: the stream is done.
func (s *stream) finish() {
	s.done = true
	s.dup.Close()
	s.orig.Close()
}

// suspend closes the duplicate and restores the original's blocking mode,
// leaving the original open for a later Run.
func (s *stream) suspend() {
	s.dup.Close()
	if !s.setNB {
		return
	}
	if rc, err := s.orig.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.SetNonblock(int(fd), false) })
	}
}

// Communicate is Python's Popen.communicate: it writes input to
// [Process.Stdin], reads [Process.Stdout] and [Process.Stderr] until EOF
// (concurrently, so no size can deadlock), then waits for the child. It
// returns all output (nil for a stream that is not a pipe). The child's
// state is then available from [Process.Wait] or [Process.Poll] at once.
//
// If ctx is done first, it returns the output read so far and ctx.Err()
// (context.DeadlineExceeded: Python's TimeoutExpired), leaving the child
// running; calling Communicate again (input must then be nil, else
// [ErrInputAfterStart]) continues the exchange and returns all output,
// including what the first call returned. See [Communication.Run] for the
// details; [Process.KillAndWait] is the timeout path of subprocess.run.
func (p *Process) Communicate(ctx context.Context, input []byte) (stdout, stderr []byte, err error) {
	p.commMu.Lock()
	if p.comm == nil {
		p.comm = NewCommunication(p.Stdin, p.Stdout, p.Stderr, input)
	} else if len(input) > 0 {
		p.commMu.Unlock()
		return nil, nil, ErrInputAfterStart
	}
	c := p.comm
	p.commMu.Unlock()
	stdout, stderr, err = c.Run(ctx)
	if err != nil {
		return stdout, stderr, err
	}
	if _, err := p.Wait(ctx); err != nil {
		return stdout, stderr, err
	}
	return stdout, stderr, nil
}

// communication returns the Process's Communication, creating one without
// input if there is none yet.
func (p *Process) communication() *Communication {
	p.commMu.Lock()
	defer p.commMu.Unlock()
	if p.comm == nil {
		p.comm = NewCommunication(p.Stdin, p.Stdout, p.Stderr, nil)
	}
	return p.comm
}
