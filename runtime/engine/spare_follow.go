package engine

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// A spare follows its parent: the parent tells it how long the journal is
// ('X' messages) and the spare replays up to there, so that at the fork
// only the last few milliseconds remain. Following costs the spare as much
// CPU as the parent's JS work, which is worth it only on a CPU nobody else
// wants: a spare that replays while Pool workers compute on the other
// cores slows them down more than it can ever save (Pool(2).map on two
// cores ran at a third of its speed). So the parent lets spares follow
// only while it has fewer live forked children than CPUs minus one; a
// spare told nothing builds its runtime from the journal header and waits
// for the fork (or for the children to end), then replays at once.

// mayFollow reports whether spares may replay the parent's work as it
// happens: fewer live forked children than CPUs minus one (at least one).
func (f *forker) mayFollow() bool {
	return len(f.children) < max(1, runtime.NumCPU()-1)
}

// spareBuf and spareOOB receive the parent's messages (a spare has one
// reader: its JS thread); made on first use, as most processes are not
// spares.
var spareBuf, spareOOB []byte

// spareKnown is the newest journal length the parent announced; r.data
// (what the spare has released to its replay) may be shorter.
var spareKnown int64

// spareStart gives r the journal header only, so that the spare builds
// its runtime at once; the parent's spec.Len is replayed on first demand.
func spareStart(r *journalReader, spec *spareSpec) bool {
	spareKnown = spec.Len
	head := make([]byte, 16)
	c, err := unix.Pread(spec.Journal, head, 0)
	if err != nil || c < 2 || head[0] != kindHeader {
		return readJournal(r, spec.Journal, spec.Len)
	}
	l, k := binary.Uvarint(head[1:c])
	if k <= 0 {
		return readJournal(r, spec.Journal, spec.Len)
	}
	return readJournal(r, spec.Journal, int64(1+k)+int64(l))
}

// readJournal extends r.data to n bytes from the memfd. The buffer grows
// by doubling: a spare following its parent extends it hundreds of times,
// and copying the whole journal each time made it fall behind.
func readJournal(r *journalReader, fd int, n int64) bool {
	have := int64(len(r.data))
	if n <= have {
		return true
	}
	buf := r.data
	if int64(cap(buf)) < n {
		buf = make([]byte, have, max(n, 2*int64(cap(buf))))
		copy(buf, r.data)
	}
	buf = buf[:n]
	for have < n {
		c, err := unix.Pread(fd, buf[have:], have)
		if err == unix.EINTR {
			continue
		}
		if err != nil || c == 0 {
			fmt.Fprintln(os.Stderr, "forkjs: spare: reading the journal:", err)
			return false
		}
		have += int64(c)
	}
	r.data = buf
	return true
}

// spareWait is r.more in a spare: it returns once r.data has grown (true),
// or after the fork's activation. Queued 'X' messages are drained first
// and only the newest length is read, so a spare that fell behind catches
// up in one step. When the parent goes away without forking, the spare
// exits quietly.
func spareWait(r *journalReader, spec *spareSpec) bool {
	if spareBuf == nil {
		spareBuf, spareOOB = make([]byte, 1<<20), make([]byte, unix.CmsgSpace(4*253))
	}
	buf, oob := spareBuf, spareOOB
	flags := 0
	if spareKnown > int64(len(r.data)) {
		flags = unix.MSG_DONTWAIT
	}
	for {
		n, oobn, _, _, err := unix.Recvmsg(spec.Ctrl, buf, oob, flags)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			break
		}
		if err != nil || n == 0 {
			os.Exit(0)
		}
		if buf[0] != 'X' {
			return activate(r, spec, buf, n, oob, oobn)
		}
		if n < 9 {
			os.Exit(DivergenceStatus)
		}
		spareKnown = max(spareKnown, int64(binary.LittleEndian.Uint64(buf[1:9])))
		flags = unix.MSG_DONTWAIT
	}
	tracef("spare follows to %d", spareKnown)
	if !readJournal(r, spec.Journal, spareKnown) {
		os.Exit(DivergenceStatus)
	}
	return true
}
