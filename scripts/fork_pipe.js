// The classic fork-and-pipe workflow (multiprocessing notes, section 1):
// the parent makes a pipe and forks; the child writes a message into the
// pipe and exits; the parent reads it, reaps the child and prints it.
const os = require('os');
const sys = require('sys');

let [r, w] = os.pipe();
const pid = os.fork();

let txt;
if (pid) { // parent
  os.close(w);
  r = os.fdopen(r);
  print('parent:reading');
  txt = r.read();
  os.waitpid(pid, 0);
} else { // child
  os.close(r);
  w = os.fdopen(w, 'w');
  print('child: writing');
  w.write("here's some text from the child");
  w.close();
  print('child: closing');
  sys.exit(0);
}

print('parent: got it: text= ', txt);
