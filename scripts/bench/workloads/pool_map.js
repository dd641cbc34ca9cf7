// Pool(2).map of N trivial tasks; prints tasks per second.
const { Pool } = require('multiprocessing');
function square(x) { return x * x; }
const N = Number(sys.argv[1] || 1000000);
const items = Array.from({ length: N }, (_, i) => i);
const pool = Pool(2);
const t0 = time.perf_counter();
const out = pool.map(square, items);
const dt = time.perf_counter() - t0;
pool.close(); pool.join();
if (out.length !== N || out[N - 1] !== (N - 1) * (N - 1)) throw new Error('wrong result');
print('RESULT', N / dt);
