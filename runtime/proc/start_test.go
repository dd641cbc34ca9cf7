package proc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// startErr starts cmd, expects a *StartError and returns it.
func startErr(t *testing.T, cmd *Cmd) *StartError {
	t.Helper()
	p, err := cmd.Start()
	if err == nil {
		p.Kill()
		waitCtx(t, p)
		t.Fatalf("Start %v succeeded", cmd.Args)
	}
	var se *StartError
	if !errors.As(err, &se) {
		t.Fatalf("Start error %T %v is not a *StartError", err, err)
	}
	return se
}

func TestMissingProgram(t *testing.T) {
	// Python: FileNotFoundError(2, 'No such file or directory'), filename 'nosuchprog'.
	se := startErr(t, &Cmd{Args: []string{"nosuchprog-forkjs"}})
	if se.Op != "exec" || se.Path != "nosuchprog-forkjs" || se.Err != syscall.ENOENT {
		t.Fatalf("got %+v", se)
	}
	if !errors.Is(se, fs.ErrNotExist) || !errors.Is(se, syscall.ENOENT) {
		t.Fatal("errors.Is does not see ENOENT")
	}
	if got, want := se.Error(), `proc: exec "nosuchprog-forkjs": no such file or directory`; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	// With a slash the name is used as it is, and exec reports it.
	se = startErr(t, &Cmd{Args: []string{"/nonexistent/prog"}})
	if se.Op != "exec" || se.Path != "/nonexistent/prog" || se.Err != syscall.ENOENT {
		t.Fatalf("got %+v", se)
	}
	// Executable= is what Python names in the error.
	se = startErr(t, &Cmd{Args: []string{"x"}, Executable: "/nonexist/y"})
	if se.Op != "exec" || se.Path != "/nonexist/y" || se.Err != syscall.ENOENT {
		t.Fatalf("got %+v", se)
	}
}

func TestMissingDir(t *testing.T) {
	// Python: FileNotFoundError(2, ..., '/nonexist') from the chdir step,
	// even though the program is missing too.
	se := startErr(t, &Cmd{Args: []string{"nosuchprog-forkjs"}, Dir: "/nonexistent-dir"})
	if se.Op != "chdir" || se.Path != "/nonexistent-dir" || se.Err != syscall.ENOENT {
		t.Fatalf("got %+v", se)
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	se = startErr(t, &Cmd{Args: []string{"true"}, Dir: file})
	if se.Op != "chdir" || se.Path != file || se.Err != syscall.ENOTDIR {
		t.Fatalf("got %+v", se)
	}
	if os.Geteuid() != 0 {
		locked := filepath.Join(t.TempDir(), "locked")
		os.Mkdir(locked, 0o600)
		se = startErr(t, &Cmd{Args: []string{"true"}, Dir: locked})
		if se.Op != "chdir" || se.Err != syscall.EACCES {
			t.Fatalf("got %+v", se)
		}
	}
}

func TestNotExecutable(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, dir, "noexec", "echo hi", 0o644)
	// Python: PermissionError(13, 'Permission denied'), filename = the path.
	se := startErr(t, &Cmd{Args: []string{script}})
	if se.Op != "exec" || se.Path != script || se.Err != syscall.EACCES {
		t.Fatalf("got %+v", se)
	}
	if !errors.Is(se, fs.ErrPermission) {
		t.Fatal("errors.Is does not see EACCES as ErrPermission")
	}
	// Found on PATH but not executable: EACCES, named as given.
	se = startErr(t, &Cmd{Args: []string{"noexec"}, Env: []string{"PATH=" + dir}})
	if se.Op != "exec" || se.Path != "noexec" || se.Err != syscall.EACCES {
		t.Fatalf("got %+v", se)
	}
	// A directory is not executable either.
	se = startErr(t, &Cmd{Args: []string{dir}})
	if se.Err != syscall.EACCES {
		t.Fatalf("got %+v", se)
	}
}

func TestExecFormatError(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("\x00\x01\x02\x03not a program"), 0o755)
	se := startErr(t, &Cmd{Args: []string{bad}})
	if se.Op != "exec" || se.Path != bad || se.Err != syscall.ENOEXEC {
		t.Fatalf("got %+v", se)
	}
}

func TestBadFDs(t *testing.T) {
	se := startErr(t, &Cmd{Args: []string{"true"}, Stdin: FD(9999)})
	if se.Op != "fd" || se.Err != syscall.EBADF || se.Path != "" {
		t.Fatalf("got %+v", se)
	}
	se = startErr(t, &Cmd{Args: []string{"true"}, PassFDs: []int{9998}})
	if se.Op != "fd" || se.Err != syscall.EBADF {
		t.Fatalf("got %+v", se)
	}
}

func TestBadProcessGroup(t *testing.T) {
	// No such group in our session (pid 1 is in another one).
	se := startErr(t, &Cmd{Args: []string{"true"}, Setpgid: true, Pgid: 1})
	if se.Op != "setpgid" || se.Err != syscall.EPERM || se.Path != "" {
		t.Fatalf("got %+v", se)
	}
}

func TestInvalidArguments(t *testing.T) {
	cases := []struct {
		cmd  *Cmd
		want error
	}{
		{&Cmd{}, ErrNoProgram},
		{&Cmd{Args: []string{"echo", "a\x00b"}}, ErrNulByte},
		{&Cmd{Args: []string{"true"}, Env: []string{"A=\x00"}}, ErrNulByte},
		{&Cmd{Args: []string{"true"}, Stdout: ToStdout}, ErrBadRedirect},
		{&Cmd{Args: []string{"true"}, Stdin: ToStdout}, ErrBadRedirect},
	}
	for _, c := range cases {
		if _, err := c.cmd.Start(); err != c.want {
			t.Errorf("%+v: got %v, want %v", c.cmd, err, c.want)
		}
	}
}

func TestStartFailureLeaksNothing(t *testing.T) {
	before := openFDs(t)
	for range 20 {
		(&Cmd{Args: []string{"nosuchprog-forkjs"}, Stdin: Pipe, Stdout: Pipe, Stderr: DevNull}).Start()
		(&Cmd{Path: "/nonexistent/prog", Stdin: Pipe, Stdout: Pipe, Stderr: Pipe}).Start()
		(&Cmd{Args: []string{"true"}, Stdout: Pipe, PassFDs: []int{9998}}).Start()
	}
	if after := openFDs(t); after != before {
		t.Fatalf("open fds %d -> %d after failed starts", before, after)
	}
}

func TestArgv0AndExecutable(t *testing.T) {
	// sh's own argv, from /proc: argv[0] is Args[0], not the program.
	out, _ := output(t, &Cmd{Args: []string{"myname", "-c", `tr '\0' ' ' </proc/$$/cmdline`}, Executable: "sh"})
	if out != "myname -c tr '\\0' ' ' </proc/$$/cmdline " {
		t.Fatalf("got %q", out)
	}
	// Path without Args: argv is just the program.
	out, _ = output(t, &Cmd{Path: "/bin/echo"})
	if out != "\n" {
		t.Fatalf("got %q", out)
	}
}

func TestEnvAndDir(t *testing.T) {
	out, _ := output(t, &Cmd{Args: []string{"/bin/sh", "-c", "echo $FOO:$HOME"}, Env: []string{"FOO=bar"}})
	if out != "bar:\n" {
		t.Fatalf("explicit env: got %q", out)
	}
	t.Setenv("FORKJS_PROC_TEST", "inherited")
	out, _ = output(t, sh("echo $FORKJS_PROC_TEST"))
	if out != "inherited\n" {
		t.Fatalf("nil env: got %q", out)
	}
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	out, _ = output(t, &Cmd{Args: []string{"pwd", "-P"}, Dir: dir})
	if out != dir+"\n" {
		t.Fatalf("Dir: got %q, want %q", out, dir)
	}
	// A relative program path is resolved in Dir, as Python does.
	writeScript(t, dir, "here", "echo here", 0o755)
	out, _ = output(t, &Cmd{Args: []string{"./here"}, Dir: dir})
	if out != "here\n" {
		t.Fatalf("relative program in Dir: got %q", out)
	}
}

func TestUmask(t *testing.T) {
	u := 0o027
	out, _ := output(t, &Cmd{Args: []string{"sh", "-c", "umask"}, Umask: &u})
	if strings.TrimSpace(out) != "0027" {
		t.Fatalf("umask in child %q", out)
	}
	old := syscall.Umask(0o022)
	syscall.Umask(old)
	if old == u {
		t.Fatal("parent umask was changed")
	}
}

func TestDevNull(t *testing.T) {
	out, _ := output(t, &Cmd{Args: []string{"cat"}, Stdin: DevNull})
	if out != "" {
		t.Fatalf("cat </dev/null: %q", out)
	}
	p := start(t, &Cmd{Args: []string{"sh", "-c", "echo out; echo err >&2"}, Stdout: DevNull, Stderr: Pipe})
	_, errOut, err := p.Communicate(t.Context(), nil)
	if err != nil || string(errOut) != "err\n" {
		t.Fatalf("got %q %v", errOut, err)
	}
}

func TestPipeSize(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"true"}, Stdout: Pipe, PipeSize: 1 << 20})
	size, err := unix.FcntlInt(p.Stdout.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil || size != 1<<20 {
		t.Fatalf("pipe size %d %v", size, err)
	}
	waitCtx(t, p)
}

func TestStderrToStdoutKeepsOrder(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sh", "-c", "echo 1; echo 2 >&2; echo 3; echo 4 >&2"}, Stdout: Pipe, Stderr: ToStdout})
	if p.Stderr != nil {
		t.Fatal("merged stderr has its own pipe")
	}
	out, errOut, err := p.Communicate(t.Context(), nil)
	if err != nil || string(out) != "1\n2\n3\n4\n" || errOut != nil {
		t.Fatalf("got %q %q %v", out, errOut, err)
	}
}

// lsFDs runs `ls -ln /proc/self/fd` in a child and returns the descriptor
// numbers it had, leaving out ls's own directory descriptor.
func lsFDs(t *testing.T, cmd *Cmd) map[int]string {
	t.Helper()
	cmd.Args = []string{"ls", "-ln", "/proc/self/fd"}
	out, st := output(t, cmd)
	if !st.Success() {
		t.Fatalf("ls failed: %v", st)
	}
	fds := map[int]string{}
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		i := slices.Index(f, "->")
		if i < 1 || i+1 >= len(f) {
			continue
		}
		fd, err := strconv.Atoi(f[i-1])
		if err != nil {
			continue
		}
		if strings.HasPrefix(f[i+1], "/proc/") && strings.HasSuffix(f[i+1], "/fd") {
			continue // ls reading the directory
		}
		fds[fd] = f[i+1]
	}
	return fds
}

func TestOnlyStdioAndPassFDsReachChild(t *testing.T) {
	// An inheritable (non-close-on-exec) pipe, as os.pipe() + set_inheritable
	// would make, and one more above it.
	var p [2]int
	if err := unix.Pipe2(p[:], 0); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	high, err := unix.FcntlInt(uintptr(p[0]), unix.F_DUPFD, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(high)
	// The parent also holds plenty of close-on-exec descriptors: the pipe
	// of this very child, the poller, pidfds.

	fds := lsFDs(t, &Cmd{})
	if len(fds) != 3 || fds[0] == "" || fds[1] == "" || fds[2] == "" {
		t.Fatalf("default: child had %v, want exactly 0, 1, 2", fds)
	}
	// They were made close-on-exec only for that exec.
	for _, fd := range []int{p[0], p[1], high} {
		if !inheritable(fd) {
			t.Fatalf("fd %d is no longer inheritable in the parent after a Start", fd)
		}
	}

	fds = lsFDs(t, &Cmd{PassFDs: []int{p[1], high}})
	if len(fds) != 5 || !strings.HasPrefix(fds[p[1]], "pipe:") || !strings.HasPrefix(fds[high], "pipe:") {
		t.Fatalf("pass_fds %d,%d: child had %v", p[1], high, fds)
	}
	if _, ok := fds[p[0]]; ok {
		t.Fatalf("fd %d not in pass_fds reached the child", p[0])
	}

	// close_fds=False: inheritable descriptors stay, close-on-exec ones do not.
	fds = lsFDs(t, &Cmd{InheritFDs: true})
	if _, ok := fds[p[0]]; !ok {
		t.Fatalf("InheritFDs: child had %v, missing %d", fds, p[0])
	}
	if _, ok := fds[high]; !ok {
		t.Fatalf("InheritFDs: child had %v, missing %d", fds, high)
	}
	for fd := range fds {
		if fd > 2 && fd != p[0] && fd != p[1] && fd != high {
			if inheritable(fd) {
				continue
			}
			t.Fatalf("InheritFDs: close-on-exec fd %d (%s) leaked", fd, fds[fd])
		}
	}

	// The pipes Start creates are close-on-exec in the parent.
	q := start(t, &Cmd{Args: []string{"cat"}, Stdin: Pipe, Stdout: Pipe, Stderr: Pipe})
	for _, f := range []*os.File{q.Stdin, q.Stdout, q.Stderr} {
		if inheritable(int(f.Fd())) || f.Fd() <= 2 {
			t.Fatalf("parent pipe end %d is inheritable or a stdio number", f.Fd())
		}
	}
}

func TestInheritClosedStdio(t *testing.T) {
	// FD redirects onto an inherited descriptor keep working when the same
	// number is also a source for another slot.
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	proc := start(t, &Cmd{Args: []string{"sh", "-c", "echo to-fd; echo err >&2"}, Stdout: FD(p[1]), Stderr: ToStdout})
	unix.Close(p[1])
	waitCtx(t, proc)
	buf := make([]byte, 100)
	n, _ := unix.Read(p[0], buf)
	if string(buf[:n]) != "to-fd\nerr\n" {
		t.Fatalf("got %q", buf[:n])
	}
}
