package proc

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// start starts cmd and registers a cleanup that kills and reaps the child.
func start(t testing.TB, cmd *Cmd) *Process {
	t.Helper()
	p, err := cmd.Start()
	if err != nil {
		t.Fatalf("Start %v: %v", cmd.Args, err)
	}
	t.Cleanup(func() {
		p.Kill()
		for _, f := range []*os.File{p.Stdin, p.Stdout, p.Stderr} {
			if f != nil {
				f.Close()
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.Wait(ctx)
	})
	return p
}

// sh returns a Cmd running script with /bin/sh -c.
func sh(script string) *Cmd {
	return &Cmd{Path: "/bin/sh", Args: []string{"sh", "-c", script}}
}

// waitCtx waits with a generous "does not hang" bound.
func waitCtx(t testing.TB, p *Process) *State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := p.Wait(ctx)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return st
}

// run starts cmd with stdout piped, communicates and returns stdout.
func output(t testing.TB, cmd *Cmd) (string, *State) {
	t.Helper()
	cmd.Stdout = Pipe
	p := start(t, cmd)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _, err := p.Communicate(ctx, nil)
	if err != nil {
		t.Fatalf("Communicate: %v", err)
	}
	st, _ := p.Wait(ctx)
	return string(out), st
}

// withWaitModes runs f once with pidfds (when the kernel has them) and once
// with the waitid(WNOWAIT) fallback. The tests using it must not be
// parallel: the mode is a package variable.
func withWaitModes(t *testing.T, f func(t *testing.T)) {
	modes := []bool{false, true}
	for _, noPidfd := range modes {
		name := "pidfd"
		if noPidfd {
			name = "fallback"
		}
		if !noPidfd && !pidfdWorks() {
			t.Logf("pidfd not supported here; skipping pidfd mode")
			continue
		}
		t.Run(name, func(t *testing.T) {
			old := forceNoPidfd
			forceNoPidfd = noPidfd
			defer func() { forceNoPidfd = old }()
			f(t)
		})
	}
}

// openFDs counts this process's open descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// procStat returns state, ppid, pgrp and session of pid from
// /proc/PID/stat, or ok=false if it does not exist.
func procStat(pid int) (state byte, ppid, pgrp, session int, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return 0, 0, 0, 0, false
	}
	f := strings.Fields(s[i+2:])
	if len(f) < 4 {
		return 0, 0, 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	pgrp, _ = strconv.Atoi(f[2])
	session, _ = strconv.Atoi(f[3])
	return f[0][0], ppid, pgrp, session, true
}

// children returns the pids whose parent is this process, and which of
// them are zombies, by scanning /proc.
func children(t testing.TB) (all, zombies []int) {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	me := os.Getpid()
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		state, ppid, _, _, ok := procStat(pid)
		if !ok || ppid != me {
			continue
		}
		all = append(all, pid)
		if state == 'Z' {
			zombies = append(zombies, pid)
		}
	}
	return all, zombies
}

// gone reports whether pid has disappeared or is a zombie within d.
func gone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		state, _, _, _, ok := procStat(pid)
		if !ok || state == 'Z' || state == 'X' {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// writeScript writes an executable shell script into dir.
func writeScript(t testing.TB, dir, name, body string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	return path
}
