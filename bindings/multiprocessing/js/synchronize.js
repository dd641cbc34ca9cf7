// multiprocessing's synchronisation primitives, as Python's
// multiprocessing/synchronize.py: Lock, RLock, Semaphore,
// BoundedSemaphore, Event, Condition and Barrier, shared by every process
// forked after they are made.
(function (native, internal, exports) {
  'use strict';
  const { C, bind, hide } = internal;

  // acquire(block=true, timeout=null) -> whether the lock was taken.
  function acquire(...argv) {
    const a = bind('acquire', argv, 0, ['block', 'timeout']);
    return native.sync_acquire(this._id, a.block === undefined ? true : !!a.block, internal.timeout(a.timeout, 'acquire'));
  }
  function release() { native.sync_release(this._id); }

  function make(name, kind, init) {
    const cls = function (...argv) {
      if (!(this instanceof cls)) return new cls(...argv);
      const value = init ? init(argv) : 0;
      hide(this, { _id: native.sync_new(kind, value, 0), _kind: kind });
    };
    Object.defineProperty(cls, 'name', { value: name });
    return cls;
  }
  const noArgs = (name) => (argv) => { bind(name, argv, 0, [], ['ctx']); return 0; };
  const semValue = (name) => (argv) => {
    const a = bind(name, argv, 0, ['value'], ['ctx']);
    const v = a.value === undefined ? 1 : a.value;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new C.TypeError(`${name}(): value must be an integer`);
    if (v < 0) throw new C.ValueError('semaphore initial value must be >= 0');
    return v;
  };

  // Lock(): a non-recursive lock any process may release.
  const Lock = make('Lock', 'Lock', noArgs('Lock'));
  // RLock(): a recursive lock owned by the process that acquired it.
  const RLock = make('RLock', 'RLock', noArgs('RLock'));
  // Semaphore(value=1) and BoundedSemaphore(value=1), whose release
  // beyond its initial value is a ValueError.
  const Semaphore = make('Semaphore', 'Semaphore', semValue('Semaphore'));
  const BoundedSemaphore = make('BoundedSemaphore', 'BoundedSemaphore', semValue('BoundedSemaphore'));
  for (const cls of [Lock, RLock, Semaphore, BoundedSemaphore]) {
    Object.assign(cls.prototype, {
      acquire, release,
      toString() { return `<${cls.name}(${native.sync_value(this._id)})>`; },
    });
  }
  // Semaphore.get_value(): the current value.
  Semaphore.prototype.get_value = function () { return native.sync_value(this._id); };
  BoundedSemaphore.prototype.get_value = Semaphore.prototype.get_value;
  Object.setPrototypeOf(BoundedSemaphore.prototype, Semaphore.prototype);

  // Event(): a flag processes can wait for.
  function Event(...argv) {
    if (!(this instanceof Event)) return new Event(...argv);
    bind('Event', argv, 0, [], ['ctx']);
    hide(this, { _id: native.sync_new('Event', 0, 0) });
  }
  Object.assign(Event.prototype, {
    // is_set(), set(), clear().
    is_set() { return native.sync_value(this._id) === 1; },
    set() { native.event_set(this._id); },
    clear() { native.event_clear(this._id); },
    // wait(timeout=null) -> the flag once set, or after timeout seconds.
    wait(...argv) {
      const a = bind('wait', argv, 0, ['timeout']);
      return native.event_wait(this._id, internal.timeout(a.timeout, 'wait'));
    },
  });

  // Condition(lock=null): a condition variable over a Lock or RLock of
  // this module (a new RLock by default).
  function Condition(...argv) {
    if (!(this instanceof Condition)) return new Condition(...argv);
    const a = bind('Condition', argv, 0, ['lock'], ['ctx']);
    let lockId = 0;
    if (a.lock !== undefined && a.lock !== null) {
      if (!(a.lock instanceof Lock || a.lock instanceof RLock)) {
        throw new C.TypeError('Condition(): lock must be a multiprocessing Lock or RLock');
      }
      lockId = a.lock._id;
    }
    hide(this, { _id: native.sync_new('Condition', 0, lockId), _lock: a.lock || null });
  }
  Object.assign(Condition.prototype, {
    acquire, release,
    // wait(timeout=null) -> false if timeout seconds passed without a
    // notify. The lock must be held (AssertionError).
    wait(...argv) {
      const a = bind('wait', argv, 0, ['timeout']);
      return native.cond_wait(this._id, internal.timeout(a.timeout, 'wait'));
    },
    // wait_for(predicate, timeout=null) -> predicate's last result, after
    // waiting (at most timeout seconds in all) until it is truthy.
    wait_for(...argv) {
      const a = bind('wait_for', argv, 1, ['predicate', 'timeout']);
      internal.callable(a.predicate, 'wait_for', 'predicate');
      const timeout = internal.timeout(a.timeout, 'wait_for');
      let result = a.predicate();
      let endtime = null;
      let waittime = timeout;
      const mono = native.time.monotonic;
      while (!result) {
        if (waittime !== null) {
          if (endtime === null) endtime = mono() + waittime;
          else {
            waittime = endtime - mono();
            if (waittime <= 0) break;
          }
        }
        this.wait(waittime);
        result = a.predicate();
      }
      return result;
    },
    // notify(n=1), notify_all(): wake waiters; the lock must be held.
    notify(...argv) {
      const a = bind('notify', argv, 0, ['n']);
      native.cond_notify(this._id, a.n === undefined ? 1 : Math.max(0, Math.trunc(a.n)));
    },
    notify_all() { native.cond_notify(this._id, -1); },
    toString() { return '<Condition>'; },
  });

  // BrokenBarrierError: a Barrier was reset, aborted or timed out
  // (Python's threading.BrokenBarrierError).
  class BrokenBarrierError extends C.RuntimeError {}
  Object.defineProperty(BrokenBarrierError, 'name', { value: 'BrokenBarrierError' });
  Object.defineProperty(BrokenBarrierError.prototype, 'name', { value: 'BrokenBarrierError', writable: true, configurable: true });

  // Barrier(parties, action=null, timeout=null): CPython's
  // threading.Barrier over a shared Condition and two shared integers
  // (state, count), as multiprocessing.Barrier is; the last process to
  // arrive runs action.
  const FILLING = 0, DRAINING = 1, RESETTING = -1, BROKEN = -2;
  function Barrier(...argv) {
    if (!(this instanceof Barrier)) return new Barrier(...argv);
    const a = bind('Barrier', argv, 1, ['parties', 'action', 'timeout'], ['ctx']);
    if (typeof a.parties !== 'number' || !Number.isInteger(a.parties)) throw new C.TypeError('Barrier(): parties must be an integer');
    if (a.parties < 1) throw new C.ValueError('parties must be > 0');
    if (a.action !== undefined && a.action !== null) internal.callable(a.action, 'Barrier', 'action');
    hide(this, {
      _cond: new Condition(),
      _shared: native.shared_new('i', 2, null, 0),
      _parties: a.parties,
      _action: a.action || null,
      _timeout: internal.timeout(a.timeout, 'Barrier'),
    });
  }
  const field = (name, i) => Object.defineProperty(Barrier.prototype, name, {
    get() { return native.shared_get(this._shared, i); },
    set(v) { native.shared_set(this._shared, i, v); },
  });
  field('_state', 0);
  field('_count', 1);
  Object.assign(Barrier.prototype, {
    // wait(timeout=null) -> this process's arrival index (0 to parties-1)
    // once all parties have arrived. BrokenBarrierError if the barrier is
    // broken, reset, aborted, or the timeout passes (which breaks it).
    wait(...argv) {
      const a = bind('wait', argv, 0, ['timeout']);
      let timeout = internal.timeout(a.timeout, 'wait');
      if (timeout === null) timeout = this._timeout;
      const cond = this._cond;
      cond.acquire();
      try {
        this._enter();
        const index = this._count;
        this._count = index + 1;
        try {
          if (index + 1 === this._parties) this._release();
          else this._wait(timeout);
          return index;
        } finally {
          this._count = this._count - 1;
          this._exit();
        }
      } finally {
        cond.release();
      }
    },
    _enter() {
      while (this._state === RESETTING || this._state === DRAINING) this._cond.wait();
      if (this._state < 0) throw new BrokenBarrierError();
    },
    _release() {
      try {
        if (this._action) this._action();
        this._state = DRAINING;
        this._cond.notify_all();
      } catch (e) {
        this._break();
        throw e;
      }
    },
    _wait(timeout) {
      if (!this._cond.wait_for(() => this._state !== FILLING, timeout)) {
        this._break();
        throw new BrokenBarrierError();
      }
      if (this._state < 0) throw new BrokenBarrierError();
    },
    _exit() {
      if (this._count === 0 && (this._state === RESETTING || this._state === DRAINING)) {
        this._state = FILLING;
        this._cond.notify_all();
      }
    },
    // reset(): back to the initial state; waiting processes get
    // BrokenBarrierError.
    reset() {
      this._cond.acquire();
      try {
        if (this._count > 0) {
          if (this._state === FILLING || this._state === BROKEN) this._state = RESETTING;
        } else {
          this._state = FILLING;
        }
        this._cond.notify_all();
      } finally {
        this._cond.release();
      }
    },
    // abort(): breaks the barrier for current and future waiters.
    abort() {
      this._cond.acquire();
      try { this._break(); } finally { this._cond.release(); }
    },
    _break() {
      this._state = BROKEN;
      this._cond.notify_all();
    },
    toString() { return `<Barrier parties=${this._parties}>`; },
  });
  Object.defineProperty(Barrier.prototype, 'parties', { get() { return this._parties; } });
  Object.defineProperty(Barrier.prototype, 'n_waiting', {
    get() { return this._state === FILLING ? this._count : 0; },
  });
  Object.defineProperty(Barrier.prototype, 'broken', { get() { return this._state === BROKEN; } });

  for (const cls of [Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition, Barrier]) internal.markInheritOnly(cls);
  internal.Lock = Lock;
  internal.RLock = RLock;
  Object.assign(exports, {
    Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition, Barrier, BrokenBarrierError,
  });
});
