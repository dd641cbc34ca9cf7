// Python's exception hierarchy as JS Error subclasses (SPEC rule 7).
// Evaluated once per runtime by pyerr.Install; the completion value is the
// table of classes, which Install also puts on the global object.
(function (errnoClass, strerror) {
  'use strict';
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

  // BaseException(...args): message is str(args) as in Python.
  class BaseException extends Error {
    constructor(...args) {
      super(args.length === 1 ? String(args[0]) : args.length === 0 ? '' :
        '(' + args.map((a) => typeof a === 'string' ? `'${a}'` : String(a)).join(', ') + ')');
      hide(this, 'args', args);
    }
  }
  define(BaseException, 'BaseException');
  const sub = (base, name) => define(class extends base {}, name);

  const Exception = sub(BaseException, 'Exception');

  class SystemExit extends BaseException {
    constructor(...args) {
      super(...args);
      hide(this, 'code', args.length === 0 ? null : args.length === 1 ? args[0] : args);
    }
  }
  define(SystemExit, 'SystemExit');
  const KeyboardInterrupt = sub(BaseException, 'KeyboardInterrupt');
  const GeneratorExit = sub(BaseException, 'GeneratorExit');

  // OSError(errno, strerror[, filename[, winerror[, filename2]]]) picks its
  // subclass from errno, as CPython's OSError.__new__ does.
  class OSError extends Exception {
    constructor(...args) {
      let target = new.target;
      if (target === OSError && args.length >= 2 && typeof args[0] === 'number') {
        const name = errnoClass(args[0]);
        if (name && classes[name]) target = classes[name];
      }
      if (target !== new.target) return Reflect.construct(target, args, target);
      let msg;
      const errno = args.length >= 2 ? args[0] : null;
      const se = args.length >= 2 ? args[1] : null;
      const filename = args.length >= 3 ? args[2] : null;
      const filename2 = args.length >= 5 ? args[4] : null;
      if (args.length >= 2) {
        msg = `[Errno ${errno}] ${se}`;
        if (filename !== null && filename !== undefined) {
          msg += `: '${filename}'`;
          if (filename2 !== null && filename2 !== undefined) msg += ` -> '${filename2}'`;
        }
      } else {
        msg = args.length === 1 ? String(args[0]) : '';
      }
      super(msg);
      this.message = msg;
      // Python's attributes, not enumerable so that printing an error shows
      // its message and stack as Python's traceback does.
      hide(this, 'args', args.length >= 2 ? [errno, se] : args);
      hide(this, 'errno', errno);
      hide(this, 'strerror', se);
      hide(this, 'filename', filename === undefined ? null : filename);
      hide(this, 'filename2', filename2 === undefined ? null : filename2);
    }
  }
  define(OSError, 'OSError');

  const classes = {
    BaseException, Exception, SystemExit, KeyboardInterrupt, GeneratorExit, OSError,
  };
  const add = (base, ...names) => {
    for (const n of names) classes[n] = sub(classes[base], n);
  };
  add('Exception', 'ArithmeticError', 'AssertionError', 'AttributeError', 'BufferError',
    'EOFError', 'ImportError', 'LookupError', 'MemoryError', 'NameError', 'RuntimeError',
    'StopIteration', 'ValueError', 'NotImplementedError_');
  delete classes.NotImplementedError_;
  add('ArithmeticError', 'ZeroDivisionError', 'OverflowError', 'FloatingPointError');
  add('ImportError', 'ModuleNotFoundError');
  add('LookupError', 'IndexError', 'KeyError');
  add('RuntimeError', 'NotImplementedError', 'RecursionError', 'ForkReplayError');
  add('ValueError', 'UnicodeError');
  add('UnicodeError', 'UnicodeDecodeError', 'UnicodeEncodeError');
  add('OSError', 'BlockingIOError', 'ChildProcessError', 'ConnectionError', 'FileExistsError',
    'FileNotFoundError', 'InterruptedError', 'IsADirectoryError', 'NotADirectoryError',
    'PermissionError', 'ProcessLookupError', 'TimeoutError');
  add('OSError', 'UnsupportedOperation');
  add('ConnectionError', 'BrokenPipeError', 'ConnectionAbortedError', 'ConnectionRefusedError',
    'ConnectionResetError');
  classes.EnvironmentError = OSError;
  classes.IOError = OSError;
  return classes;
})
