package proc

// Cmd describes a child process to start, field by field as Python's
// subprocess.Popen arguments. The zero value of every field means Python's
// default. A Cmd is not modified by [Cmd.Start] and can be started again.
type Cmd struct {
	// Path is the program to run. If it contains no slash it is searched
	// on the PATH of Env (see [LookPath]) at Start; otherwise it is used as
	// it is, relative to Dir when relative. If empty, Args[0] is used, as
	// Python uses args[0].
	Path string

	// Executable, when non-empty, is run instead of Path while Args[0]
	// stays the child's argv[0], as Python's executable= argument. It is
	// searched on PATH the same way when it contains no slash.
	Executable string

	// Args is the child's argv, including argv[0]. If empty, the program
	// name is used as the only argument.
	Args []string

	// Env is the child's environment as "KEY=value" strings. nil means a
	// copy of the current process's environment taken at Start (Python's
	// env=None); an empty non-nil slice means an empty environment.
	Env []string

	// Dir is the child's working directory (Python's cwd=); empty means
	// the parent's. A relative program path is resolved after changing to
	// Dir, as in Python.
	Dir string

	// Stdin, Stdout and Stderr say what the child's descriptors 0, 1 and 2
	// are. The zero value inherits the parent's descriptor (Python's None).
	Stdin, Stdout, Stderr Redirect

	// PipeSize, when positive, is the capacity in bytes requested with
	// F_SETPIPE_SZ for each pipe Start creates (Python's pipesize=; the
	// kernel rounds it up to a power-of-two number of pages and caps it
	// at /proc/sys/fs/pipe-max-size for unprivileged users).
	PipeSize int

	// Setsid starts the child in a new session, so it leads a new process
	// group too (Python's start_new_session=True).
	Setsid bool

	// Setpgid puts the child in process group Pgid; Pgid 0 makes a new
	// group led by the child (Python's process_group=).
	Setpgid bool
	Pgid    int

	// PassFDs lists descriptors of the parent that the child receives at
	// the same numbers (Python's pass_fds). Numbers below 3 are ignored:
	// Stdin, Stdout and Stderr govern those.
	PassFDs []int

	// InheritFDs leaves every descriptor that is not close-on-exec open in
	// the child (Python's close_fds=False). By default (close_fds=True)
	// only 0, 1, 2 and PassFDs reach the child: Start makes the other
	// inheritable descriptors close-on-exec for the moment of the exec and
	// restores their flags after.
	InheritFDs bool

	// Umask, when non-nil, is the child's umask (Python's umask=). The
	// umask is a per-process value that cannot be set in the child with
	// Go's fork implementation, so Start sets it in the parent for the
	// duration of the fork: files created by other goroutines during that
	// window get it too.
	Umask *int
}

// program returns the program name as the caller gave it: Executable, else
// Path, else Args[0].
func (c *Cmd) program() string {
	switch {
	case c.Executable != "":
		return c.Executable
	case c.Path != "":
		return c.Path
	case len(c.Args) > 0:
		return c.Args[0]
	}
	return ""
}
