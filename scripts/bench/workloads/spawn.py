# N x subprocess.run(['/bin/true']); prints ms per spawn.
import subprocess, sys, time
N = int(sys.argv[1]) if len(sys.argv) > 1 else 500
t0 = time.perf_counter()
for _ in range(N):
    subprocess.run(['/bin/true'])
print('RESULT', (time.perf_counter() - t0) / N * 1000)
