// A forked child writes 1 GiB in 64 KiB chunks through os.pipe; the parent
// reads it in 64 KiB reads. Prints MB/s.
const TOTAL = Number(sys.argv[1] || 1024) * 1024 * 1024, CHUNK = 64 * 1024;
const [r, w] = os.pipe();
const t0 = time.perf_counter();
const pid = os.fork();
if (pid === 0) {
  os.close(r);
  const buf = new Bytes(CHUNK);
  for (let sent = 0; sent < TOTAL; sent += CHUNK) os.write(w, buf);
  os._exit(0);
}
os.close(w);
let got = 0;
for (;;) {
  const b = os.read(r, CHUNK);
  if (b.length === 0) break;
  got += b.length;
}
const dt = time.perf_counter() - t0;
os.waitpid(pid, 0);
if (got !== TOTAL) throw new Error(`got ${got} bytes`);
print('RESULT', TOTAL / dt / 1e6);
