package proc_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/forkjs/forkjs/runtime/proc"
)

// The shape of Python's subprocess.run(args, input=..., capture_output=True,
// timeout=5) on top of this package.
func Example() {
	cmd := &proc.Cmd{
		Args:   []string{"sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"},
		Stdin:  proc.Pipe,
		Stdout: proc.Pipe,
		Stderr: proc.Pipe,
	}
	p, err := cmd.Start()
	if err != nil {
		// *proc.StartError: Op, Path (Python's filename) and Err (errno).
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, errOut, err := p.Communicate(ctx, []byte("hello\n"))
	if errors.Is(err, context.DeadlineExceeded) {
		// TimeoutExpired: kill (the group, if any), collect, reap.
		out, errOut, _, _ = p.KillAndWait(proc.DefaultGrace)
		fmt.Printf("timed out: %q %q\n", out, errOut)
		return
	}
	st, _ := p.Wait(ctx) // already reaped by Communicate: returns at once
	fmt.Printf("%q %q returncode=%d\n", out, errOut, st.ReturnCode())
	// Output: "HELLO\n" "oops\n" returncode=3
}

// A missing program fails at Start with the errno and the filename Python
// puts in FileNotFoundError.
func ExampleStartError() {
	_, err := (&proc.Cmd{Args: []string{"nosuchprog"}}).Start()
	var se *proc.StartError
	if errors.As(err, &se) {
		fmt.Println(se.Op, se.Path, int(se.Err), se.Err)
	}
	// Output: exec nosuchprog 2 no such file or directory
}
