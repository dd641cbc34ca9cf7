// multiprocessing.Queue between a writer and a reader process
// (multiprocessing notes, section 2: processes communicate through a
// multiprocessing.Queue). The reader loops forever and is terminated once
// the writer is done.
//
// The Python original:
//
//   from multiprocessing import Process, Queue
//   import os, time, random
//
//   # 写数据进程执行的代码:
//   def write(q):
//       print('Process to write: %s' % os.getpid(), flush=True)
//       for value in ['A', 'B', 'C']:
//           print('Put %s to queue...' % value, flush=True)
//           q.put(value)
//           time.sleep(random.random())
//
//   # 读数据进程执行的代码:
//   def read(q):
//       print('Process to read: %s' % os.getpid(), flush=True)
//       while True:
//           value = q.get(True)
//           print('Get %s from queue.' % value, flush=True)
//
//   if __name__ == '__main__':
//       # 父进程创建Queue，并传给各个子进程：
//       q = Queue()
//       pw = Process(target=write, args=(q,))
//       pr = Process(target=read, args=(q,))
//       pw.start()       # 启动子进程pw，写入
//       pr.start()       # 启动子进程pr，读取
//       pw.join()        # 等待pw结束
//       pr.terminate()   # pr进程里是死循环，无法等待其结束，只能强行终止
const { Process, Queue } = require('multiprocessing');
const os = require('os');
const sys = require('sys');
const time = require('time');

function say(s) {
  print(s);
  sys.stdout.flush(); // the reader is terminated: print at once
}

// the writer
function write(q) {
  say(`Process to write: ${os.getpid()}`);
  for (const value of ['A', 'B', 'C']) {
    say(`Put ${value} to queue...`);
    q.put(value);
    time.sleep(Math.random());
  }
}

// the reader
function read(q) {
  say(`Process to read: ${os.getpid()}`);
  for (;;) {
    const value = q.get(true);
    say(`Get ${value} from queue.`);
  }
}

// The parent makes the Queue and hands it to both children.
const q = Queue();
const pw = Process({ target: write, args: [q] });
const pr = Process({ target: read, args: [q] });
pw.start(); // the writer
pr.start(); // the reader
pw.join(); // wait for the writer
pr.terminate(); // the reader loops forever: stop it
pr.join();
