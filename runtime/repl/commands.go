package repl

import (
	"os"
	"regexp"
	"strings"
)

// helpText is what .help prints: the REPL's user-facing behaviour.
const helpText = `forkjs REPL: JavaScript with Python's process primitives. os, sys,
subprocess, multiprocessing, signal, errno, time and queue are globals
(no require needed); print(...) prints like console.log.

Commands:
  .help         show this help
  .exit         leave the REPL with status 0 (also Ctrl-D)
  .load FILE    run FILE's code in this session as one entry: its
                declarations stay, its result is echoed
  .save FILE    write everything entered in this session to FILE
  .break        abandon a multi-line entry

Entering code:
  A statement left open (unclosed bracket, brace, parenthesis, template
  string or comment, or a trailing operator) continues on a "... " line;
  a blank line, .break or Ctrl-C abandons it. (With piped input blank
  lines stay part of an open entry.) Each entry runs as a script in one
  global scope: let, const and class names persist, and declaring one
  again is a SyntaxError - assign to it or choose a new name.
  An entry that starts with { and reads as an object is an object.

Results:
  Each result is echoed in console.log's format; undefined is not. _ holds
  the last result. An uncaught error prints its name, message and the top
  of its stack, and the session goes on. sys.exit(n) ends the REPL with
  status n.

Keys:
  Tab           complete globals, keywords and properties (os.get<Tab>);
                Tab twice lists the choices
  Up/Down       history, kept in ~/.forkjs_history ($FORKJS_HISTORY); a
                multi-line entry comes back on one line, with ` + lineBreak + ` marking
                its line breaks
  Ctrl-C        interrupt running code, including blocking calls
                (time.sleep, os.waitpid, communicate) -> KeyboardInterrupt;
                at the prompt, abandon the line
  Ctrl-D        leave the REPL (status 0)

Timers and callbacks keep running while the prompt waits: output from
setTimeout appears between prompts.

os.fork() at the prompt: the child replays the session so far, then runs
only the rest of the entry that forked (and the callbacks it leaves
pending) and exits; it never reads the prompt. The parent gets the pid
and goes on. So put the child's work in the same entry as the fork:
  >>> const pid = os.fork(); if (pid === 0) { print('child', os.getpid()); sys.exit(0) }
  >>> os.waitpid(pid, 0)
A fork costs a replay of the session's work so far: fork early.
`

var commandRE = regexp.MustCompile(`^\s*\.[A-Za-z]`)

// isCommand reports whether a line is a dot command (a dot and a letter;
// ".5 + 1" is JavaScript).
func isCommand(line string) bool { return commandRE.MatchString(line) }

// command runs a dot command.
func (s *session) command(line string) {
	name, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	arg = strings.TrimSpace(arg)
	switch name {
	case ".help":
		s.out.write(helpText)
	case ".exit":
		s.end(0)
	case ".break":
		// Nothing is open at the primary prompt.
	case ".load":
		if arg == "" {
			s.errs.write("usage: .load FILE\n")
			return
		}
		b, err := os.ReadFile(arg)
		if err != nil {
			s.errs.write("Failed to load: " + err.Error() + "\n")
			return
		}
		src := string(stripShebang(b))
		s.inputs = append(s.inputs, "// .load "+arg+"\n"+strings.TrimRight(src, "\n"))
		s.eval(arg, src)
	case ".save":
		if arg == "" {
			s.errs.write("usage: .save FILE\n")
			return
		}
		text := strings.Join(s.inputs, "\n")
		if text != "" {
			text += "\n"
		}
		if err := os.WriteFile(arg, []byte(text), 0o666); err != nil {
			s.errs.write("Failed to save: " + err.Error() + "\n")
			return
		}
		s.out.write("Session saved to: " + arg + "\n")
	default:
		s.errs.write("Invalid REPL keyword " + name + " (type .help for the commands)\n")
	}
}

// stripShebang blanks a leading #! line, keeping line numbers.
func stripShebang(b []byte) []byte {
	if len(b) > 2 && b[0] == '#' && b[1] == '!' {
		for i := 0; i < len(b) && b[i] != '\n'; i++ {
			b[i] = ' '
		}
		b[0], b[1] = '/', '/'
	}
	return b
}
