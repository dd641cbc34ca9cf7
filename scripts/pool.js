// multiprocessing.Pool (multiprocessing notes, section 2b): Pool(4) runs
// five tasks with apply_async, at most four at a time; close() and join()
// wait for all of them.
//
// The Python original:
//
//   from multiprocessing import Pool
//   import os, time, random
//
//   def long_time_task(name):
//       print('Run task %s (%s)...' % (name, os.getpid()))
//       start = time.time()
//       time.sleep(random.random() * 3)
//       end = time.time()
//       print('Task %s runs %0.2f seconds.' % (name, (end - start)))
//
//   if __name__ == '__main__':
//       print('Parent process %s.' % os.getpid())
//       p = Pool(4)
//       for i in range(5):
//           p.apply_async(long_time_task, args=(i,))
//       print('Waiting for all subprocesses done...')
//       p.close()
//       p.join()
//       print('All subprocesses done.')
const { Pool } = require('multiprocessing');
const os = require('os');
const time = require('time');

// A task a worker runs: named at top level, so that the pool can send it
// by name (Python's pickling rule).
function long_time_task(name) {
  print(`Run task ${name} (${os.getpid()})...`);
  const start = time.time();
  time.sleep(Math.random() * 3);
  const end = time.time();
  print(`Task ${name} runs ${(end - start).toFixed(2)} seconds.`);
}

print(`Parent process ${os.getpid()}.`);
const p = Pool(4);
for (let i = 0; i < 5; i++) {
  p.apply_async(long_time_task, [i]);
}
print('Waiting for all subprocesses done...');
p.close();
p.join();
print('All subprocesses done.');
