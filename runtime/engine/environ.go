package engine

import (
	"os"
	"strings"
)

// environ is the script's environment (os.environ): its start-up value is
// pinned in the journal header and every change is made on the JS thread
// in both modes, so a forked child sees the same mapping. When the runtime
// runs on the process's own environment (Options.Env nil), changes also
// reach the process (putenv), as Python's os.environ does.
type environ struct {
	keys []string
	vals map[string]string
}

func (rt *Runtime) env() *environ {
	return rt.State(envKey{}, func() any {
		e := &environ{vals: map[string]string{}}
		for _, kv := range rt.hdr.Env {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			if _, dup := e.vals[k]; !dup {
				e.keys = append(e.keys, k)
			}
			e.vals[k] = v
		}
		return e
	}).(*environ)
}

type envKey struct{}

// Environ returns the script's current environment as KEY=value strings,
// in os.environ's order: what subprocesses and forked children get.
func (rt *Runtime) Environ() []string {
	e := rt.env()
	out := make([]string, 0, len(e.keys))
	for _, k := range e.keys {
		out = append(out, k+"="+e.vals[k])
	}
	return out
}

// EnvKeys returns the environment's keys in order.
func (rt *Runtime) EnvKeys() []string { return append([]string(nil), rt.env().keys...) }

// Getenv returns an environment variable, as os.environ.get.
func (rt *Runtime) Getenv(key string) (string, bool) {
	v, ok := rt.env().vals[key]
	return v, ok
}

// Setenv sets an environment variable, as os.environ[key] = value.
func (rt *Runtime) Setenv(key, value string) error {
	e := rt.env()
	if _, ok := e.vals[key]; !ok {
		e.keys = append(e.keys, key)
	}
	e.vals[key] = value
	if !rt.hdr.OwnEnv {
		return nil
	}
	_, err := Do(rt, Effect, "os.putenv", ArgsHash(key, value), func() (struct{}, error) {
		return struct{}{}, os.Setenv(key, value)
	})
	return err
}

// Unsetenv removes an environment variable, as del os.environ[key].
func (rt *Runtime) Unsetenv(key string) error {
	e := rt.env()
	if _, ok := e.vals[key]; !ok {
		return nil
	}
	delete(e.vals, key)
	for i, k := range e.keys {
		if k == key {
			e.keys = append(e.keys[:i], e.keys[i+1:]...)
			break
		}
	}
	if !rt.hdr.OwnEnv {
		return nil
	}
	_, err := Do(rt, Effect, "os.unsetenv", ArgsHash(key), func() (struct{}, error) {
		return struct{}{}, os.Unsetenv(key)
	})
	return err
}
