package subprocess

import (
	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/pyio"
)

// pipeFile returns the file object of the Popen's pipe i (0 stdin, 1
// stdout, 2 stderr), as Python's p.stdin/p.stdout/p.stderr: null when the
// stream is not a pipe; made on first access ('wb'/'rb', or text mode with
// the Popen's encoding, errors and universal newlines; bufsize 1 is line
// buffering, 0 flushes stdin after every write). The file object then owns
// the descriptor. After communicate took the pipe it is a closed file.
func (m *mod) pipeFile(p *popen, i int) goja.Value {
	if p.fds[i] < 0 {
		return goja.Null()
	}
	if p.files[i] != nil {
		return p.files[i].Value()
	}
	mode := [3]string{"wb", "rb", "rb"}[i]
	opts := pyio.Options{}
	if p.t.text {
		mode = [3]string{"w", "r", "r"}[i]
		opts.Encoding, opts.Errors = p.t.encoding, p.t.errors
		if p.t.bufsize == 1 {
			lb := true
			opts.LineBuffering = &lb
		}
	}
	owned := p.state[i] == pipeRaw
	if !owned {
		no := false
		opts.CloseFD = &no
	}
	f, err := m.io.Wrap(p.fds[i], p.fds[i], mode, opts)
	m.check(err)
	p.files[i] = f
	if !owned {
		f.Close() // communicate has it: a closed file object, as in Python
		return f.Value()
	}
	p.state[i] = pipeFile
	if i == 0 && p.t.bufsize == 0 {
		m.unbuffered(f)
	}
	return f.Value()
}

// unbuffered makes writes to f go out at once (Python's bufsize=0).
func (m *mod) unbuffered(f *pyio.File) {
	obj := f.Value().(*goja.Object)
	write := m.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		n, err := f.Write(call.Argument(0))
		m.check(err)
		m.check(f.Flush())
		return m.vm.ToValue(n)
	})
	_ = obj.DefineDataProperty("write", write, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}
