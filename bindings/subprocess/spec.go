package subprocess

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Python's special values for stdin, stdout and stderr.
const (
	valPIPE    = -1
	valSTDOUT  = -2
	valDEVNULL = -3
)

// popenParams is Popen's signature, in Python's order.
var popenParams = []string{
	"args", "bufsize", "executable", "stdin", "stdout", "stderr", "preexec_fn",
	"close_fds", "shell", "cwd", "env", "universal_newlines", "startupinfo",
	"creationflags", "restore_signals", "start_new_session", "pass_fds",
	"*", "user", "group", "extra_groups", "encoding", "errors", "text", "umask",
	"pipesize", "process_group",
}

// redirKind is what one of the child's standard descriptors becomes.
type redirKind uint8

const (
	redirInherit redirKind = iota // the script's own stream
	redirPipe                     // a new pipe; the parent's end is the Popen's
	redirDevNull                  // /dev/null
	redirStdout                   // stderr only: the same file as stdout
	redirFD                       // an open descriptor of the script
)

type redir struct {
	kind redirKind
	fd   int
}

// startSpec is a Popen's arguments, checked and converted on the JS
// thread: everything the live spawn needs, and nothing from goja.
type startSpec struct {
	argv       []string
	executable string // program to run instead of argv[0] ("" none)
	shell      bool
	cwd        string
	hasCwd     bool
	env        []string
	redir      [3]redir
	passFDs    []int
	closeFDs   bool
	newSession bool
	pgroup     int // process_group; -1 none
	umask      int // -1 none
	pipesize   int // -1 none
	forTimeout bool
	stdio      [3]int // the script's standard descriptors
}

// hash is the spec's ArgsHash, for divergence detection.
func (s *startSpec) hash() uint32 {
	var rs []int
	for _, r := range s.redir {
		rs = append(rs, int(r.kind), r.fd)
	}
	return engine.ArgsHash(s.argv, s.executable, s.shell, s.cwd, s.hasCwd, s.env, rs, s.passFDs,
		s.closeFDs, s.newSession, s.pgroup, s.umask, s.pipesize, s.forTimeout)
}

// textOpts are the text-mode settings of a Popen's pipes.
type textOpts struct {
	text     bool
	encoding string
	errors   string
	bufsize  int
}

// parseSpec converts Popen's arguments as Python's Popen.__init__ and
// _execute_child do. Errors: TypeError for wrong types, ValueError (null
// byte, Windows-only options, bad env names), IndexError for an empty
// args list, NotImplementedError for preexec_fn/user/group/extra_groups,
// SubprocessError for contradicting text and universal_newlines, and
// LookupError for an unknown encoding.
func (m *mod) parseSpec(a *engine.Call, forTimeout bool, pipe [3]bool) (*startSpec, textOpts) {
	rt := m.rt
	s := &startSpec{forTimeout: forTimeout, stdio: rt.Stdio()}
	for _, name := range []string{"preexec_fn", "user", "group", "extra_groups"} {
		if !a.IsNone(name) {
			rt.Throw(pyerr.New("NotImplementedError", "Popen(): %s is not supported by forkjs", name))
		}
	}
	if !a.IsNone("startupinfo") {
		rt.Throw(pyerr.ValueErrorf("startupinfo is only supported on Windows platforms"))
	}
	if a.Int("creationflags", 0) != 0 {
		rt.Throw(pyerr.ValueErrorf("creationflags is only supported on Windows platforms"))
	}

	// Text mode: text, universal_newlines, encoding or errors.
	var t textOpts
	t.bufsize = a.Int("bufsize", -1)
	t.encoding = a.Str("encoding", "")
	t.errors = a.Str("errors", "")
	if a.Has("text") && !a.IsNone("text") && a.Has("universal_newlines") && !a.IsNone("universal_newlines") &&
		a.Bool("text", false) != a.Bool("universal_newlines", false) {
		rt.Throw(pyerr.New("SubprocessError", "Cannot disambiguate when both text and universal_newlines are supplied but different. Pass one or the other."))
	}
	t.text = a.Bool("text", false) || a.Bool("universal_newlines", false) || t.encoding != "" || t.errors != ""
	if t.text {
		if t.encoding == "" {
			t.encoding = "utf-8"
		}
		if t.errors == "" {
			t.errors = "strict"
		}
	}

	// args: a string (the program, or the command line with shell) or a
	// list of strings.
	s.shell = a.Bool("shell", false)
	s.argv = m.argList(a.Arg("args"))
	if !a.IsNone("executable") {
		s.executable = m.pathArg(a.Arg("executable"))
	}
	if s.shell {
		s.argv = append([]string{"/bin/sh", "-c"}, s.argv...)
		if s.executable != "" {
			s.argv[0] = s.executable
			s.executable = ""
		}
	}
	if len(s.argv) == 0 {
		rt.Throw(pyerr.New("IndexError", "list index out of range"))
	}

	if !a.IsNone("cwd") {
		s.cwd = m.pathArg(a.Arg("cwd"))
		s.hasCwd = true
	}
	if a.IsNone("env") {
		s.env = rt.Environ()
	} else {
		s.env = m.envList(a.Arg("env"))
	}

	for i, name := range []string{"stdin", "stdout", "stderr"} {
		if pipe[i] {
			s.redir[i] = redir{kind: redirPipe}
		} else {
			s.redir[i] = m.redirArg(a.Arg(name), i)
		}
	}
	if t.text && (s.redir[0].kind == redirPipe || s.redir[1].kind == redirPipe || s.redir[2].kind == redirPipe) {
		// Python builds the TextIOWrappers before starting the child.
		if _, err := engine.Decode(nil, t.encoding, t.errors); err != nil {
			rt.Throw(err)
		}
	}

	s.closeFDs = a.Bool("close_fds", true)
	if !a.IsNone("pass_fds") {
		s.passFDs = m.intList(a.Arg("pass_fds"), "pass_fds")
		if len(s.passFDs) > 0 {
			s.closeFDs = true // Python: pass_fds overrides close_fds=False
		}
	}
	s.newSession = a.Bool("start_new_session", false)
	s.pgroup = -1
	if !a.IsNone("process_group") {
		s.pgroup = a.Int("process_group", -1)
		if s.pgroup < 0 {
			rt.Throw(pyerr.ValueErrorf("process_group must be >= 0"))
		}
	}
	s.umask = a.Int("umask", -1)
	s.pipesize = a.Int("pipesize", -1)
	return s, t
}

// argList converts args as Python's Popen does: a string or Bytes is one
// program (or the command line, with shell), a list is the argv.
func (m *mod) argList(v goja.Value) []string {
	if s, ok := m.strOrBytes(v); ok {
		return []string{s}
	}
	o, ok := v.(*goja.Object)
	if !ok || o.ClassName() != "Array" {
		m.rt.Throw(pyerr.TypeErrorf("'%s' object is not iterable", engine.PyType(v)))
	}
	n := int(o.Get("length").ToInteger())
	out := make([]string, n)
	for i := range n {
		e := o.Get(strconv.Itoa(i))
		s, ok := m.strOrBytes(e)
		if !ok {
			m.rt.Throw(pyerr.TypeErrorf("expected str, bytes or os.PathLike object, not %s", engine.PyType(e)))
		}
		out[i] = s
	}
	return out
}

// pathArg converts a str or Bytes argument (cwd, executable).
func (m *mod) pathArg(v goja.Value) string {
	s, ok := m.strOrBytes(v)
	if !ok {
		m.rt.Throw(pyerr.TypeErrorf("expected str, bytes or os.PathLike object, not %s", engine.PyType(v)))
	}
	return s
}

// strOrBytes returns a string, or Bytes taken as UTF-8 file-system bytes.
func (m *mod) strOrBytes(v goja.Value) (string, bool) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "", false
	}
	if s, ok := v.Export().(string); ok {
		return s, true
	}
	if _, isObj := v.(*goja.Object); isObj {
		if b, ok := engine.BytesOf(v); ok {
			return string(b), true
		}
	}
	return "", false
}

// envList converts env= (a plain object, os.environ or a Map) to
// "KEY=value" strings, in the mapping's order. Errors as Python's:
// TypeError for non-string keys or values, ValueError for '=' in a key.
func (m *mod) envList(v goja.Value) []string {
	rt := m.rt
	o, ok := v.(*goja.Object)
	if !ok {
		rt.Throw(pyerr.TypeErrorf("env must be a mapping, not %s", engine.PyType(v)))
	}
	var out []string
	add := func(k, val goja.Value) {
		ks, ok := m.strOrBytes(k)
		if !ok {
			rt.Throw(pyerr.TypeErrorf("expected str, bytes or os.PathLike object, not %s", engine.PyType(k)))
		}
		vs, ok := m.strOrBytes(val)
		if !ok {
			rt.Throw(pyerr.TypeErrorf("expected str, bytes or os.PathLike object, not %s", engine.PyType(val)))
		}
		if strings.Contains(ks, "=") {
			rt.Throw(pyerr.ValueErrorf("illegal environment variable name"))
		}
		out = append(out, ks+"="+vs)
	}
	if mapCls, ok := m.vm.GlobalObject().Get("Map").(*goja.Object); ok && m.vm.InstanceOf(o, mapCls) {
		m.vm.ForOf(o, func(e goja.Value) bool {
			pair := e.ToObject(m.vm)
			add(pair.Get("0"), pair.Get("1"))
			return true
		})
		return out
	}
	for _, k := range o.Keys() {
		add(m.vm.ToValue(k), o.Get(k))
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// intList converts a list of ints (pass_fds).
func (m *mod) intList(v goja.Value, name string) []int {
	var out []int
	o, ok := v.(*goja.Object)
	if !ok {
		m.rt.Throw(pyerr.TypeErrorf("'%s' object is not iterable", engine.PyType(v)))
	}
	m.vm.ForOf(o, func(e goja.Value) bool {
		n, ok := engine.ToInt(e)
		if !ok {
			m.rt.Throw(pyerr.TypeErrorf("%s must be a sequence of int, not containing %s", name, engine.PyType(e)))
		}
		out = append(out, int(n))
		return true
	})
	return out
}

// redirArg converts stdin/stdout/stderr (i = 0, 1, 2): null (inherit),
// PIPE, DEVNULL, STDOUT, an fd, or a file object (anything with fileno()).
func (m *mod) redirArg(v goja.Value, i int) redir {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return redir{kind: redirInherit}
	}
	if n, ok := engine.ToInt(v); ok && !isObject(v) {
		switch n {
		case valPIPE:
			return redir{kind: redirPipe}
		case valDEVNULL:
			return redir{kind: redirDevNull}
		case valSTDOUT:
			if i == 2 {
				return redir{kind: redirStdout}
			}
		}
		return redir{kind: redirFD, fd: int(n)}
	}
	if f, ok := m.io.FileOf(v); ok {
		if f.Closed() {
			m.rt.Throw(pyerr.ValueErrorf("I/O operation on closed file."))
		}
		return redir{kind: redirFD, fd: f.FD()}
	}
	if o, ok := v.(*goja.Object); ok {
		if fileno, ok := goja.AssertFunction(o.Get("fileno")); ok {
			r, err := fileno(o)
			if err != nil {
				panic(err)
			}
			n, ok := engine.ToInt(r)
			if !ok {
				m.rt.Throw(pyerr.TypeErrorf("fileno() returned a non-integer"))
			}
			return redir{kind: redirFD, fd: int(n)}
		}
	}
	m.rt.Throw(pyerr.New("AttributeError", "'%s' object has no attribute 'fileno'", engine.PyType(v)))
	return redir{}
}

func isObject(v goja.Value) bool {
	_, ok := v.(*goja.Object)
	return ok
}

// isatty reports whether fd is a terminal.
func isatty(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
