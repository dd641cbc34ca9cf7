// The inspect-like formatter behind print, console.log and the REPL
// (Node's util.inspect and util.format). Compiled on first use: a script
// that prints only strings never pays for it.
(function (Bytes, bytesRepr) {
  'use strict';
  // inspect(value, {colors, depth}): a Node-like util.inspect.
  const styles = {
    number: '33', bigint: '33', boolean: '33', string: '32', undefined: '90',
    null: '1', symbol: '32', date: '35', regexp: '31', special: '36', name: '90',
  };
  const TypedArray = Object.getPrototypeOf(Int8Array);
  const identRe = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  function quote(s) {
    let q = "'";
    if (s.includes("'")) q = !s.includes('"') ? '"' : !s.includes('`') ? '`' : "'";
    let out = '';
    for (const ch of s) {
      const c = ch.codePointAt(0);
      if (ch === q || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else if (ch === '\v') out += '\\v';
      else if (c < 32 || c === 127) out += '\\x' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
      else out += ch;
    }
    return q + out + q;
  }

  // cleanStack drops goja's bytecode offsets and forkjs's internal frames.
  function cleanStack(stack) {
    return String(stack).replace(/:(\d+):(\d+)\(\d+\)/g, ':$1:$2').replace(/^\tat /gm, '    at ')
      .split('\n').filter((l) => !/^\s+at .*<internal:/.test(l)).join('\n');
  }

  function inspect(value, opts) {
    const o = Object.assign({ colors: false, depth: 2 }, opts);
    const seen = [];
    const circular = new Map();
    const paint = (s, style) => (o.colors && styles[style] ? `\x1b[${styles[style]}m${s}\x1b[${style === 'null' ? 22 : 39}m` : s);
    function fmtPrimitive(v) {
      switch (typeof v) {
        case 'string': return paint(quote(v), 'string');
        case 'number': return paint(Object.is(v, -0) ? '-0' : String(v), 'number');
        case 'bigint': return paint(String(v) + 'n', 'bigint');
        case 'boolean': return paint(String(v), 'boolean');
        case 'undefined': return paint('undefined', 'undefined');
        case 'symbol': return paint(v.toString(), 'symbol');
      }
      return paint('null', 'null');
    }
    function key(k) {
      if (typeof k === 'symbol') return '[' + paint(k.toString(), 'symbol') + ']';
      return identRe.test(k) ? k : paint(quote(k), 'string');
    }
    function ctorName(v) {
      const proto = Object.getPrototypeOf(v);
      if (proto === null) return null;
      const c = proto.constructor;
      return typeof c === 'function' && c.name ? c.name : 'Object';
    }
    function fmt(v, depth, indent) {
      if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return fmtPrimitive(v);
      if (seen.includes(v)) {
        if (!circular.has(v)) circular.set(v, circular.size + 1);
        return paint(`[Circular *${circular.get(v)}]`, 'special');
      }
      let out;
      seen.push(v);
      try {
        out = fmtObject(v, depth, indent);
      } finally {
        seen.pop();
      }
      if (circular.has(v)) out = paint(`<ref *${circular.get(v)}>`, 'special') + ' ' + out;
      return out;
    }
    function ownEntries(v, skipIndices) {
      const parts = [];
      for (const k of Object.keys(v)) {
        if (skipIndices && /^(0|[1-9][0-9]*)$/.test(k)) continue;
        parts.push([k, v[k]]);
      }
      for (const s of Object.getOwnPropertySymbols(v)) {
        const d = Object.getOwnPropertyDescriptor(v, s);
        if (d && d.enumerable) parts.push([s, v[s]]);
      }
      return parts;
    }
    function fmtObject(v, depth, indent) {
      if (typeof v === 'function') {
        const src = Function.prototype.toString.call(v);
        const isClass = /^class[\s{]/.test(src);
        const base = isClass ? `[class ${v.name || '(anonymous)'}]` : `[Function: ${v.name || '(anonymous)'}]`;
        const extra = ownEntries(v).filter(([k]) => k !== 'prototype');
        if (!extra.length || depth > o.depth) return paint(base, 'special');
        return wrap(paint(base, 'special') + ' {', extra.map(([k, x]) => key(k) + ': ' + fmt(x, depth + 1, indent + 2)), '}', indent);
      }
      if (v instanceof Bytes) return paint(bytesRepr(v), 'string');
      if (v instanceof Error) {
        let s = v.stack ? cleanStack(v.stack).replace(/\n$/, '') : String(v);
        const name = v.name || 'Error';
        const head = `${name}: ${v.message}`;
        if (!s.startsWith(head) && !s.startsWith(name)) s = head + '\n' + s;
        const extra = ownEntries(v).filter(([k]) => k !== 'stack' && k !== 'message');
        if (extra.length && depth <= o.depth) {
          s += ' ' + wrap('{', extra.map(([k, x]) => key(k) + ': ' + fmt(x, depth + 1, indent + 2)), '}', indent, true);
        }
        return s;
      }
      if (v instanceof Date) return paint(isNaN(v) ? 'Invalid Date' : v.toISOString(), 'date');
      if (v instanceof RegExp) return paint(String(v), 'regexp');
      if (typeof v.then === 'function' && v instanceof Promise) return paint('Promise {}', 'special');
      if (v instanceof Boolean || v instanceof Number || v instanceof String) {
        return paint(`[${ctorName(v)}: ${fmtPrimitive(v.valueOf())}]`, 'special');
      }
      const name = ctorName(v);
      if (depth > o.depth) {
        if (Array.isArray(v)) return paint('[Array]', 'special');
        return paint(`[${name || 'Object: null prototype'}]`, 'special');
      }
      const next = (x) => fmt(x, depth + 1, indent + 2);
      if (Array.isArray(v)) {
        const items = [];
        let holes = 0;
        const n = Math.min(v.length, 100);
        for (let i = 0; i < n; i++) {
          if (!(i in v)) { holes++; continue; }
          if (holes) { items.push(paint(`<${holes} empty item${holes > 1 ? 's' : ''}>`, 'undefined')); holes = 0; }
          items.push(next(v[i]));
        }
        if (holes) items.push(paint(`<${holes} empty item${holes > 1 ? 's' : ''}>`, 'undefined'));
        if (v.length > 100) items.push(`... ${v.length - 100} more item${v.length - 100 > 1 ? 's' : ''}`);
        for (const [k, x] of ownEntries(v, true)) items.push(key(k) + ': ' + next(x));
        const prefix = name !== 'Array' ? `${name}(${v.length}) ` : '';
        return wrap(prefix + '[', items, ']', indent, false, true);
      }
      if (v instanceof TypedArray) {
        const items = [];
        const n = Math.min(v.length, 100);
        for (let i = 0; i < n; i++) items.push(fmtPrimitive(v[i]));
        if (v.length > 100) items.push(`... ${v.length - 100} more items`);
        return wrap(`${name}(${v.length}) [`, items, ']', indent, false, true);
      }
      if (v instanceof ArrayBuffer) {
        const b = new Uint8Array(v);
        let hex = Array.from(b.slice(0, 50), (x) => (x < 16 ? '0' : '') + x.toString(16)).join(' ');
        if (b.length > 50) hex += ` ... ${b.length - 50} more bytes`;
        return wrap('ArrayBuffer {', [`[Uint8Contents]: <${hex}>`, `byteLength: ${fmtPrimitive(v.byteLength)}`], '}', indent);
      }
      if (v instanceof Map) {
        const items = [];
        for (const [k, x] of v) items.push(next(k) + ' => ' + next(x));
        return wrap(`${name}(${v.size}) {`, items, '}', indent);
      }
      if (v instanceof Set) {
        const items = [];
        for (const x of v) items.push(next(x));
        return wrap(`${name}(${v.size}) {`, items, '}', indent, false, true);
      }
      const items = [];
      for (const [k, x] of ownEntries(v)) {
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (d && d.get) items.push(key(k) + ': ' + paint(d.set ? '[Getter/Setter]' : '[Getter]', 'special'));
        else items.push(key(k) + ': ' + next(x));
      }
      let prefix = '';
      if (name === null) prefix = '[Object: null prototype] ';
      else if (name !== 'Object') prefix = name + ' ';
      const tag = v[Symbol.toStringTag];
      if (typeof tag === 'string' && tag !== name && name !== null) prefix = `${name} [${tag}] `;
      if (!items.length) return prefix + '{}';
      return wrap(prefix + '{', items, '}', indent);
    }
    function visibleLen(s) {
      return s.replace(/\x1b\[\d+m/g, '').length;
    }
    function wrap(open, items, close, indent, noBreakOnEmpty, group) {
      if (!items.length) return open + close;
      const total = items.reduce((a, s) => a + visibleLen(s) + 2, open.length);
      if (total + indent <= 72 && !items.some((s) => s.includes('\n'))) {
        return open + ' ' + items.join(', ') + ' ' + close;
      }
      const pad = ' '.repeat(indent + 2);
      if (group && items.length > 6 && items.every((s) => !s.includes('\n'))) {
        const w = Math.max(...items.map(visibleLen)) + 2;
        const perLine = Math.max(1, Math.min(16, Math.floor((80 - indent - 2) / w)));
        if (perLine > 1) {
          const lines = [];
          for (let i = 0; i < items.length; i += perLine) {
            lines.push(items.slice(i, i + perLine).map((s, j, a) => (j < a.length - 1 || i + perLine < items.length ? s + ',' : s).padEnd(j < a.length - 1 ? w : 0)).join('').trimEnd());
          }
          return open + '\n' + lines.map((l) => pad + l).join('\n') + '\n' + ' '.repeat(indent) + close;
        }
      }
      return open + '\n' + items.map((s) => pad + s).join(',\n') + '\n' + ' '.repeat(indent) + close;
    }
    return fmt(value, 0, 0);
  }

  // format(...args): console.log's formatting (printf-like %s %d %i %f %j
  // %o %O %% when the first argument is a string), as Node's util.format.
  function format(...args) {
    const str = (a) => (typeof a === 'string' ? a : inspect(a));
    const first = args[0];
    if (typeof first !== 'string' || args.length < 2 || !first.includes('%')) return args.map(str).join(' ');
    let rest = 1;
    let out = first.replace(/%[sdifjoOc%]/g, (m) => {
      if (m === '%%') return '%';
      if (rest >= args.length) return m;
      const a = args[rest++];
      switch (m) {
        case '%s': return typeof a === 'string' ? a : typeof a === 'bigint' ? a + 'n' : (a !== null && typeof a === 'object') ? inspect(a, { depth: 1 }) : String(a);
        case '%d': case '%i': {
          if (typeof a === 'bigint') return a + 'n';
          const n = Number(a);
          return String(m === '%i' ? Math.trunc(n) : n);
        }
        case '%f': return String(parseFloat(a));
        case '%j': try { return JSON.stringify(a); } catch (e) { return '[Circular]'; }
        case '%o': case '%O': return inspect(a, { depth: m === '%o' ? 4 : 2 });
      }
      return '';
    });
    for (let i = rest; i < args.length; i++) out += ' ' + str(args[i]);
    return out;
  }

  return { inspect, format, cleanStack };
})
