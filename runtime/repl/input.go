package repl

import (
	"errors"
	"io"

	"github.com/peterh/liner"
	"golang.org/x/sys/unix"
)

// errAborted is what a reader returns for Ctrl-C at the prompt.
var errAborted = errors.New("repl: prompt aborted")

// reader is where entries come from. ReadLine shows prompt (if the reader
// shows prompts) and returns one line without its line break; io.EOF at
// the end of input (Ctrl-D), errAborted for Ctrl-C. It runs on its own
// goroutine while the JS thread runs the event loop; one call at a time.
type reader interface {
	ReadLine(prompt string) (string, error)
	Close()
}

// termReader edits lines with liner on a terminal. liner keeps the
// terminal in a raw-ish mode (no echo, no line discipline) for its whole
// life; termReader switches to that mode only while a prompt is shown and
// puts the terminal's own mode back before the line is run, so code the
// user runs (and children it starts) sees a normal terminal, with echo,
// and Ctrl-C sends SIGINT.
type termReader struct {
	l         *liner.State
	orig, raw liner.ModeApplier
}

func newTermReader(complete liner.WordCompleter) *termReader {
	orig, _ := liner.TerminalMode()
	l := liner.NewLiner()
	raw, _ := liner.TerminalMode()
	if orig != nil {
		orig.ApplyMode()
	}
	l.SetCtrlCAborts(true)
	l.SetTabCompletionStyle(liner.TabPrints)
	l.SetWordCompleter(complete)
	l.SetMultiLineMode(true) // wrap long lines rather than scroll them
	return &termReader{l: l, orig: orig, raw: raw}
}

func (t *termReader) ReadLine(prompt string) (string, error) {
	if t.raw != nil {
		t.raw.ApplyMode()
	}
	line, err := t.l.Prompt(prompt)
	if t.orig != nil {
		t.orig.ApplyMode()
	}
	if err == liner.ErrPromptAborted {
		err = errAborted
	}
	return line, err
}

// Close restores the terminal's mode.
func (t *termReader) Close() { t.l.Close() }

// plainReader reads lines from a descriptor one byte at a time, so that it
// never takes input beyond the current line: what follows belongs to the
// code if it reads stdin itself (as `python3 < file` leaves it). It prints
// a prompt only when asked to (FORKJS_PROMPT=1).
type plainReader struct {
	fd      int
	prompts bool
	out     *output
	eof     bool
}

func (p *plainReader) ReadLine(prompt string) (string, error) {
	if p.eof {
		return "", io.EOF
	}
	if p.prompts {
		p.out.write(prompt)
	}
	var line []byte
	var b [1]byte
	for {
		n, err := unix.Read(p.fd, b[:])
		if err == unix.EINTR || err == unix.EAGAIN {
			if err == unix.EAGAIN {
				waitReadable(p.fd)
			}
			continue
		}
		if n == 0 || err != nil {
			p.eof = true
			if len(line) > 0 {
				return string(line), nil
			}
			return "", io.EOF
		}
		if b[0] == '\n' {
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			return string(line), nil
		}
		line = append(line, b[0])
	}
}

func (p *plainReader) Close() {}

// waitReadable blocks until a non-blocking descriptor has input.
func waitReadable(fd int) {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	unix.Poll(pfd, -1)
}

// output writes to a descriptor directly (the script's stdout or stderr),
// so that the REPL's echo and errors need no buffer of their own.
type output struct{ fd int }

func (o *output) write(s string) {
	b := []byte(s)
	for len(b) > 0 {
		n, err := unix.Write(o.fd, b)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			pfd := []unix.PollFd{{Fd: int32(o.fd), Events: unix.POLLOUT}}
			unix.Poll(pfd, -1)
			continue
		}
		if err != nil {
			return
		}
		b = b[n:]
	}
}

func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
