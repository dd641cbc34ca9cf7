package engine

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The determinism self-test (DESIGN §1): with FORKJS_RECORD=DIR every
// forkjs process writes its whole journal to DIR/<pid>.journal when it
// ends; ReplayCheck then replays such a journal from the start in a fresh
// process, with no live effect, and fails on any divergence or on journal
// left over. CI runs it over every example and test script.

const recordEnv = "FORKJS_RECORD"

func (rt *Runtime) recordJournal() {
	dir := os.Getenv(recordEnv)
	if dir == "" || rt.tainted || rt.journal.off {
		return // an interrupted run cannot be replayed to the same point
	}
	if err := rt.journal.flush(); err != nil {
		fmt.Fprintln(os.Stderr, "forkjs: record:", err)
		return
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.journal", os.Getpid())))
	if err != nil {
		fmt.Fprintln(os.Stderr, "forkjs: record:", err)
		return
	}
	defer f.Close()
	src := rt.journal.fd
	if src < 0 {
		return
	}
	var off int64
	buf := make([]byte, 1<<20)
	for off < rt.journal.size {
		n, err := unix.Pread(src, buf, off)
		if n <= 0 || err != nil {
			break
		}
		f.Write(buf[:n])
		off += int64(n)
	}
}

// ReplayCheck replays the journal in file path to its end in this process
// (which must be a fresh one) and returns nil if the replay matched it
// entry for entry. A divergence exits the process with DivergenceStatus
// after printing the entry index, expected and actual.
func ReplayCheck(path string) (err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	defer func() {
		switch e := recover().(type) {
		case nil:
		case errCorrupt:
			err = fmt.Errorf("%s: corrupt journal at byte %d", path, int(e))
		default:
			panic(e)
		}
	}()
	os.Setenv("FORKJS_DEBUG", "1") // print divergences: there is no parent
	r := &journalReader{data: data}
	rt, _ := childRuntime(r, nil)
	if rt == nil {
		return fmt.Errorf("%s: not a forkjs journal", path)
	}
	rt.replayTopLevel()
	if !rt.replaying {
		return fmt.Errorf("%s: the replay went live before the journal's end", path)
	}
	if !r.done() {
		return fmt.Errorf("%s: journal left over after entry %d", path, r.entries-1)
	}
	return nil
}
