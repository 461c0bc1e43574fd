package token

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"

	"trustcenter/shared/trust"
)

// TestEveryPurposeHasACode: a purpose declared in the domain without a
// wire code cannot be signed at all, which only its first use would show;
// this reads the declarations, so a new purpose fails here first.
func TestEveryPurposeHasACode(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../trust/links.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Purpose" {
				continue
			}
			for i, name := range v.Names {
				lit := v.Values[i].(*ast.BasicLit)
				p := trust.Purpose(lit.Value[1 : len(lit.Value)-1])
				declared++
				if _, ok := purposeCodes[p]; !ok {
					t.Errorf("purpose %s (%q) has no wire code in purposeCodes", name.Name, p)
				}
			}
		}
	}
	if declared < 5 {
		t.Fatalf("found %d purposes in links.go; is the pattern still right?", declared)
	}
	seen := map[byte]trust.Purpose{}
	for p, c := range purposeCodes {
		if q, dup := seen[c]; dup {
			t.Errorf("code %d is used by both %s and %s", c, p, q)
		}
		seen[c] = p
	}
}
