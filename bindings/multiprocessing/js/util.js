// multiprocessing, shared helpers: Python-style argument binding, the
// module's exception classes, small utilities. Each file of this module is
// a factory run once per runtime with the Go natives, an object the files
// share (internal) and the module's exports.
(function (native, internal, exports) {
  'use strict';
  const C = native.classes;
  internal.C = C;

  const objectProto = Object.prototype;
  // isOptions: a plain object (Object.prototype or null prototype) is an
  // options object of keyword arguments (SPEC rule 3).
  function isOptions(o) {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return false;
    const p = Object.getPrototypeOf(o);
    return (p === objectProto || p === null) && Object.prototype.toString.call(o) === '[object Object]';
  }

  // bind(fname, args, required, names, kwOnly) binds a call's arguments
  // as Python binds parameters: positionals in order, then a trailing
  // options object (when it is at or after the required positionals)
  // holding any parameter by name. Returns {name: value} for the given
  // parameters. TypeError with Python's wording otherwise.
  function bind(fname, args, required, names, kwOnly) {
    let n = args.length;
    while (n > required && args[n - 1] === undefined) n--;
    let kw = null;
    if (n > 0 && n - 1 >= required && isOptions(args[n - 1])) {
      kw = args[n - 1];
      n--;
    }
    if (n > names.length) {
      throw new C.TypeError(`${fname}() takes at most ${names.length} positional arguments (${n} given)`);
    }
    const out = {};
    for (let i = 0; i < n; i++) out[names[i]] = args[i];
    if (kw) {
      for (const k of Object.keys(kw)) {
        const pos = names.indexOf(k);
        if (pos < 0 && !(kwOnly && kwOnly.includes(k))) {
          throw new C.TypeError(`${fname}() got an unexpected keyword argument '${k}'`);
        }
        if (pos >= 0 && pos < n && args[pos] !== undefined) {
          throw new C.TypeError(`${fname}() got multiple values for argument '${k}'`);
        }
        if (kw[k] !== undefined) out[k] = kw[k];
      }
    }
    for (let i = 0; i < required; i++) {
      if (!(names[i] in out)) {
        throw new C.TypeError(`${fname}() missing required argument '${names[i]}' (pos ${i + 1})`);
      }
    }
    return out;
  }
  internal.bind = bind;
  internal.isOptions = isOptions;

  // timeout(v, fname): seconds as a number, or null for "no limit".
  internal.timeout = function (v, fname) {
    if (v === undefined || v === null) return null;
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint') return Number(v);
    throw new C.TypeError(`${fname}(): timeout must be a number of seconds or null, not ${typeof v}`);
  };

  // hide defines non-enumerable writable properties (internal state that
  // print() should not show).
  const hidden = { value: undefined, writable: true, configurable: true, enumerable: false };
  internal.hide = function (obj, props) {
    const keys = Object.keys(props);
    for (let i = 0; i < keys.length; i++) {
      hidden.value = props[keys[i]];
      Object.defineProperty(obj, keys[i], hidden);
    }
    hidden.value = undefined;
    return obj;
  };

  // callable(f, fname, what) checks f is a function.
  internal.callable = function (f, fname, what) {
    if (typeof f !== 'function') {
      throw new C.TypeError(`${fname}(): ${what} must be callable, not ${f === null ? 'null' : typeof f}`);
    }
    return f;
  };

  // Queues, connections, locks, shared values and pools cross to other
  // processes only by inheritance (a forked child has them), never as
  // messages: their prototypes carry this mark, and sending one raises
  // Python's RuntimeError. The value sent is checked (and, for a Pool
  // task, each of its arguments); one nested deeper arrives as a plain
  // object without methods (checking whole messages would cost more than
  // sending them).
  const INHERIT_ONLY = Symbol('multiprocessing.inherit_only');
  internal.markInheritOnly = function (cls, name) {
    Object.defineProperty(cls.prototype, INHERIT_ONLY, { value: name || cls.name });
  };
  function refuseInheritOnly(v) {
    if (v !== null && typeof v === 'object') {
      const name = v[INHERIT_ONLY];
      if (name !== undefined) {
        throw new C.RuntimeError(`${name} objects should only be shared between processes through inheritance`);
      }
    }
  }
  internal.checkSendable = refuseInheritOnly;
  // checkArgs checks a task's arguments (an array) and keyword arguments.
  internal.checkArgs = function (args, kwds) {
    for (let i = 0; i < args.length; i++) refuseInheritOnly(args[i]);
    if (kwds !== null && typeof kwds === 'object') {
      const keys = Object.keys(kwds);
      for (let i = 0; i < keys.length; i++) refuseInheritOnly(kwds[keys[i]]);
    }
  };

  // Exception classes, as Python's multiprocessing defines them.
  const define = (cls, name) => {
    Object.defineProperty(cls, 'name', { value: name });
    Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
    return cls;
  };
  // They are made on first use: they extend Exception, and Python's
  // exception table is worth not building in a child that raises none.
  let errors = null;
  const made = () => {
    if (errors === null) {
      class ProcessError extends C.Exception {}
      define(ProcessError, 'ProcessError');
      class BufferTooShort extends ProcessError {}
      define(BufferTooShort, 'BufferTooShort');
      class TimeoutError extends ProcessError {}
      define(TimeoutError, 'TimeoutError');
      class AuthenticationError extends ProcessError {}
      define(AuthenticationError, 'AuthenticationError');
      errors = { ProcessError, BufferTooShort, TimeoutError, AuthenticationError };
    }
    return errors;
  };
  const lazy = (obj, key, name) => Object.defineProperty(obj, key, {
    get() { return made()[name]; },
    set(v) { Object.defineProperty(obj, key, { value: v, writable: true, enumerable: true, configurable: true }); },
    enumerable: true, configurable: true,
  });
  for (const name of ['ProcessError', 'BufferTooShort', 'TimeoutError', 'AuthenticationError']) lazy(exports, name, name);
  lazy(C, 'ProcessError', 'ProcessError');
  lazy(C, 'BufferTooShort', 'BufferTooShort');
  lazy(C, 'MPTimeoutError', 'TimeoutError');

  // The start method is always fork (forkjs forks by replay).
  exports.get_start_method = function (allow_none) { return 'fork'; };
  exports.get_all_start_methods = function () { return ['fork']; };
  exports.set_start_method = function (method, opts) {
    if (method !== 'fork' && method !== null) {
      throw new C.ValueError(`cannot find context for '${method}': forkjs supports only 'fork'`);
    }
  };
  exports.get_context = function (method) {
    if (method !== undefined && method !== null && method !== 'fork') {
      throw new C.ValueError(`cannot find context for '${method}': forkjs supports only 'fork'`);
    }
    return exports;
  };
  exports.freeze_support = function () {};
});
