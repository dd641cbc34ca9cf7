package multiprocessing_test

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/engine"
)

// These tests run scripts in a runtime inside the test binary; forked
// children re-execute the binary, which TestMain hands to the engine.

func TestMain(m *testing.M) {
	engine.Dispatch()
	os.Exit(m.Run())
}

func run(t *testing.T, src string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	// (writer-only wrappers: a *bytes.Buffer is also a reader, which
	// the engine would take for an input stream)
	rt, err := engine.New(engine.Options{Stdout: writer{&out}, Stderr: writer{&errb}, Args: []string{"t.js"}, Modules: bindings.Defaults()})
	if err != nil {
		t.Fatal(err)
	}
	code := rt.RunMain("t.js", []byte(src))
	rt.Close()
	return out.String(), errb.String(), code
}

type writer struct{ io.Writer }

func expect(t *testing.T, src, want string) {
	t.Helper()
	out, errs, code := run(t, src)
	if code != 0 || out != want {
		t.Fatalf("status %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, out, want, errs)
	}
}

// A pool belongs to the process that made it: a forked child gets
// ProcessError, and the child's exit leaves the parent's workers alone.
func TestPoolInForkedChild(t *testing.T) {
	expect(t, `
const { Pool, Process } = multiprocessing;
function sq(x) { return x * x; }
const pool = Pool(1);
const p = Process({ target: () => {
  try { pool.apply(sq, [2]); sys.exit(1); } catch (e) { sys.exit(e.name === 'ProcessError' ? 7 : 2); }
} });
p.start(); p.join();
print(p.exitcode, pool.apply(sq, [3]));
pool.close(); pool.join();
`, "7 9\n")
}

// Pool workers are daemonic: a task cannot start a Process, as in Python.
func TestWorkerCannotStartProcess(t *testing.T) {
	expect(t, `
const { Pool, Process } = multiprocessing;
function spawn() { Process({ target: () => {} }).start(); }
const pool = Pool(1);
try { pool.apply(spawn); } catch (e) { print(e.name + ': ' + e.message); }
pool.terminate(); pool.join();
`, "AssertionError: daemonic processes are not allowed to have children\n")
}

// parent_process() in a child names the parent and sees it alive.
func TestParentProcess(t *testing.T) {
	expect(t, `
const { Process, parent_process, current_process, Queue } = multiprocessing;
const q = Queue();
const p = Process({ target: () => {
  const pp = parent_process();
  q.put([pp.name, pp.pid === os.getppid(), pp.is_alive(), current_process().name]);
} });
p.start();
print(JSON.stringify(q.get()));
p.join();
`, `["MainProcess",true,true,"Process-1"]`+"\n")
}

// Nothing the module opens stays open once it is closed, joined or done
// with.
func TestNoDescriptorLeak(t *testing.T) {
	out, errs, code := run(t, `
const mp = multiprocessing;
function f(x) { return x; }
function once() {
  const [a, b] = mp.Pipe(); a.send(1); b.recv(); a.close(); b.close();
  const [r, w] = mp.Pipe(false); r.close(); w.close();
  const q = mp.Queue(); q.put(1); q.get(); q.close(); q.join_thread();
  const sq = mp.SimpleQueue(); sq.put(1); sq.get(); sq.close();
  const pool = mp.Pool(2); pool.map(f, [1, 2, 3]); pool.close(); pool.join();
  const p = mp.Process({ target: f, args: [1] }); p.start(); p.join(); p.close();
}
const count = () => os.listdir('/proc/self/fd').length;
once();
time.sleep(0.2);
const before = count();
for (let i = 0; i < 3; i++) once();
time.sleep(0.2);
print(count() - before);
`)
	if code != 0 || strings.TrimSpace(out) != "0" {
		t.Fatalf("status %d, descriptors leaked: %q\n%s", code, out, errs)
	}
}

// A Queue's feeder writes what a process put before it exits, even when
// the reader comes later; a child forked while the parent's buffer holds
// items does not write them again.
func TestQueueFeederAtExitAndFork(t *testing.T) {
	expect(t, `
const { Process, Queue } = multiprocessing;
const q = Queue();
const producer = Process({ target: () => { for (let i = 0; i < 2000; i++) q.put('x'.repeat(500)); } });
producer.start();
let n = 0;
for (let i = 0; i < 2000; i++) { q.get(); n++; }
producer.join();
for (let i = 0; i < 10; i++) q.put(i);
const child = Process({ target: () => {} });
child.start(); child.join();
const got = [];
for (let i = 0; i < 10; i++) got.push(q.get());
print(n, producer.exitcode, JSON.stringify(got), q.empty());
`, "2000 0 [0,1,2,3,4,5,6,7,8,9] true\n")
}

// The module's files load when first touched: every name is there before
// (the lazy accessors list each file's exports), none appears or goes
// after everything loaded, and a lazily loaded class works across a fork
// and through a destructuring require().
func TestLazyFilesExportEverything(t *testing.T) {
	expect(t, `
const before = Object.keys(multiprocessing).sort().join();
const { Value } = require('multiprocessing'); // sharedctypes, after synchronize
const v = Value('i', 1);
const pid = os.fork();
if (pid === 0) { v.value = 5; os._exit(0); }
os.waitpid(pid, 0);
for (const k of Object.keys(multiprocessing)) multiprocessing[k];
const after = Object.keys(multiprocessing).sort().join();
print(before === after, v.value, typeof multiprocessing.Pool, typeof multiprocessing.Lock);
`, "true 5 function function\n")
}
