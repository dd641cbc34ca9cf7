package subprocess

import (
	"os"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/proc"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// commSetup starts the exchange, as the start of Python's _communicate:
// stdin's buffer is flushed (BrokenPipeError ignored), then every pipe
// still open is handed to a proc.Communication in the live process: raw
// pipe ends directly, file objects' descriptors as duplicates, after which
// the file objects are closed (Python closes them when done; here the
// exchange owns the descriptors from the start). ChildProcessError for a
// parent's Popen in a forked child, before anything is closed.
func (m *mod) commSetup(p *popen, input []byte) {
	rt := m.rt
	if p.state[0] == pipeFile && !p.files[0].Closed() {
		if err := p.files[0].Flush(); err != nil && !isBrokenPipe(err) {
			rt.Throw(err)
		}
	}
	fds := []int{-1, -1, -1}
	dup := []int{0, 0, 0}
	any := false
	for i := range 3 {
		switch p.state[i] {
		case pipeRaw:
			fds[i] = p.fds[i]
			any = true
		case pipeFile:
			if !p.files[i].Closed() {
				fds[i], dup[i] = p.files[i].FD(), 1
				any = true
			}
		}
	}
	if !any {
		for i := range p.state {
			if p.state[i] == pipeFile {
				p.state[i] = pipeClosed
			}
		}
		return // nothing to exchange: communicate only waits
	}
	_, err := engine.Do(rt, engine.Resource, "subprocess.communicate_setup", engine.ArgsHash(p.id, fds, dup, input), func() (struct{}, error) {
		lp := p.lp
		if lp == nil {
			return struct{}{}, errNotOurs()
		}
		var files [3]*os.File
		for i, fd := range fds {
			if fd < 0 {
				continue
			}
			if dup[i] != 0 {
				nfd, err := dupCloexec(fd)
				if err != nil {
					for _, f := range files {
						if f != nil {
							f.Close()
						}
					}
					return struct{}{}, pyerr.From(err)
				}
				fd = nfd
			}
			files[i] = os.NewFile(uintptr(fd), pipeNames[i])
		}
		lp.comm = proc.NewCommunication(files[0], files[1], files[2], input)
		return struct{}{}, nil
	})
	m.check(err)
	for i := range 3 {
		switch p.state[i] {
		case pipeRaw:
			rt.RemoveFD(p.fds[i])
			p.state[i] = pipeComm
		case pipeFile:
			if dup[i] != 0 {
				p.files[i].Close() // our duplicate carries on; errors do not matter
				p.state[i] = pipeComm
			} else {
				p.state[i] = pipeClosed
			}
		}
	}
}

// readOnePipe is Python's shortcut for communicate() without a timeout
// when only stdout or only stderr is a pipe and the script already holds
// its file object: read it to the end through the file object (keeping
// whatever it had buffered), close it and wait.
func (m *mod) readOnePipe(p *popen) (goja.Value, bool) {
	var idx = -1
	for i := range 3 {
		if p.fds[i] >= 0 {
			if idx >= 0 || i == 0 {
				return nil, false
			}
			idx = i
		}
	}
	if idx < 0 || p.state[idx] != pipeFile || p.files[idx].Closed() {
		return nil, false
	}
	f := p.files[idx]
	v, err := f.Read(-1)
	m.check(err)
	m.check(f.Close())
	p.state[idx] = pipeClosed
	r, err := m.waitFor(p, 0, false)
	m.check(err)
	m.setRC(p, r.RC)
	res := []any{nil, nil}
	res[idx-1] = v
	return m.vm.NewArray(res...), true
}
