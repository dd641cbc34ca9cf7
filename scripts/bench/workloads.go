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
	add(workload{name: "spawn /bin/true", unit: "ms/spawn", args: map[string][]string{
		"forkjs": js("spawn", size(500, 50)), "python": py("spawn", size(500, 50)),
		"node": nd("spawn", size(500, 50)), "go": gobin("spawn", size(500, 50)),
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
	add(workload{name: "Process start+join", unit: "ms/process", args: map[string][]string{
		"forkjs": js("process", size(200, 20)), "python": py("process", size(200, 20)),
	}})
	add(workload{name: "Pool(2).map 1M", unit: "tasks/s", higher: true, args: map[string][]string{
		"forkjs": js("pool_map", size(1000000, 100000)), "python": py("pool_map", size(1000000, 100000)),
	}})
	add(workload{name: "Pool apply_async 100k", unit: "tasks/s", higher: true, args: map[string][]string{
		"forkjs": js("pool_apply", size(100000, 10000)), "python": py("pool_apply", size(100000, 10000)),
	}})
	add(workload{name: "Queue 200k", unit: "msgs/s", higher: true, args: map[string][]string{
		"forkjs": js("mp_queue", size(200000, 20000)), "python": py("mp_queue", size(200000, 20000)),
		"node": nd("mp_queue", size(200000, 20000)),
	}})
	cm := size(64, 8)
	add(workload{name: "communicate 64 MiB", unit: "MB/s", higher: true, args: map[string][]string{
		"forkjs": js("communicate", cm), "python": py("communicate", cm), "node": nd("communicate", cm),
		"go": gobin("communicate", cm),
	}})
	return ws
}
