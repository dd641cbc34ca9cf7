package ipc

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// benchFrames measures frames per second through a pipe inside this
// process: a goroutine writes b.N frames of a small-dict-sized payload and
// the benchmark reads them with the reader newReader makes.
func benchFrames(b *testing.B, newReader func(r int) func(c *Cancel) error, withCancel bool) {
	r, w := pipe(b)
	var c *Cancel
	if withCancel {
		var err error
		if c, err = NewCancel(); err != nil {
			b.Fatal(err)
		}
		defer c.Close()
	}
	read := newReader(r)
	msg := make([]byte, 12) // {i: 1, s: 'x', a: [1, 2]} encodes to 12 bytes
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			if err := WriteFrameCancel(w, msg, c, -1); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	for i := 0; i < b.N; i++ {
		if err := read(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

func exactReader(r int) func(c *Cancel) error {
	s := NewStream(r)
	return func(c *Cancel) error { _, err := s.ReadFrame(1<<20, c, -1); return err }
}

func bufferedReader(r int) func(c *Cancel) error {
	fr := NewFrameReader(r, 1<<20)
	return func(c *Cancel) error { _, err := fr.ReadFrame(c, -1); return err }
}

func BenchmarkFramesExact(b *testing.B)               { benchFrames(b, exactReader, false) }
func BenchmarkFramesExactCancellable(b *testing.B)    { benchFrames(b, exactReader, true) }
func BenchmarkFramesBuffered(b *testing.B)            { benchFrames(b, bufferedReader, false) }
func BenchmarkFramesBufferedCancellable(b *testing.B) { benchFrames(b, bufferedReader, true) }

// BenchmarkFramesBatchedWrites writes 64 frames per write(2), as a Queue
// feeder draining its buffer would.
func BenchmarkFramesBatchedWrites(b *testing.B) {
	r, w := pipe(b)
	msg := make([]byte, 12)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		var buf []byte
		for i := 0; i < b.N; {
			buf = buf[:0]
			for j := 0; j < 64 && i < b.N; j, i = j+1, i+1 {
				buf = AppendFrame(buf, msg)
			}
			if err := WriteFull(w, buf, nil, -1); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	fr := NewFrameReader(r, 1<<20)
	for i := 0; i < b.N; i++ {
		if _, err := fr.ReadFrame(nil, -1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	_ = unix.Close
}

func init() {
	helpers["frame-flood"] = func(args []string) int {
		n, _ := strconv.Atoi(args[0])
		msg := make([]byte, 12)
		c, _ := NewCancel()
		s := NewStream(3)
		for i := 0; i < n; i++ {
			if err := s.WriteFrame(msg, c, -1); err != nil {
				return 1
			}
		}
		return 0
	}
}

// BenchmarkFramesProcess measures frames/s from a writer process to this
// one, both sides cancellable, one frame per write(2): the Queue path.
// "exact" reads header and payload separately (two reads per frame, safe
// with several readers), "buffered" reads ahead with a FrameReader
// (Connection).
func BenchmarkFramesProcess(b *testing.B) {
	for _, mode := range []string{"exact", "buffered"} {
		b.Run(mode, func(b *testing.B) {
			var p [2]int
			if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
				b.Fatal(err)
			}
			rfd, wfd := p[0], p[1]
			defer unix.Close(rfd)
			c, _ := NewCancel()
			defer c.Close()
			wf := os.NewFile(uintptr(wfd), "w")
			cmd := helperCmd(&testing.T{}, "frame-flood", []*os.File{wf}, strconv.Itoa(b.N))
			b.ResetTimer()
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			wf.Close()
			s := NewStream(rfd)
			fr := NewFrameReader(rfd, 1<<20)
			var err error
			for i := 0; i < b.N; i++ {
				if mode == "buffered" {
					_, err = fr.ReadFrame(c, -1)
				} else {
					_, err = s.ReadFrame(1<<20, c, -1)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
			cmd.Wait()
		})
	}
}
