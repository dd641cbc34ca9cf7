package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"syscall"

	"golang.org/x/sys/unix"
)

// A pre-started spare child (DESIGN §1, "planned optimisation"): after a
// runtime's first fork, forkjs starts the next child in advance. The spare
// initialises (Go runtime, goja, modules) and replays the journal as far as
// it has been written, then waits on a control socket. os.fork() then only
// has to hand it the rest of the journal and the script's descriptors
// (SCM_RIGHTS), so the fork costs one message and the replay of what the
// parent did since the spare started; the next spare starts in the
// background, on the other core.
//
// A spare is a child process, so it must not change what the script sees:
// a wait for "any child" (os.wait, waitpid(-1)) or a SIGCHLD handler
// retires it and turns spares off for the runtime.

const spareEnv = "FORKJS_SPARE"

// spareSpec is what a spare is told at exec time.
type spareSpec struct {
	BuildID string `json:"b"`
	Ctrl    int    `json:"c"` // control socket
	Journal int    `json:"j"` // the parent's journal memfd
	Len     int64  `json:"n"` // journal bytes available at start
	Status  int    `json:"s"` // the parent's status pipe (write end)
	K       int    `json:"k"` // fds 3..K are placeholders for the script's
}

// activation is what os.fork() sends a spare.
type activation struct {
	State bool      `json:"st,omitempty"` // the last fd sent is the fork-state memfd
	Len   int64     `json:"n"`
	Spec  childSpec `json:"s"`
	Dir   string    `json:"d"`
	Env   []string  `json:"e"`
	Umask int       `json:"u"`
}

type spareProc struct {
	pid, ctrl int
	k         int
	pgid, sid int
	err       error
}

// maxSpareFD bounds the placeholder range; scripts with more descriptors
// fork the ordinary way.
const maxSpareFD = 1000

// startSpare tops up the runtime's spares (one, or two once forks come in
// quick succession: a loop of forks on two cores is limited by how fast
// new spares start, and two start in parallel), in the background (JS
// thread, live only).
func (rt *Runtime) startSpare() {
	f := rt.forks
	if f == nil {
		return
	}
	want := 1
	if f.quickForks {
		want = 2
	}
	for i := len(f.spares) + len(f.spareChs); i < want; i++ {
		if !rt.startOneSpare() {
			return
		}
	}
}

// startOneSpare starts one spare; false if none can be started.
func (rt *Runtime) startOneSpare() bool {
	f := rt.forks
	if f == nil || f.noSpares || f.statusR < 0 || rt.replaying {
		return false
	}
	if os.Getenv("FORKJS_NO_SPARE") != "" {
		f.noSpares = true
		return false
	}
	if err := rt.journal.flush(); err != nil {
		return false
	}
	maxFD := 2
	for fd := range rt.fds {
		maxFD = max(maxFD, fd)
	}
	k := maxFD + 32
	if k > maxSpareFD {
		return false
	}
	if f.devnull < 0 {
		fd, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			f.noSpares = true
			return false
		}
		f.devnull = HighFD(fd)
	}
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	sv[0], sv[1] = HighFD(sv[0]), HighFD(sv[1])
	spec := spareSpec{BuildID: buildID(), Ctrl: k + 1, Journal: k + 2, Status: k + 3, K: k}
	follow := f.mayFollow()
	if follow {
		spec.Len = rt.journal.size
	}
	rt.journal.tellFollowers(follow)
	// The placeholder must sit above every slot: ForkExec first moves
	// each descriptor that is below its own slot out of the way, which for
	// a low /dev/null meant one extra dup3 per slot in the new process.
	null := f.devnull
	if null < k+4 {
		hi, err := unix.FcntlInt(uintptr(f.devnull), unix.F_DUPFD_CLOEXEC, k+4)
		if err != nil {
			unix.Close(sv[0])
			unix.Close(sv[1])
			return false
		}
		null = hi
	}
	files := make([]uintptr, k+4)
	for i := range files {
		files[i] = uintptr(null)
	}
	for i := 0; i < 3; i++ {
		if _, err := unix.FcntlInt(uintptr(i), unix.F_GETFD, 0); err == nil {
			files[i] = uintptr(i)
		}
	}
	files[k+1] = uintptr(sv[1])
	files[k+2] = uintptr(rt.journal.fd)
	files[k+3] = uintptr(f.statusW)
	js, _ := json.Marshal(spec)
	env := append(rt.Environ(), spareEnv+"="+string(js))
	pgid, _ := unix.Getpgid(0)
	sid, _ := unix.Getsid(0)
	ch := make(chan *spareProc, 1)
	f.spareChs = append(f.spareChs, ch)
	rt.journal.followed = rt.follow
	w := rt.journal
	ownNull := null != f.devnull
	go func() {
		pid, err := syscall.ForkExec("/proc/self/exe", os.Args, &syscall.ProcAttr{Env: env, Files: files})
		unix.Close(sv[1])
		if ownNull {
			unix.Close(null)
		}
		if err != nil {
			unix.Close(sv[0])
		} else {
			// told of what the journal gained meanwhile, and of tail
			// flushes, before the JS thread next looks at its spares
			w.addFollower(sv[0])
		}
		ch <- &spareProc{pid: pid, ctrl: sv[0], k: k, pgid: pgid, sid: sid, err: err}
	}()
	return true
}

// mayFork guesses from a script's source whether it forks (os.fork,
// multiprocessing's Process and Pool): such a script gets its spare before
// it runs, so that even its first fork finds a child that has already
// initialised and followed the script's work on the other core.
func mayFork(src []byte) bool {
	return bytes.Contains(src, []byte("fork")) || bytes.Contains(src, []byte("Process")) || bytes.Contains(src, []byte("Pool"))
}

// earlySpare starts a spare before the script's first fork (live only).
func (rt *Runtime) earlySpare() {
	if rt.forks != nil && len(rt.forks.spares)+len(rt.forks.spareChs) > 0 {
		return
	}
	if _, err := rt.forker(); err != nil {
		return
	}
	rt.startSpare()
}

// follow tells a running spare how long the journal is now, so that it
// replays the parent's work as it happens ('X' message; never blocks: a
// spare that is behind gets the length later).
func (rt *Runtime) follow() {
	f := rt.forks
	if f == nil || f.noSpares {
		return
	}
	f.collectSpares(false)
	rt.journal.tellFollowers(f.mayFollow())
}

// followMsg is the 'X' message: the journal is n bytes long now.
func followMsg(n int64) [9]byte {
	var msg [9]byte
	msg[0] = 'X'
	binary.LittleEndian.PutUint64(msg[1:], uint64(n))
	return msg
}

// collectSpares moves spares whose exec finished to f.spares (in start
// order); with wait it waits for the oldest one still starting if there
// is no ready spare.
func (f *forker) collectSpares(wait bool) {
	for len(f.spareChs) > 0 {
		var sp *spareProc
		if wait && len(f.spares) == 0 {
			sp = <-f.spareChs[0]
		} else {
			select {
			case sp = <-f.spareChs[0]:
			default:
				return
			}
		}
		f.spareChs = f.spareChs[1:]
		if sp.err == nil {
			f.spares = append(f.spares, sp)
		}
	}
}

// takeSpare returns the oldest spare (the furthest along in the journal),
// or nil if there is none.
func (f *forker) takeSpare() *spareProc {
	f.collectSpares(true)
	if len(f.spares) == 0 {
		return nil
	}
	sp := f.spares[0]
	f.spares = f.spares[1:]
	if f.journal != nil {
		f.journal.unfollow(sp.ctrl) // it is about to be used or closed
	}
	return sp
}

// retire kills and reaps a spare that will not be used.
func (sp *spareProc) retire() {
	unix.Close(sp.ctrl)
	unix.Kill(sp.pid, unix.SIGKILL)
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(sp.pid, &ws, 0, nil)
		if err != unix.EINTR {
			return
		}
	}
}

// retireSpares kills and reaps the runtime's spares as the script ends
// (they would otherwise exit on their own, after their parent, and be left
// for init to reap); a later fork starts new ones.
func (rt *Runtime) retireSpares() {
	if rt.forks == nil || rt.replaying {
		return
	}
	for sp := rt.forks.takeSpare(); sp != nil; sp = rt.forks.takeSpare() {
		sp.retire()
	}
}

// DisableSpares retires the runtime's spare child, if any, and starts no
// more: called before a wait for any child (os.wait, waitpid(-1)) or when
// the script handles SIGCHLD, so that the spare never shows up there.
func (rt *Runtime) DisableSpares() {
	if rt.forks == nil || rt.replaying {
		return
	}
	rt.forks.noSpares = true
	rt.journal.followed = nil
	rt.retireSpares()
}

// activateSpare hands the fork to a spare; it returns the child's pid, or
// 0 if there was no usable spare (the caller forks the ordinary way).
func (rt *Runtime) activateSpare(spec childSpec, fds []int, stateFD int, stateN int64) int {
	f := rt.forks
	sp := f.takeSpare()
	if sp == nil {
		return 0
	}
	pgid, _ := unix.Getpgid(0)
	sid, _ := unix.Getsid(0)
	usable := pgid == sp.pgid && sid == sp.sid && len(fds) <= 250
	for _, fd := range fds {
		if fd > sp.k {
			usable = false
		}
	}
	if !usable {
		sp.retire()
		return 0
	}
	dir, err := unix.Getwd()
	if err != nil {
		sp.retire()
		return 0
	}
	umask := unix.Umask(0)
	unix.Umask(umask)
	act := activation{Len: rt.journal.size, Spec: spec, Dir: dir, Env: rt.Environ(), Umask: umask}
	send := fds
	if stateFD >= 0 {
		act.State, act.Spec.StateN = true, stateN
		send = append(append([]int(nil), fds...), stateFD)
	}
	payload, _ := json.Marshal(act)
	msg := append([]byte{'A'}, payload...)
	oob := unix.UnixRights(send...)
	if err := unix.Sendmsg(sp.ctrl, msg, oob, nil, unix.MSG_NOSIGNAL); err != nil {
		sp.retire()
		return 0
	}
	unix.Close(sp.ctrl)
	tracef("fork handed to spare %d", sp.pid)
	return sp.pid
}

// runSpare is a spare child's start-up (from Dispatch).
func runSpare(specText string) int {
	tracef("spare start")
	var spec spareSpec
	if err := json.Unmarshal([]byte(specText), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "forkjs: bad spare spec:", err)
		return DivergenceStatus
	}
	unix.CloseOnExec(spec.Ctrl)
	unix.CloseOnExec(spec.Journal)
	unix.CloseOnExec(spec.Status)
	if spec.BuildID != buildID() {
		return DivergenceStatus
	}
	r := &journalReader{}
	if !spareStart(r, &spec) {
		return DivergenceStatus
	}
	r.more = func(r *journalReader) bool { return spareWait(r, &spec) }
	r.awaitFork = func() {
		for r.more != nil {
			spareWait(r, &spec) // 'X' messages are read and ignored
		}
		r.more = nil
	}
	rt, code := childRuntime(r, nil)
	if rt == nil {
		return code
	}
	rt.forks = newForker()
	rt.forks.journal = rt.journal
	rt.forks.parentStatus = spec.Status
	tracef("spare runtime built")
	return rt.childMain()
}

// activate applies the parent's 'A' message (in buf[:n], descriptors in
// oob[:oobn]): the script's descriptors at their own numbers, the cwd,
// environment and umask of the fork, and the journal to the fork point.
func activate(r *journalReader, spec *spareSpec, buf []byte, n int, oob []byte, oobn int) bool {
	switch buf[0] {
	case 'A':
		tracef("spare activated")
	default:
		os.Exit(DivergenceStatus)
	}
	var act activation
	if err := json.Unmarshal(buf[1:n], &act); err != nil {
		fmt.Fprintln(os.Stderr, "forkjs: spare: bad activation:", err)
		os.Exit(DivergenceStatus)
	}
	var got []int
	if cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, c := range cmsgs {
			if fds, err := unix.ParseUnixRights(&c); err == nil {
				got = append(got, fds...)
			}
		}
	}
	if act.State && len(got) > 0 {
		r.state = readForkState(got[len(got)-1], act.Spec.StateN)
		got = got[:len(got)-1]
	}
	if len(got) != len(act.Spec.FDs) {
		fmt.Fprintln(os.Stderr, "forkjs: spare: descriptors lost in activation")
		os.Exit(DivergenceStatus)
	}
	// Put the script's descriptors at their own numbers over the
	// placeholders; close placeholders the script does not have.
	want := map[int]int{}
	for i, f := range act.Spec.FDs {
		want[f[0]] = i
	}
	lo := 0 // the run of placeholders not closed yet starts here
	for fd := 0; fd <= spec.K; fd++ {
		i, ok := want[fd]
		if !ok {
			continue
		}
		closeRange(lo, fd-1)
		lo = fd + 1
		flags := 0
		if act.Spec.FDs[i][1] != 0 {
			flags = unix.O_CLOEXEC
		}
		if err := unix.Dup3(got[i], fd, flags); err != nil {
			fmt.Fprintln(os.Stderr, "forkjs: spare: dup3:", err)
			os.Exit(DivergenceStatus)
		}
	}
	closeRange(lo, spec.K)
	for _, fd := range got {
		unix.Close(fd)
	}
	unix.Close(spec.Ctrl)
	unix.Chdir(act.Dir)
	os.Clearenv()
	sort.Strings(act.Env) // order does not matter to the process env
	for _, kv := range act.Env {
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				os.Setenv(kv[:i], kv[i+1:])
				break
			}
		}
	}
	unix.Umask(act.Umask)
	if !readJournal(r, spec.Journal, act.Len) {
		os.Exit(DivergenceStatus)
	}
	unix.Close(spec.Journal)
	spec2 := act.Spec
	r.activated = &spec2
	r.more = nil
	return true
}

// closeRange closes the descriptors lo..hi (none if hi < lo): one
// close_range(2) where the kernel has it (Linux 5.9), else one by one.
func closeRange(lo, hi int) {
	if hi < lo {
		return
	}
	if unix.CloseRange(uint(lo), uint(hi), 0) == nil {
		return
	}
	for fd := lo; fd <= hi; fd++ {
		unix.Close(fd)
	}
}
