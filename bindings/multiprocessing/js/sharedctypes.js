// multiprocessing.Value, Array, RawValue and RawArray, as Python's
// multiprocessing/sharedctypes.py: typed storage in shared memory,
// synchronized by a lock (an RLock by default) unless lock is false.
// Typecodes are the array module's: c b B u h H i I l L q Q f d.
(function (native, internal, exports) {
  'use strict';
  const { C, bind, hide } = internal;

  // lockFor(lock) -> [lock object or null, its id or 0] for lock=true
  // (a new RLock), false (none), or a given Lock or RLock.
  function lockFor(lock) {
    if (lock === undefined || lock === true) {
      const l = new internal.RLock();
      return [l, l._id];
    }
    if (lock === false || lock === null) return [null, 0];
    if (lock instanceof internal.Lock || lock instanceof internal.RLock) return [lock, lock._id];
    throw new C.AttributeError(`'${typeof lock}' object has no attribute 'acquire'`);
  }

  // splitOpts separates a trailing options object from *args.
  function splitOpts(fname, argv, allowed) {
    const args = Array.prototype.slice.call(argv);
    let opts = {};
    if (args.length > 1 && internal.isOptions(args[args.length - 1])) opts = args.pop();
    for (const k of Object.keys(opts)) {
      if (!allowed.includes(k)) throw new C.TypeError(`${fname}() got an unexpected keyword argument '${k}'`);
    }
    if (args.length < 1) throw new C.TypeError(`${fname}() missing required argument 'typecode_or_type' (pos 1)`);
    return [args, opts];
  }

  function typecodeOf(fname, tc) {
    if (typeof tc !== 'string') throw new C.TypeError(`${fname}(): typecode must be a string such as 'i' or 'd'`);
    return tc;
  }

  // SharedValue backs Value and RawValue: .value reads and writes the
  // shared element.
  function SharedValue(id, tc, lock) {
    hide(this, { _id: id, _typecode: tc, _lock: lock });
  }
  Object.defineProperty(SharedValue.prototype, 'value', {
    get() { return native.shared_get(this._id, 0); },
    set(v) { native.shared_set(this._id, 0, v); },
  });
  Object.assign(SharedValue.prototype, {
    // get_lock(): the lock that synchronizes this value.
    get_lock() {
      if (!this._lock) throw new C.AttributeError("'RawValue' object has no attribute 'get_lock'");
      return this._lock;
    },
    // get_obj(): the value without synchronization.
    get_obj() { return new SharedValue(native.shared_view(this._id), this._typecode, null); },
    toString() {
      const v = this.value;
      return this._lock ? `<Synchronized wrapper for ${this._typecode}(${v})>` : `${this._typecode}(${v})`;
    },
    valueOf() { return this.value; },
  });

  // Value(typecode, value=0, {lock=true}): a shared value with .value,
  // get_lock() and get_obj().
  function Value(...argv) {
    const [args, opts] = splitOpts('Value', argv, ['lock', 'ctx']);
    const tc = typecodeOf('Value', args[0]);
    if (args.length > 2) throw new C.TypeError(`Value() takes at most 2 positional arguments (${args.length} given)`);
    const [lock, lockId] = lockFor(opts.lock);
    const id = native.shared_new(tc, 1, args.length > 1 ? [args[1]] : null, lockId);
    return new SharedValue(id, tc, lock);
  }
  // RawValue(typecode, value=0): a shared value without a lock.
  function RawValue(...argv) {
    const [args] = splitOpts('RawValue', argv, []);
    const tc = typecodeOf('RawValue', args[0]);
    return new SharedValue(native.shared_new(tc, 1, args.length > 1 ? [args[1]] : null, 0), tc, null);
  }

  const indexRe = /^-?(0|[1-9][0-9]*)$/;

  // SharedArray backs Array and RawArray; scripts see it through a Proxy
  // that maps a[i], a[i] = v and a.length to the shared elements.
  function SharedArray(id, tc, n, lock) {
    hide(this, { _id: id, _typecode: tc, _n: n, _lock: lock });
  }
  Object.assign(SharedArray.prototype, {
    // get_lock(): the lock that synchronizes this array.
    get_lock() {
      if (!this._lock) throw new C.AttributeError("'RawArray' object has no attribute 'get_lock'");
      return this._lock;
    },
    // get_obj(): the array without synchronization.
    get_obj() { return wrapArray(native.shared_view(this._id), this._typecode, this._n, null); },
    // slice(start=0, stop=length) -> the elements as a JS array (Bytes
    // for 'c', a string for 'u'), read at once: Python's a[start:stop].
    slice(start, stop) {
      return native.shared_slice(this._id, start === undefined ? 0 : start, stop === undefined ? this._n : stop);
    },
    // tolist() -> every element as a JS array.
    tolist() {
      const v = this.slice();
      return typeof v === 'string' ? [...v] : Array.from(v, (x) => (this._typecode === 'c' ? new native.Bytes([x]) : x));
    },
    [Symbol.iterator]() { return this.tolist()[Symbol.iterator](); },
    toString() {
      const items = this.tolist().map((x) => String(x)).join(', ');
      return this._lock ? `<SynchronizedArray wrapper for ${this._typecode}[${this._n}]([${items}])>` : `${this._typecode}[${this._n}]([${items}])`;
    },
  });
  // For 'c' arrays, Python's .value (bytes up to the first NUL) and .raw.
  Object.defineProperty(SharedArray.prototype, 'value', {
    get() {
      const b = this.slice();
      if (this._typecode === 'c') {
        const end = b.indexOf(0);
        return end < 0 ? b : b.slice(0, end);
      }
      if (this._typecode === 'u') {
        const end = b.indexOf('\0');
        return end < 0 ? b : b.slice(0, end);
      }
      throw new C.AttributeError(`'${this._typecode}' array has no attribute 'value'`);
    },
    set(v) {
      if (this._typecode !== 'c' && this._typecode !== 'u') {
        throw new C.AttributeError(`'${this._typecode}' array has no attribute 'value'`);
      }
      const len = this._typecode === 'c' ? new native.Bytes(v).length : [...v].length;
      if (len > this._n) throw new C.ValueError('byte string too long');
      native.shared_set_slice(this._id, 0, this._typecode === 'c' ? new native.Bytes(v) : v);
      if (len < this._n) native.shared_set(this._id, len, this._typecode === 'c' ? 0 : '\0');
    },
  });
  Object.defineProperty(SharedArray.prototype, 'raw', {
    get() { return this.slice(); },
    set(v) { native.shared_set_slice(this._id, 0, v); },
  });
  Object.defineProperty(SharedArray.prototype, 'length', { get() { return this._n; } });

  const handler = {
    get(t, k, r) {
      if (typeof k === 'string' && indexRe.test(k)) return native.shared_get(t._id, Number(k));
      return Reflect.get(t, k, r);
    },
    set(t, k, v, r) {
      if (typeof k === 'string' && indexRe.test(k)) {
        native.shared_set(t._id, Number(k), v);
        return true;
      }
      return Reflect.set(t, k, v, r);
    },
    has(t, k) {
      if (typeof k === 'string' && indexRe.test(k)) return Number(k) >= 0 && Number(k) < t._n;
      return Reflect.has(t, k);
    },
    ownKeys(t) {
      const keys = [];
      for (let i = 0; i < t._n; i++) keys.push(String(i));
      return keys.concat(Reflect.ownKeys(t));
    },
    getOwnPropertyDescriptor(t, k) {
      if (typeof k === 'string' && indexRe.test(k) && Number(k) >= 0 && Number(k) < t._n) {
        return { value: native.shared_get(t._id, Number(k)), writable: true, enumerable: true, configurable: true };
      }
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
  };
  function wrapArray(id, tc, n, lock) {
    return new Proxy(new SharedArray(id, tc, n, lock), handler);
  }

  // arrayInit(tc, x) -> [size, values or null] from size_or_initializer.
  function arrayInit(fname, tc, x) {
    if (typeof x === 'number') {
      if (!Number.isInteger(x)) throw new C.TypeError(`${fname}(): size must be an integer`);
      if (x < 0) throw new C.ValueError('array size must be >= 0');
      return [x, null];
    }
    if (typeof x === 'bigint') return arrayInit(fname, tc, Number(x));
    if (x === null || x === undefined) throw new C.TypeError(`${fname}(): size_or_initializer must be a size or a sequence`);
    if (typeof x === 'string' && tc === 'u') return [[...x].length, [...x]];
    const values = Array.from(x, (v) => (tc === 'c' && typeof v === 'number' ? v : v));
    if (tc === 'c') return [values.length, values.map((v) => (typeof v === 'number' ? new native.Bytes([v]) : v))];
    return [values.length, values];
  }

  // Array(typecode, size_or_initializer, {lock=true}): a shared array;
  // a[i], a[i] = v, a.length, iteration, get_lock(), get_obj(),
  // slice(start, stop) (Python's a[start:stop]) and tolist().
  function SharedArrayFactory(...argv) {
    const [args, opts] = splitOpts('Array', argv, ['lock', 'ctx']);
    if (args.length !== 2) throw new C.TypeError('Array() takes 2 positional arguments: typecode_or_type and size_or_initializer');
    const tc = typecodeOf('Array', args[0]);
    const [n, init] = arrayInit('Array', tc, args[1]);
    const [lock, lockId] = lockFor(opts.lock);
    return wrapArray(native.shared_new(tc, n, init, lockId), tc, n, lock);
  }
  // RawArray(typecode, size_or_initializer): a shared array without lock.
  function RawArray(...argv) {
    const [args] = splitOpts('RawArray', argv, []);
    if (args.length !== 2) throw new C.TypeError('RawArray() takes 2 positional arguments: typecode_or_type and size_or_initializer');
    const tc = typecodeOf('RawArray', args[0]);
    const [n, init] = arrayInit('RawArray', tc, args[1]);
    return wrapArray(native.shared_new(tc, n, init, 0), tc, n, null);
  }
  Object.defineProperty(SharedArrayFactory, 'name', { value: 'Array' });

  internal.markInheritOnly(SharedValue, 'Synchronized');
  internal.markInheritOnly(SharedArray, 'SynchronizedArray');
  Object.assign(exports, { Value, RawValue, Array: SharedArrayFactory, RawArray });
});
