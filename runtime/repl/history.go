package repl

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/peterh/liner"
)

// lineBreak stands for a line break inside a history entry: liner edits
// one line, so a multi-line entry is recalled whole on one line with this
// mark (SYMBOL FOR NEWLINE) between its lines, and turned back into line
// breaks when it is entered again.
const lineBreak = "\u2424"

// historyLimit caps the history kept in memory and in the file (liner's
// own limit).
const historyLimit = liner.HistoryLimit

// toHistory turns an entry into one history line.
func toHistory(entry string) string {
	return strings.ReplaceAll(strings.TrimRight(entry, "\n"), "\n", lineBreak)
}

// fromHistory turns a line typed or recalled at the prompt back into
// source lines.
func fromHistory(line string) string {
	return strings.ReplaceAll(line, lineBreak, "\n")
}

// historyPath returns the history file: cfg's, else $FORKJS_HISTORY (set
// and empty means no file), else ~/.forkjs_history; "" means none.
func historyPath(cfg Config) string {
	if cfg.NoHistory {
		return ""
	}
	if cfg.HistoryFile != "" {
		return cfg.HistoryFile
	}
	if p, ok := os.LookupEnv("FORKJS_HISTORY"); ok {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".forkjs_history")
}

// loadHistory reads the history file into l; a missing or unreadable file
// just means an empty history.
func loadHistory(l *liner.State, path string) {
	if path == "" {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	l.ReadHistory(f)
}

// saveHistory writes l's history (at most historyLimit entries) to path,
// readable by its owner only (mode 0600), replacing the file atomically
// so that a crash never leaves half a file.
func saveHistory(l *liner.State, path string) error {
	if path == "" {
		return nil
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real // keep a symlinked history file a symlink
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename: no such file
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := l.WriteHistory(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
