// N x Pool(2).apply_async + get; prints tasks per second.
const { Pool } = require('multiprocessing');
function square(x) { return x * x; }
const N = Number(sys.argv[1] || 100000);
const pool = Pool(2);
const t0 = time.perf_counter();
const results = [];
for (let i = 0; i < N; i++) results.push(pool.apply_async(square, [i]));
let sum = 0;
for (const r of results) sum += r.get();
const dt = time.perf_counter() - t0;
pool.close(); pool.join();
print('RESULT', N / dt);
