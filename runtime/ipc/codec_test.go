package ipc

import (
	"testing"
)

func TestCodecPrimitives(t *testing.T) {
	env := newTestEnv(t)
	env.run("primitives", `
	const vals = [undefined, null, true, false, 0, -0, 1, -1, 23, 24, 255, 256, 65536, -65537,
		2**31, 2**32, 2**53, -(2**53), 2**53 + 2, 2**64, 1.5, -1.25, 0.1, 1e308, 5e-324, -5e-324,
		NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE];
	for (const v of vals) same(roundtrip(v), v, 'roundtrip of ' + v);
	same(typeof roundtrip(undefined), 'undefined', 'undefined stays undefined');
	same(roundtrip(null), null, 'null stays null');
	`)
}

func TestCodecBigInt(t *testing.T) {
	env := newTestEnv(t)
	env.run("bigint", `
	const vals = [0n, 1n, -1n, 255n, 256n, -256n, -257n, 2n**64n, -(2n**64n), 2n**200n + 7n, -(2n**200n) - 7n];
	for (const v of vals) {
		const r = roundtrip(v);
		same(typeof r, 'bigint', 'type of ' + v);
		same(r, v, 'value of ' + v);
	}
	same(typeof roundtrip(1), 'number', '1 stays a number, not a bigint');
	same(encodeHex(1n), 'c24101', 'tag 2 bignum');
	same(encodeHex(-1n), 'c340', 'tag 3 bignum: -1 is -1-0');
	same(encodeHex(0n), 'c240', 'zero bignum');
	`)
}

func TestCodecStrings(t *testing.T) {
	env := newTestEnv(t)
	env.run("strings", `
	const vals = ['', 'x', 'hello world, a string longer than sixteen bytes', 'héllo', '日本語', '😀', 'a😀b',
		'\uFFFD', 'x\uFFFDy', '\uD800', '\uDC00', 'a\uD800b', 'a\uDC00\uD800b', '\uD83D', '😀\uD83D', 'x'.repeat(100000)];
	for (const v of vals) {
		const r = roundtrip(v);
		same(r.length, v.length, 'length of ' + JSON.stringify(v));
		for (let i = 0; i < v.length; i++) {
			if (r.charCodeAt(i) !== v.charCodeAt(i)) same(r.charCodeAt(i), v.charCodeAt(i), 'code unit ' + i + ' of ' + JSON.stringify(v));
		}
		same(r, v, 'string ' + JSON.stringify(v));
	}
	same(encodeHex('x'), '6178', 'text string');
	assert(encodeHex('\uD800').startsWith('d81b82'), 'lone surrogate uses tag 27');
	`)
}

func TestCodecObjects(t *testing.T) {
	env := newTestEnv(t)
	env.run("objects", `
	const o = {b: 1, a: 'x', 2: 'two', 1: 'one', nested: {deep: {deeper: [1, {z: null}]}}, u: undefined};
	const r = roundtrip(o);
	same(keys(r), keys(o), 'key order');
	same(r.nested.deep.deeper[1].z, null, 'nested');
	assert('u' in r && r.u === undefined, 'undefined property kept');
	same(Object.getPrototypeOf(r), Object.prototype, 'plain prototype');

	const p = JSON.parse('{"__proto__": {"polluted": 1}, "x": 1}');
	const rp = roundtrip(p);
	same(Object.getPrototypeOf(rp), Object.prototype, '__proto__ key does not change the prototype');
	same(rp.polluted, undefined, 'no pollution');
	assert(Object.prototype.hasOwnProperty.call(rp, '__proto__'), '__proto__ is an own property');
	same(({}).polluted, undefined, 'Object.prototype untouched');

	class Point { constructor() { this.x = 1; this.y = 2; } norm() { return 0; } }
	const rpt = roundtrip(new Point());
	same(Object.getPrototypeOf(rpt), Object.prototype, 'class instance arrives as a plain object');
	same(keys(rpt), '["x","y"]', 'own props kept');
	same(rpt.norm, undefined, 'methods not sent');

	const hidden = {a: 1};
	Object.defineProperty(hidden, 'h', {value: 2, enumerable: false});
	hidden[Symbol('s')] = 3;
	same(keys(roundtrip(hidden)), '["a"]', 'non-enumerable and symbol keys dropped');

	const getter = {get g() { return 42; }};
	same(roundtrip(getter).g, 42, 'getter value sent');
	same(Object.getOwnPropertyDescriptor(roundtrip(getter), 'g').value, 42, 'as a data property');

	same(encodeHex({i: 1, s: 'x', a: [1, 2]}), 'a36169016173617861618201' + '02', 'small dict wire format');
	const nul = Object.create(null); nul.k = 1;
	same(roundtrip(nul).k, 1, 'null-prototype object');
	const args = (function () { return arguments; })(1, 2);
	same(keys(roundtrip(args)), '["0","1"]', 'arguments as a plain object');
	`)
}

func TestCodecArrays(t *testing.T) {
	env := newTestEnv(t)
	env.run("arrays", `
	const a = [1, 'two', [3, [4]], {five: 5}, null, undefined];
	const r = roundtrip(a);
	assert(Array.isArray(r), 'is an array');
	same(r.length, 6, 'length');
	same(r[2][1][0], 4, 'nested');
	assert(5 in r && r[5] === undefined, 'undefined element kept (not a hole)');

	const holes = [1, , 3];
	holes.extra = 'x';
	const rh = roundtrip(holes);
	same(rh.length, 3, 'holey length');
	assert(!(1 in rh), 'hole kept');
	same(rh[2], 3, 'after hole');
	same(rh.extra, 'x', 'holey array keeps named properties');

	const sparse = [];
	sparse[1e9] = 'far';
	sparse.name = 'n';
	const rs = roundtrip(sparse);
	same(rs.length, 1e9 + 1, 'sparse length');
	same(rs[1e9], 'far', 'sparse element');
	same(Object.keys(rs).length, 2, 'only the present keys');
	assert(encodeHex(sparse).length < 100, 'sparse array encodes small');

	const big = [];
	for (let i = 0; i < 70000; i++) big.push(i);
	const rb = roundtrip(big);
	same(rb.length, 70000, 'long dense array');
	same(rb[69999], 69999, 'last element');

	const dense = [1, 2];
	dense.extra = 'dropped';
	same(roundtrip(dense).extra, undefined, 'documented: named props of a dense array are dropped');
	same(roundtrip([]).length, 0, 'empty');
	const len = [];
	len.length = 5;
	same(roundtrip(len).length, 5, 'all-hole array keeps length');
	assert(!(0 in roundtrip(len)), 'all holes');
	`)
}

func TestCodecMapSet(t *testing.T) {
	env := newTestEnv(t)
	env.run("mapset", `
	const k = {key: true};
	const m = new Map([['b', 1], ['a', 2], [3, 'three'], [k, 'obj'], [NaN, 'nan'], [-0, 'zero']]);
	const r = roundtrip(m);
	assert(r instanceof Map, 'is a Map');
	same(JSON.stringify([...r.keys()].map(String)), JSON.stringify([...m.keys()].map(String)), 'insertion order');
	same(r.get('a'), 2, 'string key');
	same(r.get(3), 'three', 'number key');
	same(r.get(NaN), 'nan', 'NaN key');
	same(r.get(0), 'zero', 'zero key');
	const rk = [...r.keys()][3];
	same(rk.key, true, 'object key copied');
	same(r.get(rk), 'obj', 'object key maps to its value');

	const s = new Set([3, 1, 'x', k]);
	const rs = roundtrip(s);
	assert(rs instanceof Set, 'is a Set');
	same(JSON.stringify([...rs].slice(0, 3)), '[3,1,"x"]', 'set order');
	same(rs.size, 4, 'set size');
	same(roundtrip(new Map()).size, 0, 'empty map');

	const both = {m: new Map([['k', k]]), s: new Set([k])};
	const rb = roundtrip(both);
	same(rb.m.get('k'), [...rb.s][0], 'object shared between a Map and a Set');
	`)
}

func TestCodecDates(t *testing.T) {
	env := newTestEnv(t)
	env.run("dates", `
	const ms = [0, 1, -1, 1000, 1700000000000, 1700000000123, -1700000000123, 8.64e15, -8.64e15, 8.64e15 - 1, 123456789012345];
	for (const x of ms) {
		const r = roundtrip(new Date(x));
		assert(r instanceof Date, 'is a Date');
		same(r.getTime(), x, 'time ' + x);
	}
	same(roundtrip(new Date(NaN)).getTime(), NaN, 'invalid date');
	same(encodeHex(new Date(1000)), 'c101', 'tag 1 with integer seconds');
	`)
}

func TestCodecRegExp(t *testing.T) {
	env := newTestEnv(t)
	env.run("regexp", `
	for (const re of [/a+b/gi, /x\/y/, /^\d{2,}$/m, new RegExp('[a-z]', 'suy'), /(?:)/]) {
		re.lastIndex = 3;
		const r = roundtrip(re);
		assert(r instanceof RegExp, 'is a RegExp');
		same(r.source, re.source, 'source');
		same(r.flags, re.flags, 'flags');
		same(r.lastIndex, 0, 'lastIndex is not sent (as in structured clone)');
	}
	`)
}

func TestCodecBinary(t *testing.T) {
	env := newTestEnv(t)
	env.run("binary", `
	const b = new Bytes([104, 105]);
	const rb = roundtrip(b);
	assert(rb instanceof Bytes, 'Bytes stays Bytes');
	same(rb.decode(), 'hi', 'Bytes content');
	same(encodeHex(b), '426869', 'Bytes is a CBOR byte string');

	const u8 = new Uint8Array([1, 2, 255]);
	const ru8 = roundtrip(u8);
	assert(!(ru8 instanceof Bytes) && ru8 instanceof Uint8Array, 'Uint8Array stays Uint8Array');
	same(encodeHex(u8), 'd84043' + '0102ff', 'tag 64');

	const kinds = {
		Uint8ClampedArray: [0, 255, 7], Int8Array: [-128, 127, 0], Uint16Array: [0, 65535, 258],
		Int16Array: [-32768, 32767, -2], Uint32Array: [0, 4294967295, 65536], Int32Array: [-2147483648, 2147483647, -7],
		Float32Array: [1.5, -0.25, Infinity], Float64Array: [Math.PI, -0, NaN],
		BigInt64Array: [-(2n**63n), 2n**63n - 1n, -1n], BigUint64Array: [0n, 2n**64n - 1n, 5n],
	};
	for (const [name, vals] of Object.entries(kinds)) {
		const C = globalThis[name];
		const r = roundtrip(new C(vals));
		same(Object.getPrototypeOf(r), C.prototype, name + ' keeps its type');
		same(r.length, vals.length, name + ' length');
		for (let i = 0; i < vals.length; i++) same(r[i], vals[i], name + '[' + i + ']');
	}

	const buf = new ArrayBuffer(16);
	new Int32Array(buf).set([1, 2, 3, 4]);
	const view = new Int32Array(buf, 4, 2);
	const rv = roundtrip(view);
	same(rv.length, 2, 'view length');
	same(rv[0], 2, 'view content');
	same(rv.byteOffset, 0, 'view arrives with its own buffer');
	same(rv.buffer.byteLength, 8, 'only the viewed bytes travel');

	const rab = roundtrip(buf);
	assert(rab instanceof ArrayBuffer, 'ArrayBuffer');
	same(new Int32Array(rab)[3], 4, 'ArrayBuffer content');

	const dv = new DataView(buf, 8, 8);
	const rdv = roundtrip(dv);
	assert(rdv instanceof DataView, 'DataView');
	same(rdv.getInt32(0, true), 3, 'DataView content');
	same(rdv.byteLength, 8, 'DataView length');
	`)
}

func TestCodecErrors(t *testing.T) {
	env := newTestEnv(t)
	env.run("errors", `
	const te = new TypeError('bad type');
	const rte = roundtrip(te);
	assert(rte instanceof TypeError, 'TypeError class');
	same(rte.message, 'bad type', 'message');
	same(rte.stack, te.stack, 'stack of the sender');
	same(rte.name, 'TypeError', 'name');

	const oe = new FileNotFoundError('No such file');
	oe.errno = 2; oe.filename = '/nope'; oe.strerror = 'No such file or directory';
	const roe = roundtrip(oe);
	assert(roe instanceof FileNotFoundError && roe instanceof OSError, 'Python class via the hook');
	same(roe.errno, 2, 'errno extra');
	same(roe.filename, '/nope', 'filename extra');
	same(keys(roe), keys(oe), 'extras in order');
	same(roe.stack, oe.stack, 'stack');

	const ce = new Error('outer', {cause: new ValueError('inner')});
	const rce = roundtrip(ce);
	assert(rce.cause instanceof ValueError, 'cause rebuilt');
	same(rce.cause.message, 'inner', 'cause message');
	same(Object.getOwnPropertyDescriptor(rce, 'cause').enumerable, false, 'cause stays non-enumerable');

	const unk = new Error('m'); unk.name = 'WeirdError';
	const runk = roundtrip(unk);
	same(runk.name, 'WeirdError', 'unknown name kept');
	assert(runk instanceof Error, 'unknown name falls back to Error');

	const cp = new Error('exit'); cp.returncode = 3; cp.output = new Bytes([1]);
	const rcp = roundtrip(cp);
	same(rcp.returncode, 3, 'returncode');
	assert(rcp.output instanceof Bytes, 'Bytes inside an error');
	`)
}

func TestCodecBoxed(t *testing.T) {
	env := newTestEnv(t)
	env.run("boxed", `
	for (const v of [1.5, 'str', true, false, 10n]) {
		const r = roundtrip(Object(v));
		same(typeof r, 'object', 'wrapper stays an object');
		same(r.valueOf(), v, 'wrapped value');
	}
	`)
}

func TestCodecSharing(t *testing.T) {
	env := newTestEnv(t)
	env.run("sharing", `
	const a = {v: 1};
	const x = {p: a, q: a};
	const rx = roundtrip(x);
	same(rx.p, rx.q, 'shared reference survives');
	same(encodeHex(x), 'a26170d81ca161760161' + '71d81d00', 'tag 28 on the shared object, tag 29 for the reference');

	const o = {name: 'o'};
	o.self = o;
	const ro = roundtrip(o);
	same(ro.self, ro, 'self cycle');

	const arr = [1];
	arr.push(arr);
	const ra = roundtrip(arr);
	same(ra[1], ra, 'array cycle');
	same(ra[0], 1, 'array cycle content');

	const m = new Map();
	m.set('me', m);
	m.set(m, 'key is me');
	const rm = roundtrip(m);
	same(rm.get('me'), rm, 'map cycle through a value');
	same(rm.get(rm), 'key is me', 'map cycle through a key');

	const s = new Set();
	s.add(s);
	const rs = roundtrip(s);
	same([...rs][0], rs, 'set cycle');

	const e = new Error('loop');
	e.self = e;
	const re = roundtrip(e);
	same(re.self, re, 'error cycle');

	const d = new Date(5);
	const u8 = new Uint8Array([1]);
	const b = new Bytes([2]);
	const rd = roundtrip([d, d, u8, u8, b, b]);
	same(rd[0], rd[1], 'shared Date');
	same(rd[2], rd[3], 'shared typed array');
	same(rd[4], rd[5], 'shared Bytes');

	// Many objects, so the encoder switches from a list to a map, and
	// references whose final index differs from their ordinal.
	const objs = [];
	for (let i = 0; i < 40; i++) objs.push({i});
	const refs = [];
	for (let i = 39; i >= 0; i -= 3) refs.push(objs[i]);
	const r = roundtrip({objs, refs, again: objs});
	same(r.again, r.objs, 'shared array');
	for (let j = 0, i = 39; i >= 0; i -= 3, j++) same(r.refs[j], r.objs[i], 'reference ' + i);
	same(r.objs[5].i, 5, 'content');
	const distinct = new Set(r.objs);
	same(distinct.size, 40, 'unshared objects stay distinct');

	// Same content, different identity: must not be merged.
	const twins = roundtrip([{}, {}]);
	assert(twins[0] !== twins[1], 'equal but distinct objects stay distinct');

	// Deep chain with a cycle back to the root.
	const root = {};
	let cur = root;
	for (let i = 0; i < 100; i++) { cur.next = {}; cur = cur.next; }
	cur.next = root;
	const rr = roundtrip(root);
	let c = rr;
	for (let i = 0; i < 101; i++) c = c.next;
	same(c, rr, 'long cycle');
	`)
}

func TestCodecUnsendable(t *testing.T) {
	env := newTestEnv(t)
	env.run("unsendable", `
	function expect(v, root, want) {
		const msg = sendError(v, root);
		assert(msg !== null, 'expected an error for ' + want);
		assert(msg === want || msg.startsWith(want), 'got ' + JSON.stringify(msg) + ', want prefix ' + JSON.stringify(want));
	}
	expect([1, {cb: function () {}}], 'args',
		'cannot send function at args[1].cb: functions cannot be sent between processes (only a top-level named function can be passed to a Pool by name)');
	expect({f: () => 1}, 'value', 'cannot send function at value.f');
	expect({g: async function () {}}, 'value', 'cannot send function at value.g');
	expect({'odd key': Symbol('s')}, 'value', 'cannot send symbol at value["odd key"]');
	expect({p: Promise.resolve(1)}, 'value', 'cannot send Promise at value.p');
	expect({w: new WeakMap()}, 'value', 'cannot send WeakMap at value.w');
	expect({w: new WeakSet()}, 'value', 'cannot send WeakSet at value.w');
	expect({p: new Proxy({}, {})}, 'value', 'cannot send Proxy at value.p');
	expect(new Proxy(function () {}, {}), 'value', 'cannot send Proxy at value');
	expect({g: (function* () {})()}, 'value', 'cannot send iterator at value.g');
	expect({it: new Map().entries()}, 'value', 'cannot send iterator at value.it');
	expect({it: [1][Symbol.iterator]()}, 'value', 'cannot send iterator at value.it');
	expect({m: new Map([['k', () => 1]])}, 'value', 'cannot send function at value.m.get("k")');
	expect({m: new Map([[Symbol.iterator, 1]])}, 'value', 'cannot send symbol at value.m.keys()[0]');
	expect(new Set([1, Math.max]), 'value', 'cannot send function at value.values()[1]');
	expect([[, , () => 1]], 'a', 'cannot send function at a[0][2]');
	expect(Object(Symbol()), 'value', 'cannot send Symbol object at value');
	const e = new Error('x'); e.bad = function () {};
	expect(e, 'err', 'cannot send function at err.bad');

	let deep = {};
	for (let i = 0; i < 600; i++) deep = {d: deep};
	expect(deep, 'value', 'cannot send object nested too deeply at value.d.d.d');
	let ok = {};
	for (let i = 0; i < 500; i++) ok = {d: ok};
	same(sendError(ok, 'value'), null, '500 levels are fine');

	const thrower = {get boom() { throw new RangeError('getter failed'); }};
	let caught = null;
	try { roundtrip(thrower); } catch (err) { caught = err; }
	assert(caught !== null && String(caught).includes('getter failed'), 'a throwing getter surfaces its exception: ' + caught);
	`)
}

func TestCodecReuse(t *testing.T) {
	// Scratch state must not leak between messages: a shared object in
	// one message must not make a later message refer back to it.
	env := newTestEnv(t)
	env.run("reuse", `
	const a = {v: 1};
	roundtrip({p: a, q: a});
	const r = roundtrip({p: a});
	same(r.p.v, 1, 'second message independent of the first');
	same(encodeHex({p: a}), 'a16170a1617601', 'no sharing tags left over');
	sendError({f() {}}, 'value');
	same(roundtrip([1, 2]).length, 2, 'usable after an error');
	`)
}

// The codec captures the built-ins it uses on first use: patching them
// after that changes nothing that is sent or received.
func TestCodecCapturesBuiltinsOnFirstUse(t *testing.T) {
	env := newTestEnv(t)
	env.run("patch", `
		same(roundtrip(1), 1, 'first use');
		const m = new Map([[1, 'a'], ['b', [2, 3]]]);
		Map.prototype.forEach = function () { throw new Error('patched forEach ran'); };
		Map.prototype.set = function () { throw new Error('patched set ran'); };
		Array.prototype.push = function () { throw new Error('patched push ran'); };
		const a = [m, m];
		const back = roundtrip(a);
		same(back[0], back[1], 'shared reference');
		same(back[0].size, 2, 'size');
		same(back[0].get(1), 'a', 'entry');
		same(back[0].get('b')[1], 3, 'nested array');
	`)
}

// Decoding creates own data properties, as structured clone's
// CreateDataProperty does: a setter or a read-only property of the same
// name on Object.prototype neither runs nor hides the value.
func TestDecodeDefinesOwnProperties(t *testing.T) {
	env := newTestEnv(t)
	env.run("proto", `
		let ran = 0;
		const enc = roundtrip; // captures the built-ins first
		same(enc(1), 1, 'first use');
		Object.defineProperty(Object.prototype, 'x', { set(v) { ran++; }, get() { return 'proto'; }, configurable: true });
		Object.defineProperty(Object.prototype, 'y', { value: 'ro', writable: false, configurable: true });
		const back = enc({ x: 1, y: 2, z: 3 });
		delete Object.prototype.x;
		delete Object.prototype.y;
		same(ran, 0, 'setters run');
		same(keys(back), '["x","y","z"]', 'own keys');
		same(back.x, 1, 'x');
		same(back.y, 2, 'y');
	`)
}
