package engine_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/engine"
)

func osReadFile(p string) ([]byte, error) { return os.ReadFile(p) }
func itoa(i int) string                   { return strconv.Itoa(i) }

// newRuntime returns a runtime with every module, closed when t ends.
func newRuntime(t *testing.T) *engine.Runtime {
	t.Helper()
	rt, err := engine.New(engine.Options{Modules: bindings.Defaults()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt
}
