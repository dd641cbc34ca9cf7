package subprocess_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/engine"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	engine.Dispatch()
	os.Exit(m.Run())
}

// run runs src in a fresh embedded runtime with its stdout and stderr
// captured, and returns the exit status and both streams.
func run(t *testing.T, src string, during func(rt *engine.Runtime)) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	// (writer-only wrappers: the engine takes any io.Reader for a reader)
	rt, err := engine.New(engine.Options{Stdout: struct{ io.Writer }{&out}, Stderr: struct{ io.Writer }{&errOut}, Args: []string{"test.js"}, Modules: bindings.Defaults()})
	if err != nil {
		t.Fatal(err)
	}
	if during != nil {
		go during(rt)
	}
	code := rt.RunMain("test.js", []byte(src))
	rt.Close()
	return code, out.String(), errOut.String()
}

// An embedding program's streams are the script's standard streams, and
// inherited by the script's children (they are not the process's 0-2).
func TestEmbeddedStreamsReachChildren(t *testing.T) {
	code, out, errOut := run(t, `
print('from the script');
subprocess.run(['echo', 'from the child']);
subprocess.run(['sh', '-c', 'echo to stderr >&2']);
subprocess.run(['sh', '-c', 'echo merged; echo merged-err >&2'], { stderr: subprocess.STDOUT });
`, nil)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if want := "from the script\nfrom the child\nmerged\nmerged-err\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if errOut != "to stderr\n" {
		t.Errorf("stderr = %q", errOut)
	}
}

// Many run() calls leave this process's descriptors and children as they
// were, measured from Go (the txtar suite measures from JS).
func TestRunLeavesNothing(t *testing.T) {
	before := countFDs(t)
	code, out, errOut := run(t, `
let n = 0;
for (let i = 0; i < 200; i++) {
  n += subprocess.run(['sh', '-c', 'echo out; echo err >&2'], { capture_output: true, input: 'x' }).stdout.length;
  const p = subprocess.Popen(['cat'], { stdin: subprocess.PIPE, stdout: subprocess.PIPE });
  p.stdin.write(new Bytes('abc'));
  n += p.communicate()[0].length;
  try { subprocess.run(['sleep', '5'], { timeout: 0.001, capture_output: true }); } catch (e) { n += e.name.length; }
}
print(n);
`, nil)
	if code != 0 || out != "4200\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if after := countFDs(t); after != before {
		t.Errorf("open descriptors: %d before, %d after", before, after)
	}
	var ws unix.WaitStatus
	if pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil); err != unix.ECHILD {
		t.Errorf("a child is left: wait4 = %d, %v", pid, err)
	}
}

// countFDs counts this process's open pipes and files: a closed runtime
// keeps its anonymous descriptors (eventfd, journal memfd), which are not
// the subject here.
func countFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	n := 0
	for _, e := range ents {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err == nil && !strings.HasPrefix(target, "anon_inode:") && !strings.HasPrefix(target, "/memfd:") {
			n++
		}
	}
	return n
}

// Interrupting the runtime (Ctrl-C) during run() raises KeyboardInterrupt
// at once, ends the script with 130 and kills run()'s child.
func TestInterruptRun(t *testing.T) {
	start := time.Now()
	code, out, errOut := run(t, `
try {
  subprocess.run(['sh', '-c', 'echo $$ > /dev/stderr; exec sleep 30'], { stderr: subprocess.PIPE });
} finally {
  print('finally ran');
}
`, func(rt *engine.Runtime) {
		time.Sleep(300 * time.Millisecond)
		rt.Interrupt()
	})
	if code != 130 || !strings.Contains(errOut, "KeyboardInterrupt") || out != "finally ran\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

// A child started in its own session survives a KeyboardInterrupt that the
// script catches, and is killed when the script ends by one.
func TestInterruptKillsOwnGroupsAtExit(t *testing.T) {
	code, out, _ := run(t, `
const p = subprocess.Popen(['sleep', '30'], { start_new_session: true });
print(p.pid);
sys.stdout.flush();
p.wait();
`, func(rt *engine.Runtime) {
		time.Sleep(300 * time.Millisecond)
		rt.Interrupt()
	})
	if code != 130 {
		t.Fatalf("exit %d", code)
	}
	var pid int
	if _, err := fmt.Sscan(out, &pid); err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		// The child is ours (the embedding process): reap it to see its end.
		var ws unix.WaitStatus
		got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		if err == unix.ECHILD {
			break // reaped in the background by runtime/proc
		}
		if got == pid {
			if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Errorf("child ended with %v", ws)
			}
			break
		}
		if time.Now().After(deadline) {
			unix.Kill(pid, unix.SIGKILL)
			t.Fatal("the child in its own session is still running")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
