// Package repl is forkjs's interactive prompt (`forkjs` with no
// arguments).
//
// On a terminal (stdin and stdout both terminals) it edits lines with
// peterh/liner: prompts ">>> " and "... ", history kept across runs in
// ~/.forkjs_history, Tab completion of globals, keywords and properties.
// Otherwise it reads its input without prompts or line editing and runs it
// entry by entry with the same semantics, so `echo 'print(1)' | forkjs`
// and piped sessions work. FORKJS_PROMPT=1 forces the interactive
// behaviour (prompts; line editing where both ends are terminals),
// FORKJS_PROMPT=0 forces the plain one.
//
// Each entry (one line, or several while the statement is left open) runs
// through engine.EvalREPL as a script in one global scope, so top-level
// let/const/class names persist between entries. Entries are journaled, so
// os.fork() typed at the prompt works: the child replays the session so
// far, runs only the rest of the entry that forked and its pending
// callbacks, then exits; it never reads the prompt. Timers and callbacks
// run while the prompt waits for input, as in Node's REPL. The help text
// (helpText, shown by .help) describes every user-facing behaviour.
package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
)

// PromptMode chooses between the interactive REPL and plain reading.
type PromptMode int

const (
	// PromptAuto follows $FORKJS_PROMPT ("1" on, "0" off) and otherwise
	// is interactive when stdin and stdout are both terminals.
	PromptAuto PromptMode = iota
	// PromptOn shows prompts and treats the session as interactive, with
	// line editing when stdin and stdout are terminals.
	PromptOn
	// PromptOff reads input without prompts or line editing.
	PromptOff
)

// Config configures a REPL session; the zero value is what `forkjs` uses.
type Config struct {
	// Prompt chooses interactive or plain reading (see PromptMode).
	Prompt PromptMode
	// HistoryFile is the terminal REPL's history file. Empty means
	// $FORKJS_HISTORY if set (set to "" disables the file), else
	// ~/.forkjs_history.
	HistoryFile string
	// NoHistory disables the history file.
	NoHistory bool
}

// Hint is printed when Ctrl-C is pressed at an empty ">>> " prompt.
const Hint = "(To exit, press Ctrl+D or type .exit)"

// Run runs a REPL session on rt (created with Options.Interactive) reading
// the process's standard input, and returns the exit status: 0 at the end
// of input or .exit, the code of a SystemExit raised by an entry or a
// callback (as Python's REPL ends on sys.exit), or, for plain (piped)
// input, 130 after Ctrl-C. Errors in entries and callbacks are printed
// and do not change the status, as in Python's REPL. At the end of piped
// input the event loop runs until nothing is pending, so timers set by
// the input still fire.
func Run(rt *engine.Runtime, cfg Config) int {
	// Signals first: installing them resets every signal.Notify, and liner
	// watches SIGWINCH.
	rt.StartSignals()
	s := newSession(rt, cfg)
	code := s.run()
	// The terminal's own mode is back before the exit hooks run (they may
	// wait for children, and Ctrl-C must reach them as a signal).
	s.close()
	return rt.Finish(code)
}

// session is one REPL run; its methods run on the JS thread.
type session struct {
	rt          *engine.Runtime
	interactive bool // prompts, Ctrl-C returns to the prompt, blank line abandons
	colors      bool
	in          reader
	term        *termReader // set when editing lines with liner
	out, errs   *output
	comp        *completer
	histPath    string
	histWarned  bool
	inputs      []string // what was entered, for .save

	wake    chan struct{}    // pinged by the reader goroutine and completer
	compReq chan compRequest // completion requests from liner

	done bool // the session ends
	code int  // with this status
}

func newSession(rt *engine.Runtime, cfg Config) *session {
	std := rt.Stdio()
	s := &session{
		rt:      rt,
		out:     &output{fd: std[1]},
		errs:    &output{fd: std[2]},
		comp:    newCompleter(rt),
		wake:    make(chan struct{}, 1),
		compReq: make(chan compRequest, 1),
	}
	ttys := isTerminal(0) && isTerminal(1)
	mode := cfg.Prompt
	if mode == PromptAuto {
		switch os.Getenv("FORKJS_PROMPT") {
		case "1":
			mode = PromptOn
		case "0":
			mode = PromptOff
		default:
			if ttys {
				mode = PromptOn
			} else {
				mode = PromptOff
			}
		}
	}
	s.interactive = mode == PromptOn
	if s.interactive && ttys {
		s.term = newTermReader(s.completeFromTerminal)
		s.in = s.term
		s.histPath = historyPath(cfg)
		loadHistory(s.term.l, s.histPath)
		_, noColor := os.LookupEnv("NO_COLOR")
		s.colors = !noColor
	} else {
		s.in = &plainReader{fd: std[0], prompts: s.interactive, out: s.out}
	}
	return s
}

func (s *session) close() {
	if s.term != nil {
		s.term.Close()
	}
}

// run reads and runs entries until the session ends; it returns the exit
// status for the exit hooks.
func (s *session) run() int {
	if s.interactive {
		s.out.write(fmt.Sprintf("forkjs %s (JavaScript with Python's os, subprocess, multiprocessing)\nType .help for help, Ctrl-D or .exit to leave.\n", engine.Version))
	}
	for !s.done {
		entry, err := s.readEntry()
		if s.done {
			break
		}
		if err == io.EOF {
			return s.atEOF()
		}
		if err != nil {
			s.errs.write("forkjs: reading input: " + err.Error() + "\n")
			return 1
		}
		if isCommand(entry) {
			s.command(entry)
		} else {
			s.inputs = append(s.inputs, entry)
			s.eval("", entry)
		}
		s.rt.FlushStdio()
	}
	return s.code
}

// atEOF ends the session at the end of input: on a terminal (Ctrl-D) at
// once, like Python and Node; for piped input after the event loop has run
// what is still pending, as a script does (a callback's error is printed
// and the loop goes on, as between entries).
func (s *session) atEOF() int {
	if s.interactive {
		s.out.write("\n") // end the last prompt's line, as Python does
	}
	if s.term != nil {
		return 0
	}
	for !s.done {
		err := s.rt.RunLoop()
		if err == nil {
			break
		}
		s.report(err)
	}
	s.rt.FlushStdio()
	return s.code
}

// end makes the session end with status code after the current step.
func (s *session) end(code int) {
	s.done = true
	s.code = code
}

// readEntry reads lines until they form a complete entry (or a dot
// command). Ctrl-C abandons what was typed (and prints Hint at an empty
// primary prompt); in an interactive session a blank line abandons an
// open entry too. Piped input keeps blank lines inside an open entry, so
// pasted code with blank lines in a function works; at the end of input
// an entry still open is run so that its syntax error is reported.
func (s *session) readEntry() (string, error) {
	var lines []string
	abandon := func() {
		s.addHistory(strings.Join(lines, "\n"))
		lines = nil
	}
	for {
		prompt := ">>> "
		if len(lines) > 0 {
			prompt = "... "
		}
		line, err := s.readLine(prompt)
		if s.done {
			return "", nil
		}
		switch {
		case err == errAborted:
			if len(lines) == 0 {
				s.out.write(Hint + "\n")
			}
			abandon()
			continue
		case err == io.EOF:
			if len(lines) > 0 {
				if s.interactive {
					abandon()
				} else {
					return strings.Join(lines, "\n"), nil
				}
			}
			return "", io.EOF
		case err != nil:
			return "", err
		}
		if s.term != nil {
			line = fromHistory(line)
		}
		blank := strings.TrimSpace(line) == ""
		if len(lines) == 0 {
			if blank {
				continue
			}
			if isCommand(line) {
				s.addHistory(line)
				return strings.TrimSpace(line), nil
			}
		} else if strings.TrimSpace(line) == ".break" || (blank && s.interactive) {
			abandon()
			continue
		}
		lines = append(lines, line)
		src := strings.Join(lines, "\n")
		if !incomplete(src) {
			s.addHistory(src)
			return src, nil
		}
	}
}

// lineResult is a line read by the reader goroutine. For Ctrl-C, ack is
// closed once the JS thread has taken the result.
type lineResult struct {
	line string
	err  error
	ack  chan struct{}
}

// stuckAfter is how long Ctrl-C at the prompt waits for the JS thread
// before interrupting it: a callback that runs while the prompt waits and
// never returns would otherwise make the REPL deaf.
const stuckAfter = 300 * time.Millisecond

// readLine reads one line on a goroutine while the JS thread runs the
// event loop (timers and callbacks fire while the prompt waits) and
// answers completion requests.
func (s *session) readLine(prompt string) (string, error) {
	done := make(chan lineResult, 1)
	go func() {
		line, err := s.in.ReadLine(prompt)
		r := lineResult{line: line, err: err}
		if err == errAborted {
			r.ack = make(chan struct{})
		}
		done <- r
		s.ping()
		if r.ack != nil {
			select {
			case <-r.ack:
			case <-time.After(stuckAfter):
				s.rt.Interrupt()
			}
		}
	}()
	for {
		select {
		case r := <-done:
			if r.ack != nil {
				close(r.ack)
			}
			return r.line, r.err
		default:
		}
		s.serveCompletions()
		err := s.rt.RunLoopUntil(s.wake)
		s.rt.FlushStdio()
		if err != nil {
			s.report(err)
			if s.done {
				if s.interactive {
					s.out.write("\n") // end the prompt's line
				}
				return "", nil
			}
		}
	}
}

// ping wakes the JS thread out of RunLoopUntil; safe from any goroutine.
func (s *session) ping() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// compRequest asks the JS thread for completions of line at pos.
type compRequest struct {
	line  string
	pos   int
	reply chan compResult
}

type compResult struct {
	head, tail string
	cands      []string
}

// completeFromTerminal is liner's completer; it runs on the reader
// goroutine and asks the JS thread, which owns the JS heap. If the JS
// thread is busy (a long callback) there is no completion.
func (s *session) completeFromTerminal(line string, pos int) (string, []string, string) {
	req := compRequest{line: line, pos: pos, reply: make(chan compResult, 1)}
	select {
	case s.compReq <- req:
	default:
		return "", nil, ""
	}
	s.ping()
	select {
	case r := <-req.reply:
		return r.head, r.cands, r.tail
	case <-time.After(time.Second):
		return "", nil, ""
	}
}

func (s *session) serveCompletions() {
	for {
		select {
		case r := <-s.compReq:
			head, cands, tail := s.comp.complete(r.line, r.pos)
			r.reply <- compResult{head: head, cands: cands, tail: tail}
		default:
			return
		}
	}
}

// eval runs one entry (name is the file for .load, "" for typed input),
// echoes its result and reports its error.
func (s *session) eval(name, src string) {
	code := objectLiteral(src)
	var v goja.Value
	var err error
	if name == "" {
		v, err = s.rt.EvalREPL(code)
	} else {
		v, err = s.rt.EvalREPLFile(name, code)
	}
	if prg, perr := parse(src); perr == nil {
		s.comp.declare(declaredNames(prg))
	}
	s.rt.FlushStdio()
	if err != nil {
		s.report(err)
		return
	}
	if v != nil && !goja.IsUndefined(v) {
		s.out.write(s.rt.Inspect(v, s.colors) + "\n")
	}
}

// report deals with an uncaught exception from an entry or a callback:
// SystemExit ends the session with its status; KeyboardInterrupt prints
// its name (and ends a non-interactive session with 130); anything else
// is printed and the session goes on.
func (s *session) report(err error) {
	s.rt.FlushStdio()
	if code, ok := s.rt.SystemExitStatus(err); ok {
		s.end(code)
		return
	}
	if isInterrupt(s.rt, err) {
		s.errs.write("KeyboardInterrupt\n")
		if !s.interactive {
			s.end(130)
		}
		return
	}
	s.printError(err)
}

// maxFrames is how many stack frames an error shows in the REPL.
const maxFrames = 8

// printError prints an uncaught exception: its name and message and the
// top of its stack, and a hint for a redeclared let/const.
func (s *session) printError(err error) {
	msg := s.rt.FormatError(err)
	lines := strings.Split(msg, "\n")
	frames := 0
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "at ") {
			frames++
			if frames > maxFrames {
				continue
			}
		}
		out = append(out, l)
	}
	if frames > maxFrames {
		out = append(out, fmt.Sprintf("    ... %d more", frames-maxFrames))
	}
	msg = strings.Join(out, "\n")
	if strings.Contains(msg, "has already been declared") {
		msg += "\n(let, const and class names stay declared for the whole session: assign to the name, or choose another)"
	}
	s.errs.write(msg + "\n")
}

// isInterrupt reports whether err is Ctrl-C: goja's interrupt of running
// JS or a KeyboardInterrupt exception from a blocking call.
func isInterrupt(rt *engine.Runtime, err error) bool {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return true
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if obj, ok := ex.Value().(*goja.Object); ok {
			if cls := rt.Errors().Class("KeyboardInterrupt"); cls != nil {
				return rt.VM().InstanceOf(obj, cls)
			}
		}
	}
	return false
}

// addHistory records an entry (typed, abandoned or a dot command) in the
// terminal history and rewrites the history file, so that it survives even
// an os._exit().
func (s *session) addHistory(entry string) {
	if s.term == nil || strings.TrimSpace(entry) == "" {
		return
	}
	s.term.l.AppendHistory(toHistory(entry))
	if err := saveHistory(s.term.l, s.histPath); err != nil && !s.histWarned {
		s.histWarned = true
		s.errs.write("forkjs: cannot save history: " + err.Error() + "\n")
	}
}
