package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"trustcenter/shared/i18n"
	"trustcenter/shared/trust"
)

// A key missing from the catalog shows up on the page as the key itself;
// the rendered-page tests only reach some pages, so every key the templates
// and handlers name is checked here.

var templateKey = regexp.MustCompile(`\bT\("([^"]+)"`)

func TestTemplateKeysExist(t *testing.T) {
	names, err := filepath.Glob("../../site/pages/*.templ")
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates found (%v)", err)
	}
	found := 0
	for _, n := range names {
		src, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(src), -1) {
			found++
			if !i18n.Has(m[1]) {
				t.Errorf("%s: %q is not in the catalog", n, m[1])
			}
		}
	}
	if found < 100 {
		t.Errorf("only %d keys found in the templates: does templateKey still match how they translate?", found)
	}
}

// keyShape is what a catalog key looks like; literals of that shape in the
// handlers are keys, and a prefix ending in a dot is completed at run time.
var keyShape = regexp.MustCompile(`^[a-z_]+(\.[a-z_0-9]+)+\.?$`)

func TestHandlerKeysExist(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !keyShape.MatchString(s) || strings.HasSuffix(s, ".") {
				return true
			}
			if !i18n.Has(s) {
				t.Errorf("%s: %q is not in the catalog", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	for _, st := range trust.Statuses {
		for _, key := range []string{"admin.status." + string(st), "request_state." + string(st)} {
			if !i18n.Has(key) {
				t.Errorf("%q is not in the catalog", key)
			}
		}
	}
}
