package proc

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestExitStatus(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		p := start(t, sh("exit 3"))
		st := waitCtx(t, p)
		if !st.Exited() || st.ExitCode() != 3 || st.ReturnCode() != 3 || st.Signaled() || st.Unknown() {
			t.Fatalf("state %v: exited=%v code=%d rc=%d", st, st.Exited(), st.ExitCode(), st.ReturnCode())
		}
		if st.Pid() != p.Pid {
			t.Fatalf("Pid %d, want %d", st.Pid(), p.Pid)
		}
		var ee *ExitError
		if err := st.Err(); !errors.As(err, &ee) || ee.ReturnCode() != 3 || err.Error() != "exit status 3" {
			t.Fatalf("Err() = %v", err)
		}
		// Reaped once; every later call gives the same state.
		st2, done, err := p.Poll()
		if st2 != st || !done || err != nil {
			t.Fatalf("Poll after Wait = %v %v %v", st2, done, err)
		}
		if st3 := waitCtx(t, p); st3 != st {
			t.Fatalf("second Wait returned a different state")
		}
	})
}

func TestSuccess(t *testing.T) {
	p := start(t, &Cmd{Path: "/bin/true"})
	st := waitCtx(t, p)
	if !st.Success() || st.Err() != nil || st.String() != "exit status 0" {
		t.Fatalf("true: %v", st)
	}
}

func TestKillReturnCode(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		p := start(t, &Cmd{Args: []string{"sleep", "30"}})
		if err := p.Kill(); err != nil {
			t.Fatal(err)
		}
		st := waitCtx(t, p)
		if st.ReturnCode() != -9 || !st.Signaled() || st.Signal() != syscall.SIGKILL || st.ExitCode() != -1 {
			t.Fatalf("after SIGKILL: %v rc=%d", st, st.ReturnCode())
		}
		if st.String() != "signal: killed" {
			t.Fatalf("String() = %q", st.String())
		}
		if err := p.Kill(); err != ErrProcessDone {
			t.Fatalf("Kill after reap = %v, want ErrProcessDone", err)
		}
	})
}

func TestWaitCancelAndResume(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		p := start(t, &Cmd{Args: []string{"sleep", "30"}})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if st, err := p.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) || st != nil {
			t.Fatalf("Wait with 100ms deadline = %v, %v", st, err)
		}
		// An already-cancelled context returns at once too.
		cctx, ccancel := context.WithCancel(context.Background())
		ccancel()
		if _, err := p.Wait(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait with cancelled ctx = %v", err)
		}
		if st, done, err := p.Poll(); st != nil || done || err != nil {
			t.Fatalf("Poll of running child = %v %v %v", st, done, err)
		}
		if err := p.Terminate(); err != nil {
			t.Fatal(err)
		}
		if st := waitCtx(t, p); st.ReturnCode() != -15 {
			t.Fatalf("after SIGTERM rc=%d", st.ReturnCode())
		}
	})
}

// Wait with an expired context still reaps a child that has exited, as
// Python's wait(timeout=0) does.
func TestWaitExpiredContextReapsExited(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		p := start(t, sh("exit 6"))
		var info siginfoChild
		if err := waitid(unix.P_PID, p.Pid, &info, unix.WEXITED|unix.WNOWAIT); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		st, err := p.Wait(ctx)
		if err != nil || st.ReturnCode() != 6 {
			t.Fatalf("Wait(expired) on exited child = %v, %v", st, err)
		}
	})
}

func TestPollUntilExit(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		p := start(t, &Cmd{Args: []string{"sh", "-c", "exit 7"}})
		deadline := time.Now().Add(10 * time.Second)
		for {
			st, done, err := p.Poll()
			if err != nil {
				t.Fatal(err)
			}
			if done {
				if st.ReturnCode() != 7 {
					t.Fatalf("rc=%d", st.ReturnCode())
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("child never exited")
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// A child reaped behind our back (os.wait() in the script, SIGCHLD ignored)
// is reported as Python's Popen does: return code 0.
func TestReapedElsewhereIsECHILD(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		p := start(t, sh("exit 5"))
		var ws unix.WaitStatus
		if _, err := unix.Wait4(p.Pid, &ws, 0, nil); err != nil {
			t.Fatal(err)
		}
		if ws.ExitStatus() != 5 {
			t.Fatalf("wait4 status %v", ws)
		}
		st := waitCtx(t, p)
		if !st.Unknown() || st.ReturnCode() != 0 || !st.Exited() {
			t.Fatalf("after ECHILD: unknown=%v rc=%d", st.Unknown(), st.ReturnCode())
		}
	})
}

// With SIGCHLD ignored the kernel reaps children itself; Python's Popen
// then reports return code 0 (bpo-15756), and so do we.
func TestSIGCHLDIgnored(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		signal.Ignore(syscall.SIGCHLD)
		// signal.Reset alone leaves SIG_IGN in place (the runtime only
		// reinstalls its handler on Notify), so Notify, then Reset.
		defer func() {
			signal.Notify(make(chan os.Signal, 1), syscall.SIGCHLD)
			signal.Reset(syscall.SIGCHLD)
		}()
		p := start(t, sh("exit 9"))
		st := waitCtx(t, p)
		if !st.Unknown() || st.ReturnCode() != 0 {
			t.Fatalf("with SIGCHLD ignored: unknown=%v rc=%d", st.Unknown(), st.ReturnCode())
		}
	})
}

func TestConcurrentWaitAndPoll(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		p := start(t, &Cmd{Args: []string{"sleep", "0.2"}})
		results := make(chan *State, 8)
		for range 4 {
			go func() {
				st, _ := p.Wait(context.Background())
				results <- st
			}()
			go func() {
				for {
					if st, done, _ := p.Poll(); done {
						results <- st
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
		}
		first := <-results
		for range 7 {
			select {
			case st := <-results:
				if st != first {
					t.Fatal("waiters saw different states")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("waiter hung")
			}
		}
		if first.ReturnCode() != 0 {
			t.Fatalf("rc=%d", first.ReturnCode())
		}
	})
}

func TestSignalAfterExit(t *testing.T) {
	withWaitModes(t, func(t *testing.T) {
		p := start(t, &Cmd{Path: "/bin/true"})
		// Let it become a zombie without reaping it.
		var info siginfoChild
		if err := waitid(unix.P_PID, p.Pid, &info, unix.WEXITED|unix.WNOWAIT); err != nil {
			t.Fatal(err)
		}
		// Signal polls first, as Python's send_signal: the exited child is
		// reaped and nothing is sent.
		if err := p.Signal(syscall.SIGTERM); err != ErrProcessDone {
			t.Fatalf("Signal to exited child = %v", err)
		}
		st, done, _ := p.Poll()
		if !done || st.ReturnCode() != 0 {
			t.Fatalf("state after Signal: %v", st)
		}
	})
}

func TestSignalGroup(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sleep", "30"}})
	if err := p.SignalGroup(syscall.SIGTERM); err != ErrNotLeader {
		t.Fatalf("SignalGroup without a group = %v", err)
	}
	p.Kill()
	waitCtx(t, p)

	// Setsid: the child leads a session and a group; killpg reaches the
	// grandchild too.
	q := start(t, &Cmd{Args: []string{"sh", "-c", "sleep 30 & echo $!; wait"}, Setsid: true, Stdout: Pipe})
	if !q.Leader() {
		t.Fatal("Setsid child is not a leader")
	}
	var buf [64]byte
	n, _ := q.Stdout.Read(buf[:])
	var gpid int
	for _, c := range buf[:n] {
		if c >= '0' && c <= '9' {
			gpid = gpid*10 + int(c-'0')
		}
	}
	state, _, pgrp, session, ok := procStat(q.Pid)
	if !ok || pgrp != q.Pid || session != q.Pid {
		t.Fatalf("child state %c pgrp %d session %d, want %d", state, pgrp, session, q.Pid)
	}
	if _, _, gpgrp, _, _ := procStat(gpid); gpgrp != q.Pid {
		t.Fatalf("grandchild %d in group %d", gpid, gpgrp)
	}
	if err := q.SignalGroup(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if st := waitCtx(t, q); st.ReturnCode() != -9 {
		t.Fatalf("rc=%d", st.ReturnCode())
	}
	if !gone(gpid, 5*time.Second) {
		t.Fatalf("grandchild %d survived killpg", gpid)
	}
}

func TestSetpgid(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sleep", "30"}, Setpgid: true})
	_, _, pgrp, session, ok := procStat(p.Pid)
	if !ok || pgrp != p.Pid {
		t.Fatalf("pgrp %d, want %d", pgrp, p.Pid)
	}
	if _, _, _, mySession, _ := procStat(syscall.Getpid()); session != mySession {
		t.Fatalf("Setpgid changed the session")
	}
	if !p.Leader() {
		t.Fatal("not a leader")
	}
	if err := p.SignalGroup(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitCtx(t, p)
	if err := p.SignalGroup(syscall.SIGKILL); err != ErrProcessDone {
		t.Fatalf("killpg of an empty group = %v", err)
	}
}

func TestRelease(t *testing.T) {
	p := start(t, &Cmd{Args: []string{"sleep", "0.1"}})
	pid := p.Pid
	if err := p.Release(); err != nil {
		t.Fatal(err)
	}
	if err := p.Release(); err != ErrReleased {
		t.Fatalf("second Release = %v", err)
	}
	if _, err := p.Wait(context.Background()); err != ErrReleased {
		t.Fatalf("Wait after Release = %v", err)
	}
	if _, _, err := p.Poll(); err != ErrReleased {
		t.Fatalf("Poll after Release = %v", err)
	}
	// Reaped in the background: no zombie is left.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, _, _, _, ok := procStat(pid); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("released child %d never reaped", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
