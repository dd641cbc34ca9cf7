package subprocess

import (
	"context"
	"sort"
	"syscall"
	"time"

	"github.com/forkjs/forkjs/runtime/engine"
)

// atExit runs when the script ends. After Ctrl-C (exit status 130) it
// kills, with SIGKILL, the process group of every child started in a group
// of its own (start_new_session, process_group=0, a shell command line run
// with a timeout) whose leader has not been reaped: the terminal's SIGINT
// never reached those groups, and they must not outlive the script. Other
// children are left alone, as Python leaves them.
func (m *mod) atExit() {
	if m.nLeaders == 0 {
		return
	}
	engine.Do(m.rt, engine.Effect, "subprocess.atexit", 0, func() (struct{}, error) {
		if m.rt.ExitCode() != 130 {
			return struct{}{}, nil
		}
		ids := make([]int, 0, len(m.leaders))
		for id := range m.leaders {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		for _, id := range ids {
			if lp := m.leaders[id]; !lp.reaped {
				lp.proc.SignalGroup(syscall.SIGKILL)
			}
		}
		// Reap the leaders too (a killed process ends at once), so that
		// none is left a zombie for init to collect after the script.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		for _, id := range ids {
			if lp := m.leaders[id]; !lp.reaped {
				if _, err := lp.proc.Wait(ctx); err == nil {
					lp.reaped = true
				}
			}
		}
		return struct{}{}, nil
	})
}
