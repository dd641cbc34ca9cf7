package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// commands are testscript commands for checks that plain exec/cmp cannot
// express.
func commands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		// linecount FILE N: FILE has exactly N lines.
		"linecount": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 2 {
				ts.Fatalf("usage: linecount FILE N")
			}
			data := ts.ReadFile(args[0])
			n, _ := strconv.Atoi(args[1])
			got := strings.Count(data, "\n")
			if (got == n) == neg {
				ts.Fatalf("%s has %d lines, want %d", args[0], got, n)
			}
		},
		// waitfile FILE: waits (up to 10 s) until FILE exists, e.g. a
		// script's "ready" marker before the test signals it.
		"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: waitfile FILE")
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
					return
				}
				if time.Now().After(deadline) {
					ts.Fatalf("%s did not appear", args[0])
				}
				time.Sleep(10 * time.Millisecond)
			}
		},
		// noorphans PIDFILE: no process whose pid is listed in PIDFILE is
		// still alive (after a grace period of 2 s).
		"noorphans": func(ts *testscript.TestScript, neg bool, args []string) {
			data := ts.ReadFile(args[0])
			deadline := time.Now().Add(2 * time.Second)
			for _, f := range strings.Fields(data) {
				pid, err := strconv.Atoi(f)
				if err != nil {
					continue
				}
				for {
					_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
					state := ""
					if b, e := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); e == nil {
						state = strings.Fields(string(b))[2]
					}
					if err != nil || state == "Z" {
						break
					}
					if time.Now().After(deadline) {
						ts.Fatalf("process %d is still running", pid)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		},
	}
}
