// Command bench compares forkjs with Python 3 and Node (and Go where a
// floor is meaningful) on the same process-scripting workloads, in one
// run, alternating the tools round by round, and prints a table of
// medians, min-max ranges and forkjs/peer ratios.
//
// Usage:
//
//	go run ./scripts/bench [-rounds 5] [-only fork,pipe] [-quick] [-md FILE]
//
// It builds forkjs from this checkout, runs Python from a clean venv made
// outside the repository (python3 -m venv --without-pip; the machine's
// python3 is a pyenv shim with a certifi .pth hook that slows every start,
// see ../shared/BENCHMARKING.md) and Node without NODE_EXTRA_CA_CERTS.
// Each workload program prints "RESULT <number>"; the unit and whether
// higher is better belong to the workload.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A workload runs the same job under each tool that has an equivalent.
type workload struct {
	name   string
	unit   string
	higher bool                // higher is better (throughput)
	args   map[string][]string // tool -> program and arguments
	rounds int                 // 0: the -rounds default
	note   string
}

var tools = []string{"forkjs", "python", "node", "go"}

type env struct {
	dir, forkjs, python, node string
	goBins                    map[string]string
	wl                        string // workloads directory
}

func main() {
	rounds := flag.Int("rounds", 5, "rounds per workload (tools alternate within each round)")
	only := flag.String("only", "", "comma-separated workload names to run (default all)")
	quick := flag.Bool("quick", false, "smaller sizes, for a smoke test")
	md := flag.String("md", "", "also write the table as Markdown to this file")
	flag.Parse()

	e := setup()
	defer os.RemoveAll(e.dir)
	wls := workloads(e, *quick)
	var results []result
	fmt.Printf("forkjs benchmarks, %s\n%s\n\n", time.Now().Format("2006-01-02"), machine())
	for _, w := range wls {
		if *only != "" && !contains(strings.Split(*only, ","), w.name) {
			continue
		}
		n := *rounds
		if w.rounds > 0 && (*only == "" || n > w.rounds) {
			n = min(n, w.rounds)
		}
		r := run(e, w, n)
		results = append(results, r)
		fmt.Println(r.line())
	}
	table := render(results)
	fmt.Println()
	fmt.Println(table)
	if *md != "" {
		os.WriteFile(*md, []byte(table), 0o644)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func must(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s: %v\n", what, err)
		os.Exit(1)
	}
}

func setup() *env {
	dir, err := os.MkdirTemp("", "forkjs-bench-")
	must(err, "temp dir")
	root, err := os.Getwd()
	must(err, "cwd")
	e := &env{dir: dir, goBins: map[string]string{}, wl: filepath.Join(root, "scripts", "bench", "workloads")}
	if _, err := os.Stat(e.wl); err != nil {
		must(fmt.Errorf("run from the repository root (no %s)", e.wl), "workloads")
	}
	e.forkjs = filepath.Join(dir, "forkjs")
	build := exec.Command("go", "build", "-o", e.forkjs, ".")
	build.Stderr = os.Stderr
	must(build.Run(), "building forkjs")
	venv := filepath.Join(os.TempDir(), "forkjs-bench-venv")
	if _, err := os.Stat(filepath.Join(venv, "bin", "python3")); err != nil {
		py, err := exec.LookPath("python3")
		must(err, "python3")
		mk := exec.Command(py, "-m", "venv", "--without-pip", venv)
		mk.Stderr = os.Stderr
		must(mk.Run(), "making a clean venv")
	}
	e.python = filepath.Join(venv, "bin", "python3")
	e.node, _ = exec.LookPath("node")
	goDirs, _ := filepath.Glob(filepath.Join(e.wl, "*_go"))
	for _, d := range goDirs {
		name := strings.TrimSuffix(filepath.Base(d), "_go")
		bin := filepath.Join(dir, name+"-go")
		b := exec.Command("go", "build", "-o", bin, ".")
		b.Dir = d
		b.Stderr = os.Stderr
		must(b.Run(), "building "+d)
		e.goBins[name] = bin
	}
	return e
}

// cleanEnv is the environment every tool runs with: no NODE_EXTRA_CA_CERTS
// (85 ms per node start here) and no PYTHON* variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "NODE_EXTRA_CA_CERTS=") || strings.HasPrefix(kv, "PYTHON") || strings.HasPrefix(kv, "FORKJS_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

type result struct {
	w    workload
	vals map[string][]float64
	errs map[string]string
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func run(e *env, w workload, rounds int) result {
	r := result{w: w, vals: map[string][]float64{}, errs: map[string]string{}}
	for i := 0; i < rounds; i++ {
		for _, t := range tools {
			argv, ok := w.args[t]
			if !ok || r.errs[t] != "" {
				continue
			}
			v, err := measure(argv)
			if err != nil {
				r.errs[t] = err.Error()
				continue
			}
			r.vals[t] = append(r.vals[t], v)
		}
	}
	return r
}

// measure runs argv and returns the number after RESULT; a program named
// "@startup" is timed from outside instead (wall ms; see startup).
func measure(argv []string) (float64, error) {
	if argv[0] == "@startup" {
		return startup(argv[1:], false)
	}
	if argv[0] == "@rss" {
		return startup(argv[1:], true)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = cleanEnv()
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%s: %v", strings.Join(argv, " "), err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "RESULT" {
			return strconv.ParseFloat(f[1], 64)
		}
	}
	return 0, fmt.Errorf("%s printed no RESULT line:\n%s", strings.Join(argv, " "), out)
}

// startup runs argv 20 times and returns the median wall time in ms, or
// the median peak RSS in MiB.
func startup(argv []string, rss bool) (float64, error) {
	var vals []float64
	for i := 0; i < 20; i++ {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = cleanEnv()
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, err
		}
		if rss {
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			vals = append(vals, float64(ru.Maxrss)/1024)
		} else {
			vals = append(vals, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	return median(vals), nil
}

func (r result) cell(t string) string {
	if e, ok := r.errs[t]; ok {
		_ = e
		return "error"
	}
	v := r.vals[t]
	if len(v) == 0 {
		return ""
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return fmt.Sprintf("%s [%s-%s]", num(median(v)), num(lo), num(hi))
}

func num(x float64) string {
	switch {
	case x >= 1000:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case x >= 100:
		return strconv.FormatFloat(x, 'f', 1, 64)
	case x >= 1:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

// ratio is forkjs relative to a peer, oriented so that "2.00x" means
// forkjs is twice as good and "0.50x" half as good.
func (r result) ratio(peer string) string {
	f, p := r.vals["forkjs"], r.vals[peer]
	if len(f) == 0 || len(p) == 0 {
		return ""
	}
	a, b := median(f), median(p)
	if a == 0 || b == 0 {
		return ""
	}
	if r.w.higher {
		return fmt.Sprintf("%.2fx", a/b)
	}
	return fmt.Sprintf("%.2fx", b/a)
}

func (r result) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-24s %-10s", r.w.name, r.w.unit)
	for _, t := range tools {
		if c := r.cell(t); c != "" {
			fmt.Fprintf(&b, " %s=%s", t, c)
		}
	}
	for t, e := range r.errs {
		fmt.Fprintf(&b, "\n    %s failed: %s", t, e)
	}
	return b.String()
}

func render(rs []result) string {
	var b strings.Builder
	b.WriteString("| workload | unit | forkjs | Python | Node | Go | vs Python | vs Node | vs Go |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		dir := "lower is better"
		if r.w.higher {
			dir = "higher is better"
		}
		fmt.Fprintf(&b, "| %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s |\n", r.w.name, r.w.unit, dir,
			r.cell("forkjs"), r.cell("python"), r.cell("node"), r.cell("go"),
			r.ratio("python"), r.ratio("node"), r.ratio("go"))
	}
	b.WriteString("\nCells: median [min-max] over the rounds. Ratios: how many times better forkjs is than the peer (above 1 is better).\n")
	return b.String()
}

func machine() string {
	cpu := ""
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	ver := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			return "?"
		}
		return strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("machine: %s, %d CPUs, %s; %s; Python %s (clean venv); Node %s",
		runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), cpu, runtime.Version(),
		strings.TrimPrefix(ver(filepath.Join(os.TempDir(), "forkjs-bench-venv", "bin", "python3"), "--version"), "Python "),
		ver("node", "--version"))
}
