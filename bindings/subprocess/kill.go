package subprocess

import (
	"context"
	"syscall"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/proc"
	"golang.org/x/sys/unix"
)

// killAndWait is the way out of run() and call() after a timeout or any
// other exception (Ctrl-C included), made safe against grandchildren that
// hold the pipes: it sends SIGKILL to the child, or to its whole process
// group when it leads one (start_new_session, process_group=0, or a shell
// command line run with a timeout); keeps reading the pipes for
// proc.DefaultGrace (250 ms) to collect the last output; closes them; and
// reaps the child. If exc is a TimeoutExpired, its output and stderr
// become everything read (Bytes, or null when nothing was).
func (m *mod) killAndWait(p *popen, exc goja.Value) {
	res, err := engine.Do(m.rt, engine.Input, "subprocess.kill_and_wait", engine.ArgsHash(p.id), func() (commResult, error) {
		lp := p.lp
		if lp == nil {
			return commResult{}, errNotOurs()
		}
		if !lp.reaped {
			// An unreaped leader keeps its group id from being reused.
			if lp.proc.Leader() {
				lp.proc.SignalGroup(syscall.SIGKILL)
			} else {
				lp.proc.Kill()
			}
		}
		var r commResult
		if lp.comm != nil {
			ctx, cancel := context.WithTimeout(context.Background(), proc.DefaultGrace)
			out, errOut, _ := lp.comm.Run(ctx)
			cancel()
			lp.comm.Close()
			r.NOut, r.NErr = lp.delta(out, errOut)
		}
		st, err := lp.proc.Wait(context.Background())
		if err != nil {
			return r, err
		}
		m.reaped(p)
		r.RC = st.ReturnCode()
		return r, nil
	})
	m.check(err)
	m.collect(p, res)
	for i := range p.state {
		if p.state[i] == pipeComm {
			p.state[i] = pipeClosed
		}
	}
	m.setRC(p, res.RC)
	if o, ok := exc.(*goja.Object); ok && m.vm.InstanceOf(o, m.rt.Errors().Class("TimeoutExpired")) {
		t := m.timeoutExpired(p, goja.Null(), true)
		o.Set("output", t.Get("output"))
		o.Set("stderr", t.Get("stderr"))
	}
}

// exit is Python's Popen.__exit__, which run() and call() end with: it
// closes the pipes the Popen still holds (stdout, stderr, then stdin;
// errors are ignored, as the exception being raised matters more) and
// waits for the child if it has not been reaped.
func (m *mod) exit(p *popen) {
	rt := m.rt
	var raw []int
	for _, i := range [3]int{1, 2, 0} {
		switch p.state[i] {
		case pipeFile:
			p.files[i].Close()
			p.state[i] = pipeClosed
		case pipeRaw:
			raw = append(raw, p.fds[i])
			rt.RemoveFD(p.fds[i])
			p.state[i] = pipeClosed
		}
	}
	if len(raw) > 0 {
		engine.Do(rt, engine.Effect, "subprocess.close", engine.ArgsHash(raw), func() (struct{}, error) {
			for _, fd := range raw {
				unix.Close(fd)
			}
			return struct{}{}, nil
		})
	}
	if !p.hasRC {
		r, err := m.waitFor(p, 0, false)
		m.check(err)
		m.setRC(p, r.RC)
	}
}
