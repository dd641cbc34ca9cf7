// The Go floor for the pipe workload: this program re-executes itself as
// the writer (Go cannot fork), which writes 1 GiB in 64 KiB chunks to a
// pipe; the parent reads it in 64 KiB reads. Prints MB/s.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

const chunk = 64 << 10

func main() {
	mib := 1024
	if len(os.Args) > 1 {
		mib, _ = strconv.Atoi(os.Args[1])
	}
	total := mib << 20
	if len(os.Args) > 2 && os.Args[2] == "child" {
		buf := make([]byte, chunk)
		for sent := 0; sent < total; sent += chunk {
			os.Stdout.Write(buf)
		}
		return
	}
	r, w, _ := os.Pipe()
	t0 := time.Now()
	cmd := exec.Command(os.Args[0], strconv.Itoa(mib), "child")
	cmd.Stdout = w
	cmd.Start()
	w.Close()
	buf := make([]byte, chunk)
	got := 0
	for {
		n, err := r.Read(buf)
		got += n
		if err != nil {
			break
		}
	}
	dt := time.Since(t0).Seconds()
	cmd.Wait()
	if got != total {
		panic(got)
	}
	fmt.Println("RESULT", float64(total)/dt/1e6)
}
