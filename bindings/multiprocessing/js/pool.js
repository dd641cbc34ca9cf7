// multiprocessing.Pool and AsyncResult, as Python's multiprocessing/pool.py
// with the fork start method: workers are forked when the pool is made,
// and a task names its function, which the worker looks up by that name in
// its own copy of the script (Python's pickling rule).
(function (native, internal, exports) {
  'use strict';
  const { C, bind, hide } = internal;
  const RUN = 0, CLOSE = 1, TERMINATE = 2;
  const TASK_APPLY = 0, TASK_MAP = 1, TASK_STARMAP = 2;
  const REPLY_OK = 0, REPLY_ERR = 1, REPLY_INIT_FAILED = 2, REPLY_READY = 3;
  const pools = new Map(); // id -> Pool made by this process
  const arrayMap = Array.prototype.map;

  // Functions cross to workers by name.
  const identRe = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  const reserved = new Set(('break case catch class const continue debugger default delete do else export extends ' +
    'false finally for function if import in instanceof new null return super switch this throw true try typeof ' +
    'var void while with yield let static enum await implements package protected interface private public ' +
    'arguments eval undefined NaN Infinity').split(' '));
  const getters = new Map();
  function lookupGlobal(name) {
    let g = getters.get(name);
    if (!g) {
      g = new Function('return ' + name + ';');
      getters.set(name, g);
    }
    return g();
  }
  const RULE = 'only a function that is a top-level named binding of the script (a function declaration, or a ' +
    'top-level const, let or var holding it) can be sent to a Pool, because each worker is a copy of this process ' +
    'made when the Pool was created and finds the function by that name, as Python pickles functions by name; ' +
    'arrow functions, closures and methods have no such name';

  function describe(fn) {
    const src = Function.prototype.toString.call(fn);
    const line = src.split('\n')[0];
    return line.length > 40 ? line.slice(0, 37) + '...' : line;
  }

  // functionName(fn, fname) -> the name fn is sent by; TypeError
  // explaining the rule for anything else.
  function functionName(fn, fname) {
    if (typeof fn !== 'function') {
      throw new C.TypeError(`${fname}(): func must be callable, not ${fn === null ? 'null' : typeof fn}`);
    }
    const name = fn.name;
    let why = null;
    if (!name) why = 'it has no name';
    else if (!identRe.test(name) || reserved.has(name)) why = `its name '${name}' is not a name the script can bind`;
    else {
      let bound;
      try {
        bound = lookupGlobal(name);
      } catch (e) {
        bound = undefined;
      }
      if (bound !== fn) why = `the script's top-level name '${name}' does not hold this function`;
    }
    if (why) throw new C.TypeError(`${fname}(): cannot send function ${describe(fn)} to a pool worker: ${why}; ${RULE}`);
    return name;
  }

  // resolve(name) -> the worker's own copy of the function.
  function resolve(name) {
    let f;
    try {
      f = lookupGlobal(name);
    } catch (e) {
      f = undefined;
    }
    if (typeof f !== 'function') {
      throw new C.AttributeError(`Can't get attribute '${name}' in the pool worker: the worker is a copy of the ` +
        `script made when the Pool was created, when '${name}' was not defined yet; define it before creating the Pool`);
    }
    return f;
  }

  function toArgs(v, fname) {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    if (typeof v === 'string' || typeof v[Symbol.iterator] !== 'function') {
      throw new C.TypeError(`${fname}(): args must be an array, not ${typeof v}`);
    }
    return Array.from(v);
  }
  function optCallable(f, fname, what) {
    if (f === undefined || f === null) return null;
    return internal.callable(f, fname, what);
  }

  // AsyncResult: the result of apply_async (and, as MapResult, of
  // map_async/starmap_async). A thenable: `await pool.apply_async(f, [x])`.
  // (State is in private fields: goja makes an object with a dozen
  // defineProperty'd fields in tens of microseconds, and a pool makes one
  // per task.)
  class AsyncResult {
    #pool; #callback; #errorCallback;
    #ready = false; #success = false; #value = undefined;
    #promise = null; #resolve = null; #reject = null;
    #first = 0; // the task id of chunk 0 (map's tasks have consecutive ids)
    constructor(pool, callback, errorCallback) {
      this.#pool = pool;
      this.#callback = callback;
      this.#errorCallback = errorCallback;
    }
    // ready(): whether the result has arrived (results due now are
    // delivered first).
    ready() {
      if (!this.#ready) native.pool_poll();
      return this.#ready;
    }
    // successful(): whether the task returned without throwing;
    // ValueError if not ready.
    successful() {
      if (!this.ready()) throw new C.ValueError(`${this} not ready`);
      return this.#success;
    }
    // wait(timeout=null): waits until ready, at most timeout seconds.
    // Callbacks of any pool that become due meanwhile run.
    wait(timeout) {
      if (internal.isOptions(timeout)) timeout = bind('wait', [timeout], 0, ['timeout']).timeout;
      this._wait(internal.timeout(timeout, 'wait'));
    }
    // get(timeout=null): the result, waiting at most timeout seconds
    // (multiprocessing.TimeoutError after that); what the task threw is
    // thrown here, with the worker's stack.
    get(timeout) {
      if (!this.#ready) {
        if (internal.isOptions(timeout)) timeout = bind('get', [timeout], 0, ['timeout']).timeout;
        this._wait(internal.timeout(timeout, 'get'));
        if (!this.#ready) throw new C.MPTimeoutError();
      }
      if (this.#success) return this.#value;
      throw this.#value;
    }
    // then(onFulfilled, onRejected): as a Promise's.
    then(onFulfilled, onRejected) {
      if (!this.#promise) {
        this.#promise = new Promise((res, rej) => { this.#resolve = res; this.#reject = rej; });
        if (this.#ready) this.#settle();
      }
      return this.#promise.then(onFulfilled, onRejected);
    }
    toString() { return `<${this.constructor.name} object>`; }
    _isReady() { return this.#ready; }
    _setFirst(tid) { this.#first = tid; }
    _index(tid) { return tid - this.#first; }
    _wait(timeout) {
      if (this.#ready) return;
      const deadline = timeout === null ? -1 : native.time.monotonic() + timeout;
      let seen = -1;
      while (!this.#ready) {
        const n = native.pool_wait(this.#pool._id, seen, deadline);
        if (n < 0) break;
        seen = n;
      }
    }
    #settle() {
      if (this.#success) this.#resolve(this.#value);
      else this.#reject(this.#value);
    }
    // _set completes the result: ready, then the callback, as Python's
    // ApplyResult._set.
    _set(success, value) {
      this.#ready = true;
      this.#success = success;
      this.#value = value;
      if (this.#promise) this.#settle();
      if (success && this.#callback) this.#callback(value);
      if (!success && this.#errorCallback) this.#errorCallback(value);
    }
    // _abandon fails the result without callbacks (the pool went away).
    _abandon(err) {
      if (!this.#ready) this._complete(false, err);
    }
    // _complete sets the result without running callbacks.
    _complete(success, value) {
      this.#ready = true;
      this.#success = success;
      this.#value = value;
      if (this.#promise) this.#settle();
    }
  }

  // MapResult: an AsyncResult gathering chunks; the first failing chunk
  // fails it.
  class MapResult extends AsyncResult {
    #chunks; #left;
    constructor(pool, nchunks, callback, errorCallback) {
      super(pool, callback, errorCallback);
      this.#chunks = new Array(nchunks);
      this.#left = nchunks;
      if (nchunks === 0) {
        // As Python's MapResult of nothing: ready, successful, no callback.
        this.#chunks = null;
        this._complete(true, []);
      }
    }
    _chunk(i, success, value) {
      if (this._isReady()) {
        if (success) native.forget([value]);
        return;
      }
      if (!success) {
        this.#forget();
        this._set(false, value);
        return;
      }
      this.#chunks[i] = value;
      if (--this.#left === 0) {
        const chunks = this.#chunks;
        this.#chunks = null;
        this._set(true, native.concat(chunks));
      }
    }
    _abandon(err) {
      this.#forget();
      super._abandon(err);
    }
    #forget() {
      if (this.#chunks) native.forget(this.#chunks.filter((c) => c !== undefined));
      this.#chunks = null;
    }
  }

  // IMapIterator: the iterator of imap (in order) and imap_unordered (as
  // results arrive). next(timeout) returns {value, done} like any JS
  // iterator; after timeout seconds without a result it raises
  // multiprocessing.TimeoutError. What a task threw is thrown by next().
  function IMapIterator(pool, nchunks, ordered) {
    hide(this, {
      _pool: pool, _nchunks: nchunks, _ordered: ordered, _arrived: new Map(), _order: [], _orderPos: 0, _first: 0,
      _next: 0, _taken: 0, _buf: null, _pos: 0,
    });
  }
  Object.assign(IMapIterator.prototype, {
    next(timeout) {
      const t = internal.timeout(timeout, 'next');
      const deadline = t === null ? -1 : native.time.monotonic() + t;
      let seen = -1;
      for (;;) {
        if (this._buf && this._pos < this._buf.length) return { value: this._buf[this._pos++], done: false };
        this._buf = null;
        if (this._taken === this._nchunks) return { value: undefined, done: true };
        const key = this._ordered ? this._next : this._order[this._orderPos];
        const entry = key === undefined ? undefined : this._arrived.get(key);
        if (entry) {
          this._arrived.delete(key);
          if (this._ordered) this._next++;
          else this._orderPos++;
          this._taken++;
          if (!entry[0]) throw entry[1];
          this._buf = entry[1];
          this._pos = 0;
          continue;
        }
        const n = native.pool_wait(this._pool._id, seen, deadline);
        if (n < 0) throw new C.MPTimeoutError();
        seen = n;
      }
    },
    [Symbol.iterator]() { return this; },
    toString() { return '<IMapIterator object>'; },
    _setFirst(tid) { this._first = tid; },
    _index(tid) { return tid - this._first; },
    _chunk(i, success, value) {
      this._arrived.set(i, [success, value]);
      this._order.push(i);
    },
    _abandon(err) {
      for (let i = 0; i < this._nchunks; i++) {
        if (!this._arrived.has(i)) {
          this._arrived.set(i, [false, err]);
          this._order.push(i);
        }
      }
    },
  });

  // Pool(processes=cpu_count(), {initializer, initargs, maxtasksperchild}):
  // forks the workers now. initializer(...initargs) runs first in each
  // worker (it may be any function: the worker is a copy of this
  // process); a worker exits after maxtasksperchild tasks and is
  // replaced.
  function Pool(...argv) {
    if (!(this instanceof Pool)) return new Pool(...argv);
    const a = bind('Pool', argv, 0, ['processes', 'initializer', 'initargs', 'maxtasksperchild'], ['context']);
    let n = a.processes;
    if (n === undefined || n === null) n = native.os.cpu_count() || 1;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new C.TypeError('Pool(): processes must be an integer');
    if (n < 1) throw new C.ValueError('Number of processes must be at least 1');
    if (a.initializer !== undefined && a.initializer !== null && typeof a.initializer !== 'function') {
      throw new C.TypeError('initializer must be a callable');
    }
    const mt = a.maxtasksperchild === undefined ? null : a.maxtasksperchild;
    if (mt !== null && (typeof mt !== 'number' || !Number.isInteger(mt) || mt < 1)) {
      throw new C.ValueError('maxtasksperchild must be a positive int or None');
    }
    if (internal.current()._daemonic) throw new C.AssertionError('daemonic processes are not allowed to have children');
    hide(this, {
      _id: native.pool_new(mt || 0),
      _processes: n,
      _initializer: a.initializer || null,
      _initargs: toArgs(a.initargs, 'Pool'),
      _state: RUN,
      _results: new Map(), // tid -> AsyncResult or IMapIterator
      _joined: false,
      _workers: new Map(), // name -> the worker's Process object
    });
    pools.set(this._id, this);
    for (let i = 0; i < n; i++) this._spawn();
  }

  Object.assign(Pool.prototype, {
    // apply(func, args=[], kwds={}): apply_async(...).get().
    apply(...argv) {
      const a = bind('apply', argv, 1, ['func', 'args', 'kwds']);
      return this.apply_async(a.func, toArgs(a.args, 'apply'), { kwds: a.kwds === undefined ? null : a.kwds }).get();
    },
    // apply_async(func, args=[], kwds={}, callback=null,
    // error_callback=null) -> AsyncResult. func must be a top-level named
    // function (TypeError explaining why otherwise), and args plain data.
    apply_async(func, args, kwds, callback, error_callback) {
      // (no rest parameters on this path: goja allocates every array with
      // a property map of its own)
      let a;
      if (kwds === undefined && callback === undefined && error_callback === undefined && !internal.isOptions(args)) {
        a = { func, args };
      } else {
        a = bind('apply_async', [func, args, kwds, callback, error_callback], 1,
          ['func', 'args', 'kwds', 'callback', 'error_callback']);
      }
      this._check_running();
      const name = functionName(a.func, 'apply_async');
      const taskArgs = toArgs(a.args, 'apply_async');
      const taskKwds = a.kwds === undefined ? null : a.kwds;
      internal.checkArgs(taskArgs, taskKwds);
      const r = new AsyncResult(this, optCallable(a.callback, 'apply_async', 'callback'),
        optCallable(a.error_callback, 'apply_async', 'error_callback'));
      this._results.set(native.pool_submit(this._id, TASK_APPLY, name, taskArgs, taskKwds), r);
      return r;
    },
    // map(func, iterable, chunksize=null) -> the results in order.
    map(...argv) {
      const a = bind('map', argv, 2, ['func', 'iterable', 'chunksize']);
      return this._map('map', a.func, a.iterable, a.chunksize, null, null, TASK_MAP).get();
    },
    // map_async(func, iterable, chunksize=null, callback=null,
    // error_callback=null) -> AsyncResult of the list.
    map_async(...argv) {
      const a = bind('map_async', argv, 2, ['func', 'iterable', 'chunksize', 'callback', 'error_callback']);
      return this._map('map_async', a.func, a.iterable, a.chunksize, a.callback, a.error_callback, TASK_MAP);
    },
    // starmap(func, iterable, chunksize=null): map with each item an
    // array of arguments.
    starmap(...argv) {
      const a = bind('starmap', argv, 2, ['func', 'iterable', 'chunksize']);
      return this._map('starmap', a.func, a.iterable, a.chunksize, null, null, TASK_STARMAP).get();
    },
    // starmap_async(func, iterable, chunksize=null, callback=null,
    // error_callback=null).
    starmap_async(...argv) {
      const a = bind('starmap_async', argv, 2, ['func', 'iterable', 'chunksize', 'callback', 'error_callback']);
      return this._map('starmap_async', a.func, a.iterable, a.chunksize, a.callback, a.error_callback, TASK_STARMAP);
    },
    // imap(func, iterable, chunksize=1) -> an iterator of the results in
    // order; imap_unordered: in the order they finish.
    imap(...argv) {
      const a = bind('imap', argv, 2, ['func', 'iterable', 'chunksize']);
      return this._imap('imap', a.func, a.iterable, a.chunksize, true);
    },
    imap_unordered(...argv) {
      const a = bind('imap_unordered', argv, 2, ['func', 'iterable', 'chunksize']);
      return this._imap('imap_unordered', a.func, a.iterable, a.chunksize, false);
    },
    // close(): no more tasks; workers exit once the queued ones are done.
    close() {
      if (this._state === RUN) {
        this._state = CLOSE;
        native.pool_close(this._id);
      }
    },
    // terminate(): stops the workers now; unfinished results fail with
    // ProcessError (their callbacks do not run).
    terminate() {
      this._state = TERMINATE;
      const tids = native.pool_terminate(this._id);
      for (const tid of tids) {
        const r = this._results.get(tid);
        this._results.delete(tid);
        if (r) r._abandon(new C.ProcessError('the pool was terminated before this task finished'));
      }
    },
    // join(): waits for the workers to exit (after close() or
    // terminate(); ValueError before). Callbacks run meanwhile.
    join() {
      if (this._state === RUN) throw new C.ValueError('Pool is still running');
      native.pool_join(this._id);
      this._joined = true;
    },
    toString() {
      const state = ['RUN', 'CLOSE', 'TERMINATE'][this._state];
      return `<multiprocessing.pool.Pool state=${state} pool_size=${this._processes}>`;
    },
    _check_running() {
      if (this._state !== RUN) throw new C.ValueError('Pool not running');
    },
    _chunks(fname, func, iterable, chunksize, defaultSize) {
      this._check_running();
      const name = functionName(func, fname);
      if (iterable === null || iterable === undefined || typeof iterable[Symbol.iterator] !== 'function') {
        throw new C.TypeError(`${fname}(): '${iterable === null ? 'null' : typeof iterable}' object is not iterable`);
      }
      const items = Array.isArray(iterable) ? iterable : Array.from(iterable);
      if (chunksize === undefined || chunksize === null) {
        chunksize = defaultSize(items.length);
      } else if (typeof chunksize !== 'number' || !Number.isInteger(chunksize) || chunksize < 1) {
        throw new C.ValueError(`Chunksize must be 1+, not ${chunksize}`);
      }
      return [name, items, chunksize];
    },
    _submitChunks(result, kind, name, items, chunksize) {
      if (!chunksize || !items.length) return;
      let tids;
      try {
        tids = native.pool_submit_chunks(this._id, kind, name, items, chunksize, result instanceof MapResult);
      } catch (e) {
        result._abandon(e);
        throw e;
      }
      result._setFirst(tids[0]);
      for (let i = 0; i < tids.length; i++) this._results.set(tids[i], result);
    },
    _map(fname, func, iterable, chunksize, callback, errorCallback, kind) {
      const procs = this._processes;
      const [name, items, size] = this._chunks(fname, func, iterable, chunksize, (len) => Math.ceil(len / (procs * 4)));
      const r = new MapResult(this, size ? Math.ceil(items.length / size) : 0,
        optCallable(callback, fname, 'callback'), optCallable(errorCallback, fname, 'error_callback'));
      this._submitChunks(r, kind, name, items, size);
      return r;
    },
    _imap(fname, func, iterable, chunksize, ordered) {
      const [name, items, size] = this._chunks(fname, func, iterable, chunksize, () => 1);
      const it = new IMapIterator(this, Math.ceil(items.length / size), ordered);
      this._submitChunks(it, TASK_MAP, name, items, size);
      return it;
    },
    // _spawn forks one worker.
    _spawn() {
      const [wid, fd] = native.pool_channel(this._id);
      const count = internal.nextCount();
      const me = internal.current();
      const name = 'ForkPoolWorker-' + count;
      const identity = me._identity.concat([count]);
      let pid;
      try {
        pid = native.os.fork();
      } catch (e) {
        native.pool_unused_channel(this._id, wid);
        throw e;
      }
      if (pid === 0) workerMain(this, fd, name, identity, me);
      native.pool_started(this._id, wid, pid, name);
      const id = this._id;
      this._workers.set(name, internal.addPoolWorker(name, identity, pid,
        (timeout) => native.pool_wait_worker(id, wid, timeout)));
    },
  });

  // workerMain is a worker's life: it never returns.
  function workerMain(pool, fd, name, identity, parent) {
    const me = Object.create(internal.Process.prototype);
    hide(me, {
      _identity: identity, _target: null, _args: [], _kwargs: {}, _name: name, _daemonic: true,
      _parent_pid: native.os.getppid(), _parent_name: parent._name, _gen: native.gen(), _pid: null,
      _started: false, _exitcode: null, _closed: false,
    });
    internal.resetChildState();
    internal.setParent(new internal.ParentProcess(parent._name, me._parent_pid));
    internal.setCurrent(me);
    native.worker_start(fd);
    let code = 0;
    try {
      if (pool._initializer) {
        try {
          pool._initializer(...pool._initargs);
        } catch (e) {
          const c = internal.childExitCode(e, name);
          try { native.worker_send(0, REPLY_INIT_FAILED, e); } catch (e2) { /* parent gone */ }
          native.exit(c || 1);
        }
      }
      native.worker_send(0, REPLY_READY, null);
      for (;;) {
        const msg = native.worker_recv();
        if (msg === null) break;
        const tid = msg[0];
        const [fname, kind, items, kwds] = msg[1];
        let status = REPLY_OK;
        let result;
        try {
          const fn = resolve(fname);
          if (kind === TASK_APPLY) {
            result = kwds && Object.keys(kwds).length ? fn(...items, kwds) : fn(...items);
          } else if (kind === TASK_MAP) {
            result = arrayMap.call(items, (x) => fn(x));
          } else {
            result = arrayMap.call(items, (args) => fn(...args));
          }
          if (result instanceof Promise) {
            throw new C.TypeError(`${fname}() returned a Promise: pool workers run functions synchronously, so async functions cannot be pool tasks`);
          }
        } catch (e) {
          status = REPLY_ERR;
          result = e;
        }
        native.worker_send(tid, status, result);
      }
    } catch (e) {
      // The parent went away, or the worker was interrupted between tasks.
      code = e instanceof C.KeyboardInterrupt ? 130 : 1;
    }
    native.exit(code);
  }

  // Hooks called from Go.
  internal.poolResult = function (poolId, tid, ok, value) {
    const p = pools.get(poolId);
    if (!p) return;
    const r = p._results.get(tid);
    if (!r) return;
    p._results.delete(tid);
    if (r._chunk) r._chunk(r._index(tid), ok, value);
    else r._set(ok, value);
  };
  internal.poolWorkerGone = function (poolId, name, code, reason, initErr) {
    const p = pools.get(poolId);
    if (!p) return;
    const w = p._workers.get(name);
    if (w) {
      p._workers.delete(name);
      internal.workerEnded(w, code);
    }
    if (initErr !== null) {
      // The initializer failed: every worker would fail the same way.
      const err = new C.ProcessError(`the pool's initializer failed in ${name}: ${initErr && initErr.name}: ${initErr && initErr.message}`);
      if (p._state !== TERMINATE) {
        p._state = TERMINATE;
        for (const tid of native.pool_terminate(p._id)) {
          const r = p._results.get(tid);
          p._results.delete(tid);
          if (r) r._abandon(err);
        }
      }
      return;
    }
    if (p._state === RUN || (p._state === CLOSE && native.pool_outstanding(p._id) > 0)) p._spawn();
  };
  internal.exitHooks.push(function () {
    // As Python's pool finalizer: pools still running at exit are
    // terminated, and their workers reaped.
    for (const p of [...pools.values()]) {
      if (p._joined || !native.pool_owned(p._id)) continue;
      if (p._state !== TERMINATE) p.terminate();
      p.join();
    }
  });
  internal.afterForkHooks.push(() => pools.clear());

  internal.markInheritOnly(Pool);
  Object.assign(exports, { Pool, AsyncResult });
});
