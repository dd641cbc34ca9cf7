# 64 MiB through cat with Popen.communicate; prints MB/s.
import subprocess, sys, time
MB = int(sys.argv[1]) if len(sys.argv) > 1 else 64
data = bytes(MB * 1024 * 1024)
t0 = time.perf_counter()
p = subprocess.Popen(['cat'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = p.communicate(data)
dt = time.perf_counter() - t0
assert len(out) == len(data)
print('RESULT', len(data) / dt / 1e6)
