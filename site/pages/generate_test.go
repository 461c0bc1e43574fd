package pages

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// generator is the templ command `make templ` runs. It must be the version
// of the templ runtime in go.mod: the generated code calls that runtime.
const generator = "github.com/a-h/templ/cmd/templ@v0.3.1100"

// TestGeneratedCodeIsCurrent: the committed *_templ.go files are exactly
// what the pinned generator makes of the .templ files, so a template edited
// without `make templ` (or a generated file edited by hand) fails here
// instead of shipping the old page.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	req := regexp.MustCompile(`(?m)^\s*github\.com/a-h/templ (v\S+)`).FindSubmatch(mod)
	if req == nil {
		t.Fatal("go.mod does not require github.com/a-h/templ")
	}
	if !strings.HasSuffix(generator, "@"+string(req[1])) {
		t.Fatalf("go.mod requires the templ runtime %s, the generator is %s: make them the same version", req[1], generator)
	}
	sources, err := filepath.Glob("*.templ")
	if err != nil || len(sources) == 0 {
		t.Fatalf("no .templ files here (%v)", err)
	}
	dir := t.TempDir()
	for _, src := range sources {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, src), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// go test puts its own toolchain first on PATH.
	cmd := exec.Command("go", "run", generator, "generate", "-path", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s generate: %v\n%s", generator, err, out)
	}
	want := map[string]bool{}
	for _, src := range sources {
		name := strings.TrimSuffix(src, ".templ") + "_templ.go"
		want[name] = true
		fresh, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("the generator wrote no %s: %v", name, err)
		}
		committed, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s is not committed: run make templ", name)
			continue
		}
		if !bytes.Equal(fresh, committed) {
			t.Errorf("%s is not what the generator makes of %s: run make templ", name, src)
		}
	}
	generated, err := filepath.Glob("*_templ.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range generated {
		if !want[name] {
			t.Errorf("%s has no .templ file: remove it", name)
		}
	}
}
