package proc

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	exe := writeScript(t, dir, "forkjs-prog", "echo found $0", 0o755)
	writeScript(t, dir, "forkjs-noexec", "", 0o644)
	other := t.TempDir()
	exe2 := writeScript(t, other, "forkjs-noexec", "echo second", 0o755)
	os.Mkdir(filepath.Join(dir, "forkjs-dir"), 0o755)

	cases := []struct {
		name  string
		env   []string
		want  string
		errno syscall.Errno
	}{
		{"forkjs-prog", []string{"PATH=" + dir}, exe, 0},
		{"forkjs-prog", []string{"PATH=/nonexistent:" + dir + "/"}, exe, 0},
		{"forkjs-prog", []string{"PATH=/nonexistent"}, "", syscall.ENOENT},
		// The first PATH entry counts, as getenv does.
		{"forkjs-prog", []string{"PATH=/nonexistent", "PATH=" + dir}, "", syscall.ENOENT},
		// Not executable here, executable later: the later one wins.
		{"forkjs-noexec", []string{"PATH=" + dir + ":" + other}, exe2, 0},
		// Not executable anywhere: EACCES beats ENOENT, as execvp reports.
		{"forkjs-noexec", []string{"PATH=/nonexistent:" + dir}, "", syscall.EACCES},
		{"forkjs-dir", []string{"PATH=" + dir}, "", syscall.EACCES},
		// No PATH in env: Python's os.defpath, /bin:/usr/bin.
		{"sh", []string{"HOME=/"}, "", 0},
		// A slash: as it is, without checks.
		{"./whatever", []string{"PATH=" + dir}, "./whatever", 0},
		{"", nil, "", syscall.ENOENT},
	}
	for _, c := range cases {
		got, err := LookPath(c.name, c.env)
		if c.errno != 0 {
			var se *StartError
			if !errors.As(err, &se) || se.Err != c.errno || se.Path != c.name || se.Op != "exec" {
				t.Errorf("LookPath(%q, %q) = %q, %v; want errno %v", c.name, c.env, got, err, c.errno)
			}
			continue
		}
		if err != nil {
			t.Errorf("LookPath(%q, %q): %v", c.name, c.env, err)
			continue
		}
		if c.want == "" {
			if got != "/bin/sh" && got != "/usr/bin/sh" {
				t.Errorf("LookPath(%q, %q) = %q, want it from /bin:/usr/bin", c.name, c.env, got)
			}
		} else if got != c.want {
			t.Errorf("LookPath(%q, %q) = %q, want %q", c.name, c.env, got, c.want)
		}
	}
}

func TestLookPathCurrentEnvAndEmptyEntry(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "forkjs-prog", "echo found", 0o755)
	t.Setenv("PATH", "/nonexistent")
	if _, err := LookPath("forkjs-prog", nil); !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("nil env uses the current PATH: %v", err)
	}
	t.Setenv("PATH", dir)
	if got, err := LookPath("forkjs-prog", nil); err != nil || got != filepath.Join(dir, "forkjs-prog") {
		t.Fatalf("nil env: %q %v", got, err)
	}
	// An empty entry is the current directory (Python joins '' and name).
	t.Chdir(dir)
	if got, err := LookPath("forkjs-prog", []string{"PATH=/nonexistent:"}); err != nil || got != "./forkjs-prog" {
		t.Fatalf("empty entry: %q %v", got, err)
	}
}

func TestStartSearchesEnvPath(t *testing.T) {
	dir := t.TempDir()
	// For a #! script, $0 is the path the program was found at.
	writeScript(t, dir, "forkjs-prog", `echo "found $0"`, 0o755)
	// Python: with env=..., the program is searched on env's PATH.
	out, _ := output(t, &Cmd{Args: []string{"forkjs-prog"}, Env: []string{"PATH=" + dir}})
	if out != "found "+filepath.Join(dir, "forkjs-prog")+"\n" {
		t.Fatalf("got %q", out)
	}
	// Not on the current PATH.
	t.Setenv("PATH", "/usr/bin:/bin")
	se := startErr(t, &Cmd{Args: []string{"forkjs-prog"}})
	if se.Err != syscall.ENOENT || se.Path != "forkjs-prog" {
		t.Fatalf("got %+v", se)
	}
	// Relative PATH entries are relative to Dir, where the child runs.
	out, _ = output(t, &Cmd{Args: []string{"forkjs-prog"}, Env: []string{"PATH=."}, Dir: dir})
	if out != "found ./forkjs-prog\n" {
		t.Fatalf("relative PATH entry in Dir: got %q", out)
	}
}
