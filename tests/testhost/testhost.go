// Package testhost is a module for forkjs's own tests: host functions that
// break the rules on purpose (to prove divergence detection) or change on
// every call (to prove journaling). It is registered only in test binaries.
package testhost

import (
	"os"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
)

// Module is testhost: require('testhost').
var Module = engine.Register(&engine.Module{Name: "testhost", Init: initModule})

var counter atomic.Int64

func initModule(rt *engine.Runtime, exports *goja.Object) {
	// misclassified(): declared Pure but returns a different value in every
	// process (pid and time), which a correct binding must never do: a
	// forked child replaying it diverges.
	exports.Set("misclassified", func() int64 {
		v, _ := engine.Do(rt, engine.Pure, "testhost.misclassified", 0, func() (int64, error) {
			return int64(os.Getpid())*1000 + time.Now().UnixNano()%1000, nil
		})
		return v
	})
	// counter(): an Input function whose result changes on every call; a
	// forked child must see the parent's values up to the fork.
	exports.Set("counter", func() int64 {
		v, _ := engine.Do(rt, engine.Input, "testhost.counter", 0, func() (int64, error) {
			return counter.Add(1) + time.Now().UnixNano()%7*1000, nil
		})
		return v
	})
}
