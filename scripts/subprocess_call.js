// Running an external program directly (multiprocessing notes, section
// 2c): subprocess.call runs the command as the shell would, with the
// script's own stdin/stdout/stderr, waits for it and returns its exit code.
// The notes run `nslookup www.python.org`; these machines have no network,
// so a local command stands in for it.
const subprocess = require('subprocess');

print('$ uname -s');
const r = subprocess.call(['uname', '-s']);
print('Exit code:', r);

// The same through run(), capturing the output instead.
const done = subprocess.run(['uname', '-s'], { capture_output: true, text: true });
print('captured:', JSON.stringify(done.stdout), 'returncode:', done.returncode);

// A failing command: call() returns its status, check_call() raises.
print('$ ls /no/such/dir');
print('Exit code:', subprocess.call(['ls', '/no/such/dir'], { stderr: subprocess.DEVNULL }));
try {
  subprocess.check_call(['ls', '/no/such/dir'], { stderr: subprocess.DEVNULL });
} catch (e) {
  print(`${e.name}: ${e.message}`);
}
