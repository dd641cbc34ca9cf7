// multiprocessing.Queue, JoinableQueue and SimpleQueue, as Python's
// multiprocessing/queues.py. A put encodes the value at once (so a value
// that cannot be sent raises TypeError there, and later changes to the
// object are not sent) and hands it to this process's feeder, which writes
// it into the queue's shared memory in the background: put returns before
// the value is in the queue, as with Python's feeder thread.
//
// Joining processes that use queues (Python's warning, which applies
// unchanged): a process that has put items on a queue waits, before it
// exits, until its feeder has written them all into the queue. If nobody
// gets them and the queue's shared buffer (256 KiB) is full, that process
// does not exit, and a parent joining it waits forever. Get the items
// before joining the producer, or call cancel_join_thread() in the
// producer (its unwritten items are then lost).
(function (native, internal, exports) {
  'use strict';
  const { C, bind, hide } = internal;
  const KIND_QUEUE = 0, KIND_JOINABLE = 1, KIND_SIMPLE = 2;

  // Queue(maxsize=0): a process-safe FIFO queue; maxsize > 0 bounds the
  // number of items in it (put blocks, or raises queue.Full).
  function Queue(...argv) {
    if (!(this instanceof Queue)) return new Queue(...argv);
    const a = bind('Queue', argv, 0, ['maxsize'], ['ctx']);
    let maxsize = a.maxsize === undefined || a.maxsize === null ? 0 : a.maxsize;
    if (typeof maxsize === 'bigint') maxsize = Number(maxsize);
    if (typeof maxsize !== 'number' || !Number.isInteger(maxsize)) {
      throw new C.TypeError(`Queue(): maxsize must be an integer, not ${typeof maxsize}`);
    }
    hide(this, { _id: native.queue_new(this instanceof JoinableQueue ? KIND_JOINABLE : KIND_QUEUE, maxsize), _maxsize: maxsize });
  }

  Object.assign(Queue.prototype, {
    // put(obj, block=true, timeout=null): adds obj. With block false, or
    // after timeout seconds, raises queue.Full if the queue is at
    // maxsize. ValueError after close(); TypeError if obj cannot be sent.
    put(obj, block, timeout) {
      if (block === undefined && timeout === undefined) {
        internal.checkSendable(obj);
        native.queue_put(this._id, obj, true, null);
        return;
      }
      const a = bind('put', [obj, block, timeout], 1, ['obj', 'block', 'timeout']);
      internal.checkSendable(a.obj);
      native.queue_put(this._id, a.obj, a.block === undefined ? true : !!a.block, internal.timeout(a.timeout, 'put'));
    },
    // get(block=true, timeout=null): removes and returns the next item.
    // With block false, or after timeout seconds, raises queue.Empty if
    // there is none. Ctrl-C interrupts the wait (KeyboardInterrupt).
    get(block, timeout) {
      if (block === undefined && timeout === undefined) return native.queue_get(this._id, true, null);
      const a = bind('get', [block, timeout], 0, ['block', 'timeout']);
      return native.queue_get(this._id, a.block === undefined ? true : !!a.block, internal.timeout(a.timeout, 'get'));
    },
    // put_nowait(obj): put(obj, false).
    put_nowait(obj) {
      internal.checkSendable(obj);
      native.queue_put(this._id, obj, false, null);
    },
    // get_nowait(): get(false).
    get_nowait() { return native.queue_get(this._id, false, null); },
    // qsize(): the approximate number of items (not reliable while other
    // processes use the queue, as in Python).
    qsize() { return native.queue_qsize(this._id); },
    // empty(): whether no item is ready now (equally approximate).
    empty() { return native.queue_empty(this._id); },
    // full(): whether the queue holds maxsize items.
    full() { return native.queue_full(this._id); },
    // close(): this process will put and get no more; the feeder writes
    // what it holds and stops.
    close() { native.queue_close(this._id); },
    // join_thread(): waits until the feeder has written every item this
    // process put. (Python requires close() first; forkjs does not.)
    join_thread() { native.queue_join_thread(this._id); },
    // cancel_join_thread(): do not wait for the feeder when this process
    // exits; items not yet written are lost.
    cancel_join_thread() { native.queue_cancel_join_thread(this._id); },
    toString() { return `<${this.constructor.name} object>`; },
  });

  // JoinableQueue(maxsize=0): a Queue that also counts unfinished tasks:
  // task_done() and join().
  function JoinableQueue(...argv) {
    if (!(this instanceof JoinableQueue)) return new JoinableQueue(...argv);
    Queue.apply(this, argv);
  }
  Object.setPrototypeOf(JoinableQueue.prototype, Queue.prototype);
  Object.setPrototypeOf(JoinableQueue, Queue);
  Object.assign(JoinableQueue.prototype, {
    // task_done(): one item got earlier is processed. ValueError if called
    // more times than items were put.
    task_done() { native.queue_task_done(this._id); },
    // join(): blocks until every item put has been marked task_done().
    join() { native.queue_join(this._id); },
  });

  // SimpleQueue(): an unbounded queue without a feeder: put writes before
  // it returns, get blocks.
  function SimpleQueue(...argv) {
    if (!(this instanceof SimpleQueue)) return new SimpleQueue(...argv);
    bind('SimpleQueue', argv, 0, [], ['ctx']);
    hide(this, { _id: native.queue_new(KIND_SIMPLE, 0) });
  }
  Object.assign(SimpleQueue.prototype, {
    // put(obj): adds obj (TypeError if it cannot be sent).
    put(...argv) {
      const a = bind('put', argv, 1, ['obj']);
      internal.checkSendable(a.obj);
      native.queue_put(this._id, a.obj, true, null);
    },
    // get(): removes and returns the next item, waiting for one.
    get() { return native.queue_get(this._id, true, null); },
    // empty(): whether no item is ready now.
    empty() { return native.queue_empty(this._id); },
    // close(): closes the queue in this process.
    close() { native.queue_close(this._id); },
    toString() { return '<SimpleQueue object>'; },
  });

  internal.markInheritOnly(Queue);
  internal.markInheritOnly(SimpleQueue);
  Object.assign(exports, { Queue, JoinableQueue, SimpleQueue });
});
