//go:debug updatemaxprocs=0

package main

import (
	"os"

	"github.com/forkjs/forkjs/bindings"
	"github.com/forkjs/forkjs/runtime/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, bindings.Defaults()))
}
