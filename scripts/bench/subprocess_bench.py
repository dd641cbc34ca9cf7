# Python peer of subprocess_bench.js (same measurements, same output).
import subprocess, sys, time
spawns = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
mib = int(sys.argv[2]) if len(sys.argv) > 2 else 64
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
median = lambda xs: sorted(xs)[len(xs) // 2]
for _ in range(50):
    subprocess.run(['/bin/true'])
lat = []
for _ in range(spawns):
    t = time.perf_counter()
    subprocess.run(['/bin/true'])
    lat.append(time.perf_counter() - t)
print('spawn', '%.3f' % (median(lat) * 1e3), 'ms')
if mib > 0:
    data = bytes(mib << 20)
    tp = []
    for _ in range(reps):
        t = time.perf_counter()
        out = subprocess.run(['cat'], input=data, capture_output=True).stdout
        tp.append(mib / (time.perf_counter() - t))
        assert len(out) == len(data)
    print('communicate', '%.0f' % median(tp), 'MiB/s')
