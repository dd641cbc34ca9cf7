package engine_test

import (
	"context"
	"testing"

	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/engine"
)

// BenchmarkNewRun measures what every forkjs process and forked child
// pays after the Go runtime starts: creating a runtime with all modules
// and running a trivial script.
func BenchmarkNewRun(b *testing.B) { benchNewRun(b, "0") }

// benchNewRun creates a runtime with all modules and runs code, b.N times.
func benchNewRun(b *testing.B, code string) {
	for i := 0; i < b.N; i++ {
		rt, err := engine.New(engine.Options{Modules: bindings.Defaults()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rt.RunString(context.Background(), code); err != nil {
			b.Fatal(err)
		}
		rt.Close()
	}
}

// BenchmarkPrintObject: first print of an object (compiles the formatter).
func BenchmarkPrintObject(b *testing.B) {
	for i := 0; i < b.N; i++ {
		rt, _ := engine.New(engine.Options{Modules: bindings.Defaults(), Stdout: nopWriter{}})
		rt.RunString(context.Background(), "print({a: 1})")
		rt.Close()
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkRequireOsSys is what every forked child that uses os, sys and
// time replays: building a runtime and those three modules.
func BenchmarkRequireOsSys(b *testing.B) { benchNewRun(b, "os.getpid(); sys.argv; time.time()") }
