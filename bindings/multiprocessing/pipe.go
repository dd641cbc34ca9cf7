package multiprocessing

import (
	"errors"
	"io"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/ipc"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Pipe and Connection (js/connection.js): length-prefixed frames over a
// socketpair (duplex) or a pipe (one way), both ends non-blocking and
// close-on-exec, visible to the script so that forked children inherit
// them. A Connection reads exactly one frame at a time, without read-ahead,
// so a child forked between two recv() calls finds the next message where
// the parent left it. Received bytes are journaled.

// conn is one end of a Pipe.
type conn struct {
	id                 int
	fd                 int
	readable, writable bool
	closed             bool
	stream             *ipc.Stream // live, made on first use
	broken             error
}

func (c *conn) live() (*ipc.Stream, error) {
	if c.broken != nil {
		return nil, c.broken
	}
	if c.stream == nil {
		c.stream = ipc.NewStream(c.fd)
	}
	return c.stream, nil
}

// pipeFDs is Pipe()'s journaled result.
type pipeFDs struct {
	A int `cbor:"1,keyasint"`
	B int `cbor:"2,keyasint"`
}

// brokenBy marks c unusable when an interruption left half a frame.
func (c *conn) brokenBy(err error, what string) error {
	if err != nil && err != engine.ErrWoken && errors.Is(err, ipc.ErrCancelled) {
		c.broken = pyerr.New("OSError", "the connection is broken: a %s was interrupted in the middle of a message", what)
		return engine.ErrWoken
	}
	return err
}

func (m *mod) connNatives() {
	rt, vm := m.rt, m.vm
	get := func(call goja.FunctionCall, read, write bool) *conn {
		c := m.conns[argInt(call, 0)]
		switch {
		case c == nil:
			rt.Throw(pyerr.ValueErrorf("not a multiprocessing connection"))
		case c.closed:
			rt.Throw(pyerr.New("OSError", "handle is closed"))
		case read && !c.readable:
			rt.Throw(pyerr.New("OSError", "connection is write-only"))
		case write && !c.writable:
			rt.Throw(pyerr.New("OSError", "connection is read-only"))
		}
		return c
	}
	// pipe(duplex) -> [id1, id2]: Python's Pipe(); with duplex false the
	// first end only receives and the second only sends.
	m.set("pipe", func(call goja.FunctionCall) goja.Value {
		duplex := call.Argument(0).ToBoolean()
		p, err := engine.Do(rt, engine.Resource, "multiprocessing.Pipe", engine.ArgsHash(duplex), func() (pipeFDs, error) {
			var fds [2]int
			var err error
			if duplex {
				fds, err = unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
			} else {
				err = unix.Pipe2(fds[:], unix.O_CLOEXEC|unix.O_NONBLOCK)
			}
			return pipeFDs{fds[0], fds[1]}, osErr(err)
		})
		m.check(err)
		a := &conn{id: m.newID(), fd: p.A, readable: true, writable: duplex}
		b := &conn{id: m.newID(), fd: p.B, readable: duplex, writable: true}
		for _, c := range []*conn{a, b} {
			m.conns[c.id] = c
			rt.AddFD(c.fd)
		}
		return vm.NewArray(a.id, b.id)
	})
	// conn_send_bytes(id, bytes): one message of raw bytes.
	m.set("conn_send_bytes", func(call goja.FunctionCall) goja.Value {
		c := get(call, false, true)
		b, ok := engine.BytesOf(call.Argument(1))
		if !ok {
			b = []byte(call.Argument(1).String())
		}
		m.connSend(c, b)
		return goja.Undefined()
	})
	// conn_send(id, obj): one message holding obj (TypeError if obj
	// cannot be sent, before anything is written).
	m.set("conn_send", func(call goja.FunctionCall) goja.Value {
		c := get(call, false, true)
		m.connSend(c, m.appendEncode(nil, "obj", call.Argument(1)))
		return goja.Undefined()
	})
	// conn_recv(id) -> the next object; EOFError when the other end is
	// closed and nothing is left.
	m.set("conn_recv", func(call goja.FunctionCall) goja.Value {
		c := get(call, true, false)
		return m.decode(m.connRecv(c, maxMessage))
	})
	// conn_recv_bytes(id, maxlength) -> Bytes of the next message;
	// OSError("bad message length") if it is longer than maxlength (the
	// connection is then closed, as in Python).
	m.set("conn_recv_bytes", func(call goja.FunctionCall) goja.Value {
		c := get(call, true, false)
		max := maxMessage
		if v := call.Argument(1); !goja.IsUndefined(v) && !goja.IsNull(v) {
			max = int(v.ToInteger())
		}
		return rt.NewBytes(m.connRecv(c, max))
	})
	// conn_poll(id, timeout) -> whether data (or end of file) is ready
	// within timeout seconds (null: wait as long as it takes).
	m.set("conn_poll", func(call goja.FunctionCall) goja.Value {
		c := get(call, true, false)
		timeout := argTimeout(call, 1)
		ready, err := engine.Block(rt, "Connection.poll", engine.ArgsHash(c.id, timeout), false, func(ec engine.Cancel) (bool, error) {
			s, err := c.live()
			if err != nil {
				return false, err
			}
			if ok, err := s.Poll(0, nil); ok || err != nil || timeout == 0 {
				return ok, err
			}
			var ready bool
			err = m.br.run(ec, func(ic *ipc.Cancel) error {
				var err error
				ready, err = s.Poll(timeout, ic)
				return err
			})
			return ready, err
		})
		m.check(err)
		return vm.ToValue(ready)
	})
	// conn_close(id): closes this end (other processes' copies stay open).
	m.set("conn_close", func(call goja.FunctionCall) goja.Value {
		if c := m.conns[argInt(call, 0)]; c != nil {
			m.connClose(c)
		}
		return goja.Undefined()
	})
	// conn_fileno(id) -> the descriptor.
	m.set("conn_fileno", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(get(call, false, false).fd)
	})
	// conn_closed(id) -> whether close() was called here.
	m.set("conn_closed", func(call goja.FunctionCall) goja.Value {
		c := m.conns[argInt(call, 0)]
		return vm.ToValue(c == nil || c.closed)
	})
	// conn_flags(id) -> [readable, writable].
	m.set("conn_flags", func(call goja.FunctionCall) goja.Value {
		c := m.conns[argInt(call, 0)]
		if c == nil {
			return vm.NewArray(false, false)
		}
		return vm.NewArray(c.readable, c.writable)
	})
}

// connSend writes one frame, waiting for the reader as long as needed.
func (m *mod) connSend(c *conn, payload []byte) {
	_, err := engine.Block(m.rt, "Connection.send", engine.ArgsHash(c.id, crc(payload)), false, func(ec engine.Cancel) (struct{}, error) {
		s, err := c.live()
		if err != nil {
			return struct{}{}, err
		}
		err = m.br.run(ec, func(ic *ipc.Cancel) error { return s.WriteFrame(payload, ic, -1) })
		return struct{}{}, c.brokenBy(err, "send")
	})
	m.check(err)
}

// connRecv reads one frame of at most max bytes.
func (m *mod) connRecv(c *conn, max int) []byte {
	b, err := engine.Block(m.rt, "Connection.recv", engine.ArgsHash(c.id, max), false, func(ec engine.Cancel) ([]byte, error) {
		s, err := c.live()
		if err != nil {
			return nil, err
		}
		var b []byte
		err = m.br.run(ec, func(ic *ipc.Cancel) error {
			var err error
			b, err = s.ReadFrame(max, ic, -1)
			return err
		})
		var tl *ipc.FrameTooLargeError
		switch {
		case err == io.EOF:
			return nil, pyerr.New("EOFError", "")
		case err == io.ErrUnexpectedEOF:
			return nil, pyerr.New("OSError", "got end of file during message")
		case errors.As(err, &tl):
			return nil, errBadLength
		}
		return b, c.brokenBy(err, "recv")
	})
	if err == errBadLength || (err != nil && err.Error() == errBadLength.Error()) {
		// The rest of the message is unread: Python closes the connection.
		m.connClose(c)
	}
	m.check(err)
	return b
}

var errBadLength = pyerr.New("OSError", "bad message length")

// connClose closes c in this process.
func (m *mod) connClose(c *conn) {
	if c.closed {
		return
	}
	c.closed = true
	engine.Do(m.rt, engine.Effect, "Connection.close", engine.ArgsHash(c.id), func() (struct{}, error) {
		return struct{}{}, osErr(unix.Close(c.fd))
	})
	m.rt.RemoveFD(c.fd)
}
