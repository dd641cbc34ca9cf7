// forkjs's subprocess module, the part written in JS: the exceptions,
// CompletedProcess, the Popen constructor and the convenience functions
// (run, call, check_call, check_output, getoutput, getstatusoutput), which
// follow CPython's Lib/subprocess.py line by line. Popen's methods and
// everything that touches the OS are Go (bindings/subprocess), reached
// through `native`. Evaluated once per runtime; returns the exports.
(function (native, classes) {
  'use strict';
  const { Exception, ValueError } = classes;
  const PyTypeError = classes.TypeError;

  // Python's special values for stdin/stdout/stderr.
  const PIPE = -1;
  const STDOUT = -2;
  const DEVNULL = -3;

  const define = (cls, name) => {
    Object.defineProperty(cls, 'name', { value: name });
    Object.defineProperty(cls.prototype, 'name', {
      value: name, writable: true, configurable: true, enumerable: false,
    });
    return cls;
  };
  const hide = (obj, key, value) => Object.defineProperty(obj, key, {
    value, writable: true, configurable: true, enumerable: false,
  });
  const method = (cls, name, fn) => {
    Object.defineProperty(fn, 'name', { value: name });
    hide(cls.prototype, name, fn);
  };

  // Keyword arguments (SPEC rule 3): a trailing plain object.
  const isKwargs = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) &&
    (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  function splitKwargs(args) {
    const pos = Array.from(args);
    let kw = {};
    if (pos.length && isKwargs(pos[pos.length - 1])) kw = Object.assign({}, pos.pop());
    return [pos, kw];
  }
  function take(kw, name, def) {
    if (!(name in kw)) return def;
    const v = kw[name];
    delete kw[name];
    return v === undefined ? def : v;
  }
  function noMore(fn, kw) {
    for (const k of Object.keys(kw)) {
      throw new PyTypeError(`${fn}() got an unexpected keyword argument '${k}'`);
    }
  }

  // pyRepr(v): Python's repr() of the values subprocess puts in messages
  // (str, list, bytes, numbers, None, booleans).
  function strRepr(s) {
    const q = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = '';
    for (const ch of s) {
      const c = ch.codePointAt(0);
      if (ch === q || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0xad) out += '\\x' + c.toString(16).padStart(2, '0');
      else if (c >= 0xd800 && c <= 0xdfff) out += '\\u' + c.toString(16);
      else out += ch;
    }
    return q + out + q;
  }
  function pyRepr(v) {
    if (v === null || v === undefined) return 'None';
    if (v === true) return 'True';
    if (v === false) return 'False';
    if (typeof v === 'string') return strRepr(v);
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'nan';
      if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
      return String(v);
    }
    if (v instanceof Bytes) return v.toString();
    if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
    return String(v);
  }
  // pyStr(v): Python's str(), as "%s" formats a command.
  const pyStr = (v) => (typeof v === 'string' ? v : pyRepr(v));

  // SubprocessError: the base class of the module's exceptions.
  class SubprocessError extends Exception {}
  define(SubprocessError, 'SubprocessError');

  function calledMessage(returncode, cmd) {
    if (returncode && returncode < 0) {
      const name = native.signalName(-returncode);
      if (name) return `Command '${pyStr(cmd)}' died with <Signals.${name}: ${-returncode}>.`;
      return `Command '${pyStr(cmd)}' died with unknown signal ${-returncode}.`;
    }
    return `Command '${pyStr(cmd)}' returned non-zero exit status ${returncode}.`;
  }

  // CalledProcessError(returncode, cmd, output = null, stderr = null):
  // raised by check_call, check_output and run({check: true}) for a non-zero
  // return code. `stdout` is an alias of `output`; both are what the child
  // wrote (Bytes, or a string in text mode), or null if not captured.
  class CalledProcessError extends SubprocessError {
    constructor(...a) {
      const [pos, kw] = splitKwargs(a);
      const [returncode, cmd] = pos;
      const output = pos.length > 2 ? pos[2] : take(kw, 'output', null);
      const stderr = pos.length > 3 ? pos[3] : take(kw, 'stderr', null);
      noMore('CalledProcessError.__init__', kw);
      super(calledMessage(returncode, cmd));
      hide(this, 'args', pos);
      this.returncode = returncode;
      this.cmd = cmd;
      this.output = output;
      this.stderr = stderr;
    }
    get stdout() { return this.output; }
    set stdout(v) { this.output = v; }
  }
  define(CalledProcessError, 'CalledProcessError');

  // TimeoutExpired(cmd, timeout, output = null, stderr = null): raised when
  // a timeout (seconds) passes. output/stdout and stderr are the Bytes read
  // so far (always Bytes, even in text mode, as in Python), or null.
  class TimeoutExpired extends SubprocessError {
    constructor(...a) {
      const [pos, kw] = splitKwargs(a);
      const [cmd, timeout] = pos;
      const output = pos.length > 2 ? pos[2] : take(kw, 'output', null);
      const stderr = pos.length > 3 ? pos[3] : take(kw, 'stderr', null);
      noMore('TimeoutExpired.__init__', kw);
      super(`Command '${pyStr(cmd)}' timed out after ${pyRepr(timeout)} seconds`);
      hide(this, 'args', pos);
      this.cmd = cmd;
      this.timeout = timeout;
      this.output = output;
      this.stderr = stderr;
    }
    get stdout() { return this.output; }
    set stdout(v) { this.output = v; }
  }
  define(TimeoutExpired, 'TimeoutExpired');

  // CompletedProcess(args, returncode, stdout = null, stderr = null): what
  // run() returns. Works with and without `new`.
  function CompletedProcess(...a) {
    if (!new.target) return new CompletedProcess(...a);
    const [pos, kw] = splitKwargs(a);
    const [args, returncode] = pos;
    this.args = args;
    this.returncode = returncode;
    this.stdout = pos.length > 2 ? pos[2] : take(kw, 'stdout', null);
    this.stderr = pos.length > 3 ? pos[3] : take(kw, 'stderr', null);
    noMore('CompletedProcess.__init__', kw);
  }
  // check_returncode(): raises CalledProcessError if returncode is not 0.
  method(CompletedProcess, 'check_returncode', function check_returncode() {
    if (this.returncode) throw new CalledProcessError(this.returncode, this.args, this.stdout, this.stderr);
  });
  // toString(): Python's repr, CompletedProcess(args=[...], returncode=0, ...).
  method(CompletedProcess, 'toString', function toString() {
    const parts = [`args=${pyRepr(this.args)}`, `returncode=${pyRepr(this.returncode)}`];
    if (this.stdout !== null && this.stdout !== undefined) parts.push(`stdout=${pyRepr(this.stdout)}`);
    if (this.stderr !== null && this.stderr !== undefined) parts.push(`stderr=${pyRepr(this.stderr)}`);
    return `${this.constructor.name || 'CompletedProcess'}(${parts.join(', ')})`;
  });

  // Popen(args, {stdin, stdout, stderr, cwd, env, shell, text, encoding,
  // errors, universal_newlines, start_new_session, process_group, pass_fds,
  // close_fds, executable, bufsize, umask, pipesize}): starts a child, as
  // Python's subprocess.Popen. Works with and without `new`. The methods
  // (communicate, wait, poll, send_signal, terminate, kill) and the stdin,
  // stdout and stderr file objects come from Go.
  function Popen(...a) {
    if (!new.target) return new Popen(...a);
    native.popenInit(this, a);
  }
  // toString(): Python's repr, <Popen: returncode: None args: [...]>.
  method(Popen, 'toString', function toString() {
    let s = `<${this.constructor.name || 'Popen'}: returncode: ${pyRepr(this.returncode)} args: ${pyRepr(this.args)}>`;
    if (s.length > 80) s = s.slice(0, 76) + '...>';
    return s;
  });

  // run(args, {input, capture_output, timeout, check, ...Popen options})
  // -> CompletedProcess, and call(args, {timeout, ...}) -> return code: in
  // Go (they are the hot path), see bindings/subprocess/run.go.
  const run = native.run;
  const call = native.call;

  // check_call(args, {...}) -> 0: call(), raising CalledProcessError for a
  // non-zero return code.
  function check_call(...a) {
    const rc = call(...a);
    if (rc) {
      const [pos, kw] = splitKwargs(a);
      let cmd = kw.args;
      if (cmd === undefined || cmd === null) cmd = pos[0];
      throw new CalledProcessError(rc, cmd);
    }
    return 0;
  }

  // check_output(args, {input, timeout, ...}) -> the child's stdout (Bytes,
  // or a string in text mode); CalledProcessError (with output and stderr)
  // for a non-zero return code. ValueError for stdout or check options.
  function check_output(...a) {
    const [pos, kw] = splitKwargs(a);
    for (const k of ['stdout', 'check']) {
      if (k in kw) throw new ValueError(`${k} argument not allowed, it will be overridden.`);
    }
    if ('input' in kw && (kw.input === null || kw.input === undefined)) kw.input = '';
    kw.stdout = PIPE;
    kw.check = true;
    return run(...pos, kw).stdout;
  }

  // getstatusoutput(cmd, {encoding, errors}) -> [exitcode, output]: runs cmd
  // through the shell with stderr merged into stdout; one trailing newline
  // is removed, as Python's subprocess.getstatusoutput.
  function getstatusoutput(cmd, ...rest) {
    const [, kw] = splitKwargs(rest);
    const encoding = take(kw, 'encoding', null);
    const errors = take(kw, 'errors', null);
    noMore('getstatusoutput', kw);
    let data, exitcode;
    try {
      data = check_output(cmd, { shell: true, text: true, stderr: STDOUT, encoding, errors });
      exitcode = 0;
    } catch (e) {
      if (!(e instanceof CalledProcessError)) throw e;
      data = e.output;
      exitcode = e.returncode;
    }
    if (data.endsWith('\n')) data = data.slice(0, -1);
    return [exitcode, data];
  }

  // getoutput(cmd, {encoding, errors}) -> output: getstatusoutput's output.
  function getoutput(cmd, ...rest) {
    return getstatusoutput(cmd, ...rest)[1];
  }

  // translateNewlines(s): universal newlines, as Popen's text mode reads.
  const translateNewlines = (s) => (s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n'));

  return {
    exports: {
      PIPE, STDOUT, DEVNULL,
      SubprocessError, CalledProcessError, TimeoutExpired,
      CompletedProcess, Popen,
      run, call, check_call, check_output, getstatusoutput, getoutput,
    },
    translateNewlines,
  };
})
