package proc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// defPath is the search path used when the environment has no PATH, as
// Python's os.defpath on POSIX.
const defPath = "/bin:/usr/bin"

// LookPath finds the program name the way POSIX Python's subprocess does
// (os.get_exec_path plus _posixsubprocess's exec loop):
//
//   - a name containing a slash is returned unchanged, without checks;
//   - otherwise each directory of PATH is tried in order, where PATH comes
//     from env when env is non-nil (Python's env= argument; the first
//     "PATH=" entry counts) and from the current environment when env is
//     nil; a missing PATH means "/bin:/usr/bin"; an empty PATH entry means
//     the current directory, and then the result is "./name".
//
// The first candidate that is a regular file (after symlinks) executable by
// the effective user wins. On failure the error is a [*StartError] with Op
// "exec", Path name and, as _posixsubprocess reports it, the first error
// other than ENOENT and ENOTDIR met along the way (EACCES for a
// non-executable file or a directory of that name), else ENOENT
// (FileNotFoundError in Python).
func LookPath(name string, env []string) (string, error) {
	return lookPath(name, env, "")
}

// lookPath is LookPath with relative candidates checked relative to dir,
// where the child will be after its chdir.
func lookPath(name string, env []string, dir string) (string, error) {
	if name == "" {
		return "", &StartError{Op: "exec", Path: name, Err: syscall.ENOENT}
	}
	if strings.Contains(name, "/") {
		return name, nil
	}
	var saved syscall.Errno
	last := syscall.ENOENT
	for _, d := range strings.Split(pathFromEnv(env), ":") {
		var cand string
		switch {
		case d == "":
			cand = "./" + name
		case strings.HasSuffix(d, "/"):
			cand = d + name
		default:
			cand = d + "/" + name
		}
		check := cand
		if dir != "" && !filepath.IsAbs(cand) {
			check = filepath.Join(dir, cand)
		}
		errno := checkExecutable(check)
		if errno == 0 {
			return cand, nil
		}
		last = errno
		if saved == 0 && errno != syscall.ENOENT && errno != syscall.ENOTDIR {
			saved = errno
		}
	}
	if saved != 0 {
		last = saved
	}
	return "", &StartError{Op: "exec", Path: name, Err: last}
}

// pathFromEnv returns the PATH that Python's os.get_exec_path(env) uses.
func pathFromEnv(env []string) string {
	if env == nil {
		if p, ok := os.LookupEnv("PATH"); ok {
			return p
		}
		return defPath
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			return kv[len("PATH="):]
		}
	}
	return defPath
}

// checkExecutable returns the errno execve(2) would most likely fail with
// for path, or 0 if path is a regular file the effective user may execute.
func checkExecutable(path string) syscall.Errno {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return toErrno(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return syscall.EACCES
	}
	if err := unix.Faccessat(unix.AT_FDCWD, path, unix.X_OK, unix.AT_EACCESS); err != nil {
		return toErrno(err)
	}
	return 0
}

// toErrno extracts the errno from err, or EINVAL if it has none.
func toErrno(err error) syscall.Errno {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return syscall.EINVAL
}
