package proc

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// BenchmarkSpawn compares starting and reaping /bin/true with this package
// and with os/exec. os/exec connects nil streams to /dev/null, so the "proc"
// variant does the same for a like-for-like match; "proc-inherit" is the
// Python default (inherit).
func BenchmarkSpawn(b *testing.B) {
	b.Run("proc", func(b *testing.B) {
		cmd := &Cmd{Path: "/bin/true", Stdin: DevNull, Stdout: DevNull, Stderr: DevNull}
		for b.Loop() {
			p, err := cmd.Start()
			if err != nil {
				b.Fatal(err)
			}
			if st, err := p.Wait(context.Background()); err != nil || !st.Success() {
				b.Fatal(st, err)
			}
		}
	})
	b.Run("proc-inherit", func(b *testing.B) {
		cmd := &Cmd{Path: "/bin/true"}
		for b.Loop() {
			p, err := cmd.Start()
			if err != nil {
				b.Fatal(err)
			}
			if st, err := p.Wait(context.Background()); err != nil || !st.Success() {
				b.Fatal(st, err)
			}
		}
	})
	b.Run("osexec", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSpawnPaired alternates one proc spawn and one os/exec spawn of
// /bin/true per iteration and reports the median of each and their ratio,
// which stays meaningful on a machine whose speed drifts (shared VMs).
func BenchmarkSpawnPaired(b *testing.B) {
	cmd := &Cmd{Path: "/bin/true", Stdin: DevNull, Stdout: DevNull, Stderr: DevNull}
	var ours, theirs []time.Duration
	for b.Loop() {
		t0 := time.Now()
		p, err := cmd.Start()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := exec.Command("/bin/true").Run(); err != nil {
			b.Fatal(err)
		}
		ours = append(ours, t1.Sub(t0))
		theirs = append(theirs, time.Since(t1))
	}
	slices.Sort(ours)
	slices.Sort(theirs)
	mo, mt := ours[len(ours)/2], theirs[len(theirs)/2]
	b.ReportMetric(float64(mo.Nanoseconds()), "proc-median-ns")
	b.ReportMetric(float64(mt.Nanoseconds()), "osexec-median-ns")
	b.ReportMetric(float64(mo)/float64(mt), "proc/osexec")
}

// BenchmarkCommunicateCat pushes 64 MiB through cat and reads it back;
// MB/s counts the input bytes. Python 3.11's communicate does 236 MB/s on
// this machine.
func BenchmarkCommunicateCat(b *testing.B) {
	input := pattern(64 << 20)
	for _, bc := range []struct {
		name string
		size int
	}{{"defaultpipe", 0}, {"pipesize1M", 1 << 20}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(input)))
			for b.Loop() {
				p, err := (&Cmd{Path: "/bin/cat", Stdin: Pipe, Stdout: Pipe, PipeSize: bc.size}).Start()
				if err != nil {
					b.Fatal(err)
				}
				out, _, err := p.Communicate(context.Background(), input)
				if err != nil || len(out) != len(input) {
					b.Fatal(len(out), err)
				}
				if !bytes.Equal(out[:1<<20], input[:1<<20]) {
					b.Fatal("corrupted")
				}
			}
		})
	}
}

// BenchmarkCommunicateCatOSExec is the same transfer with os/exec (stdin
// from a bytes.Reader, stdout into a bytes.Buffer) for reference.
func BenchmarkCommunicateCatOSExec(b *testing.B) {
	input := pattern(64 << 20)
	b.SetBytes(int64(len(input)))
	for b.Loop() {
		cmd := exec.Command("/bin/cat")
		cmd.Stdin = bytes.NewReader(input)
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil || out.Len() != len(input) {
			b.Fatal(err)
		}
	}
}
