// Node has no fork(); child_process.fork starts a new Node process running
// a module (here: one that exits at once). Prints ms per fork.
const { fork } = require('child_process');
const N = Number(process.argv[2] || 20);
if (process.argv[2] === 'child') process.exit(0);
async function main() {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    await new Promise((resolve) => fork(__filename, ['child']).on('exit', resolve));
  }
  console.log('RESULT', Number(process.hrtime.bigint() - t0) / 1e6 / N);
}
main();
