# Time from fork() to the child's first write, after WORK_MS of work.
import os, sys, time
work_ms = float(sys.argv[1]) if len(sys.argv) > 1 else 10
acc = 0
start = time.perf_counter()
while True:
    for i in range(20000):
        acc = (acc * 31 + i) % 1000003
    if (time.perf_counter() - start) * 1000 >= work_ms:
        break
r, w = os.pipe()
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.write(w, b'x')
    os._exit(0)
os.read(r, 1)
ttl = (time.perf_counter() - t0) * 1000
os.waitpid(pid, 0)
print('RESULT', ttl)
