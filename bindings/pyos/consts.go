package pyos

import (
	"golang.org/x/sys/unix"
)

func (m *mod) constants() {
	e := m.exports
	for _, c := range []struct {
		name string
		v    int
	}{
		{"WNOHANG", unix.WNOHANG}, {"WUNTRACED", unix.WUNTRACED}, {"WCONTINUED", unix.WCONTINUED},
		{"O_RDONLY", unix.O_RDONLY}, {"O_WRONLY", unix.O_WRONLY}, {"O_RDWR", unix.O_RDWR},
		{"O_CREAT", unix.O_CREAT}, {"O_TRUNC", unix.O_TRUNC}, {"O_APPEND", unix.O_APPEND},
		{"O_EXCL", unix.O_EXCL}, {"O_NONBLOCK", unix.O_NONBLOCK}, {"O_CLOEXEC", unix.O_CLOEXEC},
		{"O_NOCTTY", unix.O_NOCTTY}, {"O_SYNC", unix.O_SYNC}, {"O_DIRECTORY", unix.O_DIRECTORY},
		{"O_NOFOLLOW", unix.O_NOFOLLOW}, {"O_NDELAY", unix.O_NDELAY},
		{"F_OK", unix.F_OK}, {"R_OK", unix.R_OK}, {"W_OK", unix.W_OK}, {"X_OK", unix.X_OK},
		{"SEEK_SET", 0}, {"SEEK_CUR", 1}, {"SEEK_END", 2},
		{"EX_OK", 0}, {"EX_USAGE", 64}, {"EX_SOFTWARE", 70},
	} {
		e.Set(c.name, c.v)
	}
	e.Set("devnull", "/dev/null")
	e.Set("sep", "/")
	e.Set("altsep", nil)
	e.Set("linesep", "\n")
	e.Set("pathsep", ":")
	e.Set("curdir", ".")
	e.Set("pardir", "..")
	e.Set("extsep", ".")
	e.Set("name", "posix")
}
