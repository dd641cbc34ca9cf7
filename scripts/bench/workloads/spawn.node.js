// N x spawnSync('/bin/true'); prints ms per spawn.
const { spawnSync } = require('child_process');
const N = Number(process.argv[2] || 500);
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) spawnSync('/bin/true');
console.log('RESULT', Number(process.hrtime.bigint() - t0) / 1e6 / N);
