// Package tests runs forkjs end to end: testscript suites (testdata/*.txtar)
// execute the forkjs command on JS scripts and compare their output, and
// the determinism self-test records and replays every example script.
//
// The test binary is the forkjs command: testscript runs it under the name
// "forkjs", and a forked child re-executes it and is recognised by the
// environment variable engine.Dispatch reads, not by argv[0].
package tests

import (
	"os"
	"path/filepath"
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

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("SCRIPTS", scriptsDir(t))
			env.Setenv("LANG", "C.UTF-8")
			return nil
		},
		Cmds: commands(),
	})
}
