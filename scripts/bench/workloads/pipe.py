# A forked child writes 1 GiB in 64 KiB chunks through os.pipe. MB/s.
import os, sys, time
TOTAL = int(sys.argv[1] if len(sys.argv) > 1 else 1024) * 1024 * 1024
CHUNK = 64 * 1024
r, w = os.pipe()
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(r)
    buf = bytes(CHUNK)
    sent = 0
    while sent < TOTAL:
        sent += os.write(w, buf)
    os._exit(0)
os.close(w)
got = 0
while True:
    b = os.read(r, CHUNK)
    if not b:
        break
    got += len(b)
dt = time.perf_counter() - t0
os.waitpid(pid, 0)
assert got == TOTAL, got
print('RESULT', TOTAL / dt / 1e6)
