package pyio

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"github.com/fxamacker/cbor/v2"
	"golang.org/x/sys/unix"
)

// File is a Python file object over a descriptor.
type File struct {
	id       int
	s        *stream
	text     bool
	name     any // string path or int fd, as Python's .name
	mode     string
	encoding string
	errors   string
	newline  int
	dbuf     string // decoded text read ahead (text mode), untranslated
	obj      *goja.Object
	io       *IO
	buffer   *File // binary view of a text file (.buffer)
}

// Options are a file object's text settings (Python's open() keywords).
type Options struct {
	Encoding string // "" means utf-8
	Errors   string // "" means strict
	Newline  *string
	// LineBuffering flushes text writes at each newline; by default it is
	// on for terminals.
	LineBuffering *bool
	// CloseFD false leaves the descriptor open when the file is closed.
	CloseFD *bool
}

// IO is a runtime's file-object state.
type IO struct {
	rt     *engine.Runtime
	files  map[int]*File
	nextID int
	proto  *goja.Object
	std    [3]*File
}

type ioKey struct{}

// For returns the runtime's IO state, creating it (and the file prototype)
// on first use.
func For(rt *engine.Runtime) *IO {
	return rt.State(ioKey{}, func() any {
		io := &IO{rt: rt, files: map[int]*File{}}
		io.proto = io.makeProto()
		rt.AtExit(func() { io.flushAtExit() })
		rt.ForkState("pyio.readahead", io.saveReadAhead, io.restoreReadAhead)
		rt.SetFlushHook(func() { io.FlushStd() })
		return io
	}).(*IO)
}

// parseMode validates a Python mode string ('r', 'wb', 'a+', 'x', ...)
// and returns its parts. ValueError for an invalid mode.
func parseMode(mode string) (read, write, appendMode, create, excl, trunc, text bool, err error) {
	seen := map[rune]bool{}
	for _, c := range mode {
		if seen[c] || !strings.ContainsRune("rwaxbt+U", c) {
			return false, false, false, false, false, false, false, pyerr.ValueErrorf("invalid mode: '%s'", mode)
		}
		seen[c] = true
	}
	primary := 0
	for _, c := range "rwax" {
		if seen[c] {
			primary++
		}
	}
	if primary != 1 || (seen['b'] && seen['t']) {
		return false, false, false, false, false, false, false, pyerr.ValueErrorf("invalid mode: '%s'", mode)
	}
	text = !seen['b']
	plus := seen['+']
	switch {
	case seen['r']:
		read, write = true, plus
	case seen['w']:
		write, read, create, trunc = true, plus, true, true
	case seen['a']:
		write, read, create, appendMode = true, plus, true, true
	case seen['x']:
		write, read, create, excl = true, plus, true, true
	}
	return
}

// Open opens path as Python's built-in open(path, mode, encoding=...,
// errors=..., newline=...): FileNotFoundError, PermissionError,
// IsADirectoryError and friends with the path; ValueError for a bad mode.
func (io *IO) Open(path string, mode string, opts Options) (*File, error) {
	read, write, appendMode, create, excl, trunc, text, err := parseMode(mode)
	if err != nil {
		return nil, err
	}
	if !text && opts.Encoding != "" {
		return nil, pyerr.ValueErrorf("binary mode doesn't take an encoding argument")
	}
	flags := unix.O_CLOEXEC
	switch {
	case read && write:
		flags |= unix.O_RDWR
	case write:
		flags |= unix.O_WRONLY
	default:
		flags |= unix.O_RDONLY
	}
	if create {
		flags |= unix.O_CREAT
	}
	if excl {
		flags |= unix.O_EXCL
	}
	if trunc {
		flags |= unix.O_TRUNC
	}
	if appendMode {
		flags |= unix.O_APPEND
	}
	fd, err := engine.Do(io.rt, engine.Resource, "open", engine.ArgsHash(path, flags), func() (int, error) {
		fd, err := unix.Open(path, flags, 0o666)
		if err != nil {
			return 0, pyerr.OSErrorf(err.(unix.Errno), path)
		}
		var st unix.Stat_t
		if unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
			unix.Close(fd) // reading a directory fails later in Python; fail now
			return 0, pyerr.OSErrorf(unix.EISDIR, path)
		}
		return fd, nil
	})
	if err != nil {
		return nil, err
	}
	io.rt.AddFD(fd)
	return io.Wrap(fd, path, mode, opts)
}

// Wrap makes a file object over fd, as os.fdopen(fd, mode) does; the file
// owns fd (closing it closes fd) unless opts.CloseFD is false.
func (io *IO) Wrap(fd int, name any, mode string, opts Options) (*File, error) {
	read, write, _, _, _, _, text, err := parseMode(mode)
	if err != nil {
		return nil, err
	}
	f := &File{s: &stream{fd: fd, closefd: true, readable: read, writable: write, seekable: -1}, text: text, name: name, mode: mode, io: io}
	if opts.CloseFD != nil {
		f.s.closefd = *opts.CloseFD
	}
	if text {
		f.encoding = "utf-8"
		if opts.Encoding != "" {
			f.encoding = opts.Encoding
		}
		f.errors = "strict"
		if opts.Errors != "" {
			f.errors = opts.Errors
		}
		if _, err := engine.Decode(nil, f.encoding, f.errors); err != nil {
			return nil, err
		}
		if opts.Newline != nil {
			switch *opts.Newline {
			case "\n", "\r", "\r\n":
				f.newline = newlineLF
			case "":
				f.newline = newlineAny
			default:
				return nil, pyerr.ValueErrorf("illegal newline value: %s", *opts.Newline)
			}
		}
	}
	tty, err := engine.Do(io.rt, engine.Input, "file.isatty", engine.ArgsHash(fd), func() (bool, error) {
		// Python's fdopen fstat()s the descriptor: a closed one is EBADF.
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return false, pyerr.OSErrorf(err.(unix.Errno))
		}
		return isatty(fd), nil
	})
	if err != nil {
		return nil, err
	}
	f.s.tty = tty
	if opts.LineBuffering != nil {
		f.s.lineBuf = *opts.LineBuffering
	} else {
		f.s.lineBuf = tty && text
	}
	io.nextID++
	f.id = io.nextID
	io.files[f.id] = f
	return f, nil
}

// Value returns the JS object for f.
func (f *File) Value() goja.Value {
	if f.obj == nil {
		vm := f.io.rt.VM()
		f.obj = vm.CreateObject(f.io.proto)
		_ = f.obj.DefineDataProperty("_h", vm.ToValue(f.id), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		_ = f.obj.DefineDataProperty("name", vm.ToValue(f.name), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		_ = f.obj.DefineDataProperty("mode", vm.ToValue(f.mode), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		if f.text {
			_ = f.obj.DefineDataProperty("encoding", vm.ToValue(f.encoding), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			_ = f.obj.DefineDataProperty("errors", vm.ToValue(f.errors), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	return f.obj
}

// FD returns the descriptor.
func (f *File) FD() int { return f.s.fd }

// Closed reports whether the file was closed.
func (f *File) Closed() bool { return f.s.closed }

// FileOf returns the file object behind a JS value, if it is one.
func (io *IO) FileOf(v goja.Value) (*File, bool) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	h := o.Get("_h")
	if h == nil || goja.IsUndefined(h) {
		return nil, false
	}
	f, ok := io.files[int(h.ToInteger())]
	return f, ok
}

// FlushStd flushes sys.stdout and sys.stderr's buffers (before the engine
// writes diagnostics, before a fork or a subprocess starts).
func (io *IO) FlushStd() {
	if io.rt.Replaying() {
		return
	}
	for _, f := range io.std[1:] {
		if f != nil && !f.s.closed {
			if err := f.s.flush(); err != nil && f.s.flushErr == nil {
				f.s.flushErr = err // reported at exit
			}
		}
	}
}

// FlushAll flushes every open file's buffer (at exit and before a fork).
func (io *IO) FlushAll() {
	if io.rt.Replaying() {
		return
	}
	ids := make([]int, 0, len(io.files))
	for id := range io.files {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		f := io.files[id]
		if f.io.std[1] == f || f.io.std[2] == f {
			continue
		}
		if !f.s.closed {
			f.s.flush()
		}
	}
	io.FlushStd()
}

// flushAtExit flushes every file as the script ends; a failure to flush
// sys.stdout or sys.stderr is reported as Python reports it ("Exception
// ignored in: <stdout>" and the OSError) and the exit status becomes 120.
func (io *IO) flushAtExit() {
	if io.rt.Replaying() {
		return
	}
	io.FlushAll()
	for i, name := range []string{"", "<stdout>", "<stderr>"} {
		f := io.std[i]
		if i == 0 || f == nil || f.s.closed {
			continue
		}
		if err := f.s.flush(); err != nil || f.s.flushErr != nil {
			if err == nil {
				err = f.s.flushErr
			}
			msg := fmt.Sprintf("Exception ignored in: <_io.TextIOWrapper name='%s' mode='w' encoding='utf-8'>\n%s\n", name, pyerr.From(err).Error())
			unix.Write(io.std[2].s.fd, []byte(msg))
			io.rt.FailExit(120)
		}
	}
}

// readAhead is a file's buffered input, copied into forked children: as
// after a real fork, parent and child both see what the parent had read
// ahead (Python's child reads the same buffered lines).
type readAhead struct {
	ID   int    `cbor:"1,keyasint"`
	Raw  []byte `cbor:"2,keyasint,omitempty"`
	Text string `cbor:"3,keyasint,omitempty"`
	EOF  bool   `cbor:"4,keyasint,omitempty"`
}

func (io *IO) saveReadAhead() []byte {
	ids := make([]int, 0, len(io.files))
	for id, f := range io.files {
		if len(f.s.rbuf) > 0 || f.dbuf != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Ints(ids)
	var list []readAhead
	for _, id := range ids {
		f := io.files[id]
		list = append(list, readAhead{ID: id, Raw: f.s.rbuf, Text: f.dbuf, EOF: f.s.eof})
	}
	b, _ := cbor.Marshal(list)
	return b
}

func (io *IO) restoreReadAhead(b []byte) {
	var list []readAhead
	if cbor.Unmarshal(b, &list) != nil {
		return
	}
	for _, ra := range list {
		if f, ok := io.files[ra.ID]; ok && !f.s.closed {
			f.s.rbuf = append([]byte(nil), ra.Raw...)
			f.dbuf = ra.Text
			f.s.eof = ra.EOF
		}
	}
}

// SetStd records the file objects of sys.stdin/stdout/stderr.
func (io *IO) SetStd(i int, f *File) { io.std[i] = f }

// Std returns the file object of sys.stdin (0), stdout (1) or stderr (2).
func (io *IO) Std(i int) *File { return io.std[i] }

// Write writes a string (text mode) or bytes (binary mode) as
// file.write; it returns the count written.
func (f *File) Write(v goja.Value) (int, error) {
	if err := f.s.checkOpen(); err != nil {
		return 0, err
	}
	if !f.s.writable {
		return 0, pyerr.New("UnsupportedOperation", "not writable")
	}
	var data []byte
	var count int
	flush := false
	if f.text {
		s, ok := v.Export().(string)
		if !ok {
			return 0, pyerr.TypeErrorf("write() argument must be str, not %s", engine.PyType(v))
		}
		b, err := engine.EncodeString(v, f.encoding, f.errors)
		if err != nil {
			return 0, err
		}
		data = b
		count = v.ToString().(goja.String).Length()
		flush = f.s.lineBuf && (strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0)
	} else {
		b, ok := engine.BytesOf(v)
		if !ok {
			return 0, pyerr.TypeErrorf("a bytes-like object is required, not '%s'", engine.PyType(v))
		}
		data = b
		count = len(b)
	}
	return engine.Block(f.io.rt, "file.write", engine.ArgsHash(f.id, data), false, func(c engine.Cancel) (int, error) {
		if err := f.s.write(data, flush, c); err != nil {
			return 0, err
		}
		return count, nil
	})
}

// Flush writes the buffer out, as file.flush.
func (f *File) Flush() error {
	if err := f.s.checkOpen(); err != nil {
		return err
	}
	_, err := engine.Do(f.io.rt, engine.Effect, "file.flush", engine.ArgsHash(f.id), func() (struct{}, error) {
		return struct{}{}, f.s.flush()
	})
	return err
}

// Close flushes and closes the file (and its descriptor unless closefd is
// false); closing twice is allowed, as in Python.
func (f *File) Close() error {
	if f.s.closed {
		return nil
	}
	f.s.closed = true
	delete(f.io.files, f.id)
	fd, closefd := f.s.fd, f.s.closefd
	if closefd {
		f.io.rt.RemoveFD(fd)
	}
	_, err := engine.Do(f.io.rt, engine.Effect, "file.close", engine.ArgsHash(f.id), func() (struct{}, error) {
		ferr := f.s.flush()
		if closefd {
			if err := unix.Close(fd); err != nil && ferr == nil {
				ferr = err
			}
		}
		return struct{}{}, ferr
	})
	return err
}

// Read reads n characters (text) or bytes (binary); n < 0 reads to EOF.
func (f *File) Read(n int) (goja.Value, error) {
	if err := f.readCheck(); err != nil {
		return nil, err
	}
	rt := f.io.rt
	if f.text {
		s, err := engine.Block(rt, "file.read", engine.ArgsHash(f.id, n), false, func(c engine.Cancel) (string, error) {
			if err := f.s.flush(); err != nil {
				return "", err
			}
			return f.readText(c, n)
		})
		if err != nil {
			return nil, err
		}
		return rt.VM().ToValue(s), nil
	}
	b, err := engine.Block(rt, "file.read", engine.ArgsHash(f.id, n), false, func(c engine.Cancel) ([]byte, error) {
		if err := f.s.flush(); err != nil {
			return nil, err
		}
		if n < 0 {
			return f.s.readAll(c)
		}
		return f.s.readN(c, n)
	})
	if err != nil {
		return nil, err
	}
	return rt.NewBytes(b), nil
}

// Readline reads one line including its newline (” at EOF), at most
// limit characters or bytes when limit >= 0.
func (f *File) Readline(limit int) (goja.Value, error) {
	if err := f.readCheck(); err != nil {
		return nil, err
	}
	rt := f.io.rt
	if f.text {
		s, err := engine.Block(rt, "file.readline", engine.ArgsHash(f.id, limit), false, func(c engine.Cancel) (string, error) {
			return f.readlineText(c, limit)
		})
		if err != nil {
			return nil, err
		}
		return rt.VM().ToValue(s), nil
	}
	b, err := engine.Block(rt, "file.readline", engine.ArgsHash(f.id, limit), false, func(c engine.Cancel) ([]byte, error) {
		return f.readlineBytes(c, limit)
	})
	if err != nil {
		return nil, err
	}
	return rt.NewBytes(b), nil
}

func (f *File) readCheck() error {
	if err := f.s.checkOpen(); err != nil {
		return err
	}
	if !f.s.readable {
		return pyerr.New("UnsupportedOperation", "not readable")
	}
	return nil
}

// Seek moves the position as file.seek(offset, whence); it drops read-ahead
// and flushes pending writes first.
func (f *File) Seek(offset int64, whence int) (int64, error) {
	if err := f.s.checkOpen(); err != nil {
		return 0, err
	}
	if f.text && whence != 0 && offset != 0 {
		return 0, pyerr.New("UnsupportedOperation", "can't do nonzero cur-relative seeks")
	}
	return engine.Do(f.io.rt, engine.Input, "file.seek", engine.ArgsHash(f.id, offset, whence), func() (int64, error) {
		if err := f.s.flush(); err != nil {
			return 0, err
		}
		if whence == 1 {
			offset -= f.pendingBytes()
		}
		f.s.rbuf, f.s.eof, f.dbuf = nil, false, ""
		return unix.Seek(f.s.fd, offset, whence)
	})
}

// Tell returns the current position, as file.tell.
func (f *File) Tell() (int64, error) {
	if err := f.s.checkOpen(); err != nil {
		return 0, err
	}
	return engine.Do(f.io.rt, engine.Input, "file.tell", engine.ArgsHash(f.id), func() (int64, error) {
		pos, err := unix.Seek(f.s.fd, 0, 1)
		if err != nil {
			return 0, err
		}
		return pos + int64(len(f.s.wbuf)) - f.pendingBytes(), nil
	})
}

// Buffer returns the binary file under a text file (Python's .buffer),
// sharing its descriptor and buffer so writes keep their order.
func (f *File) Buffer() *File {
	if !f.text {
		return f
	}
	if f.buffer == nil {
		mode := strings.ReplaceAll(f.mode, "t", "") + "b"
		b := &File{s: f.s, text: false, name: f.name, mode: mode, io: f.io}
		f.io.nextID++
		b.id = f.io.nextID
		f.io.files[b.id] = b
		f.buffer = b
	}
	return f.buffer
}
