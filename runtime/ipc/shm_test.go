package ipc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// Shared-memory tests run in real processes: each helper attaches the
// arena inherited at fd 3 and opens its objects by offset, exactly as a
// forkjs child would.

func newArena(t *testing.T) (*Arena, *os.File) {
	t.Helper()
	a, err := NewArena(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	// Wrap a dup for ExtraFiles so that closing the *os.File leaves the
	// arena's own descriptor alone.
	fd, err := dupCloexec(a.Fd())
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "arena")
	t.Cleanup(func() { f.Close() })
	return a, f
}

func attachHelperArena() *Arena {
	a, err := AttachArena(3)
	if err != nil {
		fmt.Fprintln(os.Stderr, "attach:", err)
		os.Exit(3)
	}
	return a
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func u64at(r *Region, i int) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Add(r.Pointer(), 8*i))
}

func startHelpers(t *testing.T, n int, name string, f *os.File, args ...string) []*exec.Cmd {
	t.Helper()
	var cmds []*exec.Cmd
	for i := 0; i < n; i++ {
		cmd := helperCmd(t, name, []*os.File{f}, append([]string{strconv.Itoa(i)}, args...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

// waitUntil polls cond for up to 30 s (a generous "does not hang" bound).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(time.Millisecond) {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func init() {
	helpers["lock-counter"] = func(args []string) int {
		a := attachHelperArena()
		l, err := a.AttachLock(atoi(args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		r, _ := a.AttachRegion(atoi(args[2]))
		counter := (*uint64)(r.Pointer()) // deliberately non-atomic: the lock protects it
		for i := 0; i < atoi(args[3]); i++ {
			if ok, err := l.Acquire(true, 30, nil); !ok || err != nil {
				fmt.Fprintln(os.Stderr, "acquire", ok, err)
				return 1
			}
			v := *counter
			if i%100 == 0 {
				time.Sleep(time.Microsecond) // widen the window a lost update would need
			}
			*counter = v + 1
			if err := l.Release(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	}
}

func TestLockCounterProcesses(t *testing.T) {
	for _, kind := range []string{"Lock", "RLock"} {
		t.Run(kind, func(t *testing.T) {
			a, f := newArena(t)
			var off int
			if kind == "Lock" {
				l, err := a.NewLock()
				if err != nil {
					t.Fatal(err)
				}
				off = l.Off()
			} else {
				l, err := a.NewRLock()
				if err != nil {
					t.Fatal(err)
				}
				off = l.Off()
			}
			r, _ := a.NewRegion(8)
			helper := "lock-counter"
			if kind == "RLock" {
				helper = "rlock-counter"
			}
			waitAll(t, startHelpers(t, 4, helper, f, strconv.Itoa(off), strconv.Itoa(r.Off()), "10000")...)
			if got := *(*uint64)(r.Pointer()); got != 40000 {
				t.Fatalf("counter = %d, want 40000", got)
			}
		})
	}
}

func init() {
	helpers["rlock-counter"] = func(args []string) int {
		a := attachHelperArena()
		l, err := a.AttachRLock(atoi(args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		r, _ := a.AttachRegion(atoi(args[2]))
		counter := (*uint64)(r.Pointer())
		for i := 0; i < atoi(args[3]); i++ {
			// Two levels each time: recursion must not let others in.
			l.Acquire(true, -1, nil)
			l.Acquire(true, -1, nil)
			v := *counter
			l.Release()
			*counter = v + 1
			if err := l.Release(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	}
	helpers["sem-concurrency"] = func(args []string) int {
		a := attachHelperArena()
		s, err := a.AttachSemaphore(atoi(args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		r, _ := a.AttachRegion(atoi(args[2]))
		inside, peak := u64at(r, 0), u64at(r, 1)
		for i := 0; i < 30; i++ {
			s.Acquire(true, -1, nil)
			n := inside.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(500 * time.Microsecond)
			inside.Add(^uint64(0))
			s.Release()
		}
		return 0
	}
}

func TestSemaphoreLimitsConcurrency(t *testing.T) {
	a, f := newArena(t)
	s, err := a.NewSemaphore(2)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := a.NewRegion(16)
	waitAll(t, startHelpers(t, 5, "sem-concurrency", f, strconv.Itoa(s.Off()), strconv.Itoa(r.Off()))...)
	if peak := u64at(r, 1).Load(); peak > 2 || peak == 0 {
		t.Fatalf("peak concurrency %d, want 1 or 2", peak)
	}
	if s.Value() != 2 {
		t.Fatalf("value after all releases = %d", s.Value())
	}
}

func init() {
	helpers["event-wait"] = func(args []string) int {
		a := attachHelperArena()
		e, err := a.AttachEvent(atoi(args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		r, _ := a.AttachRegion(atoi(args[2]))
		u64at(r, 0).Add(1) // arrived
		ok, err := e.Wait(30, nil)
		if !ok || err != nil {
			fmt.Fprintln(os.Stderr, "event wait", ok, err)
			return 1
		}
		return 0
	}
}

func TestEventWakesOtherProcesses(t *testing.T) {
	a, f := newArena(t)
	e, _ := a.NewEvent()
	r, _ := a.NewRegion(8)
	cmds := startHelpers(t, 3, "event-wait", f, strconv.Itoa(e.Off()), strconv.Itoa(r.Off()))
	waitUntil(t, "waiters to arrive", func() bool { return u64at(r, 0).Load() == 3 })
	time.Sleep(20 * time.Millisecond) // let them reach the futex (not required for correctness)
	if e.IsSet() {
		t.Fatal("set too early")
	}
	e.Set()
	waitAll(t, cmds...)
	e.Clear()
	if ok, _ := e.Wait(0.05, nil); ok {
		t.Fatal("cleared event reported set")
	}
}

func TestAcquireTimeout(t *testing.T) {
	a, _ := newArena(t)
	l, _ := a.NewLock()
	s, _ := a.NewSemaphore(0)
	r, _ := a.NewRLock()
	if ok, _ := l.Acquire(true, -1, nil); !ok {
		t.Fatal("first acquire")
	}
	if ok, _ := l.Acquire(false, -1, nil); ok {
		t.Fatal("non-blocking acquire of a held lock succeeded")
	}
	for name, acquire := range map[string]func() (bool, error){
		"Lock":      func() (bool, error) { return l.Acquire(true, 0.2, nil) },
		"Semaphore": func() (bool, error) { return s.Acquire(true, 0.2, nil) },
	} {
		start := time.Now()
		ok, err := acquire()
		el := time.Since(start)
		if ok || err != nil {
			t.Fatalf("%s: acquire with timeout: %v %v", name, ok, err)
		}
		if el < 190*time.Millisecond || el > 10*time.Second {
			t.Fatalf("%s: timeout of 0.2 s took %v", name, el)
		}
	}
	if ok, _ := r.Acquire(true, 0, nil); !ok {
		t.Fatal("RLock acquire")
	}
	if ok, _ := r.Acquire(false, 0, nil); !ok || r.Count() != 2 {
		t.Fatal("RLock re-acquire by its owner")
	}
}

func TestAcquireCancel(t *testing.T) {
	a, _ := newArena(t)
	l, _ := a.NewLock()
	l.Acquire(true, -1, nil)
	e, _ := a.NewEvent()
	c, _ := NewCancel()
	defer c.Close()
	for name, block := range map[string]func() error{
		"Lock":  func() error { _, err := l.Acquire(true, -1, c); return err },
		"Event": func() error { _, err := e.Wait(-1, c); return err },
	} {
		go func() { time.Sleep(30 * time.Millisecond); c.Fire() }()
		done := make(chan error, 1)
		go func() { done <- block() }()
		select {
		case err := <-done:
			if err != ErrCancelled {
				t.Fatalf("%s: %v, want ErrCancelled", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: cancel did not interrupt", name)
		}
		c.Reset()
	}
}

func TestReleaseErrors(t *testing.T) {
	a, _ := newArena(t)
	l, _ := a.NewLock()
	if err := l.Release(); !errors.Is(err, ErrReleasedTooMany) {
		t.Fatalf("Lock: %v", err)
	}
	b, _ := a.NewBoundedSemaphore(2)
	b.Acquire(true, -1, nil)
	if err := b.Release(); err != nil {
		t.Fatal(err)
	}
	if err := b.Release(); !errors.Is(err, ErrReleasedTooMany) {
		t.Fatalf("BoundedSemaphore over-release: %v", err)
	}
	s, _ := a.NewSemaphore(0)
	for i := 0; i < 3; i++ {
		if err := s.Release(); err != nil {
			t.Fatal("plain Semaphore has no bound:", err)
		}
	}
	if s.Value() != 3 {
		t.Fatal("value")
	}
	r, _ := a.NewRLock()
	if err := r.Release(); !errors.Is(err, ErrNotOwner) {
		t.Fatalf("RLock release unheld: %v", err)
	}
	var se *SyncError
	if !errors.As(ErrNotOwner, &se) || se.PyType != "RuntimeError" {
		t.Fatal("SyncError type")
	}
}

func init() {
	helpers["rlock-steal"] = func(args []string) int {
		a := attachHelperArena()
		r, _ := a.AttachRLock(atoi(args[1]))
		if err := r.Release(); !errors.Is(err, ErrNotOwner) {
			fmt.Fprintln(os.Stderr, "release of another process's RLock:", err)
			return 1
		}
		if ok, _ := r.Acquire(false, 0, nil); ok {
			fmt.Fprintln(os.Stderr, "acquired a held RLock")
			return 1
		}
		return 0
	}
	helpers["lock-and-die"] = func(args []string) int {
		a := attachHelperArena()
		l, _ := a.AttachLock(atoi(args[1]))
		l.Acquire(true, -1, nil)
		return 0 // exits holding it
	}
}

func TestRLockOwnedByProcess(t *testing.T) {
	a, f := newArena(t)
	r, _ := a.NewRLock()
	r.Acquire(true, -1, nil)
	waitAll(t, startHelpers(t, 1, "rlock-steal", f, strconv.Itoa(r.Off()))...)
	if r.Owner() != os.Getpid() || r.Count() != 1 {
		t.Fatal("owner changed")
	}
}

// A process that dies holding a Lock leaves it locked, as in Python;
// Owner names the dead holder so a supervisor can tell.
func TestLockHeldByDeadProcess(t *testing.T) {
	a, f := newArena(t)
	l, _ := a.NewLock()
	cmds := startHelpers(t, 1, "lock-and-die", f, strconv.Itoa(l.Off()))
	waitAll(t, cmds...)
	if ok, _ := l.Acquire(true, 0.05, nil); ok {
		t.Fatal("lock of a dead holder was free")
	}
	if l.Owner() != cmds[0].Process.Pid {
		t.Fatalf("owner %d, want the dead child %d", l.Owner(), cmds[0].Process.Pid)
	}
}

func init() {
	helpers["cond-wait"] = func(args []string) int {
		a := attachHelperArena()
		c, err := a.AttachCondition(atoi(args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		r, _ := a.AttachRegion(atoi(args[2]))
		c.Acquire(true, -1, nil)
		u64at(r, 0).Add(1) // waiting
		ok, err := c.Wait(30, nil)
		if !ok || err != nil {
			fmt.Fprintln(os.Stderr, "cond wait", ok, err)
			return 1
		}
		if mine, _ := c.lock.isMine(); !mine {
			fmt.Fprintln(os.Stderr, "lock not re-acquired after wait")
			return 1
		}
		u64at(r, 1).Add(1) // woken
		c.Release()
		return 0
	}
	helpers["cond-wait-for"] = func(args []string) int {
		a := attachHelperArena()
		c, _ := a.AttachCondition(atoi(args[1]))
		r, _ := a.AttachRegion(atoi(args[2]))
		c.Acquire(true, -1, nil)
		defer c.Release()
		ok, err := c.WaitFor(func() (bool, error) { return u64at(r, 2).Load() >= 5, nil }, 30, nil)
		if !ok || err != nil {
			fmt.Fprintln(os.Stderr, "wait_for", ok, err)
			return 1
		}
		u64at(r, 3).Add(1)
		return 0
	}
}

func TestConditionNotify(t *testing.T) {
	for _, lockKind := range []string{"Lock", "RLock"} {
		t.Run(lockKind, func(t *testing.T) {
			a, f := newArena(t)
			var lock any
			if lockKind == "Lock" {
				lock, _ = a.NewLock()
			} else {
				lock = nil // default: a new RLock
			}
			c, err := a.NewCondition(lock)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := a.NewRegion(32)
			cmds := startHelpers(t, 3, "cond-wait", f, strconv.Itoa(c.Off()), strconv.Itoa(r.Off()))
			waitUntil(t, "waiters", func() bool { return u64at(r, 0).Load() == 3 })
			c.Acquire(true, -1, nil)
			if err := c.Notify(1); err != nil {
				t.Fatal(err)
			}
			c.Release()
			waitUntil(t, "one woken", func() bool { return u64at(r, 1).Load() == 1 })
			time.Sleep(100 * time.Millisecond)
			if n := u64at(r, 1).Load(); n != 1 {
				t.Fatalf("notify(1) woke %d", n)
			}
			c.Acquire(true, -1, nil)
			c.NotifyAll()
			c.Release()
			waitAll(t, cmds...)
			if n := u64at(r, 1).Load(); n != 3 {
				t.Fatalf("woken %d, want 3", n)
			}
			if err := c.Notify(1); !errors.Is(err, ErrConditionNotOwned) {
				t.Fatalf("notify without the lock: %v", err)
			}
			if _, err := c.Wait(0, nil); !errors.Is(err, ErrConditionNotOwned) {
				t.Fatalf("wait without the lock: %v", err)
			}
			// wait_for across processes.
			cmds = startHelpers(t, 2, "cond-wait-for", f, strconv.Itoa(c.Off()), strconv.Itoa(r.Off()))
			for i := 0; i < 5; i++ {
				c.Acquire(true, -1, nil)
				u64at(r, 2).Add(1)
				c.NotifyAll()
				c.Release()
				time.Sleep(5 * time.Millisecond)
			}
			waitAll(t, cmds...)
			if u64at(r, 3).Load() != 2 {
				t.Fatal("wait_for waiters")
			}
			// Timeout: not notified.
			c.Acquire(true, -1, nil)
			if ok, err := c.Wait(0.05, nil); ok || err != nil {
				t.Fatalf("wait timeout: %v %v", ok, err)
			}
			c.Release()
		})
	}
}

func init() {
	helpers["barrier-wait"] = func(args []string) int {
		a := attachHelperArena()
		b, err := a.AttachBarrier(atoi(args[1]))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		r, _ := a.AttachRegion(atoi(args[2]))
		me := atoi(args[0])
		for round := 0; round < 3; round++ {
			idx, err := b.Wait(-1, nil, func() error { u64at(r, 0).Add(1); return nil })
			if err != nil {
				fmt.Fprintln(os.Stderr, "barrier", err)
				return 1
			}
			u64at(r, 1+8*round+me).Store(uint64(idx) + 1)
		}
		return 0
	}
	helpers["barrier-broken"] = func(args []string) int {
		a := attachHelperArena()
		b, _ := a.AttachBarrier(atoi(args[1]))
		r, _ := a.AttachRegion(atoi(args[2]))
		u64at(r, 0).Add(1)
		if _, err := b.Wait(-1, nil, nil); !errors.Is(err, ErrBrokenBarrier) {
			fmt.Fprintln(os.Stderr, "want broken, got", err)
			return 1
		}
		return 0
	}
}

func TestBarrierProcesses(t *testing.T) {
	a, f := newArena(t)
	b, err := a.NewBarrier(4, 30)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := a.NewRegion(8 * 32)
	waitAll(t, startHelpers(t, 4, "barrier-wait", f, strconv.Itoa(b.Off()), strconv.Itoa(r.Off()))...)
	if n := u64at(r, 0).Load(); n != 3 {
		t.Fatalf("action ran %d times in 3 rounds", n)
	}
	for round := 0; round < 3; round++ {
		var idx []int
		for me := 0; me < 4; me++ {
			idx = append(idx, int(u64at(r, 1+8*round+me).Load())-1)
		}
		slices.Sort(idx)
		if !slices.Equal(idx, []int{0, 1, 2, 3}) {
			t.Fatalf("round %d indices %v", round, idx)
		}
	}
	if b.Broken() || b.NWaiting() != 0 {
		t.Fatal("barrier state after use")
	}

	// Abort wakes waiters with BrokenBarrierError; Reset repairs.
	r2, _ := a.NewRegion(8)
	cmds := startHelpers(t, 2, "barrier-broken", f, strconv.Itoa(b.Off()), strconv.Itoa(r2.Off()))
	waitUntil(t, "barrier waiters", func() bool { return b.NWaiting() == 2 })
	if err := b.Abort(nil); err != nil {
		t.Fatal(err)
	}
	waitAll(t, cmds...)
	if !b.Broken() {
		t.Fatal("not broken after abort")
	}
	if _, err := b.Wait(-1, nil, nil); !errors.Is(err, ErrBrokenBarrier) {
		t.Fatalf("wait on broken barrier: %v", err)
	}
	b.Reset(nil)
	if b.Broken() {
		t.Fatal("still broken after reset")
	}

	// A timeout breaks the barrier; a failing action too.
	b1, _ := a.NewBarrier(2, -1)
	if _, err := b1.Wait(0.05, nil, nil); !errors.Is(err, ErrBrokenBarrier) || !b1.Broken() {
		t.Fatalf("timed-out wait: %v", err)
	}
	b2, _ := a.NewBarrier(1, -1)
	boom := errors.New("action failed")
	if _, err := b2.Wait(-1, nil, func() error { return boom }); err != boom || !b2.Broken() {
		t.Fatalf("failing action: %v", err)
	}
	if idx, err := b2.Wait(-1, nil, nil); err == nil {
		t.Fatalf("broken barrier let a party through: %d", idx)
	}
	b2.Reset(nil)
	if idx, err := b2.Wait(-1, nil, nil); err != nil || idx != 0 {
		t.Fatalf("after reset: %d %v", idx, err)
	}
}

func TestArenaAttachAndAlloc(t *testing.T) {
	a, err := NewArena(4096)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var offs []int
	for {
		l, err := a.NewLock()
		if err == ErrArenaFull {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, l.Off())
	}
	if len(offs) != (4096-arenaHeader)/objAlign {
		t.Fatalf("%d locks in a 4 KiB arena", len(offs))
	}
	for i, off := range offs {
		if off%objAlign != 0 || (i > 0 && off != offs[i-1]+objAlign) {
			t.Fatalf("offset %d", off)
		}
	}
	if k, err := a.Kind(offs[0]); err != nil || k != "Lock" {
		t.Fatal(k, err)
	}
	if _, err := a.AttachEvent(offs[0]); err == nil {
		t.Fatal("attached a Lock as an Event")
	}
	for _, bad := range []int{0, 1, 65, 1 << 20} {
		if _, err := a.Open(bad); err == nil {
			t.Fatalf("opened offset %d", bad)
		}
	}
	if o, err := a.Open(offs[3]); err != nil {
		t.Fatal(err)
	} else if _, ok := o.(*Lock); !ok {
		t.Fatalf("Open gave %T", o)
	}
	// A file that is not an arena is refused.
	f, _ := os.CreateTemp(t.TempDir(), "x")
	f.Write(make([]byte, 8192))
	if _, err := AttachArena(int(f.Fd())); err == nil {
		t.Fatal("attached a plain file")
	}
	f.Close()
	// Region data is shared through a second mapping of the same memfd.
	b, _ := NewArena(0)
	defer b.Close()
	reg, _ := b.NewRegion(100)
	copy(reg.Bytes(), "shared")
	fd, _ := dupCloexec(b.Fd())
	b2, err := AttachArena(fd)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	reg2, err := b2.AttachRegion(reg.Off())
	if err != nil || string(reg2.Bytes()[:6]) != "shared" || len(reg2.Bytes()) != 100 {
		t.Fatalf("region through a second mapping: %v", err)
	}
	if uintptr(reg2.Pointer())%64 != 0 {
		t.Fatal("region data not 64-byte aligned")
	}
}
