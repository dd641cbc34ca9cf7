// N x Process(noop).start() + join(); prints ms per process.
const { Process } = require('multiprocessing');
function noop() {}
const N = Number(sys.argv[1] || 200);
const t0 = time.perf_counter();
for (let i = 0; i < N; i++) {
  const p = new Process({ target: noop });
  p.start();
  p.join();
}
print('RESULT', ((time.perf_counter() - t0) / N) * 1000);
