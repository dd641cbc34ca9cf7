// Four children, forked in a loop, each compute something from their index
// and report through one shared pipe; the parent collects the reports and
// reaps every child.
const os = require('os');

const [r, w] = os.pipe();
const pids = [];
for (let i = 0; i < 4; i++) {
  const pid = os.fork();
  if (pid === 0) {
    // child: sum of squares up to 10^(i+2), reported on one line
    os.close(r);
    let sum = 0;
    for (let k = 1; k <= 10 ** (i + 2); k++) sum += k * k;
    os.write(w, `${i} ${os.getpid()} ${sum}\n`);
    os._exit(0);
  }
  pids.push(pid);
}
os.close(w); // the children hold the only write ends now

const reader = os.fdopen(r);
const results = [];
for (const line of reader) {
  const [i, pid, sum] = line.trim().split(' ');
  results[Number(i)] = { pid: Number(pid), sum: Number(sum) };
}
for (const pid of pids) {
  const [, status] = os.waitpid(pid, 0);
  if (os.waitstatus_to_exitcode(status) !== 0) throw new Error(`child ${pid} failed`);
}
results.forEach(({ pid, sum }, i) => {
  print(`child ${i} (${pids[i] === pid ? 'pid ok' : 'pid mismatch'}): sum of squares to 10^${i + 2} = ${sum}`);
});
print(`reaped ${pids.length} children`);
