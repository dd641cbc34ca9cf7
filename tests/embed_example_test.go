package tests

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// The example host program of scripts/embed, built as its own binary and
// run as a user would: its host module answers the script, three forked
// children and the two Pool workers (all re-executed copies of the host
// binary, turned into children by engine.Dispatch), and it prints the
// combined results.
func TestEmbedExample(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build the example")
	}
	bin := filepath.Join(t.TempDir(), "embed")
	build := exec.Command(goTool, "build", "-o", bin, "../scripts/embed")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./scripts/embed: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatalf("embed: %v\n%s", err, out)
	}
	want := "order totals from 3 forked children: 2.75, 7.8, 7.8\n" +
		"prices with tax from Pool(2): apple=0.6 bread=2.7 cheese=9.36 dates=4.92 eggs=3.84\n"
	if string(out) != want {
		t.Fatalf("embed printed:\n%s\nwant:\n%s", out, want)
	}
}
