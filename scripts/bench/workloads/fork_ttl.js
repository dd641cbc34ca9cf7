// Time from fork() to the child's first write, after the parent did
// WORK_MS of JS work (which the child replays). Prints ms.
const workMs = Number(sys.argv[1] || 10);
let acc = 0;
const start = time.perf_counter();
for (;;) {
  for (let i = 0; i < 20000; i++) acc = (acc * 31 + i) % 1000003;
  if ((time.perf_counter() - start) * 1000 >= workMs) break;
}
const [r, w] = os.pipe();
const t0 = time.perf_counter();
const pid = os.fork();
if (pid === 0) { os.write(w, 'x'); os._exit(0); }
os.read(r, 1);
const ttl = (time.perf_counter() - t0) * 1000;
os.waitpid(pid, 0);
print('RESULT', ttl, acc > -1 ? '' : 'x');
