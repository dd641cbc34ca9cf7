// 64 MiB through cat with spawn, writing stdin and reading stdout
// concurrently; prints MB/s.
const { spawn } = require('child_process');
const MB = Number(process.argv[2] || 64);
const data = Buffer.alloc(MB * 1024 * 1024);
const t0 = process.hrtime.bigint();
const p = spawn('cat', [], { stdio: ['pipe', 'pipe', 'inherit'] });
let got = 0;
p.stdout.on('data', (d) => { got += d.length; });
p.on('close', () => {
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (got !== data.length) throw new Error('short ' + got);
  console.log('RESULT', data.length / dt / 1e6);
});
p.stdin.end(data);
