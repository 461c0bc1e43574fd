package app

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"trustcenter/shared/content"
	"trustcenter/shared/local/boltstore"
	"trustcenter/shared/token"
	"trustcenter/shared/trust"
)

// A function built without keys (the public one) signs no links: a call
// that would sign or check one answers ErrNoEngine instead of dereferencing
// a missing keyring. With keys, the same calls work.
func TestServiceWithoutKeysRefusesLinks(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "trust.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := Config{BaseURL: "https://trust.example", Issuer: "test", Staff: []trust.Staff{{Email: "admin@trust.example", Role: trust.Admin}}}
	site := &content.Site{Company: content.Company{Name: "Lumen"}}
	e := trust.Engines{Store: store}

	svc := NewService(c, site, nil, e)
	if err := svc.StartSignIn(t.Context(), "admin@trust.example", trust.Client{}); !errors.Is(err, trust.ErrNoEngine) {
		t.Fatalf("sign-in without keys: %v, want ErrNoEngine", err)
	}
	if _, err := svc.CompleteSignIn(t.Context(), "x.y.z", false, trust.Client{}); !errors.Is(err, trust.ErrNoEngine) {
		t.Fatalf("a sign-in link without keys: %v, want ErrNoEngine", err)
	}

	keys := &token.Keyring{}
	if err := keys.Rotate(time.Now()); err != nil {
		t.Fatal(err)
	}
	// Mail has no engine here either, so the link is queued, not sent:
	// signing it is what this checks.
	if err := NewService(c, site, token.Fixed(keys), e).StartSignIn(t.Context(), "admin@trust.example", trust.Client{}); err != nil {
		t.Fatalf("sign-in with keys: %v", err)
	}
	if pending, err := store.PendingMails(t.Context(), 10); err != nil || len(pending) != 1 {
		t.Fatalf("%d sign-in mails queued (%v), want 1", len(pending), err)
	}
}
