package proc

import (
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// umaskMu serialises the umask dance of Cmd.Umask between Starts.
var umaskMu sync.Mutex

// closedFD marks a child descriptor slot that must be closed in the child.
const closedFD = ^uintptr(0)

// Start starts the child described by c and returns its [*Process]. It does
// not wait for the child. The steps, and the error for each, follow
// Python's Popen._execute_child:
//
//  1. Dir is checked; failure: [*StartError] Op "chdir", Path Dir, errno
//     ENOENT, ENOTDIR or EACCES (FileNotFoundError(2, ..., cwd) in Python).
//  2. A program without a slash is searched with [LookPath] on the PATH of
//     Env, relative PATH entries relative to Dir; failure: Op "exec", Path
//     the program as given, ENOENT or EACCES.
//  3. Stdin, Stdout, Stderr and PassFDs are resolved: pipes are created
//     (Op "pipe"), /dev/null opened (Op "open"), [FD] and PassFDs checked
//     (Op "fd", EBADF).
//  4. The child is forked and exec'd with only 0, 1, 2 and PassFDs open
//     (unless InheritFDs); an exec failure is Op "exec", Path the program
//     as given (ENOENT, EACCES, ENOEXEC, ...), or Op "chdir" if Dir has
//     become unusable meanwhile, or Op "setpgid" (EPERM, no Path) when
//     Setpgid names a group the child cannot join.
//
// A NUL byte in the program, Args, Env or Dir gives [ErrNulByte], an empty
// program [ErrNoProgram], a misplaced [ToStdout] [ErrBadRedirect]. On any
// error nothing is left open and no child is left behind.
func (c *Cmd) Start() (*Process, error) {
	prog := c.program()
	if prog == "" {
		return nil, ErrNoProgram
	}
	argv := c.Args
	if len(argv) == 0 {
		argv = []string{prog}
	}
	env := c.Env
	if env == nil {
		env = os.Environ()
	}
	if hasNul(prog) || hasNul(c.Dir) || slices.ContainsFunc(argv, hasNul) || slices.ContainsFunc(env, hasNul) {
		return nil, ErrNulByte
	}
	if c.Dir != "" {
		if errno := checkDir(c.Dir); errno != 0 {
			return nil, &StartError{Op: "chdir", Path: c.Dir, Err: errno}
		}
	}
	path, err := lookPath(prog, c.Env, c.Dir)
	if err != nil {
		return nil, err
	}

	var s stdio
	defer s.closeChildEnds()
	if err := s.setup(c); err != nil {
		s.closeParentEnds()
		return nil, err
	}
	files, hide, err := c.fdTable(&s)
	if err != nil {
		s.closeParentEnds()
		return nil, err
	}
	// While the exec runs, descriptors the child must not inherit are
	// close-on-exec in this process too; an exec started meanwhile by
	// another goroutine that counts on inheriting them implicitly (not
	// through its own fd table) would miss them.
	setCloexec(hide, true)

	pidfd := -1
	sys := &syscall.SysProcAttr{Setsid: c.Setsid, Setpgid: c.Setpgid, Pgid: c.Pgid}
	withPidfd := usePidfd()
	if withPidfd {
		sys.PidFD = &pidfd
	}
	attr := &syscall.ProcAttr{Dir: c.Dir, Env: env, Files: files, Sys: sys}
	var pid int
	if c.Umask != nil {
		umaskMu.Lock()
		old := syscall.Umask(*c.Umask)
		pid, err = syscall.ForkExec(path, argv, attr)
		syscall.Umask(old)
		umaskMu.Unlock()
	} else {
		pid, err = syscall.ForkExec(path, argv, attr)
	}
	setCloexec(hide, false)
	if err != nil {
		s.closeParentEnds()
		return nil, c.execError(prog, err)
	}
	if withPidfd && pidfd < 0 {
		// The kernel ignored CLONE_PIDFD; open one now, which is still race-free:
		// the child is ours and unreaped, so its pid cannot have been reused.
		pidfd, _ = unix.PidfdOpen(pid, 0)
	}
	p := newProcess(pid, pidfd, c.Setsid || (c.Setpgid && c.Pgid == 0))
	p.Stdin = s.parentFile(0)
	p.Stdout = s.parentFile(1)
	p.Stderr = s.parentFile(2)
	return p, nil
}

// execError turns a ForkExec errno into a StartError, deciding between the
// chdir and exec steps the way the child would have met them.
func (c *Cmd) execError(prog string, err error) error {
	errno, ok := err.(syscall.Errno)
	if !ok {
		return err
	}
	if c.Dir != "" {
		if e := checkDir(c.Dir); e != 0 {
			return &StartError{Op: "chdir", Path: c.Dir, Err: e}
		}
	}
	if errno == syscall.EPERM && c.Setpgid {
		// setpgid(0, Pgid) in the child: Pgid is not a group of our
		// session, or Setsid made the child a session leader.
		return &StartError{Op: "setpgid", Err: errno}
	}
	return &StartError{Op: "exec", Path: prog, Err: errno}
}

// checkDir returns the errno chdir(dir) would fail with, or 0.
func checkDir(dir string) syscall.Errno {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return toErrno(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return syscall.ENOTDIR
	}
	if err := unix.Faccessat(unix.AT_FDCWD, dir, unix.X_OK, unix.AT_EACCESS); err != nil {
		return toErrno(err)
	}
	return 0
}

func hasNul(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// stdio holds the descriptors Start sets up for the child's 0, 1 and 2.
type stdio struct {
	child   [3]int // what the child gets as 0, 1, 2; -1 for closed
	parent  [3]int // our end of each pipe, -1 if none
	owned   []int  // child-side descriptors we created, closed after the fork
	devnull int
}

func (s *stdio) setup(c *Cmd) error {
	s.parent = [3]int{-1, -1, -1}
	s.devnull = -1
	for i, r := range [3]Redirect{c.Stdin, c.Stdout, c.Stderr} {
		switch r.kind {
		case redirInherit:
			s.child[i] = i
			if !fdIsOpen(i) {
				s.child[i] = -1
			}
		case redirDevNull:
			if s.devnull < 0 {
				fd, err := openDevNull()
				if err != nil {
					return &StartError{Op: "open", Path: os.DevNull, Err: toErrno(err)}
				}
				s.devnull = fd
				s.owned = append(s.owned, fd)
			}
			s.child[i] = s.devnull
		case redirPipe:
			r, w, err := newPipe(c.PipeSize)
			if err != nil {
				return &StartError{Op: "pipe", Err: toErrno(err)}
			}
			if i == 0 {
				s.child[i], s.parent[i] = r, w
			} else {
				s.child[i], s.parent[i] = w, r
			}
			s.owned = append(s.owned, s.child[i])
		case redirFD:
			if !fdIsOpen(r.fd) {
				return &StartError{Op: "fd", Err: syscall.EBADF}
			}
			s.child[i] = r.fd
		case redirStdout:
			if i != 2 {
				return ErrBadRedirect
			}
			s.child[2] = s.child[1]
		default:
			return ErrBadRedirect
		}
	}
	return nil
}

func (s *stdio) closeChildEnds() {
	for _, fd := range s.owned {
		unix.Close(fd)
	}
	s.owned = nil
}

func (s *stdio) closeParentEnds() {
	for i, fd := range s.parent {
		if fd >= 0 {
			unix.Close(fd)
			s.parent[i] = -1
		}
	}
}

var pipeNames = [3]string{"|0", "|1", "|2"}

// parentFile wraps our end of pipe i in a blocking *os.File, or returns nil.
func (s *stdio) parentFile(i int) *os.File {
	if s.parent[i] < 0 {
		return nil
	}
	f := os.NewFile(uintptr(s.parent[i]), pipeNames[i])
	s.parent[i] = -1
	return f
}

// fdTable builds syscall.ProcAttr.Files: slot i is the parent descriptor the
// child gets as i, closedFD for "close i in the child". PassFDs keep their
// numbers. Every other descriptor that would be inherited is returned in
// hide, for Start to make close-on-exec around the exec: a close slot per
// number up to the highest one cost a syscall each in the child (about
// 1 us on the VMs forkjs is measured on; a descriptor 251 left open by the
// caller's caller meant 249 of them per spawn), where Python's
// _posixsubprocess makes one close_range.
func (c *Cmd) fdTable(s *stdio) (files []uintptr, hide []int, err error) {
	n := 3
	var pass []int
	for _, fd := range c.PassFDs {
		if fd <= 2 {
			continue
		}
		if !fdIsOpen(fd) {
			return nil, nil, &StartError{Op: "fd", Err: syscall.EBADF}
		}
		pass = append(pass, fd)
		n = max(n, fd+1)
	}
	var keep []int // inheritable descriptors left open (InheritFDs)
	if c.InheritFDs {
		keep = inheritableFDs()
	} else {
		// Close-on-exec descriptors vanish at exec by themselves; the
		// inheritable ones are made so for the exec.
		passed := map[int]bool{}
		for _, fd := range pass {
			passed[fd] = true
		}
		for _, fd := range inheritableFDs() {
			if !passed[fd] {
				hide = append(hide, fd)
			}
		}
	}
	files = make([]uintptr, n)
	for i := range files {
		files[i] = closedFD
	}
	for i, fd := range s.child {
		if fd >= 0 {
			files[i] = uintptr(fd)
		}
	}
	for _, fd := range pass {
		files[fd] = uintptr(fd)
	}
	for _, fd := range keep {
		// Beyond the table they are left alone; inside it, keep them.
		if fd < n && files[fd] == closedFD {
			files[fd] = uintptr(fd)
		}
	}
	return files, hide, nil
}

// setCloexec sets or clears FD_CLOEXEC on each of fds (errors ignored:
// a descriptor closed meanwhile needs nothing).
func setCloexec(fds []int, on bool) {
	for _, fd := range fds {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			continue
		}
		if on {
			flags |= unix.FD_CLOEXEC
		} else {
			flags &^= unix.FD_CLOEXEC
		}
		unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags)
	}
}
