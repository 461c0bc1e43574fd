package contentfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"trustcenter/shared/content"
	"trustcenter/shared/testkit/modroot"
)

func TestCompiledRoundTrip(t *testing.T) {
	want, err := Example()
	if err != nil {
		t.Fatal(err)
	}
	data, err := content.Compile(want)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "content.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := content.LoadCompiled(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the compiled example reads back different:\n got %+v\nwant %+v", got, want)
	}
}

func TestLoadCompiledRefusesOtherFiles(t *testing.T) {
	site, err := Example()
	if err != nil {
		t.Fatal(err)
	}
	good, err := content.Compile(site)
	if err != nil {
		t.Fatal(err)
	}
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	yaml, err := os.ReadFile(filepath.Join(root, ExampleName))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"the YAML itself":  string(yaml),
		"an unknown field": strings.Replace(string(good), `"Site": {`, `"Site": {"Extra": 1,`, 1),
		"another format":   strings.Replace(string(good), `"Format": "trustcenter-content/1"`, `"Format": "trustcenter-content/0"`, 1),
		"no site":          `{"Format":"trustcenter-content/1"}`,
		"a bad date":       strings.Replace(string(good), `"2025-10-01"`, `"2025-13-01"`, 1),
		"empty":            "",
		"truncated":        string(good[:len(good)/2]),
	} {
		path := filepath.Join(t.TempDir(), "content.json")
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := content.LoadCompiled(path); err == nil || !strings.Contains(err.Error(), "not a compiled content file") {
			t.Errorf("%s: err %v, want a refusal naming the file kind", name, err)
		}
	}
}
