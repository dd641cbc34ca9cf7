// The Bytes class (SPEC rule 5): Python's bytes as a Uint8Array subclass.
// Evaluated when a runtime starts, so it avoids regular expression
// literals (goja compiles those eagerly, which costs start-up time).
(function (native) {
  'use strict';
  const { decode, encode } = native;

  // Bytes: Python's bytes, a Uint8Array subclass.
  class Bytes extends Uint8Array {
    // Bytes(x): from a string (UTF-8, or `encoding`), a length (zeros), an
    // iterable of ints 0..255, an ArrayBuffer (shared, not copied) or any
    // typed array (copied), as Python's bytes() constructor.
    constructor(x, byteOffset, length) {
      if (typeof x === 'string') {
        const buf = encode(x, byteOffset === undefined ? 'utf-8' : byteOffset,
          length === undefined ? 'strict' : length);
        super(buf);
      } else if (x === undefined || x === null) {
        super(0);
      } else if (typeof x === 'number') {
        if (!Number.isInteger(x) || x < 0) throw new ValueError('negative count');
        if (x > 2 ** 32) throw new MemoryError(`cannot allocate ${x} bytes`);
        super(x);
      } else if (x instanceof ArrayBuffer) {
        if (byteOffset === undefined) super(x);
        else if (length === undefined) super(x, byteOffset);
        else super(x, byteOffset, length);
      } else if (ArrayBuffer.isView(x)) {
        super(x.byteLength);
        this.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      } else if (typeof x[Symbol.iterator] === 'function') {
        const arr = Array.from(x);
        for (const v of arr) {
          if (!Number.isInteger(v) || v < 0 || v > 255) throw new ValueError('bytes must be in range(0, 256)');
        }
        super(arr);
      } else {
        throw new TypeError(`cannot convert '${typeof x}' object to bytes`);
      }
    }
    // decode(encoding = 'utf-8', errors = 'strict') -> string, as Python's
    // bytes.decode; errors: 'strict' (UnicodeDecodeError), 'replace',
    // 'ignore', 'backslashreplace', 'surrogateescape'.
    decode(encoding = 'utf-8', errors = 'strict') {
      return decode(this, encoding, errors);
    }
    // hex(): lower-case hex digits.
    hex() {
      let s = '';
      for (let i = 0; i < this.length; i++) s += (this[i] < 16 ? '0' : '') + this[i].toString(16);
      return s;
    }
    // Bytes.fromhex('de ad'): ValueError on a non-hex character.
    static fromhex(s) {
      const digits = [];
      for (const ch of String(s)) {
        if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') continue;
        const d = parseInt(ch, 16);
        if (Number.isNaN(d)) throw new ValueError('non-hexadecimal number found in fromhex() arg');
        digits.push(d);
      }
      if (digits.length % 2) throw new ValueError('non-hexadecimal number found in fromhex() arg');
      const out = new Bytes(digits.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = digits[2 * i] * 16 + digits[2 * i + 1];
      return out;
    }
    // equals(other): same bytes.
    equals(other) {
      if (typeof other === 'string') other = new Bytes(other);
      if (!ArrayBuffer.isView(other) || other.byteLength !== this.byteLength) return false;
      const o = new Uint8Array(other.buffer, other.byteOffset, other.byteLength);
      for (let i = 0; i < this.length; i++) if (this[i] !== o[i]) return false;
      return true;
    }
    // Bytes.from(x): as new Bytes(x) for a string; otherwise
    // Uint8Array.from (an iterable or array-like of byte values).
    static from(x, ...rest) {
      if (typeof x === 'string') return new Bytes(x, ...rest);
      return new Bytes(Uint8Array.from(x, ...rest));
    }
    // toString(): Python's repr, b'...'.
    toString() { return bytesRepr(this); }
    static get [Symbol.species]() { return Bytes; }
  }
  Object.defineProperty(Bytes.prototype, Symbol.toStringTag, { get() { return 'Bytes'; } });

  function bytesRepr(b) {
    let hasQ = false, hasDQ = false;
    for (let i = 0; i < b.length; i++) { if (b[i] === 39) hasQ = true; if (b[i] === 34) hasDQ = true; }
    const q = hasQ && !hasDQ ? '"' : "'";
    let s = 'b' + q;
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (c === 92) s += '\\\\';
      else if (c === 39 && q === "'") s += "\\'";
      else if (c === 9) s += '\\t';
      else if (c === 10) s += '\\n';
      else if (c === 13) s += '\\r';
      else if (c < 32 || c >= 127) s += '\\x' + (c < 16 ? '0' : '') + c.toString(16);
      else s += String.fromCharCode(c);
    }
    return s + q;
  }

  return { Bytes, bytesRepr };
})
