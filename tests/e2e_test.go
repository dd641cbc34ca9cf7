//go:debug updatemaxprocs=0

// Package tests runs forkjs end to end: testscript suites (testdata/*.txtar)
// execute the forkjs command on JS scripts and compare their output, and
// the determinism self-test records and replays every example script.
//
// The test binary is the forkjs command: testscript runs it under the name
// "forkjs", and a forked child re-executes it and is recognised by the
// environment variable engine.Dispatch reads, not by argv[0].
package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/cli"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/tests/testhost"
	"github.com/rogpeppe/go-internal/testscript"
)

func modules() []*engine.Module { return append(bindings.Defaults(), testhost.Module) }

func TestMain(m *testing.M) {
	engine.Dispatch()
	testscript.Main(m, map[string]func(){
		"forkjs": func() { os.Exit(cli.Main(os.Args, modules())) },
	})
}

func scriptsDir(t testing.TB) string {
	d, err := filepath.Abs("../scripts")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestScripts runs every testdata/*.txtar suite. Every forkjs process the
// suites start records its journal (FORKJS_RECORD); when all suites are
// done, each journal is replayed from the start in a fresh process, which
// must match it entry for entry: the determinism self-test of DESIGN §1.
func TestScripts(t *testing.T) {
	rec := t.TempDir()
	t.Cleanup(func() { replayAll(t, rec) })
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SCRIPTS", scriptsDir(t))
			env.Setenv("LANG", "C.UTF-8")
			env.Setenv("FORKJS_RECORD", rec)
			return nil
		},
		Cmds: commands(),
	})
}

// replayAll replays every journal in dir with `forkjs --replay-check`.
func replayAll(t *testing.T, dir string) {
	journals, _ := filepath.Glob(filepath.Join(dir, "*.journal"))
	if len(journals) == 0 {
		t.Errorf("no journals were recorded in %s", dir)
		return
	}
	// One process per journal (a replay that reaches the recorded exit
	// ends its process), as many at a time as there are CPUs.
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	failed := 0
	for _, j := range journals {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			cmd := exec.Command(os.Args[0], "--replay-check", j)
			cmd.Args[0] = "forkjs"
			if out, err := cmd.CombinedOutput(); err != nil {
				name := j
				if b, rerr := os.ReadFile(j); rerr == nil && len(b) > 0 {
					name = fmt.Sprintf("%s (%d bytes)", j, len(b))
				}
				mu.Lock()
				t.Errorf("replay of %s: %v\n%s", name, err, out)
				failed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("replayed %d recorded journals, %d diverged", len(journals), failed)
}
