package engine_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/engine"
)

// cancelDuring runs script, which sets globalThis.childPid and then
// blocks, cancels its context after 300 ms, and checks that RunString
// returns the context's error within limit and that the child is gone.
func cancelDuring(t *testing.T, rt *engine.Runtime, script string, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := rt.RunString(ctx, script)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > limit {
		t.Fatalf("RunString returned after %v", d)
	}
	pid, _ := rt.Get("childPid").(int64)
	if pid <= 0 {
		t.Fatalf("childPid = %v", rt.Get("childPid"))
	}
	if alive(int(pid)) {
		t.Fatalf("child %d still running after cancellation", pid)
	}
}

// Cancelling the context during time.sleep(30) returns from RunString
// promptly with the context's error, and no forked child survives.
func TestCancelDuringSleep(t *testing.T) {
	rt := newRuntime(t)
	cancelDuring(t, rt, `
		const pid = os.fork();
		if (pid === 0) { while (true) time.sleep(1); }
		globalThis.childPid = pid;
		time.sleep(30);`, 3*time.Second)
	// The runtime is usable again.
	v, err := rt.RunString(context.Background(), `1 + 1`)
	if err != nil || v != int64(2) {
		t.Fatalf("after cancel: %v %v", v, err)
	}
}

// Cancelling the context during p.communicate() returns from RunString
// within a second with the context's error, and the subprocess (which would
// run for 30 seconds) is gone.
func TestCancelDuringCommunicate(t *testing.T) {
	rt := newRuntime(t)
	cancelDuring(t, rt, `
		const p = subprocess.Popen(['sleep', '30'], { stdout: subprocess.PIPE });
		globalThis.childPid = p.pid;
		p.communicate();`, 1300*time.Millisecond)
}

// A deadline interrupts pure JS too.
func TestTimeoutInterruptsJS(t *testing.T) {
	rt := newRuntime(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := rt.RunString(ctx, `while (true) {}`)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

// A host function registered as Input whose result changes on every call
// still gives a forked child the parent's values up to the fork.
func TestInputFunctionReplayedInChild(t *testing.T) {
	var out strings.Builder
	rt, _ := engine.New(engine.Options{Modules: append(bindings.Defaults(), counterModule), Stdout: &out})
	defer rt.Close()
	v, err := rt.RunString(context.Background(), `
		const counter = require('counter');
		const before = [counter.next(), counter.next()];
		const [r, w] = os.pipe();
		const pid = os.fork();
		if (pid === 0) {
			os.write(w, JSON.stringify({ before, after: counter.next() }));
			os._exit(0);
		}
		os.close(w);
		const child = JSON.parse(os.fdopen(r).read());
		os.waitpid(pid, 0);
		JSON.stringify({ parent: before, child: child.before, childAfterDiffers: child.after !== before[1], parentAfter: counter.next() > before[1] })`)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"parent":[100,200],"child":[100,200],"childAfterDiffers":true,"parentAfter":true}`
	if v != want {
		t.Fatalf("got %v\nwant %v", v, want)
	}
}

// Set converts Go maps deterministically (sorted keys), and refuses Go
// functions with an explanation.
func TestSetAndGet(t *testing.T) {
	rt := newRuntime(t)
	if err := rt.Set("m", map[string]int{"b": 2, "a": 1, "c": 3}); err != nil {
		t.Fatal(err)
	}
	v, _ := rt.RunString(context.Background(), `Object.keys(m).join(',')`)
	if v != "a,b,c" {
		t.Fatalf("keys %v", v)
	}
	if err := rt.Set("f", func() {}); err == nil {
		t.Fatal("Set of a Go func succeeded")
	}
	rt.RunString(context.Background(), `const answer = { n: 42, list: [1, 'x', null], bytes: new Bytes('hi') }`)
	got := rt.Get("answer").(map[string]any)
	if got["n"] != int64(42) || len(got["list"].([]any)) != 3 || string(got["bytes"].([]byte)) != "hi" {
		t.Fatalf("Get: %#v", got)
	}
}

func alive(pid int) bool {
	b, err := osReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

// A bytes.Buffer works as Stdout (it is a Reader too), and output reaches
// it when RunString returns, from the runtime and from forked children.
func TestBufferStdout(t *testing.T) {
	var out bytes.Buffer
	rt, err := engine.New(engine.Options{Modules: bindings.Defaults(), Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	_, err = rt.RunString(context.Background(), `
		print('parent');
		const pid = os.fork();
		if (pid === 0) { print('child'); sys.exit(0); }
		os.waitpid(pid, 0);`)
	if err != nil {
		t.Fatal(err)
	}
	rt.Close()
	if got := out.String(); got != "parent\nchild\n" {
		t.Fatalf("stdout %q", got)
	}
}
