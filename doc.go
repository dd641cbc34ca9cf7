// Command forkjs is a JavaScript runtime whose scripts use Python's process
// primitives (os.fork, multiprocessing, subprocess) with Python's semantics.
//
// Usage:
//
//	forkjs                    REPL
//	forkjs FILE.js [ARG...]   run a script
//	forkjs -e CODE            run CODE
//	forkjs -                  run the script read from standard input
package main
