// Package bindings wires forkjs's JS modules, one package per Python
// module, into the engine.
package bindings

import (
	"github.com/forkjs/forkjs/bindings/builtins"
	"github.com/forkjs/forkjs/bindings/errno"
	"github.com/forkjs/forkjs/bindings/multiprocessing"
	"github.com/forkjs/forkjs/bindings/pyos"
	"github.com/forkjs/forkjs/bindings/pysys"
	"github.com/forkjs/forkjs/bindings/pytime"
	"github.com/forkjs/forkjs/bindings/queue"
	"github.com/forkjs/forkjs/bindings/signal"
	"github.com/forkjs/forkjs/bindings/subprocess"
	"github.com/forkjs/forkjs/runtime/engine"
)

// Defaults returns every forkjs module: builtins (print, open, console),
// os, sys, errno, signal, time, queue, subprocess and multiprocessing.
func Defaults() []*engine.Module {
	return []*engine.Module{
		builtins.Module, pysys.Module, pyos.Module, errno.Module, signal.Module,
		pytime.Module, queue.Module, subprocess.Module, multiprocessing.Module,
	}
}
