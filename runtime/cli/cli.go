// Package cli is the forkjs command: flag parsing, the choice between
// script, -e, stdin and REPL, and exit statuses. Main is shared by
// main.go and the tests, which run the same code as the binary.
package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"github.com/forkjs/forkjs/runtime/repl"
)

const usage = `usage: forkjs [options] [FILE.js | -e CODE | -] [ARG...]

forkjs runs JavaScript with Python's process primitives: os.fork, os.pipe,
multiprocessing (Process, Pool, Queue, Pipe, locks, shared memory) and
subprocess (run, Popen, communicate), with Python's semantics.

  forkjs                    start the REPL (prompts only on a terminal)
  forkjs FILE.js [ARG...]   run a script; sys.argv = ['FILE.js', ARG...]
  forkjs -e CODE [ARG...]   run CODE; sys.argv = ['-e', ARG...]
  forkjs - [ARG...]         run the script read from standard input
  forkjs -- FILE.js [ARG...]  run a script whose name starts with '-'

  forkjs --version          print the version
  forkjs --help             print this help

Exit status: the script's sys.exit code; 1 after an uncaught exception
(printed to stderr with its stack); 130 after Ctrl-C.

os.fork() works by replay: the child re-runs the script's work up to the
fork from a journal, so fork early and keep heavy work after the fork.

Environment:
  FORKJS_PROMPT=1       REPL prompts even when stdin or stdout is not a
                        terminal (line editing needs both to be terminals);
                        FORKJS_PROMPT=0: never prompt, read entries plainly
  FORKJS_HISTORY=FILE   REPL history file (default ~/.forkjs_history;
                        empty: no history file)
  NO_COLOR=1            no colours in REPL results
  FORKJS_FORK_SYNC=1    os.fork() waits until the child is live and raises a
                        replay divergence in the parent (debugging)
  FORKJS_DEBUG=1        print fork replay divergences on stderr too
  FORKJS_JOURNAL_MAX=N  bytes of journal (what the script read) kept for forks;
                        beyond it fork() raises (default RAM/4, at most 4 GiB)
  FORKJS_NO_SPARE=1     no pre-started spare child (slower repeated forks)
  FORKJS_CPUPROFILE=F   write a pprof CPU profile of the forkjs process to F
  FORKJS_TRACE=1        print fork timing (child start, runtime built, live)
  FORKJS_RECORD=DIR     write each process's journal to DIR/<pid>.journal;
                        forkjs --replay-check FILE... replays them (self-test)
`

// Main runs the forkjs command with args (args[0] is the program name) and
// the given modules, and returns the exit status. It calls engine.Dispatch
// first, so a forked child never returns from it.
func Main(args []string, modules []*engine.Module) int {
	engine.Dispatch()
	engine.TuneGC()
	if v := os.Getenv("FORKJS_JOURNAL_MAX"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "forkjs: FORKJS_JOURNAL_MAX=%q is not a positive number of bytes; using the default\n", v)
		}
	}
	if path := os.Getenv("FORKJS_CPUPROFILE"); path != "" {
		stop := startProfile(path)
		defer stop()
	}
	rest := args[1:]
	if len(rest) > 0 {
		switch rest[0] {
		case "--version", "-V":
			fmt.Println("forkjs " + engine.Version)
			return 0
		case "--help", "-h":
			fmt.Print(usage)
			return 0
		case "--replay-check":
			return replayCheck(rest[1:])
		}
	}
	var name string
	var src []byte
	var argv []string
	switch {
	case len(rest) == 0:
		return runREPL(modules)
	case rest[0] == "-e":
		if len(rest) < 2 {
			fmt.Fprintln(os.Stderr, "forkjs: -e needs an argument\n"+strings.SplitN(usage, "\n", 2)[0])
			return 2
		}
		name, src, argv = "<eval>", []byte(rest[1]), append([]string{"-e"}, rest[2:]...)
	case rest[0] == "-":
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "forkjs: reading stdin:", err)
			return 2
		}
		name, src, argv = "<stdin>", b, append([]string{"-"}, rest[1:]...)
	case rest[0] == "--" && len(rest) > 1:
		return runFile(rest[1:], modules)
	case strings.HasPrefix(rest[0], "-") && rest[0] != "-":
		fmt.Fprintf(os.Stderr, "forkjs: unknown option %s\n%s\nTry 'forkjs --help' for more information.\n", rest[0], strings.SplitN(usage, "\n", 2)[0])
		return 2
	default:
		return runFile(rest, modules)
	}
	rt, err := engine.New(engine.Options{Args: argv, Modules: modules})
	if err != nil {
		fmt.Fprintln(os.Stderr, "forkjs:", err)
		return 2
	}
	return rt.RunMain(name, src)
}

// runFile runs the script args[0] with sys.argv = args.
func runFile(args []string, modules []*engine.Module) int {
	b, err := os.ReadFile(args[0])
	if err != nil {
		// Python's wording: "can't open file 'x.js': [Errno 2] No such file or directory"
		pe := pyerr.From(err)
		fmt.Fprintf(os.Stderr, "forkjs: can't open file '%s': [Errno %d] %s\n", args[0], pe.Errno, pe.Strerror)
		return 2
	}
	rt, err := engine.New(engine.Options{Args: args, Modules: modules})
	if err != nil {
		fmt.Fprintln(os.Stderr, "forkjs:", err)
		return 2
	}
	return rt.RunMain(args[0], stripShebang(b))
}

// replayCheck replays recorded journals (FORKJS_RECORD) and reports
// whether each replayed without divergence.
func replayCheck(files []string) int {
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "forkjs: --replay-check needs journal files (recorded with FORKJS_RECORD=DIR)")
		return 2
	}
	for _, f := range files {
		if err := engine.ReplayCheck(f); err != nil {
			fmt.Fprintln(os.Stderr, "forkjs: replay check:", err)
			return 1
		}
	}
	return 0
}

// stripShebang blanks a leading #! line, keeping line numbers.
func stripShebang(b []byte) []byte {
	if len(b) > 2 && b[0] == '#' && b[1] == '!' {
		i := 0
		for i < len(b) && b[i] != '\n' {
			b[i] = ' '
			i++
		}
		b[0], b[1] = '/', '/'
	}
	return b
}

func runREPL(modules []*engine.Module) int {
	rt, err := engine.New(engine.Options{Args: []string{""}, Modules: modules, Interactive: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "forkjs:", err)
		return 2
	}
	return repl.Run(rt, repl.Config{})
}
