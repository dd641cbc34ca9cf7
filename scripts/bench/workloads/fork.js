// fork + waitpid of a child that exits at once; prints ms per fork.
const N = Number(sys.argv[1] || 200);
const t0 = time.perf_counter();
for (let i = 0; i < N; i++) {
  const pid = os.fork();
  if (pid === 0) os._exit(0);
  os.waitpid(pid, 0);
}
print('RESULT', ((time.perf_counter() - t0) / N) * 1000);
