// The Go floor for communicate: 64 MiB through cat with os/exec
// (stdin from a reader, stdout collected). MB/s.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

func main() {
	mb := 64
	if len(os.Args) > 1 {
		mb, _ = strconv.Atoi(os.Args[1])
	}
	data := make([]byte, mb<<20)
	t0 := time.Now()
	cmd := exec.Command("cat")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil || len(out) != len(data) {
		panic(fmt.Sprint(err, len(out)))
	}
	fmt.Println("RESULT", float64(len(data))/time.Since(t0).Seconds()/1e6)
}
