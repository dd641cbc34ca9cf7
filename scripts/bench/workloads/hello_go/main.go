// The Go floor for start-up: a program that does nothing.
package main

func main() {}
