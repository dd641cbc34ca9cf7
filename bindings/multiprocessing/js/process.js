// multiprocessing.Process and the process functions (current_process,
// parent_process, active_children, cpu_count), as Python's
// multiprocessing/process.py with the fork start method.
(function (native, internal, exports) {
  'use strict';
  const { C, bind, hide } = internal;
  const os = native.os;
  const SIGTERM = 15, SIGKILL = 9;

  let counter = 0;            // Python's _process_counter
  let children = new Set();   // started here and not known to have ended
  let current = null;         // current_process()
  let parent = null;          // parent_process()

  const signames = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM' };

  // Process(group=null, target=null, name=null, args=[], kwargs={},
  // {daemon}): a process that runs target(...args, kwargs) (or the run()
  // method of a subclass) when started. Callable with or without new, and
  // subclassable (class Worker extends Process { run() {...} }).
  function Process(...argv) {
    // (new.target is not used: goja leaks it into plain calls made inside
    // a constructor)
    if (!(this instanceof Process)) return new Process(...argv);
    const a = bind('Process', argv, 0, ['group', 'target', 'name', 'args', 'kwargs'], ['daemon']);
    if (a.group !== undefined && a.group !== null) {
      throw new C.AssertionError('group argument must be None for now');
    }
    if (a.target !== undefined && a.target !== null) internal.callable(a.target, 'Process', 'target');
    if (a.name !== undefined && a.name !== null && typeof a.name !== 'string') {
      throw new C.TypeError('name must be a string');
    }
    if (a.args !== undefined && a.args !== null && (typeof a.args === 'string' || typeof a.args[Symbol.iterator] !== 'function')) {
      throw new C.TypeError(`Process(): args must be an array, not ${typeof a.args}`);
    }
    if (a.kwargs !== undefined && a.kwargs !== null && !internal.isOptions(a.kwargs)) {
      throw new C.TypeError(`Process(): kwargs must be a plain object, not ${typeof a.kwargs}`);
    }
    const count = ++counter;
    const identity = current._identity.concat([count]);
    const cls = this.constructor.name || 'Process';
    hide(this, {
      _identity: identity,
      _target: a.target === undefined ? null : a.target,
      _args: a.args === undefined || a.args === null ? [] : Array.from(a.args),
      _kwargs: a.kwargs === undefined || a.kwargs === null ? {} : a.kwargs,
      _name: a.name != null ? a.name : cls + '-' + identity.join(':'),
      _daemonic: a.daemon != null ? !!a.daemon : current._daemonic,
      _parent_pid: os.getpid(),
      _parent_name: current._name,
      _gen: native.gen(),
      _pid: null,
      _started: false,
      _exitcode: null,
      _closed: false,
    });
  }
  internal.Process = Process;

  // A property with Python's name, defined on the prototype.
  const prop = (name, get, set) => Object.defineProperty(Process.prototype, name, { get, set, configurable: true });

  Object.assign(Process.prototype, {
    // run(): calls target(...args) (with kwargs as a trailing options
    // object when it has keys). Override it in a subclass.
    run() {
      if (this._target) {
        const kw = this._kwargs && Object.keys(this._kwargs).length ? [this._kwargs] : [];
        this._target(...this._args, ...kw);
      }
    },
    // start(): forks; the child runs run() and exits (0, or 1 with the
    // error printed after a "Process NAME:" line); it never returns here.
    // AssertionError if started twice, from another process, or by a
    // daemonic process.
    start() {
      this._check_closed();
      if (this._started) throw new C.AssertionError('cannot start a process twice');
      if (this._gen !== native.gen()) {
        throw new C.AssertionError('can only start a process object created by current process');
      }
      if (current._daemonic) throw new C.AssertionError('daemonic processes are not allowed to have children');
      cleanup();
      const pid = os.fork();
      if (pid === 0) this._bootstrap();
      this._pid = pid;
      this._started = true;
      children.add(this);
    },
    // join(timeout=null): waits for the process to end, at most timeout
    // seconds. AssertionError for a process not started or not a child.
    join(...argv) {
      const a = bind('join', argv, 0, ['timeout']);
      this._check_closed();
      if (this === current || this._gen !== native.gen()) throw new C.AssertionError('can only join a child process');
      if (!this._started) throw new C.AssertionError('can only join a started process');
      const t = internal.timeout(a.timeout, 'join');
      if (this._exitcode === null) this._wait(t);
      if (this._exitcode !== null) children.delete(this);
    },
    // _wait(timeout): waits for the child to end (sets _exitcode).
    _wait(t) {
      const code = native.proc_wait(this._pid, t);
      if (code !== null) this._exitcode = code;
    },
    // is_alive(): whether the process has started and not ended.
    is_alive() {
      this._check_closed();
      if (this === current) return true;
      if (this._gen !== native.gen()) throw new C.AssertionError('can only test a child process');
      if (!this._started) return false;
      if (this._poll() === null) return true;
      children.delete(this);
      return false;
    },
    // terminate(): SIGTERM; kill(): SIGKILL. Nothing if it already ended.
    terminate() { this._signal(SIGTERM); },
    kill() { this._signal(SIGKILL); },
    // close(): releases the process object; ValueError while it runs.
    close() {
      if (this._closed) return;
      if (this._started && this._poll() === null) {
        throw new C.ValueError('Cannot close a process while it is still running. You should first call join() or terminate().');
      }
      children.delete(this);
      this._closed = true;
    },
    toString() {
      let status;
      let code = null;
      if (this._closed) status = 'closed';
      else if (!this._started) status = this === current ? 'started' : 'initial';
      else {
        code = this._poll();
        status = code === null ? 'started' : 'stopped';
      }
      const info = [this.constructor.name || 'Process', `name='${this._name}'`];
      const pid = this === current ? os.getpid() : this._pid;
      if (pid !== null) info.push(`pid=${pid}`);
      info.push(`parent=${this._parent_pid}`, status);
      if (code !== null) info.push('exitcode=' + (code < 0 && signames[-code] ? '-' + signames[-code] : code));
      if (this._daemonic) info.push('daemon');
      return '<' + info.join(' ') + '>';
    },
    _check_closed() {
      if (this._closed) throw new C.ValueError('process object is closed');
    },
    _poll() {
      if (this._exitcode === null && this._started) {
        const code = native.proc_poll(this._pid);
        if (code !== null) this._exitcode = code;
      }
      return this._exitcode;
    },
    _signal(sig) {
      this._check_closed();
      if (!this._started) throw new C.AssertionError('can only signal a started process');
      if (this._gen !== native.gen()) throw new C.AssertionError('can only signal a child process');
      if (this._exitcode === null) native.proc_kill(this._pid, sig);
    },
    // _bootstrap runs in the child: it never returns.
    _bootstrap() {
      counter = 0;
      children = new Set();
      parent = new ParentProcess(this._parent_name, this._parent_pid);
      current = this;
      internal.inChild();
      let code = 0;
      try {
        this.run();
      } catch (e) {
        code = internal.childExitCode(e, this._name);
      }
      native.exit(code);
    },
  });

  // childExitCode returns a child's exit status for what its body threw,
  // printing it as Python's Process._bootstrap does.
  internal.childExitCode = function (e, name) {
    if (e instanceof C.SystemExit) {
      const c = e.code;
      if (c === null || c === undefined) return 0;
      if (typeof c === 'number' && Number.isInteger(c)) return c & 0xff;
      if (typeof c === 'boolean') return c ? 1 : 0;
      writeErr(String(c) + '\n');
      return 1;
    }
    writeErr(`Process ${name}:\n` + native.format_exception(e) + '\n');
    return 1;
  };
  function writeErr(s) {
    const err = native.sys.stderr;
    try {
      err.write(s);
      err.flush();
    } catch (e) { /* stderr closed: nothing to say it on */ }
  }
  internal.writeErr = writeErr;

  prop('name', function () { return this._name; }, function (v) {
    if (typeof v !== 'string') throw new C.TypeError('name must be a string');
    this._name = v;
  });
  prop('daemon', function () { return this._daemonic; }, function (v) {
    if (this._started) throw new C.AssertionError('process has already started');
    this._daemonic = !!v;
  });
  prop('pid', function () {
    this._check_closed();
    return this === current ? os.getpid() : this._pid;
  });
  prop('ident', function () { return this.pid; });
  prop('exitcode', function () {
    this._check_closed();
    return this._started ? this._poll() : null;
  });
  prop('_popen', function () { return this._started ? { pid: this._pid } : null; });

  // The main process: current_process() outside any child.
  function mainProcess() {
    const p = Object.create(Process.prototype);
    hide(p, {
      _identity: [], _target: null, _args: [], _kwargs: {}, _name: 'MainProcess', _daemonic: false,
      _parent_pid: null, _parent_name: null, _gen: native.gen(), _pid: null, _started: false,
      _exitcode: null, _closed: false,
    });
    return p;
  }
  current = mainProcess();

  // ParentProcess: parent_process() in a child: name, pid, is_alive(),
  // join(timeout).
  function ParentProcess(name, pid) {
    hide(this, { _name: name, _pid: pid });
  }
  Object.assign(ParentProcess.prototype, {
    is_alive() { return native.proc_alive(this._pid); },
    join(timeout) { native.proc_wait_other(this._pid, internal.timeout(timeout, 'join')); },
    toString() { return `<_ParentProcess name='${this._name}' parent=${this._pid} unknown>`; },
  });
  Object.defineProperty(ParentProcess.prototype, 'name', { get() { return this._name; } });
  Object.defineProperty(ParentProcess.prototype, 'pid', { get() { return this._pid; } });
  Object.defineProperty(ParentProcess.prototype, 'ident', { get() { return this._pid; } });
  Object.defineProperty(ParentProcess.prototype, 'daemon', { get() { return false; } });

  // cleanup forgets children that have ended (Python's _cleanup).
  function cleanup() {
    for (const p of [...children]) {
      if (p._poll() !== null) children.delete(p);
    }
  }

  // internal.addPoolWorker(name, identity, pid, wait) -> the Process
  // object of a pool worker, listed by active_children() as Python lists
  // its ForkPoolWorker processes. The pool reaps its workers itself, so
  // the object learns the exit code from the pool (workerEnded) and its
  // join(timeout) waits through the pool (wait(timeout) -> ended).
  internal.addPoolWorker = function (name, identity, pid, wait) {
    const w = Object.create(Process.prototype);
    hide(w, {
      _identity: identity, _target: null, _args: [], _kwargs: {}, _name: name, _daemonic: true,
      _parent_pid: os.getpid(), _parent_name: current._name, _gen: native.gen(),
      _pid: pid, _started: true, _exitcode: null, _closed: false,
      _poll() { return this._exitcode; },
      _wait(t) { wait(t); },
    });
    children.add(w);
    return w;
  };
  // internal.workerEnded(w, code): a pool worker's exit code.
  internal.workerEnded = function (w, code) {
    w._exitcode = code;
    children.delete(w);
  };

  // Hooks for the other files.
  internal.current = () => current;
  internal.setCurrent = (p) => { current = p; };
  internal.setParent = (p) => { parent = p; };
  internal.ParentProcess = ParentProcess;
  internal.nextCount = () => ++counter;
  internal.resetChildState = () => { counter = 0; children = new Set(); };
  internal.inChildHooks = [];
  internal.inChild = () => { for (const h of internal.inChildHooks) h(); };
  internal.afterForkHooks = [];
  internal.afterFork = function () {
    // Any fork: this process's children are not the new process's.
    children = new Set();
    for (const h of internal.afterForkHooks) h();
  };

  // exitFunction runs when this process ends (script end, sys.exit, a
  // Process child after run(), a pool worker), as Python's
  // multiprocessing.util._exit_function: pools terminated, daemonic
  // children terminated, every child joined, then queue feeders flushed.
  internal.exitHooks = [];
  internal.exitFunction = function () {
    for (const h of internal.exitHooks) h();
    for (const p of active_children()) if (p._daemonic) p.terminate();
    for (const p of active_children()) p.join();
    native.queues_at_exit();
  };

  // current_process(): the Process object of this process.
  function current_process() { return current; }
  // parent_process(): the parent's process object in a child, else null.
  function parent_process() { return parent; }
  // active_children(): children started here that have not ended (and
  // joins the ones that have, as Python does).
  function active_children() {
    cleanup();
    return [...children];
  }
  // cpu_count(): the number of CPUs this process may use.
  function cpu_count() { return os.cpu_count(); }

  Object.assign(exports, { Process, current_process, parent_process, active_children, cpu_count });
});
