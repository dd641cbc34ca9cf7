package ipc

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// The Queue path end to end, across processes: a writer process encodes
// {i, s: 'x', a: [1, 2]} in its goja runtime and writes one frame per
// message; this process reads each frame exactly (as several Queue readers
// must) and decodes it in its runtime. Both sides pass a Cancel, as forkjs
// always does. Compare with CPython's multiprocessing.Queue (put/get of
// small dicts between two processes).

func init() {
	helpers["queue-put"] = func(args []string) int {
		n := atoi(args[0])
		env := newTestEnv(&testing.T{})
		v, err := env.rt.RunString(`({i: 1, s: 'x', a: [1, 2]})`)
		if err != nil {
			return 1
		}
		c, _ := NewCancel()
		s := NewStream(3)
		var buf []byte
		for i := 0; i < n; i++ {
			var start int
			buf, start = BeginFrame(buf[:0])
			if buf, err = env.codec.AppendEncode(buf, "obj", v); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			EndFrame(buf, start)
			if err := s.WriteFull(buf, c, -1); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	}
}

func BenchmarkQueuePathProcesses(b *testing.B) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		b.Fatal(err)
	}
	defer unix.Close(p[0])
	env := newTestEnv(&testing.T{})
	c, _ := NewCancel()
	defer c.Close()
	wf := os.NewFile(uintptr(p[1]), "w")
	cmd := helperCmd(&testing.T{}, "queue-put", []*os.File{wf}, strconv.Itoa(b.N))
	b.ResetTimer()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	wf.Close()
	s := NewStream(p[0])
	for i := 0; i < b.N; i++ {
		f, err := s.ReadFrame(1<<20, c, -1)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := env.codec.Decode(f); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	cmd.Wait()
}

func init() {
	helpers["queue-put-ring"] = func(args []string) int {
		n := atoi(args[0])
		a := attachHelperArena()
		r, err := a.AttachRing(atoi(args[1]))
		if err != nil {
			return 1
		}
		env := newTestEnv(&testing.T{})
		v, _ := env.rt.RunString(`({i: 1, s: 'x', a: [1, 2]})`)
		c, _ := NewCancel()
		var buf []byte
		for i := 0; i < n; i++ {
			if buf, err = env.codec.AppendEncode(buf[:0], "obj", v); err != nil {
				return 1
			}
			if err := r.WriteFrame(buf, c, -1); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	}
}

// BenchmarkQueuePathRing is BenchmarkQueuePathProcesses through a shared
// memory Ring instead of a pipe.
func BenchmarkQueuePathRing(b *testing.B) {
	a, err := NewArena(4 << 20)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	r, err := a.NewRing(0)
	if err != nil {
		b.Fatal(err)
	}
	fd, _ := dupCloexec(a.Fd())
	f := os.NewFile(uintptr(fd), "arena")
	env := newTestEnv(&testing.T{})
	c, _ := NewCancel()
	defer c.Close()
	cmd := helperCmd(&testing.T{}, "queue-put-ring", []*os.File{f}, strconv.Itoa(b.N), strconv.Itoa(r.Off()))
	b.ResetTimer()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	var buf []byte
	for i := 0; i < b.N; i++ {
		if buf, err = r.ReadFrame(buf[:0], 1<<20, c, -1); err != nil {
			b.Fatal(err)
		}
		if _, err := env.codec.Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	cmd.Wait()
}
