// 64 MiB through cat with Popen.communicate; prints MB/s.
const MB = Number(sys.argv[1] || 64);
const data = new Bytes(MB * 1024 * 1024);
const t0 = time.perf_counter();
const p = subprocess.Popen(['cat'], { stdin: subprocess.PIPE, stdout: subprocess.PIPE });
const [out] = p.communicate(data);
const dt = time.perf_counter() - t0;
if (out.length !== data.length) throw new Error('short output ' + out.length);
print('RESULT', data.length / dt / 1e6);
