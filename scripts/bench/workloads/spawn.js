// N x subprocess.run(['/bin/true']); prints ms per spawn.
const N = Number(sys.argv[1] || 500);
const t0 = time.perf_counter();
for (let i = 0; i < N; i++) subprocess.run(['/bin/true']);
print('RESULT', ((time.perf_counter() - t0) / N) * 1000);
