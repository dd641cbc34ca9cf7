// Package pytime is forkjs's time module: time, sleep, monotonic,
// perf_counter and their _ns variants, with Python's units (seconds as
// floats).
package pytime

import (
	"math"
	"time"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/sys/unix"
)

// Module is time, also a global.
var Module = engine.Register(&engine.Module{Name: "time", Global: true, Init: initModule, NamesFunctions: true})

// clock reads the clock id in nanoseconds; the monotonic and real-time
// clocks without a system call.
func clock(id int32) int64 {
	switch id {
	case unix.CLOCK_MONOTONIC:
		return engine.Monotonic()
	case unix.CLOCK_REALTIME:
		return time.Now().UnixNano()
	}
	var ts unix.Timespec
	unix.ClockGettime(id, &ts)
	return ts.Nano()
}

// Sleep blocks for secs seconds, as Python's time.sleep: signal handlers
// run meanwhile and the sleep resumes; Ctrl-C raises KeyboardInterrupt.
// ValueError for a negative or NaN duration.
func Sleep(rt *engine.Runtime, secs float64) error {
	if secs < 0 || math.IsNaN(secs) {
		return pyerr.ValueErrorf("sleep length must be non-negative")
	}
	if secs > 9.2e9 { // beyond int64 nanoseconds, as Python's _PyTime_t
		return pyerr.New("OverflowError", "sleep length is too large")
	}
	deadline := clock(unix.CLOCK_MONOTONIC) + int64(secs*1e9)
	_, err := engine.Block(rt, "time.sleep", engine.ArgsHash(secs), false, func(c engine.Cancel) (struct{}, error) {
		d := time.Duration(deadline - clock(unix.CLOCK_MONOTONIC))
		if d <= 0 {
			return struct{}{}, nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return struct{}{}, nil
		case <-c.C:
			return struct{}{}, engine.ErrWoken
		}
	})
	return err
}

func initModule(rt *engine.Runtime, exports *goja.Object) {
	vm := rt.VM()
	reader := func(name string, id int32, ns bool) {
		exports.Set(name, engine.NamedFunc(vm, name, func(call goja.FunctionCall) goja.Value {
			v, _ := engine.Do(rt, engine.Input, "time."+name, 0, func() (int64, error) { return clock(id), nil })
			if ns {
				return vm.ToValue(v)
			}
			return vm.ToValue(float64(v) / 1e9)
		}))
	}
	// time(): seconds since the epoch; monotonic(), perf_counter():
	// seconds from an arbitrary point; process_time(): CPU seconds.
	reader("time", unix.CLOCK_REALTIME, false)
	reader("time_ns", unix.CLOCK_REALTIME, true)
	reader("monotonic", unix.CLOCK_MONOTONIC, false)
	reader("monotonic_ns", unix.CLOCK_MONOTONIC, true)
	reader("perf_counter", unix.CLOCK_MONOTONIC, false)
	reader("perf_counter_ns", unix.CLOCK_MONOTONIC, true)
	reader("process_time", unix.CLOCK_PROCESS_CPUTIME_ID, false)
	reader("process_time_ns", unix.CLOCK_PROCESS_CPUTIME_ID, true)
	// sleep(secs): see Sleep.
	exports.Set("sleep", engine.NamedFunc(vm, "sleep", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "time.sleep", 1, "secs")
		if err := Sleep(rt, a.Float("secs", 0)); err != nil {
			rt.Throw(err)
		}
		return goja.Undefined()
	}))
	// strftime(format, t = now): local time formatted with C's strftime
	// directives (%Y %m %d %H %M %S %a %b %j %Z %%).
	exports.Set("strftime", engine.NamedFunc(vm, "strftime", func(call goja.FunctionCall) goja.Value {
		a := rt.Params(call, "time.strftime", 1, "format", "t")
		var t time.Time
		if a.Has("t") {
			f := a.Float("t", 0)
			t = time.Unix(0, int64(f*1e9))
		} else {
			v, _ := engine.Do(rt, engine.Input, "time.time", 0, func() (int64, error) { return clock(unix.CLOCK_REALTIME), nil })
			t = time.Unix(0, v)
		}
		return vm.ToValue(strftime(a.Str("format", ""), t.Local()))
	}))
}

func strftime(f string, t time.Time) string {
	out := make([]byte, 0, len(f)+16)
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			out = append(out, f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			out = t.AppendFormat(out, "2006")
		case 'y':
			out = t.AppendFormat(out, "06")
		case 'm':
			out = t.AppendFormat(out, "01")
		case 'd':
			out = t.AppendFormat(out, "02")
		case 'H':
			out = t.AppendFormat(out, "15")
		case 'I':
			out = t.AppendFormat(out, "03")
		case 'M':
			out = t.AppendFormat(out, "04")
		case 'S':
			out = t.AppendFormat(out, "05")
		case 'p':
			out = t.AppendFormat(out, "PM")
		case 'a':
			out = t.AppendFormat(out, "Mon")
		case 'A':
			out = t.AppendFormat(out, "Monday")
		case 'b':
			out = t.AppendFormat(out, "Jan")
		case 'B':
			out = t.AppendFormat(out, "January")
		case 'Z':
			out = t.AppendFormat(out, "MST")
		case 'z':
			out = t.AppendFormat(out, "-0700")
		case 'j':
			out = append(out, []byte(pad3(t.YearDay()))...)
		case '%':
			out = append(out, '%')
		default:
			out = append(out, '%', f[i])
		}
	}
	return string(out)
}

func pad3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}
