// The Go floor for spawn: N x exec.Command("/bin/true").Run(). ms/spawn.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

func main() {
	n := 500
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	t0 := time.Now()
	for i := 0; i < n; i++ {
		if err := exec.Command("/bin/true").Run(); err != nil {
			panic(err)
		}
	}
	fmt.Println("RESULT", float64(time.Since(t0).Microseconds())/1000/float64(n))
}
