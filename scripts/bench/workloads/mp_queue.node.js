// Node's nearest equivalent: a child_process.fork child sends N small
// objects over the IPC channel. Prints messages per second.
const { fork } = require('child_process');
const N = Number(process.argv[2] || 200000);
if (process.argv[3] === 'child') {
  let i = 0;
  const next = () => {
    while (i < N) {
      const ok = process.send({ i, s: 'x', a: [1, 2] });
      i++;
      if (!ok) return setImmediate(next);
    }
    // The parent disconnects once it has every message: a disconnect here
    // could drop messages still queued in the channel.
  };
  next();
} else {
  const t0 = process.hrtime.bigint();
  const c = fork(__filename, [String(N), 'child']);
  let got = 0;
  c.on('message', () => {
    got++;
    if (got === N) {
      const dt = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log('RESULT', N / dt);
      c.disconnect();
    }
  });
}
