//go:debug updatemaxprocs=0

package engine_test

import (
	"os"
	"testing"

	"github.com/forkjs/forkjs/runtime/engine"
)

// TestMain lets this test binary be a forked child: engine.Dispatch turns
// a re-executed copy into the replaying child and never returns there.
func TestMain(m *testing.M) {
	engine.Dispatch()
	os.Exit(m.Run())
}
