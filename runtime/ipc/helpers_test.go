package ipc

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Tests that need real processes re-execute the test binary with
// IPC_TEST_HELPER naming a function in helpers; descriptors travel in
// cmd.ExtraFiles (fd 3, 4, ...), as forkjs passes them to its children.
const helperEnv = "IPC_TEST_HELPER"

var helpers = map[string]func(args []string) int{}

func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		h := helpers[name]
		if h == nil {
			fmt.Fprintln(os.Stderr, "unknown helper", name)
			os.Exit(2)
		}
		os.Exit(h(strings.Fields(os.Getenv("IPC_TEST_ARGS"))))
	}
	os.Exit(m.Run())
}

// helperCmd prepares a helper process with files at fds 3, 4, ...
func helperCmd(t *testing.T, name string, files []*os.File, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+name, "IPC_TEST_ARGS="+strings.Join(args, " "))
	cmd.ExtraFiles = files
	cmd.Stderr = os.Stderr
	cmd.Stdout = os.Stderr
	// A test that fails before waiting must not leave helpers behind.
	t.Cleanup(func() {
		if cmd.Process != nil && cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	return cmd
}

// waitAll waits for helper processes, failing the test on a non-zero exit
// or if they take longer than a generous bound.
func waitAll(t *testing.T, cmds ...*exec.Cmd) {
	t.Helper()
	done := make(chan error, len(cmds))
	for _, c := range cmds {
		go func() { done <- c.Wait() }()
	}
	timeout := time.After(60 * time.Second)
	for range cmds {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("helper: %v", err)
			}
		case <-timeout:
			for _, c := range cmds {
				_ = c.Process.Kill()
			}
			t.Fatal("helpers did not finish within 60 s")
		}
	}
}
