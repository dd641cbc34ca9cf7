# fork + waitpid of a child that exits at once; prints ms per fork.
import os, sys, time
N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
t0 = time.perf_counter()
for i in range(N):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
print('RESULT', (time.perf_counter() - t0) / N * 1000)
