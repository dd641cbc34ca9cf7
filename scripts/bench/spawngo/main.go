// Command spawngo is the Go peer of subprocess_bench.js: the median latency
// of exec.Command("/bin/true").Run(), and of cat through os/exec pipes.
// Usage: spawngo [spawns] [mib] [reps]
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"
)

func main() {
	arg := func(i, def int) int {
		if len(os.Args) > i {
			if n, err := strconv.Atoi(os.Args[i]); err == nil {
				return n
			}
		}
		return def
	}
	spawns, mib, reps := arg(1, 1000), arg(2, 64), arg(3, 5)
	for range 50 {
		exec.Command("/bin/true").Run()
	}
	lat := make([]time.Duration, 0, spawns)
	for range spawns {
		t := time.Now()
		if err := exec.Command("/bin/true").Run(); err != nil {
			panic(err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	fmt.Printf("spawn %.3f ms\n", float64(lat[len(lat)/2])/1e6)
	if mib > 0 {
		data := make([]byte, mib<<20)
		var tp []float64
		for range reps {
			t := time.Now()
			cmd := exec.Command("cat")
			cmd.Stdin = bytes.NewReader(data)
			var out bytes.Buffer
			cmd.Stdout = &out
			if err := cmd.Run(); err != nil || out.Len() != len(data) {
				panic(fmt.Sprint(err, out.Len()))
			}
			tp = append(tp, float64(mib)/time.Since(t).Seconds())
		}
		slices.Sort(tp)
		fmt.Printf("communicate %.0f MiB/s\n", tp[len(tp)/2])
	}
}
