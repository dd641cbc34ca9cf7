// multiprocessing.Pipe and Connection, as Python's
// multiprocessing/connection.py: messages are whole values (send/recv,
// structured clone) or whole byte strings (send_bytes/recv_bytes).
(function (native, internal, exports) {
  'use strict';
  const { C, bind, hide } = internal;

  // Connection: one end of a Pipe. Not constructed by scripts.
  function Connection(id) {
    hide(this, { _id: id });
  }
  Object.assign(Connection.prototype, {
    // send(obj): sends one value (TypeError if it cannot be sent; nothing
    // is written then). Blocks while the pipe is full. OSError if this
    // end is closed or read-only; BrokenPipeError if the other end is
    // closed everywhere.
    send(...argv) {
      const a = bind('send', argv, 1, ['obj']);
      internal.checkSendable(a.obj);
      native.conn_send(this._id, a.obj);
    },
    // recv(): the next value; blocks until one arrives. EOFError when the
    // other end is closed everywhere and nothing is left.
    recv() {
      return native.conn_recv(this._id);
    },
    // send_bytes(buf, offset=0, size=null): sends buf (Bytes, a typed
    // array, ArrayBuffer or string) or the part [offset, offset+size).
    send_bytes(...argv) {
      const a = bind('send_bytes', argv, 1, ['buf', 'offset', 'size']);
      let buf = a.buf;
      if (typeof buf === 'string') buf = new native.Bytes(buf);
      if (buf instanceof ArrayBuffer) buf = new Uint8Array(buf);
      if (!ArrayBuffer.isView(buf)) {
        throw new C.TypeError(`a bytes-like object is required, not '${buf === null ? 'NoneType' : typeof buf}'`);
      }
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      const n = bytes.length;
      const offset = a.offset === undefined ? 0 : a.offset;
      if (offset < 0) throw new C.ValueError('offset is negative');
      if (n < offset) throw new C.ValueError('buffer length < offset');
      let size = a.size;
      if (size === undefined || size === null) size = n - offset;
      else if (size < 0) throw new C.ValueError('size is negative');
      else if (offset + size > n) throw new C.ValueError('buffer length < offset + size');
      native.conn_send_bytes(this._id, bytes.subarray(offset, offset + size));
    },
    // recv_bytes(maxlength=null): the next message as Bytes. OSError
    // "bad message length" if it is longer than maxlength.
    recv_bytes(...argv) {
      const a = bind('recv_bytes', argv, 0, ['maxlength']);
      if (a.maxlength !== undefined && a.maxlength !== null && a.maxlength < 0) {
        throw new C.ValueError('negative maxlength');
      }
      return native.conn_recv_bytes(this._id, a.maxlength === undefined ? null : a.maxlength);
    },
    // recv_bytes_into(buf, offset=0): reads the next message into buf at
    // offset and returns its length; BufferTooShort (holding the whole
    // message as args[0]) if it does not fit.
    recv_bytes_into(...argv) {
      const a = bind('recv_bytes_into', argv, 1, ['buf', 'offset']);
      const buf = a.buf;
      if (!ArrayBuffer.isView(buf)) throw new C.TypeError('a writable bytes-like object is required');
      const view = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      const offset = a.offset === undefined ? 0 : a.offset;
      if (offset < 0 || offset > view.length) throw new C.ValueError(offset < 0 ? 'negative offset' : 'offset too large');
      const msg = native.conn_recv_bytes(this._id, null);
      if (msg.length > view.length - offset) throw new C.BufferTooShort(msg);
      view.set(msg, offset);
      return msg.length;
    },
    // poll(timeout=0): whether data (or end of file) is ready within
    // timeout seconds; null waits as long as it takes.
    poll(...argv) {
      const a = bind('poll', argv, 0, ['timeout']);
      const t = a.timeout === undefined ? 0 : internal.timeout(a.timeout, 'poll');
      return native.conn_poll(this._id, t);
    },
    // close(): closes this end in this process.
    close() { native.conn_close(this._id); },
    // fileno(): the descriptor.
    fileno() { return native.conn_fileno(this._id); },
    toString() { return `<Connection fd=${native.conn_closed(this._id) ? 'closed' : native.conn_fileno(this._id)}>`; },
  });
  Object.defineProperty(Connection.prototype, 'closed', { get() { return native.conn_closed(this._id); } });
  Object.defineProperty(Connection.prototype, 'readable', { get() { return native.conn_flags(this._id)[0]; } });
  Object.defineProperty(Connection.prototype, 'writable', { get() { return native.conn_flags(this._id)[1]; } });

  // Pipe(duplex=true) -> [conn1, conn2]: a pair of connected ends. With
  // duplex false, conn1 only receives and conn2 only sends.
  function Pipe(...argv) {
    const a = bind('Pipe', argv, 0, ['duplex']);
    const duplex = a.duplex === undefined ? true : !!a.duplex;
    const [x, y] = native.pipe(duplex);
    return [new Connection(x), new Connection(y)];
  }
  internal.markInheritOnly(Connection);
  exports.Pipe = Pipe;
  internal.Connection = Connection;
});
