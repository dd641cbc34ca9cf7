// Package repl is forkjs's interactive prompt: liner on a terminal, plain
// line reading otherwise.
package repl

import (
	"bufio"
	"os"
	"strings"

	"github.com/forkjs/forkjs/runtime/engine"
)

// Config configures a REPL session.
type Config struct{}

// Run reads entries from stdin and evaluates them until EOF, then returns
// the exit status. (Minimal version: the full REPL is built separately.)
func Run(rt *engine.Runtime, cfg Config) int {
	in := bufio.NewReader(os.Stdin)
	var buf strings.Builder
	for {
		line, err := in.ReadString('\n')
		buf.WriteString(line)
		if err != nil {
			break
		}
	}
	return rt.RunMain("<stdin>", []byte(buf.String()))
}
