// Benchmark: subprocess.run(['/bin/true']) latency and communicate()
// throughput through cat, printed as "name value unit" lines. Run it with
// scripts/bench/run.sh, which alternates it with the Python and Go peers.
// Usage: forkjs subprocess_bench.js [spawns] [mib] [reps]
const { run } = subprocess;
const spawns = Number(sys.argv[1] || 1000);
const mib = Number(sys.argv[2] || 64);
const reps = Number(sys.argv[3] || 5);
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];

for (let i = 0; i < 50; i++) run(['/bin/true']); // warm up
const lat = [];
for (let i = 0; i < spawns; i++) {
  const t = time.perf_counter();
  run(['/bin/true']);
  lat.push(time.perf_counter() - t);
}
print('spawn', (median(lat) * 1e3).toFixed(3), 'ms');

if (mib > 0) {
  const data = new Bytes(mib << 20);
  const tp = [];
  for (let i = 0; i < reps; i++) {
    const t = time.perf_counter();
    const out = run(['cat'], { input: data, capture_output: true }).stdout;
    tp.push(mib / (time.perf_counter() - t));
    if (out.length !== data.length) throw new Error('short output');
  }
  print('communicate', median(tp).toFixed(0), 'MiB/s');
}
