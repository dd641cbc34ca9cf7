// multiprocessing.Process (multiprocessing notes, section 2a): a process
// with a target and arguments is started and joined; another one, which
// loops forever, is terminated (notes 2.3: p.terminate()).
//
// The Python original:
//
//   from multiprocessing import Process
//   import os, time
//
//   def run_proc(name):
//       print('Run child process %s (%s)...' % (name, os.getpid()))
//
//   def loop_forever(name):
//       print('Run child process %s (%s), looping until terminated...' % (name, os.getpid()), flush=True)
//       while True:
//           time.sleep(0.1)
//
//   if __name__ == '__main__':
//       print('Parent process %s.' % os.getpid())
//       p = Process(target=run_proc, args=('test',))
//       print('Child process will start.')
//       p.start()
//       p.join()
//       print('Child process end.')
//       p = Process(target=loop_forever, args=('forever',))
//       p.start()
//       time.sleep(0.5)
//       p.terminate()
//       p.join()
//       print('Child process terminated, exitcode %s.' % p.exitcode)
const { Process } = require('multiprocessing');
const os = require('os');
const sys = require('sys');
const time = require('time');

// the code the child process runs
function run_proc(name) {
  print(`Run child process ${name} (${os.getpid()})...`);
}

function loop_forever(name) {
  print(`Run child process ${name} (${os.getpid()}), looping until terminated...`);
  sys.stdout.flush(); // it will be killed: print now
  for (;;) time.sleep(0.1);
}

print(`Parent process ${os.getpid()}.`);
let p = Process({ target: run_proc, args: ['test'] });
print('Child process will start.');
p.start();
p.join();
print('Child process end.');
p = Process({ target: loop_forever, args: ['forever'] });
p.start();
time.sleep(0.5);
p.terminate();
p.join();
print(`Child process terminated, exitcode ${p.exitcode}.`);
