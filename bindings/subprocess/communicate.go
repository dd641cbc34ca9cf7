package subprocess

import (
	"context"
	"errors"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// commResult is the journaled status of one communicate step. NOut and
// NErr count the bytes the step read from stdout and stderr since the
// previous step; those bytes follow as results of their own host calls
// (collect), so that output is journaled once however often communicate is
// resumed, and as plain byte strings, the journal's cheapest payload.
type commResult struct {
	TimedOut bool `cbor:"1,keyasint"`
	RC       int  `cbor:"2,keyasint"`
	NOut     int  `cbor:"3,keyasint"`
	NErr     int  `cbor:"4,keyasint"`
}

var pipeNames = [3]string{"|0", "|1", "|2"}

// communicate is Popen.communicate(input = null, {timeout}) -> [stdout,
// stderr], as Python's: it writes input (Bytes or string; a string is
// encoded with the Popen's encoding in text mode, UTF-8 otherwise) to
// stdin and closes it, reads stdout and stderr to EOF concurrently, so no
// size can deadlock it, and waits for the child. Each result is Bytes, a
// string in text mode (universal newlines), or null for a stream that is
// not a pipe. EPIPE on stdin is ignored.
//
// After timeout seconds it raises TimeoutExpired (cmd, timeout, and the
// output read so far as Bytes or null) and leaves the child running; a
// later communicate() continues and returns all the output. ValueError if
// input is given to a resumed communicate; KeyboardInterrupt on Ctrl-C
// (the exchange can be resumed); ChildProcessError for a parent's Popen in
// a forked child.
func (m *mod) communicate(p *popen, input []byte, timeout float64, hasTimeout bool, timeoutVal goja.Value) goja.Value {
	rt := m.rt
	if p.commStarted && len(input) > 0 {
		rt.Throw(pyerr.ValueErrorf("Cannot send input after starting communication"))
	}
	if !hasTimeout && !p.commStarted {
		if v, ok := m.readOnePipe(p); ok {
			return v
		}
	}
	if !p.commStarted {
		p.commStarted = true
		m.commSetup(p, input)
	}
	var deadline time.Time
	res, err := engine.Block(rt, "subprocess.communicate", engine.ArgsHash(p.id, timeout, hasTimeout), false, func(c engine.Cancel) (commResult, error) {
		lp := p.lp
		if lp == nil {
			return commResult{}, errNotOurs()
		}
		if hasTimeout && deadline.IsZero() {
			deadline = time.Now().Add(timeoutDuration(timeout))
		}
		var r commResult
		var out, errOut []byte
		if lp.comm != nil {
			ctx, cancel := blockContext(c, deadline)
			var err error
			out, errOut, err = lp.comm.Run(ctx)
			cancel()
			if err != nil {
				if woken(c) {
					return commResult{}, engine.ErrWoken
				}
				if !errors.Is(err, context.DeadlineExceeded) {
					return commResult{}, pyerr.From(err)
				}
				r.TimedOut = true
				r.NOut, r.NErr = lp.delta(out, errOut)
				return r, nil
			}
		}
		st, err := waitLive(lp, c, deadline)
		switch {
		case err == errTimedOut:
			r.TimedOut = true
		case err != nil:
			return commResult{}, err
		default:
			m.reaped(p)
			r.RC = st.ReturnCode()
		}
		r.NOut, r.NErr = lp.delta(out, errOut)
		return r, nil
	})
	if err != nil {
		rt.Throw(err)
	}
	m.collect(p, res)
	if res.TimedOut {
		panic(m.timeoutExpired(p, timeoutVal, true))
	}
	for i := range p.state {
		if p.state[i] == pipeComm {
			p.state[i] = pipeClosed
		}
	}
	m.setRC(p, res.RC)
	return m.vm.NewArray(m.output(p, 1), m.output(p, 2))
}

// delta keeps the part of the cumulative output not journaled yet in
// lp.pending, for collect, and returns its lengths.
func (lp *liveProc) delta(out, errOut []byte) (int, int) {
	lp.pending[0], lp.pending[1] = out[min(lp.outN, len(out)):], errOut[min(lp.errN, len(errOut)):]
	lp.outN, lp.errN = len(out), len(errOut)
	return len(lp.pending[0]), len(lp.pending[1])
}

// collect fetches the output a communicate step read (r.NOut and r.NErr
// bytes) through host calls returning byte strings, and appends it to what
// communicate has returned so far.
func (m *mod) collect(p *popen, r commResult) {
	for i, n := range [2]int{r.NOut, r.NErr} {
		if n == 0 {
			continue
		}
		b, err := engine.Do(m.rt, engine.Input, outputCalls[i], engine.ArgsHash(p.id, n), func() ([]byte, error) {
			b := p.lp.pending[i]
			p.lp.pending[i] = nil
			return b, nil
		})
		m.check(err)
		if i == 0 {
			p.out = appendOut(p.out, b)
		} else {
			p.errOut = appendOut(p.errOut, b)
		}
	}
}

var outputCalls = [2]string{"subprocess.stdout", "subprocess.stderr"}

// appendOut accumulates output, without copying the first chunk.
func appendOut(acc, more []byte) []byte {
	if len(acc) == 0 {
		return more
	}
	return append(acc, more...)
}

// output returns communicate's result for stream i (1 stdout, 2 stderr):
// null if it is not a pipe, else Bytes, or a string in text mode.
func (m *mod) output(p *popen, i int) goja.Value {
	if p.fds[i] < 0 {
		return goja.Null()
	}
	b := p.out
	if i == 2 {
		b = p.errOut
	}
	if !p.t.text {
		return m.rt.NewBytes(b)
	}
	s, err := engine.DecodeBytes(b, p.t.encoding, p.t.errors)
	m.check(err)
	v, err := m.translate(goja.Undefined(), s)
	if err != nil {
		panic(err)
	}
	return v
}

// timeoutExpired builds TimeoutExpired(p.args, timeout, output, stderr)
// with the output read so far (Bytes, or null when nothing was read).
func (m *mod) timeoutExpired(p *popen, timeout goja.Value, withOutput bool) *goja.Object {
	cls := m.rt.Errors().Class("TimeoutExpired")
	out, errOut := goja.Value(goja.Null()), goja.Value(goja.Null())
	if withOutput && len(p.out) > 0 {
		out = m.rt.NewBytes(append([]byte(nil), p.out...))
	}
	if withOutput && len(p.errOut) > 0 {
		errOut = m.rt.NewBytes(append([]byte(nil), p.errOut...))
	}
	obj, err := m.vm.New(cls, p.args, timeout, out, errOut)
	if err != nil {
		panic(err)
	}
	return obj
}

// isBrokenPipe reports whether err is a BrokenPipeError (EPIPE).
func isBrokenPipe(err error) bool {
	var pe *pyerr.Error
	if errors.As(err, &pe) {
		return pe.Type == "BrokenPipeError"
	}
	return pyerr.From(err).Type == "BrokenPipeError"
}
