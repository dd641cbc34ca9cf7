package multiprocessing

import (
	"encoding/binary"
	"errors"
	"io"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"golang.org/x/sys/unix"
)

// The worker's side of a Pool (js/pool.js workerMain): a forked child that
// reads tasks from its end of the socketpair, runs them and writes the
// replies, until the parent sends the exit frame or goes away. Each task
// it reads is journaled (it decides what the worker's JS does).

// workerSide is the pool worker state of a worker process.
type workerSide struct {
	fd     int
	reader *ipc.FrameReader // live
	buf    []byte
}

func (m *mod) workerNatives() {
	rt, vm := m.rt, m.vm
	// worker_start(fd): this process is a pool worker talking on fd; fd is
	// hidden from forks this worker may make, and SIGINT is ignored.
	m.set("worker_start", func(call goja.FunctionCall) goja.Value {
		fd := argInt(call, 0)
		m.worker = &workerSide{fd: fd}
		rt.RemoveFD(fd)
		// Ctrl-C is the parent's to handle: it terminates the workers.
		if _, err := rt.SetSignal(int(unix.SIGINT), vm.ToValue(engine.SigIgnore)); err != nil {
			rt.Throw(err)
		}
		return goja.Undefined()
	})
	// worker_recv() -> [tid, [fname, kind, items, kwds]], or null when the
	// pool is done with this worker (the exit frame, or the parent gone).
	m.set("worker_recv", func(call goja.FunctionCall) goja.Value {
		w := m.worker
		b, err := engine.Block(rt, "Pool.worker_recv", 0, false, func(c engine.Cancel) ([]byte, error) {
			if w.reader == nil {
				w.reader = ipc.NewFrameReader(w.fd, maxMessage)
			}
			// Read what is there; wait in poll(2) with the engine's
			// cancellation when nothing is. (Once a frame has begun, the
			// rest is awaited without cancellation: the parent's writer is
			// in the middle of it, and a worker ignores Ctrl-C anyway.)
			var f []byte
			var err error
			for {
				f, err = w.reader.ReadFrame(nil, 0)
				if err != ipc.ErrTimeout {
					break
				}
				if err = pollFD(w.fd, unix.POLLIN, -1, c); err != nil {
					return nil, err
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			return f, nil
		})
		m.check(err)
		if len(b) < 4 {
			return goja.Null()
		}
		tid := int(binary.BigEndian.Uint32(b))
		if task, ok := decodeFastTask(vm, b[4:]); ok {
			return vm.NewArray(tid, task)
		}
		return vm.NewArray(tid, m.decode(b[4:]))
	})
	// worker_send(tid, status, value): replies to the parent. A value that
	// cannot be sent back is replaced by an error saying why (Python's
	// MaybeEncodingError).
	m.set("worker_send", func(call goja.FunctionCall) goja.Value {
		w := m.worker
		// What the task printed goes out before its result: once the
		// parent has every result it may end, terminating a pool the
		// script never closed, and the output must not die with the
		// worker.
		rt.FlushStdio()
		tid, status := argInt(call, 0), argInt(call, 1)
		// The frame with its length header, written in one go when the
		// socket has room.
		frame := binary.BigEndian.AppendUint32(w.buf[:0], 0)
		frame = binary.BigEndian.AppendUint32(frame, uint32(tid))
		frame = append(frame, byte(status))
		var out []byte
		var err error
		fast := false
		if arr, ok := isArray(call.Argument(2)); ok && status == replyOK {
			out, fast = appendArrayRange(frame, arr, 0, int(arr.Get("length").ToInteger()))
		}
		if !fast {
			out, err = m.codec.AppendEncode(frame, "result", call.Argument(2))
		}
		if err != nil {
			var ue *ipc.UnsendableError
			if !errors.As(err, &ue) {
				m.throwEncode(err)
			}
			what := "result"
			if status != replyOK {
				what = "exception"
			}
			e := m.newError("MaybeEncodingError", "Error sending "+what+": "+ue.Error())
			frame[8] = replyErr
			out = m.appendEncode(frame, "result", e)
		}
		binary.BigEndian.PutUint32(out, uint32(len(out)-ipc.HeaderSize))
		w.buf = out
		sent := 0
		_, err = engine.Block(rt, "Pool.worker_send", engine.ArgsHash(tid, crc(out)), false, func(c engine.Cancel) (struct{}, error) {
			for sent < len(out) {
				n, err := unix.Write(w.fd, out[sent:])
				if n > 0 {
					sent += n
					continue
				}
				if err == unix.EINTR {
					continue
				}
				if err != unix.EAGAIN {
					return struct{}{}, osErr(err)
				}
				// Full: wait for room (a retry after a wake goes on from
				// where the frame stopped).
				if err := pollFD(w.fd, unix.POLLOUT, -1, c); err != nil {
					return struct{}{}, err
				}
			}
			return struct{}{}, nil
		})
		if len(w.buf) > 1<<20 {
			w.buf = nil
		}
		m.check(err)
		return goja.Undefined()
	})
}
