// Package ipc carries forkjs values and synchronisation between processes.
//
// It has three parts, each independent of the others:
//
//   - A value codec (Codec, codec*.go) that turns a goja value into CBOR
//     bytes and back with the semantics of the HTML structured clone
//     algorithm: the rule SPEC.md gives for everything sent through a
//     multiprocessing Queue, Pipe or Pool. The wire format is described in
//     codec_format.go.
//   - Length-prefixed framing over file descriptors (framing.go), the
//     transport of multiprocessing.Queue and Connection, with cancellable
//     blocking reads so that Ctrl-C interrupts every wait.
//   - Cross-process synchronisation primitives and shared byte regions in a
//     memfd mapped MAP_SHARED (shm*.go): Lock, RLock, Semaphore,
//     BoundedSemaphore, Event, Condition, Barrier and the storage behind
//     multiprocessing.Value and Array. They wait on futexes, so a process
//     that inherits the memfd (forkjs passes descriptors at their own numbers
//     to re-executed children) can Attach to them from a small descriptor.
//   - Ring (shm_ring.go), a queue of frames in shared memory: the same
//     frames as on a pipe without a syscall per message, for Queues that
//     must go faster than pipes allow.
//
// Nothing in this package touches the event loop or the journal; the
// bindings that expose these objects to scripts decide what is journaled.
// Like a goja.Runtime, a Codec belongs to the goroutine that owns its
// runtime; the framing and shared-memory parts are safe for concurrent use
// as documented on each type.
package ipc
