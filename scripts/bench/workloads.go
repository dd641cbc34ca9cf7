package main

import (
	"path/filepath"
	"strconv"
)

// workloads lists the jobs of issue 7, each a small program per tool in
// workloads/ (NAME.js for forkjs, NAME.py, NAME.node.js, NAME_go/).
func workloads(e *env, quick bool) []workload {
	js := func(name string, args ...string) []string {
		return append([]string{e.forkjs, filepath.Join(e.wl, name+".js")}, args...)
	}
	py := func(name string, args ...string) []string {
		return append([]string{e.python, filepath.Join(e.wl, name+".py")}, args...)
	}
	nd := func(name string, args ...string) []string {
		return append([]string{e.node, filepath.Join(e.wl, name+".node.js")}, args...)
	}
	gobin := func(name string, args ...string) []string {
		return append([]string{e.goBins[name]}, args...)
	}
	size := func(full, small int) string {
		if quick {
			return strconv.Itoa(small)
		}
		return strconv.Itoa(full)
	}
	var ws []workload
	add := func(w workload) {
		for t, a := range w.args {
			if (t == "node" && e.node == "") || (t == "go" && a[0] == "") {
				delete(w.args, t)
			}
		}
		ws = append(ws, w)
	}
	add(workload{name: "startup", unit: "ms", args: map[string][]string{
		"forkjs": {"@startup", e.forkjs, "-e", "0"},
		"python": {"@startup", e.python, "-c", "pass"},
		"node":   {"@startup", e.node, "-e", "0"},
		"go":     {"@startup", e.goBins["hello"]},
	}})
	add(workload{name: "startup RSS", unit: "MiB", args: map[string][]string{
		"forkjs": {"@rss", e.forkjs, "-e", "0"},
		"python": {"@rss", e.python, "-c", "pass"},
		"node":   {"@rss", e.node, "-e", "0"},
		"go":     {"@rss", e.goBins["hello"]},
	}})
	n := size(200, 20)
	add(workload{name: "fork", unit: "ms/fork", args: map[string][]string{
		"forkjs": js("fork", n), "python": py("fork", n), "node": nd("fork", size(20, 5)),
	}})
	for _, ms := range []string{"10", "100", "1000"} {
		add(workload{name: "fork after " + ms + " ms work", unit: "ms to live", rounds: 3, args: map[string][]string{
			"forkjs": js("fork_ttl", ms), "python": py("fork_ttl", ms),
		}})
	}
	mib := size(1024, 64)
	add(workload{name: "pipe 1 GiB", unit: "MB/s", higher: true, args: map[string][]string{
		"forkjs": js("pipe", mib), "python": py("pipe", mib), "node": nd("pipe", mib), "go": gobin("pipe", mib),
	}})
	return ws
}
