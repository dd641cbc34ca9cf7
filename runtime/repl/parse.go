package repl

import (
	"errors"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// parse parses an entry without running it (source maps are never
// loaded: parsing must not touch the file system).
func parse(src string) (*ast.Program, error) {
	return parser.ParseFile(nil, "<repl>", src, 0, parser.WithDisableSourceMaps)
}

// incomplete reports whether src is an entry left open: it does not parse
// and the parser stopped because the input ended (an unclosed brace,
// bracket, parenthesis, template string or comment, or a trailing
// operator). Any other syntax error makes the entry complete, so that
// running it reports the error.
func incomplete(src string) bool {
	if strings.TrimSpace(src) == "" {
		return false
	}
	_, err := parse(src)
	if err == nil {
		return false
	}
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return list[0].Message == "Unexpected end of input"
	}
	var one *parser.Error
	if errors.As(err, &one) {
		return one.Message == "Unexpected end of input"
	}
	return false
}

// objectLiteral rewrites an entry that starts with "{" and reads as an
// object literal when parenthesised, as Node's REPL does: `{a: 1}` shows
// the object rather than running a block with a label.
func objectLiteral(src string) string {
	t := strings.TrimSpace(src)
	if !strings.HasPrefix(t, "{") || strings.HasSuffix(t, ";") {
		return src
	}
	wrapped := "(" + src + "\n)"
	if _, err := goja.Compile("<repl>", wrapped, false); err != nil {
		return src
	}
	return wrapped
}

// declaredNames returns the global lexical names (let, const, class) an
// entry declares at top level; they are not properties of the global
// object, so completion learns them here.
func declaredNames(prg *ast.Program) []string {
	var names []string
	var target func(e ast.Expression)
	target = func(e ast.Expression) {
		switch x := e.(type) {
		case *ast.Identifier:
			names = append(names, string(x.Name))
		case *ast.AssignExpression:
			target(x.Left)
		case *ast.ArrayPattern:
			for _, el := range x.Elements {
				if el != nil {
					target(el)
				}
			}
			if x.Rest != nil {
				target(x.Rest)
			}
		case *ast.ObjectPattern:
			for _, p := range x.Properties {
				switch q := p.(type) {
				case *ast.PropertyShort:
					names = append(names, string(q.Name.Name))
				case *ast.PropertyKeyed:
					target(q.Value)
				}
			}
			if x.Rest != nil {
				target(x.Rest)
			}
		case *ast.SpreadElement:
			target(x.Expression)
		}
	}
	for _, st := range prg.Body {
		switch x := st.(type) {
		case *ast.LexicalDeclaration:
			for _, b := range x.List {
				target(b.Target)
			}
		case *ast.ClassDeclaration:
			if x.Class != nil && x.Class.Name != nil {
				names = append(names, string(x.Class.Name.Name))
			}
		}
	}
	return names
}
