package repl

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
	"github.com/peterh/liner"
)

// lazyInits counts how often lazyModule's Init ran.
var lazyInits int

// lazyModule is a module global loaded on first use, like os or sys.
var lazyModule = engine.Register(&engine.Module{
	Name:   "replcompletetest",
	Global: true,
	Init: func(rt *engine.Runtime, exports *goja.Object) {
		lazyInits++
		exports.Set("getalpha", func() int { return 1 })
		exports.Set("getbeta", func() int { return 2 })
		exports.Set("other", 3)
	},
})

func TestIncomplete(t *testing.T) {
	open := []string{
		"function f() {", "[1, 2", "f(", "`abc", "`a ${", "1 +", "/* comment",
		"let x =", "if (x)", "x.", "class A {", "({a:", "const o = {\n  a: 1,\n",
	}
	for _, src := range open {
		if !incomplete(src) {
			t.Errorf("incomplete(%q) = false", src)
		}
	}
	done := []string{
		"", "1 + 1", "function f() {}", "`a\nb`", "}", "'abc", "let x = 1; let x = 2",
		"for (;;) {}", "x = 1;;", "return 1", "{a: 1}",
	}
	for _, src := range done {
		if incomplete(src) {
			t.Errorf("incomplete(%q) = true", src)
		}
	}
}

func TestObjectLiteral(t *testing.T) {
	cases := map[string]string{
		"{a: 1}":          "({a: 1}\n)",
		"{a: 1, b: [2]} ": "({a: 1, b: [2]} \n)",
		"{ x = 1 }":       "{ x = 1 }",
		"{a: 1};":         "{a: 1};",
		"[1]":             "[1]",
	}
	for in, want := range cases {
		if got := objectLiteral(in); got != want {
			t.Errorf("objectLiteral(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeclaredNames(t *testing.T) {
	prg, err := parse("let a = 1, [b, , c = 2, ...d] = x; const {e, f: g, h: [i], ...j} = y; class K {}; var notLexical; function alsoNot() {}; { let inner }")
	if err != nil {
		t.Fatal(err)
	}
	got := declaredNames(prg)
	want := []string{"a", "b", "c", "d", "e", "g", "i", "j", "K"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("declaredNames = %v, want %v", got, want)
	}
}

// newTestCompleter is a runtime with the lazy test module and a completer.
func newTestCompleter(t *testing.T) (*engine.Runtime, *completer) {
	t.Helper()
	rt, err := engine.New(engine.Options{Interactive: true, Modules: []*engine.Module{lazyModule}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt, newCompleter(rt)
}

// run evaluates src as an entry and records its declarations, as the
// session does.
func run(t *testing.T, rt *engine.Runtime, c *completer, src string) {
	t.Helper()
	if _, err := rt.EvalREPL(src); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	prg, err := parse(src)
	if err != nil {
		t.Fatal(err)
	}
	c.declare(declaredNames(prg))
}

func TestComplete(t *testing.T) {
	rt, c := newTestCompleter(t)
	run(t, rt, c, `
		class Shape { area() { return 1 } perimeter() { return 2 } }
		const myShape = new Shape()
		const nested = {inner: {deepValue: 1, deeper: 2}, _hidden: 1}
		var plainVar = {alpha: 1}
		let getterRuns = 0
		const tricky = { get danger() { getterRuns++; return {boom: 1} } }
		const trap = new Proxy({}, { ownKeys() { getterRuns++; return [] }, get() { getterRuns++ } })
		const str = 'text'
	`)
	cases := []struct {
		line       string
		head, tail string
		want       []string // nil: no candidates
	}{
		{line: "myS", head: "", want: []string{"myShape"}},
		{line: "myShape.", head: "myShape.", want: []string{"area", "constructor", "perimeter"}},
		{line: "myShape.per", head: "myShape.", want: []string{"perimeter"}},
		{line: "myShape.has", head: "myShape.", want: []string{"hasOwnProperty"}},
		{line: "print(nested.inner.dee", head: "print(nested.inner.", want: []string{"deepValue", "deeper"}},
		{line: "nested.", head: "nested.", want: []string{"inner"}},
		{line: "nested._", head: "nested.", want: []string{"__proto__", "_hidden"}},
		{line: "plainV", head: "", want: []string{"plainVar"}},
		{line: "plainVar.al", head: "plainVar.", want: []string{"alpha"}},
		{line: "str.toUpper", head: "str.", want: []string{"toUpperCase"}},
		{line: "retu", head: "", want: []string{"return"}},
		{line: "Math.ma", head: "Math.", want: []string{"max"}},
		{line: "tricky.danger.", want: nil},
		{line: "trap.", want: nil},
		{line: "f().x", want: nil},
		{line: "a[0].x", want: nil},
		{line: "1.5", want: nil},
		{line: "'os.get", want: nil},
		{line: "nosuch.x", want: nil},
		{line: "undefined.x", want: nil},
	}
	for _, tc := range cases {
		head, got, tail := c.complete(tc.line, len([]rune(tc.line)))
		if tc.want == nil {
			if len(got) != 0 {
				t.Errorf("complete(%q) = %v, want nothing", tc.line, got)
			}
			continue
		}
		if head != tc.head || tail != "" || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("complete(%q) = %q %v %q, want %q %v \"\"", tc.line, head, got, tail, tc.head, tc.want)
		}
	}
	// Completing in the middle of a line keeps what follows the cursor.
	line := "myShape.ar + 1"
	head, got, tail := c.complete(line, len("myShape.ar"))
	if head != "myShape." || !reflect.DeepEqual(got, []string{"area"}) || tail != " + 1" {
		t.Errorf("complete in the middle = %q %v %q", head, got, tail)
	}
	if v := rt.VM().Get("getterRuns").ToInteger(); v != 0 {
		t.Errorf("completion ran user code %d times", v)
	}
}

// A module global is loaded for completion the way typing its name loads
// it (a journaled script), once.
func TestCompleteLoadsModuleGlobal(t *testing.T) {
	_, c := newTestCompleter(t)
	before := lazyInits
	_, got, _ := c.complete("replcompletetest.get", len("replcompletetest.get"))
	if !reflect.DeepEqual(got, []string{"getalpha", "getbeta"}) {
		t.Errorf("module completion = %v", got)
	}
	_, got, _ = c.complete("replcompletetest.o", len("replcompletetest.o"))
	if !reflect.DeepEqual(got, []string{"other"}) {
		t.Errorf("module completion = %v", got)
	}
	if lazyInits != before+1 {
		t.Errorf("module initialised %d times, want 1", lazyInits-before)
	}
	_, got, _ = c.complete("replcomp", len("replcomp"))
	if !reflect.DeepEqual(got, []string{"replcompletetest"}) {
		t.Errorf("global completion = %v", got)
	}
}

func TestIsCommand(t *testing.T) {
	for _, s := range []string{".help", " .exit", ".load x.js", ".nosuch"} {
		if !isCommand(s) {
			t.Errorf("isCommand(%q) = false", s)
		}
	}
	for _, s := range []string{".5 + 1", "x.help", "", "."} {
		if isCommand(s) {
			t.Errorf("isCommand(%q) = true", s)
		}
	}
}

func TestHistoryFile(t *testing.T) {
	entry := "function f() {\n  return 1\n}"
	if h := toHistory(entry + "\n"); strings.Contains(h, "\n") || fromHistory(h) != entry {
		t.Errorf("history round trip of %q: %q -> %q", entry, h, fromHistory(h))
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "hist")
	l := liner.NewLiner()
	defer l.Close()
	for i := 0; i < historyLimit+20; i++ {
		l.AppendHistory(toHistory(strings.Repeat("x", i%7) + "\n" + string(rune('a'+i%26))))
	}
	if err := saveHistory(l, path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if n := strings.Count(string(b), "\n"); n != historyLimit {
		t.Errorf("%d history lines, want the cap %d", n, historyLimit)
	}
	l2 := liner.NewLiner()
	defer l2.Close()
	loadHistory(l2, path)
	var out strings.Builder
	l2.WriteHistory(&out)
	if out.String() != string(b) {
		t.Errorf("history did not survive a reload")
	}
	// A symlinked history file stays a symlink.
	link := filepath.Join(dir, "link")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if err := saveHistory(l, link); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the history symlink was replaced")
	}
}

func TestHistoryPath(t *testing.T) {
	t.Setenv("HOME", "/home/someone")
	os.Unsetenv("FORKJS_HISTORY")
	if p := historyPath(Config{}); p != "/home/someone/.forkjs_history" {
		t.Errorf("default history path %q", p)
	}
	t.Setenv("FORKJS_HISTORY", "/tmp/h")
	if p := historyPath(Config{}); p != "/tmp/h" {
		t.Errorf("FORKJS_HISTORY path %q", p)
	}
	t.Setenv("FORKJS_HISTORY", "")
	if p := historyPath(Config{}); p != "" {
		t.Errorf("empty FORKJS_HISTORY gives %q, want no file", p)
	}
	if p := historyPath(Config{HistoryFile: "/x"}); p != "/x" {
		t.Errorf("Config.HistoryFile gives %q", p)
	}
	if p := historyPath(Config{HistoryFile: "/x", NoHistory: true}); p != "" {
		t.Errorf("NoHistory gives %q", p)
	}
}

func TestInString(t *testing.T) {
	for s, want := range map[string]bool{
		`print('abc`: true, `"a\"b`: true, "`x": true, `print('a') + x`: false, `x // note`: true, `a / b`: false,
	} {
		if got := inString(s); got != want {
			t.Errorf("inString(%q) = %v", s, got)
		}
	}
}
