package tests

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The REPL on a real pseudo-terminal: line editing with liner, Tab
// completion, Ctrl-C during a blocking call, history across runs, Ctrl-D.

// ptyTerm is a forkjs REPL running on a pseudo-terminal, with expect-style
// helpers over what it printed (ANSI escapes and carriage returns removed).
type ptyTerm struct {
	t    *testing.T
	f    *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	raw  []byte
	pos  int // in the cleaned output: what expect has consumed
	done chan struct{}
	read chan struct{} // closed when the terminal has no more output
	err  error         // cmd.Wait's result, once done is closed
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

// startREPL runs `forkjs` (this test binary under that name, see TestMain)
// on a new pseudo-terminal, with HOME=home so that the history file is
// home/.forkjs_history, and the environment entries env added.
func startREPL(t *testing.T, home string, env ...string) *ptyTerm {
	t.Helper()
	cmd := &exec.Cmd{Path: os.Args[0], Args: []string{"forkjs"}, Dir: home}
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "HOME", "TERM", "FORKJS_HISTORY", "FORKJS_PROMPT", "NO_COLOR":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "HOME="+home, "TERM=xterm", "NO_COLOR=1", "LANG=C.UTF-8")
	cmd.Env = append(cmd.Env, env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	tm := &ptyTerm{t: t, f: f, cmd: cmd, done: make(chan struct{}), read: make(chan struct{})}
	go func() {
		defer close(tm.read)
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			tm.mu.Lock()
			tm.raw = append(tm.raw, buf[:n]...)
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		tm.err = cmd.Wait()
		close(tm.done)
	}()
	t.Cleanup(func() {
		select {
		case <-tm.done:
		default:
			cmd.Process.Kill()
			<-tm.done
		}
		f.Close()
		if t.Failed() {
			t.Logf("terminal output:\n%s", tm.clean())
		}
	})
	return tm
}

func (tm *ptyTerm) clean() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return ansiRE.ReplaceAllString(string(tm.raw), "")
}

// send types s.
func (tm *ptyTerm) send(s string) {
	tm.t.Helper()
	if _, err := tm.f.Write([]byte(s)); err != nil {
		tm.t.Fatalf("typing %q: %v", s, err)
	}
}

// expect waits until the output after the last match contains want and
// consumes it; it returns the time it took.
func (tm *ptyTerm) expect(want string, timeout time.Duration) time.Duration {
	tm.t.Helper()
	start := time.Now()
	for {
		out := tm.clean()
		if i := strings.Index(out[tm.pos:], want); i >= 0 {
			tm.pos += i + len(want)
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			tm.t.Fatalf("after %v, no %q in the terminal output since the last match:\n%s", timeout, want, out[tm.pos:])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// exitCode waits for the REPL to end and returns its status.
func (tm *ptyTerm) exitCode(timeout time.Duration) int {
	tm.t.Helper()
	select {
	case <-tm.done:
	case <-time.After(timeout):
		tm.t.Fatalf("the REPL did not exit within %v", timeout)
	}
	// What the REPL wrote just before exiting may still be in the
	// terminal: read until the terminal reports no more (EIO).
	select {
	case <-tm.read:
	case <-time.After(2 * time.Second):
	}
	var ee *exec.ExitError
	if errors.As(tm.err, &ee) {
		return ee.ExitCode()
	}
	if tm.err != nil {
		tm.t.Fatal(tm.err)
	}
	return 0
}

const (
	ctrlC  = "\x03"
	ctrlD  = "\x04"
	ctrlU  = "\x15"
	upKey  = "\x1b[A"
	tabKey = "\t"
)

func TestREPLTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes on a pseudo-terminal")
	}
	home := t.TempDir()
	const wait = 5 * time.Second

	// First run.
	tm := startREPL(t, home)
	tm.expect("Type .help", wait)
	tm.expect(">>> ", wait)

	// Tab completes a unique name in place...
	tm.send("os.getc" + tabKey)
	tm.expect("os.getcwd", wait)
	tm.send("()\r")
	tm.expect("'"+home+"'", wait)
	tm.expect(">>> ", wait)
	// ...and a second Tab lists the candidates.
	tm.send("os.get" + tabKey + tabKey)
	tm.expect("getppid", wait)
	tm.send(ctrlU)
	// Members of objects the user made, and of their prototypes.
	tm.send("class Shape { area() { return 6 } }; const myShape = new Shape()\r")
	tm.expect(">>> ", wait)
	tm.send("mySh" + tabKey)
	tm.expect("myShape", wait)
	tm.send(".ar" + tabKey)
	tm.expect("myShape.area", wait)
	tm.send("()\r")
	tm.expect("6\n>>> ", wait)

	// Ctrl-C interrupts a blocking call and the prompt comes back.
	// (The entry prints first: once it runs, the terminal is back in its
	// normal mode, where Ctrl-C is a signal rather than a key for liner.)
	tm.send("print('sleeping'); time.sleep(30)\r")
	tm.expect("sleeping\n", wait)
	time.Sleep(100 * time.Millisecond) // let the call start blocking
	start := time.Now()
	tm.send(ctrlC)
	tm.expect("KeyboardInterrupt\n>>> ", wait)
	took := time.Since(start)
	t.Logf("prompt back %v after Ctrl-C during time.sleep(30)", took)
	if took > 2*time.Second {
		t.Errorf("the prompt took %v to come back after Ctrl-C", took)
	}

	// Code runs with the terminal in its normal mode: echo and line
	// editing by the terminal, whole lines to read.
	tm.send("print('reading'); os.read(0, 100)\r")
	tm.expect("reading\n", wait)
	tm.send("typed line\r")
	tm.expect("typed line\n", wait) // echoed by the terminal
	tm.expect("b'typed line\\n'", wait)

	// A multi-line entry.
	tm.send("function twice(x) {\r")
	tm.expect("... ", wait)
	tm.send("return 2 * x\r")
	tm.expect("... ", wait)
	tm.send("}\r")
	tm.expect(">>> ", wait)
	tm.send("twice(21)\r")
	tm.expect("42\n>>> ", wait)
	// Ctrl-C or a blank line abandons an open entry.
	tm.send("[1,\r")
	tm.expect("... ", wait)
	tm.send(ctrlC)
	tm.expect("^C\n>>> ", wait)
	tm.send("(2 +\r")
	tm.expect("... ", wait)
	tm.send("\r")
	tm.expect(">>> ", wait)
	tm.send("'after'\r")
	tm.expect("'after'\n>>> ", wait)

	// Timers fire while the prompt waits.
	tm.send("setTimeout(() => print('tick'), 200); 0\r")
	tm.expect("0\n>>> ", wait)
	tm.expect("tick", wait)

	// os.fork() at the prompt. Completion loaded the errno module (through
	// the journal), and the child, replaying the session, sees it too.
	tm.send("errno.ENOEN" + tabKey)
	tm.expect("errno.ENOENT", wait)
	tm.send(ctrlU)
	tm.send("const pid = os.fork(); if (pid === 0) { print('in the child', errno.ENOENT); sys.exit(0) }\r")
	tm.expect("in the child 2", wait)
	tm.send("os.waitpid(pid, 0)[0] === pid\r")
	tm.expect("true\n>>> ", wait)

	// Ctrl-C at the prompt prints a hint; Ctrl-D leaves with status 0.
	tm.send(ctrlC)
	tm.expect("(To exit, press Ctrl+D or type .exit)", wait)
	tm.expect(">>> ", wait)
	tm.send(ctrlD)
	if code := tm.exitCode(wait); code != 0 {
		t.Fatalf("exit status after Ctrl-D: %d", code)
	}

	hist := filepath.Join(home, ".forkjs_history")
	fi, err := os.Stat(hist)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode %v, want 0600", fi.Mode().Perm())
	}

	// Second run: the up arrow recalls the first run's entries, a
	// multi-line entry whole.
	tm = startREPL(t, home)
	tm.expect(">>> ", wait)
	tm.send(upKey)
	tm.expect("os.waitpid(pid, 0)[0] === pid", wait)
	tm.send(upKey + upKey + upKey + upKey + upKey + upKey + upKey) // past the fork, the timer, 'after', two abandoned entries and twice(21)
	tm.expect("function twice(x) {\u2424return 2 * x\u2424}", wait)
	tm.send("\r")
	tm.expect(">>> ", wait)
	tm.send("twice(5)\r")
	tm.expect("10\n>>> ", wait)
	tm.send(ctrlD)
	if code := tm.exitCode(wait); code != 0 {
		t.Fatalf("exit status after Ctrl-D: %d", code)
	}
	b, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("twice(5)\n")) {
		t.Errorf("history file lacks the second run's entry:\n%s", b)
	}
}

// FORKJS_PROMPT=0 on a terminal reads entries plainly: no prompt, no line
// editing, and Ctrl-C while waiting ends the session with 130 as for
// piped input.
func TestREPLTerminalPromptOff(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes on a pseudo-terminal")
	}
	const wait = 5 * time.Second
	tm := startREPL(t, t.TempDir(), "FORKJS_PROMPT=0")
	tm.send("1 + 1\r")
	tm.expect("1 + 1\n2\n", wait)
	time.Sleep(100 * time.Millisecond)
	tm.send(ctrlC)
	if code := tm.exitCode(wait); code != 130 {
		t.Errorf("exit status after Ctrl-C: %d, want 130", code)
	}
	out := tm.clean()
	if strings.Contains(out, ">>>") || strings.Contains(out, "Type .help") {
		t.Errorf("prompt or banner shown with FORKJS_PROMPT=0:\n%s", out)
	}
	if !strings.Contains(out, "KeyboardInterrupt") {
		t.Errorf("no KeyboardInterrupt after Ctrl-C:\n%s", out)
	}
}
