package rules_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jgctl/jgctl/pkg/rules"
)

// codeShape is what a machine code looks like: CAPITALS_WITH_UNDERSCORES
// (or one capital word: USAGE, INTERNAL).
var codeShape = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)

// codeUse is a string literal used as an error code somewhere in the module.
type codeUse struct {
	code  string
	where string
}

// TestEveryCodeCatalogued: every error code the module's code names (in a
// Code field, a "code" key, a comparison or switch on .Code, a newErr or
// newInvalid call, or a code:"…" struct tag) is in the catalogue, and no
// rules.Error gets a code but from the catalogue (newErr).
func TestEveryCodeCatalogued(t *testing.T) {
	uses, adHoc := scanModule(t, moduleRoot(t))
	if len(uses) < 100 {
		t.Fatalf("found only %d uses of error codes: is the scan looking at the module?", len(uses))
	}
	for _, u := range uses {
		if _, ok := rules.Lookup(u.code); !ok {
			t.Errorf("%s: code %s is not in the catalogue (define it in pkg/rules with newErr)", u.where, u.code)
		}
	}
	for _, where := range adHoc {
		t.Errorf("%s: a rules.Error with a code of its own, not from the catalogue: use a sentinel defined with newErr", where)
	}
}

// TestCatalogueEntries: every entry has a code of the right shape and both
// texts.
func TestCatalogueEntries(t *testing.T) {
	cat := rules.Catalogue()
	if len(cat) < 50 {
		t.Fatalf("catalogue has %d entries", len(cat))
	}
	for _, e := range cat {
		if !codeShape.MatchString(e.Code) {
			t.Errorf("code %q is not CAPITALS_WITH_UNDERSCORES", e.Code)
		}
		if e.EN == "" || e.ZH == "" {
			t.Errorf("%s: missing text (en %q, zh %q)", e.Code, e.EN, e.ZH)
		}
		if got, _ := rules.Lookup(e.Code); !reflect.DeepEqual(got, e) {
			t.Errorf("Lookup(%s) = %+v, want %+v", e.Code, got, e)
		}
	}
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// scanModule parses every non-test Go file of the module at root (not
// nested modules, not testdata) and returns the codes it uses and where a
// rules.Error literal with a constant code is built outside pkg/rules.
func scanModule(t *testing.T, root string) (uses []codeUse, adHoc []string) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || fileExists(filepath.Join(path, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		inRules := filepath.ToSlash(filepath.Dir(rel)) == "pkg/rules"
		u, a := scanFile(fset, f, inRules)
		uses, adHoc = append(uses, u...), append(adHoc, a...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return uses, adHoc
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// scanFile finds the error codes one file uses, and the rules.Error
// literals that define a code other than through the catalogue: outside
// pkg/rules any with a constant code, inside it any but newErr's.
func scanFile(fset *token.FileSet, f *ast.File, inRules bool) (uses []codeUse, adHoc []string) {
	if inRules {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "newErr" && fd.Recv == nil {
				continue
			}
			ast.Inspect(d, func(n ast.Node) bool {
				if c, ok := n.(*ast.CompositeLit); ok && isIdent(c.Type, "Error") && hasKey(c, "Code") {
					adHoc = append(adHoc, fset.Position(c.Pos()).String())
				}
				return true
			})
		}
	}
	add := func(n ast.Node, e ast.Expr) {
		if s, ok := stringLit(e); ok && codeShape.MatchString(s) {
			uses = append(uses, codeUse{s, fset.Position(n.Pos()).String()})
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			for _, el := range n.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Code" {
					add(kv, kv.Value)
					if _, constant := stringLit(kv.Value); constant && !inRules && isRulesError(n.Type) {
						adHoc = append(adHoc, fset.Position(n.Pos()).String())
					}
				}
				if k, ok := stringLit(kv.Key); ok && k == "code" {
					add(kv, kv.Value)
				}
			}
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "newErr" || id.Name == "newInvalid") && len(n.Args) > 1 {
				add(n, n.Args[1])
			}
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				if isCodeField(n.X) {
					add(n, n.Y)
				}
				if isCodeField(n.Y) {
					add(n, n.X)
				}
			}
		case *ast.SwitchStmt:
			if isCodeField(n.Tag) {
				for _, s := range n.Body.List {
					for _, e := range s.(*ast.CaseClause).List {
						add(e, e)
					}
				}
			}
		case *ast.Field:
			if n.Tag != nil {
				tag, _ := strconv.Unquote(n.Tag.Value)
				if c, ok := reflect.StructTag(tag).Lookup("code"); ok && codeShape.MatchString(c) {
					uses = append(uses, codeUse{c, fset.Position(n.Pos()).String()})
				}
			}
		}
		return true
	})
	return uses, adHoc
}

// stringLit is the value of a string literal.
func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}

// isCodeField reports whether e is x.Code.
func isCodeField(e ast.Expr) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && s.Sel.Name == "Code"
}

// isIdent reports whether e is the identifier name.
func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// hasKey reports whether a composite literal sets the field key.
func hasKey(c *ast.CompositeLit, key string) bool {
	for _, el := range c.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok && isIdent(kv.Key, key) {
			return true
		}
	}
	return false
}

// isRulesError reports whether a literal's type is rules.Error.
func isRulesError(e ast.Expr) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := s.X.(*ast.Ident)
	return ok && x.Name == "rules" && s.Sel.Name == "Error"
}

// TestStatuses: the exit status and HTTP status follow from the kind, and
// a few codes refine the HTTP status.
func TestStatuses(t *testing.T) {
	tests := []struct {
		err        *rules.Error
		exit, http int
	}{
		{rules.ErrIDFormat, 2, 400},
		{rules.ErrRouteNotFound, 3, 404},
		{rules.ErrStaffOnly, 4, 403},
		{rules.ErrNotCamera, 5, 422},
		{rules.ErrAlreadyPaid, 5, 409},
		{rules.ErrStoreLocked, 6, 503},
		{rules.ErrInternal, 1, 500},
		{rules.ErrUnauthenticated, 4, 401},
		{rules.ErrMethodNotAllowed, 2, 405},
		{rules.ErrMediaType, 2, 415},
		{rules.ErrTooManyAttempts, 4, 429},
		{rules.ErrHeaderTooLarge, 2, 431},
	}
	for _, tt := range tests {
		if got := tt.err.Kind.ExitCode(); got != tt.exit {
			t.Errorf("%s: exit %d, want %d", tt.err.Code, got, tt.exit)
		}
		if got := tt.err.WithField("x").HTTPStatus(); got != tt.http {
			t.Errorf("%s: HTTP %d, want %d", tt.err.Code, got, tt.http)
		}
	}
}
