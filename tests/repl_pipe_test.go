package tests

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Ctrl-C (SIGINT) during a blocking call in a piped session: there is no
// prompt to go back to, so the session ends with KeyboardInterrupt and
// status 130, as a script does.
func TestREPLPipedCtrlC(t *testing.T) {
	cmd := &exec.Cmd{Path: os.Args[0], Args: []string{"forkjs"}}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FORKJS_PROMPT=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	in.Write([]byte("sys.stdout.write('sleeping\\n'); sys.stdout.flush(); time.sleep(30)\nprint('not reached')\n"))
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		if l != "sleeping" {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no output from the first entry")
	}
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	for l := range lines {
		t.Errorf("unexpected output %q", l)
	}
	err = cmd.Wait()
	t.Logf("ended %v after SIGINT", time.Since(start))
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130", err)
	}
	if got := stderr.String(); got != "KeyboardInterrupt\n" {
		t.Errorf("stderr %q, want KeyboardInterrupt", got)
	}
	in.Close()
}
