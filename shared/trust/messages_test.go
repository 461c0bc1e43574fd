package trust

import (
	"testing"

	"trustcenter/shared/i18n"
)

// The domain keeps its own English of each catalog key (it cannot read the
// catalog); if the two drift, logs and pages tell different stories.
func TestMessagesMatchEnglishCatalog(t *testing.T) {
	for key, english := range messages {
		if !i18n.Has(key) {
			t.Errorf("%s: not in the catalog", key)
			continue
		}
		if got := i18n.T(i18n.English, key); got != english {
			t.Errorf("%s: catalog has %q, the domain says %q", key, got, english)
		}
	}
}

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
		if _, ok := messages[m.Key]; !ok {
			t.Errorf("%q has no English text", m.Key)
		}
	}
}

func TestErrorsCarryKeyAndEnglish(t *testing.T) {
	in := RequestInput{Name: "Ada", Email: "ada@", Company: "Buyer", NDAVersion: "old"}
	err := in.Validate(nil, NDA{Version: "new"})
	e, ok := err.(*Error)
	if !ok || e.Code != EInvalid || e.Key != "valid.summary" || e.Message != messages["valid.summary"] {
		t.Fatalf("got %#v", err)
	}
	for field, want := range map[string]string{"email": "valid.email_invalid", "document": "valid.documents_required",
		"nda_version": "valid.nda_outdated", "nda_signature": "valid.signature_required"} {
		if e.FieldMsgs[field].Key != want || e.Fields[field] != messages[want] {
			t.Errorf("%s: key %q, English %q; want %s", field, e.FieldMsgs[field].Key, e.Fields[field], want)
		}
	}
	c := stateConflict(Request{Status: Denied}).(*Error)
	if c.Message != "This request is denied, so that cannot be done now." || c.Key != "error.state_conflict" || c.Args[0] != Denied {
		t.Errorf("state conflict: %#v", c)
	}
}
