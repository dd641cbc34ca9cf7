package engine

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// childEnv carries a forked child's start-up spec (childSpec, JSON). It is
// removed from the environment as soon as the child reads it.
const childEnv = "FORKJS_CHILD"

// childSpec is what a parent tells a child it forks.
type childSpec struct {
	BuildID string   `json:"b"`
	Journal int      `json:"j"` // fd of the parent's journal memfd
	Len     int64    `json:"n"` // journal bytes that belong to the child
	Status  int      `json:"s"` // fd: write end of the parent's status pipe
	FDs     [][2]int `json:"f"` // script fds and whether close-on-exec
	File    string   `json:"sf"`
	Line    int      `json:"sl"`
	Col     int      `json:"sc"`
	State   int      `json:"st,omitempty"` // fd of the fork-state memfd, or 0
	StateN  int64    `json:"sn,omitempty"`
}

// forker is a runtime's fork machinery: the status pipe its children report
// on, and what they reported.
type forker struct {
	spares     []*spareProc      // started and ready, oldest first
	spareChs   []chan *spareProc // still being exec'd
	noSpares   bool
	quickForks bool  // forks come in quick succession: keep two spares
	lastFork   int64 // monotonic ns of the previous fork
	devnull    int
	journal    *journalWriter // told when a spare stops following

	statusR, statusW int
	reports          map[int]string // pid -> divergence message
	live             map[int]bool   // pid -> reached its fork point
	children         map[int]bool
	parentStatus     int // in a child: the parent's status pipe, until live
	pid              int
}

func newForker() *forker {
	return &forker{statusR: -1, statusW: -1, parentStatus: -1, devnull: -1,
		reports: map[int]string{}, live: map[int]bool{}, children: map[int]bool{}}
}

func (f *forker) close() {
	for sp := f.takeSpare(); sp != nil; sp = f.takeSpare() {
		sp.retire()
	}
	if f.devnull >= 0 {
		unix.Close(f.devnull)
		f.devnull = -1
	}
	if f.statusR >= 0 {
		unix.Close(f.statusR)
		unix.Close(f.statusW)
		f.statusR, f.statusW = -1, -1
	}
}

// Status messages: pid (4 bytes), kind ('L' live, 'D' diverged), length (2
// bytes), text; at most PIPE_BUF bytes so that each write is atomic.
func (f *forker) reportToParent(kind byte, msg string) bool {
	if f.parentStatus < 0 {
		return false
	}
	if len(msg) > 4000 {
		msg = msg[:4000]
	}
	b := make([]byte, 7, 7+len(msg))
	binary.LittleEndian.PutUint32(b, uint32(os.Getpid()))
	b[4] = kind
	binary.LittleEndian.PutUint16(b[5:], uint16(len(msg)))
	b = append(b, msg...)
	for {
		_, err := unix.Write(f.parentStatus, b)
		if err == unix.EAGAIN && kind == 'D' {
			fds := []unix.PollFd{{Fd: int32(f.parentStatus), Events: unix.POLLOUT}}
			unix.Poll(fds, 1000)
			continue
		}
		if err == unix.EINTR {
			continue
		}
		return err == nil
	}
}

// drain reads every pending status message (non-blocking).
func (f *forker) drain() {
	if f.statusR < 0 {
		return
	}
	buf := make([]byte, 64<<10)
	var pendingBytes []byte
	for {
		n, err := unix.Read(f.statusR, buf)
		if err == unix.EINTR {
			continue
		}
		if n <= 0 {
			break
		}
		pendingBytes = append(pendingBytes, buf[:n]...)
	}
	for len(pendingBytes) >= 7 {
		pid := int(binary.LittleEndian.Uint32(pendingBytes))
		kind := pendingBytes[4]
		n := int(binary.LittleEndian.Uint16(pendingBytes[5:]))
		if len(pendingBytes) < 7+n {
			break
		}
		msg := string(pendingBytes[7 : 7+n])
		pendingBytes = pendingBytes[7+n:]
		switch kind {
		case 'L':
			f.live[pid] = true
		case 'D':
			f.reports[pid] = msg
		}
	}
}

// Fork is os.fork() by replay (DESIGN §1): it returns the child's pid in
// the parent and 0 in the child, which continues from this call with the
// parent's JS state and descriptors. Errors: OSError from the spawn.
func (rt *Runtime) Fork() (int, error) {
	const name = "os.fork"
	if rt.replaying {
		if rt.replay.done() {
			return rt.becomeChild()
		}
		pid, err := replayCall[int](rt, name, 0)
		if err == nil && pid == 0 {
			rt.afterForkInChild()
		}
		return pid, err
	}
	if rt.journal.off {
		return recordCall(rt, name, 0, 0, pyerr.New("RuntimeError",
			"os.fork() is not possible: this runtime read more than FORKJS_JOURNAL_MAX (%d) bytes, which a child would have to replay, and dropped its journal; fork before reading that much, or raise the limit", rt.journal.max))
	}
	if rt.tainted {
		return recordCall(rt, name, 0, 0, pyerr.New("RuntimeError",
			"os.fork() is not possible after running JavaScript was interrupted (Ctrl-C) in this session: a child could not replay it to the same point; start a new session to fork"))
	}
	pid, err := rt.spawnChild()
	if err == nil && os.Getenv("FORKJS_FORK_SYNC") != "" {
		// inside the journaled call: a replay raises the same error here
		err = rt.waitChildLive(pid)
	}
	pid, err = recordCall(rt, name, 0, pid, err)
	if f := rt.forks; f != nil {
		now := Monotonic()
		if f.lastFork != 0 && now-f.lastFork < 50e6 {
			f.quickForks = true
		}
		f.lastFork = now
	}
	rt.startSpare() // the next fork's child starts now, on the other core
	return pid, err
}

// becomeChild turns a replaying child live at its fork point.
func (rt *Runtime) becomeChild() (int, error) {
	spec := rt.childSpec()
	if s := rt.callSite(); spec != nil && (s.file != spec.File || s.line != spec.Line || s.col != spec.Col) {
		rt.divergeMsg("the replay reached its end at a fork at " + s.String() + ", but the parent forked at " +
			site{spec.File, spec.Line, spec.Col}.String())
	}
	rt.goLive()
	tracef("child live")
	pid, err := recordCall(rt, "os.fork", 0, 0, nil)
	rt.afterForkInChild()
	return pid, err
}

func (rt *Runtime) childSpec() *childSpec {
	if s, ok := rt.state[childSpecKey{}].(*childSpec); ok {
		return s
	}
	if rt.replay != nil && rt.replay.activated != nil {
		return rt.replay.activated
	}
	return nil
}

type childSpecKey struct{}

// goLive switches a replaying child to live: from here host calls reach
// the OS and the child journals for its own forks.
func (rt *Runtime) goLive() {
	spec := rt.childSpec()
	r := rt.replay
	if r.state != nil {
		rt.forkStateData = r.state
	}
	rt.replaying = false
	rt.replay = nil
	w := rt.journal
	for i, n := range r.names {
		w.names[n] = uint64(i)
	}
	w.entries = r.entries
	if spec != nil {
		rt.state[childSpecKey{}] = spec
		// written into this child's own journal at its first flush
		w.prefix, w.prefixMapped = r.data, r.mapped
	}
	if rt.forks != nil {
		rt.forks.reportToParent('L', "")
		if rt.forks.parentStatus >= 0 {
			unix.Close(rt.forks.parentStatus)
			rt.forks.parentStatus = -1
		}
	}
	if spec != nil {
		rt.restoreForkState(rt.forkStateData)
		rt.forkStateData = nil
	}
	for _, fn := range rt.onLive {
		fn()
	}
}

// afterForkInChild runs where os.fork() returned 0, live or in replay: the
// parent's outstanding callbacks (its threads, in Python terms) are gone,
// Math.random is reseeded as Python's random is, and AtFork hooks run.
func (rt *Runtime) afterForkInChild() {
	var ids []uint64
	for id, cb := range rt.loop.cbs {
		if !cb.live {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		rt.loop.unregister(rt.loop.cbs[id])
	}
	rt.loop.mu.Lock()
	rt.loop.queue = nil
	rt.loop.mu.Unlock()
	seed, _ := Do(rt, Input, "engine.seed", 1, func() ([2]uint64, error) {
		var b [16]byte
		unix.Getrandom(b[:], 0)
		return [2]uint64{binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:])}, nil
	})
	rt.rng.Seed(seed[0], seed[1])
	if rt.forks != nil {
		rt.forks.children = map[int]bool{}
		rt.forks.reports = map[int]string{}
		rt.forks.live = map[int]bool{}
		if rt.forks.statusR >= 0 && !rt.replaying {
			rt.forks.close()
		}
	}
	for _, fn := range rt.atFork {
		fn()
	}
}

// spawnChild starts a child that replays this runtime's journal.
func (rt *Runtime) spawnChild() (int, error) {
	tracef("fork called")
	f, err := rt.forker()
	if err != nil {
		return 0, err
	}
	f.drain()
	if err := rt.journal.flush(); err != nil {
		return 0, err
	}
	s := rt.callSite()
	spec := childSpec{BuildID: buildID(), Len: rt.journal.size, File: s.file, Line: s.line, Col: s.col}
	fds := make([]int, 0, len(rt.fds))
	for fd := range rt.fds {
		fds = append(fds, fd)
	}
	sort.Ints(fds)
	maxFD := 2
	if len(fds) > 0 && fds[len(fds)-1] > maxFD {
		maxFD = fds[len(fds)-1]
	}
	files := make([]uintptr, maxFD+3)
	for i := range files {
		files[i] = ^uintptr(0)
	}
	for _, fd := range fds {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			// Closed behind the script's back (for example by a library):
			// the child does not get it, as after a real fork.
			continue
		}
		files[fd] = uintptr(fd)
		cloexec := 0
		if flags&unix.FD_CLOEXEC != 0 {
			cloexec = 1
		}
		spec.FDs = append(spec.FDs, [2]int{fd, cloexec})
	}
	stateFD, stateN := rt.forkStateBlob()
	if stateFD >= 0 {
		defer unix.Close(stateFD)
	}
	if pid := rt.activateSpare(spec, scriptFDs(spec), stateFD, stateN); pid > 0 {
		f.children[pid] = true
		return pid, nil
	}
	spec.Journal, spec.Status = maxFD+1, maxFD+2
	files[spec.Journal] = uintptr(rt.journal.fd)
	files[spec.Status] = uintptr(f.statusW)
	if stateFD >= 0 {
		spec.State, spec.StateN = maxFD+3, stateN
		files = append(files, uintptr(stateFD))
	}
	js, _ := json.Marshal(spec)
	env := rt.Environ()
	env = append(env, childEnv+"="+string(js))
	pid, err := syscall.ForkExec("/proc/self/exe", os.Args, &syscall.ProcAttr{Env: env, Files: files})
	if err != nil {
		return 0, pyerr.From(err)
	}
	f.children[pid] = true
	return pid, nil
}

// forker returns the runtime's fork machinery, making its status pipe on
// first use.
func (rt *Runtime) forker() (*forker, error) {
	if rt.forks == nil {
		rt.forks = newForker()
	}
	f := rt.forks
	f.journal = rt.journal
	if f.statusR < 0 {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
			return nil, err
		}
		f.statusR, f.statusW = HighFD(p[0]), HighFD(p[1])
	}
	return f, nil
}

func scriptFDs(spec childSpec) []int {
	fds := make([]int, len(spec.FDs))
	for i, f := range spec.FDs {
		fds[i] = f[0]
	}
	return fds
}

// waitChildLive waits until child pid reports that it reached its fork
// point (FORKJS_FORK_SYNC debugging mode) and raises its divergence here.
func (rt *Runtime) waitChildLive(pid int) error {
	f := rt.forks
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		f.drain()
		if msg, ok := f.reports[pid]; ok {
			delete(f.reports, pid)
			e := divergenceError(pid, msg)
			e.Attrs = map[string]any{"pid": pid, "exitcode": DivergenceStatus}
			return e
		}
		if f.live[pid] {
			return nil
		}
		fds := []unix.PollFd{{Fd: int32(f.statusR), Events: unix.POLLIN}}
		unix.Poll(fds, 100)
	}
	return nil
}

// ChildReport returns, for a child this runtime forked that exited with
// DivergenceStatus, the ForkReplayError to raise (Python has no such
// failure; forkjs raises it where the parent next waits for the child).
// It returns nil for any other child.
func (rt *Runtime) ChildReport(pid int, exitStatus int) error {
	if rt.forks == nil || rt.replaying {
		return nil
	}
	rt.forks.drain()
	msg, ok := rt.forks.reports[pid]
	if !ok {
		return nil
	}
	delete(rt.forks.reports, pid)
	e := divergenceError(pid, msg)
	e.Attrs = map[string]any{"pid": pid, "exitcode": exitStatus}
	return e
}

// ForgetChild drops bookkeeping for a reaped child.
func (rt *Runtime) ForgetChild(pid int) {
	if rt.forks != nil {
		delete(rt.forks.children, pid)
		delete(rt.forks.live, pid)
	}
}

// pendingDivergence returns a divergence report not yet raised, for the
// loop to raise at its next turn.
func (rt *Runtime) pendingDivergence() error {
	if rt.forks == nil || rt.forks.statusR < 0 || rt.replaying {
		return nil
	}
	rt.forks.drain()
	pids := make([]int, 0, len(rt.forks.reports))
	for pid := range rt.forks.reports {
		pids = append(pids, pid)
	}
	if len(pids) == 0 {
		return nil
	}
	sort.Ints(pids)
	msg := rt.forks.reports[pids[0]]
	delete(rt.forks.reports, pids[0])
	return divergenceError(pids[0], msg)
}

var _ = strings.TrimSpace
