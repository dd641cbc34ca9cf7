package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestExitReapsSpares: the spare children a script's forks leave ready
// are killed and reaped before forkjs exits, by os._exit too, so none is
// left for init to reap (on this VM init took seconds). The test process
// makes itself a child subreaper, so that anything forkjs leaves behind
// becomes its child; after forkjs has exited it must have none.
func TestExitReapsSpares(t *testing.T) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Skipf("no child subreaper here: %v", err)
	}
	defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	for _, end := range []string{"", "os._exit(0);"} {
		script := filepath.Join(t.TempDir(), "spares.js")
		// Forks in quick succession make the runtime keep two spares.
		os.WriteFile(script, []byte(`
for (let i = 0; i < 3; i++) {
  const pid = os.fork();
  if (pid === 0) os._exit(0);
  os.waitpid(pid, 0);
}
`+end), 0o644)
		cmd := exec.Command(os.Args[0], script)
		cmd.Args[0] = "forkjs"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", end, err, out)
		}
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == syscall.ECHILD {
			continue
		}
		// Something was left: report it, then clean up.
		t.Errorf("%q: a process forkjs started outlived it (wait4: pid %d, %v)", end, pid, err)
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			if _, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil); err == syscall.ECHILD {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
