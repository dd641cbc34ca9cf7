package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestExitReapsSpares: the spare children a script's forks leave ready
// are killed and reaped before forkjs exits, by os._exit too, so none is
// left for init to reap (on this VM init took seconds).
func TestExitReapsSpares(t *testing.T) {
	for _, end := range []string{"", "os._exit(0);"} {
		script := filepath.Join(t.TempDir(), "spares.js")
		// Two forks in quick succession make the runtime keep two spares.
		os.WriteFile(script, []byte(`
for (let i = 0; i < 3; i++) {
  const pid = os.fork();
  if (pid === 0) os._exit(0);
  os.waitpid(pid, 0);
}
`+end), 0o644)
		cmd := exec.Command(os.Args[0], script)
		cmd.Args[0] = "forkjs"
		cmd.Env = append(os.Environ(), "FORKJS_TRACE=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", end, err, out)
		}
		started := regexp.MustCompile(`\[forkjs (\d+) [^\]]*\] spare start`).FindAllStringSubmatch(string(out), -1)
		if len(started) < 4 {
			t.Fatalf("%q: %d spares started, want at least 4 (3 forks and the next):\n%s", end, len(started), out)
		}
		for _, m := range started {
			if b, err := os.ReadFile("/proc/" + m[1] + "/stat"); err == nil {
				t.Errorf("%q: spare %s still there after the script ended: state %s", end, m[1], strings.Fields(string(b))[2])
			}
		}
	}
}
