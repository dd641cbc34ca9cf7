package engine

import (
	"errors"
	"testing"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/pyerr"
)

// A Ctrl-C that lands while the Bytes class is being built on first use
// (it was seen while an uncaught KeyboardInterrupt was being printed) does
// not leave it half built or panic: the class is built, and the interrupt
// still stops the next script code.
func TestFactoryInterrupted(t *testing.T) {
	rt, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.vm.Interrupt(pyerr.Interrupted)
	if cls := rt.bytesClass(); cls == nil {
		t.Fatal("no Bytes class")
	}
	_, err = rt.vm.RunString(`1`)
	var ie *goja.InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("the interrupt was lost: %v", err)
	}
	rt.vm.ClearInterrupt()
	if v, err := rt.vm.RunString(`new Bytes('hi').decode()`); err != nil || v.String() != "hi" {
		t.Fatalf("Bytes after the interrupt: %v %v", v, err)
	}
}
