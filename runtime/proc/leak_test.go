package proc

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestNoLeaks runs 1000 start+communicate+wait cycles and checks that the
// number of open descriptors is unchanged and that no child, zombie or
// not, is left. It must not run in parallel with other tests.
func TestNoLeaks(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	cycle := func(i int) {
		p, err := (&Cmd{Args: []string{"/bin/echo", "hi"}, Stdin: Pipe, Stdout: Pipe, Stderr: Pipe}).Start()
		if err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, _, err := p.Communicate(ctx, []byte("input"))
		if err != nil || string(out) != "hi\n" {
			t.Fatalf("cycle %d: %q %v", i, out, err)
		}
		if st, err := p.Wait(ctx); err != nil || st.ReturnCode() != 0 {
			t.Fatalf("cycle %d: %v %v", i, st, err)
		}
	}
	cycle(-1) // warm up: the poller's own descriptors, the pidfd check
	fdsBefore := openFDs(t)
	kidsBefore, _ := children(t)
	for i := range n {
		cycle(i)
	}
	// Cleanups of dropped *os.File values must not be what keeps us even.
	runtime.GC()
	if after := openFDs(t); after != fdsBefore {
		t.Errorf("open descriptors: %d before, %d after %d runs", fdsBefore, after, n)
	}
	kids, zombies := children(t)
	if len(zombies) > 0 || len(kids) > len(kidsBefore) {
		t.Errorf("after %d runs: children %v (zombies %v), before %v", n, kids, zombies, kidsBefore)
	}
}

// TestDroppedProcessIsReaped: a Process dropped without Wait is reaped in
// the background once unreachable, as Python's Popen.__del__ arranges.
func TestDroppedProcessIsReaped(t *testing.T) {
	pid := func() int {
		p, err := (&Cmd{Path: "/bin/true"}).Start()
		if err != nil {
			t.Fatal(err)
		}
		return p.Pid
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		if _, _, _, _, ok := procStat(pid); !ok {
			return
		}
		if time.Now().After(deadline) {
			state, _, _, _, _ := procStat(pid)
			t.Fatalf("dropped child %d still there (state %c)", pid, state)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
