package pyerr

import (
	"sort"
	"testing"

	"github.com/dop251/goja"
)

// Names must list exactly the classes classes.js defines.
func TestNamesMatchClasses(t *testing.T) {
	rt := goja.New()
	fnv, err := rt.RunString(classesSource)
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	tv, err := fn(goja.Undefined(), rt.ToValue(func(int) any { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	keys := tv.ToObject(rt).Keys()
	sort.Strings(keys)
	names := append([]string(nil), Names...)
	sort.Strings(names)
	if len(keys) != len(names) {
		t.Fatalf("classes.js defines %v\nNames lists %v", keys, names)
	}
	for i := range keys {
		if keys[i] != names[i] {
			t.Fatalf("classes.js defines %v\nNames lists %v", keys, names)
		}
	}
}

// A class is built on first use, and the OSError constructor picks the
// subclass from errno as Python's does.
func TestLazyClassesAndErrnoSubclass(t *testing.T) {
	rt := goja.New()
	tab := Install(rt)
	if tab.built {
		t.Fatal("classes built before first use")
	}
	v, err := rt.RunString(`const e = new OSError(2, 'No such file or directory', 'x');
		[e.name, e instanceof FileNotFoundError, e instanceof OSError, e.message, e.errno, e.filename].join('|')`)
	if err != nil {
		t.Fatal(err)
	}
	want := "FileNotFoundError|true|true|[Errno 2] No such file or directory: 'x'|2|x"
	if v.String() != want {
		t.Fatalf("got %s, want %s", v, want)
	}
	obj := tab.New(&Error{Type: "ValueError", Msg: "bad"})
	if obj.Get("message").String() != "bad" || obj.Get("name").String() != "ValueError" {
		t.Fatalf("New: %v", obj)
	}
}

// A lazily registered class is made once, on the first Class call, without
// building the table of Python's classes.
func TestRegisterLazy(t *testing.T) {
	rt := goja.New()
	tab := Install(rt)
	calls := 0
	tab.RegisterLazy("Mine", func() *goja.Object {
		calls++
		return rt.NewObject()
	})
	a, b := tab.Class("Mine"), tab.Class("Mine")
	if calls != 1 || a == nil || a != b {
		t.Fatalf("build ran %d times, classes %p %p", calls, a, b)
	}
	if tab.built {
		t.Fatal("Class of a lazy class built the whole table")
	}
}
