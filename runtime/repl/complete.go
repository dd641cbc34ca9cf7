package repl

import (
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/dop251/goja"
	"github.com/forkjs/forkjs/runtime/engine"
)

// keywords are completed at the start of an expression.
var keywords = []string{
	"async", "await", "break", "case", "catch", "class", "const", "continue",
	"debugger", "default", "delete", "do", "else", "extends", "false",
	"finally", "for", "function", "if", "in", "instanceof", "let", "new",
	"null", "of", "return", "static", "super", "switch", "this", "throw",
	"true", "try", "typeof", "undefined", "var", "void", "while", "yield",
}

// completer finds completions on the JS thread. It reads properties by
// their descriptors and never calls a getter, a proxy trap or any other
// JS code the user wrote, so completing has no side effects and puts
// nothing in the journal; the one exception is a module global not yet
// loaded (os, sys, ...): it is loaded through a journaled script, exactly
// as typing its name would load it, so a later fork replays it.
type completer struct {
	rt       *engine.Runtime
	vm       *goja.Runtime
	gopd     goja.Callable // Object.getOwnPropertyDescriptor, taken before any user code
	objProto *goja.Object  // Object.prototype
	lexical  map[string]bool
}

func newCompleter(rt *engine.Runtime) *completer {
	vm := rt.VM()
	obj := vm.Get("Object").ToObject(vm)
	gopd, _ := goja.AssertFunction(obj.Get("getOwnPropertyDescriptor"))
	return &completer{
		rt:       rt,
		vm:       vm,
		gopd:     gopd,
		objProto: obj.Get("prototype").ToObject(vm),
		lexical:  map[string]bool{},
	}
}

// declare records global lexical names declared by an entry.
func (c *completer) declare(names []string) {
	for _, n := range names {
		c.lexical[n] = true
	}
}

var proxyType = reflect.TypeOf(goja.Proxy{})

// complete returns liner's word completion for line with the cursor at pos
// (in runes): the text before the word, the candidates replacing the last
// name of the dotted path being typed, and the text after the cursor.
func (c *completer) complete(line string, pos int) (head string, cands []string, tail string) {
	runes := []rune(line)
	if pos > len(runes) {
		pos = len(runes)
	}
	before, tail := string(runes[:pos]), string(runes[pos:])
	start := pos
	for start > 0 && (isIdentRune(runes[start-1]) || runes[start-1] == '.') {
		start--
	}
	expr := string(runes[start:pos])
	if inString(string(runes[:start])) {
		return before, nil, tail
	}
	parts := strings.Split(expr, ".")
	prefix := parts[len(parts)-1]
	path := parts[:len(parts)-1]
	head = string(runes[:pos-len([]rune(prefix))])
	// A path must be names only: after a call, an index or a number
	// (`f().x`, `a[0].x`, `1.5`) completing would mean evaluating code.
	for _, p := range path {
		if p == "" || !isIdent(p) {
			return before, nil, tail
		}
	}
	if prefix != "" && !isIdent(prefix) {
		return before, nil, tail
	}
	defer func() {
		if r := recover(); r != nil {
			cands = nil
		}
	}()
	var names []string
	if len(path) == 0 {
		names = c.globalNames(prefix)
	} else {
		v := c.resolve(path)
		if v == nil {
			return before, nil, tail
		}
		names = c.memberNames(v, prefix)
	}
	return head, names, tail
}

// resolve follows a dotted path of names from the global scope through
// data properties only; it returns nil when a step is missing, is an
// accessor (a getter would run code), is a proxy, or is null/undefined.
func (c *completer) resolve(path []string) goja.Value {
	var v goja.Value
	var found, accessor bool
	if c.lexical[path[0]] {
		// let/const/class bindings shadow global properties; reading one
		// runs no code.
		v = c.vm.Get(path[0])
		found = v != nil
	} else {
		g := c.vm.GlobalObject()
		v, found, accessor = c.lookup(g, path[0])
		if m := engine.Lookup(path[0]); accessor && m != nil && m.Global {
			// A module global not loaded yet: load it as typing its name
			// would, through a journaled script.
			if _, err := c.rt.RunScript("<completion>", "void "+path[0]); err == nil {
				v, found, accessor = c.lookup(g, path[0])
			}
		}
	}
	if !found || accessor {
		return nil
	}
	for _, name := range path[1:] {
		obj := c.object(v)
		if obj == nil {
			return nil
		}
		v, found, accessor = c.lookup(obj, name)
		if !found || accessor {
			return nil
		}
	}
	return v
}

// object returns v as an object whose properties can be listed safely
// (primitives through their wrappers), or nil.
func (c *completer) object(v goja.Value) *goja.Object {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	obj := v.ToObject(c.vm)
	if obj.ExportType() == proxyType {
		return nil
	}
	return obj
}

// lookup finds name on obj or its prototype chain by descriptor.
func (c *completer) lookup(obj *goja.Object, name string) (v goja.Value, found, accessor bool) {
	for o := obj; o != nil; o = o.Prototype() {
		if o.ExportType() == proxyType {
			return nil, false, false
		}
		d, err := c.gopd(goja.Undefined(), o, c.vm.ToValue(name))
		if err != nil || goja.IsUndefined(d) {
			continue
		}
		desc := d.ToObject(c.vm)
		for _, k := range desc.Keys() {
			if k == "value" {
				return desc.Get("value"), true, false
			}
		}
		return nil, false, true
	}
	return nil, false, false
}

// globalNames lists global properties, global let/const/class names and
// keywords starting with prefix.
func (c *completer) globalNames(prefix string) []string {
	set := map[string]bool{}
	c.collect(c.vm.GlobalObject(), prefix, set)
	for n := range c.lexical {
		set[n] = true
	}
	for _, k := range keywords {
		set[k] = true
	}
	return filter(set, prefix)
}

// memberNames lists v's properties, own and inherited, starting with
// prefix.
func (c *completer) memberNames(v goja.Value, prefix string) []string {
	obj := c.object(v)
	if obj == nil {
		return nil
	}
	set := map[string]bool{}
	c.collect(obj, prefix, set)
	return filter(set, prefix)
}

// collect adds the property names of obj and its prototypes. Members of
// Object.prototype (toString, hasOwnProperty, ...) are offered only once
// a prefix is typed, so that listing an object shows its own members.
func (c *completer) collect(obj *goja.Object, prefix string, set map[string]bool) {
	for o := obj; o != nil; o = o.Prototype() {
		if o.ExportType() == proxyType {
			return
		}
		if o == c.objProto && prefix == "" && obj != c.objProto {
			return
		}
		for _, k := range o.GetOwnPropertyNames() {
			set[k] = true
		}
	}
}

// filter returns the names in set that start with prefix and are
// identifiers, sorted; names starting with "_" only when prefix does, as
// Python's completer hides them.
func filter(set map[string]bool, prefix string) []string {
	var out []string
	for n := range set {
		if !strings.HasPrefix(n, prefix) || !isIdent(n) {
			continue
		}
		if strings.HasPrefix(n, "_") && !strings.HasPrefix(prefix, "_") {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func isIdentRune(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isIdent(s string) bool {
	for i, r := range s {
		if !isIdentRune(r) || (i == 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// inString reports whether the end of s is inside a string or template
// literal or a line comment (a rough scan: enough not to complete words
// the user is writing as text).
func inString(s string) bool {
	var quote rune
	escaped := false
	prev := rune(0)
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case quote != 0 && r == '\\':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"' || r == '`':
			quote = r
		case r == '/' && prev == '/':
			return true
		}
		prev = r
	}
	return quote != 0
}
