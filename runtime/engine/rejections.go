package engine

import (
	"github.com/dop251/goja"
)

// Unhandled promise rejections end the script as uncaught exceptions do,
// as in Node since v15; this is also what makes sys.exit() inside an async
// function or a .then callback exit the process (SystemExit rejects the
// promise, and nobody handles it).

type rejections struct {
	pending []*goja.Promise
}

func (rt *Runtime) trackRejections() {
	r := &rejections{}
	rt.state[rejectionsKey{}] = r
	rt.vm.SetPromiseRejectionTracker(func(p *goja.Promise, op goja.PromiseRejectionOperation) {
		switch op {
		case goja.PromiseRejectionReject:
			r.pending = append(r.pending, p)
		case goja.PromiseRejectionHandle:
			for i, q := range r.pending {
				if q == p {
					r.pending = append(r.pending[:i], r.pending[i+1:]...)
					break
				}
			}
		}
	})
}

type rejectionsKey struct{}

// throwUnhandled throws the reason of the first promise rejected and not
// handled by the end of a turn (call it after promise jobs have run).
func (rt *Runtime) throwUnhandled() {
	r, _ := rt.state[rejectionsKey{}].(*rejections)
	if r == nil || len(r.pending) == 0 {
		return
	}
	p := r.pending[0]
	r.pending = r.pending[1:]
	panic(p.Result())
}
