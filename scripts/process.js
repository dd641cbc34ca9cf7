// multiprocessing.Process (multiprocessing notes, section 2a): a process
// with a target and arguments is started and joined; another one, which
// loops forever, is terminated (notes 2.3: p.terminate()).
//
// The Python original:
//
//   from multiprocessing import Process, Event
//   import os, time
//
//   def run_proc(name):
//       print('Run child process %s (%s)...' % (name, os.getpid()))
//
//   def loop_forever(name, started):
//       print('Run child process %s (%s), looping until terminated...' % (name, os.getpid()), flush=True)
//       started.set()
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
//       started = Event()
//       p = Process(target=loop_forever, args=('forever', started))
//       p.start()
//       started.wait()
//       p.terminate()
//       p.join()
//       print('Child process terminated, exitcode %s.' % p.exitcode)
const { Process, Event } = require('multiprocessing');
const os = require('os');
const sys = require('sys');
const time = require('time');

// the code the child process runs
function run_proc(name) {
  print(`Run child process ${name} (${os.getpid()})...`);
}

function loop_forever(name, started) {
  print(`Run child process ${name} (${os.getpid()}), looping until terminated...`);
  sys.stdout.flush(); // it will be killed: print now
  started.set();
  for (;;) time.sleep(0.1);
}

print(`Parent process ${os.getpid()}.`);
let p = Process({ target: run_proc, args: ['test'] });
print('Child process will start.');
p.start();
p.join();
print('Child process end.');
const started = Event();
p = Process({ target: loop_forever, args: ['forever', started] });
p.start();
started.wait(); // until it runs: a loaded machine may take a while
p.terminate();
p.join();
print(`Child process terminated, exitcode ${p.exitcode}.`);
