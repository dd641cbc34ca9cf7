package engine

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// The journal is a sequence of entries, each a kind byte followed by its
// fields. Integers are varints; strings and payloads are a uvarint length
// and the bytes; payloads are CBOR. Names (host function names and source
// file names) are interned: the first use emits a kindName entry, and later
// entries refer to the name by index. kindName entries do not count as
// entries for indices in divergence messages.
const (
	kindName     byte = 1 // str: defines the next name index
	kindHeader   byte = 2 // payload: header (CBOR)
	kindCall     byte = 3 // name, argsHash u32, site (file, line, col), status, payload
	kindDispatch byte = 4 // callback id, status, payload
	kindRun      byte = 5 // name, source: top-level code run by the host
	kindClock    byte = 6 // varint: wall clock, Unix nanoseconds
)

// status of a call or dispatch outcome.
const (
	statusOK  byte = 0
	statusErr byte = 1
)

// site is a JS call site.
type site struct {
	file      string
	line, col int
}

func (s site) String() string {
	if s.file == "" {
		return "<native>"
	}
	return fmt.Sprintf("%s:%d:%d", s.file, s.line, s.col)
}

// entry is one decoded journal entry; payload aliases the journal bytes.
type entry struct {
	index    int
	kind     byte
	name     string
	argsHash uint32
	site     site
	status   byte
	id       uint64
	payload  []byte
	clock    int64
}

func (e *entry) describe() string {
	switch e.kind {
	case kindCall:
		return fmt.Sprintf("call %s(args #%08x) at %s", e.name, e.argsHash, e.site)
	case kindDispatch:
		return fmt.Sprintf("dispatch of callback %d", e.id)
	case kindRun:
		return fmt.Sprintf("run of %s", e.name)
	case kindClock:
		return "clock read"
	case kindHeader:
		return "header"
	}
	return fmt.Sprintf("entry kind %d", e.kind)
}

// journalWriter appends entries. Entries collect in buf and go to the memfd
// when buf grows large or at a fork, so a fork writes only the new part.
type journalWriter struct {
	// mu guards the fields up to the blank line: the tail flush, on a
	// timer goroutine, uses them while holding it, and the JS thread
	// changes them only while holding it. The rest is the JS thread's.
	mu   sync.Mutex
	buf  []byte
	fd   int   // memfd, -1 until the first flush
	size int64 // bytes already in the memfd
	// off: the journal outgrew maxJournal and was dropped; the runtime can
	// no longer fork (Fork says so) but runs on without the memory.
	off       bool
	followers []int // control sockets of the spares told of flushes
	followOK  bool  // spares may follow now (forker.mayFollow)
	tailArmed bool
	tail      *time.Timer // runs tailFlush
	offNow    bool        // went off in a locked section: call onOff after it
	followNow bool        // flushed in a locked section: call followed after it
	lastFlush int64       // monotonic ns: paces flushes for a following spare

	names   map[string]uint64
	entries int

	max   int64
	onOff func() // called once when the journal is dropped

	// followed is called after a flush when a spare follows the journal.
	followed func()

	// prefix: a forked child's journal starts with its parent's (a shared
	// mapping of the parent's memfd, or a copy in a spare), written into
	// the child's own memfd at its first flush rather than at start-up;
	// most children never fork.
	prefix       []byte
	prefixMapped bool
}

func newJournalWriter() *journalWriter {
	return &journalWriter{names: map[string]uint64{}, fd: -1, buf: make([]byte, 0, 4096), max: maxJournal()}
}

func (w *journalWriter) uvarint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }
func (w *journalWriter) varint(v int64)   { w.buf = binary.AppendVarint(w.buf, v) }
func (w *journalWriter) bytes(b []byte) {
	w.uvarint(uint64(len(b)))
	w.buf = append(w.buf, b...)
}

func (w *journalWriter) name(s string) uint64 {
	if i, ok := w.names[s]; ok {
		return i
	}
	i := uint64(len(w.names))
	w.names[s] = i
	w.buf = append(w.buf, kindName)
	w.uvarint(uint64(len(s)))
	w.buf = append(w.buf, s...)
	return i
}

func (w *journalWriter) call(name string, argsHash uint32, s site, status byte, payload []byte) {
	w.callParts(name, argsHash, s, status, payload, nil)
}

// bigBody is the size from which a payload's body goes straight from the
// caller's slice to the memfd instead of through buf: large reads cost one
// copy into the journal, not three.
const bigBody = 16 << 10

// callParts writes a call whose payload is head followed by body.
func (w *journalWriter) callParts(name string, argsHash uint32, s site, status byte, head, body []byte) {
	if w.off {
		return
	}
	w.mu.Lock()
	defer w.unlock()
	n := w.name(name)
	f := w.name(s.file)
	w.buf = append(w.buf, kindCall)
	w.uvarint(n)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, argsHash)
	w.uvarint(f)
	w.uvarint(uint64(s.line))
	w.uvarint(uint64(s.col))
	w.buf = append(w.buf, status)
	w.uvarint(uint64(len(head) + len(body)))
	w.buf = append(w.buf, head...)
	w.entries++
	if len(body) >= bigBody {
		if err := w.flushWith(body); err != nil {
			panic(fmt.Errorf("forkjs: journal: %w", err))
		}
		return
	}
	w.buf = append(w.buf, body...)
	w.maybeSpill()
}

func (w *journalWriter) dispatch(id uint64, status byte, payload []byte) {
	if w.off {
		return
	}
	w.mu.Lock()
	defer w.unlock()
	w.buf = append(w.buf, kindDispatch)
	w.uvarint(id)
	w.buf = append(w.buf, status)
	w.bytes(payload)
	w.entries++
	w.maybeSpill()
}

func (w *journalWriter) run(name string, src []byte) {
	if w.off {
		return
	}
	w.mu.Lock()
	defer w.unlock()
	n := w.name(name)
	w.buf = append(w.buf, kindRun)
	w.uvarint(n)
	w.bytes(src)
	w.entries++
	w.maybeSpill()
}

func (w *journalWriter) header(payload []byte) {
	w.mu.Lock()
	defer w.unlock()
	w.buf = append(w.buf, kindHeader)
	w.bytes(payload)
	w.entries++
}

func (w *journalWriter) clock(ns int64) {
	if w.off {
		return
	}
	w.mu.Lock()
	defer w.unlock()
	w.buf = append(w.buf, kindClock)
	w.varint(ns)
	w.entries++
	w.maybeSpill() // a loop that only reads the clock is followed too
}

// maxJournal is the most journal a runtime keeps (FORKJS_JOURNAL_MAX
// bytes, default a quarter of RAM, at most 4 GiB). The journal holds
// everything the script read, so a long-running script that never forks
// would otherwise grow without bound.
func maxJournal() int64 {
	if v := os.Getenv("FORKJS_JOURNAL_MAX"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return n
		}
	}
	limit := int64(4 << 30)
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		if q := int64(si.Totalram) * int64(si.Unit) / 4; q > 0 && q < limit {
			limit = q
		}
	}
	return limit
}

// release frees the journal's memory (Runtime.Close).
func (w *journalWriter) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
	if w.prefix != nil && w.prefixMapped {
		unix.Munmap(w.prefix)
	}
	w.prefix, w.buf, w.off = nil, nil, true
}

// spillSize bounds the journal bytes kept on the Go heap; beyond it they
// move to the memfd, which lives outside the garbage-collected heap.
const spillSize = 1 << 20

// followEvery is how often (ns) a followed journal is flushed, so that the
// spare replays the parent's work as it happens.
const followEvery = 2e6

// tailDelay is how long an entry may wait in buf, while a spare follows,
// before the tail flush writes it: a spare is at most this far behind a
// parent computing without host calls, and a parent that makes its next
// host call sooner (a loop of forks) costs no extra flush or wake-up.
const tailDelay = 10 * time.Millisecond

func (w *journalWriter) maybeSpill() {
	if len(w.buf) >= spillSize {
		if err := w.flushWith(nil); err != nil {
			panic(fmt.Errorf("forkjs: journal: %w", err))
		}
		w.followNow = true
		return
	}
	if w.followed != nil {
		if now := Monotonic(); now-w.lastFlush >= followEvery {
			w.lastFlush = now
			if err := w.flushWith(nil); err != nil {
				panic(fmt.Errorf("forkjs: journal: %w", err))
			}
			w.followNow = true
		} else if !w.tailArmed {
			// The script may now compute for a long time without another
			// host call: flush this tail later, so that the spare does
			// not wait at its last entry meanwhile.
			w.tailArmed = true
			if w.tail == nil {
				w.tail = time.AfterFunc(tailDelay, w.tailFlush)
			} else {
				w.tail.Reset(tailDelay)
			}
		}
	}
}

// unlock releases mu, then calls what the locked section asked for (they
// may take mu themselves).
func (w *journalWriter) unlock() {
	off, follow := w.offNow, w.followNow
	w.offNow, w.followNow = false, false
	w.mu.Unlock()
	if off && w.onOff != nil {
		w.onOff()
	}
	if follow && w.followed != nil {
		w.followed()
	}
}

// tailFlush (timer goroutine) writes what the JS thread left in buf and
// tells the following spares the new length ('X' message, as follow).
// It never drops the journal: that is left to the JS thread.
func (w *journalWriter) tailFlush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tailArmed = false
	if w.off || w.fd < 0 || len(w.buf) == 0 || w.size+int64(len(w.buf)) > w.max {
		return
	}
	// Flushed even with no spare ready yet: one still starting is told
	// the length when its exec finishes (addFollower).
	if w.flushWith(nil) != nil {
		return
	}
	w.lastFlush = Monotonic()
	w.sendFollow()
}

// sendFollow tells the followers the journal's length ('X' message; never
// blocks: a spare that is behind gets the length later). mu held.
func (w *journalWriter) sendFollow() {
	if !w.followOK || len(w.followers) == 0 {
		return
	}
	msg := followMsg(w.size)
	for _, fd := range w.followers {
		unix.Sendmsg(fd, msg[:], nil, nil, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL)
	}
}

// tellFollowers records whether spares may follow now and, if so, tells
// them the journal's length (JS thread, after a flush).
func (w *journalWriter) tellFollowers(ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.followOK = ok
	w.sendFollow()
}

// addFollower adds a spare's control socket once its exec has finished,
// and tells it the journal's length: the spare was started with the
// length of that moment, and what was flushed since must not wait for the
// next flush (the script may be computing without host calls by then).
func (w *journalWriter) addFollower(fd int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.followers = append(w.followers, fd)
	if w.fd >= 0 {
		w.sendFollow()
	}
}

// unfollow stops telling fd of tail flushes, before it is closed.
func (w *journalWriter) unfollow(fd int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, f := range w.followers {
		if f == fd {
			w.followers = append(w.followers[:i:i], w.followers[i+1:]...)
			return
		}
	}
}

// flush writes buf to the memfd (creating it, and copying a parent's prefix
// into it, on first use); w.size is then the journal's total length.
func (w *journalWriter) flush() error {
	w.mu.Lock()
	defer w.unlock()
	return w.flushWith(nil)
}

// flushWith writes buf and then extra (one pwritev) to the memfd (mu
// held).
func (w *journalWriter) flushWith(extra []byte) error {
	if w.fd < 0 {
		fd, err := unix.MemfdCreate("forkjs-journal", unix.MFD_CLOEXEC)
		if err != nil {
			return fmt.Errorf("memfd_create: %w", err)
		}
		w.fd = HighFD(fd)
		if w.prefix != nil {
			for off := 0; off < len(w.prefix); {
				n, err := unix.Pwrite(w.fd, w.prefix[off:], int64(off))
				if err == unix.EINTR {
					continue
				}
				if err != nil {
					return fmt.Errorf("journal prefix write: %w", err)
				}
				off += n
			}
			w.size = int64(len(w.prefix))
			if w.prefixMapped {
				unix.Munmap(w.prefix)
			}
			w.prefix = nil
		}
	}
	for len(w.buf) > 0 || len(extra) > 0 {
		n, err := unix.Pwritev(w.fd, [][]byte{w.buf, extra}, w.size)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("journal write: %w", err)
		}
		w.size += int64(n)
		if k := min(n, len(w.buf)); k > 0 {
			w.buf = w.buf[k:]
			n -= k
		}
		extra = extra[n:]
	}
	if w.size > w.max {
		// Too big to keep: give the memory back and stop journaling.
		unix.Close(w.fd)
		w.fd, w.size, w.off, w.buf = -1, 0, true, nil
		w.offNow = true
		return nil
	}
	if cap(w.buf) > spillSize*2 {
		w.buf = make([]byte, 0, 4096)
	} else {
		w.buf = w.buf[:0]
	}
	if w.tailArmed && w.tail.Stop() {
		w.tailArmed = false // nothing left for it
	}
	return nil
}

// journalReader decodes a journal held in memory (a private mapping of the
// parent's memfd in a forked child).
type journalReader struct {
	// more, when set, is called at the end of data: it waits for the
	// journal to grow (a pre-started spare following its parent) and
	// reports false once data is final.
	more      func(r *journalReader) bool
	awaitFork func()     // a spare: block until activated (exit on EOF)
	activated *childSpec // a spare's fork, once the parent sent it
	state     []byte     // a spare's fork state, once the parent sent it
	mapped    bool       // data is a mapping of the parent's memfd
	data      []byte
	pos       int
	names     []string
	entries   int
	peeked    *entry
	pe        entry
}

func (r *journalReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.data[r.pos:])
	if n <= 0 {
		panic(errCorrupt(r.pos))
	}
	r.pos += n
	return v
}

func (r *journalReader) varint() int64 {
	v, n := binary.Varint(r.data[r.pos:])
	if n <= 0 {
		panic(errCorrupt(r.pos))
	}
	r.pos += n
	return v
}

func (r *journalReader) bytes() []byte {
	n := r.uvarint()
	if uint64(len(r.data)-r.pos) < n {
		panic(errCorrupt(r.pos))
	}
	b := r.data[r.pos : r.pos+int(n) : r.pos+int(n)]
	r.pos += int(n)
	return b
}

func (r *journalReader) nameAt(i uint64) string {
	if i >= uint64(len(r.names)) {
		panic(errCorrupt(r.pos))
	}
	return r.names[i]
}

type errCorrupt int

func (e errCorrupt) Error() string { return fmt.Sprintf("forkjs: corrupt journal at byte %d", int(e)) }

// done reports whether every entry has been consumed.
func (r *journalReader) done() bool {
	if r.peeked != nil {
		return false
	}
	r.skipNames()
	for r.pos >= len(r.data) && r.more != nil {
		if !r.more(r) {
			r.more = nil
		}
		r.skipNames()
	}
	return r.pos >= len(r.data)
}

func (r *journalReader) skipNames() {
	for r.pos < len(r.data) && r.data[r.pos] == kindName {
		r.pos++
		r.names = append(r.names, string(r.bytes()))
	}
}

// peek returns the next entry without consuming it, or nil at the end.
func (r *journalReader) peek() *entry {
	if r.peeked != nil {
		return r.peeked
	}
	if r.done() {
		return nil
	}
	e := &r.pe
	*e = entry{index: r.entries, kind: r.data[r.pos]}
	r.pos++
	switch e.kind {
	case kindHeader:
		e.payload = r.bytes()
	case kindCall:
		e.name = r.nameAt(r.uvarint())
		if len(r.data)-r.pos < 4 {
			panic(errCorrupt(r.pos))
		}
		e.argsHash = binary.LittleEndian.Uint32(r.data[r.pos:])
		r.pos += 4
		e.site.file = r.nameAt(r.uvarint())
		e.site.line = int(r.uvarint())
		e.site.col = int(r.uvarint())
		if r.pos >= len(r.data) {
			panic(errCorrupt(r.pos))
		}
		e.status = r.data[r.pos]
		r.pos++
		e.payload = r.bytes()
	case kindDispatch:
		e.id = r.uvarint()
		if r.pos >= len(r.data) {
			panic(errCorrupt(r.pos))
		}
		e.status = r.data[r.pos]
		r.pos++
		e.payload = r.bytes()
	case kindRun:
		e.name = r.nameAt(r.uvarint())
		e.payload = r.bytes()
	case kindClock:
		e.clock = r.varint()
	default:
		panic(errCorrupt(r.pos - 1))
	}
	r.peeked = e
	return e
}

// next consumes the next entry; nil at the end.
func (r *journalReader) next() *entry {
	e := r.peek()
	if e != nil {
		r.peeked = nil
		r.entries++
	}
	return e
}
