package trust

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"trustcenter/shared/i18n"
)

// The form's field messages build their keys from field names, so a key
// can be missing without any call site naming it.
func TestFieldMessagesHaveKeys(t *testing.T) {
	long := string(make([]rune, 2000))
	var got []Msg
	for _, field := range []string{"name", "company", "reason"} {
		got = append(got, checkLength(field, "", 10, true), checkLength(field, long, 10, false))
	}
	for _, field := range []string{"name", "company", "reason"} {
		got = append(got, checkText(field, "a\x00b"))
	}
	got = append(got, validEmail(""), validEmail(string(make([]byte, MaxEmail+1))), validEmail("ada@"))
	for _, m := range got {
		if !i18n.Has(m.Key) {
			t.Errorf("%q is not in the catalog", m.Key)
		}
	}
}

func TestErrorsCarryKeyAndEnglish(t *testing.T) {
	in := RequestInput{Name: "Ada", Email: "ada@", Company: "Buyer", NDAVersion: "old"}
	err := in.Validate(nil, NDA{Version: "new"})
	e, ok := err.(*Error)
	if !ok || e.Code != EInvalid || e.Key != "valid.summary" || e.Message != "Please correct the highlighted fields." {
		t.Fatalf("got %#v", err)
	}
	for field, want := range map[string]string{"email": "valid.email_invalid", "document": "valid.documents_required",
		"nda_version": "valid.nda_outdated", "nda_signature": "valid.signature_required"} {
		if e.FieldMsgs[field].Key != want || e.Fields[field] != i18n.T(i18n.English, want) {
			t.Errorf("%s: key %q, English %q; want %s", field, e.FieldMsgs[field].Key, e.Fields[field], want)
		}
	}
	c := stateConflict(Request{Status: Denied}).(*Error)
	if c.Message != "This request is denied, so that cannot be done now." || c.Key != "error.state_conflict" || c.Args[0] != Denied {
		t.Errorf("state conflict: %#v", c)
	}
}

// The domain depends on nothing but the standard library, the message
// catalog and golang.org/x/net/idna (the Go project's own IDNA, which the
// standard library vendors for net/http): the engines depend on it, never
// the other way round.
func TestImportsOnlyStandardLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if path != "trustcenter/shared/i18n" && path != "golang.org/x/net/idna" && (first == "trustcenter" || strings.Contains(first, ".")) {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}
