package tests

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// When Ctrl-C ends a script, the children it started in a session of
// their own are killed and reaped before it exits: none is left running,
// nor as a zombie for init to collect.
func TestInterruptReapsSessionChildren(t *testing.T) {
	script := filepath.Join(t.TempDir(), "sess.js")
	os.WriteFile(script, []byte(`
const p = subprocess.Popen(['sleep', '30'], { start_new_session: true });
print(p.pid); sys.stdout.flush();
time.sleep(30);
`), 0o644)
	cmd := exec.Command(os.Args[0], script)
	cmd.Args[0] = "forkjs"
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("reading the child's pid: %v", err)
	}
	child, _ := strconv.Atoi(strings.TrimSpace(line))
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v, want status 130", err)
	}
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(child) + "/stat"); err == nil {
		syscall.Kill(-child, syscall.SIGKILL)
		t.Fatalf("session child %d still there after the script ended: state %s", child, strings.Fields(string(b))[2])
	}
}
