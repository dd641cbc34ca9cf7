// Node has no fork(): a spawned child process writes 1 GiB in 64 KiB
// chunks to its stdout pipe; the parent reads it. MB/s.
const { spawn } = require('child_process');
const TOTAL = Number(process.argv[2] || 1024) * 1024 * 1024, CHUNK = 64 * 1024;
if (process.argv[3] === 'child') {
  const fs = require('fs');
  const buf = Buffer.alloc(CHUNK);
  for (let sent = 0; sent < TOTAL; sent += CHUNK) fs.writeSync(1, buf);
  process.exit(0);
}
const t0 = process.hrtime.bigint();
const child = spawn(process.execPath, [__filename, process.argv[2] || '1024', 'child'], { stdio: ['ignore', 'pipe', 'inherit'] });
let got = 0;
child.stdout.on('data', (d) => { got += d.length; });
child.on('close', () => {
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (got !== TOTAL) throw new Error('got ' + got);
  console.log('RESULT', TOTAL / dt / 1e6);
});
