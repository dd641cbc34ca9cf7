// Talking to a program through its standard streams (multiprocessing
// notes, section 2c): Popen with stdin, stdout and stderr piped, fed a
// small command script through communicate(), and its output decoded.
// The notes drive `nslookup` and decode its (Windows, GBK) output; with no
// network here, `sh` reads the command script, and one of its commands
// writes GBK bytes (你好) for the decode step.
const subprocess = require('subprocess');

print('$ sh');
const p = subprocess.Popen(['sh'], {
  stdin: subprocess.PIPE,
  stdout: subprocess.PIPE,
  stderr: subprocess.PIPE,
});
const [output, err] = p.communicate(new Bytes('echo set q=mx\necho python.org\nprintf "\\304\\343\\272\\303\\n"\nexit\n'));
print(output.decode('gbk'));
print('stderr:', err);
print('Exit code:', p.returncode);

// The same exchange in text mode: encoding does the decoding, and a
// command that fails shows up on stderr and in the exit status.
const q = subprocess.Popen(['sh'], {
  stdin: subprocess.PIPE,
  stdout: subprocess.PIPE,
  stderr: subprocess.PIPE,
  encoding: 'gbk',
});
const [out2, err2] = q.communicate('printf "\\304\\343\\272\\303, %s\\n" world\nno-such-command\nexit 3\n');
print(JSON.stringify(out2), err2.includes('not found'), q.returncode);
