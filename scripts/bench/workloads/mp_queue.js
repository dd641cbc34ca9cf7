// A child process puts N small objects into a Queue; the parent gets
// them. Prints messages per second.
const { Process, Queue } = require('multiprocessing');
const N = Number(sys.argv[1] || 200000);
function producer(q, n) {
  for (let i = 0; i < n; i++) q.put({ i, s: 'x', a: [1, 2] });
}
const q = new Queue();
const t0 = time.perf_counter();
const p = new Process({ target: producer, args: [q, N] });
p.start();
let last;
for (let i = 0; i < N; i++) last = q.get();
const dt = time.perf_counter() - t0;
p.join();
if (last.i !== N - 1) throw new Error('wrong last message');
print('RESULT', N / dt);
