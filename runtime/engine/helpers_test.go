package engine_test

import (
	"os"
	"strconv"
)

func osReadFile(p string) ([]byte, error) { return os.ReadFile(p) }
func itoa(i int) string                   { return strconv.Itoa(i) }
